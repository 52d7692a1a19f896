//! The one header vocabulary: read access to a message's fields, RFC 9110 field syntax, and the
//! one `Vary` reader.
//!
//! Every module that reads headers (`cache`, `coordinator`, `main_only`,
//! `prefetch::is_speculative`) takes them through the [`Headers`] trait, so a host passes its own
//! header map (a slice of pairs, a `Vec`, or with the `http` feature an `http::HeaderMap`) without
//! copying. Header values are bytes: a value that is not UTF-8 (`obs-text`) never panics, it is
//! read as "not what we were looking for" or reported, whichever is the safe answer.
//!
//! # Examples
//!
//! ```
//! use liveshell::headers::{Headers, Vary};
//!
//! let headers = [("Vary", "Accept-Language"), ("content-type", "text/html"), ("VARY", "cookie, Accept-Language")];
//! assert_eq!(headers.values("vary").count(), 2);
//! let vary = Vary::from_headers(&headers);
//! assert_eq!(vary.fields(), ["accept-language", "cookie"]);
//! assert!(vary.contains("Cookie"));
//! assert!(!vary.is_any());
//! ```

/// Read access to a message's header fields: every value of a field, by name.
///
/// Names compare ASCII case-insensitively and repeated field lines are returned one by one, in
/// order. liveshell implements it for slices, arrays and `Vec`s of `(name, value)` pairs (names
/// `AsRef<str>`, values `AsRef<[u8]>`, so `&str` works for both) and, with the `http` feature,
/// for `http::HeaderMap`. Implement it for a framework's own header map to pass it without
/// copying.
///
/// # Examples
///
/// ```
/// use liveshell::headers::Headers;
///
/// let headers = [("Vary", "Accept"), ("content-type", "text/html"), ("VARY", "Cookie")];
/// let vary: Vec<&[u8]> = headers.values("vary").collect();
/// assert_eq!(vary, [b"Accept".as_slice(), b"Cookie"]);
/// ```
pub trait Headers {
    /// Every value of the field `name` (compared ASCII case-insensitively), in order.
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]>;
}

impl<N: AsRef<str>, V: AsRef<[u8]>> Headers for [(N, V)] {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> {
        self.iter()
            .filter(move |(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>, const K: usize> Headers for [(N, V); K] {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> {
        self.as_slice().values(name)
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> Headers for Vec<(N, V)> {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> {
        self.as_slice().values(name)
    }
}

impl<H: Headers + ?Sized> Headers for &H {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> {
        (**self).values(name)
    }
}

#[cfg(feature = "http")]
impl Headers for http::HeaderMap {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> {
        self.get_all(name)
            .iter()
            .map(http::header::HeaderValue::as_bytes)
    }
}

/// Whether `b` is a `tchar`, a byte allowed in an HTTP token (RFC 9110 §5.6.2).
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `s` is a non-empty HTTP token, as field names and `Vary` members are.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Strips optional whitespace (spaces and horizontal tabs, RFC 9110 `OWS`) from both ends.
///
/// # Examples
///
/// ```
/// assert_eq!(liveshell::headers::trim_ows(b" \tgzip\t "), b"gzip");
/// assert_eq!(liveshell::headers::trim_ows(b"\r\n"), b"\r\n");
/// ```
#[must_use]
pub fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// The non-empty, OWS-trimmed members of the comma-separated list field `name`, over all its
/// lines in order (RFC 9110 §5.6.1: empty members are ignored).
///
/// Quoted strings are not special-cased: the lists liveshell reads this way (`Vary`,
/// `Content-Encoding`, `Transfer-Encoding`) hold tokens only. Lists whose members may hold a
/// quoted string with a comma in it (`Cache-Control`) are split with [`quoted_members`].
///
/// # Examples
///
/// ```
/// use liveshell::headers::list_members;
///
/// let headers = [("Content-Encoding", "identity, , gzip"), ("content-encoding", " br")];
/// let members: Vec<&[u8]> = list_members(&headers, "Content-Encoding").collect();
/// assert_eq!(members, [b"identity".as_slice(), b"gzip", b"br"]);
/// ```
pub fn list_members<'s>(
    headers: &'s (impl Headers + ?Sized),
    name: &str,
) -> impl Iterator<Item = &'s [u8]> {
    headers
        .values(name)
        .flat_map(|line| line.split(|&b| b == b','))
        .map(trim_ows)
        .filter(|member| !member.is_empty())
}

/// The non-empty, OWS-trimmed members of one list field line whose members may hold quoted
/// strings (RFC 9110 §5.6.1 and §5.6.4): a comma inside a quoted string does not split, and a
/// backslash in a quoted string escapes the next byte. An unterminated quoted string runs to the
/// end of the line.
///
/// This is the list syntax of `Cache-Control` (RFC 9111 §5.2), whose directive values may be
/// quoted strings such as `no-cache="Set-Cookie, Age"`.
///
/// # Examples
///
/// ```
/// use liveshell::headers::quoted_members;
///
/// let members: Vec<&[u8]> = quoted_members(br#"private="a, b", , max-age=60"#).collect();
/// assert_eq!(members, [br#"private="a, b""#.as_slice(), b"max-age=60"]);
/// ```
pub fn quoted_members(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    let mut ends = Vec::new();
    for (i, &b) in line.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                ends.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    ends.push((start, line.len()));
    ends.into_iter()
        .map(move |(from, to)| trim_ows(&line[from..to]))
        .filter(|member| !member.is_empty())
}

/// A response's `Vary` field, read once from all its lines.
///
/// Field names are kept lowercase, sorted and unique. `*` makes the response vary on everything
/// ([`is_any`](Self::is_any)). A member that is not a token is kept apart
/// ([`invalid`](Self::invalid)) so each reader decides what it means: the cache refuses to
/// store the response, the main-only middleware ignores it.
///
/// # Examples
///
/// ```
/// use liveshell::headers::Vary;
///
/// let star = Vary::parse(b"Accept, *");
/// assert!(star.is_any() && star.contains("anything"));
///
/// let odd = Vary::from_headers(&[("Vary", b"Cookie, x y".as_slice())]);
/// assert_eq!(odd.fields(), ["cookie"]);
/// assert_eq!(odd.invalid(), Some(b"x y".as_slice()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vary {
    any: bool,
    fields: Vec<String>,
    invalid: Option<Box<[u8]>>,
}

impl Vary {
    /// Reads every `Vary` line of `headers`.
    #[must_use]
    pub fn from_headers(headers: &(impl Headers + ?Sized)) -> Self {
        Self::from_members(list_members(headers, "vary"))
    }

    /// Reads one `Vary` field value, such as a stored response's.
    #[must_use]
    pub fn parse(value: &[u8]) -> Self {
        Self::from_headers(&[("vary", value)])
    }

    fn from_members<'m>(members: impl Iterator<Item = &'m [u8]>) -> Self {
        let mut vary = Self::default();
        for member in members {
            if member == b"*" {
                vary.any = true;
            } else if is_token(member) {
                // A token is ASCII, so it is valid UTF-8.
                let name = String::from_utf8_lossy(member).to_ascii_lowercase();
                vary.fields.push(name);
            } else if vary.invalid.is_none() {
                vary.invalid = Some(member.into());
            }
        }
        vary.fields.sort_unstable();
        vary.fields.dedup();
        vary
    }

    /// Whether `*` is listed: the response varies on something no request header shows.
    #[must_use]
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// The listed field names, lowercase, sorted, unique (`*` and invalid members excluded).
    #[must_use]
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Whether the response varies on `name` (any case): it is listed, or `*` is.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.any
            || self
                .fields
                .iter()
                .any(|field| field.eq_ignore_ascii_case(name))
    }

    /// The first member that is neither `*` nor a token, if any.
    #[must_use]
    pub fn invalid(&self) -> Option<&[u8]> {
        self.invalid.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token(b"Accept-Language"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(is_token(b"*"), "`Vary: *` is caught before the token check");
        assert!(!is_token(b"x:y"));
        assert!(is_token(b"!#$%&'*+-.^_`|~09azAZ"));
        assert!(!is_token(b"\"q\""));
        assert!(!is_token(b"\xff"));
    }

    #[test]
    fn trim_ows_strips_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \t1\t "), b"1");
        assert_eq!(trim_ows(b"\n1\r"), b"\n1\r");
        assert_eq!(trim_ows(b"   "), b"");
    }

    #[test]
    fn lookup_is_case_insensitive_and_keeps_repeated_lines() {
        let headers = vec![("ETAG", "a"), ("x", "y"), ("etag", "b")];
        assert_eq!(
            headers.values("ETag").collect::<Vec<_>>(),
            [b"a".as_slice(), b"b"]
        );
        let by_ref = &headers;
        assert_eq!(by_ref.values("x").count(), 1);
    }

    #[test]
    fn list_members_skip_empty_members_across_lines() {
        let headers = [("A", ",, x ,"), ("a", ""), ("a", "\ty")];
        assert_eq!(
            list_members(&headers, "a").collect::<Vec<_>>(),
            [b"x".as_slice(), b"y"]
        );
    }

    #[test]
    fn quoted_members_split_only_outside_quoted_strings() {
        fn split(line: &[u8]) -> Vec<&[u8]> {
            quoted_members(line).collect()
        }
        assert_eq!(split(br#"a="x, y", b"#), [br#"a="x, y""#.as_slice(), b"b"]);
        assert_eq!(
            split(br#"a="q\", no-store", b"#),
            [br#"a="q\", no-store""#.as_slice(), b"b"]
        );
        assert_eq!(split(b" , \t,"), Vec::<&[u8]>::new());
        assert_eq!(split(b"a=\"open, b"), [b"a=\"open, b".as_slice()]);
        assert_eq!(split(b"\xff, x"), [b"\xff".as_slice(), b"x"]);
    }

    #[test]
    fn vary_reads_all_lines_once() {
        let vary = Vary::from_headers(&[
            ("Vary", "Accept-Language, COOKIE"),
            ("vary", " cookie ,accept"),
        ]);
        assert_eq!(vary.fields(), ["accept", "accept-language", "cookie"]);
        assert!(!vary.is_any());
        assert_eq!(vary.invalid(), None);
        assert!(vary.contains("Accept"));
        assert!(!vary.contains("cookie2"));
        assert_eq!(Vary::from_headers(&[("Age", "1")]), Vary::default());
    }

    #[test]
    fn vary_star_and_invalid_members_are_reported_apart() {
        let vary = Vary::parse(b"*, \xff, a=b");
        assert!(vary.is_any());
        assert!(vary.fields().is_empty());
        assert_eq!(vary.invalid(), Some(b"\xff".as_slice()));
        assert!(vary.contains("x-djust-main-only"));
    }
}
