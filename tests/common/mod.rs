//! Shared test helpers: the one clock read of the tests, duration shorthands, and a bounded drive
//! loop over any [`Timed`] machine (quinn's `Pair::drive_bounded`, str0m's `progress`).
//!
//! Each integration test that uses it says `mod common;`; not every test uses every helper.
#![allow(dead_code)]

use std::time::Duration;

use liveshell::time::{Instant, Timed};

/// The start of a test's timeline: the one `Instant::now()` in the tests. Every later instant is
/// `t0 + Duration` arithmetic, so no test sleeps or depends on the real clock.
#[allow(clippy::disallowed_methods)] // the one clock read of the tests; everything else is t0 + Δ
pub fn t0() -> Instant {
    std::time::Instant::now()
}

/// `n` milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `n` seconds.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// How many deadlines [`drive`] fires before it calls the machine stuck.
const MAX_STEPS: usize = 10_000;

/// Jumps `now` from deadline to deadline of `machine`, calling `handle_timeout` at each, until the
/// next deadline is after `until` or there is none; returns the last `now` (`until` if no deadline
/// fired later). `after_each` runs after every `handle_timeout`, to drain the machine's outputs.
///
/// # Panics
///
/// After [`MAX_STEPS`] deadlines: a machine that keeps re-arming a deadline at or before `now`
/// would otherwise loop forever.
pub fn drive<M: Timed>(
    machine: &mut M,
    until: Instant,
    mut after_each: impl FnMut(&mut M, Instant),
) -> Instant {
    let mut now = None;
    for _ in 0..MAX_STEPS {
        match machine.poll_timeout() {
            Some(deadline) if deadline <= until => {
                let at = now.map_or(deadline, |n: Instant| n.max(deadline));
                machine.handle_timeout(at);
                after_each(machine, at);
                now = Some(at);
            }
            _ => return until,
        }
    }
    panic!("the machine re-armed a due deadline {MAX_STEPS} times without progress");
}
