//! The cache API as code outside the crate calls it (issue 7): `CacheSettings` built with a
//! struct literal, `CacheConfig::try_from` and `CacheConfig::new` without type annotations, and
//! an exhaustive `match` on `Lookup`. This file compiling is the contract.

use std::time::Duration;

use liveshell::cache::checks::{CacheSettings, check};
use liveshell::cache::{CacheConfig, Lookup, RequestKey, SnapshotCache};
use liveshell::time::{Clock, ManualClock, SystemClock};

fn describe(lookup: Lookup<&String>) -> String {
    match lookup {
        Lookup::Fresh(v) => format!("fresh {v}"),
        Lookup::Stale => "stale".to_owned(),
        Lookup::Miss => "miss".to_owned(),
    }
}

#[test]
fn settings_struct_literal_passes_the_checks_and_makes_a_config() {
    let s = CacheSettings {
        enabled: true,
        ttl_seconds: 300,
        max_entries: 100,
        sw_vdom_cache: true,
    };
    assert!(check(&s).is_empty());
    let cfg = CacheConfig::try_from(&s);
    let cfg = cfg.expect("valid settings").digest_key([7u8; 16]);
    let cache: SnapshotCache<String> = SnapshotCache::new(cfg);
    assert_eq!(cache.ttl(), Duration::from_secs(300));
    assert_eq!(cache.max_entries().get(), 100);
}

#[test]
fn bad_settings_struct_literal_is_refused_without_annotations() {
    let s = CacheSettings {
        enabled: true,
        ttl_seconds: 0,
        max_entries: 100,
        sw_vdom_cache: true,
    };
    let cfg = CacheConfig::try_from(&s);
    assert!(cfg.is_err());
}

#[test]
fn lookup_matches_exhaustively_through_fresh_stale_and_miss() {
    let clock = ManualClock::new(SystemClock.now());
    let cfg = CacheConfig::new([7u8; 16]);
    let mut cache: SnapshotCache<String> = SnapshotCache::new(cfg);
    let key = RequestKey::new("https://x.test/page", &[("cookie", "sid=1")]).expect("valid url");

    assert_eq!(describe(cache.get(clock.now(), &key)), "miss");
    cache
        .insert(clock.now(), &key, None, "<p>hi</p>".to_owned())
        .expect("storable");
    assert_eq!(describe(cache.get(clock.now(), &key)), "fresh <p>hi</p>");
    clock.advance(Duration::from_secs(301));
    assert_eq!(describe(cache.get(clock.now(), &key)), "stale");
    assert_eq!(describe(cache.get(clock.now(), &key)), "miss");
}
