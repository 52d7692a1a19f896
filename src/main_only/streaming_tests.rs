//! Unit tests of the streamed decision's own parts; its differential against `decide_with` at
//! every chunking is in `tests/main_only_stream.rs`, shared with the `main_only_stream` fuzz
//! target.

use super::super::{Body, Response, decide_with};
use super::*;

const PAGE: &str =
    "<!DOCTYPE html><title>t</title><nav>n</nav><main>HEL\u{e9}LO</main><footer>f</footer>";
const ASK: [(&str, &str); 1] = [("X-Djust-Main-Only", "1")];
const HTML: [(&str, &str); 1] = [("Content-Type", "text/html; charset=utf-8")];

#[test]
fn the_head_decides_with_decides_rules_and_edits() {
    let options = MainOnlyOptions::default();
    for (status, headers, reason) in [
        (
            200,
            &[("Content-Type", "application/json")][..],
            PassThroughReason::NotHtml,
        ),
        (404, &HTML[..], PassThroughReason::Status),
        (
            200,
            &[HTML[0], ("Content-Encoding", "gzip")][..],
            PassThroughReason::Encoded,
        ),
        (
            200,
            &[("Content-Type", "text/html; charset=latin1")][..],
            PassThroughReason::NotUtf8,
        ),
        (
            200,
            &[HTML[0], ("content-type", "text/plain")][..],
            PassThroughReason::AmbiguousContentType,
        ),
    ] {
        let want = decide_with(
            Request::new("GET", &ASK),
            Response::new(status, headers, Body::Complete(PAGE.as_bytes())),
            &options,
        );
        match decide_head(Request::new("GET", &ASK), status, headers, &options) {
            HeadDecision::PassThrough {
                reason: got,
                header_edits,
            } => {
                assert_eq!(got, reason, "{headers:?}");
                assert_eq!(Some(got), want.reason());
                assert_eq!(&header_edits, want.header_edits());
            }
            HeadDecision::Read(_) => panic!("{headers:?} is decided by the head"),
        }
    }
    for (method, request, reason) in [
        ("GET", &[][..], PassThroughReason::NotRequested),
        ("POST", &ASK[..], PassThroughReason::Method),
    ] {
        let head = decide_head(Request::new(method, request), 200, &HTML, &options);
        let HeadDecision::PassThrough {
            reason: got,
            header_edits,
        } = head
        else {
            panic!("{method} decided by the head");
        };
        assert_eq!(got, reason);
        let edits: Vec<_> = header_edits.iter().map(ToString::to_string).collect();
        assert_eq!(edits, ["append vary: X-Djust-Main-Only"]);
    }
}

#[test]
fn the_held_bytes_never_pass_the_limit_by_more_than_one_chunk() {
    let page = "y".repeat(1000);
    let options = MainOnlyOptions::default().prefix_limit(100);
    let HeadDecision::Read(mut trimmer) =
        decide_head(Request::new("GET", &ASK), 200, &HTML, &options)
    else {
        panic!("html is read");
    };
    let mut out = Vec::new();
    let mut pushed = 0;
    for chunk in page.as_bytes().chunks(30) {
        pushed += chunk.len();
        if trimmer.push(chunk, &mut out).unwrap() != TrimStep::Hold {
            break;
        }
    }
    assert_eq!(pushed, 120, "the chunk that crosses 100 bytes decides");
    assert_eq!(out.len(), 120);
}

#[test]
fn a_streamed_head_removes_content_length_and_keeps_the_other_trim_edits() {
    let headers = [
        HTML[0],
        ("ETag", "\"v1\""),
        ("Content-Length", "90"),
        ("Content-MD5", "x"),
    ];
    let edits = trim_edits(true, TrimHeaders::read(&headers), None);
    let edits: Vec<_> = edits.iter().map(ToString::to_string).collect();
    assert_eq!(
        edits,
        [
            "append vary: X-Djust-Main-Only",
            "remove content-length",
            "set x-djust-main-only-response: 1",
            "set etag: W/\"v1-main\"",
            "remove content-md5",
        ]
    );
    let edits = trim_edits(false, TrimHeaders::read(&HTML), None);
    let edits: Vec<_> = edits.iter().map(ToString::to_string).collect();
    assert_eq!(
        edits,
        ["set x-djust-main-only-response: 1"],
        "no stale length to remove"
    );
}

#[test]
fn a_finished_trimmer_appends_nothing() {
    let options = MainOnlyOptions::default();
    let HeadDecision::Read(mut trimmer) =
        decide_head(Request::new("GET", &ASK), 200, &HTML, &options)
    else {
        panic!("html is read");
    };
    let mut out = Vec::new();
    let _ = trimmer.push(b"<main>x</main>", &mut out).unwrap();
    let _ = trimmer.finish(&mut out).unwrap();
    assert_eq!(out, b"x");
    let len = out.len();
    assert_eq!(trimmer.push(b"more", &mut out), Ok(TrimStep::End));
    assert_eq!(trimmer.finish(&mut out), Ok(TrimStep::End));
    assert_eq!(out.len(), len);
}

#[test]
fn trimmer_is_send_and_static() {
    fn send_static<T: Send + 'static>() {}
    send_static::<Trimmer>();
    send_static::<HeadDecision>();
    send_static::<TrimError>();
}
