//! Accepts per second on loopback: the Redis guard one check at a time, pipelined, and from
//! 100 concurrent tasks, beside the in-memory `ReplayGuard`; then the memory per client in
//! Redis (`MEMORY USAGE` of a state key and the recency set, and `used_memory` over a fill).
//!
//! `cargo bench -p liveshell-redis` (starts its own redis-server, as the tests do).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::RedisServer;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use liveshell::reconnect::ReplayGuard;
use liveshell_redis::GuardOptions;

const CLIENTS: u64 = 1000;
const BATCH: u64 = 100;

fn ids() -> Vec<String> {
    (0..CLIENTS).map(|c| format!("client-{c}")).collect()
}

/// The next stamp of a round-robin over `CLIENTS` clients, each in order: always fresh.
fn stamp(n: u64) -> (usize, u64) {
    (
        usize::try_from(n % CLIENTS).expect("small"),
        n / CLIENTS + 1,
    )
}

fn bench(c: &mut Criterion) {
    let server = RedisServer::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ids = Arc::new(ids());

    let mut single = c.benchmark_group("replay_guard/single");
    single.throughput(Throughput::Elements(1));
    let mut memory = ReplayGuard::default();
    let mut n = 0;
    single.bench_function("in_memory", |b| {
        b.iter(|| {
            let (i, seq) = stamp(n);
            n += 1;
            black_box(memory.check(&ids[i], seq))
        });
    });
    let guard =
        Arc::new(rt.block_on(server.guard(GuardOptions::default().namespace("bench:single"))));
    let counter = AtomicU64::new(0);
    single.bench_function("redis", |b| {
        b.to_async(&rt).iter(|| async {
            let (i, seq) = stamp(counter.fetch_add(1, Ordering::Relaxed));
            black_box(guard.check(&ids[i], seq).await.expect("answers"))
        });
    });
    single.finish();

    let mut batched = c.benchmark_group("replay_guard/batch_of_100");
    batched.throughput(Throughput::Elements(BATCH));
    let mut memory = ReplayGuard::default();
    let mut n = 0;
    batched.bench_function("in_memory", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                let (i, seq) = stamp(n);
                n += 1;
                let _ = black_box(memory.check(&ids[i], seq));
            }
        });
    });
    let guard =
        Arc::new(rt.block_on(server.guard(GuardOptions::default().namespace("bench:pipelined"))));
    let counter = AtomicU64::new(0);
    batched.bench_function("redis_pipelined", |b| {
        b.to_async(&rt).iter(|| async {
            let first = counter.fetch_add(BATCH, Ordering::Relaxed);
            let stamps: Vec<(&str, u64)> = (first..first + BATCH)
                .map(|n| {
                    let (i, seq) = stamp(n);
                    (ids[i].as_str(), seq)
                })
                .collect();
            black_box(guard.check_many(&stamps).await.expect("answers"))
        });
    });
    let guard =
        Arc::new(rt.block_on(server.guard(GuardOptions::default().namespace("bench:tasks"))));
    let counter = Arc::new(AtomicU64::new(0));
    batched.bench_function("redis_100_tasks", |b| {
        b.to_async(&rt).iter(|| async {
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..BATCH {
                let (guard, ids, counter) =
                    (Arc::clone(&guard), Arc::clone(&ids), Arc::clone(&counter));
                tasks.spawn(async move {
                    let (i, seq) = stamp(counter.fetch_add(1, Ordering::Relaxed));
                    guard.check(&ids[i], seq).await.expect("answers")
                });
            }
            black_box(tasks.join_all().await)
        });
    });
    batched.finish();

    rt.block_on(memory_per_client(&server));
}

/// Fills a namespace with 10 000 clients (each with a gap, so its window is not empty) and
/// prints what one client costs in Redis.
async fn memory_per_client(server: &RedisServer) {
    const FILL: u64 = 10_000;
    let mut raw = server.raw().await;
    let used = |info: String| -> i64 {
        info.lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("INFO memory has used_memory")
    };
    let before = used(
        redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut raw)
            .await
            .expect("INFO"),
    );
    let guard = server
        .guard(
            GuardOptions::default()
                .namespace("bench:memory")
                .max_clients(std::num::NonZeroUsize::new(20_000).expect("not zero")),
        )
        .await;
    for chunk in (0..FILL).collect::<Vec<_>>().chunks(500) {
        let ids: Vec<String> = chunk.iter().map(|c| format!("client-{c}")).collect();
        let stamps: Vec<(&str, u64)> = ids
            .iter()
            .flat_map(|id| [(id.as_str(), 1), (id.as_str(), 3)])
            .collect();
        let _ = guard.check_many(&stamps).await.expect("answers");
    }
    let after = used(
        redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut raw)
            .await
            .expect("INFO"),
    );
    let mut state = 0i64;
    for c in 0..100 {
        let bytes: i64 = redis::cmd("MEMORY")
            .arg("USAGE")
            .arg(guard.client_key(&format!("client-{c}")))
            .query_async(&mut raw)
            .await
            .expect("MEMORY USAGE");
        state += bytes;
    }
    let lru: i64 = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg("{bench:memory}:lru")
        .arg("SAMPLES")
        .arg(0)
        .query_async(&mut raw)
        .await
        .expect("MEMORY USAGE");
    let fill = i64::try_from(FILL).expect("small");
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut raw)
        .await
        .expect("INFO");
    let per_call = stats
        .lines()
        .find(|l| l.starts_with("cmdstat_evalsha:"))
        .and_then(|l| l.split(',').find_map(|f| f.strip_prefix("usec_per_call=")))
        .unwrap_or("?");
    println!(
        "server time per check (INFO commandstats, EVALSHA over the whole run): {per_call} µs"
    );
    println!(
        "memory per client ({FILL} clients, ids like client-1234): state key {} B (MEMORY USAGE), recency set {} B, used_memory {} B",
        state / 100,
        lru / fill,
        (after - before) / fill
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
