//! [`WorkerOptions`]: the worker's bounds and its shell-route patterns.

use std::num::NonZeroUsize;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::caches::{DEFAULT_VDOM_MAX_ENTRY_BYTES, DEFAULT_VDOM_MAX_TOTAL_BYTES};
use super::fetch::{DEFAULT_MAIN_ONLY_FRESH, DEFAULT_MAIN_ONLY_MAX_BODY_BYTES};
use super::route::PathPattern;
use crate::OptionsError;
use crate::coordinator::CoordinatorOptions;
use crate::reconnect::BridgeOptions;

/// How a [`Worker`](super::Worker) bounds what it keeps and which navigations its shell answers.
///
/// | option | default |
/// |---|---|
/// | [`include`](Self::include): paths the shell answers before any response was seen | none |
/// | [`exclude`](Self::exclude): paths the shell never answers | none |
/// | [`revalidate_after`](Self::revalidate_after): the shell is checked at most once per | 5 min |
/// | [`relearn_after`](Self::relearn_after): a "not a page with main" lesson is forgotten after | 1 h |
/// | [`max_learnt`](Self::max_learnt): URLs remembered | 1024 |
/// | [`bridge`](Self::bridge): the reconnect buffer's bounds | [`BridgeOptions::default`] |
/// | [`main_only_fresh`](Self::main_only_fresh): a prefetched main answers a click within | 30 s |
/// | [`main_only_max_body_bytes`](Self::main_only_max_body_bytes): the largest main-only body kept | 2 MiB |
/// | [`vdom_max_entry_bytes`](Self::vdom_max_entry_bytes): the most HTML one VDOM entry holds | 1 MiB |
/// | [`vdom_max_total_bytes`](Self::vdom_max_total_bytes): the most HTML the VDOM cache holds | 16 MiB |
///
/// The setters never fail; [`Worker::new`](super::Worker::new) calls
/// [`validate`](Self::validate). With serde, an options file gives any subset of the fields
/// (the rest keep their defaults), durations in seconds:
///
/// ```
/// use std::time::Duration;
/// use liveshell::worker::{PathPattern, WorkerOptions};
///
/// let options: WorkerOptions =
///     serde_json::from_str(r#"{"revalidate_after": 60, "exclude": ["/files/*"]}"#)?;
/// assert_eq!(
///     options,
///     WorkerOptions::default()
///         .revalidate_after(Duration::from_secs(60))
///         .exclude(vec![PathPattern::new("/files/*")])
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell::worker::{PathPattern, WorkerOptions};
///
/// let options = WorkerOptions::from_query("revalidate=1&exclude=/files/*,/api/*&include=/app/*");
/// assert_eq!(
///     options,
///     WorkerOptions::default()
///         .revalidate_after(Duration::from_secs(1))
///         .exclude(vec![PathPattern::new("/files/*"), PathPattern::new("/api/*")])
///         .include(vec![PathPattern::new("/app/*")])
/// );
/// assert_eq!(options.validate(), Ok(()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkerOptions {
    pub(super) include: Vec<PathPattern>,
    pub(super) exclude: Vec<PathPattern>,
    #[serde(with = "crate::options::seconds")]
    pub(super) revalidate_after: Duration,
    #[serde(with = "crate::options::seconds")]
    pub(super) relearn_after: Duration,
    pub(super) max_learnt: NonZeroUsize,
    pub(super) bridge: BridgeOptions,
    #[serde(with = "crate::options::seconds")]
    pub(super) main_only_fresh: Duration,
    pub(super) main_only_max_body_bytes: usize,
    pub(super) vdom_max_entry_bytes: usize,
    pub(super) vdom_max_total_bytes: usize,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            include: Vec::new(),
            exclude: Vec::new(),
            revalidate_after: Duration::from_secs(300),
            relearn_after: Duration::from_secs(3600),
            max_learnt: NonZeroUsize::new(1024).expect("1024 is not zero"),
            bridge: BridgeOptions::default(),
            main_only_fresh: DEFAULT_MAIN_ONLY_FRESH,
            main_only_max_body_bytes: DEFAULT_MAIN_ONLY_MAX_BODY_BYTES,
            vdom_max_entry_bytes: DEFAULT_VDOM_MAX_ENTRY_BYTES,
            vdom_max_total_bytes: DEFAULT_VDOM_MAX_TOTAL_BYTES,
        }
    }
}

impl WorkerOptions {
    /// Sets the path patterns the shell answers before any response was seen.
    #[must_use]
    pub fn include(mut self, include: Vec<PathPattern>) -> Self {
        self.include = include;
        self
    }

    /// Sets the path patterns the shell never answers.
    #[must_use]
    pub fn exclude(mut self, exclude: Vec<PathPattern>) -> Self {
        self.exclude = exclude;
        self
    }

    /// Sets how often at most the shell is revalidated in the background.
    #[must_use]
    pub const fn revalidate_after(mut self, revalidate_after: Duration) -> Self {
        self.revalidate_after = revalidate_after;
        self
    }

    /// Sets after how long a "not a page with main" lesson is forgotten.
    #[must_use]
    pub const fn relearn_after(mut self, relearn_after: Duration) -> Self {
        self.relearn_after = relearn_after;
        self
    }

    /// Sets how many URLs the route policy remembers.
    #[must_use]
    pub const fn max_learnt(mut self, max_learnt: NonZeroUsize) -> Self {
        self.max_learnt = max_learnt;
        self
    }

    /// Sets the reconnect buffer's bounds.
    #[must_use]
    pub fn bridge(mut self, bridge: BridgeOptions) -> Self {
        self.bridge = bridge;
        self
    }

    /// Sets how long a prefetched main-only response may answer a click (the fetch
    /// coordinator's [`fresh`](CoordinatorOptions::fresh) window; at most 366 days).
    #[must_use]
    pub const fn main_only_fresh(mut self, main_only_fresh: Duration) -> Self {
        self.main_only_fresh = main_only_fresh;
        self
    }

    /// Sets the largest main-only body kept to answer a click (0: none is kept, every click
    /// fetches).
    #[must_use]
    pub const fn main_only_max_body_bytes(mut self, main_only_max_body_bytes: usize) -> Self {
        self.main_only_max_body_bytes = main_only_max_body_bytes;
        self
    }

    /// Sets the most HTML one VDOM entry may hold, in bytes (a larger `VDOM_CACHE` is refused).
    #[must_use]
    pub const fn vdom_max_entry_bytes(mut self, vdom_max_entry_bytes: usize) -> Self {
        self.vdom_max_entry_bytes = vdom_max_entry_bytes;
        self
    }

    /// Sets the most HTML the VDOM cache holds in all, in bytes (the least recently used
    /// entries go to make room).
    #[must_use]
    pub const fn vdom_max_total_bytes(mut self, vdom_max_total_bytes: usize) -> Self {
        self.vdom_max_total_bytes = vdom_max_total_bytes;
        self
    }

    /// The options of the worker's main-only fetch coordinator.
    pub(super) fn coordinator(&self) -> CoordinatorOptions {
        CoordinatorOptions::default().fresh(self.main_only_fresh)
    }

    /// Checks the options: every path pattern starts with `/` and has `*` at most as its last
    /// character, and [`main_only_fresh`](Self::main_only_fresh) is within the coordinator's
    /// range. Every other value is usable.
    ///
    /// # Errors
    ///
    /// [`OptionsError::Invalid`] naming `include` or `exclude`, [`OptionsError::OutOfRange`]
    /// naming `main_only_fresh`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use liveshell::OptionsError;
    /// use liveshell::worker::{PathPattern, WorkerOptions};
    ///
    /// assert_eq!(WorkerOptions::default().validate(), Ok(()));
    /// let bad = WorkerOptions::default().exclude(vec![PathPattern::new("files/*")]);
    /// assert!(matches!(bad.validate(), Err(OptionsError::Invalid { option: "exclude", .. })));
    /// let forever = WorkerOptions::default().main_only_fresh(Duration::MAX);
    /// assert!(matches!(
    ///     forever.validate(),
    ///     Err(OptionsError::OutOfRange { option: "main_only_fresh", .. })
    /// ));
    /// ```
    pub fn validate(&self) -> Result<(), OptionsError> {
        for (option, patterns) in [("include", &self.include), ("exclude", &self.exclude)] {
            if let Some(reason) = patterns.iter().find_map(PathPattern::problem) {
                return Err(OptionsError::Invalid { option, reason });
            }
        }
        // The worker sets only the coordinator's `fresh`: its range is the coordinator's.
        self.coordinator().validate().map_err(|error| match error {
            OptionsError::OutOfRange { value, range, .. } => OptionsError::OutOfRange {
                option: "main_only_fresh",
                value,
                range,
            },
            other => other,
        })
    }

    /// Options from the query string of the worker script's URL (the page registers
    /// `/static/djust/service-worker.js?revalidate=60&exclude=/files/*`): `revalidate` and
    /// `relearn` in seconds, `include` and `exclude` as comma-separated path patterns,
    /// `prefetch_fresh` in seconds. Unknown keys, unparseable values and values
    /// [`validate`](Self::validate) refuses are ignored (the default stays; a pattern that is
    /// not a path is left out): a worker must start whatever its URL says, so the result
    /// always validates.
    #[must_use]
    pub fn from_query(query: &str) -> Self {
        let mut options = Self::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let secs = || value.parse::<u64>().ok().map(Duration::from_secs);
            let patterns = || {
                value
                    .split(',')
                    .map(PathPattern::new)
                    .filter(|p| p.problem().is_none())
                    .collect::<Vec<_>>()
            };
            let candidate = match &*key {
                "revalidate" => secs().map(|s| options.clone().revalidate_after(s)),
                "relearn" => secs().map(|s| options.clone().relearn_after(s)),
                "prefetch_fresh" => secs().map(|s| options.clone().main_only_fresh(s)),
                "include" => Some(options.clone().include(patterns())),
                "exclude" => Some(options.clone().exclude(patterns())),
                _ => None,
            };
            if let Some(candidate) = candidate.filter(|c| c.validate().is_ok()) {
                options = candidate;
            }
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_never_gives_options_that_do_not_validate() {
        let huge = format!("prefetch_fresh={}", u64::MAX);
        let options = WorkerOptions::from_query(&huge);
        assert_eq!(options, WorkerOptions::default());
        let options = WorkerOptions::from_query("exclude=/a/*,b,/c*d,/e&relearn=x");
        assert_eq!(
            options,
            WorkerOptions::default()
                .exclude(vec![PathPattern::new("/a/*"), PathPattern::new("/e")])
        );
        assert_eq!(options.validate(), Ok(()));
    }

    #[test]
    fn options_files_use_seconds_and_keep_missing_fields() {
        let options: WorkerOptions =
            serde_json::from_str(r#"{"main_only_fresh": 0.5, "bridge": {"capacity": 5}}"#).unwrap();
        assert_eq!(options.main_only_fresh, Duration::from_millis(500));
        assert_eq!(
            options.bridge.clone(),
            BridgeOptions::default().capacity(5.try_into().unwrap())
        );
        assert_eq!(options.relearn_after, Duration::from_secs(3600));
        let text = serde_json::to_string(&options).unwrap();
        assert_eq!(
            serde_json::from_str::<WorkerOptions>(&text).unwrap(),
            options
        );
    }
}
