//! Configuration checks `djust.C301`-`djust.C303` on djust's snapshot cache settings.
//!
//! [`DjustCacheOptions`] are the `DJUST_VDOM_CACHE_*` settings as a Django host holds them,
//! integers that may be zero or negative; the checks report those cases as diagnostics, and
//! [`CacheOptions::try_from`](super::CacheOptions) turns settings that pass into the cache's
//! [`CacheOptions`] (whose `Duration` and `NonZeroUsize` fields cannot
//! hold them, which is why the two are apart).
//!
//! The bounds are the seed's: the TTL must be between 1 s and one day, the cap between 1 and
//! 10 000 entries, and an enabled cache needs the service worker registered with
//! `vdomCache: true`. (djust's shipped checks have no upper bounds and report a disabled cache
//! as info; the seed's documented behaviour is what liveshell checks.)
//!
//! ```
//! use liveshell::cache::checks::{check, DjustCacheOptions};
//!
//! let settings = DjustCacheOptions { ttl_seconds: 0, ..DjustCacheOptions::default() };
//! let found = check(&settings);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].id, "djust.C301");
//! ```

use std::num::NonZeroUsize;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::options::CacheOptions;
use crate::OptionsError;
use crate::diagnostics::{Diagnostic, Severity};
use crate::options::{check_count, check_duration};

/// The highest accepted `ttl_seconds`: one day.
pub const TTL_SECONDS_MAX: i64 = 86_400;
/// The highest accepted `max_entries`.
pub const MAX_ENTRIES_MAX: i64 = 10_000;

/// djust's snapshot cache settings as a Django host holds them (`DJUST_VDOM_CACHE_*`).
///
/// Built with a struct literal or [`Default`] and the consuming setters; [`Default`] gives the
/// seed's documented defaults with the cache enabled and the worker registered accordingly:
/// 300 s, 100 entries. With serde every field is optional, under its own name or djust's
/// setting name (`DJUST_VDOM_CACHE_TTL_SECONDS`, ...; `sw_vdom_cache` has no setting).
///
/// # Examples
///
/// ```
/// use liveshell::cache::checks::{DjustCacheOptions, check};
///
/// let settings: DjustCacheOptions =
///     serde_json::from_str(r#"{"DJUST_VDOM_CACHE_TTL_SECONDS": -5}"#)?;
/// assert_eq!(check(&settings)[0].id, "djust.C301");
/// assert!(settings.validate().is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct DjustCacheOptions {
    /// `DJUST_VDOM_CACHE_ENABLED`.
    #[serde(alias = "DJUST_VDOM_CACHE_ENABLED")]
    pub enabled: bool,
    /// `DJUST_VDOM_CACHE_TTL_SECONDS`.
    #[serde(alias = "DJUST_VDOM_CACHE_TTL_SECONDS")]
    pub ttl_seconds: i64,
    /// `DJUST_VDOM_CACHE_MAX_ENTRIES`.
    #[serde(alias = "DJUST_VDOM_CACHE_MAX_ENTRIES")]
    pub max_entries: i64,
    /// Whether the service worker was registered with `vdomCache: true`.
    pub sw_vdom_cache: bool,
}

/// The old name of [`DjustCacheOptions`].
#[deprecated(note = "renamed to liveshell::cache::checks::DjustCacheOptions")]
pub type CacheSettings = DjustCacheOptions;

impl DjustCacheOptions {
    /// Sets `enabled`.
    #[must_use]
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets `ttl_seconds`.
    #[must_use]
    pub fn ttl_seconds(mut self, ttl_seconds: i64) -> Self {
        self.ttl_seconds = ttl_seconds;
        self
    }

    /// Sets `max_entries`.
    #[must_use]
    pub fn max_entries(mut self, max_entries: i64) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets `sw_vdom_cache`.
    #[must_use]
    pub fn sw_vdom_cache(mut self, sw_vdom_cache: bool) -> Self {
        self.sw_vdom_cache = sw_vdom_cache;
        self
    }

    /// Fails exactly when an error check fires: `djust.C301` (the TTL, reported first) or
    /// `djust.C302` (the cap). The warning `djust.C303` does not fail it.
    ///
    /// # Errors
    ///
    /// [`OptionsError::OutOfRange`] naming `ttl_seconds` or `max_entries`.
    pub fn validate(&self) -> Result<(), OptionsError> {
        const TTL_RANGE: &str = "1..=86400 s";
        const MAX_RANGE: &str = "1..=10000";
        let negative = |option, value| OptionsError::OutOfRange {
            option,
            value,
            range: if option == "max_entries" {
                MAX_RANGE
            } else {
                TTL_RANGE
            },
        };
        let ttl = u64::try_from(self.ttl_seconds)
            .map_err(|_| negative("ttl_seconds", format!("{} s", self.ttl_seconds)))?;
        let day = Duration::from_secs(TTL_SECONDS_MAX.unsigned_abs());
        let ttl_range = Duration::from_secs(1)..=day;
        check_duration(
            "ttl_seconds",
            Duration::from_secs(ttl),
            ttl_range,
            TTL_RANGE,
        )?;
        let max = usize::try_from(self.max_entries)
            .map_err(|_| negative("max_entries", self.max_entries.to_string()))?;
        let max_range = 1..=usize::try_from(MAX_ENTRIES_MAX).expect("10000 fits a usize");
        check_count("max_entries", max, max_range, MAX_RANGE)
    }
}

impl TryFrom<&DjustCacheOptions> for CacheOptions {
    type Error = OptionsError;

    /// The cache options the settings describe, with an all-zero digest key (set a secret one
    /// with [`CacheOptions::digest_key`]). Fails as [`DjustCacheOptions::validate`] does.
    fn try_from(settings: &DjustCacheOptions) -> Result<Self, OptionsError> {
        settings.validate()?;
        let ttl = settings.ttl_seconds.unsigned_abs();
        let max = usize::try_from(settings.max_entries)
            .ok()
            .and_then(NonZeroUsize::new)
            .expect("validate admits only 1..=10000");
        Ok(Self::default()
            .ttl(Duration::from_secs(ttl))
            .max_entries(max))
    }
}

impl Default for DjustCacheOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            ttl_seconds: 300,
            max_entries: 100,
            sw_vdom_cache: true,
        }
    }
}

/// Whether `ttl_seconds` passes C301: `1..=86400`.
fn ttl_in_range(ttl_seconds: i64) -> bool {
    (1..=TTL_SECONDS_MAX).contains(&ttl_seconds)
}

/// Whether `max_entries` passes C302: `1..=10000`.
fn max_entries_in_range(max_entries: i64) -> bool {
    (1..=MAX_ENTRIES_MAX).contains(&max_entries)
}

/// Checks `settings` and returns one diagnostic per problem, in id order (empty when fine).
///
/// * `djust.C301` (error): `ttl_seconds` is `<= 0` or `> 86400`.
/// * `djust.C302` (error): `max_entries` is `<= 0` or `> 10000`.
/// * `djust.C303` (warning): the cache is enabled but the service worker is not registered with
///   `vdomCache: true`.
///
/// # Examples
///
/// ```
/// use liveshell::cache::checks::{check, DjustCacheOptions};
/// use liveshell::diagnostics::Severity;
///
/// assert!(check(&DjustCacheOptions::default()).is_empty());
/// let settings = DjustCacheOptions {
///     enabled: true,
///     ttl_seconds: 300,
///     max_entries: 10_001,
///     sw_vdom_cache: false,
/// };
/// let found = check(&settings);
/// assert_eq!(found.iter().map(|d| d.id).collect::<Vec<_>>(), ["djust.C302", "djust.C303"]);
/// assert_eq!(found[1].severity, Severity::Warning);
/// ```
#[must_use]
pub fn check(settings: &DjustCacheOptions) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if !ttl_in_range(settings.ttl_seconds) {
        found.push(
            Diagnostic::new(
                "djust.C301",
                Severity::Error,
                format!(
                    "DJUST_VDOM_CACHE_TTL_SECONDS must be between 1 and 86400 seconds (one day), got {}",
                    settings.ttl_seconds
                ),
            )
            .with_hint(
                "set DJUST_VDOM_CACHE_TTL_SECONDS to how long a cached snapshot may be shown; \
                 the default is 300 (5 minutes)",
            ),
        );
    }
    if !max_entries_in_range(settings.max_entries) {
        found.push(
            Diagnostic::new(
                "djust.C302",
                Severity::Error,
                format!(
                    "DJUST_VDOM_CACHE_MAX_ENTRIES must be between 1 and 10000, got {}",
                    settings.max_entries
                ),
            )
            .with_hint(
                "set DJUST_VDOM_CACHE_MAX_ENTRIES to how many snapshots to keep before the least \
                 recently used is evicted; the default is 100",
            ),
        );
    }
    if settings.enabled && !settings.sw_vdom_cache {
        found.push(
            Diagnostic::new(
                "djust.C303",
                Severity::Warning,
                "DJUST_VDOM_CACHE_ENABLED is True but the service worker is not registered with \
                 vdomCache: true, so no snapshot is ever cached or served",
            )
            .with_hint(
                "call djust.registerServiceWorker({ vdomCache: true }) on the page, or set \
                 DJUST_VDOM_CACHE_ENABLED = False",
            ),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(settings: &DjustCacheOptions) -> Vec<&'static str> {
        check(settings).iter().map(|d| d.id).collect()
    }

    #[test]
    fn defaults_pass() {
        assert!(check(&DjustCacheOptions::default()).is_empty());
    }

    #[test]
    fn every_diagnostic_has_a_message_and_a_hint() {
        let bad = DjustCacheOptions {
            enabled: true,
            ttl_seconds: 0,
            max_entries: 0,
            sw_vdom_cache: false,
        };
        let found = check(&bad);
        assert_eq!(
            found.iter().map(|d| d.id).collect::<Vec<_>>(),
            ["djust.C301", "djust.C302", "djust.C303"]
        );
        for d in &found {
            assert!(!d.message.is_empty());
            assert!(d.hint.as_deref().is_some_and(|h| !h.is_empty()));
        }
        assert!(found[0].message.ends_with("got 0"));
    }

    #[test]
    fn disabled_cache_without_worker_is_fine() {
        let s = DjustCacheOptions {
            enabled: false,
            sw_vdom_cache: false,
            ..DjustCacheOptions::default()
        };
        assert!(ids(&s).is_empty());
    }

    #[test]
    fn extremes_of_i64_do_not_panic() {
        let s = DjustCacheOptions {
            ttl_seconds: i64::MIN,
            max_entries: i64::MAX,
            ..DjustCacheOptions::default()
        };
        assert_eq!(ids(&s), ["djust.C301", "djust.C302"]);
    }
}
