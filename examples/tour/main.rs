//! A tour of liveshell: one realistic page and a scripted sequence of events, and what each
//! module decides about them.
//!
//! Run it with `cargo run --example tour`. Everything runs on a simulated clock, so the output is
//! the same on every run.

mod shell;

use std::time::Duration;

use liveshell::diagnostics::{Diagnostic, Severity};
use liveshell::time::{Clock, ManualClock, SystemClock};

/// The page every section of the tour works on.
const PAGE: &str = include_str!("page.html");

fn main() {
    println!("liveshell tour: one page, one simulated clock, every module's decisions\n");
    println!(
        "page: {} bytes, {} lines, a <main id=\"content\"> with two lazy views",
        PAGE.len(),
        PAGE.lines().count()
    );

    section("time");
    let clock = ManualClock::new(SystemClock.now());
    let t0 = clock.now();
    clock.advance(Duration::from_millis(65));
    println!(
        "a manual clock advanced by hand: now = t0 + {:?}; no module ever reads a clock itself",
        clock.now() - t0
    );

    section("diagnostics");
    let example = Diagnostic::new(
        "djust.C301",
        Severity::Error,
        "DJUST_VDOM_CACHE_TTL must be between 1 and 86400 seconds, got 0",
    )
    .with_hint("set it to how long a cached page may be shown, e.g. 300");
    println!("configuration checks report in djust's form:\n  {example}");

    section("shell");
    shell::tour(PAGE);
}

fn section(name: &str) {
    println!("\n== {name} ==");
}
