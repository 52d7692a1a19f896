//! The message gate: which posted messages the service worker listens to.

use std::fmt;

use url::Url;

/// The kind of client that posted a message (`Client.type` in a service worker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// A page: `"window"`.
    Window,
    /// A dedicated worker: `"worker"`.
    Worker,
    /// A shared worker: `"sharedworker"`.
    SharedWorker,
    /// Anything else (a `MessagePort`, another service worker, an unknown type).
    Other,
}

impl SourceKind {
    /// The kind named by a `Client.type` string; unknown names are [`Other`](Self::Other).
    #[must_use]
    pub fn from_client_type(client_type: &str) -> Self {
        match client_type {
            "window" => Self::Window,
            "worker" => Self::Worker,
            "sharedworker" => Self::SharedWorker,
            _ => Self::Other,
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Window => "window",
            Self::Worker => "worker",
            Self::SharedWorker => "sharedworker",
            Self::Other => "other",
        })
    }
}

/// The `event.source` of a posted message: its kind and its URL, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Source<'a> {
    /// What posted the message.
    pub kind: SourceKind,
    /// `event.source.url`.
    pub url: Option<&'a str>,
}

impl<'a> Source<'a> {
    /// A source of any kind.
    #[must_use]
    pub const fn new(kind: SourceKind, url: Option<&'a str>) -> Self {
        Self { kind, url }
    }

    /// A window (page) source at `url`.
    #[must_use]
    pub const fn window(url: &'a str) -> Self {
        Self::new(SourceKind::Window, Some(url))
    }
}

/// Why the gate refused a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The scope itself is unusable: not an absolute `http`/`https` URL.
    #[error("scope `{scope}` is not an absolute http or https url")]
    BadScope {
        /// The scope as given.
        scope: String,
    },
    /// The message carries no `event.origin`.
    #[error("message has no origin")]
    MissingOrigin,
    /// `event.origin` is not the worker's origin.
    #[error("message origin `{origin}` is not the worker's origin `{expected}`")]
    ForeignOrigin {
        /// `event.origin` as given.
        origin: String,
        /// The worker's origin.
        expected: String,
    },
    /// The message has no `event.source`.
    #[error("message has no source")]
    NoSource,
    /// The source is not a window.
    #[error("message source is a {kind}, not a window")]
    NotAWindow {
        /// What the source is.
        kind: SourceKind,
    },
    /// The source has no URL, so it cannot be shown to be inside the scope.
    #[error("message source has no url")]
    NoSourceUrl,
    /// The source's URL does not parse.
    #[error("source url `{url}` is not a valid url")]
    BadSourceUrl {
        /// The URL as given.
        url: String,
    },
    /// The source's URL is outside the scope (another origin, or another path).
    #[error("source url `{url}` is outside the scope `{scope}`")]
    OutsideScope {
        /// The source's URL as given.
        url: String,
        /// The scope.
        scope: String,
    },
}

/// The gate for one service-worker scope, parsed once for many messages.
///
/// See [`accept_source`] for the rules.
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{Source, SourceGate};
///
/// let gate = SourceGate::new("http://localhost:8000/")?;
/// let origin = Some("http://localhost:8000");
/// assert!(gate.check(origin, Some(&Source::window("http://localhost:8000/some/page"))).is_ok());
/// assert!(gate.check(origin, Some(&Source::window("http://evil.example.com/page"))).is_err());
/// # Ok::<(), liveshell::reconnect::SourceError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceGate {
    scope: Url,
}

impl SourceGate {
    /// Parses the registration's scope (which also gives the worker's origin).
    ///
    /// # Errors
    ///
    /// [`SourceError::BadScope`] when `scope` is not an absolute `http` or `https` URL.
    pub fn new(scope: &str) -> Result<Self, SourceError> {
        match Url::parse(scope) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(Self { scope: url }),
            _ => Err(SourceError::BadScope {
                scope: scope.to_owned(),
            }),
        }
    }

    /// The scope, normalised (`http://localhost:8000` becomes `http://localhost:8000/`).
    #[must_use]
    pub fn scope(&self) -> &str {
        self.scope.as_str()
    }

    /// Checks one message's `event.origin` and `event.source` against the scope.
    ///
    /// # Errors
    ///
    /// The first rule the message breaks, as a [`SourceError`].
    pub fn check(
        &self,
        origin: Option<&str>,
        source: Option<&Source<'_>>,
    ) -> Result<(), SourceError> {
        let origin = origin
            .filter(|o| !o.is_empty())
            .ok_or(SourceError::MissingOrigin)?;
        let expected = self.scope.origin();
        if Url::parse(origin).map(|o| o.origin()).ok() != Some(expected.clone()) {
            return Err(SourceError::ForeignOrigin {
                origin: origin.to_owned(),
                expected: expected.ascii_serialization(),
            });
        }
        let source = source.ok_or(SourceError::NoSource)?;
        if source.kind != SourceKind::Window {
            return Err(SourceError::NotAWindow { kind: source.kind });
        }
        let raw = source.url.ok_or(SourceError::NoSourceUrl)?;
        let url = Url::parse(raw).map_err(|_| SourceError::BadSourceUrl {
            url: raw.to_owned(),
        })?;
        if url.origin() == expected && in_scope(self.scope.path(), url.path()) {
            Ok(())
        } else {
            Err(SourceError::OutsideScope {
                url: raw.to_owned(),
                scope: self.scope.to_string(),
            })
        }
    }
}

/// Whether `path` lies under `scope`: a scope ending in `/` is a directory prefix, any other
/// scope matches itself and what lies below it as a directory (so `/app` does not cover
/// `/application`). Both paths come normalised from the `url` crate.
fn in_scope(scope: &str, path: &str) -> bool {
    if scope.ends_with('/') {
        return path.starts_with(scope);
    }
    path.strip_prefix(scope)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The service worker's message gate as a pure function: may this message be handled?
///
/// A message is accepted only when all of these hold:
///
/// 1. `origin` (`event.origin`) is present and is the worker's origin, the scope's origin;
/// 2. `source` (`event.source`) is present and is a window;
/// 3. the source has a URL, it parses, it has the scope's origin (scheme, host and port
///    compared as parsed, not as text) and its path lies inside the scope's path.
///
/// djust differs in three ways, all fixed here: it skips the origin check when `event.origin`
/// is empty, lets a source without a URL through, and compares the URL to the scope with a
/// string prefix test, which a host such as `localhost:8000.evil.com` can pass when the scope
/// lacks a trailing slash.
///
/// Parse the scope once with [`SourceGate`] when checking many messages.
///
/// # Errors
///
/// The first rule the message breaks (or [`SourceError::BadScope`]).
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{accept_source, Source, SourceError, SourceKind};
///
/// let scope = "http://localhost:8000/";
/// let origin = Some("http://localhost:8000");
/// let page = Source::window("http://localhost:8000/some/page");
/// assert_eq!(accept_source(scope, origin, Some(&page)), Ok(()));
/// let no_url = Source::new(SourceKind::Window, None);
/// assert_eq!(accept_source(scope, origin, Some(&no_url)), Err(SourceError::NoSourceUrl));
/// let worker = Source::new(SourceKind::Worker, Some("http://localhost:8000/w.js"));
/// assert!(accept_source(scope, origin, Some(&worker)).is_err());
/// ```
pub fn accept_source(
    scope: &str,
    origin: Option<&str>,
    source: Option<&Source<'_>>,
) -> Result<(), SourceError> {
    SourceGate::new(scope)?.check(origin, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: Option<&str> = Some("http://localhost:8000");

    fn check(scope: &str, url: &str) -> Result<(), SourceError> {
        accept_source(scope, ORIGIN, Some(&Source::window(url)))
    }

    #[test]
    fn host_that_extends_the_scope_text_is_rejected_with_or_without_slash() {
        for scope in ["http://localhost:8000/", "http://localhost:8000"] {
            assert!(check(scope, "http://localhost:8000.evil.com/").is_err());
            assert!(check(scope, "http://localhost:8000.evil.com/p").is_err());
            assert!(check(scope, "http://localhost:8000@evil.com/").is_err());
        }
    }

    #[test]
    fn scope_without_trailing_slash_is_a_directory() {
        let scope = "http://localhost:8000/app";
        assert_eq!(check(scope, "http://localhost:8000/app"), Ok(()));
        assert_eq!(check(scope, "http://localhost:8000/app/x?q=1"), Ok(()));
        assert!(matches!(
            check(scope, "http://localhost:8000/application"),
            Err(SourceError::OutsideScope { .. })
        ));
    }

    #[test]
    fn dot_segments_are_resolved_before_comparing() {
        let scope = "http://localhost:8000/app/";
        assert!(check(scope, "http://localhost:8000/app/../admin/").is_err());
        assert_eq!(check(scope, "http://localhost:8000/x/../app/ok"), Ok(()));
    }

    #[test]
    fn origin_is_compared_as_parsed() {
        let page = Source::window("http://localhost:8000/p");
        let scope = "http://localhost:8000/";
        assert_eq!(
            accept_source(scope, Some("http://LOCALHOST:8000"), Some(&page)),
            Ok(())
        );
        assert_eq!(
            accept_source(scope, Some(""), Some(&page)),
            Err(SourceError::MissingOrigin)
        );
        assert!(accept_source(scope, Some("null"), Some(&page)).is_err());
        assert!(accept_source(scope, Some("https://localhost:8000"), Some(&page)).is_err());
    }

    #[test]
    fn unusable_scope_is_an_error() {
        for scope in ["", "/relative/", "file:///tmp/", "data:text/plain,x"] {
            assert!(matches!(
                SourceGate::new(scope),
                Err(SourceError::BadScope { .. })
            ));
        }
    }

    #[test]
    fn client_types_map_to_kinds() {
        assert_eq!(SourceKind::from_client_type("window"), SourceKind::Window);
        assert_eq!(
            SourceKind::from_client_type("sharedworker"),
            SourceKind::SharedWorker
        );
        assert_eq!(SourceKind::from_client_type("Window"), SourceKind::Other);
        assert_eq!(SourceKind::Worker.to_string(), "worker");
    }
}
