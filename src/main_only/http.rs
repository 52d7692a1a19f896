//! The decision applied to the `http` crate's types (feature `http`).

use http::header::{HeaderMap, HeaderName, HeaderValue};

use super::{
    Body, Decision, HeaderEdit, HeaderEdits, MainOnlyOptions, Request, Response, decide_with,
};

/// Runs the main-only middleware on an `http` response, with default options.
///
/// Decides with [`decide`](super::decide), then applies the header edits to the response's
/// `HeaderMap` and, on a trim, replaces the body. Status and every other header are kept.
///
/// # Examples
///
/// ```
/// let request = http::Request::get("/page/").header("X-Djust-Main-Only", "1").body(()).unwrap();
/// let response = http::Response::builder()
///     .header("Content-Type", "text/html")
///     .body(b"<nav>n</nav><main>HELLO</main>".to_vec())
///     .unwrap();
/// let response = liveshell::main_only::apply(&request, response);
/// assert_eq!(response.body(), b"HELLO");
/// assert_eq!(response.headers()["content-length"], "5");
/// assert_eq!(response.headers()["x-djust-main-only-response"], "1");
/// assert_eq!(response.headers()["vary"], "X-Djust-Main-Only");
/// ```
pub fn apply<B>(
    request: &http::Request<B>,
    response: http::Response<Vec<u8>>,
) -> http::Response<Vec<u8>> {
    apply_with(request, response, &MainOnlyOptions::default())
}

/// Runs the main-only middleware on an `http` response, with `options`.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{apply_with, MainOnlyOptions, MissingMain};
///
/// let request = http::Request::get("/").header("X-Djust-Main-Only", "1").body(()).unwrap();
/// let response = http::Response::builder()
///     .header("Content-Type", "text/html")
///     .body(b"<div>no main</div>".to_vec())
///     .unwrap();
/// let djust = MainOnlyOptions::default().on_missing_main(MissingMain::EmptyBody);
/// let response = apply_with(&request, response, &djust);
/// assert!(response.body().is_empty());
/// assert_eq!(response.headers()["content-length"], "0");
/// ```
pub fn apply_with<B>(
    request: &http::Request<B>,
    mut response: http::Response<Vec<u8>>,
    options: &MainOnlyOptions,
) -> http::Response<Vec<u8>> {
    let decision = decide_with(
        Request::new(request.method().as_str(), request.headers()),
        Response::new(
            response.status().as_u16(),
            response.headers(),
            Body::Complete(response.body()),
        ),
        options,
    );
    let (body, header_edits) = match decision {
        Decision::Trim { body, header_edits } => (Some(body), header_edits),
        Decision::PassThrough { header_edits, .. } => (None, header_edits),
    };
    apply_edits(response.headers_mut(), &header_edits);
    if let Some(body) = body {
        *response.body_mut() = body.into_bytes();
    }
    response
}

/// Applies header edits to an `http` header map, as the table on [`HeaderEdit`] says.
pub(super) fn apply_edits(headers: &mut HeaderMap, edits: &HeaderEdits) {
    for edit in edits {
        let name = HeaderName::from_static(edit.name());
        match edit {
            HeaderEdit::Set { value, .. } => {
                headers.insert(name, header_value(value));
            }
            HeaderEdit::Append { value, .. } => {
                headers.append(name, HeaderValue::from_static(value));
            }
            HeaderEdit::Remove { .. } => {
                headers.remove(name);
            }
        }
    }
}

/// A header value from an edit's value, which the decision builds from visible ASCII only (digits,
/// `1`, and entity tags it checked byte by byte).
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).expect("edit values are visible ASCII")
}
