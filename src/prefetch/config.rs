//! [`PrefetchConfig`] and the transports a host supports.

use std::num::NonZeroUsize;
use std::time::Duration;

/// How a host can perform a prefetch, in liveshell's order of preference.
///
/// [`IntentPrefetch`](super::IntentPrefetch) picks the first one the host supports
/// (seed 002: speculation rules are preferred for navigations).
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::Transports;
///
/// let t = Transports::default();
/// assert!(t.speculation_rules() && t.link_prefetch() && t.fetch());
/// let only_fetch = Transports::none().with_fetch(true);
/// assert!(!only_fetch.speculation_rules() && only_fetch.fetch());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transports {
    speculation_rules: bool,
    link_prefetch: bool,
    fetch: bool,
}

impl Default for Transports {
    /// All three transports.
    fn default() -> Self {
        Self {
            speculation_rules: true,
            link_prefetch: true,
            fetch: true,
        }
    }
}

impl Transports {
    /// No transport at all; add some with the `with_*` setters.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            speculation_rules: false,
            link_prefetch: false,
            fetch: false,
        }
    }

    /// Whether the host can insert `<script type="speculationrules">`
    /// (`HTMLScriptElement.supports("speculationrules")`).
    #[must_use]
    pub const fn with_speculation_rules(mut self, on: bool) -> Self {
        self.speculation_rules = on;
        self
    }

    /// Whether the host can inject `<link rel="prefetch" as="document">`
    /// (`relList.supports("prefetch")`).
    #[must_use]
    pub const fn with_link_prefetch(mut self, on: bool) -> Self {
        self.link_prefetch = on;
        self
    }

    /// Whether the host can run a low-priority, abortable `fetch`.
    #[must_use]
    pub const fn with_fetch(mut self, on: bool) -> Self {
        self.fetch = on;
        self
    }

    /// Speculation rules supported.
    #[must_use]
    pub const fn speculation_rules(&self) -> bool {
        self.speculation_rules
    }

    /// `<link rel=prefetch>` supported.
    #[must_use]
    pub const fn link_prefetch(&self) -> bool {
        self.link_prefetch
    }

    /// Low-priority `fetch` supported.
    #[must_use]
    pub const fn fetch(&self) -> bool {
        self.fetch
    }

    /// Whether at least one transport is supported.
    #[must_use]
    pub const fn is_any(&self) -> bool {
        self.speculation_rules || self.link_prefetch || self.fetch
    }
}

/// Configuration of an [`IntentPrefetch`](super::IntentPrefetch) machine.
///
/// By-value `with_*` setters and same-name getters (`with_hover_delay` / `hover_delay`).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use liveshell::prefetch::{PrefetchConfig, Transports};
///
/// let config = PrefetchConfig::default()
///     .with_hover_delay(Duration::from_millis(100))
///     .with_focus(true)
///     .with_transports(Transports::none().with_fetch(true))
///     .with_max_in_flight(NonZeroUsize::new(2).unwrap());
/// assert_eq!(config.hover_delay(), Duration::from_millis(100));
/// assert_eq!(PrefetchConfig::default().hover_delay(), Duration::from_millis(65));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefetchConfig {
    hover_delay: Duration,
    focus: bool,
    transports: Transports,
    save_data: bool,
    max_in_flight: NonZeroUsize,
    max_per_page: NonZeroUsize,
}

/// djust's `HOVER_DEBOUNCE_MS`.
const DEFAULT_HOVER_DELAY: Duration = Duration::from_millis(65);
const DEFAULT_MAX_IN_FLIGHT: NonZeroUsize = NonZeroUsize::new(4).expect("4 is not zero");
const DEFAULT_MAX_PER_PAGE: NonZeroUsize = NonZeroUsize::new(50).expect("50 is not zero");

impl Default for PrefetchConfig {
    /// Hover delay 65 ms (djust), focus trigger off, every transport, Save-Data off, at most
    /// 4 fetches in flight and 50 prefetches per page.
    fn default() -> Self {
        Self {
            hover_delay: DEFAULT_HOVER_DELAY,
            focus: false,
            transports: Transports::default(),
            save_data: false,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_per_page: DEFAULT_MAX_PER_PAGE,
        }
    }
}

impl PrefetchConfig {
    /// How long the pointer must stay on a link before it is prefetched (default 65 ms).
    #[must_use]
    pub const fn with_hover_delay(mut self, delay: Duration) -> Self {
        self.hover_delay = delay;
        self
    }

    /// Whether keyboard focus counts as intent, like a hover (default off, as in djust, which
    /// has no focus path).
    #[must_use]
    pub const fn with_focus(mut self, on: bool) -> Self {
        self.focus = on;
        self
    }

    /// The transports the host supports (default: all).
    #[must_use]
    pub const fn with_transports(mut self, transports: Transports) -> Self {
        self.transports = transports;
        self
    }

    /// The initial Save-Data state (`navigator.connection.saveData`; default off). Change it
    /// later with [`IntentPrefetch::set_save_data`](super::IntentPrefetch::set_save_data).
    #[must_use]
    pub const fn with_save_data(mut self, on: bool) -> Self {
        self.save_data = on;
        self
    }

    /// The most fetches ([`Action::StartFetch`](super::Action::StartFetch)) in flight at once
    /// (default 4).
    #[must_use]
    pub const fn with_max_in_flight(mut self, max: NonZeroUsize) -> Self {
        self.max_in_flight = max;
        self
    }

    /// The most prefetches, of any transport, started for one page (default 50). Navigation
    /// starts a new page.
    #[must_use]
    pub const fn with_max_per_page(mut self, max: NonZeroUsize) -> Self {
        self.max_per_page = max;
        self
    }

    /// The hover delay.
    #[must_use]
    pub const fn hover_delay(&self) -> Duration {
        self.hover_delay
    }

    /// Whether focus counts as intent.
    #[must_use]
    pub const fn focus(&self) -> bool {
        self.focus
    }

    /// The supported transports.
    #[must_use]
    pub const fn transports(&self) -> Transports {
        self.transports
    }

    /// The initial Save-Data state.
    #[must_use]
    pub const fn save_data(&self) -> bool {
        self.save_data
    }

    /// The in-flight fetch cap.
    #[must_use]
    pub const fn max_in_flight(&self) -> NonZeroUsize {
        self.max_in_flight
    }

    /// The per-page prefetch cap.
    #[must_use]
    pub const fn max_per_page(&self) -> NonZeroUsize {
        self.max_per_page
    }
}
