//! Allocation counts of the main-only decision, under a counting global allocator: every
//! pass-through decided from the headers allocates nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use liveshell::main_only::{Body, Decision, PassThroughReason, Request, Response, decide};

const ASK: [(&str, &str); 1] = [("X-Djust-Main-Only", "1")];

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Counts this thread's allocations, so tests running in parallel do not disturb each other.
struct CountingAllocator;

// SAFETY: delegates every call to `System` unchanged; the counter is a const-initialised
// thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which `System` shares.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_in(f: impl FnOnce() -> Decision) -> (usize, Decision) {
    let before = ALLOCATIONS.with(Cell::get);
    let decision = f();
    (ALLOCATIONS.with(Cell::get) - before, decision)
}

/// Method, request headers, status, response headers, body, and the expected reason.
type PassThroughCase<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    u16,
    &'a [(&'a str, &'a str)],
    Body<'a>,
    PassThroughReason,
);

#[test]
fn pass_through_decisions_allocate_nothing() {
    let page = b"<html><body><main>x</main></body></html>";
    let full = [
        ("Content-Type", "text/html"),
        ("Vary", "Accept-Encoding"),
        ("ETag", "\"v1\""),
    ];
    let gzip = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")];
    let latin1 = [("Content-Type", "text/html; charset=latin1")];
    let cases: [PassThroughCase<'_>; 8] = [
        (
            "GET",
            &[("Accept", "*/*")],
            200,
            &full,
            Body::Complete(page),
            PassThroughReason::NotRequested,
        ),
        (
            "POST",
            &ASK,
            200,
            &full,
            Body::Complete(page),
            PassThroughReason::Method,
        ),
        (
            "GET",
            &ASK,
            404,
            &full,
            Body::Complete(page),
            PassThroughReason::Status,
        ),
        (
            "GET",
            &ASK,
            200,
            &[("Content-Type", "image/png")],
            Body::Complete(page),
            PassThroughReason::NotHtml,
        ),
        (
            "GET",
            &ASK,
            200,
            &[
                ("Content-Type", "text/html"),
                ("Content-Type", "text/plain"),
            ],
            Body::Complete(page),
            PassThroughReason::AmbiguousContentType,
        ),
        (
            "GET",
            &ASK,
            200,
            &full,
            Body::Streaming,
            PassThroughReason::Streaming,
        ),
        (
            "GET",
            &ASK,
            200,
            &gzip,
            Body::Complete(page),
            PassThroughReason::Encoded,
        ),
        (
            "GET",
            &ASK,
            200,
            &latin1,
            Body::Complete(page),
            PassThroughReason::NotUtf8,
        ),
    ];
    for (method, request, status, response, body, reason) in cases {
        let (count, decision) = allocations_in(|| {
            decide(
                Request::new(method, request),
                Response::new(status, response, body),
            )
        });
        assert_eq!(decision.reason(), Some(reason));
        assert_eq!(count, 0, "{reason:?} allocated");
    }
}

#[cfg(feature = "http")]
#[test]
fn pass_through_over_an_http_header_map_allocates_nothing() {
    let request = http::Request::get("/")
        .header("Accept", "text/html")
        .body(())
        .expect("request");
    let response = http::Response::builder()
        .header("Content-Type", "text/html")
        .header("Vary", "Cookie")
        .body(b"<main>x</main>".to_vec())
        .expect("response");
    let (count, decision) = allocations_in(|| {
        decide(
            Request::new(request.method().as_str(), request.headers()),
            Response::new(
                response.status().as_u16(),
                response.headers(),
                Body::Complete(response.body()),
            ),
        )
    });
    assert_eq!(decision.reason(), Some(PassThroughReason::NotRequested));
    assert_eq!(count, 0);
}

#[test]
fn a_trim_allocates() {
    let (count, decision) = allocations_in(|| {
        decide(
            Request::new("GET", &ASK),
            Response::new(
                200,
                &[("Content-Type", "text/html")],
                Body::Complete(b"<main>x</main>"),
            ),
        )
    });
    assert!(decision.is_trim());
    assert!(count > 0, "the counter counts");
}
