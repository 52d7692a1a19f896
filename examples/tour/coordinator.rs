//! The coordinator section of the tour: a hover prefetch and the click that joins it (one
//! fetch), then a cached answer, a personalised response that must not be prefetched again, a
//! failure with back-off, a form POST that drops the entry, and the end of the fresh window.

use std::time::Duration;

use liveshell::coordinator::{
    Coordinator, CoordinatorOptions, FetchOutcome, FetchTicket, Kind, ResponseHead, Start,
};
use liveshell::time::{Clock, Instant, ManualClock, SystemClock};

const SCOPE: &str = "http://localhost:8000/";

fn show(t0: Instant, now: Instant, what: &str, start: &Start) -> Option<FetchTicket> {
    let answer = match start {
        Start::Fetch(ticket) => format!("fetch ({ticket})"),
        Start::Join(waiter) => format!("join ({waiter}, no second request)"),
        Start::Cached => "cached: answer from the store".to_owned(),
        Start::Refused(reason) => format!("refused: {reason}"),
    };
    println!("  t+{:>6?} {what:<44} -> {answer}", now - t0);
    match start {
        Start::Fetch(ticket) => Some(*ticket),
        _ => None,
    }
}

pub(crate) fn tour() {
    let clock = ManualClock::new(SystemClock.now());
    let t0 = clock.now();
    let mut c = Coordinator::new(SCOPE, CoordinatorOptions::default()).expect("valid scope");
    let mut network_requests = 0;

    // The hover prefetch (65 ms after pointer enter) and, 120 ms later, the click.
    clock.advance(Duration::from_millis(65));
    let start = c.request(clock.now(), "/orders/1042/#lines", Kind::Prefetch);
    let ticket = show(
        t0,
        clock.now(),
        "hover prefetch /orders/1042/#lines",
        &start,
    )
    .expect("a new url is fetched");
    network_requests += 1;
    clock.advance(Duration::from_millis(120));
    let start = c.request(clock.now(), "/orders/1042/", Kind::Navigation);
    if show(t0, clock.now(), "click /orders/1042/", &start).is_some() {
        network_requests += 1;
    }
    clock.advance(Duration::from_millis(300));
    let ok = ResponseHead::new(200, [("Cache-Control", "private, max-age=60")]);
    let waiters = c.complete(clock.now(), ticket, FetchOutcome::Response(ok.clone()));
    println!(
        "  t+{:>6?} the prefetch's 200 arrives: {} waiter(s) answered with it ({})",
        clock.now() - t0,
        waiters.len(),
        waiters
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  network requests for /orders/1042/ (hover and click): {network_requests}");

    let start = c.request(clock.now(), "/orders/1042/", Kind::Fetch);
    show(
        t0,
        clock.now(),
        "a script fetches /orders/1042/ again",
        &start,
    );

    // A personalised page: Vary: Cookie with Set-Cookie can never match the next request.
    let start = c.request(clock.now(), "/account/", Kind::Prefetch);
    if let Some(ticket) = show(t0, clock.now(), "hover prefetch /account/", &start) {
        let personal = ResponseHead::new(200, [("Vary", "Cookie"), ("Set-Cookie", "sid=7")]);
        let _ = c.complete(clock.now(), ticket, FetchOutcome::Response(personal));
    }
    while let Some(event) = c.poll_event() {
        println!("           event: {event}");
    }
    let start = c.request(clock.now(), "/account/", Kind::Prefetch);
    show(t0, clock.now(), "hover prefetch /account/ again", &start);

    // A server error: prefetches back off for 30 s, a real request still goes.
    let start = c.request(clock.now(), "/reports/", Kind::Prefetch);
    if let Some(ticket) = show(t0, clock.now(), "hover prefetch /reports/", &start) {
        let _ = c.complete(
            clock.now(),
            ticket,
            FetchOutcome::Response(ResponseHead::new(503, [("", "")])),
        );
    }
    clock.advance(Duration::from_secs(5));
    let start = c.request(clock.now(), "/reports/", Kind::Prefetch);
    show(
        t0,
        clock.now(),
        "hover prefetch /reports/ after its 503",
        &start,
    );
    let start = c.request(clock.now(), "/reports/", Kind::Navigation);
    if let Some(ticket) = show(t0, clock.now(), "click /reports/", &start) {
        let _ = c.complete(clock.now(), ticket, FetchOutcome::Response(ok));
    }

    // A form posts to the order: its cached page is dropped.
    let start = c.request_with_method(clock.now(), "POST", "/orders/1042/", Kind::Navigation);
    if let Some(ticket) = show(t0, clock.now(), "POST /orders/1042/ (a form)", &start) {
        let _ = c.complete(
            clock.now(),
            ticket,
            FetchOutcome::Response(ResponseHead::new(303, [("", "")])),
        );
    }
    while let Some(event) = c.poll_event() {
        println!("           event: {event}");
    }
    let start = c.request(clock.now(), "/orders/1042/", Kind::Navigation);
    if let Some(ticket) = show(t0, clock.now(), "GET /orders/1042/ after the POST", &start) {
        let fresh = ResponseHead::new(200, [("", "")]);
        let _ = c.complete(clock.now(), ticket, FetchOutcome::Response(fresh));
    }

    // Time passes through every deadline: back-off and non-reusable marks end, fresh windows
    // close.
    while let Some(deadline) = c.poll_timeout() {
        clock.advance(deadline.saturating_duration_since(clock.now()));
        c.handle_timeout(clock.now());
        let events: Vec<String> = std::iter::from_fn(|| c.poll_event())
            .map(|e| e.to_string())
            .collect();
        println!(
            "  t+{:>6?} deadline handled; events: [{}]",
            clock.now() - t0,
            events.join("; ")
        );
    }
    let start = c.request(clock.now(), "/reports/", Kind::Prefetch);
    show(
        t0,
        clock.now(),
        "hover prefetch /reports/ once stale",
        &start,
    );
    let start = c.request(clock.now(), "/account/", Kind::Prefetch);
    show(
        t0,
        clock.now(),
        "hover prefetch /account/ a window later",
        &start,
    );
}
