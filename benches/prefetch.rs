//! Intent-prefetch benches: events per second through the state machine for an
//! enter → timeout → fetch-done cycle, and the URL guard's cost per href on the 478 hrefs of a
//! real page (`benches/data/06-wikipedia.html`), with plain `Url::join` (WHATWG parsing with no
//! checks, the guard's floor) measured side by side.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::prefetch::{Action, IntentPrefetch, LinkId, PrefetchOptions, Transports, guard};
use liveshell::time::{Clock, SystemClock};
use url::Url;

const WIKIPEDIA: &str = include_str!("data/06-wikipedia.html");
const WIKIPEDIA_URL: &str = "https://en.wikipedia.org/wiki/List_of_films_featuring_time_loops";

fn hrefs() -> Vec<String> {
    let re = regex::Regex::new(r#"href="([^"]*)""#).expect("static regex");
    re.captures_iter(WIKIPEDIA)
        .map(|c| c[1].replace("&amp;", "&"))
        .collect()
}

fn cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("prefetch_cycle");
    // One cycle is three events: pointer enter, the hover deadline, the fetch's end.
    group.throughput(Throughput::Elements(3));
    let t0 = SystemClock.now();
    // No per-page budget, so the same page can cycle forever (`clear` forgets the URL).
    let config = PrefetchOptions::default()
        .transports(Transports::none().with_fetch(true))
        .max_per_page(NonZeroUsize::MAX);
    group.bench_function("enter_timeout_done", |b| {
        let mut p = IntentPrefetch::new("http://localhost:8000/", config.clone()).expect("valid");
        let mut n: u64 = 0;
        b.iter(|| {
            n += 1;
            let now = t0 + Duration::from_micros(n);
            p.handle_pointer_enter(
                now,
                LinkId(n % 8),
                black_box("/orders/1042/#lines"),
                Some(""),
            );
            let deadline = p.poll_timeout().expect("armed");
            p.handle_timeout(deadline);
            let Some(Action::StartFetch { id, .. }) = p.poll_action() else {
                unreachable!("fetch transport")
            };
            p.handle_fetch_done(deadline, id, true);
            p.clear(deadline);
            while p.poll_event().is_some() {}
        });
    });
    group.bench_function("enter_leave_skip", |b| {
        b.iter_batched(
            || IntentPrefetch::new("http://localhost:8000/", config.clone()).expect("valid"),
            |mut p| {
                p.handle_pointer_enter(t0, LinkId(1), black_box("/orders/"), Some(""));
                p.handle_pointer_leave(t0 + Duration::from_millis(30), LinkId(1));
                p.handle_timeout(t0 + Duration::from_millis(100));
                p
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn guard_cost(c: &mut Criterion) {
    let hrefs = hrefs();
    let page = Url::parse(WIKIPEDIA_URL).expect("static url");
    let mut group = c.benchmark_group("prefetch_guard");
    group.throughput(Throughput::Elements(hrefs.len() as u64));
    group.bench_function("liveshell_guard", |b| {
        b.iter(|| {
            hrefs
                .iter()
                .filter(|h| guard(black_box(&page), black_box(h)).is_ok())
                .count()
        });
    });
    group.bench_function("url_join_only", |b| {
        b.iter(|| {
            hrefs
                .iter()
                .filter(|h| black_box(&page).join(black_box(h)).is_ok())
                .count()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = cycle, guard_cost
}
criterion_main!(benches);
