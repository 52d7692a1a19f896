//! [`CacheOptions`]: the digest key, TTL, cap, varied headers and cookie scoping.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use super::digest::DigestParams;
use crate::OptionsError;
use crate::headers::is_token;

/// How a [`SnapshotCache`](super::SnapshotCache) keys, expires and bounds its entries.
///
/// Built from [`Default`] (or [`CacheOptions::new`] with a digest key) and consuming setters
/// named for the fields. [`Default`] is the seed's values: a TTL of 300 s, at most 100
/// variants, `Cookie` and `Accept-Language` always varied on, whole-cookie keying, and an
/// all-zero digest key (set a secret one). The setters never fail; the cache's constructors call
/// [`validate`](Self::validate).
///
/// The options are plain data, independent of the cached value type: byte budgets need a
/// function of the value, so they are injected on the cache with
/// [`SnapshotCache::with_weigher`](super::SnapshotCache::with_weigher) instead.
///
/// # The digest key
///
/// The digest key turns varied header values into keyed digests: keep it secret and stable
/// (a persisted cache only restores under the same key). It is never written out by accident:
/// [`Debug`](fmt::Debug) prints it redacted and serde *skips it when serialising*. A file may
/// still give it, as `digest_key` in 32 hex digits, so that a host can load it from a secrets
/// file; a file without it leaves the key as it was (all zeros from [`Default`]).
///
/// # Files
///
/// With serde every field is optional (a missing one keeps its default) and the TTL is in
/// seconds:
///
/// ```
/// use std::time::Duration;
/// use liveshell::cache::{CacheOptions, SnapshotCache};
///
/// let options: CacheOptions = serde_json::from_str(r#"{"ttl": 60, "cookie_scope": ["sessionid"]}"#)?;
/// let options = options.digest_key([42; 16]);
/// assert!(!serde_json::to_string(&options)?.contains("digest_key"));
/// let cache: SnapshotCache<String> = SnapshotCache::new(options)?;
/// assert_eq!(cache.ttl(), Duration::from_secs(60));
/// assert_eq!(cache.max_entries().get(), 100);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use liveshell::cache::{CacheOptions, SnapshotCache};
///
/// let options = CacheOptions::new([42; 16])
///     .ttl(Duration::from_secs(60))
///     .max_entries(NonZeroUsize::new(500).unwrap())
///     .cookie_scope(["sessionid"]);
/// let cache: SnapshotCache<String> = SnapshotCache::new(options)?;
/// assert_eq!(cache.ttl(), Duration::from_secs(60));
/// # Ok::<(), liveshell::OptionsError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CacheOptions {
    #[serde(skip_serializing, deserialize_with = "hex_key")]
    pub(crate) digest_key: [u8; 16],
    #[serde(with = "crate::options::seconds")]
    pub(crate) ttl: Duration,
    pub(crate) max_entries: NonZeroUsize,
    pub(crate) varied_headers: Vec<String>,
    pub(crate) cookie_scope: Option<Vec<String>>,
}

/// The old name of [`CacheOptions`].
#[deprecated(note = "renamed to liveshell::cache::CacheOptions")]
pub type CacheConfig = CacheOptions;

/// The old error of the settings conversion, now [`OptionsError`].
#[deprecated(note = "renamed to liveshell::OptionsError")]
pub type ConfigError = OptionsError;

/// The default TTL: 300 s (the seed's `DJUST_VDOM_CACHE_TTL_SECONDS`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The default cap on stored variants: 100 (the seed's `DJUST_VDOM_CACHE_MAX_ENTRIES`).
pub const DEFAULT_MAX_ENTRIES: NonZeroUsize = NonZeroUsize::new(100).expect("100 is not zero");

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            digest_key: [0; 16],
            ttl: DEFAULT_TTL,
            max_entries: DEFAULT_MAX_ENTRIES,
            varied_headers: vec!["cookie".to_owned(), "accept-language".to_owned()],
            cookie_scope: None,
        }
    }
}

fn hex_key<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 16], D::Error> {
    let text = String::deserialize(d)?;
    let digit = |b: u8| char::from(b).to_digit(16);
    let mut key = [0; 16];
    let pairs = text.as_bytes().chunks_exact(2);
    if text.len() != 32 {
        return Err(serde::de::Error::custom("digest_key must be 32 hex digits"));
    }
    for (byte, pair) in key.iter_mut().zip(pairs) {
        let (Some(hi), Some(lo)) = (digit(pair[0]), digit(pair[1])) else {
            return Err(serde::de::Error::custom("digest_key must be 32 hex digits"));
        };
        *byte = u8::try_from(hi * 16 + lo).expect("two hex digits fit a byte");
    }
    Ok(key)
}

/// Trimmed, lowercased (when `lower`), sorted, unique.
fn normalised(names: &[String], lower: bool) -> Vec<Box<str>> {
    let mut v: Vec<Box<str>> = names
        .iter()
        .map(|n| {
            let n = n.trim();
            if lower {
                n.to_ascii_lowercase().into()
            } else {
                n.into()
            }
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

impl CacheOptions {
    /// The seed's defaults with `digest_key` for the keyed digests.
    #[must_use]
    pub fn new(digest_key: [u8; 16]) -> Self {
        Self::default().digest_key(digest_key)
    }

    /// Sets the secret key of the variant digests (default all zeros: set a secret one).
    #[must_use]
    pub fn digest_key(mut self, digest_key: [u8; 16]) -> Self {
        self.digest_key = digest_key;
        self
    }

    /// Sets how long an entry stays fresh: fresh while `now - stored_at <= ttl` (default 300 s).
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the most variants kept; inserting beyond it evicts the least recently used
    /// (default 100).
    #[must_use]
    pub fn max_entries(mut self, max_entries: NonZeroUsize) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets the request headers every entry varies on, whatever the response's `Vary` says
    /// (names are case-insensitive). The default is `cookie` and `accept-language`.
    #[must_use]
    pub fn varied_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.varied_headers = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
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
        let names = cookie_names.into_iter().map(|n| n.as_ref().to_owned());
        self.cookie_scope = Some(names.collect());
        self
    }

    /// Checks the options: every varied header and scoped cookie name must be an HTTP token
    /// (after trimming spaces). Every TTL and cap is usable.
    ///
    /// # Errors
    ///
    /// [`OptionsError::Invalid`] naming `varied_headers` or `cookie_scope`.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::OptionsError;
    /// use liveshell::cache::CacheOptions;
    ///
    /// assert!(CacheOptions::default().validate().is_ok());
    /// let bad = CacheOptions::default().varied_headers(["Accept Language"]);
    /// assert!(matches!(bad.validate(), Err(OptionsError::Invalid { option: "varied_headers", .. })));
    /// ```
    pub fn validate(&self) -> Result<(), OptionsError> {
        let check = |option, names: &[String]| match names
            .iter()
            .find(|n| !is_token(n.trim().as_bytes()))
        {
            Some(bad) => Err(OptionsError::Invalid {
                option,
                reason: format!("{bad:?} is not a token"),
            }),
            None => Ok(()),
        };
        check("varied_headers", &self.varied_headers)?;
        check(
            "cookie_scope",
            self.cookie_scope.as_deref().unwrap_or_default(),
        )
    }

    /// The normalised keying these options describe.
    pub(crate) fn keying(&self) -> Keying {
        let mut keying = Keying {
            digest_key: self.digest_key,
            always: normalised(&self.varied_headers, true).into(),
            cookie_scope: self.cookie_scope.as_deref().map(|s| normalised(s, false)),
            fingerprint: 0,
        };
        keying.fingerprint = keying.params().fingerprint(&keying.always);
        keying
    }
}

impl fmt::Debug for CacheOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheOptions")
            .field("digest_key", &"<redacted>")
            .field("ttl", &self.ttl)
            .field("max_entries", &self.max_entries)
            .field("varied_headers", &self.varied_headers)
            .field("cookie_scope", &self.cookie_scope)
            .finish()
    }
}

/// What the digests depend on, normalised once by the cache's constructor: the digest key, the
/// always-varied names (lowercase, sorted, unique) and the cookie scope (sorted, unique).
#[derive(Clone)]
pub(crate) struct Keying {
    pub(crate) digest_key: [u8; 16],
    pub(crate) always: Arc<[Box<str>]>,
    pub(crate) cookie_scope: Option<Vec<Box<str>>>,
    /// [`DigestParams::fingerprint`] of the above.
    pub(crate) fingerprint: u128,
}

impl Keying {
    pub(crate) fn params(&self) -> DigestParams<'_> {
        DigestParams {
            key: &self.digest_key,
            cookie_scope: self.cookie_scope.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_seed_and_new_only_sets_the_key() {
        let d = CacheOptions::default();
        assert_eq!(
            (d.ttl, d.max_entries.get()),
            (Duration::from_secs(300), 100)
        );
        assert_eq!(CacheOptions::new([0; 16]), d);
        assert_eq!(
            &*d.keying().always,
            [Box::from("accept-language"), "cookie".into()]
        );
    }

    #[test]
    fn the_key_is_never_serialised_but_may_be_loaded() {
        let options = CacheOptions::new([0xab; 16]);
        let json = serde_json::to_string(&options).unwrap();
        assert!(
            !json.contains("digest_key") && !json.contains("ab"),
            "{json}"
        );
        assert!(!format!("{options:?}").contains("171"));
        let loaded: CacheOptions =
            serde_json::from_str(r#"{"digest_key": "abababababababababababababababab"}"#).unwrap();
        assert_eq!(loaded, options);
        for bad in [
            r#"{"digest_key": "ab"}"#,
            r#"{"digest_key": "zzababababababababababababababab"}"#,
        ] {
            assert!(serde_json::from_str::<CacheOptions>(bad).is_err(), "{bad}");
        }
        let round: CacheOptions = serde_json::from_str(&json).unwrap();
        assert_eq!(round, CacheOptions::default());
    }

    #[test]
    fn validate_names_the_option_with_a_bad_name() {
        let bad = CacheOptions::default().cookie_scope(["ok", "a;b"]);
        assert!(matches!(
            bad.validate(),
            Err(OptionsError::Invalid {
                option: "cookie_scope",
                ..
            })
        ));
        assert!(
            CacheOptions::default()
                .varied_headers([" Cookie "])
                .validate()
                .is_ok()
        );
    }
}
