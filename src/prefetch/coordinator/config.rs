//! [`CoordinatorConfig`].

use std::num::NonZeroUsize;
use std::time::Duration;

/// The longest span any setting accepts (about one year); longer values are clamped so
/// `now + span` can never overflow.
const MAX_SPAN: Duration = Duration::from_secs(366 * 24 * 3600);

/// Configuration of a [`Coordinator`](super::Coordinator).
///
/// By-value `with_*` setters and same-name getters. Spans are clamped to at most one year.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use liveshell::prefetch::CoordinatorConfig;
///
/// let d = CoordinatorConfig::default();
/// assert_eq!(d.fresh(), Duration::from_secs(300));
/// assert_eq!(d.backoff(), Duration::from_secs(30));
/// assert_eq!(d.backoff_cap(), Duration::from_secs(600));
/// assert_eq!((d.max_entries().get(), d.max_in_flight().get()), (100, 6));
///
/// let c = d.with_max_in_flight(NonZeroUsize::new(2).unwrap());
/// assert_eq!(c.max_in_flight().get(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinatorConfig {
    fresh: Duration,
    backoff: Duration,
    backoff_cap: Duration,
    max_entries: NonZeroUsize,
    max_in_flight: NonZeroUsize,
}

impl Default for CoordinatorConfig {
    /// Fresh window 5 minutes (Chrome's prefetch window), back-off 30 s doubling up to
    /// 10 minutes, 100 entries, 6 fetches in flight (a browser's per-host connection limit).
    fn default() -> Self {
        Self {
            fresh: Duration::from_secs(300),
            backoff: Duration::from_secs(30),
            backoff_cap: Duration::from_secs(600),
            max_entries: NonZeroUsize::new(100).expect("100 is not zero"),
            max_in_flight: NonZeroUsize::new(6).expect("6 is not zero"),
        }
    }
}

impl CoordinatorConfig {
    /// How long a reusable response answers requests ([`Start::Cached`](super::Start::Cached))
    /// after its fetch completed; also how long prefetches of a non-reusable URL are refused.
    #[must_use]
    pub fn with_fresh(mut self, fresh: Duration) -> Self {
        self.fresh = fresh.min(MAX_SPAN);
        self
    }

    /// The back-off after the first failure; it doubles with each consecutive failure.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff.min(MAX_SPAN);
        self
    }

    /// The longest back-off.
    #[must_use]
    pub fn with_backoff_cap(mut self, cap: Duration) -> Self {
        self.backoff_cap = cap.min(MAX_SPAN);
        self
    }

    /// How many URLs the coordinator remembers (least recently used dropped first). Fetches
    /// in flight are not counted and never dropped.
    #[must_use]
    pub const fn with_max_entries(mut self, max: NonZeroUsize) -> Self {
        self.max_entries = max;
        self
    }

    /// How many fetches may be in flight before prefetches are refused
    /// ([`RefuseReason::Busy`](super::RefuseReason::Busy)); real requests go beyond it.
    #[must_use]
    pub const fn with_max_in_flight(mut self, max: NonZeroUsize) -> Self {
        self.max_in_flight = max;
        self
    }

    /// The fresh window.
    #[must_use]
    pub const fn fresh(&self) -> Duration {
        self.fresh
    }

    /// The first back-off.
    #[must_use]
    pub const fn backoff(&self) -> Duration {
        self.backoff
    }

    /// The back-off cap.
    #[must_use]
    pub const fn backoff_cap(&self) -> Duration {
        self.backoff_cap
    }

    /// The entry cap.
    #[must_use]
    pub const fn max_entries(&self) -> NonZeroUsize {
        self.max_entries
    }

    /// The in-flight cap for prefetches.
    #[must_use]
    pub const fn max_in_flight(&self) -> NonZeroUsize {
        self.max_in_flight
    }

    /// The back-off after `failures` consecutive failures (at least 1):
    /// `backoff · 2^(failures-1)`, at most `backoff_cap`.
    pub(crate) fn backoff_after(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.backoff
            .saturating_mul(1 << doublings)
            .min(self.backoff_cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let c = CoordinatorConfig::default();
        let secs: Vec<u64> = (1..=7).map(|n| c.backoff_after(n).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(c.backoff_after(u32::MAX).as_secs(), 600);
    }

    #[test]
    fn spans_are_clamped() {
        let c = CoordinatorConfig::default()
            .with_fresh(Duration::MAX)
            .with_backoff(Duration::MAX);
        assert_eq!(c.fresh(), MAX_SPAN);
        assert_eq!(c.backoff_after(40), c.backoff_cap());
    }
}
