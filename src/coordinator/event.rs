//! [`CoordinatorEvent`], what the coordinator tells its host.

use std::fmt;

use url::Url;

use super::response::NotReusable;

/// Something the host may want to act on, drained with
/// [`Coordinator::poll_event`](super::Coordinator::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoordinatorEvent {
    /// A fetch that a prefetch started or joined returned a response that cannot be reused:
    /// stop prefetching `url` (the coordinator refuses its prefetches for one fresh window).
    NotReusable {
        /// The key.
        url: Url,
        /// Why.
        reason: NotReusable,
    },
    /// A fresh entry's window ended ([`handle_timeout`](super::Coordinator::handle_timeout)):
    /// the host may drop its stored response.
    Expired {
        /// The key.
        url: Url,
    },
    /// The least recently used entry was dropped to stay within `max_entries`: the host may
    /// drop its stored response.
    Evicted {
        /// The key.
        url: Url,
    },
    /// A real request with an unsafe method (`POST`, `PUT`, ...) dropped the entry: the host
    /// should drop its stored response.
    Invalidated {
        /// The key.
        url: Url,
    },
}

impl fmt::Display for CoordinatorEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotReusable { url, reason } => write!(f, "not reusable: {url} ({reason})"),
            Self::Expired { url } => write!(f, "expired: {url}"),
            Self::Evicted { url } => write!(f, "evicted: {url}"),
            Self::Invalidated { url } => write!(f, "invalidated: {url}"),
        }
    }
}
