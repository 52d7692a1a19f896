//! Main-only target: the decision over arbitrary methods, statuses, header lines and bodies.
//!
//! Besides "no panic", every decision is checked against the module's promises: a trim carries a
//! `content-length` equal to its body's length and the marker, and after its edits `Vary` lists
//! `X-Djust-Main-Only` (or is `*`); a pass-through edits at most `Vary`; edits name each field
//! once. `tests/main_only.rs` runs the same [`check`] from a proptest.

use arbitrary::{Arbitrary, Unstructured};
use liveshell::main_only::{
    Body, Decision, HeaderEdit, MainOnlyOptions, MissingMain, Request, Response, decide_with,
};

/// Field names the decision reads, so arbitrary input reaches every rule.
const NAMES: [&str; 12] = [
    "X-Djust-Main-Only",
    "Content-Type",
    "Content-Encoding",
    "Transfer-Encoding",
    "Vary",
    "ETag",
    "Content-MD5",
    "Digest",
    "Repr-Digest",
    "Content-Length",
    "x-djust-main-only-response",
    "Accept",
];

/// A header name: one the decision reads (by index, maybe uppercased), or any other.
/// The `main_only_stream` target shares it.
#[derive(Arbitrary, Debug)]
pub enum Name<'a> {
    Known(u8, bool),
    Other(&'a str),
}

impl<'a> Name<'a> {
    pub fn text(&self) -> String {
        match self {
            Self::Known(i, upper) => {
                let name = NAMES[usize::from(*i) % NAMES.len()];
                if *upper {
                    name.to_ascii_uppercase()
                } else {
                    name.to_owned()
                }
            }
            Self::Other(name) => (*name).to_owned(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    get: bool,
    request: Vec<(Name<'a>, &'a [u8])>,
    status: u16,
    response: Vec<(Name<'a>, &'a [u8])>,
    streaming: bool,
    wrap_in_main: bool,
    empty_body_on_missing_main: bool,
    body: &'a [u8],
}

/// Decodes arbitrary bytes into a request and a response and checks the decision.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let pairs = |lines: &[(Name<'_>, &[u8])]| -> Vec<(String, Vec<u8>)> {
        lines.iter().map(|(n, v)| (n.text(), v.to_vec())).collect()
    };
    let mut body = input.body.to_vec();
    if input.wrap_in_main {
        body.splice(0..0, *b"<main>");
        body.extend_from_slice(b"</main>");
    }
    let options = MainOnlyOptions::default().on_missing_main(if input.empty_body_on_missing_main {
        MissingMain::EmptyBody
    } else {
        MissingMain::PassThrough
    });
    let _checked = check(
        if input.get { "GET" } else { "POST" },
        &pairs(&input.request),
        input.status,
        &pairs(&input.response),
        (!input.streaming).then_some(&body[..]),
        &options,
    );
}

/// Decides and asserts the promises above; `body` `None` stands for a streamed body.
pub fn check(
    method: &str,
    request: &[(String, Vec<u8>)],
    status: u16,
    response: &[(String, Vec<u8>)],
    body: Option<&[u8]>,
    options: &MainOnlyOptions,
) -> Decision {
    let decision = decide_with(
        Request::new(method, request),
        Response::new(
            status,
            response,
            body.map_or(Body::Streaming, Body::Complete),
        ),
        options,
    );
    let edits = decision.header_edits();
    let names: Vec<_> = edits.iter().map(HeaderEdit::name).collect();
    for (i, name) in names.iter().enumerate() {
        assert!(!names[..i].contains(name), "{name} edited twice: {names:?}");
    }
    let mut after: Vec<(String, String)> = response
        .iter()
        .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    edits.apply_to(&mut after);
    let value = |name: &str| -> Vec<&str> {
        after
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    };
    match &decision {
        Decision::Trim { body: trimmed, .. } => {
            let length = trimmed.len().to_string();
            assert_eq!(value("content-length"), [length.as_str()]);
            assert_eq!(value("x-djust-main-only-response"), ["1"]);
            let vary = value("vary").join(",");
            let members: Vec<_> = vary
                .split(',')
                .map(|m| m.trim_matches([' ', '\t']))
                .collect();
            assert!(
                members
                    .iter()
                    .any(|m| *m == "*" || m.eq_ignore_ascii_case("x-djust-main-only")),
                "vary {vary:?}"
            );
            assert!(status != 204 && status != 304 && (200..400).contains(&status));
            assert!(body.is_some_and(|b| std::str::from_utf8(b).is_ok()));
        }
        Decision::PassThrough { .. } => {
            assert!(
                names.iter().all(|n| *n == "vary"),
                "pass-through edits {names:?}"
            );
        }
    }
    decision
}
