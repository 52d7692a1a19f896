//! Character references: `&name;`, `&#digits;` and `&#xhex;`.

use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use html5ever::tendril::StrTendril;

/// The character reference at the `&` at `at`, read no further than the end of `bytes`: its
/// characters and the offset after it, or `None` where the `&` is just text.
pub(super) fn char_ref(bytes: &[u8], at: usize, in_attribute: bool) -> Option<(StrTendril, usize)> {
    match *bytes.get(at + 1)? {
        b'#' => numeric_ref(bytes, at + 2),
        b if b.is_ascii_alphanumeric() => named_ref(bytes, at + 1, in_attribute),
        _ => None,
    }
}

/// The numeric character reference whose digits (after `&#`) start at `i`.
fn numeric_ref(bytes: &[u8], i: usize) -> Option<(StrTendril, usize)> {
    let (radix, start) = match bytes.get(i) {
        Some(b'x' | b'X') => (16, i + 1),
        _ => (10, i),
    };
    let mut value: u32 = 0;
    let mut end = start;
    while let Some(digit) = bytes.get(end).and_then(|&b| (b as char).to_digit(radix)) {
        // Saturate above the last code point: the value is then out of range either way.
        value = value
            .saturating_mul(radix)
            .saturating_add(digit)
            .min(0x11_0000);
        end += 1;
    }
    if end == start {
        return None;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    let c = match value {
        0x80..=0x9F => usize::try_from(value - 0x80)
            .ok()
            .and_then(|i| C1_REPLACEMENTS[i])
            .unwrap_or_else(|| char::from_u32(value).expect("C1 controls are characters")),
        0 => '\u{FFFD}',
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    };
    Some((StrTendril::from_char(c), end))
}

/// The longest named character reference whose name starts at `i` (after `&`).
fn named_ref(bytes: &[u8], i: usize, in_attribute: bool) -> Option<(StrTendril, usize)> {
    let mut best = None;
    let mut end = i;
    while let Some(&b) = bytes.get(end) {
        if !(b.is_ascii_alphanumeric() || b == b';') {
            break;
        }
        end += 1;
        let name = std::str::from_utf8(&bytes[i..end]).expect("ASCII is UTF-8");
        match NAMED_ENTITIES.get(name) {
            None => break,
            Some(&(0, _)) => {}
            Some(&chars) => best = Some((chars, end)),
        }
        if b == b';' {
            break;
        }
    }
    let ((first, second), end) = best?;
    // For historical reasons, `&amp=` and `&ampx` in an attribute value stay as written.
    if in_attribute
        && bytes[end - 1] != b';'
        && bytes
            .get(end)
            .is_some_and(|&b| b == b'=' || b.is_ascii_alphanumeric())
    {
        return None;
    }
    let mut chars = StrTendril::new();
    for c in [first, second] {
        if let Some(c) = char::from_u32(c).filter(|&c| c != '\0') {
            chars.push_char(c);
        }
    }
    Some((chars, end))
}
