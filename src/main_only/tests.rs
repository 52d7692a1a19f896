//! Unit tests of the decision, one group per rule.

use super::*;

const PAGE: &str = "<!DOCTYPE html><html><head><title>t</title></head><body><nav>n</nav><main>HELLO</main><footer>f</footer></body></html>";
const ASK: [(&str, &str); 1] = [("X-Djust-Main-Only", "1")];
const HTML: [(&str, &str); 1] = [("Content-Type", "text/html; charset=utf-8")];

fn with<H: Headers + ?Sized>(headers: &H, body: Body<'_>) -> Decision {
    decide(Request::new("GET", &ASK), Response::new(200, headers, body))
}

fn page(headers: &[(&str, &str)]) -> Decision {
    with(headers, Body::Complete(PAGE.as_bytes()))
}

fn typed(content_type: &str) -> Decision {
    page(&[("Content-Type", content_type)])
}

fn assert_reason_for_types(content_types: &[&str], reason: PassThroughReason) {
    for ct in content_types {
        assert_eq!(typed(ct).reason(), Some(reason), "{ct:?}");
    }
}

fn names(decision: &Decision) -> Vec<String> {
    decision
        .header_edits()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn rule1_trigger_is_one_after_trimming_spaces_and_tabs() {
    for value in ["1", " 1", "1\t", " \t1 \t"] {
        let d = decide(
            Request::new("GET", &[("x-djust-main-only", value)]),
            Response::new(200, &HTML, Body::Complete(PAGE.as_bytes())),
        );
        assert_eq!(d.body(), Some("HELLO"), "{value:?}");
    }
    for value in ["true", "1,1", "0", "", "yes", "1 1"] {
        let d = decide(
            Request::new("GET", &[("X-Djust-Main-Only", value)]),
            Response::new(200, &HTML, Body::Complete(PAGE.as_bytes())),
        );
        assert_eq!(
            d.reason(),
            Some(PassThroughReason::NotRequested),
            "{value:?}"
        );
    }
}

#[test]
fn rule1_methods_other_than_get_pass_through() {
    for method in ["POST", "HEAD", "get", "PUT", ""] {
        let d = decide(
            Request::new(method, &ASK),
            Response::new(200, &HTML, Body::Complete(PAGE.as_bytes())),
        );
        assert_eq!(d.reason(), Some(PassThroughReason::Method), "{method:?}");
    }
}

#[test]
fn rule2_only_statuses_200_to_399_without_204_206_304_are_trimmed() {
    for status in [200, 201, 203, 299, 300, 302, 307, 399] {
        let d = decide(
            Request::new("GET", &ASK),
            Response::new(status, &HTML, Body::Complete(PAGE.as_bytes())),
        );
        assert!(d.is_trim(), "{status}");
    }
    for status in [
        0,
        100,
        101,
        199,
        204,
        206,
        304,
        400,
        404,
        500,
        999,
        u16::MAX,
    ] {
        let d = decide(
            Request::new("GET", &ASK),
            Response::new(status, &HTML, Body::Complete(PAGE.as_bytes())),
        );
        assert_eq!(d.reason(), Some(PassThroughReason::Status), "{status}");
        assert!(
            d.header_edits().is_empty(),
            "{status}: no Vary on an ineligible status"
        );
    }
}

#[test]
fn rule2_only_html_and_xhtml_types_are_trimmed() {
    for ct in [
        "text/html",
        "TEXT/HTML",
        " text/html ;x",
        "application/xhtml+xml",
        "text/html; charset=utf-8; boundary=xyz",
    ] {
        assert!(typed(ct).is_trim(), "{ct:?}");
    }
    assert_reason_for_types(
        &[
            "text/htm",
            "text/html+x",
            "application/json",
            "application/rss+xml",
            "",
        ],
        PassThroughReason::NotHtml,
    );
    assert_eq!(page(&[]).reason(), Some(PassThroughReason::NotHtml));
}

#[test]
fn rule2_streaming_bodies_pass_through_with_vary() {
    let d = with(&HTML, Body::Streaming);
    assert_eq!(d.reason(), Some(PassThroughReason::Streaming));
    assert_eq!(names(&d), ["append vary: X-Djust-Main-Only"]);
}

#[test]
fn rule3_any_coding_but_identity_passes_through_as_encoded() {
    for (name, value) in [
        ("Content-Encoding", "gzip"),
        ("content-encoding", "BR"),
        ("Content-Encoding", "identity, gzip"),
        ("Transfer-Encoding", "gzip, chunked"),
    ] {
        let d = page(&[HTML[0], (name, value)]);
        assert_eq!(
            d.reason(),
            Some(PassThroughReason::Encoded),
            "{name}: {value}"
        );
        assert_eq!(names(&d), ["append vary: X-Djust-Main-Only"]);
    }
    assert!(page(&[HTML[0], ("Content-Encoding", "identity")]).is_trim());
}

#[test]
fn rule3_encoded_check_does_not_depend_on_the_bytes() {
    // Bytes that happen to be valid UTF-8 are still encoded bytes: djust would trim them.
    let d = with(
        &[HTML[0], ("Content-Encoding", "deflate")],
        Body::Complete(b"<main>x</main>"),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::Encoded));
}

#[test]
fn rule3_non_utf8_bodies_and_charsets_pass_through() {
    let latin1 = b"<main>caf\xe9</main>";
    assert_eq!(
        with(&HTML, Body::Complete(latin1)).reason(),
        Some(PassThroughReason::NotUtf8)
    );
    assert_reason_for_types(
        &[
            "text/html; charset=iso-8859-1",
            "text/html; charset=\"windows-1252\"",
            "text/html;charset=us-ascii",
        ],
        PassThroughReason::NotUtf8,
    );
    for ct in [
        "text/html; charset=UTF-8",
        "text/html; charset=\"utf8\"",
        "text/html; CHARSET = unicode-1-1-utf-8",
    ] {
        assert!(typed(ct).is_trim(), "{ct:?}");
    }
}

#[test]
fn rule4_trim_sets_length_marker_and_keeps_other_headers() {
    let d = page(&[HTML[0], ("Last-Modified", "x"), ("Content-Length", "999")]);
    assert_eq!(d.body(), Some("HELLO"));
    assert_eq!(
        names(&d),
        [
            "append vary: X-Djust-Main-Only",
            "set content-length: 5",
            "set x-djust-main-only-response: 1"
        ]
    );
}

#[test]
fn rule4_content_length_counts_bytes_not_chars() {
    let d = with(&HTML, Body::Complete("<main>é</main>".as_bytes()));
    assert_eq!(d.body().map(str::as_bytes), Some(&[0xc3, 0xa9][..]));
    assert_eq!(
        d.header_edits()
            .get("content-length")
            .and_then(HeaderEdit::value),
        Some("2")
    );
}

#[test]
fn rule4_etag_becomes_weak_and_distinct() {
    for (etag, want) in [("\"v1\"", "W/\"v1-main\""), ("W/\"v1\"", "W/\"v1-main\"")] {
        let d = page(&[HTML[0], ("ETag", etag)]);
        assert_eq!(
            d.header_edits().get("etag").and_then(HeaderEdit::value),
            Some(want)
        );
    }
    let d = page(&[HTML[0], ("ETag", "not-quoted")]);
    assert_eq!(
        d.header_edits().get("ETag"),
        Some(&HeaderEdit::Remove { name: "etag" })
    );
}

#[test]
fn rule4_digests_and_chunked_framing_are_removed() {
    let d = page(&[
        HTML[0],
        ("Content-MD5", "x"),
        ("digest", "sha-256=y"),
        ("Repr-Digest", "sha-256=:z:"),
        ("Transfer-Encoding", "chunked"),
    ]);
    assert!(d.is_trim());
    for name in ["content-md5", "digest", "repr-digest", "transfer-encoding"] {
        assert_eq!(
            d.header_edits().get(name),
            Some(&HeaderEdit::Remove { name }),
            "{name}"
        );
    }
    assert_eq!(d.header_edits().len(), 7);
}

#[test]
fn rule5_vary_is_added_to_every_eligible_html_response() {
    let plain = decide(
        Request::new("GET", &[("Accept", "text/html")]),
        Response::new(200, &HTML, Body::Complete(PAGE.as_bytes())),
    );
    assert_eq!(plain.reason(), Some(PassThroughReason::NotRequested));
    assert_eq!(names(&plain), ["append vary: X-Djust-Main-Only"]);
    let post = decide(
        Request::new("POST", &ASK),
        Response::new(302, &HTML, Body::Complete(PAGE.as_bytes())),
    );
    assert_eq!(names(&post), ["append vary: X-Djust-Main-Only"]);
    let json = page(&[("Content-Type", "application/json")]);
    assert!(json.header_edits().is_empty());
}

#[test]
fn rule5_vary_is_merged_once_case_insensitively_and_star_is_left_alone() {
    let existing = page(&[
        HTML[0],
        ("Vary", "Accept-Encoding"),
        ("vary", "cookie, x-djust-main-ONLY"),
    ]);
    assert_eq!(existing.header_edits().get("vary"), None);
    let star = page(&[HTML[0], ("Vary", "*")]);
    assert_eq!(star.header_edits().get("vary"), None);
    assert!(star.is_trim());
    let other = page(&[HTML[0], ("Vary", "Accept-Encoding")]);
    assert_eq!(
        other.header_edits().get("vary"),
        Some(&HeaderEdit::Append {
            name: "vary",
            value: "X-Djust-Main-Only"
        })
    );
}

#[test]
fn rule6_no_main_passes_through_without_marker() {
    let d = with(
        &HTML,
        Body::Complete(b"<html><body><div>no main here</div></body></html>"),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::NoMain));
    assert_eq!(names(&d), ["append vary: X-Djust-Main-Only"]);
}

#[test]
fn rule6_empty_body_option_gives_djusts_answer() {
    let options = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
    let d = decide_with(
        Request::new("GET", &ASK),
        Response::new(200, &HTML, Body::Complete(b"<div>x</div>")),
        &options,
    );
    assert_eq!(d.body(), Some(""));
    assert_eq!(
        d.header_edits()
            .get("content-length")
            .and_then(HeaderEdit::value),
        Some("0")
    );
    assert_eq!(
        d.header_edits()
            .get(RESPONSE_HEADER)
            .and_then(HeaderEdit::value),
        Some("1")
    );
}

#[test]
fn rule7_repeated_content_type_lines_that_disagree_are_not_trimmed() {
    let d = page(&[
        ("Content-Type", "text/html"),
        ("content-type", "application/json"),
    ]);
    assert_eq!(d.reason(), Some(PassThroughReason::AmbiguousContentType));
    assert!(d.header_edits().is_empty());
    assert!(
        page(&[
            ("Content-Type", "text/html"),
            ("CONTENT-TYPE", "text/html; charset=utf-8")
        ])
        .is_trim()
    );
}

#[test]
fn rule7_header_names_compare_case_insensitively() {
    let d = decide(
        Request::new("GET", &[("x-DJUST-main-ONLY", "1")]),
        Response::new(
            200,
            &[("CONTENT-TYPE", "text/html"), ("etag", "\"a\"")],
            Body::Complete(PAGE.as_bytes()),
        ),
    );
    assert_eq!(
        d.header_edits().get("ETag").and_then(HeaderEdit::value),
        Some("W/\"a-main\"")
    );
}

#[test]
fn reasons_are_reported_in_check_order() {
    // Not requested wins over everything; status wins over type; type over streaming.
    let d = decide(
        Request::new("POST", NO_HEADERS),
        Response::new(500, &[("Content-Type", "x")], Body::Streaming),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::NotRequested));
    let d = decide(
        Request::new("GET", &ASK),
        Response::new(500, &[("Content-Type", "x")], Body::Streaming),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::Status));
    let d = decide(
        Request::new("GET", &ASK),
        Response::new(200, &[("Content-Type", "x")], Body::Streaming),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::NotHtml));
    let d = with(&[HTML[0], ("Content-Encoding", "gzip")], Body::Streaming);
    assert_eq!(d.reason(), Some(PassThroughReason::Streaming));
}

#[test]
fn reasons_have_stable_names_and_lowercase_messages() {
    let all = [
        PassThroughReason::NotRequested,
        PassThroughReason::Method,
        PassThroughReason::Status,
        PassThroughReason::NotHtml,
        PassThroughReason::AmbiguousContentType,
        PassThroughReason::Streaming,
        PassThroughReason::Encoded,
        PassThroughReason::NotUtf8,
        PassThroughReason::NoMain,
        PassThroughReason::PrefixLimit,
    ];
    for reason in all {
        let key = reason.as_str();
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{key}"
        );
        let message = reason.to_string();
        assert!(message.starts_with("the "), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

#[test]
fn public_types_are_send_sync_and_small() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Decision>();
    send_sync::<Request<'_, [(&str, &str)]>>();
    send_sync::<Response<'_, [(&str, &str)]>>();
    assert!(size_of::<PassThroughReason>() == 1);
    assert!(size_of::<Decision>() <= 512, "{}", size_of::<Decision>());
}
