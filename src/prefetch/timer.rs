//! The hover timers table: one deadline per link, earliest first.

use std::collections::{BTreeSet, HashMap};

use super::event::LinkId;
use crate::time::Instant;

/// Pending hover deadlines.
///
/// A machine has one timer kind (the hover delay) but one instance per hovered link, so the
/// table is a set ordered by `(deadline, link)` plus an index by link; `next` is the minimum.
#[derive(Debug, Default, Clone)]
pub(crate) struct HoverTimers {
    by_deadline: BTreeSet<(Instant, LinkId)>,
    by_link: HashMap<LinkId, Instant>,
}

impl HoverTimers {
    /// Arms `link`'s timer unless it is already armed; returns whether it armed it.
    pub(crate) fn arm(&mut self, link: LinkId, deadline: Instant) -> bool {
        if self.by_link.contains_key(&link) {
            return false;
        }
        self.by_link.insert(link, deadline);
        self.by_deadline.insert((deadline, link));
        true
    }

    /// Cancels `link`'s timer; returns whether one was armed.
    pub(crate) fn cancel(&mut self, link: LinkId) -> bool {
        match self.by_link.remove(&link) {
            Some(deadline) => self.by_deadline.remove(&(deadline, link)),
            None => false,
        }
    }

    /// Whether `link` has a pending timer.
    pub(crate) fn is_armed(&self, link: LinkId) -> bool {
        self.by_link.contains_key(&link)
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.by_deadline.first().map(|&(deadline, _)| deadline)
    }

    /// Removes and returns the earliest link whose deadline is at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<LinkId> {
        let &(deadline, link) = self.by_deadline.first()?;
        if deadline > now {
            return None;
        }
        self.by_deadline.pop_first();
        self.by_link.remove(&link);
        Some(link)
    }

    /// Removes every timer, returning the links in deadline order.
    pub(crate) fn drain(&mut self) -> Vec<LinkId> {
        self.by_link.clear();
        std::mem::take(&mut self.by_deadline)
            .into_iter()
            .map(|(_, link)| link)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, SystemClock};
    use std::time::Duration;

    #[test]
    fn due_timers_pop_in_deadline_order_and_never_early() {
        let t0 = SystemClock.now();
        let mut timers = HoverTimers::default();
        assert!(timers.arm(LinkId(2), t0 + Duration::from_millis(20)));
        assert!(timers.arm(LinkId(1), t0 + Duration::from_millis(10)));
        assert!(!timers.arm(LinkId(1), t0 + Duration::from_millis(5)));
        assert_eq!(timers.next(), Some(t0 + Duration::from_millis(10)));
        assert_eq!(timers.pop_due(t0 + Duration::from_millis(9)), None);
        assert_eq!(
            timers.pop_due(t0 + Duration::from_millis(30)),
            Some(LinkId(1))
        );
        assert!(timers.cancel(LinkId(2)));
        assert!(!timers.is_armed(LinkId(2)));
        assert_eq!(timers.next(), None);
    }
}
