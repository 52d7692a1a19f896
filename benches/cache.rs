//! Snapshot cache: hit and insert cost at 100 and 10,000 entries, key derivation included, next
//! to a bare `lru::LruCache<String, Vec<u8>>` keyed by the URL string, in the same run.
//!
//! `nice -n 10 cargo bench --bench cache -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::cache::{CacheConfig, RequestKey, SnapshotCache};
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

fn filled(n: usize) -> Filled {
    let now = SystemClock.now();
    let cap = NonZeroUsize::new(n).expect("sizes are non-zero");
    let mut cache = SnapshotCache::new(CacheConfig::new([7; 16]).max_entries(cap));
    let mut bare = LruCache::new(cap);
    let urls: Vec<String> = (0..n).map(url).collect();
    for u in &urls {
        let key = RequestKey::new(u, &HEADERS).expect("valid request");
        cache
            .insert(now, &key, Some("Accept-Encoding"), value())
            .expect("storable");
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
        let keys: Vec<RequestKey> = urls
            .iter()
            .map(|u| RequestKey::new(u, &HEADERS).expect("valid request"))
            .collect();
        let now = SystemClock.now() + Duration::from_secs(1);
        let mut i = 0;
        group.bench_function(BenchmarkId::new("bare_lru_by_url", n), |b| {
            b.iter(|| {
                i = (i + 1) % n;
                black_box(bare.get(black_box(urls[i].as_str())).is_some())
            });
        });
        group.bench_function(BenchmarkId::new("snapshot_cache_prebuilt_key", n), |b| {
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
                    let key = RequestKey::new(black_box(&urls[i]), black_box(&HEADERS))
                        .expect("valid request");
                    black_box(cache.get(now, &key).fresh().is_some())
                });
            },
        );
    }
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
                        let key = RequestKey::new(black_box(&u), black_box(&HEADERS))
                            .expect("valid request");
                        black_box(cache.insert(now, &key, Some("Accept-Encoding"), v))
                    },
                    BatchSize::SmallInput,
                );
            },
        );
    }
    group.finish();
}

criterion_group!(benches, hit, insert, siphash);
criterion_main!(benches);

#[path = "../src/cache/siphash.rs"]
#[allow(dead_code, unreachable_pub)]
mod handwritten;

/// The pieces a variant digest writes for the bench's request: tag, URL, the varied names and
/// the values, length-prefixed (about 170 bytes in 13 writes).
fn digest_pieces() -> Vec<Vec<u8>> {
    let mut pieces = vec![vec![1u8]];
    let mut string = |s: &[u8]| {
        pieces.push((s.len() as u64).to_le_bytes().to_vec());
        pieces.push(s.to_vec());
    };
    string(url(7).as_bytes());
    for name in ["accept-encoding", "accept-language", "cookie"] {
        string(name.as_bytes());
    }
    string(b"gzip, br");
    string(HEADERS[1].1.as_bytes());
    string(HEADERS[0].1.as_bytes());
    pieces
}

fn siphash(c: &mut Criterion) {
    use std::hash::Hasher;
    let mut group = c.benchmark_group("cache/siphash24_128");
    group.throughput(Throughput::Elements(1));
    let pieces = digest_pieces();
    let key = [7u8; 16];
    group.bench_function("handwritten", |b| {
        b.iter(|| {
            let mut h = handwritten::SipHasher128::new(black_box(&key));
            for p in &pieces {
                h.write(black_box(p));
            }
            black_box(h.finish())
        });
    });
    group.bench_function("siphasher", |b| {
        b.iter(|| {
            let mut h = siphasher::sip128::SipHasher24::new_with_key(black_box(&key));
            for p in &pieces {
                h.write(black_box(p));
            }
            black_box(siphasher::sip128::Hasher128::finish128(&h))
        });
    });
    group.finish();
}
