//! The request side of a cache key: the normalised URL (primary key) and the request headers a
//! stored variant may vary on (secondary key), plus the keyed digest that binds them.

use std::fmt;

use super::siphash::SipHasher128;
use crate::headers::is_token;

/// Why a request could not be turned into a [`RequestKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The URL is not an absolute URL the `url` crate accepts.
    #[error("invalid url: {reason}")]
    InvalidUrl {
        /// The parser's reason.
        reason: String,
    },
    /// The URL is absolute but not `http` or `https`, so it has no cacheable origin.
    #[error("unsupported url scheme `{scheme}`: only http and https are cached")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },
    /// A header name is empty or holds a character outside the HTTP token set.
    #[error("invalid header name {name:?}")]
    InvalidHeaderName {
        /// The name as given.
        name: String,
    },
    /// A header value holds CR, LF or NUL. The value itself is not repeated: it may be a cookie.
    #[error("invalid value for header `{name}`: it contains CR, LF or NUL")]
    InvalidHeaderValue {
        /// The header's (lowercased) name.
        name: String,
    },
}

/// A request as the cache sees it: its normalised URL and its normalised headers.
///
/// Built once per request with [`RequestKey::new`] and passed to
/// [`SnapshotCache::get`](super::SnapshotCache::get) and
/// [`insert`](super::SnapshotCache::insert). The URL is normalised by the `url` crate: scheme and
/// host lowercased, the default port dropped, the fragment dropped, path and query kept. Header
/// names are lowercased, values trimmed of spaces and tabs, and repeated lines combined with
/// `", "` (`"; "` for `Cookie`, as HTTP/2 recombines cookie crumbs). An absent header differs
/// from an empty one.
///
/// A `RequestKey` is transient: it holds the request's headers so the cache can pick the ones a
/// stored response varies on. What the cache *stores* is only a keyed digest of them, never the
/// raw `Cookie`, and [`Debug`](fmt::Debug) prints `Cookie` and `Authorization` values redacted.
///
/// # Examples
///
/// ```
/// use liveshell::cache::{KeyError, RequestKey};
///
/// let key = RequestKey::new(
///     "HTTPS://Example.COM:443/orders?page=2#top",
///     &[("Accept-Language", " en "), ("Cookie", "sid=a")],
/// )?;
/// assert_eq!(key.url(), "https://example.com/orders?page=2");
/// assert_eq!(key.header("accept-language"), Some("en"));
/// assert!(!format!("{key:?}").contains("sid=a"));
/// assert!(matches!(RequestKey::new("/relative", &[]), Err(KeyError::InvalidUrl { .. })));
/// # Ok::<(), KeyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RequestKey {
    url: Box<str>,
    /// Sorted by name, names unique.
    headers: Vec<(Box<str>, Box<str>)>,
}

impl RequestKey {
    /// Normalises `url` and `headers` into a key.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidUrl`] for anything but an absolute URL, [`KeyError::UnsupportedScheme`]
    /// for schemes other than `http` and `https`, [`KeyError::InvalidHeaderName`] and
    /// [`KeyError::InvalidHeaderValue`] for headers that could not be sent on the wire.
    pub fn new(url: &str, headers: &[(&str, &str)]) -> Result<Self, KeyError> {
        let url = normalise_url(url)?;
        let mut lines: Vec<(Box<str>, &str)> = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            if !is_token(name.as_bytes()) {
                return Err(KeyError::InvalidHeaderName {
                    name: (*name).to_owned(),
                });
            }
            let name = name.to_ascii_lowercase();
            if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(KeyError::InvalidHeaderValue { name });
            }
            lines.push((name.into_boxed_str(), trim_ows(value)));
        }
        // Stable: repeated lines keep their order when combined.
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        let mut combined: Vec<(Box<str>, Box<str>)> = Vec::with_capacity(lines.len());
        for (name, value) in lines {
            match combined.last_mut() {
                Some((last, joined)) if *last == name => {
                    let separator = if &*name == "cookie" { "; " } else { ", " };
                    *joined = [&**joined, separator, value].concat().into_boxed_str();
                }
                _ => combined.push((name, value.into())),
            }
        }
        Ok(Self {
            url: url.into(),
            headers: combined,
        })
    }

    /// The normalised URL, the primary key.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The normalised value of header `name` (any case), or `None` when the request lacks it.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .binary_search_by(|(n, _)| (**n).cmp(name.as_str()))
            .ok()
            .map(|i| &*self.headers[i].1)
    }

    /// Like [`header`](Self::header) for a name already lowercase. A linear scan comparing
    /// lengths first: a request has a few dozen headers at most, and the names a cache looks
    /// up rarely share a length with their neighbours, so this beats a binary search's string
    /// comparisons on the hit path.
    fn header_lower(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.len() == name.len() && **n == *name)
            .map(|(_, v)| &**v)
    }
}

impl fmt::Debug for RequestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| match &**n {
                "cookie" | "authorization" => (&**n, "<redacted>"),
                _ => (&**n, &**v),
            })
            .collect();
        f.debug_struct("RequestKey")
            .field("url", &self.url)
            .field("headers", &headers)
            .finish()
    }
}

/// Parses and normalises an absolute `http`/`https` URL with the `url` crate, fragment dropped.
pub(crate) fn normalise_url(url: &str) -> Result<String, KeyError> {
    let mut parsed = url::Url::parse(url).map_err(|e| KeyError::InvalidUrl {
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(KeyError::UnsupportedScheme {
            scheme: parsed.scheme().to_owned(),
        });
    }
    parsed.set_fragment(None);
    Ok(parsed.into())
}

/// Trims HTTP optional whitespace (spaces and tabs) from both ends.
pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// The values of the cookies named `name` in a `Cookie` header, in order.
fn cookie_values<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + Clone + 'a {
    header.split(';').filter_map(move |pair| {
        let (n, v) = pair.split_once('=')?;
        (trim_ows(n) == name).then(|| trim_ows(v))
    })
}

/// What the digest of a variant depends on besides the request: the digest key and, for the
/// `Cookie` field, the cookie names it is scoped to (sorted, unique; `None` means the whole
/// header).
pub(crate) struct DigestParams<'a> {
    pub(crate) key: &'a [u8; 16],
    pub(crate) cookie_scope: Option<&'a [Box<str>]>,
}

fn write_str(h: &mut SipHasher128, s: &str) {
    h.write_u64(s.len() as u64);
    h.write(s.as_bytes());
}

/// Domain tags, so a variant digest can never equal a configuration fingerprint.
const TAG_VARIANT: u8 = 1;
const TAG_FINGERPRINT: u8 = 2;
/// Value tags inside a variant digest.
const ABSENT: u8 = 0;
const PRESENT: u8 = 1;
const SCOPED_COOKIES: u8 = 2;

impl DigestParams<'_> {
    /// The hash state after the parts of a variant digest that depend only on the URL and the
    /// sorted, unique, lowercase field names `vary`; the cache keeps one per URL and field set,
    /// so a lookup hashes only the request's values.
    pub(crate) fn prefix(&self, url: &str, vary: &[Box<str>]) -> SipHasher128 {
        let mut h = SipHasher128::new(self.key);
        h.write(&[TAG_VARIANT]);
        write_str(&mut h, url);
        h.write_u64(vary.len() as u64);
        for name in vary {
            write_str(&mut h, name);
        }
        h
    }

    /// Finishes a variant digest from its [`prefix`](Self::prefix) with `req`'s values for
    /// `vary`: every value is length-prefixed and an absent header is tagged apart from an empty
    /// one, so distinct inputs never share an encoding.
    pub(crate) fn finish_variant(
        &self,
        mut h: SipHasher128,
        req: &RequestKey,
        vary: &[Box<str>],
    ) -> u128 {
        for name in vary {
            let value = req.header_lower(name);
            match (self.cookie_scope, &**name) {
                (Some(scope), "cookie") => {
                    h.write(&[SCOPED_COOKIES]);
                    h.write_u64(scope.len() as u64);
                    for cookie in scope {
                        write_str(&mut h, cookie);
                        let values = value.into_iter().flat_map(|v| cookie_values(v, cookie));
                        h.write_u64(values.clone().count() as u64);
                        for v in values {
                            write_str(&mut h, v);
                        }
                    }
                }
                (_, _) => match value {
                    None => h.write(&[ABSENT]),
                    Some(v) => {
                        h.write(&[PRESENT]);
                        write_str(&mut h, v);
                    }
                },
            }
        }
        u128::from_le_bytes(h.finish())
    }

    /// The keyed digest identifying the variant of `req.url()` stored under `vary`.
    pub(crate) fn variant(&self, req: &RequestKey, vary: &[Box<str>]) -> u128 {
        self.finish_variant(self.prefix(&req.url, vary), req, vary)
    }

    /// A digest of everything a stored digest depends on besides the request, so a saved cache
    /// is only restored under a configuration that gives the same digests.
    pub(crate) fn fingerprint(&self, always_varied: &[Box<str>]) -> u128 {
        let mut h = SipHasher128::new(self.key);
        h.write(&[TAG_FINGERPRINT]);
        h.write_u64(always_varied.len() as u64);
        for name in always_varied {
            write_str(&mut h, name);
        }
        match self.cookie_scope {
            None => h.write(&[ABSENT]),
            Some(scope) => {
                h.write(&[PRESENT]);
                h.write_u64(scope.len() as u64);
                for name in scope {
                    write_str(&mut h, name);
                }
            }
        }
        u128::from_le_bytes(h.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(url: &str, headers: &[(&str, &str)]) -> RequestKey {
        RequestKey::new(url, headers).expect("valid request")
    }

    fn names(list: &[&str]) -> Vec<Box<str>> {
        list.iter().map(|n| (*n).into()).collect()
    }

    const K: [u8; 16] = [7; 16];
    const PLAIN: DigestParams<'static> = DigestParams {
        key: &K,
        cookie_scope: None,
    };

    #[test]
    fn url_normalisation_lowercases_drops_default_port_and_fragment() {
        let k = key("HTTP://Example.COM:80/A/b?Q=1#frag", &[]);
        assert_eq!(k.url(), "http://example.com/A/b?Q=1");
        assert_eq!(
            key("https://x.test:8443/", &[]).url(),
            "https://x.test:8443/"
        );
    }

    #[test]
    fn bad_urls_and_schemes_are_errors() {
        assert!(matches!(
            RequestKey::new("", &[]),
            Err(KeyError::InvalidUrl { .. })
        ));
        assert_eq!(
            RequestKey::new("ftp://x.test/", &[]),
            Err(KeyError::UnsupportedScheme {
                scheme: "ftp".into()
            })
        );
        assert_eq!(
            RequestKey::new("data:text/plain,x", &[]),
            Err(KeyError::UnsupportedScheme {
                scheme: "data".into()
            })
        );
    }

    #[test]
    fn bad_header_names_and_values_are_errors() {
        assert_eq!(
            RequestKey::new("http://x.test/", &[("bad name", "v")]),
            Err(KeyError::InvalidHeaderName {
                name: "bad name".into()
            })
        );
        assert_eq!(
            RequestKey::new("http://x.test/", &[("", "v")]),
            Err(KeyError::InvalidHeaderName { name: "".into() })
        );
        assert_eq!(
            RequestKey::new("http://x.test/", &[("Cookie", "a\r\nb")]),
            Err(KeyError::InvalidHeaderValue {
                name: "cookie".into()
            })
        );
    }

    #[test]
    fn repeated_lines_combine_in_order_and_cookies_with_semicolons() {
        let k = key(
            "http://x.test/",
            &[
                ("Accept", "a"),
                ("cookie", "x=1"),
                ("ACCEPT", " b "),
                ("Cookie", "y=2"),
            ],
        );
        assert_eq!(k.header("accept"), Some("a, b"));
        assert_eq!(k.header("Cookie"), Some("x=1; y=2"));
        assert_eq!(k.header("missing"), None);
    }

    #[test]
    fn absent_and_empty_headers_digest_differently() {
        let vary = names(&["accept-language"]);
        let absent = key("http://x.test/", &[]);
        let empty = key("http://x.test/", &[("accept-language", "")]);
        assert_ne!(PLAIN.variant(&absent, &vary), PLAIN.variant(&empty, &vary));
    }

    #[test]
    fn length_prefixes_keep_field_boundaries_apart() {
        let vary = names(&["a", "b"]);
        let one = key("http://x.test/", &[("a", "xy"), ("b", "")]);
        let two = key("http://x.test/", &[("a", "x"), ("b", "y")]);
        assert_ne!(PLAIN.variant(&one, &vary), PLAIN.variant(&two, &vary));
    }

    #[test]
    fn unvaried_headers_do_not_change_the_digest() {
        let vary = names(&["cookie"]);
        let a = key("http://x.test/", &[("cookie", "s=1"), ("accept", "x")]);
        let b = key("http://x.test/", &[("cookie", "s=1")]);
        assert_eq!(PLAIN.variant(&a, &vary), PLAIN.variant(&b, &vary));
    }

    #[test]
    fn scoped_cookies_ignore_other_cookies_but_not_the_session() {
        let scope = names(&["sid"]);
        let scoped = DigestParams {
            key: &K,
            cookie_scope: Some(&scope),
        };
        let vary = names(&["cookie"]);
        let a = key("http://x.test/", &[("cookie", "sid=1; _ga=aaa")]);
        let b = key("http://x.test/", &[("cookie", "_ga=bbb;sid=1")]);
        let c = key("http://x.test/", &[("cookie", "sid=2; _ga=aaa")]);
        let none = key("http://x.test/", &[]);
        let only_ga = key("http://x.test/", &[("cookie", "_ga=aaa")]);
        assert_eq!(scoped.variant(&a, &vary), scoped.variant(&b, &vary));
        assert_ne!(scoped.variant(&a, &vary), scoped.variant(&c, &vary));
        assert_eq!(
            scoped.variant(&none, &vary),
            scoped.variant(&only_ga, &vary)
        );
        assert_ne!(PLAIN.variant(&a, &vary), PLAIN.variant(&b, &vary));
    }

    #[test]
    fn vary_set_is_part_of_the_digest() {
        let k = key("http://x.test/", &[("cookie", "s=1")]);
        assert_ne!(
            PLAIN.variant(&k, &names(&["cookie"])),
            PLAIN.variant(&k, &names(&["accept", "cookie"]))
        );
    }
}
