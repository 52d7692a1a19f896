//! The main-only middleware decision: trim a response to the inner HTML of `<main>`.
//!
//! *Not implemented yet (issue 4).* This module will decide, from a request and a response given
//! as plain types, whether the response body becomes the inner HTML of its `<main>` element
//! (when the request carries `X-Djust-Main-Only: 1`) or passes through untouched, and which
//! headers change (`Content-Length`, `Vary`, `ETag`, the `X-Djust-Main-Only-Response` marker).
