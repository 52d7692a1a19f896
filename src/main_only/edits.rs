//! Header edits: the exact changes a host makes to the response's header fields.

use std::borrow::Cow;
use std::fmt;

/// One change to the response's header fields, applied mechanically by the host.
///
/// Names are lowercase (the HTTP/2 form); a host compares them ASCII case-insensitively with its
/// own field names. Values are exact, visible ASCII, ready to send. A [`HeaderEdits`] never holds
/// two edits for the same name, so the order in which a host applies them does not matter.
///
/// | edit | what the host does |
/// |---|---|
/// | `Set` | remove every line of the field, then add one line `name: value` |
/// | `Append` | add one line `name: value` after the existing ones; a store that keeps one value per name appends `", "` and the value to the existing value instead (RFC 9110 §5.3 makes the two forms equal) |
/// | `Remove` | remove every line of the field |
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderEdit {
    /// Replace every line of the field with one line holding `value`.
    Set {
        /// The field name, lowercase.
        name: &'static str,
        /// The exact value.
        value: Cow<'static, str>,
    },
    /// Add one more line (or list member) to a list-valued field such as `Vary`.
    Append {
        /// The field name, lowercase.
        name: &'static str,
        /// The exact value of the new line.
        value: &'static str,
    },
    /// Remove every line of the field.
    Remove {
        /// The field name, lowercase.
        name: &'static str,
    },
}

impl HeaderEdit {
    /// The lowercase name of the field this edit changes.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Set { name, .. } | Self::Append { name, .. } | Self::Remove { name } => name,
        }
    }

    /// The value this edit writes, or `None` for a removal.
    #[must_use]
    pub fn value(&self) -> Option<&str> {
        match self {
            Self::Set { value, .. } => Some(value),
            Self::Append { value, .. } => Some(value),
            Self::Remove { .. } => None,
        }
    }
}

impl fmt::Display for HeaderEdit {
    /// Prints the edit for a log line: `set content-length: 5`, `append vary: …`, `remove digest`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Set { name, value } => write!(f, "set {name}: {value}"),
            Self::Append { name, value } => write!(f, "append {name}: {value}"),
            Self::Remove { name } => write!(f, "remove {name}"),
        }
    }
}

/// The most edits one decision makes: `vary`, `content-length`, the marker, `etag`, three digest
/// fields and `transfer-encoding`.
const CAPACITY: usize = 8;

/// The header edits of one [`Decision`](super::Decision), at most one per field name.
///
/// Stored inline, so a decision that edits headers allocates nothing for the list (the `Vary`
/// edit of a pass-through carries only static strings). Iterate it to apply the edits, or call
/// [`apply_to`](Self::apply_to) on a list of pairs.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{decide, Body, Request, Response};
///
/// let html = "<html><body><main>hi</main></body></html>";
/// let decision = decide(
///     Request::new("GET", &[("X-Djust-Main-Only", "1")]),
///     Response::new(200, &[("Content-Type", "text/html")], Body::Complete(html.as_bytes())),
/// );
/// let mut headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
/// decision.header_edits().apply_to(&mut headers);
/// assert_eq!(headers, [
///     ("Content-Type".to_owned(), "text/html".to_owned()),
///     ("vary".to_owned(), "X-Djust-Main-Only".to_owned()),
///     ("content-length".to_owned(), "2".to_owned()),
///     ("x-djust-main-only-response".to_owned(), "1".to_owned()),
/// ]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderEdits {
    slots: [Option<HeaderEdit>; CAPACITY],
    len: usize,
}

impl HeaderEdits {
    /// Adds an edit. The decision adds at most one per field name, so the slots never run out.
    pub(super) fn push(&mut self, edit: HeaderEdit) {
        debug_assert!(self.get(edit.name()).is_none(), "one edit per field name");
        self.slots[self.len] = Some(edit);
        self.len += 1;
    }

    /// The number of edits.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is nothing to change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The edits, in a fixed order (`vary`, `content-length`, marker, `etag`, removals).
    pub fn iter(&self) -> impl Iterator<Item = &HeaderEdit> {
        self.slots[..self.len].iter().flatten()
    }

    /// The edit for the field `name` (ASCII case-insensitive), if any.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&HeaderEdit> {
        self.iter()
            .find(|edit| edit.name().eq_ignore_ascii_case(name))
    }

    /// Applies the edits to a list of `(name, value)` header lines, as the table on
    /// [`HeaderEdit`] says: `Set` and `Remove` drop every line of the name (compared
    /// case-insensitively); `Set` and `Append` add their line at the end.
    pub fn apply_to(&self, headers: &mut Vec<(String, String)>) {
        for edit in self.iter() {
            if !matches!(edit, HeaderEdit::Append { .. }) {
                headers.retain(|(name, _)| !name.eq_ignore_ascii_case(edit.name()));
            }
            if let Some(value) = edit.value() {
                headers.push((edit.name().to_owned(), value.to_owned()));
            }
        }
    }
}

impl<'a> IntoIterator for &'a HeaderEdits {
    type Item = &'a HeaderEdit;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Option<HeaderEdit>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.slots[..self.len].iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> HeaderEdits {
        let mut edits = HeaderEdits::default();
        edits.push(HeaderEdit::Append {
            name: "vary",
            value: "X-Djust-Main-Only",
        });
        edits.push(HeaderEdit::Set {
            name: "content-length",
            value: "2".into(),
        });
        edits.push(HeaderEdit::Remove { name: "digest" });
        edits
    }

    #[test]
    fn apply_to_sets_appends_and_removes_case_insensitively() {
        let mut headers = vec![
            ("Vary".to_owned(), "Cookie".to_owned()),
            ("Content-Length".to_owned(), "100".to_owned()),
            ("DIGEST".to_owned(), "sha-256=x".to_owned()),
            ("Content-Length".to_owned(), "100".to_owned()),
        ];
        full().apply_to(&mut headers);
        let expected = [
            ("Vary", "Cookie"),
            ("vary", "X-Djust-Main-Only"),
            ("content-length", "2"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(headers, expected);
    }

    #[test]
    fn edits_are_listed_in_push_order_and_found_by_any_case() {
        let edits = full();
        assert_eq!(edits.len(), 3);
        let names: Vec<_> = (&edits).into_iter().map(HeaderEdit::name).collect();
        assert_eq!(names, ["vary", "content-length", "digest"]);
        assert_eq!(
            edits.get("Content-Length").and_then(HeaderEdit::value),
            Some("2")
        );
        assert!(HeaderEdits::default().is_empty());
    }

    #[test]
    fn edits_print_as_log_lines() {
        let lines: Vec<_> = full().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "append vary: X-Djust-Main-Only",
                "set content-length: 2",
                "remove digest"
            ]
        );
    }
}
