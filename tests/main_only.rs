//! The main-only decision over its public API: djust's vectors M1-M20 with liveshell's answers,
//! the `http` adapter, and model-based properties. Allocation counts are in
//! `tests/main_only_alloc.rs`, whose counting allocator must not slow these tests down.

#[path = "../fuzz/src/main_only.rs"]
mod fuzz_body;

use liveshell::main_only::{
    Body, Decision, HeaderEdit, MainOnlyOptions, MissingMain, NO_HEADERS, PassThroughReason,
    Request, Response, decide, decide_with,
};
use liveshell::shell::main_inner;
use proptest::prelude::*;

const ASK: [(&str, &str); 1] = [("X-Djust-Main-Only", "1")];
const HTML: [(&str, &str); 1] = [("Content-Type", "text/html")];

/// Decides for a main-only GET with these response parts.
fn asked(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Decision {
    decide(
        Request::new("GET", &ASK),
        Response::new(status, headers, Body::Complete(body)),
    )
}

fn edit_value<'d>(decision: &'d Decision, name: &str) -> Option<&'d str> {
    decision
        .header_edits()
        .get(name)
        .and_then(HeaderEdit::value)
}

fn marker(decision: &Decision) -> Option<&str> {
    edit_value(decision, "X-Djust-Main-Only-Response")
}

// ---- djust's vectors M1-M20 (djust-behaviour.md §1c), with liveshell's answers ----

#[test]
fn m1_header_present_html_response_extracts_main_inner() {
    let page = "<!DOCTYPE html><html><head><title>t</title></head><body><nav>n</nav><main>HELLO</main><footer>f</footer></body></html>";
    let d = asked(
        200,
        &[("Content-Type", "text/html; charset=utf-8")],
        page.as_bytes(),
    );
    assert_eq!(d.body(), Some("HELLO"));
    assert_eq!(marker(&d), Some("1"));
}

#[test]
fn m2_header_absent_passes_through_unchanged_but_varies() {
    let d = decide(
        Request::new("GET", NO_HEADERS),
        Response::new(
            200,
            &HTML,
            Body::Complete(b"<html><body><main>only</main></body></html>"),
        ),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::NotRequested));
    assert_eq!(marker(&d), None);
    // Deviation (1d.9): the full page also gets `Vary`, so caches keep the variants apart.
    assert_eq!(edit_value(&d, "vary"), Some("X-Djust-Main-Only"));
}

#[test]
fn m3_non_html_response_passes_through() {
    let d = asked(
        200,
        &[("Content-Type", "application/json")],
        br#"{"foo": "bar"}"#,
    );
    assert_eq!(d.reason(), Some(PassThroughReason::NotHtml));
    assert!(d.header_edits().is_empty());
}

#[test]
fn m4_missing_main_passes_through_without_marker() {
    let page = b"<html><body><div>no main here</div></body></html>";
    // Deviation (1d.12): djust answers an empty body with the marker; liveshell passes through.
    let d = asked(200, &HTML, page);
    assert_eq!(d.reason(), Some(PassThroughReason::NoMain));
    assert_eq!(marker(&d), None);
    // djust's answer, on request.
    let djust = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
    let d = decide_with(
        Request::new("GET", &ASK),
        Response::new(200, &HTML, Body::Complete(page)),
        &djust,
    );
    assert_eq!(d.body(), Some(""));
    assert_eq!(edit_value(&d, "content-length"), Some("0"));
    assert_eq!(marker(&d), Some("1"));
}

#[test]
fn m5_main_with_attributes_still_extracted() {
    let page =
        br#"<main id="djust-main" class="container" role="main"><h1>Title</h1><p>body</p></main>"#;
    assert_eq!(
        asked(200, &HTML, page).body(),
        Some("<h1>Title</h1><p>body</p>")
    );
}

#[test]
fn m6_content_length_updated_correctly() {
    let page = format!("<main>{}</main>", "abc".repeat(100));
    let d = asked(
        200,
        &[("Content-Type", "text/html"), ("Content-Length", "313")],
        page.as_bytes(),
    );
    assert_eq!(d.body().map(str::len), Some(300));
    assert_eq!(edit_value(&d, "content-length"), Some("300"));
}

#[test]
fn m7_streaming_response_passes_through() {
    let d = decide(
        Request::new("GET", &ASK),
        Response::new(200, &HTML, Body::Streaming),
    );
    assert_eq!(d.reason(), Some(PassThroughReason::Streaming));
    assert_eq!(marker(&d), None);
}

#[test]
fn m8_3xx_redirect_is_still_trimmed() {
    let d = asked(
        302,
        &[("Content-Type", "text/html"), ("Location", "/new/")],
        b"<main>redirect body</main>",
    );
    assert_eq!(d.body(), Some("redirect body"));
    assert_eq!(marker(&d), Some("1"));
    assert!(
        d.header_edits().get("location").is_none(),
        "status and Location are kept"
    );
}

#[test]
fn m9_m10_error_responses_are_not_trimmed() {
    for status in [404, 500] {
        let d = asked(
            status,
            &HTML,
            b"<html><body><main>oops</main></body></html>",
        );
        assert_eq!(d.reason(), Some(PassThroughReason::Status), "{status}");
        assert!(d.header_edits().is_empty(), "{status}");
    }
}

#[test]
fn m11_xhtml_content_type_is_treated_as_html() {
    let d = asked(
        200,
        &[("Content-Type", "application/xhtml+xml")],
        b"<main>xhtml body</main>",
    );
    assert_eq!(d.body(), Some("xhtml body"));
    assert_eq!(marker(&d), Some("1"));
}

#[test]
fn m12_html_content_type_with_charset_and_boundary_suffix() {
    let d = asked(
        200,
        &[("Content-Type", "text/html; charset=utf-8; boundary=xyz")],
        b"<main>hi</main>",
    );
    assert_eq!(d.body(), Some("hi"));
}

#[test]
fn m13_rss_feed_content_type_passes_through() {
    let d = asked(
        200,
        &[("Content-Type", "application/rss+xml")],
        b"<main>x</main>",
    );
    assert_eq!(d.reason(), Some(PassThroughReason::NotHtml));
}

#[test]
fn m14_content_type_case_and_spaces_are_ignored() {
    for ct in ["TEXT/HTML", " text/html ;x"] {
        assert_eq!(
            asked(200, &[("Content-Type", ct)], b"<main>a</main>").body(),
            Some("a"),
            "{ct:?}"
        );
    }
}

#[test]
fn m15_near_miss_or_missing_content_types_pass_through() {
    for ct in ["text/htm", "text/html+x"] {
        let d = asked(200, &[("Content-Type", ct)], b"<main>a</main>");
        assert_eq!(d.reason(), Some(PassThroughReason::NotHtml), "{ct:?}");
    }
    assert_eq!(
        asked(200, NO_HEADERS, b"<main>a</main>").reason(),
        Some(PassThroughReason::NotHtml)
    );
}

#[test]
fn m16_header_value_must_be_one() {
    let ask = |value: &str| {
        decide(
            Request::new("GET", &[("X-Djust-Main-Only", value)]),
            Response::new(200, &HTML, Body::Complete(b"<main>a</main>")),
        )
    };
    for value in ["true", "1,1"] {
        assert_eq!(
            ask(value).reason(),
            Some(PassThroughReason::NotRequested),
            "{value:?}"
        );
    }
    // Deviation (the issue's rule 1): spaces and tabs around `1` are trimmed, djust wants exact "1".
    assert_eq!(ask(" 1").body(), Some("a"));
}

#[test]
fn m17_content_length_counts_bytes() {
    let d = asked(200, &HTML, "<main>é</main>".as_bytes());
    assert_eq!(d.body().map(str::as_bytes), Some(&[0xc3, 0xa9][..]));
    assert_eq!(edit_value(&d, "content-length"), Some("2"));
}

#[test]
fn m18_non_utf8_bodies_pass_through() {
    let d = asked(200, &HTML, b"<main>caf\xe9</main>");
    assert_eq!(d.reason(), Some(PassThroughReason::NotUtf8));
    let gzip = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00];
    assert_eq!(
        asked(200, &HTML, &gzip).reason(),
        Some(PassThroughReason::NotUtf8)
    );
    // Deviation (1d.10): with its header, gzip is `Encoded` by rule, not by a failed decode.
    let d = asked(
        200,
        &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        &gzip,
    );
    assert_eq!(d.reason(), Some(PassThroughReason::Encoded));
    assert_eq!(marker(&d), None);
}

#[test]
fn m19_status_399_is_trimmed_and_400_is_not() {
    assert_eq!(asked(399, &HTML, b"<main>a</main>").body(), Some("a"));
    assert_eq!(
        asked(400, &HTML, b"<main>a</main>").reason(),
        Some(PassThroughReason::Status)
    );
}

#[test]
fn m20_no_content_and_not_modified_pass_through() {
    for status in [204, 304] {
        assert_eq!(
            asked(status, NO_HEADERS, b"").reason(),
            Some(PassThroughReason::Status)
        );
        // Even when the host labels them HTML.
        assert_eq!(
            asked(status, &HTML, b"<main>a</main>").reason(),
            Some(PassThroughReason::Status)
        );
    }
}

// ---- regex-era traps: the parser finds the right <main> ----

#[test]
fn main_is_found_by_the_html_parser_not_a_regex() {
    let page = b"<!-- <main>c</main> --><main-nav>A</main-nav><main data-x='a>b'>real<script>'</main>'</script></main>";
    assert_eq!(
        asked(200, &HTML, page).body(),
        Some("real<script>'</main>'</script>")
    );
}

// ---- the http adapter ----

#[cfg(feature = "http")]
mod http_adapter {
    use liveshell::main_only::{MainOnlyOptions, MissingMain, apply, apply_with};

    fn response(headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
        let mut builder = http::Response::builder();
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder
            .body(body.as_bytes().to_vec())
            .expect("valid response")
    }

    fn get(main_only: bool) -> http::Request<()> {
        let builder = http::Request::get("/page/");
        let builder = if main_only {
            builder.header("X-Djust-Main-Only", "1")
        } else {
            builder
        };
        builder.body(()).expect("valid request")
    }

    fn lines<'h>(response: &'h http::Response<Vec<u8>>, name: &str) -> Vec<&'h str> {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().expect("ascii"))
            .collect()
    }

    #[test]
    fn apply_trims_and_rewrites_every_header() {
        let headers = [
            ("Content-Type", "text/html"),
            ("Vary", "Accept-Encoding"),
            ("vary", "Cookie"),
            ("ETag", "\"v7\""),
            ("Content-MD5", "x"),
            ("Digest", "sha-256=x"),
            ("Repr-Digest", "sha-256=:x:"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "999"),
            ("Last-Modified", "Sat, 21 Nov 2026 00:00:00 GMT"),
        ];
        let out = apply(
            &get(true),
            response(&headers, "<nav>n</nav><main>HELLO</main>"),
        );
        assert_eq!(out.body(), b"HELLO");
        assert_eq!(
            lines(&out, "vary"),
            ["Accept-Encoding", "Cookie", "X-Djust-Main-Only"]
        );
        assert_eq!(lines(&out, "content-length"), ["5"]);
        assert_eq!(lines(&out, "x-djust-main-only-response"), ["1"]);
        assert_eq!(lines(&out, "etag"), ["W/\"v7-main\""]);
        for gone in ["content-md5", "digest", "repr-digest", "transfer-encoding"] {
            assert!(out.headers().get(gone).is_none(), "{gone}");
        }
        assert_eq!(lines(&out, "last-modified").len(), 1);
        assert_eq!(out.status(), 200);
    }

    #[test]
    fn apply_removes_a_malformed_etag() {
        let out = apply(
            &get(true),
            response(
                &[("Content-Type", "text/html"), ("ETag", "v7")],
                "<main>x</main>",
            ),
        );
        assert!(out.headers().get("etag").is_none());
    }

    #[test]
    fn apply_passes_a_normal_navigation_through_with_vary() {
        let page = "<main>x</main><footer>f</footer>";
        let out = apply(
            &get(false),
            response(&[("Content-Type", "text/html")], page),
        );
        assert_eq!(out.body(), page.as_bytes());
        assert_eq!(lines(&out, "vary"), ["X-Djust-Main-Only"]);
        assert!(out.headers().get("x-djust-main-only-response").is_none());
    }

    #[test]
    fn apply_never_touches_encoded_bytes() {
        let gzip = vec![0x1f, 0x8b, 0x08, 0x00];
        let mut response = response(
            &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            "",
        );
        *response.body_mut() = gzip.clone();
        let out = apply(&get(true), response);
        assert_eq!(out.body(), &gzip);
        assert!(out.headers().get("content-length").is_none());
    }

    #[test]
    fn apply_with_empty_body_option_answers_like_djust() {
        let djust = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
        let out = apply_with(
            &get(true),
            response(&[("Content-Type", "text/html")], "<p>no main</p>"),
            &djust,
        );
        assert!(out.body().is_empty());
        assert_eq!(lines(&out, "x-djust-main-only-response"), ["1"]);
    }
}

// ---- properties ----

/// What a pooled response header line means, for the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    /// A `Content-Type` line: (HTML or XHTML media type, or neither; charset is UTF-8 or absent).
    Type(Option<&'static str>, bool),
    Encoded,
    /// A `Vary` line that already covers the request header.
    VaryCovers,
    /// An `ETag` line, and the weak tag it becomes (`None`: malformed).
    Etag(Option<&'static str>),
    /// A field a trim removes.
    Removed(&'static str),
    Inert,
}

#[rustfmt::skip]
const RESPONSE_POOL: [(&str, &str, Meaning); 20] = [
    ("Content-Type", "text/html", Meaning::Type(Some("html"), true)),
    ("content-type", "TEXT/HTML; charset=UTF-8", Meaning::Type(Some("html"), true)),
    ("Content-Type", "application/xhtml+xml", Meaning::Type(Some("xhtml"), true)),
    ("Content-Type", "text/html; charset=latin1", Meaning::Type(Some("html"), false)),
    ("Content-Type", "application/json", Meaning::Type(None, true)),
    ("Content-Encoding", "gzip", Meaning::Encoded),
    ("Transfer-Encoding", "br, chunked", Meaning::Encoded),
    ("Content-Encoding", "identity", Meaning::Inert),
    ("Transfer-Encoding", "chunked", Meaning::Removed("transfer-encoding")),
    ("Vary", "Accept-Encoding", Meaning::Inert),
    ("vary", "Cookie, X-DJUST-MAIN-ONLY", Meaning::VaryCovers),
    ("Vary", "*", Meaning::VaryCovers),
    ("ETag", "\"v1\"", Meaning::Etag(Some("W/\"v1-main\""))),
    ("etag", "W/\"v2\"", Meaning::Etag(Some("W/\"v2-main\""))),
    ("ETag", "v3", Meaning::Etag(None)),
    ("Content-MD5", "Q2hlY2s=", Meaning::Removed("content-md5")),
    ("DIGEST", "sha-256=x", Meaning::Removed("digest")),
    ("Repr-Digest", "sha-256=:x:", Meaning::Removed("repr-digest")),
    ("Content-Length", "12345", Meaning::Inert),
    ("Last-Modified", "Sat, 21 Nov 2026 00:00:00 GMT", Meaning::Inert),
];

/// Request lines, and whether each one alone asks for main only.
const REQUEST_POOL: [(&str, &str, bool); 5] = [
    ("X-Djust-Main-Only", "1", true),
    ("x-djust-main-only", " 1\t", true),
    ("X-DJUST-MAIN-ONLY", "true", false),
    ("X-Djust-Main-Only", "1,1", false),
    ("Accept", "text/html", false),
];

const BODIES: [&[u8]; 6] = [
    b"<!DOCTYPE html><nav>n</nav><main class=c>HELLO <b>world</b></main><footer>f</footer>",
    "<main>caf\u{e9} \u{1f600}</main>".as_bytes(),
    b"<main></main>",
    b"<div>no main</div>",
    b"<main>caf\xe9</main>",
    b"",
];

/// The model: the decision's reason (or `None` for a trim) and its edits as log lines, computed
/// from the meanings of the pooled lines, with `shell::main_inner` as the oracle for the body.
fn model(
    get: bool,
    request: &[usize],
    status: u16,
    response: &[usize],
    body: Option<&[u8]>,
    empty_on_missing: bool,
) -> (Result<String, PassThroughReason>, Vec<String>) {
    let meanings: Vec<Meaning> = response.iter().map(|&i| RESPONSE_POOL[i].2).collect();
    let trigger_lines: Vec<bool> = request
        .iter()
        .filter(|&&i| REQUEST_POOL[i].0.eq_ignore_ascii_case("x-djust-main-only"))
        .map(|&i| REQUEST_POOL[i].2)
        .collect();
    let requested = trigger_lines == [true];
    let status_ok = (200..400).contains(&status) && ![204, 206, 304].contains(&status);
    let types: Vec<(Option<&str>, bool)> = meanings
        .iter()
        .filter_map(|m| match m {
            Meaning::Type(kind, utf8) => Some((*kind, *utf8 || kind.is_none())),
            _ => None,
        })
        .collect();
    let html_lines = types.iter().filter(|(kind, _)| kind.is_some()).count();
    let agree = types.windows(2).all(|w| w[0] == w[1]);
    let html = status_ok && html_lines > 0 && agree;
    let mut edits = Vec::new();
    if html && !meanings.contains(&Meaning::VaryCovers) {
        edits.push("append vary: X-Djust-Main-Only".to_owned());
    }
    let outcome = if !requested {
        Err(PassThroughReason::NotRequested)
    } else if !get {
        Err(PassThroughReason::Method)
    } else if !status_ok {
        Err(PassThroughReason::Status)
    } else if html_lines == 0 {
        Err(PassThroughReason::NotHtml)
    } else if !agree {
        Err(PassThroughReason::AmbiguousContentType)
    } else if body.is_none() {
        Err(PassThroughReason::Streaming)
    } else if meanings.contains(&Meaning::Encoded) {
        Err(PassThroughReason::Encoded)
    } else {
        match std::str::from_utf8(body.unwrap_or_default()) {
            Ok(page) if types[0].1 => match main_inner(page) {
                Some(inner) => Ok(inner),
                None if empty_on_missing => Ok(String::new()),
                None => Err(PassThroughReason::NoMain),
            },
            _ => Err(PassThroughReason::NotUtf8),
        }
    };
    if let Ok(trimmed) = &outcome {
        edits.push(format!("set content-length: {}", trimmed.len()));
        edits.push("set x-djust-main-only-response: 1".to_owned());
        let etags: Vec<_> = meanings
            .iter()
            .filter_map(|m| {
                if let Meaning::Etag(e) = m {
                    Some(*e)
                } else {
                    None
                }
            })
            .collect();
        match etags[..] {
            [] => {}
            [Some(weak)] => edits.push(format!("set etag: {weak}")),
            _ => edits.push("remove etag".to_owned()),
        }
        for name in ["content-md5", "digest", "repr-digest", "transfer-encoding"] {
            if meanings.contains(&Meaning::Removed(name)) {
                edits.push(format!("remove {name}"));
            }
        }
    }
    (outcome, edits)
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![100, 200, 201, 204, 206, 301, 304, 399, 400, 404, 500]),
        any::<u16>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decision_matches_the_model(
        get in any::<bool>(),
        request in prop::collection::vec(0..REQUEST_POOL.len(), 0..3),
        status in statuses(),
        response in prop::collection::vec(0..RESPONSE_POOL.len(), 0..6),
        body in prop::option::weighted(0.9, 0..BODIES.len()),
        empty_on_missing in any::<bool>(),
    ) {
        let request_lines: Vec<(String, Vec<u8>)> =
            request.iter().map(|&i| (REQUEST_POOL[i].0.to_owned(), REQUEST_POOL[i].1.as_bytes().to_vec())).collect();
        let response_lines: Vec<(String, Vec<u8>)> =
            response.iter().map(|&i| (RESPONSE_POOL[i].0.to_owned(), RESPONSE_POOL[i].1.as_bytes().to_vec())).collect();
        let body = body.map(|i| BODIES[i]);
        let options = MainOnlyOptions::default()
            .on_missing_main(if empty_on_missing { MissingMain::EmptyBody } else { MissingMain::PassThrough });
        // The fuzz target's checks: length and marker on a trim, Vary covered, pass-through edits.
        let decision = fuzz_body::check(
            if get { "GET" } else { "POST" }, &request_lines, status, &response_lines, body, &options,
        );
        let (outcome, edits) = model(get, &request, status, &response, body, empty_on_missing);
        let got: Vec<String> = decision.header_edits().iter().map(ToString::to_string).collect();
        prop_assert_eq!(got, edits);
        match decision {
            Decision::Trim { body, .. } => prop_assert_eq!(Ok(body), outcome),
            Decision::PassThrough { reason, .. } => prop_assert_eq!(Err(reason), outcome),
        }
    }

    #[test]
    fn arbitrary_bytes_never_break_a_decision(data in prop::collection::vec(any::<u8>(), 0..512)) {
        fuzz_body::run(&data);
    }
}
