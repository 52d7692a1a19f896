//! Integration tests for `liveshell::cache`: the boundaries of the issue, djust's vectors V1-V17
//! with liveshell's answers, `Vary` isolation, persistence, budgets, and the model-based proptest
//! shared with the `cache_ops` fuzz target.

#[path = "../fuzz/src/cache_ops.rs"]
#[allow(dead_code)] // `run`, the fuzzer's byte entry point, is not used here
mod cache_ops;

use std::num::NonZeroUsize;
use std::time::Duration;

mod common;

use liveshell::OptionsError;
use liveshell::cache::checks::{DjustCacheOptions, check};
use liveshell::cache::{
    CacheOptions, EvictionReason, KeyError, Lookup, NotStorable, PreparedKey, RestoreError,
    SavedCache, SnapshotCache,
};
use liveshell::headers::Vary;
use proptest::prelude::*;

use common::{secs, t0};

/// A key that owns its headers, so a test can keep it beside the cache.
type Key = PreparedKey<Vec<(String, String)>>;

fn req<V>(cache: &SnapshotCache<V>, url: &str, headers: &[(&str, &str)]) -> Key {
    let owned = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    cache.key(url, owned).expect("valid request")
}

fn page<V>(cache: &SnapshotCache<V>, path: &str) -> Key {
    req(cache, &format!("https://app.test{path}"), &[])
}

/// No `Vary` on the response.
fn none() -> Vary {
    Vary::default()
}

fn vary(value: &str) -> Vary {
    Vary::parse(value.as_bytes())
}

fn new_cache<V>(options: CacheOptions) -> SnapshotCache<V> {
    SnapshotCache::new(options).expect("valid options")
}

fn cap(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("non-zero cap")
}

/// djust's test setup: TTL 1800 s, cap 50 (liveshell's defaults are the seed's 300 s / 100).
fn djust_cache<V>() -> SnapshotCache<V> {
    new_cache(
        CacheOptions::new([5; 16])
            .ttl(secs(1800))
            .max_entries(cap(50)),
    )
}

fn urls<V>(cache: &SnapshotCache<V>) -> Vec<String> {
    cache.iter().map(|(u, _, _)| u.to_owned()).collect()
}

fn settings(ttl_seconds: i64, max_entries: i64) -> DjustCacheOptions {
    DjustCacheOptions {
        ttl_seconds,
        max_entries,
        ..DjustCacheOptions::default()
    }
}

fn ids(s: &DjustCacheOptions) -> Vec<&'static str> {
    check(s).iter().map(|d| d.id).collect()
}

// ---- boundaries ---------------------------------------------------------------------------

#[test]
fn ttl_bounds_fire_c301_outside_1_to_86400() {
    for ttl in [1, 300, 86_400] {
        assert_eq!(ids(&settings(ttl, 100)), Vec::<&str>::new(), "ttl {ttl}");
    }
    for ttl in [0, -1, 86_401, i64::MIN, i64::MAX] {
        assert_eq!(ids(&settings(ttl, 100)), ["djust.C301"], "ttl {ttl}");
    }
}

#[test]
fn max_entries_bounds_fire_c302_outside_1_to_10000() {
    for max in [1, 100, 10_000] {
        assert!(ids(&settings(300, max)).is_empty(), "max {max}");
    }
    for max in [0, -1, 10_001] {
        assert_eq!(ids(&settings(300, max)), ["djust.C302"], "max {max}");
    }
}

#[test]
fn c303_warns_when_enabled_without_the_worker_flag() {
    let s = DjustCacheOptions {
        sw_vdom_cache: false,
        ..DjustCacheOptions::default()
    };
    let found = check(&s);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "djust.C303");
    assert!(!found[0].is_error());
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("vdomCache: true")
    );
    let disabled = DjustCacheOptions {
        enabled: false,
        ..s
    };
    assert!(check(&disabled).is_empty());
}

#[test]
fn try_from_settings_gives_the_configured_ttl_and_cap() {
    let config = CacheOptions::try_from(&settings(60, 2)).expect("valid settings");
    let cache: SnapshotCache<String> = new_cache(config);
    assert_eq!(cache.ttl(), secs(60));
    assert_eq!(cache.max_entries(), cap(2));
    assert_eq!(
        CacheOptions::try_from(&settings(0, 0)).err(),
        Some(OptionsError::OutOfRange {
            option: "ttl_seconds",
            value: "0 s".into(),
            range: "1..=86400 s"
        })
    );
    assert_eq!(
        CacheOptions::try_from(&settings(1, 10_001)).err(),
        Some(OptionsError::OutOfRange {
            option: "max_entries",
            value: "10001".into(),
            range: "1..=10000"
        })
    );
}

#[test]
fn age_equal_to_ttl_is_fresh_and_one_nanosecond_more_is_stale() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]).ttl(secs(300)));
    cache.insert(t, &page(&cache, "/x"), &none(), 1).unwrap();
    assert_eq!(
        cache.get(t + secs(300), &page(&cache, "/x")),
        Lookup::Fresh(&1)
    );
    let just_after = t + secs(300) + Duration::from_nanos(1);
    assert_eq!(cache.get(just_after, &page(&cache, "/x")), Lookup::Stale);
    assert_eq!(cache.get(just_after, &page(&cache, "/x")), Lookup::Miss);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.stale, stats.misses), (1, 1, 1));
}

// ---- djust's vectors V1-V17, liveshell's answers -------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    html: &'static str,
    version: u32,
}

#[test]
fn v1_put_then_lookup_hits_with_the_stored_value() {
    let t = t0();
    let mut cache = djust_cache();
    let v = Snapshot {
        html: "<div>orders-html</div>",
        version: 3,
    };
    cache
        .insert(t, &page(&cache, "/orders"), &none(), v.clone())
        .unwrap();
    assert_eq!(cache.get(t, &page(&cache, "/orders")), Lookup::Fresh(&v));
}

#[test]
fn v2_unknown_url_misses() {
    let mut cache = djust_cache::<u8>();
    assert_eq!(cache.get(t0(), &page(&cache, "/never-seen")), Lookup::Miss);
}

#[test]
fn v3_two_hour_old_entry_is_stale_and_then_gone() {
    // djust reports stale but keeps the entry forever; liveshell removes it on that lookup.
    let t = t0();
    let mut cache = djust_cache();
    cache
        .insert(t, &page(&cache, "/stale"), &none(), 1)
        .unwrap();
    assert_eq!(
        cache.get(t + secs(7200), &page(&cache, "/stale")),
        Lookup::Stale
    );
    assert!(cache.is_empty());
    assert_eq!(
        cache.get(t + secs(7200), &page(&cache, "/stale")),
        Lookup::Miss
    );
}

#[test]
fn v4_cap_two_evicts_the_oldest_and_reports_it() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]).max_entries(cap(2)));
    assert!(
        cache
            .insert(t, &page(&cache, "/a"), &none(), 1)
            .unwrap()
            .is_empty()
    );
    assert!(
        cache
            .insert(t, &page(&cache, "/b"), &none(), 2)
            .unwrap()
            .is_empty()
    );
    let evicted = cache.insert(t, &page(&cache, "/c"), &none(), 3).unwrap();
    assert_eq!(evicted.len(), 1);
    assert_eq!(evicted[0].url, "https://app.test/a");
    assert_eq!(evicted[0].reason, EvictionReason::Capacity);
    assert_eq!(urls(&cache), ["https://app.test/c", "https://app.test/b"]);
}

#[test]
fn v5_age_exactly_ttl_hits() {
    let t = t0();
    let mut cache = djust_cache();
    cache.insert(t, &page(&cache, "/p"), &none(), 1).unwrap();
    assert_eq!(
        cache.get(t + secs(1800), &page(&cache, "/p")),
        Lookup::Fresh(&1)
    );
}

#[test]
fn v6_ttl_plus_one_millisecond_is_stale() {
    let t = t0();
    let mut cache = djust_cache();
    cache.insert(t, &page(&cache, "/p"), &none(), 1).unwrap();
    let at = t + secs(1800) + Duration::from_millis(1);
    assert_eq!(cache.get(at, &page(&cache, "/p")), Lookup::Stale);
}

#[test]
fn v7_an_earlier_now_is_age_zero_but_the_entry_still_expires() {
    // djust trusts a client `ts` in the future and the entry never expires. liveshell stamps
    // the time itself; a stuttering clock reads as age zero, and expiry counts from the store.
    let t = t0();
    let stored = t + secs(10_000);
    let mut cache = djust_cache();
    cache
        .insert(stored, &page(&cache, "/p"), &none(), 1)
        .unwrap();
    assert_eq!(cache.get(t, &page(&cache, "/p")), Lookup::Fresh(&1));
    let past_ttl = stored + secs(1800) + Duration::from_nanos(1);
    assert_eq!(cache.get(past_ttl, &page(&cache, "/p")), Lookup::Stale);
}

#[test]
fn v8_store_time_is_the_insert_now_never_a_client_value() {
    // No client `ts` exists in the API: the entry's age counts from `insert`'s `now`.
    let t = t0();
    let mut cache = djust_cache();
    cache
        .insert(t + secs(5), &page(&cache, "/p"), &none(), 1)
        .unwrap();
    assert_eq!(
        cache.get(t + secs(1805), &page(&cache, "/p")),
        Lookup::Fresh(&1)
    );
    assert_eq!(
        cache.get(t + secs(1806), &page(&cache, "/p")),
        Lookup::Stale
    );
}

#[test]
fn v9_the_value_is_returned_as_stored() {
    // djust coerces a string version to 0; liveshell stores the host's typed value untouched.
    let t = t0();
    let mut cache = djust_cache();
    cache
        .insert(t, &page(&cache, "/p"), &none(), ("<p>", "7".to_string()))
        .unwrap();
    assert_eq!(
        cache.get(t, &page(&cache, "/p")).fresh(),
        Some(&("<p>", "7".to_string()))
    );
}

#[test]
fn v10_query_is_part_of_the_key_and_the_fragment_is_not() {
    let t = t0();
    let mut cache = djust_cache();
    cache.insert(t, &page(&cache, "/b"), &none(), 1).unwrap();
    assert_eq!(cache.get(t, &page(&cache, "/b?x=1")), Lookup::Miss);
    assert_eq!(cache.get(t, &page(&cache, "/b#section")), Lookup::Fresh(&1));
    assert_eq!(
        cache.get(t, &req(&cache, "HTTPS://APP.test:443/b", &[])),
        Lookup::Fresh(&1)
    );
}

#[test]
fn v11_empty_url_is_a_key_error() {
    let cache = djust_cache::<u8>();
    assert!(matches!(
        cache.key("", &[("Cookie", "sid=1")]),
        Err(KeyError::InvalidUrl { .. })
    ));
}

#[test]
fn v12_sub_second_ttl_is_kept_exactly_and_zero_cap_is_unrepresentable() {
    // djust floors 0.5 s to 0 ms; a `Duration` keeps 500 ms. A cap of 0 cannot be built
    // (`NonZeroUsize`), and settings holding it fail C302 and `try_from`.
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]).ttl(Duration::from_millis(500)));
    cache.insert(t, &page(&cache, "/p"), &none(), 1).unwrap();
    assert_eq!(
        cache.get(t + Duration::from_millis(500), &page(&cache, "/p")),
        Lookup::Fresh(&1)
    );
    assert_eq!(
        cache.get(t + Duration::from_millis(501), &page(&cache, "/p")),
        Lookup::Stale
    );
    assert!(NonZeroUsize::new(0).is_none());
    assert!(CacheOptions::try_from(&settings(300, 0)).is_err());
}

#[test]
fn v13_settings_are_typed_so_strings_and_fractions_cannot_arrive() {
    // djust ignores `'60'` and floors 2.9 to 2; liveshell's settings are integers, checked.
    let config = CacheOptions::try_from(&settings(60, 2)).unwrap();
    let cache: SnapshotCache<u8> = new_cache(config);
    assert_eq!((cache.ttl(), cache.max_entries()), (secs(60), cap(2)));
}

#[test]
fn v14_v15_a_read_refreshes_recency() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]).max_entries(cap(2)));
    cache.insert(t, &page(&cache, "/1"), &none(), 1).unwrap();
    cache.insert(t, &page(&cache, "/2"), &none(), 2).unwrap();
    assert_eq!(cache.get(t, &page(&cache, "/1")), Lookup::Fresh(&1));
    let evicted = cache.insert(t, &page(&cache, "/3"), &none(), 3).unwrap();
    // V14: djust evicts `/1` despite the read; liveshell evicts `/2`, and `/1` survives.
    assert_eq!(evicted[0].url, "https://app.test/2");
    assert_eq!(urls(&cache), ["https://app.test/3", "https://app.test/1"]);
    // V15: PUT `/2` again evicts `/1` (least recent now), PUT `/4` evicts `/3`.
    let evicted = cache.insert(t, &page(&cache, "/2"), &none(), 22).unwrap();
    assert_eq!(evicted[0].url, "https://app.test/1");
    let evicted = cache.insert(t, &page(&cache, "/4"), &none(), 4).unwrap();
    assert_eq!(evicted[0].url, "https://app.test/3");
    assert_eq!(urls(&cache), ["https://app.test/4", "https://app.test/2"]);
}

#[test]
fn v16_lookup_on_an_empty_cache_misses() {
    // djust needs a service-worker controller; the Sans-IO cache just answers.
    let mut cache = new_cache::<String>(CacheOptions::new([0; 16]));
    assert_eq!(cache.get(t0(), &page(&cache, "/any")), Lookup::Miss);
}

#[test]
fn v17_the_api_surface_exists() {
    // djust's `_sw` exposes cacheVdom/lookupVdom/...; liveshell's surface is this.
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]));
    let k = page(&cache, "/p");
    let _: Result<Vec<_>, NotStorable> = cache.insert(t, &k, &none(), 1);
    let _: Lookup<&i32> = cache.get(t, &k);
    let _: Option<&i32> = cache.peek(t, &k);
    let _: Vec<i32> = cache.remove(&k);
    let _ = cache.purge_expired(t);
    let _ = cache.save(t);
    cache.clear();
    assert_eq!((cache.len(), cache.stats().inserts), (0, 1));
}

// ---- Vary ---------------------------------------------------------------------------------

#[test]
fn two_users_and_two_languages_make_four_isolated_variants() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([9; 16]));
    let mut keys = Vec::new();
    for user in ["sid=alice", "sid=bob"] {
        for lang in ["en", "fr"] {
            let k = req(
                &cache,
                "https://app.test/inbox",
                &[("Cookie", user), ("Accept-Language", lang)],
            );
            cache
                .insert(
                    t,
                    &k,
                    &vary("Cookie, Accept-Language"),
                    format!("{user}/{lang}"),
                )
                .unwrap();
            keys.push((k, format!("{user}/{lang}")));
        }
    }
    assert_eq!(cache.len(), 4);
    for (k, want) in &keys {
        assert_eq!(cache.get(t, k), Lookup::Fresh(want));
    }
    let anonymous = req(
        &cache,
        "https://app.test/inbox",
        &[("Accept-Language", "en")],
    );
    assert_eq!(cache.get(t, &anonymous), Lookup::Miss);
}

#[test]
fn response_vary_fields_must_match_too() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([9; 16]));
    let gzip = req(&cache, "https://app.test/", &[("Accept-Encoding", "gzip")]);
    let br = req(&cache, "https://app.test/", &[("Accept-Encoding", "br")]);
    cache
        .insert(t, &gzip, &vary("Accept-Encoding"), "gz")
        .unwrap();
    assert_eq!(cache.get(t, &br), Lookup::Miss);
    assert_eq!(cache.get(t, &gzip), Lookup::Fresh(&"gz"));
    // A response that does not vary on the encoding serves both, and a newer store answers.
    cache.insert(t, &br, &none(), "any").unwrap();
    assert_eq!(cache.get(t, &gzip), Lookup::Fresh(&"any"));
    assert_eq!(cache.get(t, &br), Lookup::Fresh(&"any"));
    assert_eq!(cache.len(), 2);
}

#[test]
fn vary_star_and_malformed_vary_are_not_stored() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]));
    let k = page(&cache, "/");
    assert_eq!(
        cache.insert(t, &k, &vary("Cookie, *"), 1),
        Err(NotStorable::VaryStar)
    );
    assert_eq!(
        cache.insert(t, &k, &vary("Accept Language"), 1),
        Err(NotStorable::InvalidVary {
            field: "Accept Language".into()
        })
    );
    assert!(cache.is_empty());
    assert_eq!(cache.stats().rejections, 2);
}

#[test]
fn absent_header_differs_from_empty_header() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]));
    let empty = req(&cache, "https://app.test/", &[("Cookie", "")]);
    cache.insert(t, &empty, &none(), 1).unwrap();
    assert_eq!(cache.get(t, &page(&cache, "/")), Lookup::Miss);
    assert_eq!(cache.get(t, &empty), Lookup::Fresh(&1));
}

#[test]
fn cookie_scope_ignores_analytics_cookies_but_splits_sessions() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]).cookie_scope(["sessionid"]));
    let with_ga = req(
        &cache,
        "https://app.test/",
        &[("Cookie", "_ga=GA1.1; sessionid=s1")],
    );
    let other_ga = req(
        &cache,
        "https://app.test/",
        &[("Cookie", "sessionid=s1; _ga=GA9")],
    );
    let other_user = req(
        &cache,
        "https://app.test/",
        &[("Cookie", "sessionid=s2; _ga=GA9")],
    );
    cache.insert(t, &with_ga, &none(), 1).unwrap();
    assert_eq!(cache.get(t, &other_ga), Lookup::Fresh(&1));
    assert_eq!(cache.get(t, &other_user), Lookup::Miss);
}

#[test]
fn keys_and_saves_never_hold_the_raw_cookie() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([1; 16]));
    let k = req(
        &cache,
        "https://app.test/",
        &[("Cookie", "sessionid=TOPSECRET")],
    );
    cache
        .insert(t, &k, &vary("Cookie"), "page".to_string())
        .unwrap();
    let json = serde_json::to_string(&cache.save(t)).unwrap();
    assert!(!json.contains("TOPSECRET"), "{json}");
    assert!(!format!("{k:?}").contains("TOPSECRET"));
    assert!(!format!("{cache:?}").contains("TOPSECRET"));
}

#[test]
fn the_digest_key_changes_variant_ids() {
    let a = new_cache::<u8>(CacheOptions::new([1; 16]));
    let b = new_cache::<u8>(CacheOptions::new([2; 16]));
    let headers = [("Cookie", "sid=1")];
    let ka = a.key("https://app.test/", &headers).unwrap();
    let kb = b.key("https://app.test/", &headers).unwrap();
    assert_ne!(a.variant_id(&ka, &none()), b.variant_id(&kb, &none()));
    // A key made by another cache is digested anew under this one's key.
    assert_eq!(a.variant_id(&kb, &none()), a.variant_id(&ka, &none()));
    assert_eq!(a.variant_id(&ka, &none()).unwrap().to_string().len(), 32);
}

// ---- remove, purge, clear, budgets ----------------------------------------------------------

#[test]
fn remove_purge_and_clear() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([0; 16]).ttl(secs(10)));
    cache.insert(t, &page(&cache, "/a"), &none(), 1).unwrap();
    cache
        .insert(t + secs(5), &page(&cache, "/b"), &none(), 2)
        .unwrap();
    assert_eq!(cache.remove(&page(&cache, "/a")), vec![1]);
    assert!(cache.remove(&page(&cache, "/a")).is_empty());
    cache.insert(t, &page(&cache, "/a"), &none(), 3).unwrap();
    let purged = cache.purge_expired(t + secs(11));
    assert_eq!(purged.len(), 1);
    assert_eq!(purged[0].url, "https://app.test/a");
    assert_eq!(purged[0].reason, EvictionReason::Expired);
    assert_eq!(cache.len(), 1);
    cache.clear();
    assert!(cache.is_empty());
}

#[test]
fn weigher_rejects_oversized_values_and_evicts_to_the_total_budget() {
    let t = t0();
    let mut cache = SnapshotCache::with_weigher(CacheOptions::new([0; 16]), String::len, 10, 20)
        .expect("valid options");
    assert_eq!(
        cache.insert(t, &page(&cache, "/big"), &none(), "x".repeat(11)),
        Err(NotStorable::TooLarge {
            weight: 11,
            max: 10
        })
    );
    cache
        .insert(t, &page(&cache, "/1"), &none(), "x".repeat(8))
        .unwrap();
    cache
        .insert(t, &page(&cache, "/2"), &none(), "x".repeat(8))
        .unwrap();
    let evicted = cache
        .insert(t, &page(&cache, "/3"), &none(), "x".repeat(8))
        .unwrap();
    assert_eq!(evicted[0].url, "https://app.test/1");
    assert_eq!(evicted[0].reason, EvictionReason::Budget);
    assert_eq!(cache.total_weight(), 16);
}

// ---- persistence ----------------------------------------------------------------------------

#[test]
fn save_and_restore_keep_values_ages_and_recency() {
    let t = t0();
    let config = CacheOptions::new([4; 16])
        .ttl(secs(100))
        .max_entries(cap(3));
    let mut cache = new_cache(config.clone());
    let alice = req(&cache, "https://app.test/a", &[("Cookie", "sid=alice")]);
    cache.insert(t, &alice, &none(), "a".to_string()).unwrap();
    cache
        .insert(t + secs(10), &page(&cache, "/b"), &none(), "b".to_string())
        .unwrap();
    cache
        .insert(t + secs(20), &page(&cache, "/c"), &none(), "c".to_string())
        .unwrap();
    assert!(cache.get(t + secs(30), &alice).fresh().is_some()); // order: a, c, b
    let json = serde_json::to_string(&cache.save(t + secs(30))).unwrap();

    let saved: SavedCache<String> = serde_json::from_str(&json).unwrap();
    let t1 = t0() + secs(1000); // another process, another clock origin
    let (mut restored, dropped) = SnapshotCache::restore(config, t1, saved).unwrap();
    assert!(dropped.is_empty());
    assert_eq!(
        urls(&restored),
        [
            "https://app.test/a",
            "https://app.test/c",
            "https://app.test/b"
        ]
    );
    // `/a` was 30 s old at the save: fresh for 70 s more, stale after.
    assert_eq!(
        restored.peek(t1 + secs(70), &alice).map(String::as_str),
        Some("a")
    );
    assert_eq!(restored.peek(t1 + secs(71), &alice), None);
    // Eviction continues in the saved order: `/b` goes first.
    let evicted = restored
        .insert(t1, &page(&restored, "/d"), &none(), "d".to_string())
        .unwrap();
    assert_eq!(evicted[0].url, "https://app.test/b");
}

#[test]
fn restore_refuses_another_key_or_vary_configuration() {
    let t = t0();
    let mut cache = new_cache(CacheOptions::new([4; 16]));
    cache.insert(t, &page(&cache, "/a"), &none(), 1u8).unwrap();
    for other in [
        CacheOptions::new([5; 16]),
        CacheOptions::new([4; 16]).cookie_scope(["sid"]),
        CacheOptions::new([4; 16]).varied_headers(["cookie"]),
    ] {
        let r = SnapshotCache::restore(other, t, cache.save(t).cloned());
        assert_eq!(r.err(), Some(RestoreError::ConfigMismatch));
    }
}

#[test]
fn restore_rejects_edited_entries_and_unknown_formats() {
    let t = t0();
    let config = CacheOptions::new([4; 16]);
    let mut cache = new_cache(config.clone());
    cache.insert(t, &page(&cache, "/a"), &none(), 1u8).unwrap();
    let json = serde_json::to_string(&cache.save(t)).unwrap();
    let edited = json.replace("https://app.test/a", "HTTPS://app.test/a");
    let saved: SavedCache<u8> = serde_json::from_str(&edited).unwrap();
    assert!(matches!(
        SnapshotCache::restore(config.clone(), t, saved),
        Err(RestoreError::InvalidEntry { index: 0, .. })
    ));
    let future = json.replace("\"format\":1", "\"format\":2");
    let saved: SavedCache<u8> = serde_json::from_str(&future).unwrap();
    assert_eq!(
        SnapshotCache::restore(config, t, saved).err(),
        Some(RestoreError::UnsupportedFormat { found: 2 })
    );
    let bad_id = json.replacen("\"variant\":\"", "\"variant\":\"zz", 1);
    assert!(serde_json::from_str::<SavedCache<u8>>(&bad_id).is_err());
}

#[test]
fn restore_reports_entries_too_old_to_represent_and_over_the_new_cap() {
    let t = t0();
    let config = CacheOptions::new([4; 16]).ttl(Duration::MAX);
    let mut cache = new_cache(config.clone());
    cache
        .insert(t, &page(&cache, "/old"), &none(), 1u8)
        .unwrap();
    cache.insert(t, &page(&cache, "/b"), &none(), 2u8).unwrap();
    cache.insert(t, &page(&cache, "/c"), &none(), 3u8).unwrap();
    // An age reaching before the earliest instant this platform can represent.
    let json = serde_json::to_string(&cache.save(t)).unwrap();
    let ancient = regex::Regex::new(r#""age":\{[^}]*\}"#)
        .unwrap()
        .replace_all(&json, r#""age":{"secs":18446744073709551615,"nanos":0}"#);
    let saved: SavedCache<u8> = serde_json::from_str(&ancient).unwrap();
    let (restored, dropped) = SnapshotCache::restore(config.clone(), t, saved).unwrap();
    assert!(restored.is_empty());
    assert_eq!(dropped.len(), 3);
    assert!(
        dropped
            .iter()
            .all(|e| e.reason == EvictionReason::Unrestorable)
    );
    let smaller = config.max_entries(cap(2));
    let (restored, dropped) = SnapshotCache::restore(smaller, t, cache.save(t).cloned()).unwrap();
    assert_eq!(restored.len(), 2);
    assert_eq!(dropped[0].url, "https://app.test/old");
    assert_eq!(dropped[0].reason, EvictionReason::Capacity);
}

#[test]
fn restore_with_weigher_drops_entries_over_the_new_budgets() {
    let t = t0();
    let config = CacheOptions::new([4; 16]);
    let mut cache =
        SnapshotCache::with_weigher(config.clone(), String::len, 10, 30).expect("valid options");
    cache
        .insert(t, &page(&cache, "/big"), &none(), "x".repeat(9))
        .unwrap();
    cache
        .insert(t, &page(&cache, "/a"), &none(), "x".repeat(4))
        .unwrap();
    cache
        .insert(t, &page(&cache, "/b"), &none(), "x".repeat(4))
        .unwrap();
    let (restored, dropped) =
        SnapshotCache::restore_with_weigher(config, String::len, 8, 6, t, cache.save(t).cloned())
            .unwrap();
    assert_eq!(restored.len(), 1);
    assert_eq!(restored.total_weight(), 4);
    let reasons: Vec<(&str, EvictionReason)> =
        dropped.iter().map(|e| (e.url.as_str(), e.reason)).collect();
    assert_eq!(
        reasons,
        [
            ("https://app.test/big", EvictionReason::Budget),
            ("https://app.test/a", EvictionReason::Budget),
        ]
    );
}

#[test]
fn restore_of_a_huge_sequence_number_then_insert_does_not_overflow() {
    let t = t0();
    let config = CacheOptions::new([4; 16]);
    let mut cache = new_cache(config.clone());
    cache.insert(t, &page(&cache, "/a"), &none(), 1u8).unwrap();
    let json = serde_json::to_string(&cache.save(t)).unwrap();
    let edited = json.replace("\"seq\":0", &format!("\"seq\":{}", u64::MAX));
    assert_ne!(edited, json);
    let saved: SavedCache<u8> = serde_json::from_str(&edited).unwrap();
    let (mut restored, _) = SnapshotCache::restore(config, t, saved).unwrap();
    restored
        .insert(t, &page(&restored, "/b"), &none(), 2)
        .unwrap();
    restored
        .insert(t, &page(&restored, "/c"), &none(), 3)
        .unwrap();
    assert_eq!(restored.get(t, &page(&cache, "/a")), Lookup::Fresh(&1));
    assert_eq!(restored.len(), 3);
}

// ---- guards ---------------------------------------------------------------------------------

#[test]
fn public_types_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<SnapshotCache<String>>();
    both::<CacheOptions>();
    both::<DjustCacheOptions>();
    fn send<T: Send>() {}
    send::<Key>(); // one request on one thread: `Send`, not `Sync` (its memo is a `RefCell`)
    both::<SavedCache<String>>();
    both::<Lookup<&String>>();
    assert!(std::mem::size_of::<Lookup<&String>>() <= 16);
}

// ---- properties -----------------------------------------------------------------------------

fn req_strategy() -> impl Strategy<Value = cache_ops::Req> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
    )
        .prop_map(|(url, cookie, lang, enc, pad)| cache_ops::Req {
            url,
            cookie,
            lang,
            enc,
            pad,
        })
}

fn op_strategy() -> impl Strategy<Value = cache_ops::Op> {
    use cache_ops::Op;
    prop_oneof![
        4 => (req_strategy(), any::<u8>(), any::<u8>())
            .prop_map(|(req, vary, len)| Op::Insert { req, vary, len }),
        4 => req_strategy().prop_map(Op::Get),
        1 => req_strategy().prop_map(Op::Peek),
        1 => req_strategy().prop_map(Op::Remove),
        3 => any::<u16>().prop_map(Op::Advance),
        1 => Just(Op::Purge),
        1 => Just(Op::SaveRestore),
        1 => Just(Op::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Same answers, evictions, counters and recency order as the naive model; caps and budgets
    /// never exceeded; never a value for differing varied headers (see `fuzz/src/cache_ops.rs`).
    #[test]
    fn cache_matches_the_naive_model(
        cap in any::<u8>(),
        ttl in any::<u8>(),
        budget in any::<bool>(),
        ops in proptest::collection::vec(op_strategy(), 0..80),
    ) {
        cache_ops::check(&cache_ops::Input { cap, ttl, budget, ops });
    }

    /// `CacheOptions::try_from` fails exactly when C301 or C302 fires.
    #[test]
    fn try_from_fails_exactly_when_c301_or_c302_fires(
        ttl in prop_oneof![-5i64..86_410, any::<i64>()],
        max in prop_oneof![-5i64..10_010, any::<i64>()],
        enabled in any::<bool>(),
        sw in any::<bool>(),
    ) {
        let mut s = settings(ttl, max);
        s.enabled = enabled;
        s.sw_vdom_cache = sw;
        let errors = check(&s).iter().filter(|d| d.is_error()).count();
        prop_assert_eq!(CacheOptions::try_from(&s).is_err(), errors > 0);
    }
}
