//! [`Input`], every input of [`IntentPrefetch`] as one value, for hosts and harnesses that
//! route inputs through one call ([`IntentPrefetch::handle_input`]).

use super::IntentPrefetch;
use super::event::{FetchId, LinkId, PrefetchError};
use crate::time::Instant;

/// One input of an [`IntentPrefetch`] machine: each variant is one `handle_*` method (or
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
    /// [`IntentPrefetch::handle_pointer_enter`].
    PointerEnter {
        /// The link.
        link: LinkId,
        /// Its `href` attribute.
        href: &'a str,
        /// Its `dj-prefetch` attribute, `None` when absent.
        opt_in: Option<&'a str>,
    },
    /// [`IntentPrefetch::handle_pointer_leave`].
    PointerLeave {
        /// The link.
        link: LinkId,
    },
    /// [`IntentPrefetch::handle_touch_start`].
    TouchStart {
        /// The link.
        link: LinkId,
        /// Its `href` attribute.
        href: &'a str,
        /// Its `dj-prefetch` attribute, `None` when absent.
        opt_in: Option<&'a str>,
    },
    /// [`IntentPrefetch::handle_focus`].
    Focus {
        /// The link.
        link: LinkId,
        /// Its `href` attribute.
        href: &'a str,
        /// Its `dj-prefetch` attribute, `None` when absent.
        opt_in: Option<&'a str>,
    },
    /// [`IntentPrefetch::handle_blur`].
    Blur {
        /// The link.
        link: LinkId,
    },
    /// [`IntentPrefetch::handle_fetch_done`].
    FetchDone {
        /// The fetch.
        id: FetchId,
        /// Whether it succeeded.
        ok: bool,
    },
    /// [`IntentPrefetch::handle_navigation`].
    Navigation {
        /// The new page URL, absolute or relative to the current page.
        url: &'a str,
    },
    /// [`IntentPrefetch::set_save_data`].
    SaveData {
        /// The new Save-Data state.
        on: bool,
    },
    /// [`IntentPrefetch::clear`].
    Clear,
    /// [`IntentPrefetch::handle_timeout`].
    Timeout,
}

impl IntentPrefetch {
    /// Applies one [`Input`] at `now`: the `handle_*` method it names.
    ///
    /// # Errors
    ///
    /// Only [`Input::Navigation`] can fail, as
    /// [`handle_navigation`](Self::handle_navigation) does.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Result<(), PrefetchError> {
        match input {
            Input::PointerEnter { link, href, opt_in } => {
                self.handle_pointer_enter(now, link, href, opt_in);
            }
            Input::PointerLeave { link } => self.handle_pointer_leave(now, link),
            Input::TouchStart { link, href, opt_in } => {
                self.handle_touch_start(now, link, href, opt_in);
            }
            Input::Focus { link, href, opt_in } => self.handle_focus(now, link, href, opt_in),
            Input::Blur { link } => self.handle_blur(now, link),
            Input::FetchDone { id, ok } => self.handle_fetch_done(now, id, ok),
            Input::Navigation { url } => return self.handle_navigation(now, url),
            Input::SaveData { on } => self.set_save_data(now, on),
            Input::Clear => self.clear(now),
            Input::Timeout => self.handle_timeout(now),
        }
        Ok(())
    }
}
