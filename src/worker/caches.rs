//! The worker's VDOM cache and state cache: [`SnapshotCache`]s keyed by URL, answering djust's
//! lookups in its reply shapes.

use std::num::NonZeroUsize;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use super::message::{Refused, StateSnapshotReply, VdomCacheReply};
use crate::cache::{CacheOptions, Lookup, PreparedKey, RestoreError, SavedCache, SnapshotCache};
use crate::main_only::NO_HEADERS;
use crate::snapshot::{SnapshotOptions, is_fresh};
use crate::time::Instant;

/// djust 1.2.6's VDOM-cache lifetime until a `VDOM_CONFIG` changes it: 1800 s.
pub const DEFAULT_VDOM_TTL: Duration = Duration::from_secs(1800);
/// djust 1.2.6's VDOM-cache cap until a `VDOM_CONFIG` changes it: 50.
pub const DEFAULT_VDOM_MAX_ENTRIES: NonZeroUsize = NonZeroUsize::new(50).expect("50 is not zero");
/// The most HTML one VDOM entry may hold: 1 MiB (djust: unbounded).
pub const DEFAULT_VDOM_MAX_ENTRY_BYTES: usize = 1024 * 1024;
/// The most HTML the VDOM cache holds in all: 16 MiB (djust: unbounded).
pub const DEFAULT_VDOM_MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;
/// djust 1.2.6's state-cache cap: 50.
pub const STATE_MAX_ENTRIES: NonZeroUsize = NonZeroUsize::new(50).expect("50 is not zero");

/// The digest key of both caches. They key by URL alone (no request headers reach a
/// `postMessage`), so the digest protects nothing secret; a fixed key keeps saves restorable.
const DIGEST_KEY: [u8; 16] = *b"liveshell-worker";

/// One stored VDOM snapshot, as djust stores it: `{html, version, ts}` (the URL is the key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VdomEntry {
    /// The rendered page.
    pub html: String,
    /// The client's version number.
    pub version: Number,
    /// The client's `ts` (or the worker's time of storing, epoch milliseconds).
    pub ts: Number,
}

/// One stored state snapshot: `{view_slug, state_json, ts}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateEntry {
    /// The view's slug, or `""`.
    pub view_slug: String,
    /// The validated state JSON.
    pub state_json: String,
    /// The client's `ts` (or the worker's time of storing, epoch milliseconds).
    pub ts: Number,
}

/// The key of `url` in `cache`: the URL alone, no request headers.
fn key<V>(
    cache: &SnapshotCache<V>,
    url: &str,
) -> Result<PreparedKey<&'static [(&'static str, &'static str)]>, Refused> {
    cache
        .key(url, NO_HEADERS)
        .map_err(|_| Refused::ForeignUrl { kind: "cache" })
}

/// What a stored entry varies on besides the URL: nothing (no response headers reach a
/// `postMessage`).
const NO_VARY: Option<&str> = None;

#[allow(clippy::ptr_arg)] // a `fn(&V) -> usize` weigher for `V = VdomEntry`
fn weigh(entry: &VdomEntry) -> usize {
    entry.html.len()
}

/// The VDOM cache: djust's lifetime and cap (changed by `VDOM_CONFIG`), true LRU, plus
/// byte budgets.
///
/// A lookup of an entry past its lifetime answers `stale: true` with its `ts` once and removes
/// it (djust keeps stale entries forever and answers `stale` each time); the next lookup misses.
#[derive(Debug)]
pub struct VdomCache {
    cache: SnapshotCache<VdomEntry>,
    max_entry_bytes: usize,
    max_total_bytes: usize,
}

impl VdomCache {
    /// An empty cache with djust's defaults and the given byte budgets.
    #[must_use]
    pub fn new(max_entry_bytes: usize, max_total_bytes: usize) -> Self {
        Self::with(
            options(DEFAULT_VDOM_TTL, DEFAULT_VDOM_MAX_ENTRIES),
            max_entry_bytes,
            max_total_bytes,
        )
    }

    fn with(options: CacheOptions, max_entry_bytes: usize, max_total_bytes: usize) -> Self {
        Self {
            cache: SnapshotCache::with_weigher(options, weigh, max_entry_bytes, max_total_bytes)
                .expect("the worker's cache options name no headers, so they validate"),
            max_entry_bytes,
            max_total_bytes,
        }
    }

    /// The lifetime of an entry.
    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.cache.ttl()
    }

    /// The cap on entries.
    #[must_use]
    pub fn max_entries(&self) -> NonZeroUsize {
        self.cache.max_entries()
    }

    /// How many entries are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// `VDOM_CONFIG`: a new lifetime and cap (each `None` keeps the current one). Entries keep
    /// their ages; the least recently used go if the cap shrank.
    pub fn configure(
        &mut self,
        now: Instant,
        ttl: Option<Duration>,
        max_entries: Option<NonZeroUsize>,
    ) {
        let options = options(
            ttl.unwrap_or_else(|| self.cache.ttl()),
            max_entries.unwrap_or_else(|| self.cache.max_entries()),
        );
        let saved = self.cache.save(now).cloned();
        let fresh = Self::with(options.clone(), self.max_entry_bytes, self.max_total_bytes);
        // Same digest key, same format: a restore of our own save cannot fail.
        *self = match SnapshotCache::restore_with_weigher(
            options,
            weigh,
            self.max_entry_bytes,
            self.max_total_bytes,
            now,
            saved,
        ) {
            Ok((cache, _evicted)) => Self { cache, ..fresh },
            Err(_) => fresh,
        };
    }

    /// `VDOM_CACHE`: stores `entry` for the absolute `url` at `now`.
    ///
    /// # Errors
    ///
    /// [`Refused::ForeignUrl`] for a URL the cache cannot key, [`Refused::TooBig`] over a byte
    /// budget.
    pub fn put(&mut self, now: Instant, url: &str, entry: VdomEntry) -> Result<(), Refused> {
        let key = key(&self.cache, url)?;
        self.cache
            .insert(now, &key, NO_VARY, entry)
            .map(|_evicted| ())
            .map_err(|_| Refused::TooBig)
    }

    /// `VDOM_CACHE_LOOKUP` of the absolute `url` (or `None` for no usable URL) at `now`.
    pub fn lookup(&mut self, now: Instant, request_id: Value, url: Option<&str>) -> VdomCacheReply {
        let Some(key) = url.and_then(|u| key(&self.cache, u).ok()) else {
            return VdomCacheReply::miss(request_id);
        };
        // A stale entry's `ts` is still reported, so read it before `get` removes it.
        let stale_ts = self
            .cache
            .iter()
            .find(|(u, _, _)| *u == key.url())
            .map(|(_, _, e)| e.ts.clone());
        match self.cache.get(now, &key) {
            Lookup::Fresh(e) => VdomCacheReply {
                request_id,
                hit: true,
                stale: false,
                html: Some(e.html.clone()),
                version: Some(e.version.clone()),
                ts: e.ts.clone(),
            },
            Lookup::Stale => VdomCacheReply {
                stale: true,
                ts: stale_ts.unwrap_or_else(|| 0.into()),
                ..VdomCacheReply::miss(request_id)
            },
            Lookup::Miss => VdomCacheReply::miss(request_id),
        }
    }

    /// `DJUST_CLEAR_VDOM_CACHE`.
    pub fn clear(&mut self) {
        self.cache.clear();
    }

    /// The entries with their ages at `now`, least recently used first.
    #[must_use]
    pub fn save(&self, now: Instant) -> SavedVdom<'_> {
        SavedVdom {
            ttl: self.cache.ttl(),
            max_entries: self.cache.max_entries(),
            entries: self.cache.save(now),
        }
    }

    /// Restores a save at `now` (see [`SnapshotCache::restore`]).
    ///
    /// # Errors
    ///
    /// The [`RestoreError`] of a malformed save; nothing is restored then.
    pub fn restore(
        now: Instant,
        saved: SavedVdomOwned,
        max_entry_bytes: usize,
        max_total_bytes: usize,
    ) -> Result<Self, RestoreError> {
        let (cache, _evicted) = SnapshotCache::restore_with_weigher(
            options(saved.ttl, saved.max_entries),
            weigh,
            max_entry_bytes,
            max_total_bytes,
            now,
            saved.entries,
        )?;
        Ok(Self {
            cache,
            max_entry_bytes,
            max_total_bytes,
        })
    }
}

/// A saved [`VdomCache`]: its configuration (a `VDOM_CONFIG` outlives a restart) and entries.
#[derive(Debug, Serialize)]
pub struct SavedVdom<'a> {
    ttl: Duration,
    max_entries: NonZeroUsize,
    entries: SavedCache<&'a VdomEntry>,
}

/// A [`SavedVdom`] read back.
#[derive(Debug, Deserialize)]
pub struct SavedVdomOwned {
    ttl: Duration,
    max_entries: NonZeroUsize,
    entries: SavedCache<VdomEntry>,
}

/// The options of both caches: keyed by URL alone (no always-varied headers).
fn options(ttl: Duration, max_entries: NonZeroUsize) -> CacheOptions {
    CacheOptions::new(DIGEST_KEY)
        .ttl(ttl)
        .max_entries(max_entries)
        .varied_headers::<_, &str>([])
}

/// The state cache: djust's cap of 50 (true LRU), entries expired **on read** by the lookup's
/// `max_age` against the entry's `ts` and the wall clock, as djust 1.2.6 does: fresh while
/// `now - ts <= max_age` (an age equal to the limit is fresh, a future `ts` is fresh), and an
/// expired entry is deleted by the lookup that finds it.
#[derive(Debug)]
pub struct StateCache {
    cache: SnapshotCache<StateEntry>,
}

impl Default for StateCache {
    fn default() -> Self {
        Self {
            cache: SnapshotCache::new(state_options())
                .expect("the worker's cache options name no headers, so they validate"),
        }
    }
}

fn state_options() -> CacheOptions {
    // Expiry is on read, by the lookup's max age: the cache itself never expires an entry.
    options(Duration::MAX, STATE_MAX_ENTRIES)
}

impl StateCache {
    /// How many entries are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// `STATE_SNAPSHOT`: stores `entry` (already validated) for the absolute `url`.
    ///
    /// # Errors
    ///
    /// [`Refused::ForeignUrl`] for a URL the cache cannot key.
    pub fn put(&mut self, now: Instant, url: &str, entry: StateEntry) -> Result<(), Refused> {
        let key = key(&self.cache, url)?;
        self.cache
            .insert(now, &key, NO_VARY, entry)
            .map(|_evicted| ())
            .map_err(|_| Refused::TooBig)
    }

    /// `STATE_SNAPSHOT_LOOKUP` of the absolute `url` at `now`, the wall clock reading
    /// `unix_ms` (epoch milliseconds, `Date.now()`).
    ///
    /// The entry's `ts` and `unix_ms` are compared in whole milliseconds (a fractional `ts` is
    /// floored, a negative one counts as 0) with [`is_fresh`].
    pub fn lookup(
        &mut self,
        now: Instant,
        unix_ms: f64,
        request_id: Value,
        url: Option<&str>,
        max_age: Duration,
    ) -> StateSnapshotReply {
        let Some(key) = url.and_then(|u| key(&self.cache, u).ok()) else {
            return StateSnapshotReply::miss(request_id);
        };
        // A future `ts` is fresh, however far ahead (djust compares `now - ts <= max_age`).
        let freshness = SnapshotOptions::default()
            .max_age(max_age)
            .max_skew(Duration::MAX);
        let fresh = match self.cache.get(now, &key) {
            Lookup::Fresh(e) => {
                let ts = e.ts.as_f64().unwrap_or(0.0);
                // Saturating casts: NaN cannot come from JSON; negatives become 0.
                is_fresh(ts as u64, unix_ms as u64, &freshness)
                    .is_fresh()
                    .then(|| e.clone())
            }
            Lookup::Stale | Lookup::Miss => return StateSnapshotReply::miss(request_id),
        };
        match fresh {
            Some(e) => StateSnapshotReply {
                request_id,
                hit: true,
                view_slug: Some(e.view_slug),
                state_json: Some(e.state_json),
                ts: e.ts,
            },
            None => {
                let _ = self.cache.remove(&key);
                StateSnapshotReply::miss(request_id)
            }
        }
    }

    /// `DJUST_CLEAR_STATE_CACHE`.
    pub fn clear(&mut self) {
        self.cache.clear();
    }

    /// The entries with their ages at `now`, least recently used first.
    #[must_use]
    pub fn save(&self, now: Instant) -> SavedCache<&StateEntry> {
        self.cache.save(now)
    }

    /// Restores a save at `now`.
    ///
    /// # Errors
    ///
    /// The [`RestoreError`] of a malformed save; nothing is restored then.
    pub fn restore(now: Instant, saved: SavedCache<StateEntry>) -> Result<Self, RestoreError> {
        let (cache, _evicted) = SnapshotCache::restore(state_options(), now, saved)?;
        Ok(Self { cache })
    }
}
