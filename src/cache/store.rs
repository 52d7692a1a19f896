//! [`SnapshotCache`]: the variants in an [`lru::LruCache`] keyed by digest, plus a per-URL index
//! of the `Vary` field sets in use.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use lru::{DefaultHasher, LruCache};

use super::config::CacheConfig;
use super::key::{RequestKey, trim_ows};
use super::siphash::SipHasher128;
use crate::headers::is_token;
use crate::time::Instant;

/// The answer of [`SnapshotCache::get`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum Lookup<T> {
    /// A fresh value stored for this URL under matching varied headers.
    Fresh(T),
    /// The matching variant had expired: it was removed by this lookup, so the next one misses.
    Stale,
    /// Nothing stored matches the request.
    Miss,
}

impl<T> Lookup<T> {
    /// The value if fresh.
    #[must_use]
    pub fn fresh(self) -> Option<T> {
        match self {
            Self::Fresh(v) => Some(v),
            Self::Stale | Self::Miss => None,
        }
    }
}

/// Why a response was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotStorable {
    /// The response's `Vary` contains `*`: it varies on something no request header shows.
    #[error("response varies on `*`")]
    VaryStar,
    /// A `Vary` member is not a header name.
    #[error("invalid vary field {field:?}")]
    InvalidVary {
        /// The member as given.
        field: String,
    },
    /// The weigher gave more than the per-entry or the total budget.
    #[error("entry weighs {weight} bytes, over the budget of {max}")]
    TooLarge {
        /// The value's weight.
        weight: usize,
        /// The budget it exceeds.
        max: usize,
    },
}

/// The identity of one stored variant: the keyed digest of its URL, its `Vary` field names and
/// the request's values for them. It prints as 32 lowercase hex digits, usable as a name in a
/// mirror such as Cache Storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VariantId(pub(crate) u128);

impl fmt::Display for VariantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// Why an entry left the cache without being asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvictionReason {
    /// The cache held `max_entries` variants; this was the least recently used.
    Capacity,
    /// The weigher's total budget was exceeded; this was the least recently used.
    Budget,
    /// Its TTL had passed ([`SnapshotCache::purge_expired`]).
    Expired,
    /// On [`SnapshotCache::restore`], its age reached back before the earliest representable
    /// instant.
    Unrestorable,
}

/// An entry that left the cache, so a mirror can delete the same one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Evicted {
    /// The normalised URL it was stored for.
    pub url: String,
    /// Its variant.
    pub variant: VariantId,
    /// Why it left.
    pub reason: EvictionReason,
}

/// Counters since the cache was created (not persisted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CacheStats {
    /// `get` answers [`Lookup::Fresh`].
    pub hits: u64,
    /// `get` answers [`Lookup::Miss`].
    pub misses: u64,
    /// `get` answers [`Lookup::Stale`].
    pub stale: u64,
    /// Values stored by `insert`.
    pub inserts: u64,
    /// Entries evicted for the cap or the byte budget.
    pub evictions: u64,
    /// `insert` calls refused with [`NotStorable`].
    pub rejections: u64,
    /// Entries removed because their TTL had passed (by `get` or `purge_expired`).
    pub expired: u64,
}

/// The `Vary` field names of a variant: lowercase, sorted, unique, shared by the index.
pub(crate) type VarySet = Arc<[Box<str>]>;

pub(crate) struct Entry<V> {
    pub(crate) url: Arc<str>,
    pub(crate) vary: VarySet,
    pub(crate) stored_at: Instant,
    /// Store order, newest highest: among several matching variants the newest answers.
    pub(crate) seq: u64,
    pub(crate) weight: usize,
    pub(crate) value: V,
}

/// A value's weight function and the budgets it is checked against.
struct Weigher<V> {
    weigh: fn(&V) -> usize,
    max_entry: usize,
    max_total: usize,
}

/// A `Vary` field set in use for a URL, how many variants use it, and the digest state for the
/// URL and field names.
struct VaryUse {
    vary: VarySet,
    count: usize,
    prefix: SipHasher128,
}

/// A TTL/LRU cache of rendered snapshots keyed by URL and `Vary`; see the [module docs](super).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use liveshell::cache::{CacheConfig, EvictionReason, Lookup, RequestKey, SnapshotCache};
/// use liveshell::time::{Clock, SystemClock};
///
/// let now = SystemClock.now();
/// let config = CacheConfig::new([1; 16]).max_entries(NonZeroUsize::new(2).unwrap());
/// let mut cache = SnapshotCache::new(config);
/// let page = |p: &str| RequestKey::new(&format!("https://x.test{p}"), &[]).unwrap();
/// cache.insert(now, &page("/1"), None, 1)?;
/// cache.insert(now, &page("/2"), None, 2)?;
/// assert_eq!(cache.get(now, &page("/1")), Lookup::Fresh(&1)); // `/1` is now most recent
/// let evicted = cache.insert(now, &page("/3"), None, 3)?;
/// assert_eq!(evicted[0].url, "https://x.test/2");
/// assert_eq!(evicted[0].reason, EvictionReason::Capacity);
/// # Ok::<(), liveshell::cache::NotStorable>(())
/// ```
pub struct SnapshotCache<V> {
    pub(crate) config: CacheConfig,
    /// Injected by [`SnapshotCache::with_weigher`]; `None`: every value weighs 0.
    weigher: Option<Weigher<V>>,
    /// Unbounded: the cap and budget are enforced here, so every eviction is reported.
    pub(crate) entries: LruCache<u128, Entry<V>>,
    index: HashMap<Arc<str>, Vec<VaryUse>, DefaultHasher>,
    total_weight: usize,
    pub(crate) next_seq: u64,
    stats: CacheStats,
}

fn is_fresh(ttl: Duration, now: Instant, stored_at: Instant) -> bool {
    now.saturating_duration_since(stored_at) <= ttl
}

impl<V> SnapshotCache<V> {
    /// An empty cache without byte budgets.
    #[must_use]
    pub fn new(config: CacheConfig) -> Self {
        Self {
            config,
            weigher: None,
            entries: LruCache::unbounded(),
            index: HashMap::default(),
            total_weight: 0,
            next_seq: 0,
            stats: CacheStats::default(),
        }
    }

    /// An empty cache that weighs each value with `weigh` (for example its length in bytes): a
    /// value heavier than `max_entry_bytes` (or `max_total_bytes`) is not stored, and the least
    /// recently used variants are evicted to keep the total within `max_total_bytes`.
    ///
    /// The weigher is injected here rather than in the [`CacheConfig`] so that the configuration
    /// stays independent of the value type.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::cache::{CacheConfig, NotStorable, RequestKey, SnapshotCache};
    /// use liveshell::time::{Clock, SystemClock};
    ///
    /// let now = SystemClock.now();
    /// let config = CacheConfig::new([42; 16]);
    /// let mut cache = SnapshotCache::with_weigher(config, String::len, 256 * 1024, 8 * 1024 * 1024);
    /// let req = RequestKey::new("https://x.test/", &[])?;
    /// cache.insert(now, &req, None, "<p>hi</p>".to_string())?;
    /// assert_eq!(cache.total_weight(), 9);
    /// let huge = "x".repeat(300 * 1024);
    /// assert!(matches!(cache.insert(now, &req, None, huge), Err(NotStorable::TooLarge { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_weigher(
        config: CacheConfig,
        weigh: fn(&V) -> usize,
        max_entry_bytes: usize,
        max_total_bytes: usize,
    ) -> Self {
        Self {
            weigher: Some(Weigher {
                weigh,
                max_entry: max_entry_bytes,
                max_total: max_total_bytes,
            }),
            ..Self::new(config)
        }
    }

    /// The configured TTL.
    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.config.ttl
    }

    /// The configured cap on variants.
    #[must_use]
    pub fn max_entries(&self) -> NonZeroUsize {
        self.config.max_entries
    }

    /// The number of stored variants, fresh or not yet purged.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sum of the stored values' weights (0 without a weigher).
    #[must_use]
    pub fn total_weight(&self) -> usize {
        self.total_weight
    }

    /// The counters so far.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// The stored variants, most recently used first: URL, variant and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, VariantId, &V)> {
        self.entries
            .iter()
            .map(|(id, e)| (&*e.url, VariantId(*id), &e.value))
    }

    /// The `Vary` field set an insert with `response_vary` uses: the always-varied headers plus
    /// the response's, lowercase, sorted, unique.
    fn vary_set(&self, response_vary: Option<&str>) -> Result<Vec<Box<str>>, NotStorable> {
        let mut names = self.config.varied.clone();
        for field in response_vary.into_iter().flat_map(|v| v.split(',')) {
            let field = trim_ows(field);
            if field == "*" {
                return Err(NotStorable::VaryStar);
            }
            if field.is_empty() {
                continue;
            }
            if !is_token(field.as_bytes()) {
                return Err(NotStorable::InvalidVary {
                    field: field.to_owned(),
                });
            }
            names.push(field.to_ascii_lowercase().into());
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The variant an `insert` of `req` with `response_vary` would store, so a mirror can name
    /// it before inserting.
    ///
    /// # Errors
    ///
    /// The [`NotStorable`] errors of `insert` that depend on `Vary`.
    pub fn variant_id(
        &self,
        req: &RequestKey,
        response_vary: Option<&str>,
    ) -> Result<VariantId, NotStorable> {
        let vary = self.vary_set(response_vary)?;
        Ok(VariantId(self.config.params().variant(req, &vary)))
    }

    /// Calls `f` with every stored variant `req` matches: same URL and every varied header equal.
    fn for_each_match<'a>(&'a self, req: &RequestKey, mut f: impl FnMut(u128, &'a Entry<V>)) {
        let Some(uses) = self.index.get(req.url()) else {
            return;
        };
        let params = self.config.params();
        for u in uses {
            let id = params.finish_variant(u.prefix.clone(), req, &u.vary);
            if let Some(e) = self.entries.peek(&id) {
                // The digest covers the URL; comparing it too makes a cross-URL answer
                // impossible rather than merely improbable.
                if *e.url == *req.url() {
                    f(id, e);
                }
            }
        }
    }

    /// The fresh value `get` would return, without touching recency, expiry or counters.
    #[must_use]
    pub fn peek(&self, now: Instant, req: &RequestKey) -> Option<&V> {
        let ttl = self.config.ttl;
        let mut best: Option<&Entry<V>> = None;
        self.for_each_match(req, |_, e| {
            if is_fresh(ttl, now, e.stored_at) && best.is_none_or(|b| e.seq > b.seq) {
                best = Some(e);
            }
        });
        best.map(|e| &e.value)
    }

    /// Looks `req` up at `now`.
    ///
    /// Among the stored variants whose URL and varied headers all match, the most recently
    /// stored fresh one answers [`Lookup::Fresh`] and becomes the most recently used. Matching
    /// variants that have expired are removed; if no fresh one remains the answer is
    /// [`Lookup::Stale`] (once: the next lookup misses).
    pub fn get(&mut self, now: Instant, req: &RequestKey) -> Lookup<&V> {
        let ttl = self.config.ttl;
        let mut best: Option<(u64, u128)> = None;
        let mut expired = Vec::new();
        self.for_each_match(req, |id, e| {
            if !is_fresh(ttl, now, e.stored_at) {
                expired.push(id);
            } else if best.is_none_or(|(seq, _)| e.seq > seq) {
                best = Some((e.seq, id));
            }
        });
        for id in &expired {
            self.take(*id);
            self.stats.expired += 1;
        }
        if let Some((_, id)) = best {
            self.stats.hits += 1;
            let entry = self
                .entries
                .get(&id)
                .expect("the matched id was just peeked");
            Lookup::Fresh(&entry.value)
        } else if expired.is_empty() {
            self.stats.misses += 1;
            Lookup::Miss
        } else {
            self.stats.stale += 1;
            Lookup::Stale
        }
    }

    /// Stores `value` for `req` at `now`, as the most recently used variant.
    ///
    /// `response_vary` is the response's `Vary` header (several lines joined with `,`); the
    /// variant varies on those fields plus the always-varied headers. A variant stored under the
    /// same URL, fields and values is replaced (not reported). Then the least recently used
    /// variants are evicted while the cache is at its cap or over its byte budget, and returned.
    ///
    /// # Errors
    ///
    /// [`NotStorable`] for `Vary: *`, a malformed `Vary`, or a value over a weight budget; the
    /// cache is then unchanged.
    pub fn insert(
        &mut self,
        now: Instant,
        req: &RequestKey,
        response_vary: Option<&str>,
        value: V,
    ) -> Result<Vec<Evicted>, NotStorable> {
        let checked = self
            .vary_set(response_vary)
            .and_then(|vary| Ok((vary, self.weigh(&value)?)));
        let (vary, weight) = checked.inspect_err(|_| self.stats.rejections += 1)?;
        let id = self.config.params().variant(req, &vary);
        self.take(id);
        let seq = self.next_seq;
        // Saturating: a restored save may carry any sequence number.
        self.next_seq = self.next_seq.saturating_add(1);
        self.stats.inserts += 1;
        Ok(self.push(id, req.url(), &vary, now, seq, weight, value))
    }

    /// Makes room and adds an entry as the most recently used; returns the evicted.
    #[allow(clippy::too_many_arguments)] // one private call site per entry source
    pub(crate) fn push(
        &mut self,
        id: u128,
        url: &str,
        vary: &[Box<str>],
        stored_at: Instant,
        seq: u64,
        weight: usize,
        value: V,
    ) -> Vec<Evicted> {
        let mut evicted = Vec::new();
        while self.entries.len() >= self.config.max_entries.get() {
            evicted.push(self.evict_lru(EvictionReason::Capacity));
        }
        if let Some(w) = &self.weigher {
            let max_total = w.max_total;
            while self.total_weight.saturating_add(weight) > max_total && !self.entries.is_empty() {
                evicted.push(self.evict_lru(EvictionReason::Budget));
            }
        }
        let url: Arc<str> = match self.index.get_key_value(url) {
            Some((shared, _)) => Arc::clone(shared),
            None => Arc::from(url),
        };
        let uses = self.index.entry(Arc::clone(&url)).or_default();
        let vary = if let Some(u) = uses.iter_mut().find(|u| *u.vary == *vary) {
            u.count += 1;
            Arc::clone(&u.vary)
        } else {
            let set: VarySet = vary.into();
            uses.push(VaryUse {
                vary: Arc::clone(&set),
                count: 1,
                prefix: self.config.params().prefix(&url, vary),
            });
            set
        };
        self.total_weight += weight;
        self.entries.put(
            id,
            Entry {
                url,
                vary,
                stored_at,
                seq,
                weight,
                value,
            },
        );
        evicted
    }

    fn evict_lru(&mut self, reason: EvictionReason) -> Evicted {
        let (id, _) = self
            .entries
            .peek_lru()
            .expect("evict_lru is called only on a non-empty cache");
        let id = *id;
        let entry = self.take(id).expect("peek_lru returned this id");
        self.stats.evictions += 1;
        Evicted {
            url: entry.url.to_string(),
            variant: VariantId(id),
            reason,
        }
    }

    /// The weight of `value`, checked against the per-entry and total budgets.
    pub(crate) fn weigh(&self, value: &V) -> Result<usize, NotStorable> {
        let Some(w) = &self.weigher else {
            return Ok(0);
        };
        let weight = (w.weigh)(value);
        let max = w.max_entry.min(w.max_total);
        if weight > max {
            return Err(NotStorable::TooLarge { weight, max });
        }
        Ok(weight)
    }

    /// Removes variant `id` from the entries and the index.
    pub(crate) fn take(&mut self, id: u128) -> Option<Entry<V>> {
        let entry = self.entries.pop(&id)?;
        self.total_weight -= entry.weight;
        if let Some(uses) = self.index.get_mut(&*entry.url) {
            if let Some(pos) = uses.iter().position(|u| Arc::ptr_eq(&u.vary, &entry.vary)) {
                uses[pos].count -= 1;
                if uses[pos].count == 0 {
                    uses.swap_remove(pos);
                }
            }
            if uses.is_empty() {
                self.index.remove(&*entry.url);
            }
        }
        Some(entry)
    }

    /// Removes every variant `req` matches, fresh or not, and returns their values, most recently
    /// stored first.
    pub fn remove(&mut self, req: &RequestKey) -> Vec<V> {
        let mut ids: Vec<(u64, u128)> = Vec::new();
        self.for_each_match(req, |id, e| ids.push((e.seq, id)));
        ids.sort_unstable_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        ids.into_iter()
            .filter_map(|(_, id)| self.take(id).map(|e| e.value))
            .collect()
    }

    /// Removes every entry whose TTL has passed at `now` and returns them, least recently used
    /// first.
    pub fn purge_expired(&mut self, now: Instant) -> Vec<Evicted> {
        let ttl = self.config.ttl;
        let ids: Vec<u128> = self
            .entries
            .iter()
            .rev()
            .filter(|(_, e)| !is_fresh(ttl, now, e.stored_at))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| {
                let e = self.take(id)?;
                self.stats.expired += 1;
                Some(Evicted {
                    url: e.url.to_string(),
                    variant: VariantId(id),
                    reason: EvictionReason::Expired,
                })
            })
            .collect()
    }

    /// Removes everything (the counters stay).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.total_weight = 0;
    }
}

impl<V> fmt::Debug for SnapshotCache<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapshotCache")
            .field("config", &self.config)
            .field(
                "byte_budgets",
                &self.weigher.as_ref().map(|w| (w.max_entry, w.max_total)),
            )
            .field("len", &self.entries.len())
            .field("total_weight", &self.total_weight)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Clock, SystemClock};

    fn key(url: &str, cookie: &str) -> RequestKey {
        RequestKey::new(url, &[("cookie", cookie)]).expect("valid request")
    }

    #[test]
    fn index_shares_one_vary_set_per_url_and_forgets_it_with_the_last_variant() {
        let now = SystemClock.now();
        let mut cache = SnapshotCache::new(CacheConfig::new([0; 16]));
        cache
            .insert(now, &key("http://x.test/", "a"), None, 1)
            .unwrap();
        cache
            .insert(now, &key("http://x.test/", "b"), None, 2)
            .unwrap();
        let uses = &cache.index["http://x.test/"];
        assert_eq!((uses.len(), uses[0].count), (1, 2));
        cache.remove(&key("http://x.test/", "a"));
        assert_eq!(cache.index["http://x.test/"][0].count, 1);
        cache.remove(&key("http://x.test/", "b"));
        assert!(cache.index.is_empty());
    }

    #[test]
    fn replacing_a_variant_is_not_an_eviction() {
        let now = SystemClock.now();
        let mut cache = SnapshotCache::new(CacheConfig::new([0; 16]));
        let k = key("http://x.test/", "a");
        cache.insert(now, &k, None, 1).unwrap();
        assert!(cache.insert(now, &k, None, 2).unwrap().is_empty());
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.peek(now, &k), Some(&2));
        assert_eq!(cache.stats().evictions, 0);
    }

    #[test]
    fn peek_neither_refreshes_recency_nor_removes_stale_entries() {
        let now = SystemClock.now();
        let config = CacheConfig::new([0; 16])
            .ttl(Duration::from_secs(1))
            .max_entries(NonZeroUsize::new(2).expect("2 is not zero"));
        let mut cache = SnapshotCache::new(config);
        cache
            .insert(now, &key("http://x.test/1", ""), None, 1)
            .unwrap();
        cache
            .insert(now, &key("http://x.test/2", ""), None, 2)
            .unwrap();
        assert_eq!(cache.peek(now, &key("http://x.test/1", "")), Some(&1));
        let evicted = cache
            .insert(now, &key("http://x.test/3", ""), None, 3)
            .unwrap();
        assert_eq!(evicted[0].url, "http://x.test/1");
        let later = now + Duration::from_secs(2);
        assert_eq!(cache.peek(later, &key("http://x.test/2", "")), None);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn variant_ids_print_as_32_hex_digits() {
        assert_eq!(
            VariantId(0xab).to_string(),
            "000000000000000000000000000000ab"
        );
    }
}
