//! [`Input`] and [`Reply`]: every input of the [`Coordinator`](super::Coordinator)(super::Coordinator) as one
//! value and what it answers, for hosts and harnesses that route inputs through one call
//! ([`Coordinator::handle_input`](super::Coordinator::handle_input)(super::Coordinator::handle_input)).

use super::request::{FetchTicket, Kind, Start, Waiter};
use super::response::FetchOutcome;

/// One input of a [`Coordinator`](super::Coordinator): each variant is one method with its arguments after `now`.
///
/// # Examples
///
/// ```
/// use liveshell::coordinator::{Coordinator, CoordinatorOptions, Input, Kind, Reply, Start};
/// use liveshell::time::{Clock, SystemClock};
///
/// let t0 = SystemClock.now();
/// let mut c = Coordinator::new("https://shop.example/", CoordinatorOptions::default()).unwrap();
/// let get = Input::Request { method: "GET", url: "/cart/", kind: Kind::Prefetch };
/// assert!(matches!(c.handle_input(t0, get), Reply::Start(Start::Fetch(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum Input<'a> {
    /// [`Coordinator::request_with_method`](super::Coordinator::request_with_method).
    Request {
        /// The HTTP method, as the Fetch API gives it.
        method: &'a str,
        /// The request URL, absolute or relative to the scope.
        url: &'a str,
        /// Who asks.
        kind: Kind,
    },
    /// [`Coordinator::complete`](super::Coordinator::complete).
    Complete {
        /// The fetch that ended.
        ticket: FetchTicket,
        /// How it ended.
        outcome: FetchOutcome,
    },
    /// [`Coordinator::invalidate`](super::Coordinator::invalidate).
    Invalidate {
        /// The URL a mutation made out of date.
        url: &'a str,
    },
    /// [`Coordinator::clear`](super::Coordinator::clear).
    Clear,
    /// [`Coordinator::handle_timeout`](super::Coordinator::handle_timeout).
    Timeout,
}

/// What [`Coordinator::handle_input`](super::Coordinator::handle_input) answers: the return value of the method the [`Input`]
/// named.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub enum Reply {
    /// [`Input::Request`]'s answer.
    Start(Start),
    /// [`Input::Complete`]'s waiters, to be answered with the same outcome.
    Waiters(Vec<Waiter>),
    /// [`Input::Invalidate`]: whether there was anything to drop.
    Invalidated(bool),
    /// [`Input::Clear`] and [`Input::Timeout`] answer nothing.
    Done,
}
