//! The cache API as code outside the crate calls it (issue 7): `DjustCacheOptions` built with a
//! struct literal, `CacheOptions::try_from` and `CacheOptions::new` without type annotations,
//! a key prepared once and used for every lookup (issue 15), and an exhaustive `match` on
//! `Lookup`. This file compiling is the contract.

mod common;

use std::time::Duration;

use liveshell::cache::checks::{DjustCacheOptions, check};
use liveshell::cache::{CacheOptions, Lookup, SnapshotCache};
use liveshell::headers::Vary;
use liveshell::time::{Clock, ManualClock};

fn describe(lookup: Lookup<&String>) -> String {
    match lookup {
        Lookup::Fresh(v) => format!("fresh {v}"),
        Lookup::Stale => "stale".to_owned(),
        Lookup::Miss => "miss".to_owned(),
    }
}

#[test]
fn settings_struct_literal_passes_the_checks_and_makes_options() {
    let s = DjustCacheOptions {
        enabled: true,
        ttl_seconds: 300,
        max_entries: 100,
        sw_vdom_cache: true,
    };
    assert!(check(&s).is_empty());
    let options = CacheOptions::try_from(&s);
    let options = options.expect("valid settings").digest_key([7u8; 16]);
    let cache: SnapshotCache<String> = SnapshotCache::new(options).expect("valid options");
    assert_eq!(cache.ttl(), Duration::from_secs(300));
    assert_eq!(cache.max_entries().get(), 100);
}

#[test]
fn bad_settings_struct_literal_is_refused_without_annotations() {
    let s = DjustCacheOptions {
        enabled: true,
        ttl_seconds: 0,
        max_entries: 100,
        sw_vdom_cache: true,
    };
    let options = CacheOptions::try_from(&s);
    assert!(options.is_err());
}

#[test]
fn lookup_matches_exhaustively_through_fresh_stale_and_miss() {
    let clock = ManualClock::new(common::t0());
    let options = CacheOptions::new([7u8; 16]);
    let mut cache: SnapshotCache<String> = SnapshotCache::new(options).expect("valid options");
    let headers = [("cookie", "sid=1")];
    let key = cache
        .key("https://x.test/page", &headers)
        .expect("valid url");

    assert_eq!(describe(cache.get(clock.now(), &key)), "miss");
    let evicted = cache
        .insert(clock.now(), &key, &Vary::default(), "<p>hi</p>".to_owned())
        .expect("storable");
    assert!(evicted.is_empty());
    assert_eq!(describe(cache.get(clock.now(), &key)), "fresh <p>hi</p>");
    clock.advance(Duration::from_secs(301));
    assert_eq!(describe(cache.get(clock.now(), &key)), "stale");
    assert_eq!(describe(cache.get(clock.now(), &key)), "miss");
}
