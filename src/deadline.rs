//! The one deadline set type of the timed machines: at most one deadline per key, earliest first.
//!
//! A machine's `poll_timeout` is [`Deadlines::next`], and its `handle_timeout(now)` pops every
//! [`Deadlines::pop_due`] key. Both indexes are ordered maps, so iteration is deterministic and no
//! hashing seed is read.

use std::collections::{BTreeMap, BTreeSet};

use crate::time::Instant;

/// Pending deadlines, one per key, ordered by `(deadline, key)`.
#[derive(Debug, Clone)]
pub(crate) struct Deadlines<K> {
    by_deadline: BTreeSet<(Instant, K)>,
    by_key: BTreeMap<K, Instant>,
}

impl<K> Default for Deadlines<K> {
    fn default() -> Self {
        Self {
            by_deadline: BTreeSet::new(),
            by_key: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone> Deadlines<K> {
    /// Arms `key` at `deadline` unless it is already armed; returns whether it armed it.
    pub(crate) fn arm(&mut self, key: K, deadline: Instant) -> bool {
        if self.by_key.contains_key(&key) {
            return false;
        }
        self.by_deadline.insert((deadline, key.clone()));
        self.by_key.insert(key, deadline);
        true
    }

    /// Cancels `key`'s deadline; returns it if one was armed.
    pub(crate) fn cancel(&mut self, key: &K) -> Option<Instant> {
        let deadline = self.by_key.remove(key)?;
        self.by_deadline.remove(&(deadline, key.clone()));
        Some(deadline)
    }

    /// Whether `key` has a pending deadline.
    pub(crate) fn is_armed(&self, key: &K) -> bool {
        self.by_key.contains_key(key)
    }

    /// The earliest deadline, the machine's `poll_timeout`.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.by_deadline.first().map(|(deadline, _)| *deadline)
    }

    /// Removes and returns the earliest key whose deadline is at or before `now`, with it.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(K, Instant)> {
        if self.next()? > now {
            return None;
        }
        let (deadline, key) = self.by_deadline.pop_first()?;
        self.by_key.remove(&key);
        Some((key, deadline))
    }

    /// Removes every deadline.
    pub(crate) fn clear(&mut self) {
        self.by_key.clear();
        self.by_deadline.clear();
    }

    /// Removes every deadline, returning the keys in deadline order.
    pub(crate) fn drain(&mut self) -> Vec<K> {
        self.by_key.clear();
        std::mem::take(&mut self.by_deadline)
            .into_iter()
            .map(|(_, key)| key)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, SystemClock};
    use std::time::Duration;

    #[test]
    fn due_deadlines_pop_in_order_and_never_early() {
        let t0 = SystemClock.now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut set = Deadlines::default();
        assert!(set.arm(2, ms(20)));
        assert!(set.arm(1, ms(10)));
        assert!(!set.arm(1, ms(5)), "an armed key keeps its deadline");
        assert_eq!(set.next(), Some(ms(10)));
        assert_eq!(set.pop_due(ms(9)), None);
        assert_eq!(set.pop_due(ms(30)), Some((1, ms(10))));
        assert_eq!(set.cancel(&2), Some(ms(20)));
        assert!(!set.is_armed(&2));
        assert_eq!(set.next(), None);
    }

    #[test]
    fn clear_forgets_every_deadline() {
        let t0 = SystemClock.now();
        let mut set = Deadlines::default();
        set.arm("a", t0);
        set.arm("b", t0 + Duration::from_secs(1));
        set.clear();
        assert_eq!(set.next(), None);
        assert!(!set.is_armed(&"a"));
        assert!(set.arm("a", t0), "a cleared key can be armed again");
    }

    #[test]
    fn equal_deadlines_pop_in_key_order() {
        let t0 = SystemClock.now();
        let mut set = Deadlines::default();
        set.arm(3, t0);
        set.arm(1, t0);
        set.arm(2, t0);
        let popped: Vec<_> = std::iter::from_fn(|| set.pop_due(t0).map(|(k, _)| k)).collect();
        assert_eq!(popped, [1, 2, 3]);
    }
}
