//! Server side: recognise speculative (prefetch and prerender) requests by their headers.

use super::sfv::{self, BareItem, Member};
use crate::headers::{Headers, trim_ows};

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
/// `headers` is any [`Headers`]: an array, slice or `Vec` of `(name, value)` pairs (by value
/// or by reference), or with feature `http` a `&http::HeaderMap`; names compare ASCII
/// case-insensitively and values are bytes. Recognised, strongest first:
///
/// * `Sec-Purpose` (and the older `X-Sec-Purpose`), parsed as an RFC 9651 structured-field
///   **list** (repeated lines joined with `,`): a member that is the token `prefetch` makes the
///   request a prefetch, and its boolean parameter `prerender` makes it a prerender. A value
///   that is not a valid list is ignored, as the RFC requires; tokens are case-sensitive.
/// * The legacy headers `Purpose: prefetch` (old Chrome), `X-Purpose: preview` (Safari) and
///   `X-Moz: prefetch` (Firefox), values compared OWS-trimmed and ASCII case-insensitively.
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::{SpeculationKind, speculation_kind};
///
/// assert_eq!(speculation_kind([("sec-purpose", "prefetch;prerender")]), Some(SpeculationKind::Prerender));
/// assert_eq!(speculation_kind(&[("X-Moz", "prefetch")]), Some(SpeculationKind::Prefetch));
/// assert_eq!(speculation_kind([("Sec-Purpose", "prefetch,")]), None); // not a valid list
/// ```
pub fn speculation_kind(headers: impl Headers) -> Option<SpeculationKind> {
    let structured = ["sec-purpose", "x-sec-purpose"]
        .into_iter()
        .filter_map(|name| joined(&headers, name))
        .filter_map(|value| purpose_of(&value))
        .max_by_key(|kind| *kind == SpeculationKind::Prerender);
    let legacy = [
        ("purpose", "prefetch"),
        ("x-moz", "prefetch"),
        ("x-purpose", "preview"),
    ]
    .into_iter()
    .any(|(name, expected)| {
        headers
            .values(name)
            .any(|value| trim_ows(value).eq_ignore_ascii_case(expected.as_bytes()))
    });
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
/// assert!(!is_speculative(&[("Accept", "text/html")]));
/// ```
pub fn is_speculative(headers: impl Headers) -> bool {
    speculation_kind(headers).is_some()
}

/// Every line of the field `name` joined with `,` into one list value (RFC 9651 §4.2), or
/// `None` if the field is absent. Empty lines before the first non-empty one add no comma.
fn joined(headers: &impl Headers, name: &str) -> Option<Vec<u8>> {
    let mut lines = headers.values(name).peekable();
    lines.peek()?;
    let mut value = Vec::new();
    for line in lines {
        if !value.is_empty() {
            value.push(b',');
        }
        value.extend_from_slice(line);
    }
    Some(value)
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
    fn an_empty_first_line_adds_no_comma() {
        let headers = [("Sec-Purpose", ""), ("sec-purpose", "prefetch")];
        assert_eq!(speculation_kind(headers), Some(SpeculationKind::Prefetch));
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
