//! The request side of a cache key: [`PreparedKey`], made once per request by
//! [`SnapshotCache::key`](super::SnapshotCache::key), and the older [`RequestKey`].

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use super::digest::Sip128;
use super::options::Keying;
use super::store::VarySet;
use crate::headers::{Headers, is_token, trim_ows};

/// Why a request could not be turned into a key.
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

/// A request as the cache looks it up: its normalised URL and its keyed digests, computed once.
///
/// Made by [`SnapshotCache::key`](super::SnapshotCache::key) and passed to
/// [`get`](super::SnapshotCache::get), [`insert`](super::SnapshotCache::insert) and the other
/// lookups. The URL is normalised by the `url` crate: scheme and host lowercased, the default
/// port dropped, the fragment dropped, path and query kept (a URL the cache already stores in
/// that form is recognised without parsing it again). Each header field's lines are trimmed of
/// spaces and tabs and read as one value joined with `", "` (`"; "` for `Cookie`, as HTTP/2
/// recombines cookie crumbs). An absent header differs from an empty one.
///
/// The key holds the request's headers (`key(url, &headers)` borrows them; an owned map moves
/// in) and the digest of the always-varied headers
/// (computed by `key`). A stored variant that also varies on other fields (the response's
/// `Vary`) needs the digest of those too: it is computed from the borrowed headers the first time
/// a lookup or insert needs it and remembered, so however often the key is used no digest is
/// computed twice. The key is meant for one request on one thread (it is not `Sync`); it works
/// with any cache, but only the one that made it (or one with the same digest options) uses
/// the digests it holds.
///
/// [`Debug`](fmt::Debug) prints the URL only, never a header value.
///
/// # Examples
///
/// ```
/// use liveshell::cache::{CacheOptions, KeyError, SnapshotCache};
///
/// let cache = SnapshotCache::<String>::new(CacheOptions::new([7; 16]))?;
/// let headers = [("Accept-Language", " en "), ("Cookie", "sid=a")];
/// let key = cache.key("HTTPS://Example.COM:443/orders?page=2#top", &headers)?;
/// assert_eq!(key.url(), "https://example.com/orders?page=2");
/// assert!(!format!("{key:?}").contains("sid=a"));
/// assert!(matches!(cache.key("/relative", &headers), Err(KeyError::InvalidUrl { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PreparedKey<H> {
    pub(crate) url: Arc<str>,
    pub(crate) url_id: u64,
    pub(crate) headers: H,
    /// The fingerprint of the digest options the digests below were made under.
    pub(crate) fingerprint: u128,
    /// The digest of the always-varied set.
    pub(crate) base: u128,
    /// Digests of the other `Vary` sets met so far.
    pub(crate) memo: RefCell<Memo>,
}

/// The digests a [`PreparedKey`] computed for `Vary` sets other than the always-varied one.
/// The first sits in the key itself (one set per URL is the common case, and a hit then reads no
/// other memory), the rest in a list.
#[derive(Default)]
pub(crate) struct Memo {
    first: Option<(VarySet, u128)>,
    more: Vec<(VarySet, u128)>,
}

impl Memo {
    fn find(&self, vary: &VarySet) -> Option<u128> {
        self.first
            .iter()
            .chain(&self.more)
            .find(|(set, _)| Arc::ptr_eq(set, vary) || **set == **vary)
            .map(|(_, digest)| *digest)
    }

    fn push(&mut self, vary: &VarySet, digest: u128) {
        let entry = (Arc::clone(vary), digest);
        if self.first.is_none() {
            self.first = Some(entry);
        } else {
            self.more.push(entry);
        }
    }

    /// How many digests are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.more.len()
    }
}

impl<H> PreparedKey<H> {
    /// The normalised URL, the primary key.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl<H> fmt::Debug for PreparedKey<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedKey")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A request as the cache saw it before [`PreparedKey`]: its normalised URL and an owned copy
/// of its normalised headers, digested anew by every lookup.
///
/// Names are lowercased, values trimmed of spaces and tabs, and repeated lines combined with
/// `", "` (`"; "` for `Cookie`). It implements [`Headers`], so `cache.key(k.url(), &k)` turns
/// one into a [`PreparedKey`]. [`Debug`](fmt::Debug) prints `Cookie` and `Authorization`
/// values redacted.
#[deprecated(note = "use SnapshotCache::key, which computes the digests once (PreparedKey)")]
#[derive(Clone, PartialEq, Eq)]
pub struct RequestKey {
    url: Box<str>,
    /// Sorted by name, names unique.
    headers: Vec<(Box<str>, Box<str>)>,
}

#[allow(deprecated)] // the deprecated type's own implementation
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
            let value = trim_ows(value.as_bytes());
            let value = std::str::from_utf8(value).expect("trimming ASCII keeps UTF-8");
            lines.push((name.into_boxed_str(), value));
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
}

#[allow(deprecated)] // the deprecated type's own implementation
impl Headers for RequestKey {
    fn values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_bytes())
    }
}

#[allow(deprecated)] // the deprecated type's own implementation
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

/// A key the cache looks requests up by: a [`PreparedKey`] (from
/// [`SnapshotCache::key`](super::SnapshotCache::key)) or the deprecated [`RequestKey`].
/// Sealed: only liveshell implements it.
pub trait CacheKey: sealed::Sealed {}

// Sealed: the trait cannot be named outside the crate, so the crate's own types in its methods
// stay private however public `CacheKey` is.
#[allow(private_interfaces)]
pub(crate) mod sealed {
    use super::{Keying, Sip128, VarySet};

    pub trait Sealed {
        /// The normalised URL.
        fn url(&self) -> &str;
        /// The URL's digest, the key of the cache's per-URL index.
        fn url_id(&self, keying: &Keying) -> u64;
        /// The variant digest for `vary` under `keying`; `prefix` is the hash state of the URL
        /// and `vary`'s names when the cache has it.
        fn variant(&self, keying: &Keying, vary: &VarySet, prefix: Option<&Sip128>) -> u128;
    }
}

impl<H: Headers> CacheKey for PreparedKey<H> {}

#[allow(private_interfaces)] // sealed: see the module
impl<H: Headers> sealed::Sealed for PreparedKey<H> {
    fn url(&self) -> &str {
        &self.url
    }

    fn url_id(&self, keying: &Keying) -> u64 {
        if self.fingerprint == keying.fingerprint {
            self.url_id
        } else {
            keying.params().url_id(&self.url)
        }
    }

    fn variant(&self, keying: &Keying, vary: &VarySet, prefix: Option<&Sip128>) -> u128 {
        let params = keying.params();
        if self.fingerprint != keying.fingerprint {
            // Made by a cache with other digest options: its digests do not apply here.
            return params.variant(&self.url, &self.headers, vary);
        }
        if Arc::ptr_eq(vary, &keying.always) || **vary == *keying.always {
            return self.base;
        }
        let found = self.memo.borrow().find(vary);
        found.unwrap_or_else(|| {
            let digest = match prefix {
                Some(prefix) => params.finish_variant(*prefix, &self.headers, vary),
                None => params.variant(&self.url, &self.headers, vary),
            };
            self.memo.borrow_mut().push(vary, digest);
            digest
        })
    }
}

#[allow(deprecated)] // the deprecated type keeps working
impl CacheKey for RequestKey {}

#[allow(deprecated, private_interfaces)] // the deprecated type keeps working; sealed
impl sealed::Sealed for RequestKey {
    fn url(&self) -> &str {
        &self.url
    }

    fn url_id(&self, keying: &Keying) -> u64 {
        keying.params().url_id(&self.url)
    }

    fn variant(&self, keying: &Keying, vary: &VarySet, prefix: Option<&Sip128>) -> u128 {
        let params = keying.params();
        match prefix {
            Some(prefix) => params.finish_variant(*prefix, self, vary),
            None => params.variant(&self.url, self, vary),
        }
    }
}

#[cfg(test)]
#[allow(deprecated)] // the deprecated RequestKey keeps its behaviour
mod tests {
    use super::*;

    fn key(url: &str, headers: &[(&str, &str)]) -> RequestKey {
        RequestKey::new(url, headers).expect("valid request")
    }

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
            normalise_url(""),
            Err(KeyError::InvalidUrl { .. })
        ));
        assert_eq!(
            normalise_url("ftp://x.test/"),
            Err(KeyError::UnsupportedScheme {
                scheme: "ftp".into()
            })
        );
        assert_eq!(
            normalise_url("data:text/plain,x"),
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
        assert_eq!(
            k.values("COOKIE").collect::<Vec<_>>(),
            [b"x=1; y=2".as_slice()]
        );
        assert!(!format!("{k:?}").contains("x=1"));
    }
}
