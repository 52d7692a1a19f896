//! Whether a snapshot is recent enough to restore, from timestamps the host passes in.

use std::time::Duration;

use super::SnapshotOptions;

/// The default longest age a snapshot may have and still be restored: 5 minutes.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5 * 60);

/// The default allowance for a capture time stamped ahead of `now` (clock skew): 5 seconds.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(5);

/// The verdict of [`is_fresh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Freshness {
    /// Restore it. A capture time within the skew allowance ahead of `now` has age zero.
    Fresh {
        /// How long ago it was captured.
        age: Duration,
    },
    /// Too old: fall back to `mount()`.
    Stale {
        /// How long ago it was captured, more than the options' `max_age`.
        age: Duration,
    },
    /// Stamped further in the future than the skew allowance: fall back to `mount()`.
    FromTheFuture {
        /// How far ahead of `now` the capture time is.
        ahead: Duration,
    },
}

impl Freshness {
    /// Whether the snapshot may be restored.
    #[must_use]
    pub const fn is_fresh(self) -> bool {
        matches!(self, Self::Fresh { .. })
    }
}

/// Judges a snapshot captured at `captured_at_ms` at the time `now_ms`, both wall-clock epoch
/// milliseconds (as the browser stamps them; passed in, never read).
///
/// Fresh while `now - captured <=` [`max_age`](SnapshotOptions::max_age); a capture time ahead
/// of `now` by at most [`max_skew`](SnapshotOptions::max_skew) is fresh with age zero, further
/// ahead it is [`Freshness::FromTheFuture`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell::snapshot::{Freshness, SnapshotOptions, is_fresh};
///
/// let options = SnapshotOptions::default();
/// let captured = 1_700_000_000_000;
/// assert!(is_fresh(captured, captured + 300_000, &options).is_fresh());
/// assert_eq!(
///     is_fresh(captured, captured + 300_001, &options),
///     Freshness::Stale { age: Duration::from_millis(300_001) }
/// );
/// assert!(is_fresh(captured + 5_000, captured, &options).is_fresh());
/// assert!(!is_fresh(captured + 5_001, captured, &options).is_fresh());
/// ```
#[must_use]
pub fn is_fresh(captured_at_ms: u64, now_ms: u64, options: &SnapshotOptions) -> Freshness {
    match now_ms.checked_sub(captured_at_ms) {
        Some(age) => {
            let age = Duration::from_millis(age);
            if age <= options.max_age {
                Freshness::Fresh { age }
            } else {
                Freshness::Stale { age }
            }
        }
        None => {
            let ahead = Duration::from_millis(captured_at_ms - now_ms);
            if ahead <= options.max_skew {
                Freshness::Fresh {
                    age: Duration::ZERO,
                }
            } else {
                Freshness::FromTheFuture { ahead }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let p = SnapshotOptions::default();
        assert_eq!(
            is_fresh(0, u64::MAX, &p),
            Freshness::Stale {
                age: Duration::from_millis(u64::MAX)
            }
        );
        assert_eq!(
            is_fresh(u64::MAX, 0, &p),
            Freshness::FromTheFuture {
                ahead: Duration::from_millis(u64::MAX)
            }
        );
    }

    #[test]
    fn zero_max_age_accepts_only_the_same_millisecond() {
        let p = SnapshotOptions::default()
            .max_age(Duration::ZERO)
            .max_skew(Duration::ZERO);
        assert!(is_fresh(10, 10, &p).is_fresh());
        assert!(!is_fresh(10, 11, &p).is_fresh());
        assert!(!is_fresh(11, 10, &p).is_fresh());
    }
}
