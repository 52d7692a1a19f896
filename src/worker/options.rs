//! [`WorkerOptions`]: the worker's bounds and its shell-route patterns.

use std::num::NonZeroUsize;
use std::time::Duration;

use super::caches::{DEFAULT_VDOM_MAX_ENTRY_BYTES, DEFAULT_VDOM_MAX_TOTAL_BYTES};
use super::fetch::{DEFAULT_MAIN_ONLY_FRESH, DEFAULT_MAIN_ONLY_MAX_BODY_BYTES};
use super::route::PathPattern;
use crate::reconnect::BridgeConfig;

/// How a [`Worker`](super::Worker) bounds what it keeps and which navigations its shell answers.
///
/// | setting | default |
/// |---|---|
/// | [`include`](Self::include): paths the shell answers before any response was seen | none |
/// | [`exclude`](Self::exclude): paths the shell never answers | none |
/// | [`revalidate_after`](Self::revalidate_after): the shell is checked at most once per | 5 min |
/// | [`relearn_after`](Self::relearn_after): a "not a page with main" lesson is forgotten after | 1 h |
/// | [`max_learnt`](Self::max_learnt): URLs remembered | 1024 |
/// | [`bridge`](Self::bridge): the reconnect buffer's bounds | [`BridgeConfig::default`] |
/// | [`main_only_fresh`](Self::main_only_fresh): a prefetched main answers a click within | 30 s |
///
/// The VDOM cache's byte budgets are 1 MiB per entry and 16 MiB in all, a kept main-only body
/// at most 2 MiB.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell::worker::WorkerOptions;
///
/// let options = WorkerOptions::from_query("revalidate=1&exclude=/files/*,/api/*&include=/app/*");
/// assert_eq!(options.revalidate_after_value(), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerOptions {
    pub(super) include: Vec<PathPattern>,
    pub(super) exclude: Vec<PathPattern>,
    pub(super) revalidate_after: Duration,
    pub(super) relearn_after: Duration,
    pub(super) max_learnt: NonZeroUsize,
    pub(super) bridge: BridgeConfig,
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
            bridge: BridgeConfig::default(),
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
    pub fn include(mut self, patterns: Vec<PathPattern>) -> Self {
        self.include = patterns;
        self
    }

    /// Sets the path patterns the shell never answers.
    #[must_use]
    pub fn exclude(mut self, patterns: Vec<PathPattern>) -> Self {
        self.exclude = patterns;
        self
    }

    /// Sets how often at most the shell is revalidated in the background.
    #[must_use]
    pub const fn revalidate_after(mut self, age: Duration) -> Self {
        self.revalidate_after = age;
        self
    }

    /// The configured revalidation age.
    #[must_use]
    pub const fn revalidate_after_value(&self) -> Duration {
        self.revalidate_after
    }

    /// Sets after how long a "not a page with main" lesson is forgotten.
    #[must_use]
    pub const fn relearn_after(mut self, age: Duration) -> Self {
        self.relearn_after = age;
        self
    }

    /// Sets how many URLs the route policy remembers.
    #[must_use]
    pub const fn max_learnt(mut self, max: NonZeroUsize) -> Self {
        self.max_learnt = max;
        self
    }

    /// Sets the reconnect buffer's bounds.
    #[must_use]
    pub fn bridge(mut self, bridge: BridgeConfig) -> Self {
        self.bridge = bridge;
        self
    }

    /// Sets how long a prefetched main-only response may answer a click.
    #[must_use]
    pub const fn main_only_fresh(mut self, fresh: Duration) -> Self {
        self.main_only_fresh = fresh;
        self
    }

    /// Options from the query string of the worker script's URL (the page registers
    /// `/static/djust/service-worker.js?revalidate=60&exclude=/files/*`): `revalidate` and
    /// `relearn` in seconds, `include` and `exclude` as comma-separated path patterns,
    /// `prefetch_fresh` in seconds. Unknown keys and unparseable values are ignored (the
    /// default stays): a worker must start whatever its URL says.
    #[must_use]
    pub fn from_query(query: &str) -> Self {
        let mut options = Self::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let secs = || value.parse::<u64>().ok().map(Duration::from_secs);
            let patterns = || {
                value
                    .split(',')
                    .filter(|p| p.starts_with('/'))
                    .map(PathPattern::new)
                    .collect::<Vec<_>>()
            };
            match &*key {
                "revalidate" => {
                    options.revalidate_after = secs().unwrap_or(options.revalidate_after)
                }
                "relearn" => options.relearn_after = secs().unwrap_or(options.relearn_after),
                "prefetch_fresh" => {
                    options.main_only_fresh = secs().unwrap_or(options.main_only_fresh)
                }
                "include" => options.include = patterns(),
                "exclude" => options.exclude = patterns(),
                _ => {}
            }
        }
        options
    }
}
