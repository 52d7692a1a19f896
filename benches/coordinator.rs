//! Prefetch-coordinator benches: request → complete pairs per second over 1000 distinct URLs
//! (each a new fetch, the LRU at its default 100 entries evicting as it goes), a request that
//! joins a fetch in flight, and a request answered `Cached`; with the key's floor measured side
//! by side: `guard` alone (WHATWG parsing and the URL checks every request pays).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::coordinator::{
    Coordinator, CoordinatorOptions, FetchOutcome, FetchTicket, Kind, ResponseHead, Start,
};
use liveshell::prefetch::guard;
use liveshell::time::{Clock, SystemClock};

const SCOPE: &str = "https://shop.example/";
const N: u64 = 1000;

fn urls() -> Vec<String> {
    (0..N)
        .map(|i| format!("/orders/{i}/?tab=lines#top"))
        .collect()
}

fn outcome() -> FetchOutcome {
    FetchOutcome::Response(ResponseHead::new(
        200,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "private, max-age=60"),
            ("Vary", "Accept-Encoding"),
        ],
    ))
}

fn fresh() -> Coordinator {
    Coordinator::new(SCOPE, CoordinatorOptions::default()).expect("valid scope")
}

fn coordinator(c: &mut Criterion) {
    let t0 = SystemClock.now();
    let urls = urls();
    let done = outcome();
    let mut group = c.benchmark_group("coordinator");
    group.throughput(Throughput::Elements(N));

    group.bench_function("request_complete", |b| {
        let mut co = fresh();
        let mut round: u64 = 0;
        b.iter(|| {
            round += 1;
            let now = t0 + Duration::from_secs(round * 3600);
            for url in &urls {
                let Start::Fetch(ticket) = co.request(now, black_box(url), Kind::Navigation) else {
                    unreachable!("every url is new or stale")
                };
                black_box(co.complete(now, ticket, done.clone()));
            }
            while co.poll_event().is_some() {}
        });
    });

    group.bench_function("request_join", |b| {
        b.iter_batched(
            || {
                let mut co = fresh();
                let tickets: Vec<FetchTicket> = urls
                    .iter()
                    .map(|url| match co.request(t0, url, Kind::Navigation) {
                        Start::Fetch(ticket) => ticket,
                        other => unreachable!("{other:?}"),
                    })
                    .collect();
                (co, tickets)
            },
            |(mut co, tickets)| {
                for url in &urls {
                    black_box(co.request(t0, black_box(url), Kind::Prefetch));
                }
                (co, tickets)
            },
            BatchSize::LargeInput,
        );
    });

    group.bench_function("request_cached", |b| {
        let mut co = fresh();
        let hot = &urls[..100];
        for url in hot {
            let Start::Fetch(ticket) = co.request(t0, url, Kind::Prefetch) else {
                unreachable!("new url")
            };
            let _ = co.complete(t0, ticket, done.clone());
        }
        b.iter(|| {
            for url in hot.iter().cycle().take(urls.len()) {
                black_box(co.request(t0, black_box(url), Kind::Navigation));
            }
        });
    });

    group.bench_function("guard_only", |b| {
        let scope = url::Url::parse(SCOPE).expect("valid scope");
        b.iter(|| {
            for url in &urls {
                let _ = black_box(guard(&scope, black_box(url)));
            }
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = coordinator
}
criterion_main!(benches);
