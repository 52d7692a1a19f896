//! Saving a [`Bridge`] (connections, their order, every payload with its age) and restoring it
//! at a later `now`, possibly in another process.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::bridge::{Bridge, BridgeOptions, BridgeStats, Connection, Entry};
use super::buffer::ReplayBuffer;
use super::wire::ConnectionId;
use crate::json::compact_len;
use crate::time::Instant;

/// A saved [`Bridge`], for any serde format: produced by [`Bridge::save`], given to
/// [`Bridge::restore`].
///
/// Connections are kept least recently active first, each with how long it has been idle,
/// its drop count and its payloads oldest first, each with its age at the time of saving (an
/// `Instant` has no meaning outside the process). The counters of [`BridgeStats`] are not saved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SavedBridge {
    connections: Vec<SavedConnection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SavedConnection {
    id: ConnectionId,
    idle: Duration,
    dropped: u64,
    /// `(age, payload)`, oldest first.
    messages: Vec<(Duration, Value)>,
}

impl SavedBridge {
    /// How many payloads the save holds, over all connections.
    #[must_use]
    pub fn messages(&self) -> usize {
        self.connections.iter().map(|c| c.messages.len()).sum()
    }
}

impl Bridge {
    /// Saves every connection and payload with its age at `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use liveshell::reconnect::{Bridge, BridgeOptions, BridgeMessage, SavedBridge};
    /// use liveshell::time::{Clock, SystemClock};
    /// use serde_json::json;
    ///
    /// let t0 = SystemClock.now();
    /// let mut bridge = Bridge::default();
    /// assert!(bridge.handle(t0, BridgeMessage::buffer("dj-1", json!("a"))).is_none());
    /// let one = t0 + Duration::from_secs(1);
    /// assert!(bridge.handle(one, BridgeMessage::buffer("dj-1", json!("b"))).is_none());
    /// let json = serde_json::to_string(&bridge.save(t0 + Duration::from_secs(2)))?;
    ///
    /// // The worker was stopped; a new one reads the save back.
    /// let saved: SavedBridge = serde_json::from_str(&json)?;
    /// let t1 = SystemClock.now() + Duration::from_secs(60);
    /// let mut restored = Bridge::restore(BridgeOptions::default(), t1, saved);
    /// let reply = restored.handle(t1, BridgeMessage::drain("dj-1")).unwrap();
    /// assert_eq!(reply.messages, [json!("a"), json!("b")]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn save(&self, now: Instant) -> SavedBridge {
        let now = self.latest.map_or(now, |latest| latest.max(now));
        SavedBridge {
            connections: self
                .connections
                .iter()
                .rev()
                .map(|(id, c)| SavedConnection {
                    id: id.clone(),
                    idle: now.saturating_duration_since(c.last_active),
                    dropped: c.dropped(),
                    messages: c
                        .buffer
                        .iter()
                        .map(|e| (now.saturating_duration_since(e.at), e.payload.clone()))
                        .collect(),
                })
                .collect(),
        }
    }

    /// Rebuilds a bridge from `saved` at `now` under `options`: each payload's time is `now`
    /// minus its saved age, the connections' order is the saved one.
    ///
    /// The bounds of `options` hold at once: payloads past `max_age`, over `capacity` or over
    /// `max_bytes` are dropped (oldest first) and counted in the connection's drop count,
    /// connections idle past `idle_timeout` or beyond `max_connections` are collected, and a
    /// payload whose age reaches back before the earliest instant the platform can represent is
    /// dropped. A repeated connection id keeps its last entry. Nothing panics, whatever the save
    /// holds.
    #[must_use]
    pub fn restore(options: BridgeOptions, now: Instant, saved: SavedBridge) -> Self {
        let mut bridge = Self::new(options);
        let mut stats = BridgeStats::default();
        let mut restored: Vec<(ConnectionId, Connection)> = Vec::new();
        for saved in saved.connections {
            let Some(last_active) = now.checked_sub(saved.idle) else {
                stats.connections_collected += 1;
                stats.dropped_with_connection += saved.messages.len() as u64;
                continue;
            };
            let mut connection = Connection {
                buffer: ReplayBuffer::new(bridge.capacity()),
                bytes: 0,
                dropped: saved.dropped,
                last_active,
            };
            // Saved oldest first: keep the newest that fit the age bound, the count and the
            // byte budget.
            let mut kept: Vec<Entry> = Vec::new();
            for (age, payload) in saved.messages.into_iter().rev() {
                let size = compact_len(&payload);
                let counter = match now.checked_sub(age) {
                    Some(at) if age <= bridge.max_age() => {
                        if kept.len() >= bridge.capacity().get() {
                            &mut stats.dropped_over_capacity
                        } else if connection.bytes.saturating_add(size) > bridge.max_bytes() {
                            &mut stats.dropped_over_budget
                        } else {
                            connection.bytes += size;
                            kept.push(Entry { at, size, payload });
                            continue;
                        }
                    }
                    _ => &mut stats.dropped_expired,
                };
                *counter += 1;
                connection.dropped = connection.dropped.saturating_add(1);
            }
            for entry in kept.into_iter().rev() {
                // `kept` fits the capacity, so nothing is evicted here.
                let _ = connection.buffer.push(entry);
            }
            restored.retain(|(id, _)| *id != saved.id);
            restored.push((saved.id, connection));
        }
        // Least recently active first (stable: equal times keep the saved order), so the LRU
        // order is the idle order `advance` relies on.
        restored.sort_by_key(|(_, c)| c.last_active);
        let excess = restored
            .len()
            .saturating_sub(bridge.max_connections().get());
        for (i, (id, connection)) in restored.into_iter().enumerate() {
            if i < excess {
                stats.connections_collected += 1;
                stats.dropped_with_connection += connection.buffer.len() as u64;
            } else {
                bridge.connections.push(id, connection);
            }
        }
        bridge.stats = stats;
        bridge.advance(now);
        bridge
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconnect::BridgeMessage;
    use crate::time::{Clock, SystemClock};
    use serde_json::json;
    use std::num::NonZeroUsize;

    fn later() -> Instant {
        SystemClock.now() + Duration::from_secs(3600)
    }

    #[test]
    fn a_save_round_trips_order_ages_and_drop_counts() {
        let t0 = later();
        let mut bridge =
            Bridge::new(BridgeOptions::default().capacity(NonZeroUsize::new(3).unwrap()));
        for (i, id) in ["a", "b", "a", "a", "a"].iter().enumerate() {
            let reply = bridge.handle(
                t0 + Duration::from_secs(i as u64),
                BridgeMessage::buffer(*id, json!(i)),
            );
            assert!(reply.is_none());
        }
        let saved = bridge.save(t0 + Duration::from_secs(10));
        let text = serde_json::to_string(&saved).unwrap();
        let back: SavedBridge = serde_json::from_str(&text).unwrap();
        assert_eq!(back, saved);
        let t1 = later() + Duration::from_secs(100);
        let mut restored = Bridge::restore(
            BridgeOptions::default().capacity(NonZeroUsize::new(3).unwrap()),
            t1,
            back,
        );
        assert_eq!(restored.save(t1), saved);
        let a = restored.handle(t1, BridgeMessage::drain("a")).unwrap();
        assert_eq!(a.messages, [json!(2), json!(3), json!(4)]);
        assert_eq!(a.dropped, 1);
        let b = restored.handle(t1, BridgeMessage::drain("b")).unwrap();
        assert_eq!(b.messages, [json!(1)]);
    }

    #[test]
    fn restore_applies_the_bounds_of_the_new_options() {
        let t0 = later();
        let mut bridge = Bridge::default();
        assert!(
            bridge
                .handle(t0, BridgeMessage::buffer("a", json!("old")))
                .is_none()
        );
        let t200 = t0 + Duration::from_secs(200);
        assert!(
            bridge
                .handle(t200, BridgeMessage::buffer("a", json!("new")))
                .is_none()
        );
        let saved = bridge.save(t0 + Duration::from_secs(250));
        let options = BridgeOptions::default().max_age(Duration::from_secs(100));
        let t1 = later();
        let mut restored = Bridge::restore(options, t1, saved);
        let reply = restored.handle(t1, BridgeMessage::drain("a")).unwrap();
        assert_eq!(reply.messages, [json!("new")]);
        assert_eq!(reply.dropped, 1);
    }

    #[test]
    fn ages_before_the_representable_past_are_dropped_not_panicked_on() {
        let saved: SavedBridge = serde_json::from_value(json!({"connections": [
            {"id": "x", "idle": {"secs": 0, "nanos": 0}, "dropped": 0,
             "messages": [[{"secs": u64::MAX, "nanos": 0}, "lost"], [{"secs": 0, "nanos": 0}, "kept"]]},
            {"id": "y", "idle": {"secs": u64::MAX, "nanos": 0}, "dropped": 0, "messages": []}
        ]}))
        .unwrap();
        let now = later();
        let mut bridge = Bridge::restore(BridgeOptions::default(), now, saved);
        assert_eq!(bridge.len(), 1);
        let reply = bridge.handle(now, BridgeMessage::drain("x")).unwrap();
        assert_eq!(reply.messages, [json!("kept")]);
        assert_eq!(reply.dropped, 1);
    }
}
