//! Saving a [`SnapshotCache`] (entries, ages, recency order) and restoring it at a later `now`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::key::normalise_url;
use super::options::{CacheOptions, Keying};
use super::store::{Evicted, EvictionReason, SnapshotCache, VariantId};
use crate::OptionsError;
use crate::headers::is_token;
use crate::time::Instant;

/// The saved-format version [`SnapshotCache::save`] writes.
const FORMAT: u32 = 1;

/// A saved cache, for any serde format: produced by [`SnapshotCache::save`] (as
/// `SavedCache<&V>`), read back as `SavedCache<V>` and given to [`SnapshotCache::restore`].
///
/// Entries are kept least recently used first, each with its age at the time of saving (an
/// `Instant` has no meaning outside the process), its variant digest and its `Vary` field names;
/// never raw header values. The counters are not saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCache<T> {
    format: u32,
    fingerprint: VariantId,
    entries: Vec<SavedEntry<T>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedEntry<T> {
    url: String,
    vary: Vec<String>,
    variant: VariantId,
    age: Duration,
    seq: u64,
    value: T,
}

impl<V: Clone> SavedCache<&V> {
    /// An owned copy, to restore in the same process without a serde round trip.
    #[must_use]
    pub fn cloned(&self) -> SavedCache<V> {
        SavedCache {
            format: self.format,
            fingerprint: self.fingerprint,
            entries: self
                .entries
                .iter()
                .map(|e| SavedEntry {
                    url: e.url.clone(),
                    vary: e.vary.clone(),
                    variant: e.variant,
                    age: e.age,
                    seq: e.seq,
                    value: e.value.clone(),
                })
                .collect(),
        }
    }
}

/// Why a [`SavedCache`] could not be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// It was written by an unknown format version.
    #[error("unsupported saved-cache format {found}")]
    UnsupportedFormat {
        /// The version found.
        found: u32,
    },
    /// Its digests were made under another digest key, always-varied set or cookie scope, so
    /// they would never match (or worse, mean something else).
    #[error("saved cache was made under a different digest key or vary configuration")]
    ConfigMismatch,
    /// The options given to restore into are invalid.
    #[error(transparent)]
    Options(#[from] OptionsError),
    /// An entry is malformed (edited or corrupted).
    #[error("saved entry {index} is invalid: {reason}")]
    InvalidEntry {
        /// Its position in the saved list.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

impl Serialize for VariantId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VariantId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(serde::de::Error::custom(format_args!(
                "expected 32 lowercase hex digits, got {text:?}"
            )));
        }
        u128::from_str_radix(&text, 16)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// Checks a saved entry's URL and `Vary` names against what `insert` would have stored.
fn check_entry<T>(keying: &Keying, e: &SavedEntry<T>) -> Result<(), &'static str> {
    if normalise_url(&e.url).ok().as_deref() != Some(e.url.as_str()) {
        return Err("url is not a normalised http(s) url");
    }
    let names_ok = e
        .vary
        .iter()
        .all(|n| is_token(n.as_bytes()) && !n.bytes().any(|b| b.is_ascii_uppercase()));
    if !names_ok || !e.vary.windows(2).all(|w| w[0] < w[1]) {
        return Err("vary names are not sorted lowercase header names");
    }
    if !keying
        .always
        .iter()
        .all(|v| e.vary.iter().any(|n| **n == **v))
    {
        return Err("vary names lack an always-varied header");
    }
    Ok(())
}

impl<V> SnapshotCache<V> {
    /// Saves the cache at `now`: every entry with its age, least recently used first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use liveshell::cache::{CacheOptions, Lookup, SavedCache, SnapshotCache};
    /// use liveshell::headers::Vary;
    /// use liveshell::time::{Clock, SystemClock};
    ///
    /// let t0 = SystemClock.now();
    /// let options = CacheOptions::new([9; 16]);
    /// let mut cache = SnapshotCache::new(options.clone())?;
    /// let headers = [("cookie", "sid=1")];
    /// let key = cache.key("https://x.test/a", &headers)?;
    /// let _ = cache.insert(t0, &key, &Vary::default(), "<p>a</p>".to_string())?;
    ///
    /// let json = serde_json::to_string(&cache.save(t0 + Duration::from_secs(100)))?;
    /// let saved: SavedCache<String> = serde_json::from_str(&json)?;
    /// // Another process, another clock: the entry is 100 s old there too.
    /// let t1 = SystemClock.now();
    /// let (mut restored, dropped) = SnapshotCache::restore(options, t1, saved)?;
    /// assert!(dropped.is_empty());
    /// let key = restored.key("https://x.test/a", &headers)?;
    /// let hit = restored.get(t1 + Duration::from_secs(200), &key);
    /// assert_eq!(hit.fresh().map(String::as_str), Some("<p>a</p>"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn save(&self, now: Instant) -> SavedCache<&V> {
        SavedCache {
            format: FORMAT,
            fingerprint: VariantId(self.keying.fingerprint),
            entries: self
                .entries
                .iter()
                .rev()
                .map(|(id, e)| SavedEntry {
                    url: e.url.to_string(),
                    vary: e.vary.iter().map(|n| n.to_string()).collect(),
                    variant: VariantId(*id),
                    age: now.saturating_duration_since(e.stored_at),
                    seq: e.seq,
                    value: &e.value,
                })
                .collect(),
        }
    }

    /// Rebuilds a cache from `saved` at `now` under `options`: each entry's store time is `now`
    /// minus its saved age, and the recency order is the saved one.
    ///
    /// Entries beyond `options`' cap are evicted least recently used first (and beyond the byte
    /// budget, with [`restore_with_weigher`](Self::restore_with_weigher)), and
    /// entries whose age reaches back before the earliest instant the platform can represent are
    /// dropped; both are returned so a mirror can delete them.
    ///
    /// A save is trusted data, like the cache it came from: the digests in it cannot be
    /// re-derived (the raw header values were never kept), so store it where only the host can
    /// write. Malformed entries are refused; forged digests are not detectable.
    ///
    /// # Errors
    ///
    /// [`RestoreError::UnsupportedFormat`], [`RestoreError::ConfigMismatch`] when `options`'
    /// digest key, always-varied headers or cookie scope differ from the saving cache's, and
    /// [`RestoreError::InvalidEntry`] for a malformed entry, [`RestoreError::Options`] when
    /// `options` do not [validate](CacheOptions::validate). Nothing is restored then.
    pub fn restore(
        options: CacheOptions,
        now: Instant,
        saved: SavedCache<V>,
    ) -> Result<(Self, Vec<Evicted>), RestoreError> {
        Self::new(options)?.restored(now, saved)
    }

    /// [`restore`](Self::restore) into a cache made by
    /// [`with_weigher`](Self::with_weigher): entries heavier than a budget are dropped, and the
    /// least recently used are evicted to keep the total within `max_total_bytes`.
    ///
    /// # Errors
    ///
    /// As [`restore`](Self::restore).
    pub fn restore_with_weigher(
        options: CacheOptions,
        weigh: fn(&V) -> usize,
        max_entry_bytes: usize,
        max_total_bytes: usize,
        now: Instant,
        saved: SavedCache<V>,
    ) -> Result<(Self, Vec<Evicted>), RestoreError> {
        Self::with_weigher(options, weigh, max_entry_bytes, max_total_bytes)?.restored(now, saved)
    }

    /// Fills this empty cache from `saved` at `now`.
    fn restored(
        mut self,
        now: Instant,
        saved: SavedCache<V>,
    ) -> Result<(Self, Vec<Evicted>), RestoreError> {
        if saved.format != FORMAT {
            return Err(RestoreError::UnsupportedFormat {
                found: saved.format,
            });
        }
        if saved.fingerprint.0 != self.keying.fingerprint {
            return Err(RestoreError::ConfigMismatch);
        }
        for (index, e) in saved.entries.iter().enumerate() {
            check_entry(&self.keying, e)
                .map_err(|reason| RestoreError::InvalidEntry { index, reason })?;
        }
        let mut dropped = Vec::new();
        for e in saved.entries {
            let variant = VariantId(e.variant.0);
            let reason = match (self.weigh(&e.value), now.checked_sub(e.age)) {
                (Err(_), _) => EvictionReason::Budget,
                (Ok(_), None) => EvictionReason::Unrestorable,
                (Ok(weight), Some(stored_at)) => {
                    let names: Vec<Box<str>> =
                        e.vary.into_iter().map(String::into_boxed_str).collect();
                    self.next_seq = self.next_seq.max(e.seq.saturating_add(1));
                    self.take(variant.0);
                    let url_id = self.keying.params().url_id(&e.url);
                    let set = self.shared_set(url_id, names);
                    dropped.extend(self.push(
                        variant.0, url_id, &e.url, set, stored_at, e.seq, weight, e.value,
                    ));
                    continue;
                }
            };
            dropped.push(Evicted {
                url: e.url,
                variant,
                reason,
            });
        }
        Ok((self, dropped))
    }
}
