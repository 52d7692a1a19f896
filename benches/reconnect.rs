//! Reconnect benches: `ReplayBuffer` push and drain against a plain `VecDeque` doing the same
//! work, the `ReplayGuard`'s cost per message (beside a naive, unbounded `HashSet`), and the
//! bridge's cost per buffered message.
//!
//! `nice -n 10 cargo bench --bench reconnect -- --warm-up-time 1 --measurement-time 3`

use std::collections::{HashSet, VecDeque};
use std::hint::black_box;
use std::num::NonZeroUsize;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::reconnect::{Bridge, BridgeMessage, ReplayBuffer, ReplayGuard};
use liveshell::time::{Clock, SystemClock};
use serde_json::json;

const CAP: usize = 50;
const PUSHES: u64 = 10_000;
const CYCLES: usize = 100;

fn push(c: &mut Criterion) {
    let mut group = c.benchmark_group("reconnect/push_full");
    group.throughput(Throughput::Elements(PUSHES));
    group.bench_function("ReplayBuffer", |b| {
        let mut buf = ReplayBuffer::new(NonZeroUsize::new(CAP).unwrap());
        buf.extend(0..CAP as u64);
        b.iter(|| {
            for i in 0..PUSHES {
                black_box(buf.push(black_box(i)));
            }
        });
    });
    group.bench_function("VecDeque", |b| {
        let mut deque: VecDeque<u64> = (0..CAP as u64).collect();
        b.iter(|| {
            for i in 0..PUSHES {
                let evicted = if deque.len() == CAP {
                    deque.pop_front()
                } else {
                    None
                };
                deque.push_back(black_box(i));
                black_box(evicted);
            }
        });
    });
    group.finish();
}

fn fill_and_drain(c: &mut Criterion) {
    let mut group = c.benchmark_group("reconnect/fill_and_drain_50");
    group.throughput(Throughput::Elements((CAP * CYCLES) as u64));
    group.bench_function("ReplayBuffer", |b| {
        let mut buf = ReplayBuffer::new(NonZeroUsize::new(CAP).unwrap());
        b.iter(|| {
            for _ in 0..CYCLES {
                for i in 0..CAP as u64 {
                    black_box(buf.push(black_box(i)));
                }
                black_box(buf.drain().sum::<u64>());
            }
        });
    });
    group.bench_function("VecDeque", |b| {
        let mut deque = VecDeque::with_capacity(CAP);
        b.iter(|| {
            for _ in 0..CYCLES {
                for i in 0..CAP as u64 {
                    if deque.len() == CAP {
                        black_box(deque.pop_front());
                    }
                    deque.push_back(black_box(i));
                }
                black_box(deque.drain(..).sum::<u64>());
            }
        });
    });
    group.finish();
}

/// Sequence numbers as a replaying client sends them: in order, each pair swapped, and every
/// tenth message sent twice.
fn replayed_seqs(n: u64) -> Vec<u64> {
    let mut seqs = Vec::new();
    for s in (1..=n).step_by(2) {
        seqs.extend([s + 1, s]);
        if s % 10 == 1 {
            seqs.push(s);
        }
    }
    seqs
}

fn guard(c: &mut Criterion) {
    let seqs = replayed_seqs(PUSHES);
    let clients: Vec<String> = (0..100).map(|i| format!("tab-{i}")).collect();
    let mut group = c.benchmark_group("reconnect/guard_check");
    group.throughput(Throughput::Elements(seqs.len() as u64));
    group.bench_function("ReplayGuard/one_client", |b| {
        b.iter_batched(
            ReplayGuard::default,
            |mut guard| {
                let mut fresh = 0;
                for &s in &seqs {
                    fresh += usize::from(guard.check("tab-1", black_box(s)).is_fresh());
                }
                (guard, black_box(fresh))
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("ReplayGuard/100_clients", |b| {
        b.iter_batched(
            ReplayGuard::default,
            |mut guard| {
                let mut fresh = 0;
                for (i, &s) in seqs.iter().enumerate() {
                    let client = &clients[i % clients.len()];
                    fresh += usize::from(guard.check(client, black_box(s)).is_fresh());
                }
                (guard, black_box(fresh))
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("HashSet_unbounded/one_client", |b| {
        b.iter_batched(
            HashSet::<u64>::new,
            |mut seen| {
                let mut fresh = 0;
                for &s in &seqs {
                    fresh += usize::from(seen.insert(black_box(s)));
                }
                (seen, black_box(fresh))
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

fn bridge(c: &mut Criterion) {
    let now = SystemClock.now();
    let messages: Vec<BridgeMessage> = (0..1000)
        .map(|i| BridgeMessage::buffer("dj-1", json!(format!(r#"{{"event":"inc","n":{i}}}"#))))
        .collect();
    let mut group = c.benchmark_group("reconnect/bridge_buffer");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.bench_function("Bridge::handle", |b| {
        let mut bridge = Bridge::default();
        b.iter_batched(
            || messages.clone(),
            |batch| {
                for m in batch {
                    black_box(bridge.handle(now, m));
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, push, fill_and_drain, guard, bridge);
criterion_main!(benches);
