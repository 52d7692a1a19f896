//! Configuration checks `djust.C301`-`djust.C303` for the snapshot cache settings.
//!
//! The bounds are the seed's: the TTL must be between 1 s and one day, the cap between 1 and
//! 10 000 entries, and an enabled cache needs the service worker registered with
//! `vdomCache: true`. (djust's shipped checks have no upper bounds and report a disabled cache
//! as info; the seed's documented behaviour is what liveshell checks.)
//!
//! ```
//! use liveshell::cache::checks::{check, CacheSettings};
//!
//! let settings = CacheSettings { ttl_seconds: 0, ..CacheSettings::default() };
//! let found = check(&settings);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].id, "djust.C301");
//! ```

use crate::diagnostics::{Diagnostic, Severity};

/// The highest accepted `ttl_seconds`: one day.
pub const TTL_SECONDS_MAX: i64 = 86_400;
/// The highest accepted `max_entries`.
pub const MAX_ENTRIES_MAX: i64 = 10_000;

/// The cache settings as a host holds them (djust's `DJUST_VDOM_CACHE_*`).
///
/// [`Default`] gives the seed's documented defaults with the cache enabled and the worker
/// registered accordingly: 300 s, 100 entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheSettings {
    /// `DJUST_VDOM_CACHE_ENABLED`.
    pub enabled: bool,
    /// `DJUST_VDOM_CACHE_TTL_SECONDS`.
    pub ttl_seconds: i64,
    /// `DJUST_VDOM_CACHE_MAX_ENTRIES`.
    pub max_entries: i64,
    /// Whether the service worker was registered with `vdomCache: true`.
    pub sw_vdom_cache: bool,
}

impl Default for CacheSettings {
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
pub(crate) fn ttl_in_range(ttl_seconds: i64) -> bool {
    (1..=TTL_SECONDS_MAX).contains(&ttl_seconds)
}

/// Whether `max_entries` passes C302: `1..=10000`.
pub(crate) fn max_entries_in_range(max_entries: i64) -> bool {
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
/// use liveshell::cache::checks::{check, CacheSettings};
/// use liveshell::diagnostics::Severity;
///
/// assert!(check(&CacheSettings::default()).is_empty());
/// let settings = CacheSettings {
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
pub fn check(settings: &CacheSettings) -> Vec<Diagnostic> {
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

    fn ids(settings: &CacheSettings) -> Vec<&'static str> {
        check(settings).iter().map(|d| d.id).collect()
    }

    #[test]
    fn defaults_pass() {
        assert!(check(&CacheSettings::default()).is_empty());
    }

    #[test]
    fn every_diagnostic_has_a_message_and_a_hint() {
        let bad = CacheSettings {
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
        let s = CacheSettings {
            enabled: false,
            sw_vdom_cache: false,
            ..CacheSettings::default()
        };
        assert!(ids(&s).is_empty());
    }

    #[test]
    fn extremes_of_i64_do_not_panic() {
        let s = CacheSettings {
            ttl_seconds: i64::MIN,
            max_entries: i64::MAX,
            ..CacheSettings::default()
        };
        assert_eq!(ids(&s), ["djust.C301", "djust.C302"]);
    }
}
