//! [`CoordinatorOptions`].

use std::num::NonZeroUsize;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::OptionsError;
use crate::options::check_duration;

/// The longest span any option accepts (about one year), so `now + span` cannot overflow for
/// any `now` a host can reach.
const MAX_SPAN: Duration = Duration::from_secs(366 * 24 * 3600);

/// Options of a [`Coordinator`](super::Coordinator).
///
/// The fields are public to read; set them with the consuming setters named for them.
/// [`Coordinator::new`](super::Coordinator::new) checks them with [`validate`](Self::validate).
/// In an options file every field is optional and spans are in seconds.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use liveshell::coordinator::CoordinatorOptions;
///
/// let d = CoordinatorOptions::default();
/// assert_eq!(d.fresh, Duration::from_secs(300));
/// assert_eq!(d.backoff, Duration::from_secs(30));
/// assert_eq!(d.backoff_cap, Duration::from_secs(600));
/// assert_eq!((d.max_entries.get(), d.max_in_flight.get()), (100, 6));
///
/// let c = d.max_in_flight(NonZeroUsize::new(2).unwrap());
/// assert_eq!(c.max_in_flight.get(), 2);
///
/// let from_file: CoordinatorOptions = serde_json::from_str(r#"{"fresh": 60}"#).unwrap();
/// assert_eq!(from_file.fresh, Duration::from_secs(60));
/// assert_eq!(from_file.backoff, Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CoordinatorOptions {
    /// How long a reusable response answers requests ([`Start::Cached`](super::Start::Cached))
    /// after its fetch completed; also how long prefetches of a non-reusable URL are refused
    /// (default 5 minutes, Chrome's prefetch window; at most 366 days).
    #[serde(with = "crate::options::seconds")]
    pub fresh: Duration,
    /// The back-off after the first failure; it doubles with each consecutive failure
    /// (default 30 s; at most 366 days).
    #[serde(with = "crate::options::seconds")]
    pub backoff: Duration,
    /// The longest back-off (default 10 minutes; at most 366 days).
    #[serde(with = "crate::options::seconds")]
    pub backoff_cap: Duration,
    /// How many URLs the coordinator remembers, least recently used dropped first (default
    /// 100). Fetches in flight are not counted and never dropped.
    pub max_entries: NonZeroUsize,
    /// How many fetches may be in flight before prefetches are refused
    /// ([`RefuseReason::Busy`](super::RefuseReason::Busy)); real requests go beyond it
    /// (default 6, a browser's per-host connection limit).
    pub max_in_flight: NonZeroUsize,
}

impl Default for CoordinatorOptions {
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

impl CoordinatorOptions {
    /// Sets [`fresh`](Self#structfield.fresh).
    #[must_use]
    pub const fn fresh(mut self, fresh: Duration) -> Self {
        self.fresh = fresh;
        self
    }

    /// Sets [`backoff`](Self#structfield.backoff).
    #[must_use]
    pub const fn backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets [`backoff_cap`](Self#structfield.backoff_cap).
    #[must_use]
    pub const fn backoff_cap(mut self, backoff_cap: Duration) -> Self {
        self.backoff_cap = backoff_cap;
        self
    }

    /// Sets [`max_entries`](Self#structfield.max_entries).
    #[must_use]
    pub const fn max_entries(mut self, max_entries: NonZeroUsize) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets [`max_in_flight`](Self#structfield.max_in_flight).
    #[must_use]
    pub const fn max_in_flight(mut self, max_in_flight: NonZeroUsize) -> Self {
        self.max_in_flight = max_in_flight;
        self
    }

    /// Checks every option against its range.
    ///
    /// # Errors
    ///
    /// [`OptionsError::OutOfRange`] for a span over 366 days.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use liveshell::OptionsError;
    /// use liveshell::coordinator::CoordinatorOptions;
    ///
    /// assert_eq!(CoordinatorOptions::default().validate(), Ok(()));
    /// let forever = CoordinatorOptions::default().fresh(Duration::MAX);
    /// assert!(matches!(forever.validate(), Err(OptionsError::OutOfRange { option: "fresh", .. })));
    /// ```
    pub fn validate(&self) -> Result<(), OptionsError> {
        for (option, span) in [
            ("fresh", self.fresh),
            ("backoff", self.backoff),
            ("backoff_cap", self.backoff_cap),
        ] {
            check_duration(option, span, Duration::ZERO..=MAX_SPAN, "0 s..=366 days")?;
        }
        Ok(())
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
        let c = CoordinatorOptions::default();
        let secs: Vec<u64> = (1..=7).map(|n| c.backoff_after(n).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(c.backoff_after(u32::MAX).as_secs(), 600);
    }

    #[test]
    fn spans_past_a_year_are_refused_by_validate_not_by_the_setters() {
        let c = CoordinatorOptions::default()
            .fresh(Duration::MAX)
            .backoff(Duration::MAX);
        assert_eq!(c.fresh, Duration::MAX, "setters never validate");
        assert!(matches!(
            c.validate(),
            Err(OptionsError::OutOfRange {
                option: "fresh",
                ..
            })
        ));
        assert!(
            CoordinatorOptions::default()
                .fresh(MAX_SPAN)
                .validate()
                .is_ok()
        );
        let huge_backoff = CoordinatorOptions::default().backoff(Duration::MAX);
        assert_eq!(huge_backoff.backoff_after(40), huge_backoff.backoff_cap);
    }
}
