//! The crate-wide time contract.
//!
//! liveshell never reads a clock. Every time-dependent method takes `now: Instant` as its first
//! argument after `self`, so the same inputs always give the same outputs and a test can jump
//! straight to a deadline instead of sleeping.
//!
//! * [`Instant`] is an alias for [`std::time::Instant`]; a port to a target without it (such as
//!   `wasm32-unknown-unknown`) changes this one line.
//! * [`Clock`] is for callers who want a default time source: [`SystemClock`] reads the real
//!   monotonic clock (the one sanctioned clock read in the crate), [`ManualClock`] is advanced by
//!   hand in tests and simulations.
//! * Time may stutter: a `now` earlier than a previous one never panics. Machines compare with
//!   [`Instant::saturating_duration_since`], and calling `handle_timeout` before a deadline is a
//!   harmless no-op.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use liveshell::time::{Clock, ManualClock, SystemClock};
//!
//! let clock = ManualClock::new(SystemClock.now());
//! let t0 = clock.now();
//! clock.advance(Duration::from_millis(65));
//! assert_eq!(clock.now() - t0, Duration::from_millis(65));
//! ```

use std::cell::Cell;
use std::time::Duration;

/// The instant type every `now` parameter in liveshell uses.
///
/// An alias for [`std::time::Instant`], kept in one place so a port can swap it.
pub type Instant = std::time::Instant;

/// A source of the current [`Instant`], for callers who want one injected.
///
/// The core API never calls a clock: it takes `now`. A host reads its clock once per event
/// and passes the value in.
pub trait Clock {
    /// Returns the current instant.
    fn now(&self) -> Instant;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Instant {
        (**self).now()
    }
}

/// The operating system's monotonic clock.
///
/// # Examples
///
/// ```
/// use liveshell::time::{Clock, SystemClock};
///
/// let a = SystemClock.now();
/// let b = SystemClock.now();
/// assert!(b >= a);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned clock read in liveshell
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told to, for tests and simulations.
///
/// It starts at a given instant and advances by [`advance`](Self::advance) or jumps with
/// [`set`](Self::set), which may also move it backwards to simulate a stuttering clock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell::time::{Clock, ManualClock, SystemClock};
///
/// let start = SystemClock.now();
/// let clock = ManualClock::new(start);
/// clock.advance(Duration::from_secs(300));
/// assert_eq!(clock.now(), start + Duration::from_secs(300));
/// clock.set(start);
/// assert_eq!(clock.now(), start);
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(Cell<Instant>);

impl ManualClock {
    /// Creates a clock that reads `start` until moved.
    #[must_use]
    pub fn new(start: Instant) -> Self {
        Self(Cell::new(start))
    }

    /// Moves the clock forward by `by`.
    ///
    /// # Panics
    ///
    /// Panics if the new instant cannot be represented (an advance of centuries).
    pub fn advance(&self, by: Duration) {
        let next = self
            .0
            .get()
            .checked_add(by)
            .expect("ManualClock::advance: the instant overflowed");
        self.0.set(next);
    }

    /// Sets the clock to `now`, forwards or backwards.
    pub fn set(&self, now: Instant) {
        self.0.set(now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.0.get()
    }
}

/// The timer half of every timed machine's drive loop, the same contract for each.
///
/// [`IntentPrefetch`](crate::prefetch::IntentPrefetch), the fetch coordinator,
/// [`MountBatcher`](crate::mount_batch::MountBatcher) and the reconnect
/// [`Bridge`](crate::reconnect::Bridge) implement it, so a host (or a test) drives any of them
/// with one loop:
///
/// 1. Feed an input with the machine's `handle_*(now, …)`.
/// 2. Drain every `poll_*` output until it returns `None`, and perform the I/O it asks for.
/// 3. Wait for the next input or for [`poll_timeout`](Self::poll_timeout), whichever comes
///    first; at the deadline call [`handle_timeout`](Self::handle_timeout), then go to 2.
pub trait Timed {
    /// When [`handle_timeout`](Self::handle_timeout) should next be called, if ever.
    #[must_use]
    fn poll_timeout(&self) -> Option<Instant>;

    /// Applies every deadline at or before `now`. Calling it early is a harmless no-op.
    fn handle_timeout(&mut self, now: Instant);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_reads_what_it_was_given_and_moves_only_when_told() {
        let start = SystemClock.now();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_millis(64));
        clock.advance(Duration::from_millis(1));
        assert_eq!(clock.now(), start + Duration::from_millis(65));
    }

    #[test]
    fn clock_works_through_a_reference() {
        fn read(c: impl Clock) -> Instant {
            c.now()
        }
        let clock = ManualClock::new(SystemClock.now());
        assert_eq!(read(&clock), clock.now());
    }
}
