//! The snapshot cache: rendered HTML for back/forward navigation, keyed by URL and `Vary`.
//!
//! *Not implemented yet (issue 7).* This module will hold a TTL/LRU cache whose keys are the
//! normalised URL plus a keyed digest of the request headers the response varies on (`Cookie`
//! and `Accept-Language` always), so no user ever sees another's snapshot, and the
//! configuration checks `djust.C301`-`djust.C303`.
