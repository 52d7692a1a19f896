//! The main-only middleware decision: trim a response to the inner HTML of `<main>`.
//!
//! The server half of the instant shell. A client that already shows the page's shell fetches the
//! page again with the request header `X-Djust-Main-Only: 1` and wants only the inner HTML of its
//! `<main>` element. [`decide`] is the pure decision any framework's middleware calls on the way
//! out: given the request's method and headers and the response's status, headers and body, it
//! answers [`Decision::Trim`] (the new body and the header edits) or [`Decision::PassThrough`]
//! (a loggable [`PassThroughReason`] and the header edits, usually just `Vary`).
//!
//! # Drive loop
//!
//! There is no state and no time: one call per response.
//!
//! 1. Build a [`Request`] (method, header pairs) and a [`Response`] (status, header pairs,
//!    [`Body::Complete`] bytes, or [`Body::Streaming`] for a body not yet produced).
//! 2. Call [`decide`] (or [`decide_with`] and [`MainOnlyOptions`]).
//! 3. Apply every [`HeaderEdit`] of [`Decision::header_edits`] to the response (each is a set,
//!    append or remove with an exact value); on [`Decision::Trim`] also replace the body.
//!
//! With the `http` feature, `apply` and `apply_with` do all three for `http::Request` and
//! `http::Response<Vec<u8>>` (hyper, axum, tower).
//!
//! # Streamed bodies
//!
//! A body that arrives in chunks is decided in two steps, by the same checks and edits:
//!
//! 1. [`decide_head`] applies every rule that needs no body byte (1, 2, 3 and 5, in `decide`'s
//!    order). Most responses are decided here: [`HeadDecision::PassThrough`], the body untouched.
//! 2. Otherwise a [`Trimmer`] reads the body through [`shell::MainStream`](crate::shell::MainStream)
//!    and answers with [`TrimStep`]s: hold, pass through, send the head and trim, and end.
//!
//! **What is held back, and why.** Until it is certain where the first `<main>` in tree order
//! starts (later markup can still move an earlier element in front of it, or there may be none),
//! the head cannot go out: its edits differ between a trim and a pass-through, and the bytes
//! already read may have to be sent unmodified. So the trimmer holds every byte read while
//! seeking, up to [`MainOnlyOptions::prefix_limit`] (512 KiB by default) plus the chunk that
//! crosses it; past it, or on a byte that is not UTF-8, the body passes through (held bytes
//! first, then the rest, nothing lost or duplicated). Once main is certain, the held bytes are
//! released, the head goes out with the trim edits (`Content-Length` removed: the trimmed length
//! is not known yet), and what is held from then on is only what the stream itself holds back:
//! main's content that later input can still change, capped by
//! [`ShellOptions::hold_back_limit`](crate::shell::ShellOptions::hold_back_limit). Once main is
//! complete, the rest of the body is never read. A trim that cannot be completed after its head
//! went out is a [`TrimError`]: the host ends the body with an error, never a short success.
//!
//! With the `tower` feature, `MainOnlyLayer` drives all this for tower, hyper and axum.
//!
//! # Time
//!
//! Nothing here depends on time: no `now` argument, no clock.
//!
//! # Rules
//!
//! 1. **Trigger.** Exactly one request header line `X-Djust-Main-Only` whose value, trimmed of
//!    spaces and tabs, is `1`; only `GET` is trimmed.
//! 2. **Eligible responses.** Status 200-399 except 204, 206 and 304, with a `Content-Type` of
//!    `text/html` or `application/xhtml+xml` (ASCII case-insensitive, parameters ignored). Other
//!    statuses and types pass through with no edit at all. A streamed body is never trimmed; as
//!    an eligible HTML response it still gets the `Vary` edit of rule 5, which leaves the body
//!    alone.
//! 3. **Never corrupt bytes.** A `Content-Encoding` other than `identity` (or a `Transfer-Encoding`
//!    other than `chunked`) passes through as [`Encoded`](PassThroughReason::Encoded), whatever
//!    the middleware order; a body that is not UTF-8, or a `charset` that is not a UTF-8 label,
//!    passes through as [`NotUtf8`](PassThroughReason::NotUtf8).
//! 4. **Trim.** The body becomes [`shell::main_inner`](crate::shell::main_inner) of the page;
//!    `Content-Length` is set to its byte length (and a `Transfer-Encoding: chunked` line removed,
//!    since the body is complete); `X-Djust-Main-Only-Response: 1` is set; an `ETag` becomes the
//!    weak, distinct `W/"<tag>-main"`; `Content-MD5`, `Digest` and `Repr-Digest` are removed.
//!    Status, `Content-Type` and all other headers stay.
//! 5. **Caches never mix the variants.** Every eligible HTML response, trimmed or not, requested
//!    or not, gets `X-Djust-Main-Only` appended to `Vary` unless `Vary` already lists it (any case,
//!    any line) or is `*`.
//! 6. **No `<main>`.** The response passes through unchanged and without the marker
//!    ([`NoMain`](PassThroughReason::NoMain)), so the client can fall back to a full navigation.
//!    [`MissingMain::EmptyBody`] restores djust's answer (an empty trimmed body with the marker).
//! 7. **Repeated lines.** Header names compare ASCII case-insensitively, every line of a repeated
//!    field counts, and `Content-Type` lines that disagree (one of them HTML) make the response
//!    [`AmbiguousContentType`](PassThroughReason::AmbiguousContentType): never trimmed, no `Vary`.
//!
//! # Differences from djust's `DjustMainOnlyMiddleware`
//!
//! - Spaces and tabs around `1` are accepted; djust wants the exact string.
//! - No `<main>` passes through without the marker (djust: empty body and the marker).
//! - `Vary`, `ETag` and the digest fields are fixed, so HTTP caches cannot serve one variant for
//!   the other (djust leaves them describing the full page).
//! - Encoded bodies and non-UTF-8 charsets pass through by rule, not by a failing UTF-8 decode.
//! - 204, 206 and 304 are not eligible (djust processes any status below 400).
//! - `<main>` is found by a real HTML5 parser ([`crate::shell`]), not a regex.
//!
//! # Examples
//!
//! ```
//! use liveshell::main_only::{decide, Body, Decision, PassThroughReason, Request, Response};
//!
//! let page = "<!DOCTYPE html><title>t</title><nav>n</nav><main>HELLO</main>";
//! let headers = [("Content-Type", "text/html; charset=utf-8"), ("ETag", "\"v1\"")];
//! let response = Response::new(200, &headers, Body::Complete(page.as_bytes()));
//!
//! // The instant shell's fetch: the body becomes the inner HTML of <main>.
//! let decision = decide(Request::new("GET", &[("X-Djust-Main-Only", "1")]), response);
//! assert_eq!(decision.body(), Some("HELLO"));
//! let edits: Vec<String> = decision.header_edits().iter().map(ToString::to_string).collect();
//! assert_eq!(edits, [
//!     "append vary: X-Djust-Main-Only",
//!     "set content-length: 5",
//!     "set x-djust-main-only-response: 1",
//!     "set etag: W/\"v1-main\"",
//! ]);
//!
//! // A normal navigation: the page is untouched, but caches learn that it varies.
//! let decision = decide(Request::new("GET", &[("Accept", "text/html")]), response);
//! assert_eq!(decision.reason(), Some(PassThroughReason::NotRequested));
//! assert_eq!(decision.header_edits().len(), 1);
//! ```

#[cfg(feature = "tower")]
mod body;
mod edits;
mod headers;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "tower")]
mod layer;
mod streaming;

use std::fmt;

#[cfg(feature = "tower")]
pub use self::body::{BodyError, MainOnlyBody};
#[cfg(feature = "http")]
pub use self::http::{apply, apply_with};
#[cfg(feature = "tower")]
pub use self::layer::{MainOnly, MainOnlyFuture, MainOnlyLayer};
/// The crate's one header input shape, re-exported where `decide` first took it.
pub use crate::headers::Headers;
pub use edits::{HeaderEdit, HeaderEdits};
pub use streaming::{HeadDecision, TrimError, TrimStep, Trimmer, decide_head};

use headers::EtagEdit;
/// The request and `Content-Type` readers of [`decide`], shared with the service worker.
pub(crate) use headers::{ContentType, content_type, is_requested};

/// The request header that asks for the main-only variant (value `1`).
pub const REQUEST_HEADER: &str = "x-djust-main-only";

/// The response header that marks a trimmed body (value `1`).
pub const RESPONSE_HEADER: &str = "x-djust-main-only-response";

/// An empty header list whose type is known, for a request or response without headers (a bare
/// `&[]` leaves the pair type to infer).
///
/// ```
/// use liveshell::main_only::{Request, NO_HEADERS};
/// let request = Request::new("GET", NO_HEADERS);
/// # let _ = request;
/// ```
pub const NO_HEADERS: &[(&str, &str)] = &[];

/// The `Vary` member added to every eligible HTML response.
const VARY_MEMBER: &str = "X-Djust-Main-Only";

/// The request side of a decision: method and header lines.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::Request;
///
/// let request = Request::new("GET", &[("X-Djust-Main-Only", "1")]);
/// assert_eq!(request.method(), "GET");
/// ```
#[derive(Debug)]
pub struct Request<'a, H: ?Sized> {
    method: &'a str,
    headers: &'a H,
}

impl<'a, H: Headers + ?Sized> Request<'a, H> {
    /// A request with this method (case-sensitive, as HTTP methods are) and these header lines.
    #[must_use]
    pub fn new(method: &'a str, headers: &'a H) -> Self {
        Self { method, headers }
    }

    /// The request method.
    #[must_use]
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The request's header lines.
    #[must_use]
    pub fn headers(&self) -> &'a H {
        self.headers
    }
}

impl<H: ?Sized> Clone for Request<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H: ?Sized> Copy for Request<'_, H> {}

/// A response body as the middleware sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<'a> {
    /// The whole body, as sent (after any content coding the headers declare).
    Complete(&'a [u8]),
    /// A body produced later, chunk by chunk: always passed through.
    Streaming,
}

/// The response side of a decision: status, header lines and body.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{Body, Response};
///
/// let response = Response::new(200, &[("Content-Type", "text/html")], Body::Complete(b"<main>x</main>"));
/// assert_eq!(response.status(), 200);
/// ```
#[derive(Debug)]
pub struct Response<'a, H: ?Sized> {
    status: u16,
    headers: &'a H,
    body: Body<'a>,
}

impl<'a, H: Headers + ?Sized> Response<'a, H> {
    /// A response with this status code, these header lines and this body.
    #[must_use]
    pub fn new(status: u16, headers: &'a H, body: Body<'a>) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response's header lines.
    #[must_use]
    pub fn headers(&self) -> &'a H {
        self.headers
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> Body<'a> {
        self.body
    }
}

impl<H: ?Sized> Clone for Response<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H: ?Sized> Copy for Response<'_, H> {}

/// What to do when a requested, eligible page has no `<main>` element.
///
/// In an options file: `"pass_through"` or `"empty_body"`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MissingMain {
    /// Pass the full page through without the marker ([`PassThroughReason::NoMain`]), so a client
    /// that checks `X-Djust-Main-Only-Response` falls back to a full navigation. The default.
    #[default]
    PassThrough,
    /// djust's answer: trim to an empty body, with the marker and `Content-Length: 0`.
    EmptyBody,
}

/// Options of [`decide_with`], `apply_with`, [`decide_head`] and `MainOnlyLayer`.
///
/// The crate's options shape: `Default` is the seed's behaviour, consuming setters named for the
/// field ([`on_missing_main`](Self::on_missing_main)), serde with every field optional (a missing
/// field keeps its default), and one [`validate`](Self::validate), which `MainOnlyLayer::try_new`
/// calls.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{MainOnlyOptions, MissingMain};
///
/// let djust_compatible = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
/// assert_eq!(djust_compatible.missing_main(), MissingMain::EmptyBody);
/// assert_eq!(djust_compatible.prefix_limit_bytes(), 512 * 1024);
///
/// let from_file: MainOnlyOptions = serde_json::from_str(r#"{"on_missing_main": "empty_body"}"#)?;
/// assert_eq!(from_file, djust_compatible);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MainOnlyOptions {
    on_missing_main: MissingMain,
    prefix_limit: usize,
}

impl Default for MainOnlyOptions {
    fn default() -> Self {
        Self {
            on_missing_main: MissingMain::default(),
            prefix_limit: Self::DEFAULT_PREFIX_LIMIT,
        }
    }
}

impl MainOnlyOptions {
    /// The default [`prefix_limit`](Self::prefix_limit): 512 KiB.
    pub const DEFAULT_PREFIX_LIMIT: usize = 512 * 1024;

    /// Sets what happens to a page without `<main>` (default [`MissingMain::PassThrough`]).
    #[must_use]
    pub fn on_missing_main(mut self, on_missing_main: MissingMain) -> Self {
        self.on_missing_main = on_missing_main;
        self
    }

    /// What happens to a page without `<main>`.
    #[must_use]
    pub fn missing_main(&self) -> MissingMain {
        self.on_missing_main
    }

    /// Sets how many bytes of a streamed body may be held back, head and all, while it is not yet
    /// certain where (or whether) `<main>` starts (default
    /// [`DEFAULT_PREFIX_LIMIT`](Self::DEFAULT_PREFIX_LIMIT)). Past it the response passes through
    /// as [`PrefixLimit`](PassThroughReason::PrefixLimit). A complete body ([`decide_with`]) is
    /// already in memory and ignores it.
    #[must_use]
    pub fn prefix_limit(mut self, bytes: usize) -> Self {
        self.prefix_limit = bytes;
        self
    }

    /// How many bytes of a streamed body may be held while `<main>` is sought.
    #[must_use]
    pub fn prefix_limit_bytes(&self) -> usize {
        self.prefix_limit
    }

    /// Checks every option against its range: [`prefix_limit`](Self::prefix_limit) at most
    /// [`MAX_PAGE_LEN`](crate::shell::MAX_PAGE_LEN), the longest page the shell reads (a larger
    /// limit could never be reached). `0` is allowed: every streamed main-only response then
    /// passes through as [`PrefixLimit`](PassThroughReason::PrefixLimit) unless its first chunk
    /// shows `<main>`.
    ///
    /// # Errors
    ///
    /// [`OptionsError::OutOfRange`](crate::OptionsError::OutOfRange) naming the option.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::OptionsError;
    /// use liveshell::main_only::MainOnlyOptions;
    ///
    /// assert_eq!(MainOnlyOptions::default().validate(), Ok(()));
    /// let huge = MainOnlyOptions::default().prefix_limit(usize::MAX);
    /// assert!(matches!(huge.validate(), Err(OptionsError::OutOfRange { option: "prefix_limit", .. })));
    /// ```
    pub fn validate(&self) -> Result<(), crate::OptionsError> {
        crate::options::check_count(
            "prefix_limit",
            self.prefix_limit,
            0..=crate::shell::MAX_PAGE_LEN,
            "0..=4294967295 bytes",
        )
    }
}

/// Why a response passes through untrimmed, for the host's logs.
///
/// When several apply, the first in this order is reported: request checks, then status, type,
/// body, coding, charset and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PassThroughReason {
    /// The request does not carry exactly one `X-Djust-Main-Only: 1`.
    NotRequested,
    /// The request method is not `GET`.
    Method,
    /// The status is outside 200-399, or 204, 206 or 304.
    Status,
    /// The `Content-Type` is absent or not HTML.
    NotHtml,
    /// Several `Content-Type` lines disagree, at least one of them HTML.
    AmbiguousContentType,
    /// The body is streamed.
    Streaming,
    /// A content or transfer coding is declared: the bytes are not the HTML text.
    Encoded,
    /// The body is not valid UTF-8, or the `charset` names another encoding.
    NotUtf8,
    /// The page has no `<main>` element.
    NoMain,
    /// A streamed body reached [`MainOnlyOptions::prefix_limit`] before `<main>` was certain, or
    /// the stream could not hold back what might still change there
    /// ([`decide_head`] and `MainOnlyLayer` only).
    PrefixLimit,
}

impl PassThroughReason {
    /// A stable, snake_case name for structured logs and metrics, e.g. `"not_requested"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotRequested => "not_requested",
            Self::Method => "method",
            Self::Status => "status",
            Self::NotHtml => "not_html",
            Self::AmbiguousContentType => "ambiguous_content_type",
            Self::Streaming => "streaming",
            Self::Encoded => "encoded",
            Self::NotUtf8 => "not_utf8",
            Self::NoMain => "no_main",
            Self::PrefixLimit => "prefix_limit",
        }
    }
}

impl fmt::Display for PassThroughReason {
    /// A short lowercase sentence, e.g. `the request did not ask for main only`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotRequested => "the request did not ask for main only",
            Self::Method => "the request method is not GET",
            Self::Status => "the status is not trimmed",
            Self::NotHtml => "the response is not HTML",
            Self::AmbiguousContentType => "the Content-Type lines disagree",
            Self::Streaming => "the body is streamed",
            Self::Encoded => "the body has a content or transfer coding",
            Self::NotUtf8 => "the body is not UTF-8",
            Self::NoMain => "the page has no main element",
            Self::PrefixLimit => "the main element was not certain within the prefix limit",
        })
    }
}

/// What the middleware does with a response.
///
/// Deliberately exhaustive: a host handles exactly these two cases, and both carry header edits
/// it must apply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a decision's header edits must be applied, even on pass-through"]
pub enum Decision {
    /// Send the original body; apply `header_edits` (at most a `Vary` append).
    PassThrough {
        /// Why the body is not trimmed.
        reason: PassThroughReason,
        /// The header edits to apply anyway.
        header_edits: HeaderEdits,
    },
    /// Replace the body with `body` and apply `header_edits`.
    Trim {
        /// The inner HTML of the page's `<main>` element (UTF-8).
        body: String,
        /// The header edits: `Content-Length`, the marker, `Vary`, `ETag` and removals.
        header_edits: HeaderEdits,
    },
}

impl Decision {
    /// The header edits to apply, in either case.
    #[must_use]
    pub fn header_edits(&self) -> &HeaderEdits {
        match self {
            Self::PassThrough { header_edits, .. } | Self::Trim { header_edits, .. } => {
                header_edits
            }
        }
    }

    /// The trimmed body, or `None` on pass-through.
    #[must_use]
    pub fn body(&self) -> Option<&str> {
        match self {
            Self::Trim { body, .. } => Some(body),
            Self::PassThrough { .. } => None,
        }
    }

    /// Why the response passes through, or `None` when it is trimmed.
    #[must_use]
    pub fn reason(&self) -> Option<PassThroughReason> {
        match self {
            Self::PassThrough { reason, .. } => Some(*reason),
            Self::Trim { .. } => None,
        }
    }

    /// Whether the body is trimmed.
    #[must_use]
    pub fn is_trim(&self) -> bool {
        matches!(self, Self::Trim { .. })
    }
}

/// Decides what the main-only middleware does with `response`, with default options.
///
/// Never panics and never fails: every input that cannot be trimmed safely passes through with a
/// reason. A pass-through for any reason but [`NoMain`](PassThroughReason::NoMain) (which has to
/// parse the page) allocates nothing.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{decide, Body, PassThroughReason, Request, Response};
///
/// let gzip = [0x1f, 0x8b, 0x08, 0x00];
/// let headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")];
/// let decision = decide(
///     Request::new("GET", &[("X-Djust-Main-Only", "1")]),
///     Response::new(200, &headers, Body::Complete(&gzip)),
/// );
/// assert_eq!(decision.reason(), Some(PassThroughReason::Encoded));
/// ```
pub fn decide<RH, SH>(request: Request<'_, RH>, response: Response<'_, SH>) -> Decision
where
    RH: Headers + ?Sized,
    SH: Headers + ?Sized,
{
    decide_with(request, response, &MainOnlyOptions::default())
}

/// Decides what the main-only middleware does with `response`, with `options`.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{decide_with, Body, MainOnlyOptions, MissingMain, Request, Response};
///
/// let djust = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
/// let decision = decide_with(
///     Request::new("GET", &[("X-Djust-Main-Only", "1")]),
///     Response::new(200, &[("Content-Type", "text/html")], Body::Complete(b"<div>no main</div>")),
///     &djust,
/// );
/// assert_eq!(decision.body(), Some(""));
/// ```
pub fn decide_with<RH, SH>(
    request: Request<'_, RH>,
    response: Response<'_, SH>,
    options: &MainOnlyOptions,
) -> Decision
where
    RH: Headers + ?Sized,
    SH: Headers + ?Sized,
{
    let content_type = head_content_type(response.status, response.headers);
    let vary = needs_vary(content_type, response.headers);
    match trimmed_body(request, response, content_type, options) {
        Ok(body) => {
            let header_edits =
                trim_edits(vary, TrimHeaders::read(response.headers), Some(body.len()));
            Decision::Trim { body, header_edits }
        }
        Err(reason) => Decision::PassThrough {
            reason,
            header_edits: vary_edits(vary),
        },
    }
}

/// Runs the checks in order and trims, or names the first check that fails.
fn trimmed_body<RH, SH>(
    request: Request<'_, RH>,
    response: Response<'_, SH>,
    content_type: ContentType,
    options: &MainOnlyOptions,
) -> Result<String, PassThroughReason>
where
    RH: Headers + ?Sized,
    SH: Headers + ?Sized,
{
    check_request(request)?;
    let charset_is_utf8 = check_status_and_type(response.status, content_type)?;
    let Body::Complete(bytes) = response.body else {
        return Err(PassThroughReason::Streaming);
    };
    check_coding(response.headers, charset_is_utf8)?;
    let Ok(page) = std::str::from_utf8(bytes) else {
        return Err(PassThroughReason::NotUtf8);
    };
    match crate::shell::main_inner(page) {
        Some(body) => Ok(body),
        None => missing_main(options).map(|()| String::new()),
    }
}

/// The request checks of rule 1: exactly one `X-Djust-Main-Only: 1`, and `GET`.
fn check_request<H: Headers + ?Sized>(request: Request<'_, H>) -> Result<(), PassThroughReason> {
    if !is_requested(request.headers) {
        return Err(PassThroughReason::NotRequested);
    }
    if request.method != "GET" {
        return Err(PassThroughReason::Method);
    }
    Ok(())
}

/// The `Content-Type` that counts: the field's when the status is trimmable (rule 2), else
/// none, so an untrimmable status gets no edit at all.
fn head_content_type(status: u16, headers: &(impl Headers + ?Sized)) -> ContentType {
    if is_trimmable_status(status) {
        content_type(headers)
    } else {
        ContentType::NotHtml
    }
}

/// Whether the response gains the `Vary` member of rule 5.
fn needs_vary(content_type: ContentType, headers: &(impl Headers + ?Sized)) -> bool {
    matches!(content_type, ContentType::Html { .. }) && headers::vary_lacks_request_header(headers)
}

/// The response checks of rule 2: a trimmable status and one HTML type. Returns whether the
/// `charset` (if any) is a UTF-8 label.
fn check_status_and_type(
    status: u16,
    content_type: ContentType,
) -> Result<bool, PassThroughReason> {
    if !is_trimmable_status(status) {
        return Err(PassThroughReason::Status);
    }
    match content_type {
        ContentType::Html { utf8 } => Ok(utf8),
        ContentType::NotHtml => Err(PassThroughReason::NotHtml),
        ContentType::Ambiguous => Err(PassThroughReason::AmbiguousContentType),
    }
}

/// The coding checks of rule 3 that the header fields decide: no content or transfer coding, and
/// a UTF-8 `charset`.
fn check_coding(
    headers: &(impl Headers + ?Sized),
    charset_is_utf8: bool,
) -> Result<(), PassThroughReason> {
    if headers::is_encoded(headers) {
        return Err(PassThroughReason::Encoded);
    }
    if !charset_is_utf8 {
        return Err(PassThroughReason::NotUtf8);
    }
    Ok(())
}

/// Rule 6: a page without `<main>` is trimmed to nothing (`Ok`) or passes through.
fn missing_main(options: &MainOnlyOptions) -> Result<(), PassThroughReason> {
    match options.on_missing_main {
        MissingMain::EmptyBody => Ok(()),
        MissingMain::PassThrough => Err(PassThroughReason::NoMain),
    }
}

/// Statuses whose body may be trimmed: 200-399 except 204 (no content), 206 (a byte range of the
/// page, not the page) and 304 (no content).
fn is_trimmable_status(status: u16) -> bool {
    (200..400).contains(&status) && !matches!(status, 204 | 206 | 304)
}

/// Fields that describe the full body's bytes and are wrong for any other body.
const DIGEST_FIELDS: [&str; 3] = ["content-md5", "digest", "repr-digest"];

/// The header fields removed from a trimmed response when present: the digests, and the
/// `Transfer-Encoding` of the full body.
const REMOVED_FIELDS: [&str; 4] = [
    DIGEST_FIELDS[0],
    DIGEST_FIELDS[1],
    DIGEST_FIELDS[2],
    "transfer-encoding",
];

/// What the trim edits need from the response's header fields, read once (so a streamed body's
/// trim edits can be made after the fields are gone).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TrimHeaders {
    etag: EtagEdit,
    has_content_length: bool,
    present: [bool; REMOVED_FIELDS.len()],
}

impl TrimHeaders {
    fn read(headers: &(impl Headers + ?Sized)) -> Self {
        Self {
            etag: headers::etag_edit(headers),
            has_content_length: headers.values("content-length").next().is_some(),
            present: REMOVED_FIELDS.map(|name| headers.values(name).next().is_some()),
        }
    }
}

/// The edits of a pass-through: the `Vary` member of rule 5, or nothing.
fn vary_edits(vary: bool) -> HeaderEdits {
    let mut edits = HeaderEdits::default();
    if vary {
        edits.push(HeaderEdit::Append {
            name: "vary",
            value: VARY_MEMBER,
        });
    }
    edits
}

/// The edits of a trimmed body (rule 4) after the `Vary` edit: `Content-Length` set to `len`, or
/// removed when the length is not known yet (a streamed trim), the marker, the `ETag` and the
/// removals.
fn trim_edits(vary: bool, fields: TrimHeaders, len: Option<usize>) -> HeaderEdits {
    let mut edits = vary_edits(vary);
    match len {
        Some(len) => edits.push(HeaderEdit::Set {
            name: "content-length",
            value: len.to_string().into(),
        }),
        None if fields.has_content_length => edits.push(HeaderEdit::Remove {
            name: "content-length",
        }),
        None => {}
    }
    edits.push(HeaderEdit::Set {
        name: RESPONSE_HEADER,
        value: "1".into(),
    });
    match fields.etag {
        EtagEdit::Absent => {}
        EtagEdit::Weaken(tag) => edits.push(HeaderEdit::Set {
            name: "etag",
            value: tag.into(),
        }),
        EtagEdit::Remove => edits.push(HeaderEdit::Remove { name: "etag" }),
    }
    for (name, present) in REMOVED_FIELDS.into_iter().zip(fields.present) {
        if present {
            edits.push(HeaderEdit::Remove { name });
        }
    }
    edits
}

#[cfg(test)]
mod tests;
