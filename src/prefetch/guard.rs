//! The URL guard: which hrefs may be prefetched, and the dedupe key they are prefetched under.
//!
//! One function, [`guard`], decides for a raw `href` seen on a page. It is deliberately small and
//! pure so every prefetch path (the intent machine, the speculation-rules builder, a coordinator
//! that shares fetches) applies exactly the same rule.

use url::Url;

/// Why an href was refused by [`guard`].
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::{guard, GuardError};
/// use url::Url;
///
/// let page = Url::parse("http://localhost:8000/").unwrap();
/// assert_eq!(
///     guard(&page, "javascript:alert(1)"),
///     Err(GuardError::Scheme { scheme: "javascript".into() })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// The href is empty or only whitespace (a missing `href`); it names no destination.
    #[error("the href is empty")]
    Empty,
    /// The raw href holds a character a real link never needs and a smuggling trick relies on:
    /// an ASCII control character (tab, newline, NUL, ...), DEL, or a backslash. WHATWG parsing
    /// silently drops tabs and newlines and reads `\` as `/`, which is how `java\nscript:` and
    /// `/\evil.example` work; liveshell refuses such hrefs before parsing.
    #[error("the href contains the suspicious character {ch:?}")]
    SuspiciousCharacter {
        /// The first offending character.
        ch: char,
    },
    /// The href's authority (host or user info) holds a percent escape, as in
    /// `http://evil%2Eexample/` or `//localhost%3A8000@evil.example/`.
    #[error("the href's authority contains a percent escape")]
    EncodedAuthority,
    /// WHATWG URL parsing against the page URL failed.
    #[error("the href does not parse as a URL: {reason}")]
    Unparseable {
        /// The `url` crate's parse error, as text.
        reason: String,
    },
    /// The resolved URL's scheme is not `http` or `https` (`javascript:`, `data:`, `blob:`,
    /// `about:`, `file:`, `mailto:`, ...).
    #[error("the scheme `{scheme}` is not http or https")]
    Scheme {
        /// The resolved scheme, lowercase.
        scheme: String,
    },
    /// The href carries user info: a user name or password after parsing, or any `@` in the
    /// raw authority (even `http://@host/`, which parses to no credentials).
    #[error("the url carries credentials")]
    Credentials,
    /// The resolved URL's origin (scheme, host, port) differs from the page's.
    #[error("the origin `{origin}` is not the page's origin")]
    CrossOrigin {
        /// The resolved URL's origin, serialised (`https://evil.example`).
        origin: String,
    },
}

/// Guards an href seen on `page` and returns its dedupe key.
///
/// The href is resolved against `page` with WHATWG URL parsing (the `url` crate, the same
/// algorithm a browser uses for `link.href`), and is allowed only if, in this order:
///
/// 1. it is not empty or whitespace only ([`GuardError::Empty`]);
/// 2. it holds no ASCII control character, DEL or backslash
///    ([`GuardError::SuspiciousCharacter`]); leading and trailing spaces are trimmed, as HTML
///    does for `href`;
/// 3. the authority of an absolute or protocol-relative href holds no `%`
///    ([`GuardError::EncodedAuthority`]) and no `@` ([`GuardError::Credentials`]);
/// 4. it parses ([`GuardError::Unparseable`]);
/// 5. its scheme is `http` or `https` ([`GuardError::Scheme`]), so `javascript:`, `data:`,
///    same-origin `blob:`, `about:`, `file:` and `mailto:` are refused;
/// 6. it carries no user name or password after parsing ([`GuardError::Credentials`]);
/// 7. its origin (scheme, host after IDNA and IPv4 normalisation, port or the scheme's
///    default) equals the page's ([`GuardError::CrossOrigin`]).
///
/// The returned [`Url`] is the resolved URL **without its fragment**: `/a#x`, `/a#y` and `/a`
/// all give the same key. Comparing it with [`document_key`] of the page tells whether the
/// link points at the current document.
///
/// `page` should itself be an `http`/`https` URL; any other page has an opaque or different
/// origin and every href is then refused as cross-origin or by scheme.
///
/// # Errors
///
/// The first rule the href breaks, as a [`GuardError`].
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::{guard, GuardError};
/// use url::Url;
///
/// let page = Url::parse("http://localhost:8000/orders/").unwrap();
/// let key = guard(&page, "1042/?tab=items#summary").unwrap();
/// assert_eq!(key.as_str(), "http://localhost:8000/orders/1042/?tab=items");
///
/// assert!(matches!(guard(&page, "//evil.example/x"), Err(GuardError::CrossOrigin { .. })));
/// assert!(matches!(guard(&page, "http://0x7f.1:8000/"), Err(GuardError::CrossOrigin { .. })));
/// assert!(matches!(guard(&page, "/\\evil.example"), Err(GuardError::SuspiciousCharacter { ch: '\\' })));
/// ```
pub fn guard(page: &Url, href: &str) -> Result<Url, GuardError> {
    let href = href.trim_matches(' ');
    if href.is_empty() {
        return Err(GuardError::Empty);
    }
    if let Some(ch) = href.chars().find(|&c| c.is_ascii_control() || c == '\\') {
        return Err(GuardError::SuspiciousCharacter { ch });
    }
    if let Some(authority) = authority_of(href) {
        if authority.contains('%') {
            return Err(GuardError::EncodedAuthority);
        }
        if authority.contains('@') {
            return Err(GuardError::Credentials);
        }
    }
    let mut url = parse_http(Some(page), href).map_err(|e| match e {
        HttpUrlError::Unparseable(reason) => GuardError::Unparseable { reason },
        HttpUrlError::Scheme(scheme) => GuardError::Scheme { scheme },
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(GuardError::Credentials);
    }
    // The tuple origin of an http(s) URL, compared without building `url::Origin`s.
    let same_origin = url.scheme() == page.scheme()
        && url.host() == page.host()
        && url.port_or_known_default() == page.port_or_known_default();
    if !same_origin {
        return Err(GuardError::CrossOrigin {
            origin: url.origin().ascii_serialization(),
        });
    }
    url.set_fragment(None);
    Ok(url)
}

/// Why [`parse_http`] refused a URL.
pub(crate) enum HttpUrlError {
    /// The `url` crate's parse error, as text.
    Unparseable(String),
    /// The scheme, which is not `http` or `https`.
    Scheme(String),
}

/// WHATWG-parses `text` (against `base` when given) and requires an `http(s)` scheme.
pub(crate) fn parse_http(base: Option<&Url>, text: &str) -> Result<Url, HttpUrlError> {
    let url = Url::options()
        .base_url(base)
        .parse(text)
        .map_err(|e| HttpUrlError::Unparseable(e.to_string()))?;
    if matches!(url.scheme(), "http" | "https") {
        Ok(url)
    } else {
        Err(HttpUrlError::Scheme(url.scheme().to_owned()))
    }
}

/// The dedupe key of a document URL: the URL without its fragment.
///
/// [`guard`] returns keys in this form; use this on the page URL to detect links to the
/// current document.
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::document_key;
/// use url::Url;
///
/// let page = Url::parse("https://shop.example/orders/?page=2#top").unwrap();
/// assert_eq!(document_key(&page).as_str(), "https://shop.example/orders/?page=2");
/// ```
#[must_use]
pub fn document_key(url: &Url) -> Url {
    let mut key = url.clone();
    key.set_fragment(None);
    key
}

/// The raw authority of an absolute (`scheme://authority`) or protocol-relative
/// (`//authority`) href, or `None` for any other href.
fn authority_of(href: &str) -> Option<&str> {
    let rest = if let Some(rest) = href.strip_prefix("//") {
        rest
    } else {
        let colon = href.find(':')?;
        let (scheme, rest) = href.split_at(colon);
        let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid_scheme {
            return None;
        }
        rest[1..].strip_prefix("//")?
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("http://localhost:8000/").expect("static page url")
    }

    #[test]
    fn fragment_is_dropped_from_the_key() {
        let a = guard(&page(), "/a#x").expect("same origin");
        let b = guard(&page(), "/a#y").expect("same origin");
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "http://localhost:8000/a");
    }

    #[test]
    fn authority_is_found_only_in_absolute_and_protocol_relative_hrefs() {
        assert_eq!(authority_of("//a%2e.b/x"), Some("a%2e.b"));
        assert_eq!(authority_of("http://u@h:1?q"), Some("u@h:1"));
        assert_eq!(authority_of("/path%20x"), None);
        assert_eq!(authority_of("mailto:x@y"), None);
        assert_eq!(authority_of("1x://h"), None);
    }

    #[test]
    fn empty_href_is_refused_not_treated_as_the_page() {
        assert_eq!(guard(&page(), "  "), Err(GuardError::Empty));
    }
}
