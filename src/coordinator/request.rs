//! What a request asks and what the host does next: request kinds, answers, refusals, tickets
//! and waiters.

use std::fmt;

use super::response::NotReusable;
use crate::prefetch::guard::GuardError;
use crate::time::Instant;

/// Who asks for a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Kind {
    /// A speculative fetch: it may be refused, and nobody waits for its answer.
    Prefetch,
    /// A real top-level navigation (the user clicked): never refused.
    Navigation,
    /// A real subresource or script fetch: never refused.
    Fetch,
}

impl Kind {
    /// Whether this is a real request (a navigation or a fetch), which is never refused.
    #[must_use]
    pub const fn is_real(self) -> bool {
        !matches!(self, Self::Prefetch)
    }
}

/// What the host does with a request, returned by
/// [`Coordinator::request`](super::Coordinator::request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Perform the fetch, then report it with
    /// [`Coordinator::complete`](super::Coordinator::complete) and answer every waiter it
    /// returns with the same response.
    Fetch(FetchTicket),
    /// The same URL is already in flight: do not fetch; this waiter is returned by the
    /// `complete` of that fetch.
    Join(Waiter),
    /// A fresh, reusable response is held by the host under this URL's key: answer from it.
    Cached,
    /// Not fetched (only ever for [`Kind::Prefetch`]).
    Refused(RefuseReason),
}

/// Why a prefetch was refused. Real requests are never refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefuseReason {
    /// `max_in_flight` fetches are in flight; try again later.
    Busy,
    /// The URL fails the prefetch [`guard`](crate::prefetch::guard()) against the coordinator's
    /// scope (unparseable, not `http(s)`, cross-origin, credentials, smuggling).
    Url(GuardError),
    /// The last fetch of this URL failed; prefetching is allowed again at `until`.
    Backoff {
        /// When the back-off ends.
        until: Instant,
    },
    /// The last response for this URL could not be reused; prefetching is allowed again at
    /// `until` (one fresh window later).
    NotReusable {
        /// Why the response was not reusable.
        reason: NotReusable,
        /// When prefetching is allowed again.
        until: Instant,
    },
    /// A prefetch is always a `GET`; another method was given to
    /// [`Coordinator::request_with_method`](super::Coordinator::request_with_method).
    Method,
}

impl fmt::Display for RefuseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Busy => f.write_str("in-flight cap reached"),
            Self::Url(e) => write!(f, "url: {e}"),
            Self::Backoff { .. } => f.write_str("backing off after a failure"),
            Self::NotReusable { reason, .. } => write!(f, "last response not reusable ({reason})"),
            Self::Method => f.write_str("a prefetch must be a GET"),
        }
    }
}

/// The host's handle on one fetch it must perform and then report with
/// [`Coordinator::complete`](super::Coordinator::complete).
///
/// Tickets are never reused by a coordinator. `Copy`, so a host can key its own table by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct FetchTicket(pub(crate) u64);

impl fmt::Display for FetchTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ticket#{}", self.0)
    }
}

/// A request that joined a fetch in flight; answer it with that fetch's response when
/// [`Coordinator::complete`](super::Coordinator::complete) returns it.
///
/// Waiter ids are never reused by a coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Waiter {
    pub(crate) id: u64,
    pub(crate) kind: Kind,
}

impl Waiter {
    /// The kind of the request that joined: a [`Kind::Prefetch`] waiter needs no answer.
    #[must_use]
    pub const fn kind(&self) -> Kind {
        self.kind
    }
}

impl fmt::Display for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "waiter#{}", self.id)
    }
}
