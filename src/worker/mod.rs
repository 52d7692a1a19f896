//! The service worker's decisions: a drop-in for djust 1.2.6's `service-worker.js`, Sans-IO.
//!
//! A [`Worker`] holds everything the worker decides and nothing it does: the host (the `sw/`
//! package: wasm-bindgen exports over this module, and JavaScript that only performs `fetch`,
//! Cache Storage, IndexedDB and `postMessage`) feeds it events and performs what it returns.
//!
//! * **Messages.** [`decode`] turns the JSON of every message djust's worker accepts into a
//!   typed [`Message`] (or a [`Refused`] reason: bad messages are ignored, never thrown);
//!   [`Worker::handle_message`] gates the sender ([`SourceGate`](crate::reconnect::SourceGate):
//!   same origin, a window client, inside the scope) and returns the [`Reply`] in djust's exact
//!   shape (`DJUST_DRAIN_REPLY`, [`VdomCacheReply`], [`StateSnapshotReply`]).
//! * **Navigations.** [`Worker::handle_fetch`] decides per fetch event: ignore, network, the
//!   shell (with a background revalidation at most once per
//!   [`WorkerOptions::revalidate_after`]), or a main-only fetch. [`ShellRoutes`] is the policy
//!   of which navigations the shell may answer, learnt from responses plus include and exclude
//!   patterns; [`ShellRule`] keeps the shell fresh; the shell is cut by [`crate::shell::split`].
//! * **Prefetch.** `PREFETCH {url}` (djust's client posts it on hover) goes through the
//!   prefetch guard and the [`Coordinator`](crate::coordinator::Coordinator) in
//!   [`MainOnlyFetches`]: the main-only variant is fetched once, and the click's main-only
//!   request joins it or is answered from it (reusable responses only).
//! * **Persistence.** The reconnect buffer ([`Bridge`](crate::reconnect::Bridge)), the
//!   [`VdomCache`] and the [`StateCache`] (both [`SnapshotCache`](crate::cache::SnapshotCache)s)
//!   and the shell's metadata save to JSON with their order and ages ([`Worker::save`]) and
//!   restore in the next worker ([`Worker::restore`]): the browser stops an idle worker after
//!   about 30 s, and nothing buffered is lost.
//!
//! # Time
//!
//! Every input takes `now` ([`Instant`](crate::time::Instant)). Inputs that compare with
//! djust's wall-clock `ts` fields (the state snapshot's expiry, the default `ts`) also take
//! `unix_ms`, the host's `Date.now()`. A restored part's ages are measured from `now` minus
//! the time the worker was stopped, so the host's `now` must leave room below it: the `sw/`
//! host offsets its clock by a year (a fresh worker's `performance.now()` starts near zero).
//!
//! # Examples
//!
//! ```
//! use liveshell::reconnect::Source;
//! use liveshell::time::{Clock, SystemClock};
//! use liveshell::worker::{Reply, Worker, WorkerOptions};
//!
//! let now = SystemClock.now();
//! let mut worker = Worker::new("http://localhost:8000/", WorkerOptions::default())?;
//! let page = Source::window("http://localhost:8000/cart/");
//! let origin = Some("http://localhost:8000");
//! let lookup = r#"{"type":"VDOM_CACHE_LOOKUP","requestId":"vdom-1","url":"/cart/"}"#;
//! let handled = worker.handle_message(now, 1.7e12, origin, Some(&page), lookup).unwrap();
//! let Some(Reply::Vdom(reply)) = handled.reply else { panic!() };
//! assert_eq!(
//!     serde_json::to_string(&reply)?,
//!     r#"{"type":"VDOM_CACHE_REPLY","requestId":"vdom-1","hit":false,"stale":false,"html":null,"version":null,"ts":0}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod caches;
mod fetch;
mod machine;
mod message;
mod options;
mod route;

pub use caches::{
    DEFAULT_VDOM_MAX_ENTRIES, DEFAULT_VDOM_MAX_ENTRY_BYTES, DEFAULT_VDOM_MAX_TOTAL_BYTES,
    DEFAULT_VDOM_TTL, STATE_MAX_ENTRIES, SavedVdom, SavedVdomOwned, StateCache, StateEntry,
    VdomCache, VdomEntry,
};
pub use fetch::{
    DEFAULT_MAIN_ONLY_FRESH, DEFAULT_MAIN_ONLY_MAX_BODY_BYTES, MainOnlyFetches, MainOnlyStart,
    StoredResponse,
};
pub use machine::{
    Dirty, FetchDecision, FetchRequest, Handled, Part, Reply, SHELL_MARKER, ShellAction, Worker,
    WorkerError, shell_headers,
};
pub use message::{
    MAX_MESSAGE_BYTES, Message, Refused, STATE_DEFAULT_MAX_AGE, StateSnapshotReply, VdomCacheReply,
    decode, decode_value,
};
pub use options::WorkerOptions;
pub use route::{
    PathPattern, Route, SavedLesson, SavedShell, ShellMeta, ShellRoutes, ShellRule, ShellUpdate,
};
