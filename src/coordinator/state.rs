//! [`EntryState`], the lifecycle state of one URL.

use super::response::NotReusable;
use crate::time::Instant;

/// The lifecycle state of one URL, from [`Coordinator::state`](super::Coordinator::state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryState {
    /// A fetch is in flight; requests join it.
    InFlight,
    /// A reusable response is held by the host; requests are answered [`Start::Cached`](super::Start::Cached)
    /// before `until`.
    Fresh {
        /// The end of the fresh window (exclusive).
        until: Instant,
    },
    /// The fresh window has passed: the next request fetches again.
    Stale,
    /// The last fetch failed; prefetches are refused before `until`.
    Failed {
        /// When prefetching is allowed again.
        until: Instant,
        /// Consecutive failures (the back-off doubles with each).
        failures: u32,
    },
    /// The last response was not reusable; prefetches are refused before `until`.
    NotReusable {
        /// Why.
        reason: NotReusable,
        /// When the entry is forgotten.
        until: Instant,
    },
}
