//! What a finished fetch tells the coordinator, and whether its response may be reused.

use std::fmt;

use crate::headers::{Headers, Vary, quoted_members, trim_ows};

/// The status line and headers of a response, as far as the coordinator's rules need them.
///
/// Built from a status and any [`Headers`] (pairs, or an `http::HeaderMap` with feature
/// `http`); names compare ASCII case-insensitively, and a header given several times (two
/// `Cache-Control` lines) counts as one comma-joined list, as HTTP says. Values are bytes: one
/// that is not UTF-8 is kept as it is. Only `Cache-Control`, `Vary` and `Set-Cookie` are kept;
/// every other header is ignored.
///
/// # Examples
///
/// ```
/// use liveshell::coordinator::{NotReusable, ResponseHead};
///
/// let ok = ResponseHead::new(200, [("content-type", "text/html"), ("Cache-Control", "max-age=60")]);
/// assert_eq!(ok.reusability(), Ok(()));
///
/// let personal = ResponseHead::new(200, [("VARY", "Accept, Cookie"), ("set-cookie", "sid=1")]);
/// assert_eq!(personal.reusability(), Err(NotReusable::VaryCookieWithSetCookie));
///
/// let latin1 = ResponseHead::new(200, [("Cache-Control", b"private=\"caf\xe9\"".as_slice())]);
/// assert_eq!(latin1.reusability(), Ok(()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseHead {
    status: u16,
    /// Every `Cache-Control` line, as sent.
    cache_control: Vec<Box<[u8]>>,
    vary: Vary,
    set_cookie: bool,
}

impl ResponseHead {
    /// A response with `status` and `headers`.
    #[must_use]
    pub fn new(status: u16, headers: impl Headers) -> Self {
        Self {
            status,
            cache_control: headers.values("cache-control").map(Box::from).collect(),
            vary: Vary::from_headers(&headers),
            set_cookie: headers.values("set-cookie").next().is_some(),
        }
    }

    /// The status code.
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// Whether a later request for the same URL may be answered with this response.
    ///
    /// In this order: the status is 2xx ([`NotReusable::Status`]); no `Cache-Control`
    /// directive is `no-store` ([`NotReusable::NoStore`]; directives are parsed as a list with
    /// [`quoted_members`], so `no-cache="no-store"` or `x-no-store` do not count); `Vary` does
    /// not list `*` ([`NotReusable::VaryStar`]); `Vary` does not list `Cookie` while the
    /// response also sets a cookie ([`NotReusable::VaryCookieWithSetCookie`]: the next request
    /// carries the new cookie, so it can never match). `Vary` is read by [`Vary`].
    ///
    /// # Errors
    ///
    /// The first rule the response breaks.
    pub fn reusability(&self) -> Result<(), NotReusable> {
        if !(200..300).contains(&self.status) {
            return Err(NotReusable::Status(self.status));
        }
        if self
            .cache_control
            .iter()
            .flat_map(|line| quoted_members(line))
            .any(|directive| directive_name(directive).eq_ignore_ascii_case(b"no-store"))
        {
            return Err(NotReusable::NoStore);
        }
        if self.vary.is_any() {
            return Err(NotReusable::VaryStar);
        }
        if self.set_cookie && self.vary.contains("cookie") {
            return Err(NotReusable::VaryCookieWithSetCookie);
        }
        Ok(())
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ResponseHead {
    /// A status and arbitrary header pairs, read as [`ResponseHead::new`] reads them.
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let status = u.arbitrary()?;
        let headers: Vec<(&'a str, &'a [u8])> = u.arbitrary()?;
        Ok(Self::new(status, headers))
    }
}

#[cfg(feature = "http")]
impl<B> From<&http::Response<B>> for ResponseHead {
    /// The status and headers of an `http` response (feature `http`).
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::coordinator::{NotReusable, ResponseHead};
    ///
    /// let response = http::Response::builder()
    ///     .header("cache-control", "no-store")
    ///     .body(())
    ///     .unwrap();
    /// assert_eq!(ResponseHead::from(&response).reusability(), Err(NotReusable::NoStore));
    /// ```
    fn from(response: &http::Response<B>) -> Self {
        Self::new(response.status().as_u16(), response.headers())
    }
}

/// The name of one `Cache-Control` directive, `token [ "=" ( token / quoted-string ) ]`
/// (RFC 9111 §5.2), OWS-trimmed.
fn directive_name(directive: &[u8]) -> &[u8] {
    let name = directive.split(|&b| b == b'=').next().unwrap_or_default();
    trim_ows(name)
}

/// Why a response may not answer a later request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotReusable {
    /// The status is not 2xx.
    Status(u16),
    /// `Cache-Control: no-store`.
    NoStore,
    /// `Vary: *`: no later request can match.
    VaryStar,
    /// `Vary: Cookie` on a response that also sets a cookie.
    VaryCookieWithSetCookie,
}

impl fmt::Display for NotReusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(status) => write!(f, "status {status} is not 2xx"),
            Self::NoStore => f.write_str("cache-control: no-store"),
            Self::VaryStar => f.write_str("vary: *"),
            Self::VaryCookieWithSetCookie => f.write_str("vary: cookie with set-cookie"),
        }
    }
}

/// How a fetch started with [`Start::Fetch`](super::Start::Fetch) ended.
///
/// # Examples
///
/// ```
/// use liveshell::coordinator::{FetchOutcome, ResponseHead};
///
/// let done = FetchOutcome::Response(ResponseHead::new(200, [("cache-control", "no-store")]));
/// let failed = FetchOutcome::NetworkError;
/// # let _ = (done, failed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum FetchOutcome {
    /// A response arrived (any status). A 5xx or 429 counts as a failure for the back-off;
    /// anything else is judged by [`ResponseHead::reusability`].
    Response(ResponseHead),
    /// The fetch failed without a response (offline, DNS, reset, CORS): a failure, with
    /// back-off.
    NetworkError,
    /// The host gave up on the fetch (an `AbortController`). Waiters are still returned to be
    /// answered (with the failure, or by requesting again); no back-off is recorded.
    Aborted,
}

impl FetchOutcome {
    /// Whether this outcome is a failure that starts (or lengthens) the back-off.
    pub(crate) fn is_failure(&self) -> bool {
        match self {
            Self::Response(head) => head.status >= 500 || head.status == 429,
            Self::NetworkError => true,
            Self::Aborted => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(value: &str) -> Result<(), NotReusable> {
        ResponseHead::new(200, [("Cache-Control", value)]).reusability()
    }

    #[test]
    fn no_store_is_found_as_a_directive_in_any_case_and_position() {
        assert_eq!(cc("NO-STORE"), Err(NotReusable::NoStore));
        assert_eq!(cc("max-age=60 , no-store"), Err(NotReusable::NoStore));
        assert_eq!(cc(" no-store=\"x\""), Err(NotReusable::NoStore));
    }

    #[test]
    fn no_store_inside_a_value_or_a_longer_name_does_not_count() {
        assert_eq!(cc("no-cache=\"no-store, x\""), Ok(()));
        assert_eq!(cc("private=\"a\\\", no-store\""), Ok(()));
        assert_eq!(cc("x-no-store, no-storex"), Ok(()));
        assert_eq!(cc(""), Ok(()));
    }

    #[test]
    fn two_cache_control_headers_are_one_list() {
        let head = ResponseHead::new(
            200,
            [
                ("cache-control", "max-age=1"),
                ("CACHE-CONTROL", "no-store"),
            ],
        );
        assert_eq!(head.reusability(), Err(NotReusable::NoStore));
    }

    #[test]
    fn vary_rules_need_whole_fields() {
        let vary = |v: &str, cookie: bool| {
            let mut headers = vec![("Vary", v)];
            if cookie {
                headers.push(("Set-Cookie", "a=b"));
            }
            ResponseHead::new(204, headers).reusability()
        };
        assert_eq!(vary("accept, *", false), Err(NotReusable::VaryStar));
        assert_eq!(vary("Cookie", false), Ok(()));
        assert_eq!(vary("cookie2", true), Ok(()));
        assert_eq!(
            vary("Accept,COOKIE", true),
            Err(NotReusable::VaryCookieWithSetCookie)
        );
        assert_eq!(vary("Accept", true), Ok(()));
    }

    #[test]
    fn values_that_are_not_utf8_are_read_as_bytes() {
        let head = |cc: &[u8], vary: &[u8]| {
            ResponseHead::new(
                200,
                [
                    ("Cache-Control", cc),
                    ("Vary", vary),
                    ("Set-Cookie", b"n=\xff".as_slice()),
                ],
            )
            .reusability()
        };
        assert_eq!(
            head(b"\xfe, no-store", b"Accept"),
            Err(NotReusable::NoStore)
        );
        assert_eq!(head(b"private=\"\xe9, no-store\"", b"\xff"), Ok(()));
        assert_eq!(
            head(b"max-age=1", b"\xff, Cookie"),
            Err(NotReusable::VaryCookieWithSetCookie)
        );
    }

    #[test]
    fn status_must_be_2xx() {
        for (status, ok) in [
            (199, false),
            (200, true),
            (299, true),
            (304, false),
            (404, false),
        ] {
            assert_eq!(
                ResponseHead::new(status, [("a", "b")])
                    .reusability()
                    .is_ok(),
                ok,
                "{status}"
            );
        }
    }

    #[test]
    fn failures_are_network_errors_5xx_and_429() {
        assert!(FetchOutcome::NetworkError.is_failure());
        assert!(FetchOutcome::Response(ResponseHead::new(503, [("", "")])).is_failure());
        assert!(FetchOutcome::Response(ResponseHead::new(429, [("", "")])).is_failure());
        assert!(!FetchOutcome::Response(ResponseHead::new(404, [("", "")])).is_failure());
        assert!(!FetchOutcome::Aborted.is_failure());
    }
}
