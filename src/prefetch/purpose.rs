//! Server side: recognise speculative (prefetch and prerender) requests by their headers.

use super::sfv::{self, BareItem, Member};

/// What kind of speculative request a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpeculationKind {
    /// A prefetch: the response body may be shown later, or never.
    Prefetch,
    /// A prerender (`Sec-Purpose: prefetch;prerender`): the page will also run, hidden.
    Prerender,
}

/// Which speculative request `headers` describe, if any.
///
/// `headers` are `(name, value)` pairs, names compared ASCII case-insensitively; a
/// `&http::HeaderMap` works as is. Recognised, strongest first:
///
/// * `Sec-Purpose` (and the older `X-Sec-Purpose`), parsed as an RFC 9651 structured-field
///   **list** (repeated lines joined with `,`): a member that is the token `prefetch` makes the
///   request a prefetch, and its boolean parameter `prerender` makes it a prerender. A value
///   that is not a valid list is ignored, as the RFC requires; tokens are case-sensitive.
/// * The legacy headers `Purpose: prefetch` (old Chrome), `X-Purpose: preview` (Safari) and
///   `X-Moz: prefetch` (Firefox), values compared trimmed and ASCII case-insensitively.
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::{SpeculationKind, speculation_kind};
///
/// assert_eq!(speculation_kind([("sec-purpose", "prefetch;prerender")]), Some(SpeculationKind::Prerender));
/// assert_eq!(speculation_kind([("X-Moz", "prefetch")]), Some(SpeculationKind::Prefetch));
/// assert_eq!(speculation_kind([("Sec-Purpose", "prefetch,")]), None); // not a valid list
/// ```
pub fn speculation_kind<I, N, V>(headers: I) -> Option<SpeculationKind>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<[u8]>,
{
    let mut sec_purpose: [Option<Vec<u8>>; 2] = [None, None];
    let mut legacy = false;
    for (name, value) in headers {
        let (name, value) = (name.as_ref(), value.as_ref());
        let slot = if name.eq_ignore_ascii_case("sec-purpose") {
            Some(0)
        } else if name.eq_ignore_ascii_case("x-sec-purpose") {
            Some(1)
        } else {
            legacy |= is_legacy(name, value);
            None
        };
        if let Some(i) = slot {
            let joined = sec_purpose[i].get_or_insert_with(Vec::new);
            if !joined.is_empty() {
                joined.push(b',');
            }
            joined.extend_from_slice(value);
        }
    }
    let structured = sec_purpose
        .iter()
        .flatten()
        .filter_map(|value| purpose_of(value))
        .max_by_key(|kind| *kind == SpeculationKind::Prerender);
    structured.or(legacy.then_some(SpeculationKind::Prefetch))
}

/// Whether `headers` mark a speculative request (see [`speculation_kind`]), so a server can
/// skip side effects and analytics for it.
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::is_speculative;
///
/// assert!(is_speculative([("Sec-Purpose", "prefetch")]));
/// assert!(is_speculative(vec![("Purpose".to_string(), b"prefetch".to_vec())]));
/// assert!(!is_speculative([("Accept", "text/html")]));
/// ```
pub fn is_speculative<I, N, V>(headers: I) -> bool
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<[u8]>,
{
    speculation_kind(headers).is_some()
}

/// The purpose a valid `Sec-Purpose` list value states.
fn purpose_of(value: &[u8]) -> Option<SpeculationKind> {
    let mut found = None;
    for member in sfv::parse_list(value)? {
        let Member::Item(BareItem::Token(token), params) = member else {
            continue;
        };
        if token != "prefetch" {
            continue;
        }
        let prerender = params
            .iter()
            .any(|(key, value)| key == "prerender" && *value == BareItem::Boolean(true));
        if prerender {
            return Some(SpeculationKind::Prerender);
        }
        found = Some(SpeculationKind::Prefetch);
    }
    found
}

fn is_legacy(name: &str, value: &[u8]) -> bool {
    let expected = if name.eq_ignore_ascii_case("purpose") || name.eq_ignore_ascii_case("x-moz") {
        "prefetch"
    } else if name.eq_ignore_ascii_case("x-purpose") {
        "preview"
    } else {
        return false;
    };
    value.trim_ascii().eq_ignore_ascii_case(expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_sec_purpose_lines_are_joined_into_one_list() {
        let headers = [
            ("Sec-Purpose", "anonymous"),
            ("sec-purpose", "prefetch;prerender"),
        ];
        assert_eq!(speculation_kind(headers), Some(SpeculationKind::Prerender));
    }

    #[test]
    fn prerender_parameter_false_is_a_plain_prefetch() {
        assert_eq!(
            speculation_kind([("Sec-Purpose", "prefetch;prerender=?0")]),
            Some(SpeculationKind::Prefetch)
        );
    }

    #[test]
    fn invalid_sec_purpose_still_lets_a_legacy_header_count() {
        let headers = [("Sec-Purpose", "prefetch;;"), ("X-Purpose", " Preview ")];
        assert_eq!(speculation_kind(headers), Some(SpeculationKind::Prefetch));
    }
}
