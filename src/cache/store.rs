//! [`SnapshotCache`]: the variants in an [`lru::LruCache`] keyed by digest, plus a per-URL index
//! of the `Vary` field sets in use.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use lru::{DefaultHasher, LruCache};

use super::digest::Sip128;
use super::key::{CacheKey, KeyError, PreparedKey, normalise_url};
use super::options::{CacheOptions, Keying};
use super::vary::ResponseVary;
use crate::OptionsError;
use crate::headers::{Headers, Vary};
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
#[must_use = "a mirror of the cache must delete the evicted entry too"]
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
    /// The URL's digest, its key in the index.
    pub(crate) url_id: u64,
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
    prefix: Sip128,
}

/// A stored URL, the `Vary` field sets its variants use, and the digest state for the URL and
/// the always-varied names (the start of every key of the URL).
struct UrlUses {
    url: Arc<str>,
    uses: Vec<VaryUse>,
    always_prefix: Sip128,
}

/// A TTL/LRU cache of rendered snapshots keyed by URL and `Vary`; see the [module docs](super).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use liveshell::cache::{CacheOptions, EvictionReason, Lookup, SnapshotCache};
/// use liveshell::headers::Vary;
/// use liveshell::time::{Clock, SystemClock};
///
/// let now = SystemClock.now();
/// let options = CacheOptions::new([1; 16]).max_entries(NonZeroUsize::new(2).unwrap());
/// let mut cache = SnapshotCache::new(options)?;
/// let none = Vary::default();
/// for (path, value) in [("/1", 1), ("/2", 2)] {
///     let key = cache.key(&format!("https://x.test{path}"), &[("Cookie", "sid=1")])?;
///     let _ = cache.insert(now, &key, &none, value)?;
/// }
/// let one = cache.key("https://x.test/1", &[("Cookie", "sid=1")])?;
/// assert_eq!(cache.get(now, &one), Lookup::Fresh(&1)); // `/1` is now most recent
/// let three = cache.key("https://x.test/3", &[("Cookie", "sid=1")])?;
/// let evicted = cache.insert(now, &three, &none, 3)?;
/// assert_eq!(evicted[0].url, "https://x.test/2");
/// assert_eq!(evicted[0].reason, EvictionReason::Capacity);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SnapshotCache<V> {
    pub(crate) options: CacheOptions,
    /// The options' digest inputs, normalised once.
    pub(crate) keying: Keying,
    /// Injected by [`SnapshotCache::with_weigher`]; `None`: every value weighs 0.
    weigher: Option<Weigher<V>>,
    /// Unbounded: the cap and budget are enforced here, so every eviction is reported.
    pub(crate) entries: LruCache<u128, Entry<V>>,
    /// By URL digest.
    index: HashMap<u64, UrlUses, DefaultHasher>,
    total_weight: usize,
    pub(crate) next_seq: u64,
    stats: CacheStats,
}

fn is_fresh(ttl: Duration, now: Instant, stored_at: Instant) -> bool {
    now.saturating_duration_since(stored_at) <= ttl
}

fn same_url(a: &Arc<str>, b: &str) -> bool {
    std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len() || **a == *b
}

impl<V> SnapshotCache<V> {
    /// An empty cache without byte budgets.
    ///
    /// # Errors
    ///
    /// The [`OptionsError`] of [`CacheOptions::validate`].
    pub fn new(options: CacheOptions) -> Result<Self, OptionsError> {
        options.validate()?;
        Ok(Self {
            keying: options.keying(),
            options,
            weigher: None,
            entries: LruCache::unbounded(),
            index: HashMap::default(),
            total_weight: 0,
            next_seq: 0,
            stats: CacheStats::default(),
        })
    }

    /// An empty cache that weighs each value with `weigh` (for example its length in bytes): a
    /// value heavier than `max_entry_bytes` (or `max_total_bytes`) is not stored, and the least
    /// recently used variants are evicted to keep the total within `max_total_bytes`.
    ///
    /// The weigher is injected here rather than in the [`CacheOptions`] so that the options
    /// stay independent of the value type.
    ///
    /// # Errors
    ///
    /// The [`OptionsError`] of [`CacheOptions::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::cache::{CacheOptions, NotStorable, SnapshotCache};
    /// use liveshell::headers::Vary;
    /// use liveshell::time::{Clock, SystemClock};
    ///
    /// let now = SystemClock.now();
    /// let options = CacheOptions::new([42; 16]);
    /// let mut cache = SnapshotCache::with_weigher(options, String::len, 256 * 1024, 8 * 1024 * 1024)?;
    /// let key = cache.key("https://x.test/", &[("Cookie", "sid=1")])?;
    /// let _ = cache.insert(now, &key, &Vary::default(), "<p>hi</p>".to_string())?;
    /// assert_eq!(cache.total_weight(), 9);
    /// let huge = "x".repeat(300 * 1024);
    /// let refused = cache.insert(now, &key, &Vary::default(), huge);
    /// assert!(matches!(refused, Err(NotStorable::TooLarge { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_weigher(
        options: CacheOptions,
        weigh: fn(&V) -> usize,
        max_entry_bytes: usize,
        max_total_bytes: usize,
    ) -> Result<Self, OptionsError> {
        Ok(Self {
            weigher: Some(Weigher {
                weigh,
                max_entry: max_entry_bytes,
                max_total: max_total_bytes,
            }),
            ..Self::new(options)?
        })
    }

    /// The options the cache was made with.
    #[must_use]
    pub fn options(&self) -> &CacheOptions {
        &self.options
    }

    /// The configured TTL.
    #[must_use]
    pub fn ttl(&self) -> Duration {
        self.options.ttl
    }

    /// The configured cap on variants.
    #[must_use]
    pub fn max_entries(&self) -> NonZeroUsize {
        self.options.max_entries
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

    /// Prepares the key of a request: normalises `url`, reads the always-varied headers from
    /// `headers` (any [`Headers`]: `&headers` to lend them, or an owned map) and computes their
    /// keyed digest, once. Every lookup and insert of the request
    /// then uses the key; see [`PreparedKey`].
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidUrl`] for anything but an absolute URL, [`KeyError::UnsupportedScheme`]
    /// for schemes other than `http` and `https`, and [`KeyError::InvalidHeaderValue`] when an
    /// always-varied header holds CR, LF or NUL (the values of other headers are read as they
    /// are, when a stored variant varies on them).
    pub fn key<H: Headers>(&self, url: &str, headers: H) -> Result<PreparedKey<H>, KeyError> {
        let params = self.keying.params();
        let always = &self.keying.always;
        let raw_id = params.url_id(url);
        // A URL stored in exactly this form is already normalised: no parse needed.
        let (url, url_id, prefix) = match self.index.get(&raw_id) {
            Some(u) if *u.url == *url => (Arc::clone(&u.url), raw_id, u.always_prefix),
            _ => {
                let normal = normalise_url(url)?;
                let id = params.url_id(&normal);
                match self.index.get(&id) {
                    Some(u) if *u.url == *normal => (Arc::clone(&u.url), id, u.always_prefix),
                    _ => {
                        let prefix = params.prefix(&normal, always);
                        (Arc::from(normal), id, prefix)
                    }
                }
            }
        };
        let mut invalid = None;
        let base = params.finish_checked(prefix, &headers, always, &mut invalid);
        if let Some(name) = invalid {
            return Err(KeyError::InvalidHeaderValue { name: name.into() });
        }
        Ok(PreparedKey {
            base,
            url,
            url_id,
            headers,
            fingerprint: self.keying.fingerprint,
            memo: std::cell::RefCell::default(),
        })
    }

    /// The `Vary` field set an insert with `vary` uses: the always-varied headers plus the
    /// response's, lowercase, sorted, unique.
    fn vary_set(&self, vary: &Vary) -> Result<Vec<Box<str>>, NotStorable> {
        if vary.is_any() {
            return Err(NotStorable::VaryStar);
        }
        if let Some(field) = vary.invalid() {
            return Err(NotStorable::InvalidVary {
                field: String::from_utf8_lossy(field).into_owned(),
            });
        }
        let mut names: Vec<Box<str>> = self.keying.always.to_vec();
        names.extend(vary.fields().iter().map(|f| f.as_str().into()));
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The shared set equal to `names`: the always-varied one, one already in use for the
    /// URL, or a new one.
    pub(crate) fn shared_set(&self, url_id: u64, names: Vec<Box<str>>) -> VarySet {
        if *names == *self.keying.always {
            return Arc::clone(&self.keying.always);
        }
        self.index
            .get(&url_id)
            .and_then(|u| u.uses.iter().find(|use_| *use_.vary == *names))
            .map_or_else(|| names.into(), |use_| Arc::clone(&use_.vary))
    }

    /// The variant an `insert` of `key` with `vary` would store, so a mirror can name it before
    /// inserting.
    ///
    /// # Errors
    ///
    /// The [`NotStorable`] errors of `insert` that depend on `Vary`.
    pub fn variant_id(
        &self,
        key: &impl CacheKey,
        vary: impl ResponseVary,
    ) -> Result<VariantId, NotStorable> {
        let names = self.vary_set(&vary.read())?;
        let url_id = key.url_id(&self.keying);
        let set = self.shared_set(url_id, names);
        Ok(VariantId(key.variant(&self.keying, &set, None)))
    }

    /// Calls `f` with every stored variant `key` matches: same URL and every varied header equal.
    fn for_each_match<'a>(&'a self, key: &impl CacheKey, mut f: impl FnMut(u128, &'a Entry<V>)) {
        let Some(u) = self.index.get(&key.url_id(&self.keying)) else {
            return;
        };
        for use_ in &u.uses {
            let id = key.variant(&self.keying, &use_.vary, Some(&use_.prefix));
            if let Some(e) = self.entries.peek(&id) {
                // The digest covers the URL; comparing it too makes a cross-URL answer
                // impossible rather than merely improbable.
                if same_url(&e.url, key.url()) {
                    f(id, e);
                }
            }
        }
    }

    /// The fresh value `get` would return, without touching recency, expiry or counters.
    #[must_use]
    pub fn peek(&self, now: Instant, key: &impl CacheKey) -> Option<&V> {
        let ttl = self.options.ttl;
        let mut best: Option<&Entry<V>> = None;
        self.for_each_match(key, |_, e| {
            if is_fresh(ttl, now, e.stored_at) && best.is_none_or(|b| e.seq > b.seq) {
                best = Some(e);
            }
        });
        best.map(|e| &e.value)
    }

    /// Looks `key` up at `now`.
    ///
    /// Among the stored variants whose URL and varied headers all match, the most recently
    /// stored fresh one answers [`Lookup::Fresh`] and becomes the most recently used. Matching
    /// variants that have expired are removed; if no fresh one remains the answer is
    /// [`Lookup::Stale`] (once: the next lookup misses).
    pub fn get(&mut self, now: Instant, key: &impl CacheKey) -> Lookup<&V> {
        let ttl = self.options.ttl;
        let mut best: Option<(u64, u128)> = None;
        let mut expired = Vec::new();
        self.for_each_match(key, |id, e| {
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

    /// Stores `value` for `key` at `now`, as the most recently used variant.
    ///
    /// `vary` is the response's `Vary`: a [`Vary`] read with [`Vary::from_headers`] from the
    /// response's headers (what a host has at hand; `&Vary::default()` when it has none), or,
    /// as before, the header's value as `Option<&str>` (several lines joined with `,`). The
    /// variant varies on those fields plus the always-varied headers. A variant stored under the
    /// same URL, fields and values is replaced (not reported). Then the least recently used
    /// variants are evicted while the cache is at its cap or over its byte budget, and returned.
    ///
    /// # Errors
    ///
    /// [`NotStorable`] for `Vary: *`, a malformed `Vary`, or a value over a weight budget; the
    /// cache is then unchanged.
    #[must_use = "a mirror of the cache must delete the evicted entries too"]
    pub fn insert(
        &mut self,
        now: Instant,
        key: &impl CacheKey,
        vary: impl ResponseVary,
        value: V,
    ) -> Result<Vec<Evicted>, NotStorable> {
        let checked = self
            .vary_set(&vary.read())
            .and_then(|names| Ok((names, self.weigh(&value)?)));
        let (names, weight) = checked.inspect_err(|_| self.stats.rejections += 1)?;
        let url_id = key.url_id(&self.keying);
        let set = self.shared_set(url_id, names);
        let prefix = self
            .index
            .get(&url_id)
            .and_then(|u| u.uses.iter().find(|use_| Arc::ptr_eq(&use_.vary, &set)))
            .map(|use_| &use_.prefix);
        let id = key.variant(&self.keying, &set, prefix);
        self.take(id);
        let seq = self.next_seq;
        // Saturating: a restored save may carry any sequence number.
        self.next_seq = self.next_seq.saturating_add(1);
        self.stats.inserts += 1;
        Ok(self.push(id, url_id, key.url(), set, now, seq, weight, value))
    }

    /// Makes room and adds an entry as the most recently used; returns the evicted.
    #[allow(clippy::too_many_arguments)] // one private call site per entry source
    pub(crate) fn push(
        &mut self,
        id: u128,
        url_id: u64,
        url: &str,
        vary: VarySet,
        stored_at: Instant,
        seq: u64,
        weight: usize,
        value: V,
    ) -> Vec<Evicted> {
        let mut evicted = Vec::new();
        while self.entries.len() >= self.options.max_entries.get() {
            evicted.push(self.evict_lru(EvictionReason::Capacity));
        }
        if let Some(w) = &self.weigher {
            let max_total = w.max_total;
            while self.total_weight.saturating_add(weight) > max_total && !self.entries.is_empty() {
                evicted.push(self.evict_lru(EvictionReason::Budget));
            }
        }
        let params = self.keying.params();
        let always = &self.keying.always;
        let u = self.index.entry(url_id).or_insert_with(|| UrlUses {
            url: Arc::from(url),
            uses: Vec::new(),
            always_prefix: params.prefix(url, always),
        });
        // Shared only when equal: a URL digest collision must not rename an entry.
        let url: Arc<str> = if *u.url == *url {
            Arc::clone(&u.url)
        } else {
            Arc::from(url)
        };
        if let Some(use_) = u
            .uses
            .iter_mut()
            .find(|use_| Arc::ptr_eq(&use_.vary, &vary))
        {
            use_.count += 1;
        } else {
            u.uses.push(VaryUse {
                prefix: params.prefix(&url, &vary),
                vary: Arc::clone(&vary),
                count: 1,
            });
        }
        self.total_weight += weight;
        self.entries.put(
            id,
            Entry {
                url,
                url_id,
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
        let url_id = entry.url_id;
        if let Some(u) = self.index.get_mut(&url_id) {
            if let Some(pos) = u
                .uses
                .iter()
                .position(|use_| Arc::ptr_eq(&use_.vary, &entry.vary))
            {
                u.uses[pos].count -= 1;
                if u.uses[pos].count == 0 {
                    u.uses.swap_remove(pos);
                }
            }
            if u.uses.is_empty() {
                self.index.remove(&url_id);
            }
        }
        Some(entry)
    }

    /// Removes every variant `key` matches, fresh or not, and returns their values, most
    /// recently stored first.
    pub fn remove(&mut self, key: &impl CacheKey) -> Vec<V> {
        let mut ids: Vec<(u64, u128)> = Vec::new();
        self.for_each_match(key, |id, e| ids.push((e.seq, id)));
        ids.sort_unstable_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        ids.into_iter()
            .filter_map(|(_, id)| self.take(id).map(|e| e.value))
            .collect()
    }

    /// Removes every entry whose TTL has passed at `now` and returns them, least recently used
    /// first.
    #[must_use = "a mirror of the cache must delete the expired entries too"]
    pub fn purge_expired(&mut self, now: Instant) -> Vec<Evicted> {
        let ttl = self.options.ttl;
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
            .field("options", &self.options)
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

    fn cache(options: CacheOptions) -> SnapshotCache<i32> {
        SnapshotCache::new(options).expect("valid options")
    }

    fn put(
        cache: &mut SnapshotCache<i32>,
        now: Instant,
        url: &str,
        cookie: &str,
        v: i32,
    ) -> Vec<Evicted> {
        let headers = [("cookie", cookie)];
        let key = cache.key(url, &headers).expect("valid request");
        cache
            .insert(now, &key, &Vary::default(), v)
            .expect("storable")
    }

    fn uses(cache: &SnapshotCache<i32>, url: &str) -> Option<Vec<usize>> {
        let id = cache.keying.params().url_id(url);
        cache
            .index
            .get(&id)
            .map(|u| u.uses.iter().map(|use_| use_.count).collect())
    }

    #[test]
    fn index_shares_one_vary_set_per_url_and_forgets_it_with_the_last_variant() {
        let now = SystemClock.now();
        let mut cache = cache(CacheOptions::new([0; 16]));
        assert!(put(&mut cache, now, "http://x.test/", "a", 1).is_empty());
        assert!(put(&mut cache, now, "http://x.test/", "b", 2).is_empty());
        assert_eq!(uses(&cache, "http://x.test/"), Some(vec![2]));
        let a = [("cookie", "a")];
        let b = [("cookie", "b")];
        assert_eq!(cache.remove(&cache.key("http://x.test/", &a).unwrap()), [1]);
        assert_eq!(uses(&cache, "http://x.test/"), Some(vec![1]));
        assert_eq!(cache.remove(&cache.key("http://x.test/", &b).unwrap()), [2]);
        assert!(cache.index.is_empty());
    }

    #[test]
    fn replacing_a_variant_is_not_an_eviction() {
        let now = SystemClock.now();
        let mut cache = cache(CacheOptions::new([0; 16]));
        assert!(put(&mut cache, now, "http://x.test/", "a", 1).is_empty());
        assert!(put(&mut cache, now, "http://x.test/", "a", 2).is_empty());
        assert_eq!(cache.len(), 1);
        let headers = [("cookie", "a")];
        assert_eq!(
            cache.peek(now, &cache.key("http://x.test/", &headers).unwrap()),
            Some(&2)
        );
        assert_eq!(cache.stats().evictions, 0);
    }

    #[test]
    fn peek_neither_refreshes_recency_nor_removes_stale_entries() {
        let now = SystemClock.now();
        let options = CacheOptions::new([0; 16])
            .ttl(Duration::from_secs(1))
            .max_entries(NonZeroUsize::new(2).expect("2 is not zero"));
        let mut cache = cache(options);
        assert!(put(&mut cache, now, "http://x.test/1", "", 1).is_empty());
        assert!(put(&mut cache, now, "http://x.test/2", "", 2).is_empty());
        let headers = [("cookie", "")];
        let one = cache.key("http://x.test/1", &headers).unwrap();
        assert_eq!(cache.peek(now, &one), Some(&1));
        let evicted = put(&mut cache, now, "http://x.test/3", "", 3);
        assert_eq!(evicted[0].url, "http://x.test/1");
        let later = now + Duration::from_secs(2);
        let two = cache.key("http://x.test/2", &headers).unwrap();
        assert_eq!(cache.peek(later, &two), None);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_prepared_key_computes_each_vary_sets_digest_once() {
        let now = SystemClock.now();
        let mut cache = cache(CacheOptions::new([0; 16]));
        let headers = [("Cookie", "sid=1"), ("Accept-Encoding", "gzip")];
        let key = cache.key("http://x.test/", &headers).unwrap();
        let encoding = Vary::parse(b"Accept-Encoding");
        assert!(cache.insert(now, &key, &encoding, 1).unwrap().is_empty());
        assert_eq!(
            key.memo.borrow().len(),
            1,
            "the extra set, computed by the insert"
        );
        for _ in 0..3 {
            assert_eq!(cache.get(now, &key), Lookup::Fresh(&1));
        }
        assert!(
            cache
                .insert(now, &key, &Vary::default(), 2)
                .unwrap()
                .is_empty()
        );
        assert_eq!(cache.get(now, &key), Lookup::Fresh(&2));
        // The always-varied set's digest was made by `key`, so the memo holds only the other.
        assert_eq!(key.memo.borrow().len(), 1);
        // A fresh key of the same request finds the same variants.
        let again = cache.key("http://x.test/", &headers).unwrap();
        assert_eq!(cache.remove(&again), [2, 1]);
    }

    #[test]
    fn a_key_from_a_cache_with_other_digest_options_still_answers_right() {
        let now = SystemClock.now();
        let mut cache = cache(CacheOptions::new([1; 16]));
        let other = SnapshotCache::<i32>::new(CacheOptions::new([2; 16])).unwrap();
        let headers = [("Cookie", "sid=1")];
        let foreign = other.key("http://x.test/", &headers).unwrap();
        assert!(
            cache
                .insert(now, &foreign, &Vary::default(), 1)
                .unwrap()
                .is_empty()
        );
        let own = cache.key("http://x.test/", &headers).unwrap();
        assert_eq!(cache.get(now, &own), Lookup::Fresh(&1));
        assert_eq!(
            cache.variant_id(&own, &Vary::default()),
            cache.variant_id(&foreign, &Vary::default())
        );
    }

    #[test]
    #[allow(deprecated)] // the old key type keeps working
    fn the_old_request_key_and_str_vary_still_work_and_agree_with_prepared_keys() {
        use super::super::key::RequestKey;
        let now = SystemClock.now();
        let mut cache = cache(CacheOptions::new([3; 16]));
        let old = RequestKey::new(
            "HTTP://x.test/a#f",
            &[("Cookie", " sid=1 "), ("Accept-Encoding", "br")],
        )
        .unwrap();
        assert!(
            cache
                .insert(now, &old, Some("accept-encoding"), 1)
                .unwrap()
                .is_empty()
        );
        let headers = [("cookie", "sid=1"), ("accept-encoding", "br")];
        let new = cache.key("http://x.test/a", &headers).unwrap();
        assert_eq!(cache.get(now, &new), Lookup::Fresh(&1));
        assert_eq!(cache.get(now, &old), Lookup::Fresh(&1));
        let vary = Vary::parse(b"Accept-Encoding");
        assert_eq!(
            cache.variant_id(&old, Some("Accept-Encoding")),
            cache.variant_id(&new, &vary)
        );
        let bridged = cache.key(old.url(), &old).unwrap();
        assert_eq!(cache.peek(now, &bridged), Some(&1));
    }

    #[test]
    fn invalid_always_varied_values_are_key_errors() {
        let cache = cache(CacheOptions::default());
        assert_eq!(
            cache
                .key("http://x.test/", &[("Accept-Language", "en\r\n")])
                .err(),
            Some(KeyError::InvalidHeaderValue {
                name: "accept-language".into()
            })
        );
        assert!(cache.key("http://x.test/", &[("X-Other", "\0")]).is_ok());
    }

    #[test]
    fn variant_ids_print_as_32_hex_digits() {
        assert_eq!(
            VariantId(0xab).to_string(),
            "000000000000000000000000000000ab"
        );
    }
}
