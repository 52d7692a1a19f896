//! The guard's behaviour on a real `redis-server`: the key layout, the TTL, the script cache,
//! pipelining, the client cap, and state another program wrote.

mod common;

use std::num::NonZeroUsize;
use std::time::Duration;

use common::{RedisServer, fresh_namespace};
use liveshell::reconnect::{REPLAY_WINDOW, Verdict};
use liveshell_redis::{GuardError, GuardOptions};
use redis::AsyncCommands;

#[tokio::test]
async fn keys_are_namespaced_in_one_hash_tag_with_the_id_escaped() {
    let server = RedisServer::start();
    let guard = server
        .guard(GuardOptions::default().namespace("shop:replay"))
        .await;
    assert_eq!(guard.check("tab 1:{x}", 1).await.unwrap(), Verdict::Fresh);
    let mut raw = server.raw().await;
    let mut keys: Vec<String> = raw.keys("*").await.unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "{shop:replay}:c:tab%201%3A%7Bx%7D",
            "{shop:replay}:epoch",
            "{shop:replay}:lru",
            "{shop:replay}:tick",
        ]
    );
    let state: Vec<u8> = raw.get("{shop:replay}:c:tab%201%3A%7Bx%7D").await.unwrap();
    assert_eq!(state.len(), 24);
    assert_eq!(state[7], 1, "base 1, big-endian");
}

#[tokio::test]
async fn idle_clients_expire_with_the_ttl() {
    let server = RedisServer::start();
    let ttl = Duration::from_millis(300);
    let guard = server
        .guard(GuardOptions::default().namespace("ttl").ttl(ttl))
        .await;
    assert!(guard.check("c", 1).await.unwrap().is_fresh());
    let mut raw = server.raw().await;
    for key in [
        guard.client_key("c"),
        "{ttl}:lru".to_owned(),
        "{ttl}:tick".to_owned(),
    ] {
        let pttl: i64 = raw.pttl(&key).await.unwrap();
        assert!((1..=300).contains(&pttl), "{key}: {pttl} ms");
    }
    // Gone once idle for the TTL: the client starts over.
    let mut expired = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if guard.acked("c").await.unwrap().is_none() {
            expired = true;
            break;
        }
    }
    assert!(expired, "the client's state did not expire within 2 s");
    assert!(guard.check("c", 1).await.unwrap().is_fresh());
    assert_eq!(
        guard.forgotten().await.unwrap(),
        0,
        "expiry is not eviction"
    );
}

#[tokio::test]
async fn a_flushed_script_cache_falls_back_to_eval() {
    let server = RedisServer::start();
    let guard = server
        .guard(GuardOptions::default().namespace(fresh_namespace("noscript")))
        .await;
    let mut raw = server.raw().await;
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(guard.check("c", 1).await.unwrap(), Verdict::Fresh);
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut raw)
        .await
        .unwrap();
    let answers = guard
        .check_many(&[("c", 1), ("c", 2), ("d", 1)])
        .await
        .unwrap();
    let answers: Vec<Verdict> = answers.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        answers,
        [Verdict::Duplicate, Verdict::Fresh, Verdict::Fresh]
    );
}

#[tokio::test]
async fn a_pipeline_answers_as_checks_one_by_one() {
    let server = RedisServer::start();
    let one = server
        .guard(GuardOptions::default().namespace(fresh_namespace("one")))
        .await;
    let many = server
        .guard(GuardOptions::default().namespace(fresh_namespace("many")))
        .await;
    let stamps: Vec<(&str, u64)> = [
        ("a", 1),
        ("a", 1),
        ("b", 3),
        ("a", 300),
        ("a", 2),
        ("b", 2),
        ("b", 0),
    ]
    .into_iter()
    .chain((1..=REPLAY_WINDOW + 5).rev().map(|seq| ("c", seq)))
    .collect();
    let mut expected = Vec::new();
    for &(id, seq) in &stamps {
        expected.push(one.check(id, seq).await.unwrap());
    }
    let got: Vec<Verdict> = many
        .check_many(&stamps)
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, expected);
    assert_eq!(many.acked("c").await.unwrap(), Some(REPLAY_WINDOW + 5));
    assert!(many.check_many(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_cap_evicts_the_least_recently_seen_across_guards() {
    let server = RedisServer::start();
    let options = GuardOptions::default()
        .namespace(fresh_namespace("cap"))
        .max_clients(NonZeroUsize::new(2).unwrap());
    let a = server.guard(options.clone()).await;
    let b = server.guard(options).await;
    let _ = a.check("x", 1).await.unwrap();
    let _ = b.check("y", 1).await.unwrap();
    let _ = a.check("x", 2).await.unwrap();
    let _ = b.check("z", 1).await.unwrap(); // evicts y, seen least recently
    assert_eq!(a.acked("y").await.unwrap(), None);
    assert_eq!(b.acked("x").await.unwrap(), Some(2));
    assert_eq!(a.forgotten().await.unwrap(), 1);
    assert_eq!(
        a.check("y", 1).await.unwrap(),
        Verdict::Fresh,
        "an evicted client starts over"
    );
}

#[tokio::test]
async fn state_another_program_wrote_is_an_error_never_fresh() {
    let server = RedisServer::start();
    let guard = server
        .guard(GuardOptions::default().namespace(fresh_namespace("corrupt")))
        .await;
    let mut raw = server.raw().await;
    let _: () = raw
        .set(guard.client_key("short"), "not a state")
        .await
        .unwrap();
    let answer = guard.check("short", 1).await;
    assert!(matches!(answer, Err(GuardError::Redis(_))), "{answer:?}");
    assert!(matches!(
        guard.acked("short").await,
        Err(GuardError::Reply { .. })
    ));
    let _: () = raw.hset(guard.client_key("hash"), "f", "v").await.unwrap();
    let answer = guard.check("hash", 1).await;
    assert!(matches!(answer, Err(GuardError::Redis(_))), "{answer:?}");
}

#[tokio::test]
async fn one_guard_is_shared_across_tasks() {
    let server = RedisServer::start();
    let guard = std::sync::Arc::new(
        server
            .guard(GuardOptions::default().namespace(fresh_namespace("share")))
            .await,
    );
    let tasks: Vec<_> = (1..=50u64)
        .map(|seq| {
            let guard = std::sync::Arc::clone(&guard);
            tokio::spawn(async move { guard.check("c", seq).await.unwrap() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Verdict::Fresh);
    }
    assert_eq!(guard.acked("c").await.unwrap(), Some(50));
}
