//! A tour of liveshell: one realistic page and a scripted sequence of events, and what each
//! module decides about them.
//!
//! Run it with `cargo run --example tour`. Everything runs on a simulated clock, so the output is
//! the same on every run.

mod cache;
mod coordinator;
mod main_only;
mod mount_batch;
mod prefetch;
mod reconnect;
mod shell;
mod snapshot;

/// The page every section of the tour works on.
const PAGE: &str = include_str!("page.html");

fn main() {
    println!("liveshell tour: one page, a simulated clock, and what each module decides\n");
    println!(
        "page: {} bytes, {} lines, a <main id=\"content\"> with two lazy views",
        PAGE.len(),
        PAGE.lines().count()
    );
    println!("every clock below is a ManualClock: times are printed relative to its start");

    // First load: the server splits the page, and later navigations fetch only <main>.
    section("shell");
    shell::tour(PAGE);
    section("main_only");
    main_only::tour(PAGE);

    // The user hovers and clicks: prefetch, and one fetch per URL.
    section("prefetch");
    prefetch::tour(PAGE);
    section("coordinator");
    coordinator::tour();

    // The socket drops and comes back: buffered events replay once.
    section("reconnect");
    reconnect::tour();

    // Back/forward: the snapshot cache and the state snapshot.
    section("cache");
    cache::tour(PAGE);
    section("snapshot");
    // A wall-clock stamp as the browser would send it; only ages relative to it are printed.
    snapshot::tour(1_763_700_000_000);

    // Lazy views hydrate: one mount_batch frame.
    section("mount_batch");
    mount_batch::tour(PAGE);
}

fn section(name: &str) {
    println!("\n== {name} ==");
}
