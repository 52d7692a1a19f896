//! `Outbox`: the client's sequence stamps and unacknowledged messages.

use std::num::NonZeroUsize;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::buffer::{DEFAULT_CAPACITY, ReplayBuffer};

/// A message stamped by an [`Outbox`]: `{"clientId": .., "seq": .., "payload": ..}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Stamped<T> {
    /// The sending client.
    pub client_id: String,
    /// The message's number from that client, starting at 1.
    pub seq: u64,
    /// The message itself.
    pub payload: T,
}

/// The client half of idempotent replay: stamps each outgoing message with
/// `(client_id, seq)` and keeps it until the server acknowledges it.
///
/// Send [`push`](Self::push)'s result; after a reconnect, resend everything in
/// [`pending`](Self::pending), oldest first, and let the server's
/// [`ReplayGuard`](super::ReplayGuard) drop what it already has. When the server reports its
/// contiguous high-water mark ([`ReplayGuard::acked`](super::ReplayGuard::acked)), pass it to
/// [`ack`](Self::ack). This is acknowledge-then-delete, where djust's drain deletes first.
///
/// At most `capacity` messages wait (default 50); beyond that the oldest is dropped and
/// counted in [`dropped`](Self::dropped). The outbox serializes with serde and restores to the
/// same state, so it can outlive a worker restart.
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{Outbox, ReplayGuard};
///
/// let mut outbox = Outbox::new("tab-1");
/// let mut guard = ReplayGuard::default();
/// let first = outbox.push("click").clone();
/// assert_eq!((first.client_id.as_str(), first.seq), ("tab-1", 1));
/// assert!(guard.check(&first.client_id, first.seq).is_fresh());
/// outbox.push("type");
/// // The socket dropped; on reconnect everything pending is resent.
/// let fresh: Vec<_> = outbox.pending().filter(|m| guard.check(&m.client_id, m.seq).is_fresh()).map(|m| m.payload).collect();
/// assert_eq!(fresh, ["type"]);
/// assert_eq!(outbox.ack(guard.acked("tab-1").unwrap()), 2);
/// assert!(outbox.is_empty());
///
/// let saved = serde_json::to_string(&outbox)?;
/// assert_eq!(serde_json::from_str::<Outbox<&str>>(&saved)?, outbox);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outbox<T> {
    client_id: String,
    next_seq: u64,
    pending: ReplayBuffer<Stamped<T>>,
}

impl<T> Outbox<T> {
    /// An empty outbox for `client_id` holding up to 50 unacknowledged messages.
    #[must_use]
    pub fn new(client_id: impl Into<String>) -> Self {
        Self::with_capacity(client_id, DEFAULT_CAPACITY)
    }

    /// An empty outbox for `client_id` holding up to `capacity` unacknowledged messages.
    #[must_use]
    pub fn with_capacity(client_id: impl Into<String>, capacity: NonZeroUsize) -> Self {
        Self {
            client_id: client_id.into(),
            next_seq: 1,
            pending: ReplayBuffer::new(capacity),
        }
    }

    /// Stamps `payload` with the next sequence number, keeps it until acknowledged, and
    /// returns it for sending.
    pub fn push(&mut self, payload: T) -> &Stamped<T> {
        let stamped = Stamped {
            client_id: self.client_id.clone(),
            seq: self.next_seq,
            payload,
        };
        self.next_seq = self.next_seq.saturating_add(1);
        // Past `capacity` the oldest unacknowledged message goes; `dropped` counts it.
        let _evicted = self.pending.push(stamped);
        self.pending
            .back()
            .expect("the message was pushed just above")
    }

    /// Forgets every pending message numbered `seq` or lower; returns how many.
    pub fn ack(&mut self, seq: u64) -> usize {
        let mut acked = 0;
        while self.pending.front().is_some_and(|m| m.seq <= seq) {
            self.pending.pop();
            acked += 1;
        }
        acked
    }

    /// The unacknowledged messages, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &Stamped<T>> + '_ {
        self.pending.iter()
    }

    /// This outbox's client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The number the next [`push`](Self::push) stamps.
    #[must_use]
    pub const fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// How many messages wait for acknowledgement.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing waits for acknowledgement.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// How many unacknowledged messages were dropped because `capacity` were already waiting.
    #[must_use]
    pub const fn dropped(&self) -> u64 {
        self.pending.dropped()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Saved<T> {
    client_id: String,
    next_seq: u64,
    pending: ReplayBuffer<Stamped<T>>,
}

/// Restores a saved outbox, rejecting one whose pending messages belong to another client, are
/// not numbered in increasing order, or are not below `nextSeq`.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Outbox<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = Saved::<T>::deserialize(deserializer)?;
        let mut previous = 0;
        for message in saved.pending.iter() {
            if message.client_id != saved.client_id {
                return Err(D::Error::custom(format_args!(
                    "pending message {} belongs to client `{}`, not `{}`",
                    message.seq, message.client_id, saved.client_id
                )));
            }
            if message.seq <= previous || message.seq >= saved.next_seq {
                return Err(D::Error::custom(format_args!(
                    "pending message {} is out of order (after {previous}, next is {})",
                    message.seq, saved.next_seq
                )));
            }
            previous = message.seq;
        }
        Ok(Self {
            client_id: saved.client_id,
            next_seq: saved.next_seq,
            pending: saved.pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_outbox_drops_the_oldest_unacknowledged() {
        let mut outbox = Outbox::with_capacity("c", NonZeroUsize::new(2).unwrap());
        for p in ["a", "b", "c"] {
            outbox.push(p);
        }
        assert_eq!(outbox.dropped(), 1);
        let seqs: Vec<u64> = outbox.pending().map(|m| m.seq).collect();
        assert_eq!(seqs, [2, 3]);
        assert_eq!(outbox.next_seq(), 4);
    }

    #[test]
    fn ack_is_cumulative_and_ignores_old_numbers() {
        let mut outbox = Outbox::new("c");
        for p in 0..5 {
            outbox.push(p);
        }
        assert_eq!(outbox.ack(3), 3);
        assert_eq!(outbox.ack(2), 0);
        assert_eq!(
            outbox.pending().map(|m| m.payload).collect::<Vec<_>>(),
            [3, 4]
        );
    }

    #[test]
    fn restore_rejects_inconsistent_state() {
        let bad = [
            r#"{"clientId":"c","nextSeq":2,"pending":{"capacity":5,"items":[{"clientId":"x","seq":1,"payload":0}]}}"#,
            r#"{"clientId":"c","nextSeq":2,"pending":{"capacity":5,"items":[{"clientId":"c","seq":2,"payload":0}]}}"#,
            r#"{"clientId":"c","nextSeq":9,"pending":{"capacity":5,"items":[{"clientId":"c","seq":3,"payload":0},{"clientId":"c","seq":3,"payload":0}]}}"#,
        ];
        for json in bad {
            assert!(serde_json::from_str::<Outbox<u8>>(json).is_err(), "{json}");
        }
    }
}
