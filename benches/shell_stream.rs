//! `shell::MainStream` benchmarks, one run: the corpus (total bytes / total time) fed in 16 KiB
//! chunks to `MainStream`, to lol_html's streaming `HtmlRewriter` (which passes main's content
//! through in chunks, marking it with two comments, as a streaming trimmer on it would), and,
//! complete, to `shell::split`.
//!
//! The corpus is the ten real pages of `benches/data` (5.3 MB). Before timing, every page's
//! streamed output is checked against `main_inner`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use liveshell::shell::{MainStream, ShellOptions};

const CHUNK: usize = 16 << 10;

fn pages() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .expect("benches/data exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    pages
        .into_iter()
        .map(|p| std::fs::read_to_string(p).expect("UTF-8 page"))
        .collect()
}

/// Streams `html` in 16 KiB chunks; returns the bytes of main's inner HTML.
fn stream(html: &str, options: &ShellOptions) -> usize {
    let mut stream = MainStream::new(options);
    let mut out = Vec::with_capacity(CHUNK * 2);
    let mut total = 0;
    for chunk in html.as_bytes().chunks(CHUNK) {
        let state = stream.push(chunk, &mut out).expect("push");
        total += out.len();
        out.clear();
        if state == liveshell::shell::StreamState::Done {
            break;
        }
    }
    stream.finish(&mut out).expect("finish");
    total + out.len()
}

/// lol_html's streaming rewriter over the same chunks: the first main gets a start and an end
/// comment; the output is dropped chunk by chunk.
fn lol_stream(html: &str) -> usize {
    use lol_html::html_content::ContentType;
    use lol_html::{HtmlRewriter, Settings, element};
    let mut seen = false;
    let mut total = 0;
    let mut rewriter = HtmlRewriter::new(
        Settings::new().append_element_content_handler(element!("main", move |el| {
            if !seen {
                seen = true;
                el.prepend("<!--liveshell-main-start-->", ContentType::Html);
                el.append("<!--liveshell-main-end-->", ContentType::Html);
            }
            Ok(())
        })),
        |c: &[u8]| total += c.len(),
    );
    for chunk in html.as_bytes().chunks(CHUNK) {
        rewriter.write(chunk).expect("lol_html write");
    }
    rewriter.end().expect("lol_html end");
    total
}

fn bench(c: &mut Criterion) {
    let pages = pages();
    let options = ShellOptions::default().hold_back_limit(usize::MAX);
    let total: usize = pages.iter().map(String::len).sum();
    for page in &pages {
        let mut stream = MainStream::new(&options);
        let mut out = Vec::new();
        for chunk in page.as_bytes().chunks(CHUNK) {
            stream.push(chunk, &mut out).expect("push");
        }
        stream.finish(&mut out).expect("finish");
        let want = liveshell::shell::main_inner(page).unwrap_or_default();
        assert_eq!(out, want.as_bytes(), "MainStream equals main_inner");
    }
    println!("{} pages, {total} bytes", pages.len());
    let mut group = c.benchmark_group("shell_stream");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("corpus/main_stream_16k", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|h| stream(black_box(h), &options))
                .sum::<usize>()
        })
    });
    group.bench_function("corpus/lol_html_stream_16k", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|h| lol_stream(black_box(h)))
                .sum::<usize>()
        })
    });
    group.bench_function("corpus/split", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|h| liveshell::shell::split(black_box(h)).is_some())
                .count()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
