//! The service worker's decisions (`liveshell::worker`), message by message against djust
//! 1.2.6's `service-worker.js`, and each of liveshell's improvements.

mod common;

use std::time::Duration;

use common::secs;
use liveshell::reconnect::{Source, SourceKind};
use liveshell::time::Instant;
use liveshell::worker::{
    FetchDecision, FetchRequest, Handled, MainOnlyStart, Part, PathPattern, Refused, ShellAction,
    StoredResponse, Worker, WorkerOptions,
};
use serde_json::{Value, json};

const SCOPE: &str = "http://127.0.0.1:8000/";
const ORIGIN: Option<&str> = Some("http://127.0.0.1:8000");
const T: f64 = 1_700_000_000_000.0;

/// A year after the test's start: a restored worker re-bases its ages below `now`, so `now`
/// needs room below it (the `sw/` host offsets its clock the same way).
fn t0() -> Instant {
    common::t0() + secs(365 * 24 * 3600)
}

fn worker() -> Worker {
    Worker::new(SCOPE, WorkerOptions::default()).unwrap()
}

fn page() -> Source<'static> {
    Source::window("http://127.0.0.1:8000/cart/")
}

fn send(w: &mut Worker, now: Instant, unix_ms: f64, msg: Value) -> Result<Handled, Refused> {
    w.handle_message(now, unix_ms, ORIGIN, Some(&page()), &msg.to_string())
}

/// Posts a message that must be accepted without a reply (a store, a config, a clear).
fn post(w: &mut Worker, now: Instant, unix_ms: f64, msg: Value) {
    let handled = send(w, now, unix_ms, msg).expect("accepted");
    assert!(handled.reply.is_none());
}

fn reply(w: &mut Worker, now: Instant, unix_ms: f64, msg: Value) -> Value {
    let handled = send(w, now, unix_ms, msg).expect("accepted");
    serde_json::to_value(handled.reply.expect("a reply")).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Messages and replies
// ---------------------------------------------------------------------------------------------

#[test]
fn buffer_and_drain_reply_in_djusts_shape() {
    let (mut w, now) = (worker(), t0());
    for p in ["a", "b"] {
        let h = send(
            &mut w,
            now,
            T,
            json!({"type": "DJUST_BUFFER", "connectionId": "dj-1", "payload": p}),
        )
        .unwrap();
        assert!(h.reply.is_none());
        assert!(h.dirty.bridge);
    }
    assert_eq!(
        reply(
            &mut w,
            now,
            T,
            json!({"type": "DJUST_DRAIN", "connectionId": "dj-1"})
        ),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "dj-1", "messages": ["a", "b"]})
    );
    assert_eq!(
        reply(&mut w, now, T, json!({"type": "DJUST_DRAIN"})),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "default", "messages": []})
    );
}

#[test]
fn vdom_cache_hit_stale_and_miss_replies() {
    let (mut w, now) = (worker(), t0());
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CACHE", "url": "/a?x=1", "html": "<p>a</p>", "version": 3, "ts": T}),
    );
    assert_eq!(
        reply(
            &mut w,
            now,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "requestId": "vdom-1", "url": "/a?x=1"})
        ),
        json!({"type": "VDOM_CACHE_REPLY", "requestId": "vdom-1", "hit": true, "stale": false,
               "html": "<p>a</p>", "version": 3, "ts": T})
    );
    // djust's default lifetime, 1800 s, inclusive.
    let edge = now + Duration::from_secs(1800);
    assert_eq!(
        reply(
            &mut w,
            edge,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "requestId": 2, "url": "/a?x=1"})
        )["hit"],
        true
    );
    let past = edge + Duration::from_millis(1);
    assert_eq!(
        reply(
            &mut w,
            past,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "requestId": 3, "url": "/a?x=1"})
        ),
        json!({"type": "VDOM_CACHE_REPLY", "requestId": 3, "hit": false, "stale": true,
               "html": null, "version": null, "ts": T})
    );
    assert_eq!(
        reply(
            &mut w,
            past,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "url": "/a?x=1"})
        ),
        json!({"type": "VDOM_CACHE_REPLY", "requestId": null, "hit": false, "stale": false,
               "html": null, "version": null, "ts": 0})
    );
}

#[test]
fn vdom_defaults_version_and_ts_and_obeys_vdom_config() {
    let (mut w, now) = (worker(), t0());
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CACHE", "url": "/b", "html": "x", "version": "7"}),
    );
    let r = reply(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CACHE_LOOKUP", "requestId": "r", "url": "/b"}),
    );
    assert_eq!(
        (r["version"].clone(), r["ts"].clone()),
        (json!(0), json!(T))
    );
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CONFIG", "ttl_seconds": 10.9, "max_entries": 1}),
    );
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CACHE", "url": "/c", "html": "y"}),
    );
    // The cap of 1 evicted /b; the 10 s lifetime applies to /c.
    assert_eq!(
        reply(
            &mut w,
            now,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "url": "/b"})
        )["hit"],
        false
    );
    let later = now + Duration::from_secs(11);
    assert_eq!(
        reply(
            &mut w,
            later,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "url": "/c"})
        )["stale"],
        true
    );
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CACHE", "url": "/d", "html": "z"}),
    );
    post(&mut w, now, T, json!({"type": "DJUST_CLEAR_VDOM_CACHE"}));
    assert_eq!(
        reply(
            &mut w,
            now,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "url": "/d"})
        )["hit"],
        false
    );
}

#[test]
fn state_snapshot_expires_on_read_like_djust_1_2_6() {
    let (mut w, now) = (worker(), t0());
    let store = |w: &mut Worker, ts: f64| {
        post(
            w,
            now,
            T,
            json!({"type": "STATE_SNAPSHOT", "url": "/s", "view_slug": "counter",
                               "state_json": "{\"count\":7}", "ts": ts}),
        );
    };
    let lookup = |w: &mut Worker, unix_ms: f64, max_age: Value| {
        reply(
            w,
            now,
            unix_ms,
            json!({"type": "STATE_SNAPSHOT_LOOKUP", "requestId": "s-1", "url": "/s", "max_age_seconds": max_age}),
        )
    };
    store(&mut w, T);
    // Default 3600 s when max_age_seconds is missing, 0, negative or not a number; equal is fresh.
    for bad in [Value::Null, json!(0), json!(-5), json!("60")] {
        assert_eq!(
            lookup(&mut w, T + 3_600_000.0, bad),
            json!({"type": "STATE_SNAPSHOT_REPLY", "requestId": "s-1", "hit": true,
                   "view_slug": "counter", "state_json": "{\"count\":7}", "ts": T})
        );
    }
    // One millisecond past: a miss, and the entry is deleted (a later lookup with a longer
    // max age misses too).
    let expired = send(
        &mut w,
        now,
        T + 3_600_001.0,
        json!({"type": "STATE_SNAPSHOT_LOOKUP", "requestId": "s-2", "url": "/s"}),
    )
    .unwrap();
    assert!(expired.dirty.state);
    assert_eq!(
        serde_json::to_value(expired.reply.unwrap()).unwrap(),
        json!({"type": "STATE_SNAPSHOT_REPLY", "requestId": "s-2", "hit": false, "view_slug": null, "state_json": null, "ts": 0})
    );
    assert_eq!(lookup(&mut w, T, json!(1e9))["hit"], false);
    // Fractional seconds are honoured; a future ts is fresh.
    store(&mut w, T);
    assert_eq!(lookup(&mut w, T + 500.0, json!(0.5))["hit"], true);
    assert_eq!(lookup(&mut w, T + 501.0, json!(0.5))["hit"], false);
    store(&mut w, T + 1e9);
    assert_eq!(lookup(&mut w, T, json!(1))["hit"], true);
    post(&mut w, now, T, json!({"type": "DJUST_CLEAR_STATE_CACHE"}));
    assert_eq!(lookup(&mut w, T, json!(1))["hit"], false);
}

#[test]
fn state_snapshots_must_be_strict_json_under_the_byte_cap() {
    let (mut w, now) = (worker(), t0());
    let snap = |state: &str| json!({"type": "STATE_SNAPSHOT", "url": "/s", "state_json": state});
    assert!(matches!(
        send(&mut w, now, T, snap("not json")),
        Err(Refused::State(_))
    ));
    assert!(matches!(
        send(&mut w, now, T, snap(r#"{"a":1,"a":2}"#)),
        Err(Refused::State(_))
    ));
    assert!(matches!(
        send(&mut w, now, T, snap("[1]")),
        Err(Refused::State(_))
    ));
    // 256 KiB of UTF-8, where djust counts UTF-16 units: 100,000 "é" are 200,000 bytes (fit),
    // 140,000 are 280,000 bytes (refused although djust's 140,000 units would fit).
    let fits = format!("{{\"a\":\"{}\"}}", "é".repeat(100_000));
    assert!(send(&mut w, now, T, snap(&fits)).is_ok());
    let over = format!("{{\"a\":\"{}\"}}", "é".repeat(140_000));
    assert!(matches!(
        send(&mut w, now, T, snap(&over)),
        Err(Refused::State(_))
    ));
}

#[test]
fn bad_messages_are_refused_never_thrown() {
    let (mut w, now) = (worker(), t0());
    for (data, expected) in [
        ("null", "message is not an object"),
        ("\"DJUST_DRAIN\"", "message is not an object"),
        ("{}", "message has no type"),
        (r#"{"type":"EVAL"}"#, "unknown message type"),
        (
            r#"{"type":"VDOM_CACHE","url":"/a","html":5}"#,
            "VDOM_CACHE: `html` is not a string",
        ),
        (
            r#"{"type":"VDOM_CACHE","url":7,"html":"x"}"#,
            "VDOM_CACHE: `url` is not a non-empty string",
        ),
        (
            r#"{"type":"VDOM_CACHE","url":"https://evil.example/a","html":"x"}"#,
            "VDOM_CACHE: url outside the worker's origin or unusable",
        ),
        (
            r#"{"type":"PREFETCH"}"#,
            "PREFETCH: `url` is not a non-empty string",
        ),
        (
            "{",
            "message is not json: EOF while parsing an object at line 1 column 1",
        ),
    ] {
        let got = w
            .handle_message(now, T, ORIGIN, Some(&page()), data)
            .unwrap_err();
        assert_eq!(got.to_string(), expected, "{data}");
    }
    // Lookups with a bad url still answer (with a miss), as djust's do.
    assert_eq!(
        reply(
            &mut w,
            now,
            T,
            json!({"type": "VDOM_CACHE_LOOKUP", "requestId": 1, "url": 5})
        )["hit"],
        false
    );
}

#[test]
fn the_gate_takes_only_same_origin_windows_in_scope() {
    let (mut w, now) = (worker(), t0());
    let drain = r#"{"type":"DJUST_DRAIN"}"#;
    let evil = Source::window("http://127.0.0.1:8000.evil.example/");
    let worker_src = Source::new(SourceKind::Worker, Some("http://127.0.0.1:8000/w.js"));
    for (origin, source) in [
        (Some("http://evil.example"), Some(page())),
        (None, Some(page())),
        (ORIGIN, None),
        (ORIGIN, Some(worker_src)),
        (ORIGIN, Some(evil)),
    ] {
        assert!(matches!(
            w.handle_message(now, T, origin, source.as_ref(), drain),
            Err(Refused::Gate(_))
        ));
    }
    assert!(
        w.handle_message(now, T, ORIGIN, Some(&page()), drain)
            .is_ok()
    );
}

// ---------------------------------------------------------------------------------------------
// Navigations: the shell
// ---------------------------------------------------------------------------------------------

const HTML: &[(&str, &str)] = &[
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", "999"),
    ("Set-Cookie", "a=1"),
];

fn nav<'a>(url: &'a str, headers: &'a [(&'a str, &'a str)]) -> FetchRequest<'a> {
    FetchRequest {
        url,
        method: "GET",
        mode: "navigate",
        headers,
    }
}

fn page_html(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title><script>let s = \"</main>\";</script></head>\
         <body><main-nav>menu</main-nav><main id=\"content\" class=\"wide\"><h1>{title}</h1></main></body></html>"
    )
}

/// A first navigation, from the network, that caches the shell.
fn first_load(w: &mut Worker, now: Instant) -> String {
    assert_eq!(
        w.handle_fetch(now, &nav("http://127.0.0.1:8000/a/", &[])),
        FetchDecision::Network
    );
    let ShellAction::Store { html, headers } = w.handle_navigation_response(
        now,
        "http://127.0.0.1:8000/a/",
        200,
        HTML,
        Some(&page_html("A")),
    ) else {
        panic!("the first page with a main gives a shell")
    };
    assert_eq!(
        headers,
        [
            (
                "Content-Type".to_owned(),
                "text/html; charset=utf-8".to_owned()
            ),
            ("X-Djust-Shell-Cached".to_owned(), "1".to_owned())
        ]
    );
    html
}

#[test]
fn the_shell_is_split_by_the_parser_keeping_mains_attributes() {
    let (mut w, now) = (worker(), t0());
    let shell = first_load(&mut w, now);
    // djust's regex would stop at the "</main>" in the script and lose main's attributes.
    assert!(shell.contains(r#"let s = "</main>";"#));
    assert!(
        shell.contains(
            r#"<main id="content" class="wide" data-djust-shell-placeholder="1"></main>"#
        )
    );
    assert!(shell.contains("<main-nav>menu</main-nav>"));
    assert!(!shell.contains("<h1>A</h1>"));
}

#[test]
fn later_navigations_get_the_shell_only_where_it_can_serve() {
    let options = WorkerOptions::default().exclude(vec![PathPattern::new("/files/*")]);
    let mut w = Worker::new(SCOPE, options).unwrap();
    let now = t0();
    first_load(&mut w, now);
    // The page it learnt from.
    assert_eq!(
        w.handle_fetch(now, &nav("http://127.0.0.1:8000/a/#top", &[])),
        FetchDecision::Shell { revalidate: false }
    );
    // Never seen: the network, and its response teaches.
    for (url, ct, body) in [
        (
            "http://127.0.0.1:8000/api/data.json",
            "application/json",
            None,
        ),
        ("http://127.0.0.1:8000/report.pdf", "application/pdf", None),
        (
            "http://127.0.0.1:8000/plain/no-main/",
            "text/html",
            Some("<p>no main here</p>"),
        ),
    ] {
        assert_eq!(
            w.handle_fetch(now, &nav(url, &[])),
            FetchDecision::Network,
            "{url}"
        );
        let headers = [("content-type", ct)];
        assert_eq!(
            w.handle_navigation_response(now, url, 200, &headers, body),
            ShellAction::Keep
        );
        // Learnt: the shell never answers it; the browser handles it as without a worker.
        assert_eq!(
            w.handle_fetch(now, &nav(url, &[])),
            FetchDecision::Ignore,
            "{url}"
        );
    }
    // Excluded, whatever a response would say.
    assert_eq!(
        w.handle_fetch(now, &nav("http://127.0.0.1:8000/files/x.pdf", &[])),
        FetchDecision::Ignore
    );
    // A page of an error status teaches "no shell" even with a main.
    let url = "http://127.0.0.1:8000/broken/";
    assert_eq!(
        w.handle_navigation_response(now, url, 500, HTML, Some(&page_html("E"))),
        ShellAction::Keep
    );
    assert_eq!(w.handle_fetch(now, &nav(url, &[])), FetchDecision::Ignore);
    // ... until `relearn_after` (1 h) has passed.
    let later = now + Duration::from_secs(3600);
    assert_eq!(
        w.handle_fetch(later, &nav(url, &[])),
        FetchDecision::Network
    );
}

#[test]
fn main_only_speculative_and_foreign_requests_never_get_the_shell() {
    let (mut w, now) = (worker(), t0());
    first_load(&mut w, now);
    let main_only = FetchRequest {
        url: "http://127.0.0.1:8000/a/",
        method: "GET",
        mode: "navigate",
        headers: &[("X-Djust-Main-Only", "1")],
    };
    assert!(matches!(
        w.handle_fetch(now, &main_only),
        FetchDecision::MainOnly(MainOnlyStart::Fetch(_))
    ));
    let speculative = nav("http://127.0.0.1:8000/a/", &[("Sec-Purpose", "prefetch")]);
    assert_eq!(w.handle_fetch(now, &speculative), FetchDecision::Network);
    let post = FetchRequest {
        method: "POST",
        ..nav("http://127.0.0.1:8000/a/", &[])
    };
    assert_eq!(w.handle_fetch(now, &post), FetchDecision::Ignore);
    assert_eq!(
        w.handle_fetch(now, &nav("https://cdn.example/a/", &[])),
        FetchDecision::Ignore
    );
    let script = FetchRequest {
        mode: "no-cors",
        ..nav("http://127.0.0.1:8000/app.js", &[])
    };
    assert_eq!(w.handle_fetch(now, &script), FetchDecision::Ignore);
}

#[test]
fn include_patterns_answer_before_any_response() {
    let options = WorkerOptions::default().include(vec![PathPattern::new("/app/*")]);
    let mut w = Worker::new(SCOPE, options).unwrap();
    let now = t0();
    first_load(&mut w, now);
    assert_eq!(
        w.handle_fetch(now, &nav("http://127.0.0.1:8000/app/new/", &[])),
        FetchDecision::Shell { revalidate: false }
    );
    assert_eq!(
        w.handle_fetch(now, &nav("http://127.0.0.1:8000/other/", &[])),
        FetchDecision::Network
    );
}

#[test]
fn the_shell_is_revalidated_at_most_once_per_age_and_replaced_when_changed() {
    let options = WorkerOptions::default().revalidate_after(Duration::from_secs(60));
    let mut w = Worker::new(SCOPE, options).unwrap();
    let now = t0();
    first_load(&mut w, now);
    let a = nav("http://127.0.0.1:8000/a/", &[]);
    assert_eq!(
        w.handle_fetch(now + Duration::from_secs(59), &a),
        FetchDecision::Shell { revalidate: false }
    );
    let due = now + Duration::from_secs(60);
    assert_eq!(
        w.handle_fetch(due, &a),
        FetchDecision::Shell { revalidate: true }
    );
    // Decided once: navigations while the check is in flight do not start another.
    assert_eq!(
        w.handle_fetch(due + Duration::from_secs(1), &a),
        FetchDecision::Shell { revalidate: false }
    );
    // Same shell: nothing to store.
    assert_eq!(
        w.handle_navigation_response(
            due,
            "http://127.0.0.1:8000/a/",
            200,
            HTML,
            Some(&page_html("A"))
        ),
        ShellAction::Keep
    );
    // Next age: the site's layout changed, the shell is replaced.
    let next = due + Duration::from_secs(60);
    assert_eq!(
        w.handle_fetch(next, &a),
        FetchDecision::Shell { revalidate: true }
    );
    let changed =
        page_html("A").replace("<main-nav>menu</main-nav>", "<main-nav>new menu</main-nav>");
    let ShellAction::Store { html, .. } =
        w.handle_navigation_response(next, "http://127.0.0.1:8000/a/", 200, HTML, Some(&changed))
    else {
        panic!("a changed shell is stored")
    };
    assert!(html.contains("new menu"));
    // DJUST_CLEAR_SHELL forgets it: the next navigation fetches.
    let h = send(&mut w, next, T, json!({"type": "DJUST_CLEAR_SHELL"})).unwrap();
    assert!(h.clear_shell);
    assert_eq!(w.handle_fetch(next, &a), FetchDecision::Network);
}

// ---------------------------------------------------------------------------------------------
// PREFETCH through the coordinator
// ---------------------------------------------------------------------------------------------

fn main_only_response(extra: &[(&str, &str)]) -> StoredResponse {
    let mut headers = vec![
        (
            "content-type".to_owned(),
            "text/html; charset=utf-8".to_owned(),
        ),
        ("x-djust-main-only-response".to_owned(), "1".to_owned()),
        ("content-encoding".to_owned(), "gzip".to_owned()),
    ];
    headers.extend(
        extra
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    StoredResponse::read(200, headers, "<h1>B</h1>".to_owned())
}

fn click_main_only(w: &mut Worker, now: Instant) -> FetchDecision {
    let req = FetchRequest {
        url: "http://127.0.0.1:8000/b/",
        method: "GET",
        mode: "cors",
        headers: &[("x-djust-main-only", "1")],
    };
    w.handle_fetch(now, &req)
}

#[test]
fn hover_then_click_costs_one_request_and_the_click_gets_the_shell() {
    let (mut w, now) = (worker(), t0());
    first_load(&mut w, now);
    // Hover: one main-only prefetch; a second hover starts nothing.
    let h = send(
        &mut w,
        now,
        T,
        json!({"type": "PREFETCH", "url": "http://127.0.0.1:8000/b/"}),
    )
    .unwrap();
    let (ticket, url) = h.prefetch.expect("a prefetch starts");
    assert_eq!(url, "http://127.0.0.1:8000/b/");
    assert!(
        send(&mut w, now, T, json!({"type": "PREFETCH", "url": "/b/"}))
            .unwrap()
            .prefetch
            .is_none()
    );
    let response = main_only_response(&[]);
    assert!(
        w.handle_main_only_response(now, ticket, &url, Some(&response))
            .is_empty()
    );
    // The click's navigation: the prefetch taught that /b/ has a main, so the shell answers.
    assert_eq!(
        w.handle_fetch(now, &nav("http://127.0.0.1:8000/b/", &[])),
        FetchDecision::Shell { revalidate: false }
    );
    // The client's main-only fetch is answered from the prefetch, without its wire headers.
    let FetchDecision::MainOnly(MainOnlyStart::Answer(answer)) = click_main_only(&mut w, now)
    else {
        panic!("answered from the prefetch")
    };
    assert_eq!(answer.body, "<h1>B</h1>");
    assert!(!answer.headers.iter().any(|(n, _)| n == "content-encoding"));
    // Once: the next main-only request goes to the network.
    assert!(matches!(
        click_main_only(&mut w, now),
        FetchDecision::MainOnly(MainOnlyStart::Fetch(_))
    ));
}

#[test]
fn a_click_during_the_prefetch_joins_it() {
    let (mut w, now) = (worker(), t0());
    let h = send(&mut w, now, T, json!({"type": "PREFETCH", "url": "/b/"})).unwrap();
    let (ticket, url) = h.prefetch.unwrap();
    let FetchDecision::MainOnly(MainOnlyStart::Join(waiter)) = click_main_only(&mut w, now) else {
        panic!("joins the prefetch in flight")
    };
    assert_eq!(
        w.handle_main_only_response(now, ticket, &url, Some(&main_only_response(&[]))),
        [waiter]
    );
    // The waiter consumed it: nothing is kept to answer twice.
    assert!(matches!(
        click_main_only(&mut w, now),
        FetchDecision::MainOnly(MainOnlyStart::Fetch(_))
    ));
}

#[test]
fn only_reusable_prefetches_answer_a_click() {
    for extra in [[("cache-control", "no-store")], [("vary", "*")]] {
        let (mut w, now) = (worker(), t0());
        let (ticket, url) = send(&mut w, now, T, json!({"type": "PREFETCH", "url": "/b/"}))
            .unwrap()
            .prefetch
            .unwrap();
        assert!(
            w.handle_main_only_response(now, ticket, &url, Some(&main_only_response(&extra)))
                .is_empty()
        );
        assert!(
            matches!(
                click_main_only(&mut w, now),
                FetchDecision::MainOnly(MainOnlyStart::Fetch(_))
            ),
            "{extra:?}"
        );
        // ... and the coordinator refuses to prefetch it again for a while.
        assert!(
            send(&mut w, now, T, json!({"type": "PREFETCH", "url": "/b/"}))
                .unwrap()
                .prefetch
                .is_none()
        );
    }
    // Cross-origin hovers are refused by the guard.
    let (mut w, now) = (worker(), t0());
    assert!(
        send(
            &mut w,
            now,
            T,
            json!({"type": "PREFETCH", "url": "https://evil.example/"})
        )
        .is_err()
    );
}

#[test]
fn a_prefetched_main_goes_stale() {
    let (mut w, now) = (worker(), t0());
    let (ticket, url) = send(&mut w, now, T, json!({"type": "PREFETCH", "url": "/b/"}))
        .unwrap()
        .prefetch
        .unwrap();
    assert!(
        w.handle_main_only_response(now, ticket, &url, Some(&main_only_response(&[])))
            .is_empty()
    );
    let later = now + Duration::from_secs(31);
    assert!(matches!(
        click_main_only(&mut w, later),
        FetchDecision::MainOnly(MainOnlyStart::Fetch(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Persistence across a stopped worker
// ---------------------------------------------------------------------------------------------

fn restart(old: &Worker, now: Instant, unix_ms: f64, stopped: Duration) -> (Worker, Instant, f64) {
    let saved: Vec<(Part, String)> = [Part::Bridge, Part::Vdom, Part::State, Part::Shell]
        .into_iter()
        .map(|p| (p, old.save(now, unix_ms, p)))
        .collect();
    // The new worker's clock has another origin altogether.
    let now2 = common::t0() + secs(400 * 24 * 3600);
    let unix2 = unix_ms + stopped.as_millis() as f64;
    let mut w = worker();
    for (p, json) in saved {
        w.restore(now2, unix2, p, &json).unwrap();
    }
    (w, now2, unix2)
}

#[test]
fn nothing_buffered_is_lost_across_a_stop_and_restart() {
    let (mut w, now) = (worker(), t0());
    for i in 0..40 {
        post(
            &mut w,
            now,
            T,
            json!({"type": "DJUST_BUFFER", "connectionId": "dj-1", "payload": format!("m{i}")}),
        );
    }
    let (mut w2, now2, unix2) = restart(&w, now, T, Duration::from_secs(30));
    let r = reply(
        &mut w2,
        now2,
        unix2,
        json!({"type": "DJUST_DRAIN", "connectionId": "dj-1"}),
    );
    let expected: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
    assert_eq!(r["messages"], json!(expected));
}

#[test]
fn caches_and_the_shell_survive_a_restart_with_their_ages() {
    let (mut w, now) = (worker(), t0());
    first_load(&mut w, now);
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CONFIG", "ttl_seconds": 100}),
    );
    post(
        &mut w,
        now,
        T,
        json!({"type": "VDOM_CACHE", "url": "/v", "html": "<p>v</p>", "ts": T}),
    );
    post(
        &mut w,
        now,
        T,
        json!({"type": "STATE_SNAPSHOT", "url": "/s", "state_json": "{}", "ts": T}),
    );
    // Stopped for 60 s: the VDOM entry (TTL 100 s, kept by the restart) is 60 s old.
    let (mut w2, now2, unix2) = restart(&w, now, T, Duration::from_secs(60));
    assert_eq!(
        reply(
            &mut w2,
            now2,
            unix2,
            json!({"type": "VDOM_CACHE_LOOKUP", "url": "/v"})
        )["hit"],
        true
    );
    let later = now2 + Duration::from_secs(41);
    assert_eq!(
        reply(
            &mut w2,
            later,
            unix2,
            json!({"type": "VDOM_CACHE_LOOKUP", "url": "/v"})
        )["stale"],
        true
    );
    assert_eq!(
        reply(
            &mut w2,
            now2,
            unix2,
            json!({"type": "STATE_SNAPSHOT_LOOKUP", "url": "/s"})
        )["hit"],
        true
    );
    assert_eq!(
        w2.handle_fetch(now2, &nav("http://127.0.0.1:8000/a/", &[])),
        FetchDecision::Shell { revalidate: false }
    );
    // A buffered message older than the bridge's max age (5 min) after the stop is dropped.
    post(
        &mut w,
        now,
        T,
        json!({"type": "DJUST_BUFFER", "payload": "old"}),
    );
    let (mut w3, now3, unix3) = restart(&w, now, T, Duration::from_secs(301));
    let r = reply(&mut w3, now3, unix3, json!({"type": "DJUST_DRAIN"}));
    assert_eq!(
        (r["messages"].clone(), r["dropped"].clone()),
        (json!([]), json!(1))
    );
}

#[test]
fn a_corrupt_save_is_refused_and_the_part_starts_empty() {
    let (mut w, now) = (worker(), t0());
    assert!(w.restore(now, T, Part::Bridge, "{").is_err());
    assert!(
        w.restore(
            now,
            T,
            Part::Vdom,
            r#"{"format":9,"savedAt":0,"data":null}"#
        )
        .is_err()
    );
    assert!(
        w.restore(
            now,
            T,
            Part::State,
            r#"{"format":1,"savedAt":0,"data":{"x":1}}"#
        )
        .is_err()
    );
    assert_eq!(
        reply(&mut w, now, T, json!({"type": "DJUST_DRAIN"}))["messages"],
        json!([])
    );
}

#[test]
fn a_shell_the_browser_evicted_is_fetched_again() {
    let (mut w, now) = (worker(), t0());
    first_load(&mut w, now);
    let a = nav("http://127.0.0.1:8000/a/", &[]);
    assert_eq!(
        w.handle_fetch(now, &a),
        FetchDecision::Shell { revalidate: false }
    );
    // Cache Storage had nothing under the shell's key.
    w.handle_shell_missing(now);
    assert_eq!(w.handle_fetch(now, &a), FetchDecision::Network);
    // The network page gives the shell back.
    let again = w.handle_navigation_response(
        now,
        "http://127.0.0.1:8000/a/",
        200,
        HTML,
        Some(&page_html("A")),
    );
    assert!(matches!(again, ShellAction::Store { .. }));
    assert_eq!(
        w.handle_fetch(now, &a),
        FetchDecision::Shell { revalidate: false }
    );
}
