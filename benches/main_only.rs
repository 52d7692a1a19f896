//! The main-only decision: a pass-through costs a few header comparisons; a trim costs about what
//! `shell::main_inner` costs, measured side by side on the corpus pages of `benches/data/`.
//!
//! `cargo bench --bench main_only` (add `--all-features` for the `http::HeaderMap` variant).

use std::cell::Cell;
use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::main_only::{Body, Decision, Request, Response, decide};
use liveshell::shell::main_inner;

/// Request headers of a typical browser fetch, without and with the main-only header.
const NAVIGATION: [(&str, &str); 6] = [
    ("Host", "example.com"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    ),
    (
        "Accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ),
    ("Accept-Language", "en-US,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Cookie", "sessionid=abc; csrftoken=def"),
];
const MAIN_ONLY: [(&str, &str); 7] = [
    ("Host", "example.com"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    ),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Cookie", "sessionid=abc; csrftoken=def"),
    ("X-Djust-Main-Only", "1"),
];
/// Response headers of a typical Django page.
const PAGE_HEADERS: [(&str, &str); 7] = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Vary", "Accept-Encoding, Cookie"),
    ("ETag", "\"5f1c9a-2e\""),
    ("Cache-Control", "private, max-age=0"),
    ("X-Frame-Options", "DENY"),
    ("Content-Length", "1234"),
    ("Referrer-Policy", "same-origin"),
];

/// Header lines as the decision takes them.
type Pairs<'a> = &'a [(&'a str, &'a str)];

fn pages() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .expect("benches/data")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let name = p.file_stem().expect("name").to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).expect("UTF-8 page"))
        })
        .collect()
}

fn pass_through(c: &mut Criterion) {
    let page = b"<html><body><main>x</main></body></html>";
    let mut group = c.benchmark_group("main_only/pass_through");
    group.throughput(Throughput::Elements(1));
    let gzip = [
        PAGE_HEADERS[0],
        PAGE_HEADERS[1],
        PAGE_HEADERS[2],
        ("Content-Encoding", "gzip"),
    ];
    let cases: [(&str, Pairs<'_>, u16, Pairs<'_>); 3] = [
        ("not_requested", &NAVIGATION, 200, &PAGE_HEADERS),
        ("status_404", &MAIN_ONLY, 404, &PAGE_HEADERS),
        ("encoded", &MAIN_ONLY, 200, &gzip),
    ];
    for (id, request, status, response) in cases {
        group.bench_function(id, |b| {
            b.iter(|| {
                decide(
                    Request::new("GET", black_box(request)),
                    Response::new(status, black_box(response), Body::Complete(black_box(page))),
                )
            });
        });
    }
    #[cfg(feature = "http")]
    {
        let mut request = http::HeaderMap::new();
        for (name, value) in NAVIGATION {
            request.append(name, http::HeaderValue::from_static(value));
        }
        let mut response = http::HeaderMap::new();
        for (name, value) in PAGE_HEADERS {
            response.append(name, http::HeaderValue::from_static(value));
        }
        group.bench_function("not_requested_header_map", |b| {
            b.iter(|| {
                decide(
                    Request::new("GET", black_box(&request)),
                    Response::new(200, black_box(&response), Body::Complete(black_box(page))),
                )
            });
        });
    }
    group.finish();
}

/// Each page, then the whole corpus, paired: every iteration of both benchmarks runs `main_inner`
/// and `decide` on each page and times each one separately; one benchmark reports the first
/// time, the other the second. Over all rounds of both, the two ran on the same pages at the same
/// moments under the same load, so the printed ratio is the decision's overhead even on a busy
/// shared machine, where the two criterion estimates alone drift apart.
fn trim(c: &mut Criterion) {
    let pages = pages();
    let sets = pages
        .iter()
        .map(|page| (page.0.as_str(), std::slice::from_ref(page)))
        .chain([("corpus", &pages[..])]);
    let mut group = c.benchmark_group("main_only/trim");
    group.sample_size(10);
    let mut ratios = Vec::new();
    for (name, set) in sets {
        let bytes: usize = set.iter().map(|(_, html)| html.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        let totals = Cell::new([Duration::ZERO; 2]);
        for (peer, report) in [("shell::main_inner", 0), ("main_only::decide", 1)] {
            group.bench_with_input(BenchmarkId::new(peer, name), set, |b, set| {
                b.iter_custom(|iters| {
                    let spent = paired(set, iters);
                    let [inner, decided] = totals.get();
                    totals.set([inner + spent[0], decided + spent[1]]);
                    spent[report]
                });
            });
        }
        let [inner, decided] = totals.get();
        if !inner.is_zero() {
            ratios.push((name, decided.as_secs_f64() / inner.as_secs_f64()));
        }
    }
    group.finish();
    for (name, ratio) in ratios {
        println!("main_only/trim paired ratio decide / main_inner, {name}: {ratio:.4}");
    }
}

/// Runs `main_inner` and `decide` on every page `iters` times and returns their total times. The
/// order alternates between rounds, so neither one always finds the page warm in the cache.
#[allow(clippy::disallowed_methods)] // a bench's own timing, for criterion's `iter_custom`
fn paired(pages: &[(String, String)], iters: u64) -> [Duration; 2] {
    let mut spent = [Duration::ZERO; 2];
    for round in 0..iters {
        for (_, html) in pages {
            let decide_first = round % 2 == 1;
            for which in [usize::from(decide_first), usize::from(!decide_first)] {
                let start = Instant::now();
                if which == 0 {
                    drop(black_box(main_inner(black_box(html))));
                } else {
                    drop(black_box(decide_trim(html)));
                }
                spent[which] += start.elapsed();
            }
        }
    }
    spent
}

/// The decision for a main-only fetch of `html`, which trims every corpus page.
fn decide_trim(html: &str) -> Decision {
    let decision = decide(
        Request::new("GET", black_box(&MAIN_ONLY)),
        Response::new(
            200,
            black_box(&PAGE_HEADERS),
            Body::Complete(black_box(html.as_bytes())),
        ),
    );
    assert!(matches!(decision, Decision::Trim { .. }));
    decision
}

criterion_group!(benches, pass_through, trim);
criterion_main!(benches);
