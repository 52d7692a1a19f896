//! Snapshot cache: hit and insert cost at 100 and 10,000 entries, with a prepared key and with
//! the key made in the loop, next to a bare `lru::LruCache<String, Vec<u8>>` keyed by the URL
//! string; and `SnapshotCache::key` next to std's `DefaultHasher` over the same bytes; in the
//! same run. Results: `benches/README.md`.
//!
//! `nice -n 10 cargo bench --bench cache -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use std::hash::{DefaultHasher, Hasher};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::cache::{CacheOptions, PreparedKey, SnapshotCache};
use liveshell::headers::Vary;
use liveshell::time::{Clock, SystemClock};
use lru::LruCache;

const SIZES: [usize; 2] = [100, 10_000];

fn url(i: usize) -> String {
    format!("https://shop.example.com/orders/{i}?page=2")
}

/// A realistic request: a session and an analytics cookie, a language, and headers nobody varies on.
const HEADERS: [(&str, &str); 5] = [
    (
        "Cookie",
        "sessionid=q8v3k2m9x7c1b5n4z6l0p2w8e4r7t1y3; csrftoken=Zx81Ka0f; _ga=GA1.1.1234",
    ),
    ("Accept-Language", "en-GB,en;q=0.9"),
    ("Accept", "text/html,application/xhtml+xml"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0",
    ),
    ("Accept-Encoding", "gzip, br"),
];

fn value() -> Vec<u8> {
    vec![b'x'; 64]
}

/// Both caches holding the same `n` URLs, and the URLs.
struct Filled {
    cache: SnapshotCache<Vec<u8>>,
    bare: LruCache<String, Vec<u8>>,
    urls: Vec<String>,
}

/// The response's `Vary`: it varies on a header outside the always-varied ones.
fn vary() -> Vary {
    Vary::parse(b"Accept-Encoding")
}

fn filled(n: usize) -> Filled {
    let now = SystemClock.now();
    let cap = NonZeroUsize::new(n).expect("sizes are non-zero");
    let options = CacheOptions::new([7; 16]).max_entries(cap);
    let mut cache = SnapshotCache::new(options).expect("valid options");
    let mut bare = LruCache::new(cap);
    let urls: Vec<String> = (0..n).map(url).collect();
    let vary = vary();
    for u in &urls {
        let key = cache.key(u, &HEADERS).expect("valid request");
        let evicted = cache.insert(now, &key, &vary, value()).expect("storable");
        assert!(evicted.is_empty());
        bare.put(u.clone(), value());
    }
    Filled { cache, bare, urls }
}

fn hit(c: &mut Criterion) {
    let mut group = c.benchmark_group("cache/hit");
    group.throughput(Throughput::Elements(1));
    for n in SIZES {
        let Filled {
            mut cache,
            mut bare,
            urls,
        } = filled(n);
        // Each key used before the timing starts, as a host's second lookup of a request would:
        // the digest of the `Accept-Encoding` variant is then remembered in the key.
        let keys: Vec<PreparedKey<_>> = urls
            .iter()
            .map(|u| cache.key(u, &HEADERS).expect("valid request"))
            .collect();
        let now = SystemClock.now() + Duration::from_secs(1);
        for k in &keys {
            assert!(cache.get(now, k).fresh().is_some());
        }
        let mut i = 0;
        group.bench_function(BenchmarkId::new("bare_lru_by_url", n), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(bare.get(black_box(urls[i].as_str())).is_some())
            });
        });
        group.bench_function(BenchmarkId::new("snapshot_cache_prepared_key", n), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(cache.get(now, black_box(&keys[i])).fresh().is_some())
            });
        });
        group.bench_function(
            BenchmarkId::new("snapshot_cache_with_key_derivation", n),
            |b| {
                b.iter(|| {
                    i = (i + 1) % n;
                    let key = cache
                        .key(black_box(&urls[i]), black_box(&HEADERS))
                        .expect("valid request");
                    black_box(cache.get(now, &key).fresh().is_some())
                });
            },
        );
    }
    group.finish();
}

/// `SnapshotCache::key` on a stored URL (the hit path's key) and on a new one (parsed by the
/// `url` crate), next to std's `DefaultHasher` (SipHash-1-3) over the URL and every header name
/// and value: the bytes a key could depend on.
fn key(c: &mut Criterion) {
    let mut group = c.benchmark_group("cache/key");
    group.throughput(Throughput::Elements(1));
    let Filled { cache, urls, .. } = filled(100);
    let stored = urls[7].as_str();
    let new = url(1_000_000);
    group.bench_function("std_default_hasher_same_bytes", |b| {
        b.iter(|| {
            let mut h = DefaultHasher::new();
            h.write(black_box(stored).as_bytes());
            for (name, value) in black_box(&HEADERS) {
                h.write(name.as_bytes());
                h.write(value.as_bytes());
            }
            black_box(h.finish())
        });
    });
    group.bench_function("snapshot_cache_key_stored_url", |b| {
        b.iter(|| black_box(cache.key(black_box(stored), black_box(&HEADERS)).is_ok()));
    });
    group.bench_function("snapshot_cache_key_new_url", |b| {
        b.iter(|| black_box(cache.key(black_box(&new), black_box(&HEADERS)).is_ok()));
    });
    group.finish();
}

fn insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("cache/insert");
    group.throughput(Throughput::Elements(1));
    for n in SIZES {
        // Full caches: every insert of a new URL also evicts the least recently used.
        let Filled {
            mut cache,
            mut bare,
            ..
        } = filled(n);
        let now = SystemClock.now() + Duration::from_secs(1);
        let vary = vary();
        // A URL never stored before on every iteration, so each insert evicts exactly one.
        let mut next = n;
        let mut new_url = move || {
            next += 1;
            url(next)
        };
        group.bench_function(BenchmarkId::new("bare_lru_by_url", n), |b| {
            b.iter_batched(
                || (new_url(), value()),
                |(u, v)| black_box(bare.push(u, v)),
                BatchSize::SmallInput,
            );
        });
        group.bench_function(
            BenchmarkId::new("snapshot_cache_with_key_derivation", n),
            |b| {
                b.iter_batched(
                    || (new_url(), value()),
                    |(u, v)| {
                        let key = cache
                            .key(black_box(&u), black_box(&HEADERS))
                            .expect("valid request");
                        black_box(cache.insert(now, &key, &vary, v))
                    },
                    BatchSize::SmallInput,
                );
            },
        );
    }
    group.finish();
}

criterion_group!(benches, hit, key, insert);
criterion_main!(benches);
