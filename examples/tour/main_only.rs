//! The main-only middleware decision on the tour page: one normal navigation and one instant-shell
//! fetch, and the header edits each one gets.

use liveshell::main_only::{Body, Decision, Request, Response, decide};

/// Decides a navigation without and a fetch with `X-Djust-Main-Only: 1` for the same response.
pub(crate) fn tour(page: &str) {
    let headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Vary", "Cookie"),
        ("ETag", "\"page-v1\""),
        ("Content-Length", "1139"),
    ];
    let response = Response::new(200, &headers, Body::Complete(page.as_bytes()));
    println!(
        "response: 200, {} byte page, headers {headers:?}",
        page.len()
    );
    for (what, request) in [
        ("GET without X-Djust-Main-Only", &[("Accept", "text/html")]),
        (
            "GET with X-Djust-Main-Only: 1",
            &[("X-Djust-Main-Only", "1")],
        ),
    ] {
        let decision = decide(Request::new("GET", request), response);
        match &decision {
            Decision::PassThrough { reason, .. } => {
                println!("{what}: pass through ({}: {reason})", reason.as_str());
            }
            Decision::Trim { body, .. } => {
                let first = body.trim_start().lines().next().unwrap_or_default();
                println!(
                    "{what}: trim to {} bytes of <main>, starting {first:?}",
                    body.len()
                );
            }
        }
        for edit in decision.header_edits() {
            println!("  {edit}");
        }
    }
}
