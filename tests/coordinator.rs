//! Integration tests of the prefetch `Coordinator` over the public API: the scenarios
//! (Qwik's "Avoiding Duplicate Requests", the instant.page `Vary: Cookie` trap), composition
//! with `IntentPrefetch`, and a model-based proptest that drives the same harness as the
//! `coordinator` fuzz target (`fuzz/src/coordinator.rs`) with random sequences of requests,
//! completions, time steps (forward and back), timeouts, invalidations and clears.

mod common;

#[allow(dead_code, unreachable_pub)] // the fuzz body's `run` and tables are not all used here
#[path = "../fuzz/src/coordinator.rs"]
mod harness;

use std::time::Duration;

use common::t0;
use harness::{Harness, Op, Outcome};
use liveshell::coordinator::{
    Coordinator, CoordinatorEvent, CoordinatorOptions, FetchOutcome, Kind, NotReusable,
    RefuseReason, ResponseHead, Start,
};
use liveshell::prefetch::{Action, IntentPrefetch, LinkId, PrefetchOptions, Transports};
use liveshell::time::{Clock, ManualClock};
use proptest::collection::vec;
use proptest::prelude::*;

const SCOPE: &str = "https://shop.example/";

fn coordinator() -> Coordinator {
    Coordinator::new(SCOPE, CoordinatorOptions::default()).expect("a valid scope")
}

fn response(status: u16, headers: &[(&str, &str)]) -> FetchOutcome {
    FetchOutcome::Response(ResponseHead::new(status, headers))
}

#[test]
fn qwik_slow_prefetch_and_the_click_one_second_later_make_one_request() {
    // Seed 003: the prefetch takes two seconds; after one second the user clicks.
    let clock = ManualClock::new(t0());
    let mut c = coordinator();
    let Start::Fetch(ticket) = c.request(clock.now(), "/build/q-abc.js", Kind::Prefetch) else {
        panic!("the first request fetches")
    };
    clock.advance(Duration::from_secs(1));
    let Start::Join(click) = c.request(clock.now(), "/build/q-abc.js", Kind::Fetch) else {
        panic!("the click joins the prefetch in flight")
    };
    clock.advance(Duration::from_secs(1));
    let head = ResponseHead::new(
        200,
        [("Cache-Control", "public, max-age=31536000, immutable")],
    );
    assert_eq!(
        c.complete(clock.now(), ticket, FetchOutcome::Response(head)),
        vec![click]
    );
    assert_eq!(
        c.request(clock.now(), "/build/q-abc.js", Kind::Fetch),
        Start::Cached
    );
    assert_eq!(c.poll_event(), None);
}

#[test]
fn instant_page_vary_cookie_with_set_cookie_is_shared_once_then_never_prefetched_again() {
    let t0 = t0();
    let mut c = coordinator();
    let Start::Fetch(ticket) = c.request(t0, "/account/", Kind::Prefetch) else {
        panic!()
    };
    let Start::Join(click) = c.request(t0, "/account/", Kind::Navigation) else {
        panic!()
    };
    let outcome = response(
        200,
        &[("Vary", "Accept-Encoding, Cookie"), ("Set-Cookie", "sid=2")],
    );
    assert_eq!(
        c.complete(t0, ticket, outcome),
        vec![click],
        "the click still gets it"
    );
    let key = c.key("/account/").expect("same origin");
    assert_eq!(
        c.poll_event(),
        Some(CoordinatorEvent::NotReusable {
            url: key,
            reason: NotReusable::VaryCookieWithSetCookie
        })
    );
    assert!(matches!(
        c.request(t0, "/account/", Kind::Prefetch),
        Start::Refused(RefuseReason::NotReusable { .. })
    ));
    assert!(matches!(
        c.request(t0, "/account/", Kind::Navigation),
        Start::Fetch(_)
    ));
}

#[test]
fn intent_prefetch_fetches_go_through_the_coordinator() {
    let clock = ManualClock::new(t0());
    let config = PrefetchOptions::default().transports(Transports::none().with_fetch(true));
    let mut intent = IntentPrefetch::new("https://shop.example/", config).expect("valid page");
    let mut c = coordinator();
    intent.handle_pointer_enter(clock.now(), LinkId(1), "/orders/#latest", Some(""));
    clock.advance(Duration::from_millis(65));
    intent.handle_timeout(clock.now());
    let Some(Action::StartFetch { url, .. }) = intent.poll_action() else {
        panic!("the hover starts a fetch")
    };
    let Start::Fetch(ticket) = c.request(clock.now(), url.as_str(), Kind::Prefetch) else {
        panic!("the coordinator lets it fetch")
    };
    clock.advance(Duration::from_millis(100));
    let Start::Join(click) = c.request(clock.now(), "/orders/", Kind::Navigation) else {
        panic!("the click joins")
    };
    let waiters = c.complete(clock.now(), ticket, response(200, &[]));
    assert_eq!(waiters, vec![click]);
    assert_eq!(c.in_flight(), 0);
}

#[test]
fn an_unknown_ticket_from_another_coordinator_is_a_no_op() {
    let t0 = t0();
    let mut a = coordinator();
    let mut b = coordinator();
    let Start::Fetch(from_a) = a.request(t0, "/x", Kind::Fetch) else {
        panic!()
    };
    assert!(a.complete(t0, from_a, response(200, &[])).is_empty());
    assert_eq!(b.complete(t0, from_a, FetchOutcome::NetworkError), vec![]);
    assert!(b.is_empty());
}

/// Hrefs for `Op::RequestRaw`: keys shared with the fixed table, and hostile ones.
fn raw_href() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/a#raw".to_owned()),
        Just("https://shop.example/b".to_owned()),
        Just("//evil.example/a".to_owned()),
        "[a-c/#?:.%@]{0,8}",
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        1 => Just(Outcome::Network),
        1 => Just(Outcome::Aborted),
        6 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<bool>(), proptest::option::of(("[a-z]{1,4}", "[ -~]{0,6}")))
            .prop_map(|(status, cache_control, vary, set_cookie, extra)| Outcome::Response {
                status, cache_control, vary, set_cookie, extra
            }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(url, method, kind)| Op::Request { url, method, kind }),
        1 => (raw_href(), any::<u8>()).prop_map(|(href, kind)| Op::RequestRaw { href, kind }),
        6 => (any::<u8>(), outcome()).prop_map(|(ticket, outcome)| Op::Complete { ticket, outcome }),
        3 => (0u32..40_000).prop_map(|ms| Op::Advance { ms }),
        1 => (0u16..5_000).prop_map(|ms| Op::Back { ms }),
        1 => Just(Op::Timeout),
        2 => Just(Op::Deadline),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(url, kind)| Op::Jump { url, kind }),
        1 => any::<u8>().prop_map(|url| Op::Invalidate { url }),
        1 => Just(Op::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every answer and event matches the model; never two joinable fetches for one key;
    /// every waiter answered exactly once; caps held; no non-reusable response `Cached`;
    /// no deadline early or late.
    #[test]
    fn coordinator_matches_the_model(
        max_entries in any::<u8>(),
        max_in_flight in any::<u8>(),
        fresh_ms in 1u16..30_000,
        backoff_ms in 1u16..20_000,
        ops in vec(op(), 0..200),
    ) {
        let mut h = Harness::new(max_entries, max_in_flight, fresh_ms, backoff_ms);
        for op in &ops {
            h.step(op);
        }
        h.finish();
    }
}

/// A `Cache-Control` directive: a name, and a token or quoted-string value (which may itself
/// contain `no-store` and commas, escaped quotes included).
fn directive() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        Just("no-store"),
        Just("No-Store"),
        Just("no-cache"),
        Just("max-age"),
        Just("private"),
        Just("x-no-store"),
    ];
    let value = prop_oneof![
        Just(String::new()),
        Just("=60".to_owned()),
        Just("=\"no-store, x\"".to_owned()),
        Just("=\"a\\\", no-store\"".to_owned()),
    ];
    (name, value).prop_map(|(n, v)| (n.to_owned(), v))
}

proptest! {
    /// `no-store` is found exactly when one directive's name is `no-store` (any case), never
    /// inside a quoted value, a longer name, or another header line's neighbour.
    #[test]
    fn no_store_is_found_exactly_as_a_directive_name(
        lines in vec(vec((directive(), "[ \t]{0,2}"), 0..5), 0..3),
    ) {
        let expected = lines
            .iter()
            .flatten()
            .any(|((name, _), _)| name.eq_ignore_ascii_case("no-store"));
        let headers: Vec<(&str, String)> = lines
            .iter()
            .map(|line| {
                let value = line
                    .iter()
                    .map(|((name, value), space)| format!("{space}{name}{value}{space}"))
                    .collect::<Vec<_>>()
                    .join(",");
                ("cache-control", value)
            })
            .collect();
        let verdict = ResponseHead::new(200, headers).reusability();
        prop_assert_eq!(verdict == Err(NotReusable::NoStore), expected);
        prop_assert!(verdict.is_ok() || verdict == Err(NotReusable::NoStore));
    }
}

#[test]
fn the_shared_drive_loop_runs_the_coordinator_through_its_timed_impl() {
    let t0 = t0();
    let mut c = coordinator();
    let Start::Fetch(ticket) = c.request(t0, "/a", Kind::Prefetch) else {
        panic!("the first request fetches")
    };
    assert!(c.complete(t0, ticket, response(200, &[])).is_empty());
    let mut expired = Vec::new();
    common::drive(&mut c, t0 + Duration::from_secs(301), |c, at| {
        expired.extend(std::iter::from_fn(|| c.poll_event()).map(|e| (e, at)));
    });
    let url = c.key("/a").expect("same origin");
    assert_eq!(
        expired,
        [(
            CoordinatorEvent::Expired { url },
            t0 + Duration::from_secs(300)
        )]
    );
}
