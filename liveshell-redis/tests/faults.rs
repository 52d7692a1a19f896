//! Fault tests against a real `redis-server`: a restart without persistence, an unreachable
//! server, and two guards racing the same messages.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::{RedisServer, fresh_namespace};
use liveshell::reconnect::Verdict;
use liveshell_redis::{GuardError, GuardOptions, RedisReplayGuard};

fn options(tag: &str) -> GuardOptions {
    GuardOptions::default()
        .namespace(fresh_namespace(tag))
        .connect_timeout(Duration::from_millis(500))
        .response_timeout(Duration::from_millis(500))
}

/// Checks until Redis can be asked again (the first request after a restart finds the old
/// connection broken), for at most 5 s; returns the first answer that is not `Unavailable`.
async fn first_answer(
    guard: &RedisReplayGuard,
    client: &str,
    seq: u64,
) -> Result<Verdict, GuardError> {
    for _ in 0..50 {
        match guard.check(client, seq).await {
            Err(e) if e.is_unavailable() => tokio::time::sleep(Duration::from_millis(100)).await,
            answer => return answer,
        }
    }
    panic!("redis did not come back within 5 s");
}

#[tokio::test]
async fn a_restart_without_persistence_fails_closed_until_recovered_then_starts_over() {
    let mut server = RedisServer::start();
    let options = options("restart");
    let a = server.guard(options.clone()).await;
    let b = server.guard(options).await;
    for seq in 1..=5 {
        assert_eq!(a.check("c", seq).await.unwrap(), Verdict::Fresh);
    }
    assert_eq!(b.check("c", 3).await.unwrap(), Verdict::Duplicate);

    server.stop();
    for seq in [3, 6, 7] {
        let answer = a.check("c", seq).await;
        assert!(
            matches!(answer, Err(GuardError::Unavailable(_))),
            "{answer:?}"
        );
    }

    server.restart();
    // The new server knows nothing: no epoch, no marks. The guard notices and refuses.
    let answer = first_answer(&a, "c", 6).await;
    assert!(matches!(answer, Err(GuardError::StateLost)), "{answer:?}");
    assert!(matches!(a.check("c", 3).await, Err(GuardError::StateLost)));
    assert_eq!(
        a.acked("c").await.unwrap(),
        None,
        "the high-water mark is gone"
    );

    // Recovering accepts the loss: the client starts over, so a replay of a message applied
    // before the restart is fresh again.
    a.recover().await.unwrap();
    assert_eq!(a.check("c", 3).await.unwrap(), Verdict::Fresh);
    assert_eq!(a.check("c", 6).await.unwrap(), Verdict::Fresh);
    assert_eq!(a.check("c", 3).await.unwrap(), Verdict::Duplicate);

    // A peer that has not recovered still refuses (its epoch is the old one) until it does,
    // then agrees with the first.
    let answer = first_answer(&b, "c", 6).await;
    assert!(matches!(answer, Err(GuardError::StateLost)), "{answer:?}");
    b.recover().await.unwrap();
    assert_eq!(b.check("c", 6).await.unwrap(), Verdict::Duplicate);
    assert_eq!(b.check("c", 7).await.unwrap(), Verdict::Fresh);
}

#[tokio::test]
async fn unreachable_redis_is_a_typed_error_and_accepts_nothing() {
    // Nothing listens on the port of a stopped server.
    let mut server = RedisServer::start();
    let url = server.url();
    let guard = server.guard(options("unreachable")).await;
    server.stop();

    let connect = RedisReplayGuard::connect(&url, options("unreachable")).await;
    assert!(
        matches!(connect, Err(GuardError::Unavailable(_))),
        "{connect:?}"
    );

    for seq in 1..=20 {
        let answer = guard.check("c", seq).await;
        assert!(
            matches!(answer, Err(GuardError::Unavailable(_))),
            "seq {seq}: {answer:?}"
        );
    }
    let many = guard.check_many(&[("c", 21), ("d", 1)]).await;
    assert!(matches!(many, Err(GuardError::Unavailable(_))), "{many:?}");
    assert!(guard.acked("c").await.is_err());

    // A malformed URL is refused before any connection.
    let bad = RedisReplayGuard::connect("http://127.0.0.1/", GuardOptions::default()).await;
    assert!(matches!(bad, Err(GuardError::Redis(_))), "{bad:?}");
    // So are options out of range.
    let bad = RedisReplayGuard::connect(&url, GuardOptions::default().ttl(Duration::ZERO)).await;
    assert!(matches!(bad, Err(GuardError::Options(_))), "{bad:?}");
}

/// A deterministic shuffle (xorshift64, Fisher-Yates).
fn shuffle<T>(items: &mut [T], mut state: u64) {
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).expect("below the length");
        items.swap(i, j);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_guards_racing_the_same_messages_accept_each_exactly_once() {
    const CLIENTS: u64 = 100;
    const PER_CLIENT: u64 = 100;
    const TASKS: usize = 8;
    let server = RedisServer::start();
    let options = options("race");
    let guards = [
        Arc::new(server.guard(options.clone()).await),
        Arc::new(server.guard(options).await),
    ];
    let messages: Vec<(String, u64)> = (0..CLIENTS)
        .flat_map(|c| (1..=PER_CLIENT).map(move |seq| (format!("client-{c}"), seq)))
        .collect();

    let mut tasks = Vec::new();
    for (g, guard) in guards.iter().enumerate() {
        let mut order = messages.clone();
        shuffle(&mut order, 0x9E37_79B9_7F4A_7C15 ^ g as u64);
        for chunk in order.chunks(order.len() / TASKS) {
            let (guard, chunk) = (Arc::clone(guard), chunk.to_vec());
            tasks.push(tokio::spawn(async move {
                let mut fresh = Vec::new();
                for (client, seq) in chunk {
                    if guard
                        .check(&client, seq)
                        .await
                        .expect("the test server answers")
                        .is_fresh()
                    {
                        fresh.push((g, client, seq));
                    }
                }
                fresh
            }));
        }
    }
    let mut accepted: HashMap<(String, u64), usize> = HashMap::new();
    let mut by_guard = [0usize; 2];
    for task in tasks {
        for (g, client, seq) in task.await.expect("the task does not panic") {
            *accepted.entry((client, seq)).or_default() += 1;
            by_guard[g] += 1;
        }
    }
    let total = usize::try_from(CLIENTS * PER_CLIENT).expect("small");
    assert_eq!(accepted.len(), total, "every message accepted once");
    assert!(
        accepted.values().all(|&n| n == 1),
        "no message accepted twice"
    );
    assert!(
        by_guard.iter().all(|&n| n > 0),
        "both guards won some races: {by_guard:?}"
    );
    println!(
        "race: {total} messages, accepted {} by guard A and {} by guard B, each exactly once",
        by_guard[0], by_guard[1]
    );
    for c in 0..CLIENTS {
        assert_eq!(
            guards[0].acked(&format!("client-{c}")).await.unwrap(),
            Some(PER_CLIENT)
        );
    }
}
