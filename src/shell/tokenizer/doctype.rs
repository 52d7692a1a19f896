//! The DOCTYPE states.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::Doctype;

use super::{is_space, tendril_replacing_nul};

/// The DOCTYPE states from `i` (after `<!DOCTYPE`), filling `doctype`: the offset after its `>`,
/// or `None` if the input ends first (the DOCTYPE then forces quirks).
pub(super) fn doctype_fields(input: &str, mut i: usize, doctype: &mut Doctype) -> Option<usize> {
    let bytes = input.as_bytes();
    let skip_space = |i: &mut usize| {
        while bytes.get(*i).is_some_and(|&b| is_space(b)) {
            *i += 1;
        }
    };
    // Until the end of the input, `force_quirks` stays set.
    doctype.force_quirks = true;
    // The DOCTYPE and before DOCTYPE name states.
    skip_space(&mut i);
    if *bytes.get(i)? == b'>' {
        return Some(i + 1);
    }
    let start = i;
    while bytes.get(i).is_some_and(|&b| !is_space(b) && b != b'>') {
        i += 1;
    }
    let name = input[start..i].to_ascii_lowercase();
    doctype.name = Some(tendril_replacing_nul(&name));
    // The after DOCTYPE name state.
    skip_space(&mut i);
    if *bytes.get(i)? == b'>' {
        doctype.force_quirks = false;
        return Some(i + 1);
    }
    let keyword = bytes.get(i..i + 6);
    let public = keyword.is_some_and(|k| k.eq_ignore_ascii_case(b"public"));
    if !public && !keyword.is_some_and(|k| k.eq_ignore_ascii_case(b"system")) {
        return bogus_doctype(bytes, i);
    }
    // After the keyword: a quoted identifier, with or without whitespace before it.
    i += 6;
    skip_space(&mut i);
    let first = if public {
        &mut doctype.public_id
    } else {
        &mut doctype.system_id
    };
    match *bytes.get(i)? {
        quote @ (b'"' | b'\'') => match quoted_id(input, i, quote, first) {
            Ok(next) => i = next,
            Err(end) => return end,
        },
        b'>' => return Some(i + 1),
        _ => return bogus_doctype(bytes, i),
    }
    if public {
        // After the public identifier: `>`, or the system identifier.
        skip_space(&mut i);
        match *bytes.get(i)? {
            b'>' => {
                doctype.force_quirks = false;
                return Some(i + 1);
            }
            quote @ (b'"' | b'\'') => match quoted_id(input, i, quote, &mut doctype.system_id) {
                Ok(next) => i = next,
                Err(end) => return end,
            },
            _ => return bogus_doctype(bytes, i),
        }
    }
    // After the system identifier, anything but `>` starts a bogus DOCTYPE, which keeps the
    // identifiers and does not force quirks.
    skip_space(&mut i);
    bytes.get(i)?;
    doctype.force_quirks = false;
    bogus_doctype(bytes, i)
}

/// The identifier quoted by the `quote` at `i`: `Ok` with the offset after the closing quote, or
/// `Err` with how the DOCTYPE ends (quirks forced) when `>` or the end of the input comes first.
fn quoted_id(
    input: &str,
    i: usize,
    quote: u8,
    id: &mut Option<StrTendril>,
) -> Result<usize, Option<usize>> {
    let bytes = input.as_bytes();
    let start = i + 1;
    let close = bytes[start..]
        .iter()
        .position(|&b| b == quote || b == b'>')
        .map(|n| start + n);
    *id = Some(tendril_replacing_nul(
        &input[start..close.unwrap_or(bytes.len())],
    ));
    match close {
        Some(close) if bytes[close] == quote => Ok(close + 1),
        Some(close) => Err(Some(close + 1)),
        None => Err(None),
    }
}

/// The bogus DOCTYPE state from `i`: the offset after the next `>`.
fn bogus_doctype(bytes: &[u8], i: usize) -> Option<usize> {
    bytes[i..]
        .iter()
        .position(|&b| b == b'>')
        .map(|n| i + n + 1)
}
