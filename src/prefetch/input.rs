//! [`Input`], every input of [`IntentPrefetch`](super::IntentPrefetch)(super::IntentPrefetch) as one value, for hosts
//! and harnesses that route inputs through one call
//! ([`IntentPrefetch::handle_input`](super::IntentPrefetch::handle_input)(super::IntentPrefetch::handle_input)).

use super::event::{FetchId, LinkId};

/// One input of an [`IntentPrefetch`](super::IntentPrefetch) machine: each variant is one `handle_*` method (or
/// `set_save_data`, `clear`, `handle_timeout`) with its arguments after `now`.
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::{Input, IntentPrefetch, LinkId, PrefetchOptions};
/// use liveshell::time::{Clock, SystemClock};
///
/// let t0 = SystemClock.now();
/// let mut p = IntentPrefetch::new("http://localhost:8000/", PrefetchOptions::default()).unwrap();
/// let touch = Input::TouchStart { link: LinkId(1), href: "/about/", opt_in: Some("") };
/// p.handle_input(t0, touch).unwrap();
/// assert!(p.poll_action().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum Input<'a> {
    /// [`IntentPrefetch::handle_pointer_enter`](super::IntentPrefetch::handle_pointer_enter).
    PointerEnter {
        /// The link.
        link: LinkId,
        /// Its `href` attribute.
        href: &'a str,
        /// Its `dj-prefetch` attribute, `None` when absent.
        opt_in: Option<&'a str>,
    },
    /// [`IntentPrefetch::handle_pointer_leave`](super::IntentPrefetch::handle_pointer_leave).
    PointerLeave {
        /// The link.
        link: LinkId,
    },
    /// [`IntentPrefetch::handle_touch_start`](super::IntentPrefetch::handle_touch_start).
    TouchStart {
        /// The link.
        link: LinkId,
        /// Its `href` attribute.
        href: &'a str,
        /// Its `dj-prefetch` attribute, `None` when absent.
        opt_in: Option<&'a str>,
    },
    /// [`IntentPrefetch::handle_focus`](super::IntentPrefetch::handle_focus).
    Focus {
        /// The link.
        link: LinkId,
        /// Its `href` attribute.
        href: &'a str,
        /// Its `dj-prefetch` attribute, `None` when absent.
        opt_in: Option<&'a str>,
    },
    /// [`IntentPrefetch::handle_blur`](super::IntentPrefetch::handle_blur).
    Blur {
        /// The link.
        link: LinkId,
    },
    /// [`IntentPrefetch::handle_fetch_done`](super::IntentPrefetch::handle_fetch_done).
    FetchDone {
        /// The fetch.
        id: FetchId,
        /// Whether it succeeded.
        ok: bool,
    },
    /// [`IntentPrefetch::handle_navigation`](super::IntentPrefetch::handle_navigation).
    Navigation {
        /// The new page URL, absolute or relative to the current page.
        url: &'a str,
    },
    /// [`IntentPrefetch::set_save_data`](super::IntentPrefetch::set_save_data).
    SaveData {
        /// The new Save-Data state.
        on: bool,
    },
    /// [`IntentPrefetch::clear`](super::IntentPrefetch::clear).
    Clear,
    /// [`IntentPrefetch::handle_timeout`](super::IntentPrefetch::handle_timeout).
    Timeout,
}
