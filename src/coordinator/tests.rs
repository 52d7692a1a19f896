//! Unit tests for the coordinator, one group per rule.

use std::num::NonZeroUsize;
use std::time::Duration;

use super::*;
use crate::prefetch::GuardError;
use crate::time::{Clock, SystemClock};

const SCOPE: &str = "https://shop.example/";

fn coordinator(options: CoordinatorOptions) -> Coordinator {
    Coordinator::new(SCOPE, options).expect("a valid scope")
}

fn ok() -> FetchOutcome {
    FetchOutcome::Response(ResponseHead::new(200, [("content-type", "text/html")]))
}

fn head(status: u16, headers: &[(&str, &str)]) -> FetchOutcome {
    FetchOutcome::Response(ResponseHead::new(status, headers))
}

fn fetch(c: &mut Coordinator, now: Instant, url: &str, kind: Kind) -> FetchTicket {
    match c.request(now, url, kind) {
        Start::Fetch(ticket) => ticket,
        other => panic!("expected a fetch of {url}, got {other:?}"),
    }
}

fn join(c: &mut Coordinator, now: Instant, url: &str, kind: Kind) -> Waiter {
    match c.request(now, url, kind) {
        Start::Join(waiter) => waiter,
        other => panic!("expected a join on {url}, got {other:?}"),
    }
}

fn events(c: &mut Coordinator) -> Vec<CoordinatorEvent> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// Rule 1: one fetch per key.

#[test]
fn prefetch_and_click_share_one_fetch_and_every_waiter_is_returned() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/a", Kind::Prefetch);
    let w1 = join(&mut c, t0, "/a#x", Kind::Navigation);
    let w2 = join(&mut c, t0, "https://shop.example/a", Kind::Fetch);
    let w3 = join(&mut c, t0, "/a", Kind::Prefetch);
    assert_eq!(c.in_flight(), 1);
    assert_eq!(c.state(t0, "/a"), Some(EntryState::InFlight));
    assert_eq!(w3.kind(), Kind::Prefetch);
    assert_eq!(c.complete(t0, ticket, ok()), vec![w1, w2, w3]);
    assert_eq!(c.in_flight(), 0);
}

#[test]
fn a_failed_fetch_returns_every_waiter_with_the_failure() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/a", Kind::Prefetch);
    let w = join(&mut c, t0, "/a", Kind::Navigation);
    assert_eq!(c.complete(t0, ticket, FetchOutcome::NetworkError), vec![w]);
    let aborted = fetch(&mut c, t0, "/b", Kind::Fetch);
    let w = join(&mut c, t0, "/b", Kind::Navigation);
    assert_eq!(c.complete(t0, aborted, FetchOutcome::Aborted), vec![w]);
    assert_eq!(c.state(t0, "/b"), None, "an abort records nothing");
}

#[test]
fn completing_a_ticket_twice_is_a_typed_error_and_a_no_op() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/a", Kind::Navigation);
    assert_eq!(c.try_complete(t0, ticket, ok()), Ok(vec![]));
    assert_eq!(
        c.try_complete(t0, ticket, FetchOutcome::NetworkError),
        Err(CoordinatorError::UnknownTicket { ticket })
    );
    assert_eq!(c.complete(t0, ticket, FetchOutcome::NetworkError), vec![]);
    assert!(matches!(c.state(t0, "/a"), Some(EntryState::Fresh { .. })));
}

// Rule 2: reusable responses only.

#[test]
fn only_a_reusable_response_answers_cached() {
    let t0 = SystemClock.now();
    let cases: &[(&str, FetchOutcome, Option<NotReusable>)] = &[
        ("/ok", ok(), None),
        ("/404", head(404, &[]), Some(NotReusable::Status(404))),
        ("/304", head(304, &[]), Some(NotReusable::Status(304))),
        (
            "/ns",
            head(200, &[("Cache-Control", "private, No-Store")]),
            Some(NotReusable::NoStore),
        ),
        (
            "/vs",
            head(200, &[("vary", "*")]),
            Some(NotReusable::VaryStar),
        ),
        (
            "/vc",
            head(200, &[("Vary", "Cookie"), ("Set-Cookie", "sid=1")]),
            Some(NotReusable::VaryCookieWithSetCookie),
        ),
        ("/vc-no-set", head(200, &[("Vary", "Cookie")]), None),
    ];
    for (url, outcome, verdict) in cases {
        let mut c = coordinator(CoordinatorOptions::default());
        let ticket = fetch(&mut c, t0, url, Kind::Prefetch);
        assert!(c.complete(t0, ticket, outcome.clone()).is_empty());
        let again = c.request(t0 + secs(1), url, Kind::Navigation);
        match verdict {
            None => assert_eq!(again, Start::Cached, "{url}"),
            Some(reason) => {
                assert!(matches!(again, Start::Fetch(_)), "{url}: {again:?}");
                let key = c.key(url).expect("same origin");
                assert_eq!(
                    events(&mut c),
                    [CoordinatorEvent::NotReusable {
                        url: key,
                        reason: *reason
                    }],
                    "{url}"
                );
            }
        }
    }
}

#[test]
fn a_non_reusable_prefetch_result_stops_prefetches_for_one_fresh_window() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/p", Kind::Prefetch);
    assert!(
        c.complete(t0, ticket, head(200, &[("Cache-Control", "no-store")]))
            .is_empty()
    );
    let until = t0 + secs(300);
    assert_eq!(
        c.request(t0 + secs(299), "/p", Kind::Prefetch),
        Start::Refused(RefuseReason::NotReusable {
            reason: NotReusable::NoStore,
            until
        })
    );
    assert_eq!(c.poll_timeout(), Some(until));
    c.handle_timeout(until);
    assert_eq!(c.state(until, "/p"), None);
    assert!(matches!(
        c.request(until, "/p", Kind::Prefetch),
        Start::Fetch(_)
    ));
}

#[test]
fn a_non_reusable_result_of_real_requests_only_is_not_reported() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/r", Kind::Navigation);
    assert!(
        c.complete(t0, ticket, head(200, &[("Vary", "*")]))
            .is_empty()
    );
    assert_eq!(events(&mut c), []);
}

// Rule 3: lifecycle.

#[test]
fn fresh_turns_stale_exactly_at_the_end_of_the_window() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/a", Kind::Prefetch);
    assert!(c.complete(t0, ticket, ok()).is_empty());
    let until = t0 + secs(300);
    assert_eq!(c.state(t0, "/a"), Some(EntryState::Fresh { until }));
    assert_eq!(c.poll_timeout(), Some(until));
    c.handle_timeout(until - Duration::from_nanos(1));
    assert_eq!(events(&mut c), [], "early timeout is a no-op");
    assert_eq!(
        c.request(until - Duration::from_nanos(1), "/a", Kind::Fetch),
        Start::Cached
    );
    c.handle_timeout(until);
    let key = c.key("/a").expect("same origin");
    assert_eq!(events(&mut c), [CoordinatorEvent::Expired { url: key }]);
    assert_eq!(c.state(until, "/a"), Some(EntryState::Stale));
    assert_eq!(c.poll_timeout(), None);
    assert!(matches!(
        c.request(until, "/a", Kind::Prefetch),
        Start::Fetch(_)
    ));
}

#[test]
fn a_fresh_window_ends_even_without_handle_timeout() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/a", Kind::Fetch);
    assert!(c.complete(t0, ticket, ok()).is_empty());
    assert!(matches!(
        c.request(t0 + secs(300), "/a", Kind::Fetch),
        Start::Fetch(_)
    ));
    assert_eq!(
        c.poll_timeout(),
        None,
        "the refetch took the old deadline along"
    );
}

#[test]
fn failures_back_off_doubling_and_only_prefetches_wait() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let mut now = t0;
    for (n, backoff) in [(1, 30), (2, 60), (3, 120)] {
        let ticket = fetch(&mut c, now, "/f", Kind::Prefetch);
        assert!(c.complete(now, ticket, head(503, &[])).is_empty());
        let until = now + secs(backoff);
        assert_eq!(
            c.state(now, "/f"),
            Some(EntryState::Failed { until, failures: n })
        );
        assert_eq!(
            c.request(until - Duration::from_millis(1), "/f", Kind::Prefetch),
            Start::Refused(RefuseReason::Backoff { until })
        );
        now = until;
    }
    let ticket = fetch(&mut c, t0, "/f", Kind::Navigation);
    assert!(c.complete(t0, ticket, ok()).is_empty());
    assert!(
        matches!(c.state(t0, "/f"), Some(EntryState::Fresh { .. })),
        "success resets"
    );
}

#[test]
fn backoff_timer_disarms_without_forgetting_the_failure_count() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/f", Kind::Prefetch);
    assert!(
        c.complete(t0, ticket, FetchOutcome::NetworkError)
            .is_empty()
    );
    assert_eq!(c.poll_timeout(), Some(t0 + secs(30)));
    c.handle_timeout(t0 + secs(30));
    assert_eq!(c.poll_timeout(), None);
    let ticket = fetch(&mut c, t0 + secs(30), "/f", Kind::Prefetch);
    assert!(c.complete(t0 + secs(30), ticket, head(429, &[])).is_empty());
    assert_eq!(
        c.state(t0 + secs(30), "/f"),
        Some(EntryState::Failed {
            until: t0 + secs(90),
            failures: 2
        })
    );
}

#[test]
fn invalidate_drops_the_entry_and_detaches_a_fetch_in_flight() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let done = fetch(&mut c, t0, "/a", Kind::Prefetch);
    assert!(c.complete(t0, done, ok()).is_empty());
    assert!(c.invalidate(t0, "/a#frag"));
    assert!(!c.invalidate(t0, "/a"));
    assert!(!c.invalidate(t0, "https://evil.example/a"));

    let old = fetch(&mut c, t0, "/a", Kind::Prefetch);
    let w_old = join(&mut c, t0, "/a", Kind::Navigation);
    assert!(c.invalidate(t0, "/a"));
    let new = fetch(&mut c, t0, "/a", Kind::Navigation);
    let w_new = join(&mut c, t0, "/a", Kind::Fetch);
    assert_eq!(c.complete(t0, old, ok()), vec![w_old]);
    assert_eq!(
        c.state(t0, "/a"),
        Some(EntryState::InFlight),
        "the old response is not recorded"
    );
    assert_eq!(c.complete(t0, new, ok()), vec![w_new]);
    assert_eq!(c.request(t0, "/a", Kind::Fetch), Start::Cached);
}

#[test]
fn an_unsafe_method_drops_the_entry_and_passes_through() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/cart", Kind::Fetch);
    assert!(c.complete(t0, ticket, ok()).is_empty());
    let Start::Fetch(head_req) = c.request_with_method(t0, "HEAD", "/cart", Kind::Fetch) else {
        panic!("a HEAD passes through")
    };
    assert_eq!(
        c.request(t0, "/cart", Kind::Fetch),
        Start::Cached,
        "HEAD is safe"
    );
    let Start::Fetch(post) = c.request_with_method(t0, "POST", "/cart", Kind::Navigation) else {
        panic!("a POST passes through")
    };
    let key = c.key("/cart").expect("same origin");
    assert_eq!(events(&mut c), [CoordinatorEvent::Invalidated { url: key }]);
    assert_eq!(c.state(t0, "/cart"), None);
    assert!(matches!(
        c.request_with_method(t0, "POST", "/cart", Kind::Fetch),
        Start::Fetch(_)
    ));
    assert_eq!(events(&mut c), [], "nothing left to invalidate");
    assert_eq!(
        c.request_with_method(t0, "POST", "/cart", Kind::Prefetch),
        Start::Refused(RefuseReason::Method)
    );
    assert_eq!(c.complete(t0, post, ok()), vec![]);
    assert_eq!(c.complete(t0, head_req, ok()), vec![]);
    assert_eq!(c.state(t0, "/cart"), None, "a pass-through records nothing");
}

#[test]
fn time_going_backwards_never_panics_or_fires() {
    let t0 = SystemClock.now() + secs(3600);
    let mut c = coordinator(CoordinatorOptions::default());
    let ticket = fetch(&mut c, t0, "/a", Kind::Prefetch);
    assert!(
        c.complete(t0, ticket, FetchOutcome::NetworkError)
            .is_empty()
    );
    let ticket = fetch(&mut c, t0 - secs(60), "/b", Kind::Navigation);
    assert!(c.complete(t0 - secs(60), ticket, ok()).is_empty());
    c.handle_timeout(t0 - secs(3000));
    assert_eq!(events(&mut c), []);
    assert_eq!(c.request(t0 - secs(3000), "/b", Kind::Fetch), Start::Cached);
    assert!(matches!(
        c.request(t0 - secs(3000), "/a", Kind::Prefetch),
        Start::Refused(RefuseReason::Backoff { .. })
    ));
}

// Rule 4: bounds.

#[test]
fn prefetches_beyond_the_in_flight_cap_are_busy_and_real_requests_are_not() {
    let t0 = SystemClock.now();
    let mut c =
        coordinator(CoordinatorOptions::default().max_in_flight(NonZeroUsize::new(2).expect("2")));
    let a = fetch(&mut c, t0, "/a", Kind::Prefetch);
    fetch(&mut c, t0, "/b", Kind::Prefetch);
    assert_eq!(
        c.request(t0, "/c", Kind::Prefetch),
        Start::Refused(RefuseReason::Busy)
    );
    let joined = join(&mut c, t0, "/a", Kind::Prefetch);
    fetch(&mut c, t0, "/c", Kind::Navigation);
    fetch(&mut c, t0, "https://cdn.example/x.js", Kind::Fetch);
    assert_eq!(c.in_flight(), 4);
    assert_eq!(c.complete(t0, a, ok()), [joined]);
    assert_eq!(
        c.request(t0, "/a", Kind::Prefetch),
        Start::Cached,
        "cached is not busy"
    );
    assert_eq!(
        c.request(t0, "/d", Kind::Prefetch),
        Start::Refused(RefuseReason::Busy)
    );
}

#[test]
fn the_least_recently_used_entry_is_evicted_and_reported() {
    let t0 = SystemClock.now();
    let mut c =
        coordinator(CoordinatorOptions::default().max_entries(NonZeroUsize::new(2).expect("2")));
    for url in ["/a", "/b"] {
        let t = fetch(&mut c, t0, url, Kind::Prefetch);
        assert!(c.complete(t0, t, ok()).is_empty());
    }
    assert_eq!(
        c.request(t0, "/a", Kind::Fetch),
        Start::Cached,
        "touches /a"
    );
    let t = fetch(&mut c, t0, "/c", Kind::Prefetch);
    assert!(c.complete(t0, t, ok()).is_empty());
    let key = c.key("/b").expect("same origin");
    assert_eq!(events(&mut c), [CoordinatorEvent::Evicted { url: key }]);
    assert_eq!(c.len(), 2);
    assert_eq!(c.state(t0, "/b"), None);
    assert_eq!(c.poll_timeout(), Some(t0 + secs(300)));
}

#[test]
fn fetches_in_flight_are_never_evicted_and_keep_their_waiters() {
    let t0 = SystemClock.now();
    let mut c =
        coordinator(CoordinatorOptions::default().max_entries(NonZeroUsize::new(1).expect("1")));
    let slow = fetch(&mut c, t0, "/slow", Kind::Prefetch);
    let w = join(&mut c, t0, "/slow", Kind::Navigation);
    for url in ["/a", "/b", "/c"] {
        let t = fetch(&mut c, t0, url, Kind::Fetch);
        assert!(c.complete(t0, t, ok()).is_empty());
    }
    assert_eq!(c.state(t0, "/slow"), Some(EntryState::InFlight));
    assert_eq!(c.complete(t0, slow, ok()), vec![w]);
    assert_eq!(c.len(), 1);
}

#[test]
fn clear_forgets_entries_but_answers_waiters_in_flight() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    let a = fetch(&mut c, t0, "/a", Kind::Fetch);
    assert!(c.complete(t0, a, ok()).is_empty());
    let b = fetch(&mut c, t0, "/b", Kind::Prefetch);
    let w = join(&mut c, t0, "/b", Kind::Navigation);
    c.clear(t0);
    assert!(c.is_empty());
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.in_flight(), 1);
    assert!(matches!(c.request(t0, "/a", Kind::Fetch), Start::Fetch(_)));
    assert_eq!(c.complete(t0, b, ok()), vec![w]);
}

// URLs the coordinator does not coordinate.

#[test]
fn a_disallowed_url_refuses_a_prefetch_and_passes_a_real_request_through() {
    let t0 = SystemClock.now();
    let mut c = coordinator(CoordinatorOptions::default());
    assert!(matches!(
        c.request(t0, "https://evil.example/", Kind::Prefetch),
        Start::Refused(RefuseReason::Url(GuardError::CrossOrigin { .. }))
    ));
    assert!(matches!(
        c.request(t0, "http://[", Kind::Prefetch),
        Start::Refused(RefuseReason::Url(GuardError::Unparseable { .. }))
    ));
    let one = fetch(&mut c, t0, "https://cdn.example/app.js", Kind::Fetch);
    let two = fetch(&mut c, t0, "https://cdn.example/app.js", Kind::Fetch);
    assert_ne!(one, two, "pass-through fetches are never joined");
    fetch(&mut c, t0, "http://[", Kind::Navigation);
    assert_eq!(c.complete(t0, one, ok()), vec![]);
    assert_eq!(
        c.request(t0, "https://cdn.example/app.js", Kind::Prefetch),
        Start::Refused(RefuseReason::Url(GuardError::CrossOrigin {
            origin: "https://cdn.example".into()
        }))
    );
    assert!(c.is_empty());
}

#[test]
fn a_bad_scope_is_a_typed_error() {
    let config = CoordinatorOptions::default();
    assert!(matches!(
        Coordinator::new("not a url", config.clone()),
        Err(CoordinatorError::ScopeUrl { .. })
    ));
    assert_eq!(
        Coordinator::new("data:text/html,x", config).unwrap_err(),
        CoordinatorError::ScopeScheme {
            scheme: "data".into()
        }
    );
}

#[test]
fn public_types_are_send_and_sync_and_small() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Coordinator>();
    assert_send_sync::<Start>();
    assert_send_sync::<CoordinatorEvent>();
    assert!(size_of::<Waiter>() <= 16);
    assert!(size_of::<Start>() <= 96);
}
