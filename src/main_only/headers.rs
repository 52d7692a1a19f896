//! The field parsers the decision needs, over the crate's [`Headers`].
//!
//! Every parser works on bytes, so a value that is not UTF-8 (`obs-text`) never panics: it is
//! either ignored or read as "not what we were looking for", whichever is the safe answer.

use crate::headers::{Headers, list_members, trim_ows};

/// Whether the request asks for the main-only variant: exactly one `X-Djust-Main-Only` line whose
/// value, trimmed of spaces and tabs, is `1`.
pub(super) fn is_requested(headers: &(impl Headers + ?Sized)) -> bool {
    let mut lines = headers.values(super::REQUEST_HEADER);
    matches!((lines.next(), lines.next()), (Some(value), None) if trim_ows(value) == b"1")
}

/// What a response's `Content-Type` field lines say, taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContentType {
    /// HTML or XHTML; `utf8` is false when a charset parameter names another encoding.
    Html { utf8: bool },
    /// Absent, or a type other than HTML on every line.
    NotHtml,
    /// Several lines that disagree, at least one of them HTML.
    Ambiguous,
}

/// One `Content-Type` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineType {
    Html { utf8: bool },
    Xhtml { utf8: bool },
    Other,
}

pub(super) fn content_type(headers: &(impl Headers + ?Sized)) -> ContentType {
    let mut lines = headers.values("content-type").map(line_type);
    let Some(first) = lines.next() else {
        return ContentType::NotHtml;
    };
    let mut all_other = first == LineType::Other;
    let mut agree = true;
    for line in lines {
        all_other &= line == LineType::Other;
        agree &= line == first;
    }
    match first {
        _ if all_other => ContentType::NotHtml,
        _ if !agree => ContentType::Ambiguous,
        LineType::Html { utf8 } | LineType::Xhtml { utf8 } => ContentType::Html { utf8 },
        LineType::Other => ContentType::NotHtml,
    }
}

/// Reads one `Content-Type` value: the media type before the first `;` (OWS-trimmed, ASCII
/// case-insensitive) and every `charset` parameter.
fn line_type(value: &[u8]) -> LineType {
    let mut parts = value.split(|&b| b == b';');
    let media = trim_ows(parts.next().unwrap_or_default());
    let utf8 = parts.all(|param| {
        let mut name_value = param.splitn(2, |&b| b == b'=');
        let name = trim_ows(name_value.next().unwrap_or_default());
        match name_value.next() {
            Some(charset) if name.eq_ignore_ascii_case(b"charset") => is_utf8_label(charset),
            _ => true,
        }
    });
    if media.eq_ignore_ascii_case(b"text/html") {
        LineType::Html { utf8 }
    } else if media.eq_ignore_ascii_case(b"application/xhtml+xml") {
        LineType::Xhtml { utf8 }
    } else {
        LineType::Other
    }
}

/// The WHATWG Encoding Standard's labels for UTF-8.
const UTF8_LABELS: [&[u8]; 6] = [
    b"utf-8",
    b"utf8",
    b"unicode-1-1-utf-8",
    b"unicode11utf8",
    b"unicode20utf8",
    b"x-unicode20utf8",
];

/// Whether a charset parameter value (a token or a quoted string) is a label of UTF-8.
fn is_utf8_label(value: &[u8]) -> bool {
    let value = trim_ows(value);
    let label = match value {
        [b'"', inner @ .., b'"'] => inner,
        _ => value,
    };
    UTF8_LABELS
        .iter()
        .any(|known| label.eq_ignore_ascii_case(known))
}

/// Whether a content or transfer coding other than `identity` (and `chunked`, for transfer
/// codings) is declared: the body bytes are then not the HTML text.
pub(super) fn is_encoded(headers: &(impl Headers + ?Sized)) -> bool {
    list_members(headers, "content-encoding")
        .any(|coding| !coding.eq_ignore_ascii_case(b"identity"))
        || list_members(headers, "transfer-encoding").any(|coding| {
            !coding.eq_ignore_ascii_case(b"identity") && !coding.eq_ignore_ascii_case(b"chunked")
        })
}

/// Whether `Vary` must gain `X-Djust-Main-Only`: false when it is already listed (in any line, any
/// case) or when `Vary: *` already varies on everything.
pub(super) fn vary_lacks_request_header(headers: &(impl Headers + ?Sized)) -> bool {
    // The same rule as `Vary::contains`, read without collecting: a pass-through allocates
    // nothing (tests/main_only_alloc.rs).
    !list_members(headers, "vary").any(|member| {
        member == b"*" || member.eq_ignore_ascii_case(super::REQUEST_HEADER.as_bytes())
    })
}

/// What becomes of the response's `ETag` when the body is trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum EtagEdit {
    /// No `ETag` field: nothing to do.
    Absent,
    /// One well-formed entity tag: replace it with this weak, distinct one.
    Weaken(String),
    /// Several lines, or a malformed value: drop it rather than keep a tag for the full page.
    Remove,
}

/// The weak entity tag of the trimmed body: `W/"<opaque>-main"` from a strong or weak
/// `"<opaque>"`. The opaque part gains a suffix, so the tag never matches the full page's, even
/// under weak comparison.
pub(super) fn etag_edit(headers: &(impl Headers + ?Sized)) -> EtagEdit {
    let mut lines = headers.values("etag");
    let (Some(value), None) = (lines.next(), lines.next()) else {
        return if headers.values("etag").next().is_some() {
            EtagEdit::Remove
        } else {
            EtagEdit::Absent
        };
    };
    let tag = trim_ows(value);
    let tag = tag.strip_prefix(b"W/").unwrap_or(tag);
    let opaque = match tag {
        [b'"', inner @ .., b'"']
            if inner
                .iter()
                .all(|&b| b == 0x21 || (0x23..=0x7e).contains(&b)) =>
        {
            inner
        }
        _ => return EtagEdit::Remove,
    };
    let mut weak = String::with_capacity(opaque.len() + 9);
    weak.push_str("W/\"");
    // The opaque part is printable ASCII (checked above), so every byte is its own char.
    weak.extend(opaque.iter().map(|&b| char::from(b)));
    weak.push_str("-main\"");
    EtagEdit::Weaken(weak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_needs_exactly_one_line_of_one() {
        assert!(is_requested(&[("x-djust-main-only", " \t1 ")]));
        for value in ["true", "0", "1,1", "11", "", "\n1"] {
            assert!(!is_requested(&[("X-Djust-Main-Only", value)]), "{value:?}");
        }
        assert!(!is_requested(&[
            ("X-Djust-Main-Only", "1"),
            ("X-Djust-Main-Only", "1")
        ]));
        assert!(!is_requested(super::super::NO_HEADERS));
    }

    #[test]
    fn content_type_reads_media_type_and_charset() {
        let ct = |v: &str| content_type(&[("Content-Type", v)]);
        let html = |utf8| ContentType::Html { utf8 };
        for (value, want) in [
            ("TEXT/HTML", html(true)),
            (" text/html ;x", html(true)),
            ("application/xhtml+xml; charset=\"UTF8\"", html(true)),
            ("text/html; charset=ISO-8859-1", html(false)),
            ("text/html; charset=us-ascii", html(false)),
            ("text/html;charset=utf-8;charset=latin1", html(false)),
        ] {
            assert_eq!(ct(value), want, "{value:?}");
        }
        for other in [
            "text/htm",
            "text/html+x",
            "application/json",
            "",
            "text/html, text/html",
        ] {
            assert_eq!(ct(other), ContentType::NotHtml, "{other:?}");
        }
        assert_eq!(content_type(super::super::NO_HEADERS), ContentType::NotHtml);
    }

    #[test]
    fn repeated_content_type_lines_must_agree() {
        let two = |a: &str, b: &str| content_type(&[("Content-Type", a), ("content-type", b)]);
        assert_eq!(
            two("text/html", "TEXT/HTML; charset=utf-8"),
            ContentType::Html { utf8: true }
        );
        assert_eq!(two("text/html", "application/json"), ContentType::Ambiguous);
        assert_eq!(
            two("text/html", "application/xhtml+xml"),
            ContentType::Ambiguous
        );
        assert_eq!(
            two("text/html", "text/html; charset=latin1"),
            ContentType::Ambiguous
        );
        assert_eq!(two("text/plain", "application/json"), ContentType::NotHtml);
    }

    #[test]
    fn codings_other_than_identity_are_encoded() {
        assert!(!is_encoded(&[
            ("Content-Encoding", "identity"),
            ("Content-Encoding", " ")
        ]));
        assert!(!is_encoded(&[("Transfer-Encoding", "chunked")]));
        assert!(is_encoded(&[("content-encoding", "identity, gzip")]));
        assert!(is_encoded(&[("Content-Encoding", "br")]));
        assert!(is_encoded(&[("Transfer-Encoding", "gzip, chunked")]));
        assert!(is_encoded(&[("Content-Encoding", b"\xff".as_slice())]));
    }

    #[test]
    fn vary_is_merged_once_and_star_is_left_alone() {
        assert!(vary_lacks_request_header(super::super::NO_HEADERS));
        assert!(vary_lacks_request_header(&[("Vary", "Accept-Encoding")]));
        assert!(!vary_lacks_request_header(&[
            ("Vary", "Accept"),
            ("vary", "x-djust-MAIN-only")
        ]));
        assert!(!vary_lacks_request_header(&[("Vary", "Cookie, *")]));
        assert!(vary_lacks_request_header(&[(
            "Vary",
            "X-Djust-Main-Only-Response"
        )]));
    }

    #[test]
    fn etag_becomes_weak_and_distinct() {
        let edit = |v: &str| etag_edit(&[("ETag", v)]);
        assert_eq!(edit("\"abc\""), EtagEdit::Weaken("W/\"abc-main\"".into()));
        assert_eq!(edit("W/\"abc\""), EtagEdit::Weaken("W/\"abc-main\"".into()));
        assert_eq!(edit("\"\""), EtagEdit::Weaken("W/\"-main\"".into()));
        for bad in ["abc", "\"a\"b\"", "w/\"a\"", "\"", "\"\u{e9}\""] {
            assert_eq!(edit(bad), EtagEdit::Remove, "{bad:?}");
        }
        assert_eq!(
            etag_edit(&[("ETag", "\"a\""), ("etag", "\"a\"")]),
            EtagEdit::Remove
        );
        assert_eq!(etag_edit(&[("Age", "1")]), EtagEdit::Absent);
    }
}
