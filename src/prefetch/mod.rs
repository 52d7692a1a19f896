//! Intent prefetch: when to prefetch a link, and how.
//!
//! [`IntentPrefetch`] is djust's `dj-prefetch` as a Sans-IO state machine: prefetch a link's
//! destination when the user shows intent (the pointer rests on it for 65 ms, or a finger
//! touches it), at most once per URL per page, only for same-origin `http(s)` URLs, never with
//! Save-Data on, and within budgets. The host (a page script, a service worker, a test) reports
//! what the user does and performs the [`Action`]s the machine asks for; every link that is not
//! prefetched is reported as a [`PrefetchEvent::Skipped`] with its [`SkipReason`].
//!
//! The rest of the module serves the same goal from other angles:
//! [`speculation`] writes typed `<script type="speculationrules">` JSON, [`is_speculative`]
//! recognises prefetch and prerender requests on the server (`Sec-Purpose`), and
//! [`plan_bundles`] lists the code bundles a page needs without a waterfall (Qwik). [`guard`] is
//! the URL rule all of them share. The fetch coordinator a service worker wraps around every
//! fetch, so a prefetch in flight and the real request that follows share one fetch, is its own
//! capability: [`crate::coordinator`].
//!
//! # Drive loop
//!
//! 1. Feed an input: [`handle_pointer_enter`](IntentPrefetch::handle_pointer_enter),
//!    [`handle_pointer_leave`](IntentPrefetch::handle_pointer_leave),
//!    [`handle_touch_start`](IntentPrefetch::handle_touch_start),
//!    [`handle_focus`](IntentPrefetch::handle_focus), [`handle_blur`](IntentPrefetch::handle_blur),
//!    [`handle_fetch_done`](IntentPrefetch::handle_fetch_done),
//!    [`handle_navigation`](IntentPrefetch::handle_navigation),
//!    [`set_save_data`](IntentPrefetch::set_save_data) or [`clear`](IntentPrefetch::clear);
//!    or any of them as an [`Input`] to [`handle_input`](IntentPrefetch::handle_input).
//! 2. Drain [`poll_action`](IntentPrefetch::poll_action) until `None` and perform each action;
//!    drain [`poll_event`](IntentPrefetch::poll_event) to observe skips (or discard them).
//! 3. Wait for the next input or for [`poll_timeout`](IntentPrefetch::poll_timeout), whichever
//!    comes first; at the deadline call [`handle_timeout`](IntentPrefetch::handle_timeout).
//! 4. Repeat.
//!
//! # Time rules
//!
//! Every input takes `now`; the machine never reads a clock. A hover arms a per-link deadline
//! at `now + hover_delay`. `handle_timeout(now)` fires exactly the deadlines at or before `now`,
//! so an early call is a no-op, and a `now` earlier than a previous one never panics (it just
//! fires nothing).
//!
//! # Leave events
//!
//! The host reports a leave for **the link itself**, not for its children: use `mouseleave` /
//! `pointerleave` (which do not bubble from descendants) or check `relatedTarget` containment.
//! djust's capture-phase `mouseleave` on `closest('a')` lets a child's leave cancel the link's
//! hover (its vector P6); with liveshell the host simply does not report it.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use liveshell::prefetch::{Action, IntentPrefetch, LinkId, PrefetchOptions};
//! use liveshell::time::{Clock, SystemClock};
//!
//! let t0 = SystemClock.now();
//! let mut p = IntentPrefetch::new("http://localhost:8000/", PrefetchOptions::default()).unwrap();
//! p.handle_pointer_enter(t0, LinkId(1), "/about/#team", Some(""));
//! assert_eq!(p.poll_action(), None);
//! let deadline = p.poll_timeout().unwrap();
//! assert_eq!(deadline, t0 + Duration::from_millis(65));
//! p.handle_timeout(deadline);
//! match p.poll_action() {
//!     Some(Action::InsertSpeculationRule { url }) => {
//!         assert_eq!(url.as_str(), "http://localhost:8000/about/")
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

mod bundles;
mod deprecated;
mod event;
pub(crate) mod guard;
mod input;
mod link;
mod options;
mod purpose;
mod sfv;
pub mod speculation;

use std::collections::{HashMap, HashSet, VecDeque};

use url::Url;

use self::guard::HttpUrlError;
use crate::deadline::Deadlines;
use crate::ledger::Ledger;
use crate::time::{Instant, Timed};

pub use bundles::plan_bundles;
#[allow(deprecated)]
pub use deprecated::{
    Coordinator, CoordinatorConfig, CoordinatorError, CoordinatorEvent, EntryState, FetchOutcome,
    FetchTicket, Kind, NotReusable, PrefetchConfig, RefuseReason, ResponseHead, Start, Waiter,
};
pub use event::{Action, FetchId, LinkId, PrefetchError, PrefetchEvent, SkipReason};
pub use guard::{GuardError, document_key, guard};
pub use input::Input;
pub use link::is_opted_in;
pub use options::{PrefetchOptions, Transports};
pub use purpose::{SpeculationKind, is_speculative, speculation_kind};

/// The intent-prefetch state machine (`handle_*` in, `poll_*` out).
///
/// The rules, each fixing a djust defect where djust has one:
///
/// 1. A link is opted in when its `dj-prefetch` attribute is present and not `false` in any
///    ASCII case ([`is_opted_in`]).
/// 2. Hover arms one timer per link at `now + hover_delay`; another enter while it is pending
///    does not restart it; a leave before the deadline cancels it; at the deadline eligibility
///    is checked again, so two links with one URL give one prefetch.
/// 3. Touch prefetches at once and cancels the link's pending hover: never two requests.
/// 4. The dedupe key is the URL without its fragment; a link to the current document is
///    skipped; a URL is prefetched at most once per page.
/// 5. The href must pass [`guard`]: `http(s)`, same origin, no credentials, no smuggling.
/// 6. With Save-Data on nothing is prefetched and pending hovers are cancelled.
/// 7. Transport preference: speculation rules, then `<link rel=prefetch>`, then fetch. Leaving
///    the link whose fetch is in flight aborts it and the URL becomes eligible again, as does
///    a failed fetch.
/// 8. Navigation forgets what was prefetched, cancels every pending hover, aborts every fetch
///    and adopts the new page URL.
/// 9. In-flight fetches never exceed `max_in_flight`, prefetches per page never exceed
///    `max_per_page`.
/// 10. `handle_timeout` before a deadline does nothing; time is never read; a `now` that goes
///     backwards never panics.
///
/// See the [module docs](self) for the drive loop.
#[derive(Debug, Clone)]
pub struct IntentPrefetch {
    options: PrefetchOptions,
    page: Url,
    save_data: bool,
    /// The hover-intent deadline of each link under the pointer.
    timers: Deadlines<LinkId>,
    pending: HashMap<LinkId, Url>,
    prefetched: HashSet<Url>,
    /// The fetches in flight (each indexed under its URL) and the link that started each.
    in_flight: Ledger<LinkId>,
    started_on_page: usize,
    actions: VecDeque<Action>,
    events: VecDeque<PrefetchEvent>,
}

impl IntentPrefetch {
    /// Creates a machine for the page at `page_url`.
    ///
    /// # Errors
    ///
    /// [`PrefetchError::PageUrl`] if `page_url` does not parse, [`PrefetchError::PageScheme`]
    /// if it is not `http(s)`, [`PrefetchError::Options`] if [`PrefetchOptions::validate`] refuses
    /// the options.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::prefetch::{IntentPrefetch, PrefetchOptions, PrefetchError};
    ///
    /// assert!(IntentPrefetch::new("https://shop.example/orders/", PrefetchOptions::default()).is_ok());
    /// assert!(matches!(
    ///     IntentPrefetch::new("file:///tmp/x.html", PrefetchOptions::default()),
    ///     Err(PrefetchError::PageScheme { .. })
    /// ));
    /// ```
    pub fn new(page_url: &str, options: PrefetchOptions) -> Result<Self, PrefetchError> {
        options.validate()?;
        let page = page_key(None, page_url)?;
        Ok(Self {
            save_data: options.save_data,
            options,
            page,
            timers: Deadlines::default(),
            pending: HashMap::new(),
            prefetched: HashSet::new(),
            in_flight: Ledger::default(),
            started_on_page: 0,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        })
    }

    /// Input: the pointer entered `link` (whose `href` attribute and `dj-prefetch` attribute
    /// value, `None` when absent, are given).
    ///
    /// Arms the link's hover timer if the link is eligible and has none pending; otherwise
    /// reports a skip. A second enter while the timer is pending changes nothing.
    pub fn handle_pointer_enter(
        &mut self,
        now: Instant,
        link: LinkId,
        href: &str,
        opt_in: Option<&str>,
    ) {
        if self.timers.is_armed(&link) {
            return;
        }
        let Some(url) = self.eligible(link, href, opt_in) else {
            return;
        };
        let deadline = now.checked_add(self.options.hover_delay).unwrap_or(now);
        self.timers.arm(link, deadline);
        self.pending.insert(link, url.clone());
        self.events.push_back(PrefetchEvent::Armed {
            link,
            url,
            deadline,
        });
    }

    /// Input: the pointer left `link` itself (see [Leave events](self#leave-events)).
    ///
    /// Cancels a pending hover ([`SkipReason::LeftEarly`]) and aborts a fetch this link started
    /// that is still in flight; its URL becomes eligible again.
    pub fn handle_pointer_leave(&mut self, _now: Instant, link: LinkId) {
        if self.timers.cancel(&link).is_some() {
            self.skip_pending(link, SkipReason::LeftEarly);
        }
        for id in self.in_flight.ids_where(|&owner| owner == link) {
            self.abort(FetchId(id));
        }
    }

    /// Input: a finger touched `link`.
    ///
    /// Cancels the link's pending hover and prefetches at once if the link is eligible.
    pub fn handle_touch_start(
        &mut self,
        _now: Instant,
        link: LinkId,
        href: &str,
        opt_in: Option<&str>,
    ) {
        if self.timers.cancel(&link).is_some() {
            self.pending.remove(&link);
        }
        if let Some(url) = self.eligible(link, href, opt_in) {
            self.start(link, url);
        }
    }

    /// Input: `link` received keyboard focus.
    ///
    /// With the focus trigger on ([`PrefetchOptions::focus`]) this is a hover; otherwise the
    /// link is skipped with [`SkipReason::FocusDisabled`].
    pub fn handle_focus(&mut self, now: Instant, link: LinkId, href: &str, opt_in: Option<&str>) {
        if self.options.focus {
            self.handle_pointer_enter(now, link, href, opt_in);
        } else {
            self.skip(link, href, SkipReason::FocusDisabled);
        }
    }

    /// Input: `link` lost keyboard focus; the same as a pointer leave.
    pub fn handle_blur(&mut self, now: Instant, link: LinkId) {
        self.handle_pointer_leave(now, link);
    }

    /// Input: the fetch `id` ended, successfully or not.
    ///
    /// A success marks the URL prefetched; a failure makes it eligible again. An id that is not
    /// in flight (aborted, from before a navigation, or unknown) is ignored.
    pub fn handle_fetch_done(&mut self, _now: Instant, id: FetchId, ok: bool) {
        let Some(fetch) = self.in_flight.finish(id.0) else {
            return;
        };
        if let (true, Some(url)) = (ok, fetch.url) {
            self.prefetched.insert(url);
        }
        self.events.push_back(PrefetchEvent::FetchDone { id, ok });
    }

    /// Input: the page navigated (a `live_redirect`) to `new_page_url`, absolute or relative to
    /// the current page.
    ///
    /// Cancels every pending hover ([`SkipReason::Navigated`]), aborts every fetch in flight,
    /// forgets what was prefetched, resets the per-page budget and adopts the new page URL.
    ///
    /// # Errors
    ///
    /// If `new_page_url` does not resolve to an `http(s)` URL, everything above still happens
    /// except adopting it: the old page URL stays, and the error says why.
    pub fn handle_navigation(
        &mut self,
        _now: Instant,
        new_page_url: &str,
    ) -> Result<(), PrefetchError> {
        for link in self.timers.drain() {
            self.skip_pending(link, SkipReason::Navigated);
        }
        for id in self.in_flight.ids_where(|_| true) {
            self.abort(FetchId(id));
        }
        self.prefetched.clear();
        self.started_on_page = 0;
        self.page = page_key(Some(&self.page), new_page_url)?;
        Ok(())
    }

    /// Input: the Save-Data preference changed (`navigator.connection.saveData`).
    ///
    /// Turning it on cancels every pending hover ([`SkipReason::SaveData`]); fetches already in
    /// flight are left to finish.
    pub fn set_save_data(&mut self, _now: Instant, on: bool) {
        self.save_data = on;
        if on {
            for link in self.timers.drain() {
                self.skip_pending(link, SkipReason::SaveData);
            }
        }
    }

    /// Forgets which URLs were prefetched, so they may be prefetched again (djust's
    /// `djust._prefetch.clear()`, P13).
    ///
    /// Pending hovers, fetches in flight and the per-page budget are kept; a navigation resets
    /// those ([`handle_navigation`](Self::handle_navigation)).
    pub fn clear(&mut self, _now: Instant) {
        self.prefetched.clear();
    }

    /// Timer: fires every hover deadline at or before `now`, in deadline order, checking each
    /// link's eligibility again. Calls before the earliest deadline do nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((link, _)) = self.timers.pop_due(now) {
            let Some(url) = self.pending.remove(&link) else {
                continue;
            };
            if self.save_data {
                self.skip(link, url.as_str(), SkipReason::SaveData);
            } else if let Some(reason) = self.duplicate(&url) {
                self.skip(link, url.as_str(), reason);
            } else {
                self.start(link, url);
            }
        }
    }

    /// Timer: when to call [`handle_timeout`](Self::handle_timeout) next, if any hover is
    /// pending.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Output: the next action to perform, oldest first.
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Output: the next event (armed hovers, skips with their reasons, finished fetches),
    /// oldest first. Hosts that do not care may drain and drop them.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<PrefetchEvent> {
        self.events.pop_front()
    }

    /// The current page URL, fragment removed.
    #[must_use]
    pub fn page_url(&self) -> &Url {
        &self.page
    }

    /// Whether Save-Data is on.
    #[must_use]
    pub fn is_save_data(&self) -> bool {
        self.save_data
    }

    /// How many fetches are in flight.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// How many hovers are pending.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// How many prefetches were started on this page (the per-page budget spent).
    #[must_use]
    pub fn started_on_page(&self) -> usize {
        self.started_on_page
    }

    /// Whether `url` (its dedupe key) was prefetched on this page.
    #[must_use]
    pub fn is_prefetched(&self, url: &Url) -> bool {
        let key = document_key(url);
        self.prefetched.contains(&key)
    }

    /// Rules 1 and 4-6 at the moment of intent: the dedupe key, or a reported skip.
    fn eligible(&mut self, link: LinkId, href: &str, opt_in: Option<&str>) -> Option<Url> {
        let verdict = if self.save_data {
            Err(SkipReason::SaveData)
        } else {
            link::link_key(&self.page, href, opt_in)
                .and_then(|url| self.duplicate(&url).map_or(Ok(url), Err))
        };
        match verdict {
            Ok(url) => Some(url),
            Err(reason) => {
                self.skip(link, href, reason);
                None
            }
        }
    }

    /// Rule 4: whether `url` is already prefetched or being fetched.
    fn duplicate(&self, url: &Url) -> Option<SkipReason> {
        if self.prefetched.contains(url) {
            Some(SkipReason::AlreadyPrefetched)
        } else if self.in_flight.lookup(url).is_some() {
            Some(SkipReason::InFlight)
        } else {
            None
        }
    }

    /// Rules 7 and 9: prefetch an eligible URL by the preferred transport, within budgets.
    fn start(&mut self, link: LinkId, url: Url) {
        if self.started_on_page >= self.options.max_per_page.get() {
            return self.skip(link, url.as_str(), SkipReason::PageBudget);
        }
        let transports = self.options.transports;
        let action = if transports.speculation_rules() {
            self.prefetched.insert(url.clone());
            Action::InsertSpeculationRule { url }
        } else if transports.link_prefetch() {
            self.prefetched.insert(url.clone());
            Action::InjectLinkPrefetch { url }
        } else if self.in_flight.len() >= self.options.max_in_flight.get() {
            return self.skip(link, url.as_str(), SkipReason::InFlightCap);
        } else {
            let id = FetchId(self.in_flight.start(Some(url.clone()), link));
            Action::StartFetch { id, url }
        };
        self.started_on_page += 1;
        self.actions.push_back(action);
    }

    /// Aborts a fetch in flight; its URL becomes eligible again.
    fn abort(&mut self, id: FetchId) {
        if self.in_flight.finish(id.0).is_some() {
            self.actions.push_back(Action::AbortFetch { id });
        }
    }

    /// Reports a cancelled pending hover.
    fn skip_pending(&mut self, link: LinkId, reason: SkipReason) {
        if let Some(url) = self.pending.remove(&link) {
            self.skip(link, url.as_str(), reason);
        }
    }

    fn skip(&mut self, link: LinkId, href: &str, reason: SkipReason) {
        self.events.push_back(PrefetchEvent::Skipped {
            link,
            href: href.to_owned(),
            reason,
        });
    }
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

impl Timed for IntentPrefetch {
    fn poll_timeout(&self) -> Option<Instant> {
        Self::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
}

/// Parses a page URL (relative to `base` when given) into its document key.
fn page_key(base: Option<&Url>, page_url: &str) -> Result<Url, PrefetchError> {
    match guard::parse_http(base, page_url) {
        Ok(url) => Ok(document_key(&url)),
        Err(HttpUrlError::Unparseable(reason)) => Err(PrefetchError::PageUrl { reason }),
        Err(HttpUrlError::Scheme(scheme)) => Err(PrefetchError::PageScheme { scheme }),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::time::{Clock, SystemClock};

    fn fetching() -> IntentPrefetch {
        let options = PrefetchOptions::default().transports(Transports::none().with_fetch(true));
        IntentPrefetch::new("http://localhost:8000/", options).expect("valid page")
    }

    #[test]
    fn an_unrepresentable_deadline_fires_at_once_instead_of_panicking() {
        let now = SystemClock.now();
        let mut p = fetching();
        // Beyond what `validate` allows, as a `now` near the end of `Instant`'s range would be.
        p.options.hover_delay = Duration::MAX;
        p.handle_pointer_enter(now, LinkId(1), "/a", Some(""));
        assert_eq!(p.poll_timeout(), Some(now));
        p.handle_timeout(now);
        assert!(p.poll_action().is_some());
    }

    #[test]
    fn abort_and_done_keep_the_url_index_in_step_with_the_fetches() {
        let now = SystemClock.now();
        let mut p = fetching();
        p.handle_touch_start(now, LinkId(1), "/a", Some(""));
        p.handle_touch_start(now, LinkId(2), "/b", Some(""));
        assert_eq!(p.in_flight.len(), 2);
        p.handle_pointer_leave(now, LinkId(1));
        let Some(Action::StartFetch { id, .. }) = p.actions.get(1).cloned() else {
            panic!("two fetches were started")
        };
        p.handle_fetch_done(now, id, false);
        assert_eq!(p.in_flight.len(), 0);
        for path in ["/a", "/b"] {
            let url = p.page_url().join(path).expect("static path");
            assert_eq!(p.in_flight.lookup(&url), None, "{path} left the index");
        }
    }

    #[test]
    fn page_key_resolves_relative_navigations_and_drops_the_fragment() {
        let base = Url::parse("https://shop.example/orders/?p=2").expect("static url");
        let key = page_key(Some(&base), "1042/#lines").expect("relative path");
        assert_eq!(key.as_str(), "https://shop.example/orders/1042/");
        assert!(matches!(
            page_key(None, "/relative"),
            Err(PrefetchError::PageUrl { .. })
        ));
    }

    #[test]
    fn save_data_set_while_a_deadline_is_due_blocks_the_prefetch() {
        let now = SystemClock.now();
        let mut p = fetching();
        p.handle_pointer_enter(now, LinkId(1), "/a", Some(""));
        p.save_data = true; // as if the host changed it without set_save_data's cancel
        p.handle_timeout(now + Duration::from_secs(1));
        assert_eq!(p.poll_action(), None);
    }
}
