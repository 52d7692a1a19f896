//! Mount batching: many lazy view mounts in one frame, per-view failures isolated.
//!
//! A page with several lazy views used to send one `mount` frame per view. The client now
//! coalesces them into one `mount_batch` frame, the server answers with one `mount_batch` reply
//! carrying every rendered view, and a view that fails lands in the reply's `failed[]` array
//! without affecting the others. The wire format is djust's ([`Frame`], [`Reply`]); unknown
//! fields are kept.
//!
//! Three parts:
//!
//! * **Client, sending:** [`MountBatcher`] queues mounts and hands out [`Frame`]s.
//! * **Server:** [`parse_request`] reads a request entry by entry; [`ReplyBuilder`] builds the
//!   reply.
//! * **Client, receiving:** [`outcomes`] (or [`MountBatcher::handle_reply`]) says what happened
//!   to each requested view.
//!
//! # Rules
//!
//! 1. Mounts requested while disconnected are queued and flushed on connect; mounts requested
//!    while connected are coalesced within the window ([`BatchOptions::window`], capped by
//!    [`BatchOptions::max_wait`]). One pending mount is sent as a plain `mount`, two or more as
//!    a `mount_batch`; with batching disabled, each is a plain `mount`. Frames not yet taken
//!    when the socket closes go back to the queue for the next connect.
//! 2. A frame never exceeds [`BatchOptions::max_frame_bytes`], measured on the exact serialised
//!    JSON, nor [`BatchOptions::max_views`]: larger sets are split into several frames, order
//!    kept. A single view larger than the byte cap is sent alone as a plain `mount`.
//! 3. Two mounts for the same non-empty `target_id` before a flush: the later one replaces the
//!    earlier, which is dropped, and the later one takes its turn at the end of the queue
//!    (djust instead silently never hydrates the second of two id-less views with the same
//!    name). Requests with an empty `target_id` are never merged.
//! 4. Server: entries are handled in order; a non-object entry fails with
//!    `"mount_batch entry is not a dict"`; `views` not a list is a [`BatchError`]
//!    (`"mount_batch: 'views' must be a list"`); one failing view never affects the others;
//!    the real error text is kept beside a machine-readable `code`. Always
//!    `views + failed + navigate == entries`.
//! 5. Client: the first redirect wins and the others are reported; a requested target missing
//!    from the reply is [`Outcome::Missing`], not hydrated; an entry for a target never
//!    requested is ignored and reported. A redirect that names no view (no `target_id`, `null`
//!    or `""`) is the page's and is followed like a view's, as djust's client follows every
//!    `navigate` entry with a string `to`.
//! 6. When the server rejects batching (an error frame for which [`is_batch_rejection`] holds),
//!    [`MountBatcher::handle_batch_rejected`] queues the batches' views again as plain mounts,
//!    and batching stays off.
//!
//! # Drive loop
//!
//! 1. Feed inputs: [`handle_mount`](MountBatcher::handle_mount) when a lazy view wants to
//!    hydrate, [`handle_connected`](MountBatcher::handle_connected) /
//!    [`handle_disconnected`](MountBatcher::handle_disconnected) as the socket opens and closes,
//!    [`handle_reply`](MountBatcher::handle_reply) or
//!    [`handle_batch_rejected`](MountBatcher::handle_batch_rejected) when the server answers.
//!    Every input takes `now`. A host feeding inputs from one queue passes an [`Input`] to
//!    [`handle_input`](MountBatcher::handle_input) instead (replies excepted: their outcomes
//!    are a result).
//! 2. Drain [`poll_frame`](MountBatcher::poll_frame) until `None` and send each frame's
//!    [`to_json`](Frame::to_json).
//! 3. Wait for the next input or for [`poll_timeout`](MountBatcher::poll_timeout), whichever
//!    comes first; on the deadline call [`handle_timeout`](MountBatcher::handle_timeout). The
//!    batcher implements [`Timed`](crate::time::Timed), so one loop drives it beside the crate's
//!    other machines.
//! 4. Repeat.
//!
//! # Time
//!
//! Only the coalescing window uses time: it ends at `min(latest mount + window, first mount +
//! max_wait)`, counted from the `now` of [`handle_mount`](MountBatcher::handle_mount) calls
//! made while connected. Mounts queued while disconnected go out on connect, without waiting.
//! An early [`handle_timeout`](MountBatcher::handle_timeout) is a no-op, and a `now` earlier
//! than a previous one never panics.
//!
//! # Examples
//!
//! The whole round trip, client to server to client:
//!
//! ```
//! use liveshell::mount_batch::{
//!     parse_request, BatchOptions, MountBatcher, MountRequest, Outcome, ReplyBuilder,
//! };
//! use serde_json::json;
//! # let t0 = liveshell::time::Clock::now(&liveshell::time::SystemClock);
//!
//! // Client: two lazy views before the socket opens.
//! let mut batcher = MountBatcher::new(BatchOptions::default());
//! batcher.handle_mount(t0, MountRequest::new("app.views.Cart", "cart"));
//! batcher.handle_mount(t0, MountRequest::new("app.views.Missing", "ads"));
//! batcher.handle_connected(t0);
//! let frame = batcher.poll_frame().unwrap();
//!
//! // Server: mount each entry, isolate failures.
//! let mut reply = ReplyBuilder::new("sess-1");
//! for entry in parse_request(frame.to_json().as_bytes()).unwrap() {
//!     let entry = entry.unwrap();
//!     if entry.view() == "app.views.Cart" {
//!         reply.mounted(entry.target_id(), json!({"type": "mount", "html": "<b>2</b>"}));
//!     } else {
//!         reply.failed(entry.target_id(), entry.view(), "no such view");
//!     }
//! }
//! let wire = reply.finish().to_json();
//!
//! // Client: what happened to each view.
//! let got = batcher.handle_reply(t0, &serde_json::from_str(&wire).unwrap());
//! assert_eq!(got[0], ("cart".to_string(), Outcome::Mounted));
//! assert!(matches!(&got[1].1, Outcome::Failed { error, .. } if error == "no such view"));
//! ```

mod batcher;
mod demux;
mod server;
mod wire;

#[allow(deprecated)]
pub use batcher::BatchConfig;
pub use batcher::{BatchOptions, Input, MountBatcher};
pub use demux::{Outcome, is_batch_rejection, outcomes};
pub use server::{BatchError, EntryError, ReplyBuilder, parse_request};
pub use wire::{BatchRequest, Failure, Frame, MountRequest, Reply};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<MountBatcher>();
        check::<BatchOptions>();
        check::<Frame>();
        check::<MountRequest>();
        check::<Reply>();
        check::<ReplyBuilder>();
        check::<Outcome>();
        check::<BatchError>();
        check::<EntryError>();
    }

    #[test]
    fn outcome_stays_small() {
        assert!(size_of::<Outcome>() <= 48);
    }
}
