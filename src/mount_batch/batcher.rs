//! The client side: coalescing mounts into frames within the caps.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Map;

use super::demux::{Outcome, outcomes};
use super::wire::{BatchRequest, Frame, MountRequest, Reply};
use crate::json::compact_len;
use crate::time::{Instant, Timed};

/// The [`MountBatcher`]'s options.
///
/// | option | default | meaning |
/// |---|---|---|
/// | [`window`](Self::window) | 16 ms | a connected batcher waits this long after the latest mount for more |
/// | [`max_wait`](Self::max_wait) | 100 ms | and never longer than this after the first |
/// | [`max_views`](Self::max_views) | 32 | views per `mount_batch` frame |
/// | [`max_frame_bytes`](Self::max_frame_bytes) | 65,536 | bytes per frame (djust's inbound `max_message_size`) |
/// | [`enabled`](Self::enabled) | true | false sends every view as a plain `mount` (`DJUST_USE_MOUNT_BATCH = false`) |
/// | [`client_timezone`](Self::client_timezone) | none | the IANA zone written into every frame |
///
/// Every value is usable, so there is no `validate`: a zero window flushes on the mount itself,
/// a span too long to represent sets no deadline, `max_views` cannot be zero by type, and a
/// view larger than `max_frame_bytes` goes alone as a plain `mount`.
///
/// With serde, an options file gives any subset of the fields, durations in seconds:
///
/// ```
/// use std::time::Duration;
/// use liveshell::mount_batch::BatchOptions;
///
/// let options: BatchOptions = serde_json::from_str(r#"{"window": 0.008, "enabled": false}"#)?;
/// assert_eq!(
///     options,
///     BatchOptions::default().window(Duration::from_millis(8)).enabled(false)
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell::mount_batch::BatchOptions;
///
/// let options = BatchOptions::default()
///     .window(Duration::ZERO)
///     .max_frame_bytes(16 * 1024)
///     .client_timezone("Europe/Paris");
/// assert!(options.is_enabled());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchOptions {
    #[serde(with = "crate::options::seconds")]
    window: Duration,
    #[serde(with = "crate::options::seconds")]
    max_wait: Duration,
    max_views: NonZeroUsize,
    max_frame_bytes: usize,
    enabled: bool,
    client_timezone: Option<String>,
}

/// The old name of [`BatchOptions`].
#[deprecated(note = "renamed to `BatchOptions`")]
pub type BatchConfig = BatchOptions;

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            window: Duration::from_millis(16),
            max_wait: Duration::from_millis(100),
            max_views: NonZeroUsize::new(32).expect("32 is not zero"),
            max_frame_bytes: 65_536,
            enabled: true,
            client_timezone: None,
        }
    }
}

impl BatchOptions {
    /// The coalescing window: while connected, a flush waits this long after the latest mount.
    /// Zero flushes at once.
    #[must_use]
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The longest a connected mount waits for company, from the first mount of the batch.
    #[must_use]
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// The most views in one `mount_batch` frame; more are split into several frames.
    #[must_use]
    pub fn max_views(mut self, max_views: NonZeroUsize) -> Self {
        self.max_views = max_views;
        self
    }

    /// The most bytes in one frame, measured on the exact serialised JSON. A single view
    /// larger than this is sent alone as a plain `mount`.
    #[must_use]
    pub fn max_frame_bytes(mut self, max_frame_bytes: usize) -> Self {
        self.max_frame_bytes = max_frame_bytes;
        self
    }

    /// Whether to batch at all; false is djust's `DJUST_USE_MOUNT_BATCH = false` opt-out.
    #[must_use]
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// The client's IANA time zone, sent as the batch's `client_timezone` and in plain mounts
    /// whose request has none.
    #[must_use]
    pub fn client_timezone(mut self, tz: impl Into<String>) -> Self {
        self.client_timezone = Some(tz.into());
        self
    }

    /// Whether batching is on.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }
}

/// Coalesces view mounts into `mount` and `mount_batch` frames.
///
/// See the [module documentation](super) for the rules and the drive loop.
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::{BatchOptions, Frame, MountBatcher, MountRequest};
/// # let t0 = liveshell::time::Clock::now(&liveshell::time::SystemClock);
///
/// let mut batcher = MountBatcher::new(BatchOptions::default());
/// batcher.handle_mount(t0, MountRequest::new("app.views.Cart", "cart"));
/// batcher.handle_mount(t0, MountRequest::new("app.views.Ads", "ads"));
/// assert!(batcher.poll_frame().is_none()); // not connected yet: queued
///
/// batcher.handle_connected(t0);
/// let frame = batcher.poll_frame().unwrap();
/// assert!(frame.is_batch());
/// assert_eq!(frame.views().len(), 2);
/// assert!(batcher.poll_frame().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct MountBatcher {
    options: BatchOptions,
    connected: bool,
    /// The server refused a `mount_batch`: plain mounts from then on.
    rejected: bool,
    /// Mounts not yet flushed, in request order, at most one per non-empty target id.
    queue: Vec<MountRequest>,
    /// The first and latest mount since the last flush, while connected: the window's bounds.
    first_at: Option<Instant>,
    last_at: Option<Instant>,
    /// Flushed frames the host has not taken yet.
    ready: VecDeque<Frame>,
    /// The views of each `mount_batch` frame taken and not yet answered, oldest first.
    in_flight: VecDeque<Vec<MountRequest>>,
}

impl MountBatcher {
    /// A disconnected batcher with nothing queued.
    #[must_use]
    pub fn new(options: BatchOptions) -> Self {
        Self {
            options,
            connected: false,
            rejected: false,
            queue: Vec::new(),
            first_at: None,
            last_at: None,
            ready: VecDeque::new(),
            in_flight: VecDeque::new(),
        }
    }

    /// The options it was made with.
    #[must_use]
    pub fn options(&self) -> &BatchOptions {
        &self.options
    }

    /// The old name of [`options`](Self::options).
    #[deprecated(note = "renamed to `options`")]
    #[must_use]
    pub fn config(&self) -> &BatchOptions {
        self.options()
    }

    /// Input: a view asks to be mounted at `now`.
    ///
    /// A queued request for the same non-empty `target_id` is replaced: the earlier one is
    /// dropped and the new one joins the end of the queue. While disconnected the request waits
    /// for [`handle_connected`](Self::handle_connected). While connected it waits for the
    /// coalescing window, or is flushed at once if batching is off or the window is zero.
    pub fn handle_mount(&mut self, now: Instant, request: MountRequest) {
        self.enqueue(request);
        if !self.connected {
            return;
        }
        if !self.is_batching() {
            self.flush();
            return;
        }
        self.first_at.get_or_insert(now);
        self.last_at = Some(self.last_at.map_or(now, |last| last.max(now)));
        if self.poll_timeout().is_some_and(|deadline| deadline <= now) {
            self.flush();
        }
    }

    /// Input: the socket opened at `now`. Everything queued is flushed at once.
    ///
    /// A call while already connected is a no-op.
    pub fn handle_connected(&mut self, _now: Instant) {
        if self.connected {
            return;
        }
        self.connected = true;
        self.flush();
    }

    /// Input: the socket closed at `now`.
    ///
    /// Frames not yet taken with [`poll_frame`](Self::poll_frame) go back to the queue, ahead
    /// of what was waiting, to be sent on the next connect. Batches in flight are forgotten: no
    /// reply or rejection can arrive for them on a closed socket.
    pub fn handle_disconnected(&mut self, _now: Instant) {
        if !self.connected {
            return;
        }
        self.connected = false;
        self.first_at = None;
        self.last_at = None;
        self.in_flight.clear();
        let waiting = std::mem::take(&mut self.queue);
        let unsent: Vec<Frame> = self.ready.drain(..).collect();
        for request in unsent.into_iter().flat_map(Frame::into_views) {
            self.enqueue(request);
        }
        for request in waiting {
            self.enqueue(request);
        }
    }

    /// Input: the server refused a `mount_batch` at `now` (an error frame naming `mount_batch`
    /// or an unknown message type).
    ///
    /// Every view of the batches in flight, then of the frames not yet taken, is queued again
    /// ahead of the waiting mounts (rule 3 applies: a waiting mount of the same target replaces
    /// it) and everything is sent at once as plain `mount`s, in order. Batching stays off for
    /// this batcher. Returns how many
    /// views were re-queued; with no batch in flight or waiting it does nothing and returns 0.
    pub fn handle_batch_rejected(&mut self, _now: Instant) -> usize {
        let waiting_batches = self.ready.iter().any(Frame::is_batch);
        if self.in_flight.is_empty() && !waiting_batches {
            return 0;
        }
        self.rejected = true;
        let mut again: Vec<MountRequest> = self.in_flight.drain(..).flatten().collect();
        let requeued = again.len()
            + self
                .ready
                .iter()
                .filter(|f| f.is_batch())
                .map(|f| f.views().len())
                .sum::<usize>();
        again.extend(self.ready.drain(..).flat_map(Frame::into_views));
        let waiting = std::mem::take(&mut self.queue);
        for request in again.into_iter().chain(waiting) {
            self.enqueue(request);
        }
        self.flush();
        requeued
    }

    /// Input: the server's `mount_batch` reply arrived at `now`; it answers the oldest batch in
    /// flight.
    ///
    /// Returns [`outcomes`] for that batch's targets (every target of a reply that arrives with
    /// no batch in flight is reported as [`Outcome::Unrequested`]). `now` is not used yet: every
    /// input of a timed machine takes it.
    #[must_use = "the outcomes say which views to hydrate, retry or redirect"]
    pub fn handle_reply(&mut self, _now: Instant, reply: &Reply) -> Vec<(String, Outcome)> {
        let batch = self.in_flight.pop_front().unwrap_or_default();
        let targets: Vec<&str> = batch.iter().map(MountRequest::target_id).collect();
        outcomes(reply, &targets)
    }

    /// Handles one [`Input`] at `now`: a thin `match` over the `handle_*` methods, for hosts and
    /// harnesses that feed every input through one queue. Then drain
    /// [`poll_frame`](Self::poll_frame) as after any input.
    ///
    /// A reply is not an [`Input`]: its outcomes are a result the host must act on, so it comes
    /// in through [`handle_reply`](Self::handle_reply).
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::mount_batch::{BatchOptions, Input, MountBatcher, MountRequest};
    /// # let t0 = liveshell::time::Clock::now(&liveshell::time::SystemClock);
    ///
    /// let mut batcher = MountBatcher::new(BatchOptions::default());
    /// for input in [
    ///     Input::Mount(MountRequest::new("app.views.Cart", "cart")),
    ///     Input::Mount(MountRequest::new("app.views.Ads", "ads")),
    ///     Input::Connected,
    /// ] {
    ///     batcher.handle_input(t0, input);
    /// }
    /// assert_eq!(batcher.poll_frame().unwrap().views().len(), 2);
    /// ```
    pub fn handle_input(&mut self, now: Instant, input: Input) {
        match input {
            Input::Mount(request) => self.handle_mount(now, request),
            Input::Connected => self.handle_connected(now),
            Input::Disconnected => self.handle_disconnected(now),
            Input::BatchRejected => {
                self.handle_batch_rejected(now);
            }
            Input::Timeout => self.handle_timeout(now),
        }
    }

    /// Input: the deadline from [`poll_timeout`](Self::poll_timeout) passed. Early calls are
    /// no-ops.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_some_and(|deadline| deadline <= now) {
            self.flush();
        }
    }

    /// When to call [`handle_timeout`](Self::handle_timeout): the end of the coalescing window,
    /// `min(latest mount + window, first mount + max_wait)`, or `None` when nothing waits on
    /// time (nothing queued, or disconnected, or both spans too long to represent).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let (first, last) = (self.first_at?, self.last_at?);
        if !self.connected || self.queue.is_empty() {
            return None;
        }
        // A window or wait too long to represent is no deadline at all, never a panic.
        let by_window = last.checked_add(self.options.window);
        let by_wait = first.checked_add(self.options.max_wait);
        match (by_window, by_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Output: the next frame to send, oldest first. Drain it until `None` after every input.
    #[must_use]
    pub fn poll_frame(&mut self) -> Option<Frame> {
        let frame = self.ready.pop_front()?;
        if let Frame::MountBatch(batch) = &frame {
            self.in_flight.push_back(batch.views.clone());
        }
        Some(frame)
    }

    /// Whether the socket is connected, as last reported.
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Whether frames of several views are being made: batching is enabled and the server has
    /// not rejected it.
    #[must_use]
    pub fn is_batching(&self) -> bool {
        self.options.enabled && !self.rejected
    }

    /// How many mounts wait to be flushed.
    #[must_use]
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// How many `mount_batch` frames were taken and await a reply.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    fn enqueue(&mut self, request: MountRequest) {
        if !request.target_id().is_empty() {
            self.queue.retain(|q| q.target_id() != request.target_id());
        }
        self.queue.push(request);
    }

    /// Turns the whole queue into frames, splitting at the caps, order kept.
    fn flush(&mut self) {
        self.first_at = None;
        self.last_at = None;
        let queue = std::mem::take(&mut self.queue);
        if !self.is_batching() {
            for request in queue {
                self.ready.push_back(self.single(request));
            }
            return;
        }
        let empty = Frame::MountBatch(self.batch(Vec::new()));
        let overhead = compact_len(&empty);
        let mut group: Vec<MountRequest> = Vec::new();
        let mut bytes = overhead;
        for request in queue {
            let len = compact_len(&request);
            let full = group.len() >= self.options.max_views.get()
                || bytes + 1 + len > self.options.max_frame_bytes;
            if !group.is_empty() && full {
                self.emit(std::mem::take(&mut group));
                bytes = overhead;
            }
            // `views: [a,b]`: every entry after the first adds a comma.
            bytes += len + usize::from(!group.is_empty());
            group.push(request);
        }
        self.emit(group);
    }

    /// One view goes as a plain `mount`, two or more as a `mount_batch`.
    fn emit(&mut self, mut group: Vec<MountRequest>) {
        let frame = match group.len() {
            0 => return,
            1 => self.single(group.pop().expect("the group has one view")),
            _ => Frame::MountBatch(self.batch(group)),
        };
        debug_assert!(
            frame.views().len() == 1 || frame.json_len() <= self.options.max_frame_bytes,
            "a batch frame exceeds the byte cap"
        );
        self.ready.push_back(frame);
    }

    fn single(&self, mut request: MountRequest) -> Frame {
        request.inherit_timezone(self.options.client_timezone.as_deref());
        Frame::Mount(request)
    }

    fn batch(&self, views: Vec<MountRequest>) -> BatchRequest {
        BatchRequest {
            views,
            client_timezone: self.options.client_timezone.clone(),
            extra: Map::new(),
        }
    }
}

impl Timed for MountBatcher {
    fn poll_timeout(&self) -> Option<Instant> {
        Self::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
}

/// One input of a [`MountBatcher`], for [`MountBatcher::handle_input`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Input {
    /// A view asks to be mounted: [`MountBatcher::handle_mount`].
    Mount(MountRequest),
    /// The socket opened: [`MountBatcher::handle_connected`].
    Connected,
    /// The socket closed: [`MountBatcher::handle_disconnected`].
    Disconnected,
    /// The server refused a `mount_batch`: [`MountBatcher::handle_batch_rejected`] (the count
    /// of re-queued views it returns is dropped).
    BatchRejected,
    /// The deadline from [`MountBatcher::poll_timeout`] passed: [`MountBatcher::handle_timeout`].
    Timeout,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, SystemClock};

    fn t0() -> Instant {
        SystemClock.now()
    }

    fn drain(b: &mut MountBatcher) -> Vec<Frame> {
        std::iter::from_fn(|| b.poll_frame()).collect()
    }

    #[test]
    fn a_connected_mount_waits_for_the_window_then_flushes() {
        let t0 = t0();
        let mut b = MountBatcher::new(BatchOptions::default());
        b.handle_connected(t0);
        b.handle_mount(t0, MountRequest::new("v", "a"));
        assert_eq!(b.poll_timeout(), Some(t0 + Duration::from_millis(16)));
        b.handle_timeout(t0 + Duration::from_millis(15));
        assert!(b.poll_frame().is_none(), "an early timeout is a no-op");
        b.handle_timeout(t0 + Duration::from_millis(16));
        let frames = drain(&mut b);
        assert_eq!(frames.len(), 1);
        assert!(!frames[0].is_batch());
    }

    #[test]
    fn the_window_slides_but_never_past_max_wait() {
        let t0 = t0();
        let ms = Duration::from_millis;
        let mut b = MountBatcher::new(BatchOptions::default().window(ms(10)).max_wait(ms(25)));
        b.handle_connected(t0);
        b.handle_mount(t0, MountRequest::new("v", "a"));
        b.handle_mount(t0 + ms(8), MountRequest::new("v", "b"));
        assert_eq!(b.poll_timeout(), Some(t0 + ms(18)));
        b.handle_mount(t0 + ms(17), MountRequest::new("v", "c"));
        assert_eq!(b.poll_timeout(), Some(t0 + ms(25)));
    }

    #[test]
    fn a_zero_window_flushes_on_the_mount_itself() {
        let t0 = t0();
        let mut b = MountBatcher::new(BatchOptions::default().window(Duration::ZERO));
        b.handle_connected(t0);
        b.handle_mount(t0, MountRequest::new("v", "a"));
        assert_eq!(drain(&mut b).len(), 1);
        assert_eq!(b.poll_timeout(), None);
    }

    #[test]
    fn endless_spans_mean_no_deadline_and_never_panic() {
        let t0 = t0();
        let config = BatchOptions::default().window(Duration::MAX);
        let mut b = MountBatcher::new(config.clone());
        b.handle_connected(t0);
        b.handle_mount(t0, MountRequest::new("v", "a"));
        assert_eq!(b.poll_timeout(), Some(t0 + Duration::from_millis(100)));
        let mut b = MountBatcher::new(config.max_wait(Duration::MAX));
        b.handle_connected(t0);
        b.handle_mount(t0, MountRequest::new("v", "a"));
        assert_eq!(b.poll_timeout(), None);
        b.handle_timeout(t0 + Duration::from_secs(3600));
        assert_eq!(b.queued(), 1);
    }

    #[test]
    fn a_stuttering_clock_never_panics() {
        let t0 = t0() + Duration::from_secs(1);
        let mut b = MountBatcher::new(BatchOptions::default());
        b.handle_connected(t0);
        b.handle_mount(t0, MountRequest::new("v", "a"));
        b.handle_mount(t0 - Duration::from_secs(1), MountRequest::new("v", "b"));
        b.handle_timeout(t0 - Duration::from_secs(1));
        b.handle_timeout(t0 + Duration::from_secs(1));
        assert_eq!(drain(&mut b)[0].views().len(), 2);
    }

    #[test]
    fn untaken_frames_go_back_to_the_queue_on_disconnect() {
        let t0 = t0();
        let mut b = MountBatcher::new(BatchOptions::default());
        b.handle_mount(t0, MountRequest::new("v", "a"));
        b.handle_mount(t0, MountRequest::new("v", "b"));
        b.handle_connected(t0);
        b.handle_disconnected(t0);
        assert!(b.poll_frame().is_none());
        assert_eq!(b.queued(), 2);
        b.handle_connected(t0);
        assert_eq!(drain(&mut b)[0].views().len(), 2);
    }

    #[test]
    fn a_rejection_without_a_batch_in_flight_does_nothing() {
        let t0 = t0();
        let mut b = MountBatcher::new(BatchOptions::default());
        assert_eq!(b.handle_batch_rejected(t0), 0);
        assert!(b.is_batching());
    }

    #[test]
    fn a_rejected_view_is_replaced_by_a_waiting_mount_of_the_same_target() {
        let t0 = t0();
        let mut b = MountBatcher::new(BatchOptions::default());
        b.handle_mount(t0, MountRequest::new("old", "a"));
        b.handle_mount(t0, MountRequest::new("v", "b"));
        b.handle_connected(t0);
        assert!(drain(&mut b)[0].is_batch());
        b.handle_mount(t0, MountRequest::new("new", "a"));
        assert_eq!(b.handle_batch_rejected(t0), 2);
        let views: Vec<String> = drain(&mut b)
            .into_iter()
            .map(|f| f.views()[0].view().to_owned())
            .collect();
        assert_eq!(views, ["v", "new"]);
    }

    #[test]
    fn id_less_requests_are_never_merged() {
        let t0 = t0();
        let mut b = MountBatcher::new(BatchOptions::default());
        b.handle_mount(t0, MountRequest::new("v", ""));
        b.handle_mount(t0, MountRequest::new("v", ""));
        assert_eq!(b.queued(), 2);
    }

    #[cfg(feature = "arbitrary")]
    #[test]
    fn arbitrary_inputs_drive_the_batcher_without_panicking() {
        use arbitrary::{Arbitrary, Unstructured};
        let bytes: Vec<u8> = (0..=255u8).cycle().take(8192).collect();
        let mut u = Unstructured::new(&bytes);
        let mut machine = MountBatcher::new(BatchOptions::default());
        let mut now = SystemClock.now();
        let mut fed = 0;
        while !u.is_empty() {
            let Ok(input) = Input::arbitrary(&mut u) else {
                break;
            };
            machine.handle_input(now, input);
            while machine.poll_frame().is_some() {}
            now += Duration::from_millis(7);
            fed += 1;
        }
        assert!(fed > 10, "only {fed} inputs");
    }
}
