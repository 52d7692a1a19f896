//! The streamed main-only decision (`decide_head` and the `Trimmer`) over its public API,
//! differential against `decide_with` on the complete page: every cut point of a page, hand-made
//! edge cases, and a proptest over pages, chunkings, options and header sets. The checks are
//! the `main_only_stream` fuzz target's, shared from `fuzz/src/`.

#[path = "../fuzz/src/main_only.rs"]
#[allow(dead_code, reason = "only the shared header names are used here")]
mod main_only;
#[path = "../fuzz/src/main_only_stream.rs"]
#[allow(
    dead_code,
    reason = "the fuzz entry point is replayed by tests/fuzz_corpus.rs"
)]
mod main_only_stream;

use liveshell::main_only::{MainOnlyOptions, MissingMain, PassThroughReason};
use main_only_stream::{Sent, check, cut};
use proptest::prelude::*;

const PAGE: &str =
    "<!DOCTYPE html><title>t</title><nav>n</nav><main>HEL\u{e9}LO</main><footer>f</footer>";

fn pairs(lines: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    lines
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
        .collect()
}

fn html() -> Vec<(String, Vec<u8>)> {
    pairs(&[("Content-Type", "text/html; charset=utf-8")])
}

fn ask() -> Vec<(String, Vec<u8>)> {
    pairs(&[("X-Djust-Main-Only", "1")])
}

fn run(page: &[u8], points: &[usize], options: &MainOnlyOptions) -> Sent {
    check("GET", &ask(), 200, &html(), &cut(page, points), options).expect("no trim error")
}

#[test]
fn a_page_at_every_cut_point_and_every_pair_of_cut_points_gets_decides_answer() {
    let headers = pairs(&[
        ("Content-Type", "text/html"),
        ("ETag", "\"v1\""),
        ("Content-Length", "90"),
        ("Digest", "x"),
    ]);
    let mut checked = 0;
    for a in 0..=PAGE.len() {
        for b in a..=PAGE.len() {
            let chunks = cut(PAGE.as_bytes(), &[a, b]);
            let sent = check(
                "GET",
                &ask(),
                200,
                &headers,
                &chunks,
                &MainOnlyOptions::default(),
            );
            assert!(sent.expect("no trim error").decision.is_trim());
            checked += 1;
        }
    }
    assert!(checked > 3000, "{checked}");
}

#[test]
fn no_main_passes_every_byte_through_or_trims_to_nothing() {
    let page = b"<div>no main here</div>";
    let sent = run(page, &[3, 9], &MainOnlyOptions::default());
    assert_eq!(sent.decision.reason(), Some(PassThroughReason::NoMain));
    assert_eq!(sent.bytes, page);
    let djust = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
    let sent = run(page, &[3, 9], &djust);
    assert_eq!(sent.decision.body(), Some(""));
    let edits: Vec<_> = sent
        .decision
        .header_edits()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        edits.contains(&"set content-length: 0".to_owned()),
        "{edits:?}"
    );
}

#[test]
fn the_prefix_limit_passes_the_held_bytes_and_the_rest_through() {
    let page = format!("<p>{}</p><main>late</main>", "x".repeat(100));
    let options = MainOnlyOptions::default().prefix_limit(40);
    let points: Vec<usize> = (1..page.len()).step_by(16).collect();
    let sent = run(page.as_bytes(), &points, &options);
    assert_eq!(sent.decision.reason(), Some(PassThroughReason::PrefixLimit));
    assert_eq!(sent.bytes, page.as_bytes());
    let edits: Vec<_> = sent
        .decision
        .header_edits()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(edits, ["append vary: X-Djust-Main-Only"]);
    // A limit of 0: any chunk that leaves main uncertain passes through (after a proptest case).
    let none = MainOnlyOptions::default().prefix_limit(0);
    let sent = run(b"<div>", &[], &none);
    assert_eq!(sent.decision.reason(), Some(PassThroughReason::PrefixLimit));
    assert_eq!(sent.bytes, b"<div>");
}

#[test]
fn a_byte_that_is_not_utf8_while_held_passes_through_as_not_utf8() {
    // Before main can be certain, so the head is still held at every cut point. (After a streamed
    // head, such a byte is a `TrimError`, which `check` allows only where decide_with passes.)
    for page in [
        &b"<p>a\xffb</p><main>x</main>"[..],
        b"<div>ab\xe2\x82",
        b"\xc3",
    ] {
        for at in 0..=page.len() {
            let sent = run(page, &[at], &MainOnlyOptions::default());
            assert_eq!(
                sent.decision.reason(),
                Some(PassThroughReason::NotUtf8),
                "{page:?}"
            );
            assert_eq!(sent.bytes, page);
        }
    }
}

#[test]
fn the_head_alone_decides_every_rule_that_needs_no_body() {
    let page = PAGE.as_bytes();
    for (method, request, status, headers, reason) in [
        (
            "GET",
            pairs(&[]),
            200,
            html(),
            PassThroughReason::NotRequested,
        ),
        ("POST", ask(), 200, html(), PassThroughReason::Method),
        ("GET", ask(), 404, html(), PassThroughReason::Status),
        (
            "GET",
            ask(),
            200,
            pairs(&[("Content-Type", "application/json")]),
            PassThroughReason::NotHtml,
        ),
        (
            "GET",
            ask(),
            200,
            pairs(&[("Content-Type", "text/html"), ("Content-Encoding", "br")]),
            PassThroughReason::Encoded,
        ),
        (
            "GET",
            ask(),
            200,
            pairs(&[("Content-Type", "text/html; charset=latin1")]),
            PassThroughReason::NotUtf8,
        ),
        (
            "GET",
            ask(),
            200,
            pairs(&[
                ("Content-Type", "text/html"),
                ("content-type", "text/plain"),
            ]),
            PassThroughReason::AmbiguousContentType,
        ),
    ] {
        let sent = check(
            method,
            &request,
            status,
            &headers,
            &cut(page, &[5]),
            &MainOnlyOptions::default(),
        );
        assert_eq!(sent.unwrap().decision.reason(), Some(reason));
    }
}

/// Page fragments: markup around and inside main, multi-byte text, a stray invalid byte.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"<main>".to_vec()),
        Just(b"</main>".to_vec()),
        Just(b"<main id=a>".to_vec()),
        Just(b"<div>".to_vec()),
        Just(b"</div>".to_vec()),
        Just(b"<table>".to_vec()),
        Just(b"<b>".to_vec()),
        Just(b"<template>".to_vec()),
        Just(b"<svg>".to_vec()),
        Just(b"<!-- c -->".to_vec()),
        Just(b"<script>x</main></script>".to_vec()),
        Just("caf\u{e9} \u{1f600}".as_bytes().to_vec()),
        Just(b"&amp;".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xff".to_vec()),
        "[a-z <>/=\"]{0,8}".prop_map(String::into_bytes),
    ]
}

fn header_set() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop_oneof![
        Just(html()),
        Just(pairs(&[
            ("Content-Type", "text/html"),
            ("ETag", "W/\"t\""),
            ("Content-Length", "1")
        ])),
        Just(pairs(&[
            ("Content-Type", "text/html"),
            ("Vary", "*"),
            ("Repr-Digest", "x")
        ])),
        Just(pairs(&[
            ("Content-Type", "text/html"),
            ("Transfer-Encoding", "chunked")
        ])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn any_page_at_any_chunking_matches_decide(
        parts in prop::collection::vec(fragment(), 0..16),
        points in prop::collection::vec(0usize..200, 0..8),
        limit in prop_oneof![Just(usize::MAX), 0usize..64],
        empty_body in any::<bool>(),
        headers in header_set(),
    ) {
        let page = parts.concat();
        let missing = if empty_body { MissingMain::EmptyBody } else { MissingMain::PassThrough };
        let options = MainOnlyOptions::default().prefix_limit(limit).on_missing_main(missing);
        let _ = check("GET", &ask(), 200, &headers, &cut(&page, &points), &options);
    }
}

#[test]
fn main_ending_before_a_later_non_utf8_byte_trims_whole_on_the_bytes_read() {
    // Found by the proptest once MainStream streamed: main ends in the first chunk, the second
    // (left unread) holds a non-UTF-8 byte that makes decide_with pass the page through.
    let page = b"\"</</div><main></main></div>\xff";
    let sent = run(page, &[23], &MainOnlyOptions::default());
    assert!(!sent.streamed_head && !sent.read_to_end);
    assert_eq!(sent.decision.body(), Some(""));
}
