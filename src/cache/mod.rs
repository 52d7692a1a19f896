//! The snapshot cache: rendered HTML for instant back/forward navigation, keyed by URL and `Vary`.
//!
//! A [`SnapshotCache`] stores one value (typically the rendered HTML of a page) per *variant*:
//! the normalised URL (the primary key) plus the values of the request headers the response
//! varies on (the secondary key). `Cookie` and `Accept-Language` are always varied on, so
//! different users and locales never see each other's snapshots. A lookup returns a value only if
//! every header the stored variant varies on matches the request; the cache keeps a keyed 128-bit
//! digest (SipHash-2-4-128, the `siphasher` crate, under the configured digest key) of those
//! values, never the raw `Cookie`.
//!
//! Entries expire after a TTL (default 300 s) and the least recently used variants are evicted
//! beyond a cap (default 100), and optionally beyond a byte budget given by a weigher injected
//! with [`SnapshotCache::with_weigher`]. `insert` returns what it evicted, so a host mirroring
//! the cache (for example in a service worker's Cache Storage) can delete the same entries. The cache, with ages and recency order, saves to and
//! restores from any serde format ([`SnapshotCache::save`], [`SnapshotCache::restore`]).
//! [`checks`] holds the configuration checks `djust.C301`-`djust.C303`.
//!
//! # Drive loop
//!
//! 1. For each navigation request, prepare its key once with
//!    [`key`](SnapshotCache::key)`(url, &headers)`: the URL normalised and the keyed digest of
//!    the always-varied headers computed there.
//! 2. [`get`](SnapshotCache::get) it at `now`: paint a [`Lookup::Fresh`] snapshot at once; on
//!    [`Lookup::Stale`] or [`Lookup::Miss`] wait for the live render.
//! 3. When the render arrives, [`insert`](SnapshotCache::insert) it with the same key and the
//!    response's [`Vary`](crate::headers::Vary), and delete the returned [`Evicted`] entries
//!    from any mirror.
//! 4. Now and then call [`purge_expired`](SnapshotCache::purge_expired) (and delete what it
//!    returns from the mirror); on shutdown, [`save`](SnapshotCache::save).
//!
//! However often a key is used, no digest is computed twice: a variant that also varies on
//! headers outside the configured ones has its digest computed the first time the key needs it
//! and remembered in the key ([`PreparedKey`]).
//!
//! # Time rules
//!
//! The cache never reads a clock: `get`, `insert`, `purge_expired`, `save` and `restore` take
//! `now`. An entry is fresh while `now - stored_at <= ttl` (inclusive). A `now` earlier than
//! an entry's store time counts as age zero (time may stutter; nothing panics). An expired entry
//! is removed by the `get` that finds it, which reports [`Lookup::Stale`] once; the next `get`
//! misses.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use liveshell::cache::{CacheOptions, Lookup, SnapshotCache};
//! use liveshell::headers::Vary;
//! use liveshell::time::{Clock, SystemClock};
//!
//! let t0 = SystemClock.now();
//! let mut cache = SnapshotCache::new(CacheOptions::new([7; 16]))?;
//! let alice = cache.key("https://shop.test/orders", &[("Cookie", "sid=alice")])?;
//! let bob = cache.key("https://shop.test/orders", &[("Cookie", "sid=bob")])?;
//!
//! let response = [("Content-Type", "text/html"), ("Vary", "Cookie")];
//! let vary = Vary::from_headers(&response);
//! let evicted = cache.insert(t0, &alice, &vary, "<main>alice's orders</main>".to_string())?;
//! assert!(evicted.is_empty());
//! assert_eq!(cache.get(t0, &alice), Lookup::Fresh(&"<main>alice's orders</main>".to_string()));
//! assert_eq!(cache.get(t0, &bob), Lookup::Miss);
//!
//! let later = t0 + Duration::from_secs(301);
//! assert_eq!(cache.get(later, &alice), Lookup::Stale);
//! assert_eq!(cache.get(later, &alice), Lookup::Miss);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod checks;
mod digest;
mod key;
mod options;
mod persist;
mod store;
mod vary;

#[allow(deprecated)] // the old names stay for one release
pub use key::RequestKey;
pub use key::{CacheKey, KeyError, PreparedKey};
#[allow(deprecated)] // the old names stay for one release
pub use options::{CacheConfig, ConfigError};
pub use options::{CacheOptions, DEFAULT_MAX_ENTRIES, DEFAULT_TTL};
pub use persist::{RestoreError, SavedCache};
pub use store::{
    CacheStats, Evicted, EvictionReason, Lookup, NotStorable, SnapshotCache, VariantId,
};
pub use vary::ResponseVary;
