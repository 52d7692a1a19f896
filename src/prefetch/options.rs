//! [`PrefetchOptions`] and the transports a host supports.

use std::num::NonZeroUsize;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::OptionsError;
use crate::options::check_duration;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
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

/// Options of an [`IntentPrefetch`](super::IntentPrefetch) machine.
///
/// The fields are public to read; set them with the consuming setters named for them.
/// [`IntentPrefetch::new`](super::IntentPrefetch::new) checks them with
/// [`validate`](Self::validate). In an options file every field is optional and
/// `hover_delay` is in seconds.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use liveshell::prefetch::{PrefetchOptions, Transports};
///
/// let options = PrefetchOptions::default()
///     .hover_delay(Duration::from_millis(100))
///     .focus(true)
///     .transports(Transports::none().with_fetch(true))
///     .max_in_flight(NonZeroUsize::new(2).unwrap());
/// assert_eq!(options.hover_delay, Duration::from_millis(100));
/// assert_eq!(PrefetchOptions::default().hover_delay, Duration::from_millis(65));
///
/// let from_file: PrefetchOptions = serde_json::from_str(r#"{"hover_delay": 0.1}"#).unwrap();
/// assert_eq!(from_file.hover_delay, Duration::from_millis(100));
/// assert_eq!(from_file.max_per_page, PrefetchOptions::default().max_per_page);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PrefetchOptions {
    /// How long the pointer must stay on a link before it is prefetched (default 65 ms,
    /// djust's `HOVER_DEBOUNCE_MS`; at most 60 s).
    #[serde(with = "crate::options::seconds")]
    pub hover_delay: Duration,
    /// Whether keyboard focus counts as intent, like a hover (default off, as in djust, which
    /// has no focus path).
    pub focus: bool,
    /// The transports the host supports (default: all; at least one).
    pub transports: Transports,
    /// The initial Save-Data state (`navigator.connection.saveData`; default off). Change it
    /// later with [`IntentPrefetch::set_save_data`](super::IntentPrefetch::set_save_data).
    pub save_data: bool,
    /// The most fetches ([`Action::StartFetch`](super::Action::StartFetch)) in flight at once
    /// (default 4).
    pub max_in_flight: NonZeroUsize,
    /// The most prefetches, of any transport, started for one page (default 50). Navigation
    /// starts a new page.
    pub max_per_page: NonZeroUsize,
}

/// djust's `HOVER_DEBOUNCE_MS`.
const DEFAULT_HOVER_DELAY: Duration = Duration::from_millis(65);
const DEFAULT_MAX_IN_FLIGHT: NonZeroUsize = NonZeroUsize::new(4).expect("4 is not zero");
const DEFAULT_MAX_PER_PAGE: NonZeroUsize = NonZeroUsize::new(50).expect("50 is not zero");
/// The longest hover delay: a pointer resting longer than this is not a sign of intent.
const MAX_HOVER_DELAY: Duration = Duration::from_secs(60);

impl Default for PrefetchOptions {
    /// Hover delay 65 ms (seed 000, djust), focus trigger off, every transport, Save-Data off,
    /// at most 4 fetches in flight and 50 prefetches per page.
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

impl PrefetchOptions {
    /// Sets [`hover_delay`](Self#structfield.hover_delay).
    #[must_use]
    pub const fn hover_delay(mut self, hover_delay: Duration) -> Self {
        self.hover_delay = hover_delay;
        self
    }

    /// Sets [`focus`](Self#structfield.focus).
    #[must_use]
    pub const fn focus(mut self, focus: bool) -> Self {
        self.focus = focus;
        self
    }

    /// Sets [`transports`](Self#structfield.transports).
    #[must_use]
    pub const fn transports(mut self, transports: Transports) -> Self {
        self.transports = transports;
        self
    }

    /// Sets [`save_data`](Self#structfield.save_data).
    #[must_use]
    pub const fn save_data(mut self, save_data: bool) -> Self {
        self.save_data = save_data;
        self
    }

    /// Sets [`max_in_flight`](Self#structfield.max_in_flight).
    #[must_use]
    pub const fn max_in_flight(mut self, max_in_flight: NonZeroUsize) -> Self {
        self.max_in_flight = max_in_flight;
        self
    }

    /// Sets [`max_per_page`](Self#structfield.max_per_page).
    #[must_use]
    pub const fn max_per_page(mut self, max_per_page: NonZeroUsize) -> Self {
        self.max_per_page = max_per_page;
        self
    }

    /// Checks every option against its range.
    ///
    /// # Errors
    ///
    /// [`OptionsError::OutOfRange`] for a `hover_delay` over 60 s, [`OptionsError::Invalid`]
    /// for `transports` with none enabled.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::OptionsError;
    /// use liveshell::prefetch::{PrefetchOptions, Transports};
    ///
    /// assert_eq!(PrefetchOptions::default().validate(), Ok(()));
    /// let none = PrefetchOptions::default().transports(Transports::none());
    /// assert!(matches!(none.validate(), Err(OptionsError::Invalid { option: "transports", .. })));
    /// ```
    pub fn validate(&self) -> Result<(), OptionsError> {
        check_duration(
            "hover_delay",
            self.hover_delay,
            Duration::ZERO..=MAX_HOVER_DELAY,
            "0 s..=60 s",
        )?;
        if !self.transports.is_any() {
            return Err(OptionsError::Invalid {
                option: "transports",
                reason: "no transport is enabled".into(),
            });
        }
        Ok(())
    }
}
