//! The Redis guard against the in-memory guard: the same random sequences, the same answers.
//!
//! One `redis-server` per test; each proptest case runs on a namespace of its own.

mod common;

use std::num::NonZeroUsize;

use common::{RedisServer, fresh_namespace};
use liveshell::reconnect::{ReplayGuard, ReplayWindow};
use liveshell_redis::GuardOptions;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Ids that would collide or break a key if they were used raw.
const IDS: [&str; 8] = ["a", "b", "tab:1", "{x}", "é ü", "%41", "A", ""];

/// How a sequence number is chosen: relative to the client's highest so far (in order,
/// duplicates, reordering within and past the window, gaps), or absolute (small numbers,
/// far jumps, the top of the range).
#[derive(Debug, Clone)]
enum Seq {
    Rel(i64),
    Abs(u64),
}

fn seq() -> impl Strategy<Value = Seq> {
    prop_oneof![
        6 => (-3i64..=3).prop_map(Seq::Rel),
        3 => (-140i64..=140).prop_map(Seq::Rel),
        1 => (100i64..=400).prop_map(Seq::Rel),
        1 => (0u64..=8).prop_map(Seq::Abs),
        1 => (0u64..=300).prop_map(|d| Seq::Abs(u64::MAX - d)),
        1 => any::<u64>().prop_map(Seq::Abs),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

#[test]
fn redis_guard_answers_as_the_in_memory_guard() {
    let server = RedisServer::start();
    let rt = runtime();
    let strategy = (1usize..=6, vec((0..IDS.len(), seq()), 1..300));
    let mut runner = TestRunner::new(Config::with_cases(128));
    let result = runner.run(&strategy, |(cap, ops)| {
        let cap = NonZeroUsize::new(cap).expect("the strategy starts at 1");
        rt.block_on(async {
            let options = GuardOptions::default()
                .namespace(fresh_namespace("model"))
                .max_clients(cap);
            let guard = server.guard(options).await;
            let mut model = ReplayGuard::new(cap);
            let mut high = [0u64; IDS.len()];
            for (i, seq) in ops {
                let (id, seq) = (
                    IDS[i],
                    match seq {
                        Seq::Rel(d) => high[i].saturating_add_signed(d),
                        Seq::Abs(n) => n,
                    },
                );
                let expected = model.check(id, seq);
                if expected.is_fresh() {
                    high[i] = high[i].max(seq);
                }
                let got = guard.check(id, seq).await.expect("the test server answers");
                prop_assert_eq!(got, expected, "client {:?} seq {}", id, seq);
                for id in IDS {
                    prop_assert_eq!(
                        guard.acked(id).await.expect("answers"),
                        model.acked(id),
                        "acked {:?}",
                        id
                    );
                }
            }
            prop_assert_eq!(guard.forgotten().await.expect("answers"), model.forgotten());
            Ok(())
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

fn state_bytes(window: ReplayWindow) -> Vec<u8> {
    let mut bytes = window.base().to_be_bytes().to_vec();
    bytes.extend_from_slice(&window.seen().to_be_bytes());
    bytes
}

/// The script's arithmetic on 32-bit limbs is `ReplayWindow::check`, byte for byte, on any
/// state, including those near `u64::MAX` that a sequence would take too long to reach.
#[test]
fn script_step_is_the_window_step_on_any_state() {
    let server = RedisServer::start();
    let rt = runtime();
    let base = prop_oneof![
        0u64..=1000,
        (0u64..=300).prop_map(|d| u64::MAX - d),
        any::<u64>()
    ];
    let seen = prop_oneof![
        any::<u128>(),
        Just(0u128),
        Just(u128::MAX << 1),
        (0u32..128).prop_map(|b| 1u128 << b),
        (0u32..128).prop_map(|b| u128::MAX >> b << 1),
    ];
    let delta = prop_oneof![3 => -3i64..=3, 3 => -3i64..=300, 1 => any::<i64>()];
    let strategy = (base, seen, vec(delta, 1..8));
    let mut runner = TestRunner::new(Config::with_cases(2000));
    let (guard, raw) = rt.block_on(async {
        let guard = server
            .guard(GuardOptions::default().namespace(fresh_namespace("step")))
            .await;
        (guard, server.raw().await)
    });
    let key = guard.client_key("c");
    let result = runner.run(&strategy, |(base, seen, deltas)| {
        rt.block_on(async {
            let mut raw = raw.clone();
            let mut window = ReplayWindow::from_parts(base, seen);
            let _: () = redis::cmd("SET")
                .arg(&key)
                .arg(state_bytes(window))
                .query_async(&mut raw)
                .await
                .expect("SET");
            for d in deltas {
                let seq = window.base().saturating_add_signed(d);
                let expected = window.check(seq);
                let got = guard
                    .check("c", seq)
                    .await
                    .expect("the test server answers");
                prop_assert_eq!(got, expected, "seq {}", seq);
                let stored: Vec<u8> = redis::cmd("GET")
                    .arg(&key)
                    .query_async(&mut raw)
                    .await
                    .expect("GET");
                prop_assert_eq!(stored, state_bytes(window), "state after seq {}", seq);
            }
            Ok(())
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
