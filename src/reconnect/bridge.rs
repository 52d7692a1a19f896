//! `Bridge`: the service worker's per-connection buffers, with bounds and drop accounting.

use std::num::NonZeroUsize;
use std::time::Duration;

use lru::LruCache;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::buffer::{DEFAULT_CAPACITY, ReplayBuffer};
use super::wire::{BridgeMessage, ConnectionId, DrainReply};
use crate::json::compact_len;
use crate::time::{Instant, Timed};

/// How the [`Bridge`] bounds what it holds.
///
/// | option | default | djust |
/// |---|---|---|
/// | [`capacity`](Self::capacity): messages per connection | 50 | 50 |
/// | [`max_bytes`](Self::max_bytes): serialized payload bytes per connection | 256 KiB | unbounded |
/// | [`max_age`](Self::max_age): oldest message a drain still returns | 5 min | unbounded |
/// | [`idle_timeout`](Self::idle_timeout): a connection untouched this long is collected | 10 min | never |
/// | [`max_connections`](Self::max_connections): buffers held at once (least recently used goes) | 256 | unbounded |
///
/// Every value is usable, so there is no `validate`: the counts cannot be zero by type, a
/// `max_bytes` of 0 drops (and counts) every payload, a zero `max_age` replays only messages
/// buffered at the drain's own instant, and a span too long to represent never expires.
///
/// With serde, an options file gives any subset of the fields (the rest keep their defaults),
/// durations in seconds:
///
/// ```
/// use std::time::Duration;
/// use liveshell::reconnect::BridgeOptions;
///
/// let options: BridgeOptions = serde_json::from_str(r#"{"max_age": 60, "capacity": 20}"#)?;
/// assert_eq!(
///     options,
///     BridgeOptions::default()
///         .max_age(Duration::from_secs(60))
///         .capacity(20.try_into().unwrap())
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell::reconnect::{Bridge, BridgeOptions};
///
/// let bridge = Bridge::new(BridgeOptions::default().max_age(Duration::from_secs(60)));
/// assert_eq!(bridge.max_age(), Duration::from_secs(60));
/// assert_eq!(bridge.capacity().get(), 50);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BridgeOptions {
    capacity: NonZeroUsize,
    max_bytes: usize,
    #[serde(with = "crate::options::seconds")]
    max_age: Duration,
    #[serde(with = "crate::options::seconds")]
    idle_timeout: Duration,
    max_connections: NonZeroUsize,
}

/// The old name of [`BridgeOptions`].
#[deprecated(note = "renamed to `BridgeOptions`")]
pub type BridgeConfig = BridgeOptions;

impl Default for BridgeOptions {
    fn default() -> Self {
        Self {
            capacity: DEFAULT_CAPACITY,
            max_bytes: 256 * 1024,
            max_age: Duration::from_secs(5 * 60),
            idle_timeout: Duration::from_secs(10 * 60),
            max_connections: NonZeroUsize::new(256).expect("256 is not zero"),
        }
    }
}

impl BridgeOptions {
    /// Sets how many messages one connection keeps; older ones are dropped (djust: 50).
    #[must_use]
    pub const fn capacity(mut self, capacity: NonZeroUsize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Sets the byte budget per connection: the sum of the exact UTF-8 sizes of the payloads
    /// serialized as compact JSON (for a djust client's string payload: the string's length
    /// plus its quotes and escapes). Older messages are dropped to make room; a single payload
    /// larger than the budget is dropped itself.
    #[must_use]
    pub const fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the age past which a buffered message is dropped instead of replayed. A message
    /// exactly `max_age` old is still replayed.
    #[must_use]
    pub const fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sets how long a connection may go without a buffer or drain before it is collected.
    ///
    /// A collected connection's messages are gone: a later drain for it is answered like one
    /// for an unknown id (`[]`), and the loss is counted in [`BridgeStats`]. Keep it at least
    /// [`max_age`](Self::max_age) (the default is twice it), past which the messages would be
    /// dropped as expired anyway.
    #[must_use]
    pub const fn idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// Sets how many connections are held at once; a new one beyond it evicts the least
    /// recently active.
    #[must_use]
    pub const fn max_connections(mut self, max_connections: NonZeroUsize) -> Self {
        self.max_connections = max_connections;
        self
    }
}

/// Running totals of what a [`Bridge`] did, for logs and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgeStats {
    /// Payloads accepted into a buffer.
    pub buffered: u64,
    /// Payloads handed back in drain replies.
    pub replayed: u64,
    /// Payloads dropped because their connection already held `capacity` messages.
    pub dropped_over_capacity: u64,
    /// Payloads dropped to stay within `max_bytes` (including single oversized ones).
    pub dropped_over_budget: u64,
    /// Payloads dropped because they were older than `max_age`.
    pub dropped_expired: u64,
    /// Payloads discarded with a connection collected as idle or evicted by `max_connections`.
    pub dropped_with_connection: u64,
    /// Connections collected as idle or evicted by `max_connections`.
    pub connections_collected: u64,
}

/// One buffered payload.
#[derive(Debug)]
struct Entry {
    at: Instant,
    size: usize,
    payload: Value,
}

/// One connection's buffer.
#[derive(Debug)]
struct Connection {
    buffer: ReplayBuffer<Entry>,
    /// Sum of `Entry::size` over `buffer`.
    bytes: usize,
    /// Drops other than capacity evictions (which `buffer.dropped()` counts).
    dropped: u64,
    last_active: Instant,
}

impl Connection {
    fn dropped(&self) -> u64 {
        self.dropped.saturating_add(self.buffer.dropped())
    }
}

/// The service-worker half of the reconnection bridge.
///
/// It keeps one [`ReplayBuffer`] per [`ConnectionId`] and answers djust's wire messages:
/// `DJUST_BUFFER` appends a payload (nothing is replied), `DJUST_DRAIN` removes the connection's
/// buffer and replies with its payloads oldest first (an unknown or already drained id gets
/// `[]`), and anything else is ignored. On top of djust it bounds each buffer by bytes and age,
/// collects idle connections, bounds how many it holds, and reports every drop (see
/// [`BridgeOptions`], [`DrainReply::dropped`] and [`stats`](Self::stats)).
///
/// Gate each incoming message with [`accept_source`](super::accept_source) before handing it
/// over.
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{Bridge, BridgeMessage};
/// use liveshell::time::{Clock, SystemClock};
/// use serde_json::json;
///
/// let now = SystemClock.now();
/// let mut bridge = Bridge::default();
/// for i in 0..75 {
///     let msg = BridgeMessage::buffer("cap", json!(format!("m{i}")));
///     assert_eq!(bridge.handle(now, msg), None);
/// }
/// let reply = bridge.handle(now, BridgeMessage::drain("cap")).unwrap();
/// assert_eq!(reply.messages.len(), 50);
/// assert_eq!(reply.messages[0], "m25");
/// assert_eq!(reply.dropped, 25);
/// let again = bridge.handle(now, BridgeMessage::drain("cap")).unwrap();
/// assert!(again.messages.is_empty());
/// ```
#[derive(Debug)]
pub struct Bridge {
    options: BridgeOptions,
    /// Least recently active first; activity times are monotonic (see `latest`), so the least
    /// recently used entry is also the one idle the longest.
    connections: LruCache<ConnectionId, Connection>,
    /// The latest `now` seen: earlier instants are raised to it, so time never runs backwards.
    latest: Option<Instant>,
    stats: BridgeStats,
}

impl Default for Bridge {
    /// A bridge with [`BridgeOptions::default`].
    fn default() -> Self {
        Self::new(BridgeOptions::default())
    }
}

impl Bridge {
    /// Creates an empty bridge.
    #[must_use]
    pub fn new(options: BridgeOptions) -> Self {
        Self {
            options,
            connections: LruCache::unbounded(),
            latest: None,
            stats: BridgeStats::default(),
        }
    }

    /// Handles one message posted to the service worker at `now`.
    ///
    /// Returns the reply to post back for a `DJUST_DRAIN`, and `None` for everything else.
    /// The reply is the only copy of the drained messages: the bridge has forgotten them.
    /// Connections idle past the deadline are collected first, as by
    /// [`handle_timeout`](Self::handle_timeout).
    #[must_use = "a drain's reply is the only copy of the drained messages: post it back"]
    pub fn handle(&mut self, now: Instant, message: BridgeMessage) -> Option<DrainReply> {
        let now = self.advance(now);
        match message {
            BridgeMessage::Buffer {
                connection_id,
                payload,
            } => {
                self.buffer(now, connection_id, payload);
                None
            }
            BridgeMessage::Drain { connection_id } => Some(self.drain(now, connection_id)),
            BridgeMessage::Other(_) => None,
        }
    }

    /// Handles one [`Input`] at `now`: a thin `match` over [`handle`](Self::handle) and
    /// [`handle_timeout`](Self::handle_timeout), for hosts and harnesses that feed every input
    /// through one queue. Returns what [`handle`](Self::handle) returns; a timeout returns
    /// `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::reconnect::{Bridge, BridgeMessage, Input};
    /// use liveshell::time::{Clock, SystemClock};
    /// use serde_json::json;
    ///
    /// let now = SystemClock.now();
    /// let mut bridge = Bridge::default();
    /// let buffer = Input::Message(BridgeMessage::buffer("c", json!("e")));
    /// assert_eq!(bridge.handle_input(now, buffer), None);
    /// assert_eq!(bridge.handle_input(now, Input::Timeout), None);
    /// let reply = bridge.handle_input(now, Input::Message(BridgeMessage::drain("c"))).unwrap();
    /// assert_eq!(reply.messages, [json!("e")]);
    /// ```
    #[must_use = "a drain's reply is the only copy of the drained messages: post it back"]
    pub fn handle_input(&mut self, now: Instant, input: Input) -> Option<DrainReply> {
        match input {
            Input::Message(message) => self.handle(now, message),
            Input::Timeout => {
                self.handle_timeout(now);
                None
            }
        }
    }

    /// When the next idle connection is due for collection, if any.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let (_, oldest) = self.connections.peek_lru()?;
        oldest.last_active.checked_add(self.options.idle_timeout)
    }

    /// Collects every connection idle for at least `idle_timeout` at `now`; an early call
    /// collects nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
    }

    /// Raises `now` to the latest instant seen, collects idle connections, and returns it.
    fn advance(&mut self, now: Instant) -> Instant {
        let now = match self.latest {
            Some(latest) if latest > now => latest,
            _ => now,
        };
        self.latest = Some(now);
        while let Some((_, oldest)) = self.connections.peek_lru() {
            if now.saturating_duration_since(oldest.last_active) < self.options.idle_timeout {
                break;
            }
            self.collect_lru();
        }
        now
    }

    /// The payloads buffered for `connection_id`, oldest first, without draining them.
    ///
    /// This shows what is held, so it may include messages a drain would drop as expired.
    pub fn peek(&self, connection_id: &str) -> Option<impl Iterator<Item = &Value> + '_> {
        let connection = self.connections.peek(connection_id)?;
        Some(connection.buffer.iter().map(|entry| &entry.payload))
    }

    /// How many connections have a buffer.
    #[must_use]
    pub fn len(&self) -> usize {
        self.connections.len()
    }

    /// Whether no connection has a buffer.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    /// The running totals.
    #[must_use]
    pub const fn stats(&self) -> BridgeStats {
        self.stats
    }

    /// The most messages one connection keeps.
    #[must_use]
    pub const fn capacity(&self) -> NonZeroUsize {
        self.options.capacity
    }

    /// The byte budget per connection.
    #[must_use]
    pub const fn max_bytes(&self) -> usize {
        self.options.max_bytes
    }

    /// The age past which a buffered message is dropped.
    #[must_use]
    pub const fn max_age(&self) -> Duration {
        self.options.max_age
    }

    /// How long a connection may stay idle before it is collected.
    #[must_use]
    pub const fn idle_timeout(&self) -> Duration {
        self.options.idle_timeout
    }

    /// The most connections held at once.
    #[must_use]
    pub const fn max_connections(&self) -> NonZeroUsize {
        self.options.max_connections
    }

    fn buffer(&mut self, now: Instant, connection_id: ConnectionId, payload: Value) {
        let size = compact_len(&payload);
        if !self.connections.contains(&connection_id) {
            if self.connections.len() >= self.options.max_connections.get() {
                self.collect_lru();
            }
            let connection = Connection {
                buffer: ReplayBuffer::new(self.options.capacity),
                bytes: 0,
                dropped: 0,
                last_active: now,
            };
            self.connections.push(connection_id.clone(), connection);
        }
        let connection = self
            .connections
            .get_mut(&connection_id)
            .expect("the connection was found or inserted just above");
        connection.last_active = now;
        let stats = &mut self.stats;
        // Expired messages at the front are of no use any more: free their room first.
        while let Some(oldest) = connection.buffer.front() {
            if now.saturating_duration_since(oldest.at) <= self.options.max_age {
                break;
            }
            forget(connection, &mut stats.dropped_expired);
        }
        if size > self.options.max_bytes {
            connection.dropped = connection.dropped.saturating_add(1);
            stats.dropped_over_budget += 1;
            return;
        }
        while connection.bytes + size > self.options.max_bytes {
            forget(connection, &mut stats.dropped_over_budget);
        }
        let entry = Entry {
            at: now,
            size,
            payload,
        };
        if let Some(evicted) = connection.buffer.push(entry) {
            connection.bytes -= evicted.size;
            stats.dropped_over_capacity += 1;
        }
        connection.bytes += size;
        stats.buffered += 1;
    }

    fn drain(&mut self, now: Instant, connection_id: ConnectionId) -> DrainReply {
        let Some(mut connection) = self.connections.pop(&connection_id) else {
            return DrainReply::new(connection_id, Vec::new(), 0);
        };
        let mut dropped = connection.dropped();
        let max_age = self.options.max_age;
        let stats = &mut self.stats;
        let messages: Vec<Value> = connection
            .buffer
            .drain()
            .filter_map(|entry| {
                if now.saturating_duration_since(entry.at) > max_age {
                    dropped = dropped.saturating_add(1);
                    stats.dropped_expired += 1;
                    None
                } else {
                    Some(entry.payload)
                }
            })
            .collect();
        stats.replayed += messages.len() as u64;
        DrainReply::new(connection_id, messages, dropped)
    }

    /// Discards the least recently active connection and counts what it held.
    fn collect_lru(&mut self) {
        if let Some((_, connection)) = self.connections.pop_lru() {
            self.stats.connections_collected += 1;
            self.stats.dropped_with_connection += connection.buffer.len() as u64;
        }
    }
}

impl Timed for Bridge {
    fn poll_timeout(&self) -> Option<Instant> {
        Self::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
}

/// One input of a [`Bridge`], for [`Bridge::handle_input`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Input {
    /// A message posted to the service worker: [`Bridge::handle`].
    Message(BridgeMessage),
    /// The deadline from [`Bridge::poll_timeout`] passed: [`Bridge::handle_timeout`].
    Timeout,
}

/// Drops a connection's oldest message and counts it under `counter`.
fn forget(connection: &mut Connection, counter: &mut u64) {
    if let Some(entry) = connection.buffer.pop() {
        connection.bytes -= entry.size;
        connection.dropped = connection.dropped.saturating_add(1);
        *counter += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, SystemClock};
    use serde_json::json;

    fn buffer(bridge: &mut Bridge, now: Instant, id: &str, payload: Value) {
        assert_eq!(bridge.handle(now, BridgeMessage::buffer(id, payload)), None);
    }

    fn drain(bridge: &mut Bridge, now: Instant, id: &str) -> DrainReply {
        bridge
            .handle(now, BridgeMessage::drain(id))
            .expect("a drain always gets a reply")
    }

    #[test]
    fn byte_budget_drops_oldest_to_make_room() {
        let t0 = SystemClock.now();
        // "aaaa" serializes to 6 bytes with its quotes.
        let mut bridge = Bridge::new(BridgeOptions::default().max_bytes(13));
        for p in ["aaaa", "bbbb", "cccc"] {
            buffer(&mut bridge, t0, "c", json!(p));
        }
        let reply = drain(&mut bridge, t0, "c");
        assert_eq!(reply.messages, [json!("bbbb"), json!("cccc")]);
        assert_eq!(reply.dropped, 1);
        assert_eq!(bridge.stats().dropped_over_budget, 1);
    }

    #[test]
    fn payload_over_the_whole_budget_is_dropped_alone() {
        let t0 = SystemClock.now();
        let mut bridge = Bridge::new(BridgeOptions::default().max_bytes(8));
        buffer(&mut bridge, t0, "c", json!("ok"));
        buffer(&mut bridge, t0, "c", json!("far too long"));
        let reply = drain(&mut bridge, t0, "c");
        assert_eq!(reply.messages, [json!("ok")]);
        assert_eq!(reply.dropped, 1);
    }

    #[test]
    fn expired_messages_are_dropped_at_drain_and_exact_age_is_kept() {
        let t0 = SystemClock.now();
        let mut bridge = Bridge::default();
        buffer(&mut bridge, t0, "c", json!("old"));
        let t1 = t0 + Duration::from_secs(60);
        buffer(&mut bridge, t1, "c", json!("new"));
        let reply = drain(&mut bridge, t1 + Duration::from_secs(240), "c");
        assert_eq!(reply.messages, [json!("old"), json!("new")]);
        let mut bridge = Bridge::default();
        buffer(&mut bridge, t0, "d", json!("old"));
        let t2 = t0 + Duration::from_secs(300) + Duration::from_secs(1);
        let reply = drain(&mut bridge, t2, "d");
        assert!(reply.messages.is_empty());
        assert_eq!(reply.dropped, 1);
        assert_eq!(bridge.stats().dropped_expired, 1);
    }

    #[test]
    fn clock_running_backwards_is_clamped_to_the_latest_instant() {
        let t0 = SystemClock.now();
        let later = t0 + Duration::from_secs(3600);
        let mut bridge = Bridge::default();
        buffer(&mut bridge, later, "c", json!(1));
        buffer(&mut bridge, t0, "c", json!(2));
        let reply = drain(&mut bridge, t0, "c");
        assert_eq!(reply.messages, [json!(1), json!(2)]);
    }

    #[test]
    fn idle_connections_are_collected_at_their_deadline() {
        let t0 = SystemClock.now();
        let idle = Duration::from_secs(30);
        let mut bridge = Bridge::new(BridgeOptions::default().idle_timeout(idle));
        buffer(&mut bridge, t0, "a", json!(1));
        buffer(&mut bridge, t0 + Duration::from_secs(10), "b", json!(2));
        assert_eq!(bridge.poll_timeout(), Some(t0 + idle));
        bridge.handle_timeout(t0 + idle - Duration::from_millis(1));
        assert_eq!(bridge.len(), 2, "an early timeout collects nothing");
        bridge.handle_timeout(t0 + idle);
        assert_eq!(bridge.len(), 1);
        assert!(bridge.peek("a").is_none());
        assert_eq!(bridge.poll_timeout(), Some(t0 + Duration::from_secs(40)));
        assert_eq!(bridge.stats().connections_collected, 1);
        assert_eq!(bridge.stats().dropped_with_connection, 1);
    }

    #[test]
    fn connection_limit_evicts_the_least_recently_active() {
        let t0 = SystemClock.now();
        let two = NonZeroUsize::new(2).unwrap();
        let mut bridge = Bridge::new(BridgeOptions::default().max_connections(two));
        buffer(&mut bridge, t0, "a", json!(1));
        buffer(&mut bridge, t0, "b", json!(2));
        buffer(&mut bridge, t0, "a", json!(3));
        buffer(&mut bridge, t0, "c", json!(4));
        assert_eq!(bridge.len(), 2);
        assert!(bridge.peek("b").is_none());
        assert_eq!(bridge.peek("a").unwrap().count(), 2);
    }

    #[test]
    fn huge_idle_timeout_has_no_deadline_instead_of_overflowing() {
        let t0 = SystemClock.now();
        let mut bridge = Bridge::new(BridgeOptions::default().idle_timeout(Duration::MAX));
        buffer(&mut bridge, t0, "a", json!(1));
        assert_eq!(bridge.poll_timeout(), None);
        bridge.handle_timeout(t0 + Duration::from_secs(1 << 40));
        assert_eq!(bridge.len(), 1);
    }

    #[cfg(feature = "arbitrary")]
    #[test]
    fn arbitrary_inputs_drive_the_bridge_without_panicking() {
        use arbitrary::{Arbitrary, Unstructured};
        let bytes: Vec<u8> = (0..=255u8).cycle().take(8192).collect();
        let mut u = Unstructured::new(&bytes);
        let mut machine = Bridge::default();
        let mut now = SystemClock.now();
        let mut fed = 0;
        while !u.is_empty() {
            let Ok(input) = Input::arbitrary(&mut u) else {
                break;
            };
            let _reply = machine.handle_input(now, input);
            now += Duration::from_millis(7);
            fed += 1;
        }
        assert!(fed > 10, "only {fed} inputs");
    }
}
