//! The reconnection bridge: buffer outgoing messages while the socket is down, replay them after.
//!
//! djust's service worker keeps, per connection, the last 50 messages a page tried to send
//! while its WebSocket was closed, and hands them back when the page reconnects. This module
//! is that bridge, exact on djust's wire format, plus what djust leaves out:
//!
//! * [`ReplayBuffer`]: the fixed-capacity ring (default 50, oldest dropped) with a running
//!   drop count. O(1) `push`, no allocation once full, serde persistence.
//! * [`Bridge`]: the service-worker half. [`Bridge::handle`] takes a [`BridgeMessage`]
//!   (`DJUST_BUFFER` / `DJUST_DRAIN`, deserialized from djust's JSON) and returns the
//!   [`DrainReply`] (`DJUST_DRAIN_REPLY`) to post back. Beyond djust: a byte budget and a
//!   maximum age per connection, idle connections collected, a bound on connections, and
//!   every drop counted ([`DrainReply::dropped`], [`Bridge::stats`]).
//! * [`accept_source`] / [`SourceGate`]: the message gate: the worker's origin, a window
//!   source, and a source URL inside the scope compared as a parsed URL, not as a string.
//! * [`Outbox`] and [`ReplayGuard`]: idempotent replay. The client stamps each message with
//!   `(client_id, seq)`; the server keeps a contiguous high-water mark and a sliding bitmap per
//!   client and answers [`Verdict::Fresh`] or [`Verdict::Duplicate`] in O(1), so at-least-once
//!   replay becomes effectively-once.
//!
//! # The drive loop (service worker)
//!
//! 1. On each `message` event, check `event.origin` and `event.source` with
//!    [`SourceGate::check`]; drop the message if it fails.
//! 2. Deserialize `event.data` into a [`BridgeMessage`] (any JSON value deserializes; what is
//!    not a bridge message becomes [`BridgeMessage::Other`]).
//! 3. Call [`Bridge::handle`] with `now`; if it returns a [`DrainReply`], serialize it and post
//!    it to `event.source`.
//! 4. Arm a timer for [`Bridge::poll_timeout`] and call [`Bridge::handle_timeout`] when it
//!    fires, to collect idle connections ([`Bridge::handle`] also collects them on its way).
//!
//! A host that feeds every input from one queue passes an [`Input`] to
//! [`Bridge::handle_input`] instead; the bridge also implements [`Timed`](crate::time::Timed),
//! so one loop drives it beside the crate's other machines. Configure it with
//! [`BridgeOptions`] (serde, durations in seconds).
//!
//! # Time
//!
//! Only the [`Bridge`] takes time: `now` stamps each buffered payload and each connection's
//! last activity. A message exactly `max_age` old is still replayed, one a nanosecond older is
//! dropped; a connection idle for exactly `idle_timeout` is collected. A `now` earlier than
//! one already seen is raised to it, so a stuttering clock never reorders or panics.
//! [`ReplayBuffer`], [`Outbox`] and [`ReplayGuard`] are not timed.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use liveshell::reconnect::{Bridge, BridgeMessage, SourceGate, Source};
//! use liveshell::time::{Clock, ManualClock, SystemClock};
//! use serde_json::json;
//!
//! let clock = ManualClock::new(SystemClock.now());
//! let gate = SourceGate::new("http://localhost:8000/")?;
//! let mut bridge = Bridge::default();
//! let page = Source::window("http://localhost:8000/cart/");
//! gate.check(Some("http://localhost:8000"), Some(&page))?;
//!
//! // The socket is down: the page posts its events to the worker.
//! for data in [
//!     r#"{"type":"DJUST_BUFFER","connectionId":"dj-1","payload":"{\"event\":\"inc\"}"}"#,
//!     r#"{"type":"DJUST_BUFFER","connectionId":"dj-1","payload":"{\"event\":\"dec\"}"}"#,
//! ] {
//!     let msg: BridgeMessage = serde_json::from_str(data).unwrap();
//!     assert_eq!(bridge.handle(clock.now(), msg), None);
//!     clock.advance(Duration::from_millis(300));
//! }
//! // Reconnected: the page asks for its messages back.
//! let drain = serde_json::from_str(r#"{"type":"DJUST_DRAIN","connectionId":"dj-1"}"#).unwrap();
//! let reply = bridge.handle(clock.now(), drain).unwrap();
//! assert_eq!(
//!     serde_json::to_value(&reply).unwrap(),
//!     json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "dj-1",
//!            "messages": ["{\"event\":\"inc\"}", "{\"event\":\"dec\"}"]})
//! );
//! # Ok::<(), liveshell::reconnect::SourceError>(())
//! ```

mod bridge;
mod buffer;
mod gate;
mod guard;
mod outbox;
mod wire;

#[allow(deprecated)]
pub use bridge::BridgeConfig;
pub use bridge::{Bridge, BridgeOptions, BridgeStats, Input};
pub use buffer::{DEFAULT_CAPACITY, Drain, ReplayBuffer};
pub use gate::{Source, SourceError, SourceGate, SourceKind, accept_source};
pub use guard::{REPLAY_WINDOW, ReplayGuard, Verdict};
pub use outbox::{Outbox, Stamped};
pub use wire::{
    BUFFER_TYPE, BridgeMessage, ConnectionId, DEFAULT_CONNECTION_ID, DRAIN_REPLY_TYPE, DRAIN_TYPE,
    DrainReply,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<ReplayBuffer<String>>();
        assert_send_sync::<Bridge>();
        assert_send_sync::<BridgeMessage>();
        assert_send_sync::<DrainReply>();
        assert_send_sync::<SourceGate>();
        assert_send_sync::<SourceError>();
        assert_send_sync::<Outbox<String>>();
        assert_send_sync::<ReplayGuard>();
    }

    #[test]
    fn small_types_stay_small() {
        assert!(size_of::<Verdict>() <= 1);
        assert!(size_of::<SourceKind>() <= 1);
        assert!(size_of::<BridgeMessage>() <= 64);
    }
}
