//! Peak heap of `liveshell::shell::split` (and of the naive rcdom approach, for comparison) on the
//! largest page of the bench corpus, measured with a counting global allocator.
//!
//! Run it with `cargo run --release --example shell_heap [page.html]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use html5ever_039::tendril::TendrilSink;

/// The system allocator, counting the bytes currently allocated and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which we forward.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `dealloc`'s contract, which we forward.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `realloc`'s contract, which we forward.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns the peak heap above what was allocated before it started.
fn peak_of(f: impl FnOnce()) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - base
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/data/10-reddit-WRAPPED.html"
        )
        .to_owned()
    });
    let page = String::from_utf8_lossy(&std::fs::read(&path).expect("readable page")).into_owned();
    let size = page.len();
    let report = |what: &str, peak: usize| {
        println!(
            "{what:<22} peak heap {:>6.2} MB = {:.2}x the page",
            peak as f64 / 1e6,
            peak as f64 / size as f64
        );
    };
    println!("{path}: {:.2} MB", size as f64 / 1e6);
    report(
        "liveshell split",
        peak_of(|| drop(std::hint::black_box(liveshell::shell::split(&page)))),
    );
    report(
        "liveshell main_inner",
        peak_of(|| drop(std::hint::black_box(liveshell::shell::main_inner(&page)))),
    );
    report(
        "rcdom parse only",
        peak_of(|| {
            let dom = html5ever_039::parse_document(
                markup5ever_rcdom::RcDom::default(),
                Default::default(),
            )
            .one(page.as_str());
            drop(std::hint::black_box(dom));
        }),
    );
}
