//! `MainOnlyLayer` beside its peers, in one run, on the corpus pages of `benches/data/` cut in
//! 16 KiB frames: a pass-through beside the bare upstream body (the layer's overhead on every
//! response that does not ask), and a trim beside collecting the body and calling `apply` (what a
//! host does without the layer).
//!
//! The bodies are always ready, so each service call and body is driven to its end by polling with
//! a no-op waker: no runtime, no sockets; the cost measured is the layer's own.
//!
//! `cargo bench --bench main_only_layer --features tower`

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fs;
use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http_body::{Body, Frame};
use liveshell::main_only::{MainOnlyLayer, MainOnlyOptions, apply};
use tower::{Layer, Service};

const FRAME: usize = 16 * 1024;

/// A body of ready frames.
struct Frames(VecDeque<Bytes>);

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|data| Ok(Frame::data(data))))
    }
}

fn frames(page: &Bytes) -> Frames {
    Frames(
        (0..page.len())
            .step_by(FRAME)
            .map(|at| page.slice(at..page.len().min(at + FRAME)))
            .collect(),
    )
}

fn response(page: &Bytes) -> http::Response<Frames> {
    http::Response::builder()
        .header("Content-Type", "text/html; charset=utf-8")
        .header("ETag", "\"5f1c9a-2e\"")
        .body(frames(page))
        .expect("static headers")
}

/// Polls a future that never waits.
fn ready<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the bodies are always ready"),
    }
}

/// Drains a body that never waits; returns the bytes it gave.
fn drain<B: Body<Data = Bytes>>(body: B) -> usize
where
    B::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    let mut body = pin!(body);
    let mut bytes = 0;
    loop {
        match body.as_mut().poll_frame(&mut cx) {
            Poll::Ready(Some(frame)) => {
                if let Ok(data) = frame.expect("no error").into_data() {
                    bytes += black_box(data).len();
                }
            }
            Poll::Ready(None) => return bytes,
            Poll::Pending => unreachable!("the bodies are always ready"),
        }
    }
}

/// The pages the layer trims with its default prefix limit (main within 512 KiB), and the corpus
/// of them all.
fn pages() -> Vec<(String, Bytes)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("benches/data")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().expect("name").to_string_lossy().into_owned();
            (name, Bytes::from(fs::read(&p).expect("page")))
        })
        .filter(|(_, page)| page.len() <= MainOnlyOptions::DEFAULT_PREFIX_LIMIT)
        .collect()
}

fn request(main_only: bool) -> http::Request<()> {
    let request = http::Request::get("/page/");
    let request = if main_only {
        request.header("X-Djust-Main-Only", "1")
    } else {
        request
    };
    request.body(()).expect("static request")
}

fn layer(c: &mut Criterion) {
    let pages = pages();
    let corpus: usize = pages.iter().map(|(_, page)| page.len()).sum();
    let mut group = c.benchmark_group("main_only_layer");
    group.sample_size(20);
    for (name, set) in pages
        .iter()
        .map(|(name, page)| (name.as_str(), std::slice::from_ref(page)))
        .chain([(
            "corpus",
            &pages.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>()[..],
        )])
    {
        let bytes = if name == "corpus" {
            corpus
        } else {
            set[0].len()
        };
        group.throughput(Throughput::Bytes(bytes as u64));
        let mut service =
            MainOnlyLayer::default().layer(tower::service_fn(|page: http::Request<Bytes>| {
                std::future::ready(Ok::<_, Infallible>(response(page.body())))
            }));
        let mut call = |main_only: bool, page: &Bytes| {
            let (parts, ()) = request(main_only).into_parts();
            ready(service.call(http::Request::from_parts(parts, page.clone()))).expect("infallible")
        };
        group.bench_with_input(
            BenchmarkId::new("pass_through/bare_body", name),
            set,
            |b, set| {
                b.iter(|| {
                    set.iter()
                        .map(|page| drain(response(page).into_body()))
                        .sum::<usize>()
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("pass_through/layer", name),
            set,
            |b, set| {
                b.iter(|| {
                    set.iter()
                        .map(|page| drain(call(false, page).into_body()))
                        .sum::<usize>()
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("trim/collect_then_apply", name),
            set,
            |b, set| {
                b.iter(|| {
                    set.iter()
                        .map(|page| {
                            let (parts, body) = response(page).into_parts();
                            let mut whole = Vec::new();
                            for frame in body.0 {
                                whole.extend_from_slice(&frame);
                            }
                            let trimmed =
                                apply(&request(true), http::Response::from_parts(parts, whole));
                            trimmed.body().len()
                        })
                        .sum::<usize>()
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("trim/layer", name), set, |b, set| {
            b.iter(|| {
                set.iter()
                    .map(|page| drain(call(true, page).into_body()))
                    .sum::<usize>()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);
