//! Intent-prefetch benches: events per second through the state machine for an
//! enter → timeout → fetch-done cycle, and the URL guard's cost per href on the 478 hrefs of a
//! real page (`benches/data/06-wikipedia.html`), with plain `Url::join` (WHATWG parsing with no
//! checks, the guard's floor) measured side by side; and `speculation_kind` (liveshell's own
//! RFC 9651 list parser) beside the same function built on the `sfv` crate, on the same headers.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::headers::{Headers, trim_ows};
use liveshell::prefetch::{
    Action, IntentPrefetch, LinkId, PrefetchOptions, SpeculationKind, Transports, guard,
    speculation_kind,
};
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

/// `speculation_kind` as it would be on the `sfv` crate: the same header lookups and rules,
/// `sfv::Parser` for the `Sec-Purpose` lists.
fn speculation_kind_on_sfv(headers: impl Headers) -> Option<SpeculationKind> {
    let purpose = |value: &[u8]| -> Option<SpeculationKind> {
        let list: sfv::List = sfv::Parser::new(value).parse().ok()?;
        let mut found = None;
        for entry in &list {
            let sfv::ListEntry::Item(item) = entry else {
                continue;
            };
            if item
                .bare_item
                .as_token()
                .is_none_or(|t| t.as_str() != "prefetch")
            {
                continue;
            }
            let prerender = item
                .params
                .iter()
                .any(|(k, v)| k.as_str() == "prerender" && v.as_boolean() == Some(true));
            if prerender {
                return Some(SpeculationKind::Prerender);
            }
            found = Some(SpeculationKind::Prefetch);
        }
        found
    };
    let structured = ["sec-purpose", "x-sec-purpose"]
        .into_iter()
        .filter_map(|name| {
            let mut lines = headers.values(name).peekable();
            lines.peek()?;
            let mut value = Vec::new();
            for line in lines {
                if !value.is_empty() {
                    value.push(b',');
                }
                value.extend_from_slice(line);
            }
            Some(value)
        })
        .filter_map(|value| purpose(&value))
        .max_by_key(|kind| *kind == SpeculationKind::Prerender);
    let legacy = [
        ("purpose", "prefetch"),
        ("x-moz", "prefetch"),
        ("x-purpose", "preview"),
    ]
    .into_iter()
    .any(|(name, expected)| {
        headers
            .values(name)
            .any(|v| trim_ows(v).eq_ignore_ascii_case(expected.as_bytes()))
    });
    structured.or(legacy.then_some(SpeculationKind::Prefetch))
}

fn sfv_parsers(c: &mut Criterion) {
    let long = "anonymous-client-ip-when-cross-origin;v=1, \"s\";q=0.5, (a b c);x=?0, 42, \
                -1.25, :aGVsbG8=:;b, @1659578233, %\"caf%c3%a9\", tok/en:x;p=\"z\", \
                prefetch;prerender;anonymous-client-ip-when-cross-origin";
    let cases: [(&str, [(&str, &str); 3]); 4] = [
        (
            "prefetch",
            [
                ("accept", "text/html"),
                ("Sec-Purpose", "prefetch"),
                ("user-agent", "x"),
            ],
        ),
        (
            "prerender",
            [
                ("accept", "text/html"),
                ("Sec-Purpose", "prefetch;prerender"),
                ("user-agent", "x"),
            ],
        ),
        (
            "long_list",
            [
                ("accept", "text/html"),
                ("Sec-Purpose", long),
                ("user-agent", "x"),
            ],
        ),
        (
            "invalid",
            [
                ("accept", "text/html"),
                ("Sec-Purpose", "prefetch;;prerender"),
                ("user-agent", "x"),
            ],
        ),
    ];
    let mut group = c.benchmark_group("prefetch_sfv");
    for (name, headers) in &cases {
        assert_eq!(
            speculation_kind(headers),
            speculation_kind_on_sfv(headers),
            "{name}: both parsers agree"
        );
        group.bench_function(format!("liveshell/{name}"), |b| {
            b.iter(|| speculation_kind(black_box(headers)));
        });
        group.bench_function(format!("sfv_crate/{name}"), |b| {
            b.iter(|| speculation_kind_on_sfv(black_box(headers)));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = cycle, guard_cost, sfv_parsers
}
criterion_main!(benches);
