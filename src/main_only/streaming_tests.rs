//! Unit tests of the streamed decision: the same rules as `decide_with`, through the same
//! functions, at every chunking.

use proptest::prelude::*;

use super::super::{Body, Decision, HeaderEdit, MissingMain, Response, decide_with};
use super::*;

const PAGE: &str =
    "<!DOCTYPE html><title>t</title><nav>n</nav><main>HEL\u{e9}LO</main><footer>f</footer>";
const ASK: [(&str, &str); 1] = [("X-Djust-Main-Only", "1")];
const HTML: [(&str, &str); 1] = [("Content-Type", "text/html; charset=utf-8")];

/// What a host sends after driving a trimmer over `chunks`: the decision (as `decide_with`
/// would name it) and whether a head went out before the body was read to the end.
#[derive(Debug)]
struct Sent {
    decision: Decision,
    /// The body bytes the client gets (a pass-through's held bytes and then the rest).
    bytes: Vec<u8>,
    streamed_head: bool,
    read_to_end: bool,
}

/// Drives the trimmer the way the layer does: push each chunk, act on each step.
fn drive<SH: Headers + ?Sized>(
    headers: &SH,
    chunks: &[&[u8]],
    options: &MainOnlyOptions,
) -> Result<Sent, TrimError> {
    let mut trimmer = match decide_head(Request::new("GET", &ASK), 200, headers, options) {
        HeadDecision::PassThrough {
            reason,
            header_edits,
        } => {
            return Ok(Sent {
                decision: Decision::PassThrough {
                    reason,
                    header_edits,
                },
                bytes: chunks.concat(),
                streamed_head: false,
                read_to_end: true,
            });
        }
        HeadDecision::Read(trimmer) => trimmer,
    };
    let mut out = Vec::new();
    let mut head: Option<TrimStep> = None;
    let mut streamed_head = false;
    let mut read = 0;
    let mut ended = false;
    for chunk in chunks {
        read += 1;
        let step = trimmer.push(chunk, &mut out)?;
        match step {
            TrimStep::Hold | TrimStep::More => {}
            TrimStep::Head { .. } => {
                streamed_head = true;
                head = Some(step);
            }
            TrimStep::PassThrough { .. } => {
                // The rest of the body goes out unmodified.
                for rest in &chunks[read..] {
                    out.extend_from_slice(rest);
                }
                read = chunks.len();
                head = Some(step);
                ended = true;
                break;
            }
            TrimStep::Whole { .. } => {
                head = Some(step);
                ended = true;
                break;
            }
            TrimStep::End => {
                ended = true;
                break;
            }
        }
    }
    if !ended {
        let step = trimmer.finish(&mut out)?;
        if !matches!(step, TrimStep::End) {
            head = Some(step);
        }
    }
    assert!(trimmer.is_finished());
    let decision = match head.expect("every body decides by its end") {
        TrimStep::PassThrough {
            reason,
            header_edits,
        } => Decision::PassThrough {
            reason,
            header_edits,
        },
        TrimStep::Head { header_edits } | TrimStep::Whole { header_edits } => Decision::Trim {
            body: String::from_utf8(out.clone()).expect("main's inner HTML is UTF-8"),
            header_edits,
        },
        step => unreachable!("{step:?} carries no head"),
    };
    Ok(Sent {
        decision,
        bytes: out,
        streamed_head,
        read_to_end: read == chunks.len(),
    })
}

/// Cuts `page` at the given points (sorted, deduplicated, clamped).
fn cut(page: &[u8], mut points: Vec<usize>) -> Vec<&[u8]> {
    points.iter_mut().for_each(|p| *p = (*p).min(page.len()));
    points.sort_unstable();
    points.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points.into_iter().chain([page.len()]) {
        chunks.push(&page[start..point]);
        start = point;
    }
    chunks
}

/// The trim edits of `decide_with` with `Content-Length` as a streamed head has it.
fn streamed_edits(edits: &HeaderEdits, had_length: bool) -> Vec<String> {
    edits
        .iter()
        .filter_map(|edit| match edit {
            HeaderEdit::Set {
                name: "content-length",
                ..
            } => had_length.then(|| "remove content-length".to_owned()),
            edit => Some(edit.to_string()),
        })
        .collect()
}

/// Checks a drive against `decide_with` over the complete page: equal, or different only in the
/// documented ways.
fn assert_matches_decide(
    page: &[u8],
    headers: &[(&str, &str)],
    chunks: &[&[u8]],
    options: &MainOnlyOptions,
) {
    let want = decide_with(
        Request::new("GET", &ASK),
        Response::new(200, headers, Body::Complete(page)),
        options,
    );
    let sent = match drive(headers, chunks, options) {
        Ok(sent) => sent,
        Err(error) => {
            // Only after a streamed head, and only where decide_with would not trim.
            assert!(!want.is_trim(), "{error} but decide_with trims");
            return;
        }
    };
    match (&sent.decision, &want) {
        (Decision::PassThrough { reason, .. }, _) => {
            assert_eq!(sent.bytes, page, "a pass-through sends every byte once");
            if *reason == PassThroughReason::PrefixLimit {
                assert!(page.len() > options.prefix_limit_bytes());
                let vary_only: Vec<_> = want
                    .header_edits()
                    .iter()
                    .filter(|e| e.name() == "vary")
                    .collect();
                let got: Vec<_> = sent.decision.header_edits().iter().collect();
                assert_eq!(got, vary_only, "a pass-through edits only Vary");
            } else {
                assert_eq!(sent.decision, want);
            }
        }
        (Decision::Trim { .. }, _) if !sent.streamed_head => assert_eq!(sent.decision, want),
        (
            Decision::Trim { body, header_edits },
            Decision::Trim {
                body: want_body, ..
            },
        ) => {
            assert_eq!(body, want_body);
            let had_length = headers.values("content-length").next().is_some();
            let got: Vec<_> = header_edits.iter().map(ToString::to_string).collect();
            assert_eq!(got, streamed_edits(want.header_edits(), had_length));
        }
        (Decision::Trim { .. }, Decision::PassThrough { reason, .. }) => {
            // The documented difference: bytes after main's end are not read.
            assert_eq!(*reason, PassThroughReason::NotUtf8);
            assert!(!sent.read_to_end);
        }
    }
}

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
fn a_page_at_every_cut_point_gives_decides_answer() {
    let headers = [
        HTML[0],
        ("ETag", "\"v1\""),
        ("Content-Length", "90"),
        ("Digest", "x"),
    ];
    for at in 0..=PAGE.len() {
        let chunks = cut(PAGE.as_bytes(), vec![at]);
        assert_matches_decide(
            PAGE.as_bytes(),
            &headers,
            &chunks,
            &MainOnlyOptions::default(),
        );
    }
}

#[test]
fn no_main_passes_through_every_byte_or_trims_to_nothing() {
    let page = b"<div>no main here</div>";
    let chunks = cut(page, vec![3, 9]);
    let sent = drive(&HTML, &chunks, &MainOnlyOptions::default()).unwrap();
    assert_eq!(sent.decision.reason(), Some(PassThroughReason::NoMain));
    assert_eq!(sent.bytes, page);
    let djust = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
    let sent = drive(&HTML, &chunks, &djust).unwrap();
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
    let chunks = cut(page.as_bytes(), (1..page.len()).step_by(16).collect());
    let sent = drive(&HTML, &chunks, &options).unwrap();
    assert_eq!(sent.decision.reason(), Some(PassThroughReason::PrefixLimit));
    assert_eq!(sent.bytes, page.as_bytes());
    let edits: Vec<_> = sent
        .decision
        .header_edits()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(edits, ["append vary: X-Djust-Main-Only"]);
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
fn invalid_utf8_while_held_passes_through_as_not_utf8() {
    for page in [
        &b"<main>a\xffb</main>"[..],
        b"<main>ab</main>\xe2\x82",
        b"\xc3",
    ] {
        for at in 0..=page.len() {
            let sent = drive(&HTML, &cut(page, vec![at]), &MainOnlyOptions::default()).unwrap();
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
        Just(b"<!-- c -->".to_vec()),
        Just(b"<script>x</main></script>".to_vec()),
        Just("caf\u{e9} \u{1f600}".as_bytes().to_vec()),
        Just(b"&amp;".to_vec()),
        Just(b"\xff".to_vec()),
        "[a-z <>/]{0,8}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #[test]
    fn any_page_at_any_chunking_matches_decide(
        parts in prop::collection::vec(fragment(), 0..12),
        points in prop::collection::vec(0usize..200, 0..6),
        limit in prop_oneof![Just(usize::MAX), 0usize..64],
        empty_body in any::<bool>(),
    ) {
        let page = parts.concat();
        let chunks = cut(&page, points);
        let missing = if empty_body { MissingMain::EmptyBody } else { MissingMain::PassThrough };
        let options = MainOnlyOptions::default().prefix_limit(limit).on_missing_main(missing);
        assert_matches_decide(&page, &[HTML[0], ("ETag", "W/\"t\"")], &chunks, &options);
    }
}
