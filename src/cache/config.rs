//! [`CacheConfig`]: the digest key, TTL, cap, varied headers and cookie scoping.

use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

use super::checks::{CacheSettings, max_entries_in_range, ttl_in_range};
use super::key::DigestParams;

/// How a [`SnapshotCache`](super::SnapshotCache) keys, expires and bounds its entries.
///
/// Built with [`CacheConfig::new`] and by-value setters. The defaults are the seed's: a TTL of
/// 300 s, at most 100 variants, `Cookie` and `Accept-Language` always varied on and whole-cookie
/// keying.
///
/// The configuration is plain data, independent of the cached value type: byte budgets need a
/// function of the value, so they are injected on the cache with
/// [`SnapshotCache::with_weigher`](super::SnapshotCache::with_weigher) instead.
///
/// The digest key turns varied header values into keyed digests: keep it secret and stable
/// (a persisted cache only restores under the same key).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use liveshell::cache::{CacheConfig, SnapshotCache};
///
/// let config = CacheConfig::new([42; 16])
///     .ttl(Duration::from_secs(60))
///     .max_entries(NonZeroUsize::new(500).unwrap())
///     .cookie_scope(["sessionid"]);
/// let cache: SnapshotCache<String> = SnapshotCache::new(config);
/// assert_eq!(cache.ttl(), Duration::from_secs(60));
/// ```
#[derive(Clone)]
pub struct CacheConfig {
    pub(crate) digest_key: [u8; 16],
    pub(crate) ttl: Duration,
    pub(crate) max_entries: NonZeroUsize,
    /// Lowercase, sorted, unique.
    pub(crate) varied: Vec<Box<str>>,
    /// Sorted, unique; `None`: the whole `Cookie` header is varied on.
    pub(crate) cookie_scope: Option<Vec<Box<str>>>,
}

/// The default TTL: 300 s (the seed's `DJUST_VDOM_CACHE_TTL_SECONDS`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The default cap on stored variants: 100 (the seed's `DJUST_VDOM_CACHE_MAX_ENTRIES`).
pub const DEFAULT_MAX_ENTRIES: NonZeroUsize = NonZeroUsize::new(100).expect("100 is not zero");

fn sorted_lowercase<I, S>(names: I) -> Vec<Box<str>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut v: Vec<Box<str>> = names
        .into_iter()
        .map(|n| n.as_ref().trim().to_ascii_lowercase().into())
        .collect();
    v.sort();
    v.dedup();
    v
}

impl CacheConfig {
    /// A configuration with the seed's defaults and `digest_key` for the keyed digests.
    #[must_use]
    pub fn new(digest_key: [u8; 16]) -> Self {
        Self {
            digest_key,
            ttl: DEFAULT_TTL,
            max_entries: DEFAULT_MAX_ENTRIES,
            varied: sorted_lowercase(["cookie", "accept-language"]),
            cookie_scope: None,
        }
    }

    /// Replaces the digest key (a configuration made from [`CacheSettings`] starts with all
    /// zeros: set a secret one).
    #[must_use]
    pub fn digest_key(mut self, digest_key: [u8; 16]) -> Self {
        self.digest_key = digest_key;
        self
    }

    /// How long an entry stays fresh: fresh while `now - stored_at <= ttl`.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The most variants kept; inserting beyond it evicts the least recently used.
    #[must_use]
    pub fn max_entries(mut self, max_entries: NonZeroUsize) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// The request headers every entry varies on, whatever the response's `Vary` says (names
    /// are case-insensitive). The default is `cookie` and `accept-language`.
    #[must_use]
    pub fn varied_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.varied = sorted_lowercase(names);
        self
    }

    /// Keys the `Cookie` field on these cookies only (names are case-sensitive), so that an
    /// analytics cookie does not split the cache while the session cookie still does.
    #[must_use]
    pub fn cookie_scope<I, S>(mut self, cookie_names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut names: Vec<Box<str>> = cookie_names
            .into_iter()
            .map(|n| n.as_ref().trim().into())
            .collect();
        names.sort();
        names.dedup();
        self.cookie_scope = Some(names);
        self
    }

    pub(crate) fn params(&self) -> DigestParams<'_> {
        DigestParams {
            key: &self.digest_key,
            cookie_scope: self.cookie_scope.as_deref(),
        }
    }
}

impl fmt::Debug for CacheConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheConfig")
            .field("digest_key", &"<redacted>")
            .field("ttl", &self.ttl)
            .field("max_entries", &self.max_entries)
            .field("varied", &self.varied)
            .field("cookie_scope", &self.cookie_scope)
            .finish()
    }
}

/// Why [`CacheSettings`] do not make a [`CacheConfig`]: the cases where `djust.C301` or
/// `djust.C302` fire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `ttl_seconds` is not in `1..=86400` (C301).
    #[error("ttl of {ttl_seconds} s is outside 1..=86400")]
    TtlOutOfRange {
        /// The setting's value.
        ttl_seconds: i64,
    },
    /// `max_entries` is not in `1..=10000` (C302).
    #[error("max entries of {max_entries} is outside 1..=10000")]
    MaxEntriesOutOfRange {
        /// The setting's value.
        max_entries: i64,
    },
}

impl TryFrom<&CacheSettings> for CacheConfig {
    type Error = ConfigError;

    /// The configuration the settings describe, with an all-zero digest key (set a secret one
    /// with [`CacheConfig::digest_key`]). Fails exactly when `djust.C301` or `djust.C302` fires,
    /// reporting the TTL first.
    fn try_from(settings: &CacheSettings) -> Result<Self, ConfigError> {
        if !ttl_in_range(settings.ttl_seconds) {
            return Err(ConfigError::TtlOutOfRange {
                ttl_seconds: settings.ttl_seconds,
            });
        }
        if !max_entries_in_range(settings.max_entries) {
            return Err(ConfigError::MaxEntriesOutOfRange {
                max_entries: settings.max_entries,
            });
        }
        let ttl = settings.ttl_seconds.unsigned_abs();
        let max = usize::try_from(settings.max_entries)
            .ok()
            .and_then(NonZeroUsize::new)
            .expect("max_entries_in_range admits only 1..=10000");
        Ok(Self::new([0; 16])
            .ttl(Duration::from_secs(ttl))
            .max_entries(max))
    }
}
