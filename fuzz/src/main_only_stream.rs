//! Main-only stream target: `decide_head` and the `Trimmer` over arbitrary headers, pages,
//! chunkings and prefix limits, differential against `decide_with` on the complete page.
//!
//! The streamed answer must equal `decide_with`'s, but for the documented differences: the prefix
//! limit (a pass-through of every byte with the `Vary` edit only), a head that went out before
//! the end (no `Content-Length`, and bytes after main's end unread), a whole trim decided before
//! the end (bytes after main's end unread: a later non-UTF-8 byte does not prevent it), and an
//! error only where `decide_with` would not trim. A pass-through sends every byte once, in order.
//! `tests/main_only_stream.rs` runs the same [`check`] from a proptest and on hand-made pages.

use arbitrary::{Arbitrary, Unstructured};
use liveshell::main_only::{
    Body, Decision, HeadDecision, HeaderEdit, HeaderEdits, Headers, MainOnlyOptions, MissingMain,
    PassThroughReason, Request, Response, TrimError, TrimStep, decide_head, decide_with,
};

use super::main_only::Name;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    get: bool,
    request: Vec<(Name<'a>, &'a [u8])>,
    status: u16,
    response: Vec<(Name<'a>, &'a [u8])>,
    empty_body_on_missing_main: bool,
    prefix_limit: Option<u16>,
    cuts: Vec<u16>,
    page: &'a [u8],
}

/// Decodes arbitrary bytes into a request, a response, a page and its cuts, and checks them.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let pairs = |lines: &[(Name<'_>, &[u8])]| -> Vec<(String, Vec<u8>)> {
        lines.iter().map(|(n, v)| (n.text(), v.to_vec())).collect()
    };
    let mut options =
        MainOnlyOptions::default().on_missing_main(if input.empty_body_on_missing_main {
            MissingMain::EmptyBody
        } else {
            MissingMain::PassThrough
        });
    if let Some(limit) = input.prefix_limit {
        options = options.prefix_limit(usize::from(limit));
    }
    let cuts: Vec<usize> = input.cuts.iter().map(|&c| usize::from(c)).collect();
    // An error is checked inside (only where decide_with would not trim).
    let _sent = check(
        if input.get { "GET" } else { "POST" },
        &pairs(&input.request),
        input.status,
        &pairs(&input.response),
        &cut(input.page, &cuts),
        &options,
    );
}

/// `page` cut at `points` (clamped, sorted, deduplicated): the chunks, in order.
pub fn cut<'p>(page: &'p [u8], points: &[usize]) -> Vec<&'p [u8]> {
    let mut points: Vec<usize> = points.iter().map(|&p| p.min(page.len())).collect();
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

/// What a host sends after driving the streamed decision over `chunks` as the layer does.
#[derive(Debug)]
pub struct Sent {
    /// The decision, as `decide_with` would name it (a trim's body is what was sent).
    pub decision: Decision,
    /// The body bytes the client gets.
    pub bytes: Vec<u8>,
    /// Whether the head went out before the whole body was read ([`TrimStep::Head`]).
    pub streamed_head: bool,
    /// Whether every chunk was read.
    pub read_to_end: bool,
}

/// Drives `decide_head` and the trimmer over `chunks`; a `TrimError` comes back as `Err`.
pub fn drive<RH, SH>(
    request: Request<'_, RH>,
    status: u16,
    headers: &SH,
    chunks: &[&[u8]],
    options: &MainOnlyOptions,
) -> Result<Sent, TrimError>
where
    RH: Headers + ?Sized,
    SH: Headers + ?Sized,
{
    let mut trimmer = match decide_head(request, status, headers, options) {
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
    let mut head = None;
    let mut read = 0;
    let mut ended = false;
    for chunk in chunks {
        read += 1;
        match trimmer.push(chunk, &mut out)? {
            TrimStep::Hold | TrimStep::More => {}
            step @ TrimStep::Head { .. } => {
                assert!(head.is_none(), "one head");
                head = Some(step);
            }
            step @ TrimStep::PassThrough { .. } => {
                assert!(head.is_none(), "one head");
                for rest in &chunks[read..] {
                    out.extend_from_slice(rest);
                }
                read = chunks.len();
                head = Some(step);
                ended = true;
                break;
            }
            step @ TrimStep::Whole { .. } => {
                assert!(head.is_none(), "one head");
                head = Some(step);
                ended = true;
                break;
            }
            TrimStep::End => {
                assert!(head.is_some(), "End follows a head");
                ended = true;
                break;
            }
            step => panic!("unknown step {step:?}"),
        }
    }
    if !ended {
        match trimmer.finish(&mut out)? {
            TrimStep::End => assert!(head.is_some(), "End follows a head"),
            step @ (TrimStep::Whole { .. } | TrimStep::PassThrough { .. }) => {
                assert!(head.is_none(), "one head");
                head = Some(step);
            }
            step => panic!("finish stepped {step:?}"),
        }
    }
    assert!(trimmer.is_finished());
    let streamed_head = matches!(head, Some(TrimStep::Head { .. }));
    let decision = match head.expect("every body is decided by its end") {
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
        step => unreachable!("{step:?} is no head"),
    };
    Ok(Sent {
        decision,
        bytes: out,
        streamed_head,
        read_to_end: read == chunks.len(),
    })
}

/// The edits as log lines.
fn lines(edits: &HeaderEdits) -> Vec<String> {
    edits.iter().map(ToString::to_string).collect()
}

/// Drives the stream and asserts it against `decide_with` on the complete page.
pub fn check(
    method: &str,
    request: &[(String, Vec<u8>)],
    status: u16,
    response: &[(String, Vec<u8>)],
    chunks: &[&[u8]],
    options: &MainOnlyOptions,
) -> Result<Sent, TrimError> {
    let page = chunks.concat();
    let want = decide_with(
        Request::new(method, request),
        Response::new(status, response, Body::Complete(&page)),
        options,
    );
    let sent = drive(
        Request::new(method, request),
        status,
        response,
        chunks,
        options,
    );
    let sent = match sent {
        Ok(sent) => sent,
        Err(error) => {
            assert!(!want.is_trim(), "{error} where decide_with trims");
            return Err(error);
        }
    };
    match (&sent.decision, &want) {
        (Decision::PassThrough { reason, .. }, _) => {
            assert_eq!(sent.bytes, page, "a pass-through sends every byte once");
            if *reason == PassThroughReason::PrefixLimit {
                assert!(page.len() > options.prefix_limit_bytes());
                let vary: Vec<_> = lines(want.header_edits())
                    .into_iter()
                    .filter(|line| line.starts_with("append vary"))
                    .collect();
                assert_eq!(lines(sent.decision.header_edits()), vary);
            } else {
                assert_eq!(sent.decision, want);
            }
        }
        (Decision::Trim { .. }, _) if !sent.streamed_head && sent.read_to_end => {
            assert_eq!(sent.decision, want);
        }
        (Decision::Trim { .. }, _) if !sent.streamed_head => {
            // Main ended before the body did and the rest was left unread: the decision is
            // `decide_with`'s on the page up to its first non-UTF-8 byte (all of it if none),
            // which the unread bytes cannot change.
            let valid = std::str::from_utf8(&page).map_or_else(|err| err.valid_up_to(), str::len);
            let read = decide_with(
                Request::new(method, request),
                Response::new(status, response, Body::Complete(&page[..valid])),
                options,
            );
            assert_eq!(sent.decision, read);
        }
        (Decision::Trim { body, header_edits }, Decision::Trim { body: whole, .. }) => {
            assert_eq!(body, whole);
            let had_length = response.values("content-length").next().is_some();
            let streamed: Vec<String> = want
                .header_edits()
                .iter()
                .filter_map(|edit| match edit {
                    HeaderEdit::Set {
                        name: "content-length",
                        ..
                    } => had_length.then(|| "remove content-length".to_owned()),
                    edit => Some(edit.to_string()),
                })
                .collect();
            assert_eq!(lines(header_edits), streamed);
        }
        (Decision::Trim { .. }, Decision::PassThrough { reason, .. }) => {
            // The documented difference: the bytes after main's end are not read.
            assert_eq!(*reason, PassThroughReason::NotUtf8);
            assert!(!sent.read_to_end);
        }
    }
    Ok(sent)
}
