//! The fetch coordinator: one fetch per URL, reusable responses only, a lifecycle per URL
//! (Qwik's "Avoiding Duplicate Requests", seed 003).
//!
//! [`IntentPrefetch`](crate::prefetch::IntentPrefetch) decides *when* to prefetch; the
//! [`Coordinator`] is the Sans-IO core a service worker (or any HTTP client) wraps around
//! *every* fetch, prefetch or real, so that a prefetch in flight and the click that follows
//! share one network request, a fresh response answers at once, and a prefetch that could never
//! be used is not repeated. Its URL rule is the prefetch [`guard`](crate::prefetch::guard()).
//!
//! # Drive loop
//!
//! 1. Feed an input: [`request`](Coordinator::request) (or
//!    [`request_with_method`](Coordinator::request_with_method)) for every request,
//!    [`complete`](Coordinator::complete) when a fetch ends (answer every returned
//!    [`Waiter`]), [`invalidate`](Coordinator::invalidate) or [`clear`](Coordinator::clear)
//!    after a mutation; or all of them as an [`Input`] to
//!    [`handle_input`](Coordinator::handle_input).
//! 2. Drain [`poll_event`](Coordinator::poll_event) until `None`.
//! 3. Wait for the next input or for [`poll_timeout`](Coordinator::poll_timeout), whichever
//!    comes first; at the deadline call [`handle_timeout`](Coordinator::handle_timeout).
//! 4. Repeat.
//!
//! # Time rules
//!
//! Every input takes `now`; the coordinator never reads a clock. See the
//! [`Coordinator`]'s time rules.

mod error;
mod event;
mod input;
mod options;
mod request;
mod response;
mod state;

use std::collections::VecDeque;
use std::time::Duration;

use lru::LruCache;
use url::Url;

use crate::deadline::Deadlines;
use crate::ledger::Ledger;
use crate::prefetch::guard::{GuardError, HttpUrlError, guard, parse_http};
use crate::time::{Instant, Timed};

pub use error::CoordinatorError;
pub use event::CoordinatorEvent;
pub use input::{Input, Reply};
pub use options::CoordinatorOptions;
pub use request::{FetchTicket, Kind, RefuseReason, Start, Waiter};
pub use response::{FetchOutcome, NotReusable, ResponseHead};
pub use state::EntryState;

/// What the coordinator remembers about a URL that is not in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Reusable until `until` (exclusive).
    Fresh { until: Instant },
    /// Was fresh; the next request fetches again.
    Stale,
    /// Failed `failures` times in a row; prefetches refused before `until`. `armed` while the
    /// back-off's deadline is still in the timer table.
    Failed {
        until: Instant,
        failures: u32,
        armed: bool,
    },
    /// The last response was not reusable; prefetches refused, entry forgotten at `until`.
    NotReusable { reason: NotReusable, until: Instant },
}

impl Entry {
    /// The deadline this entry has in the timer table, if any.
    fn deadline(self) -> Option<Instant> {
        match self {
            Self::Fresh { until } | Self::NotReusable { until, .. } => Some(until),
            Self::Failed {
                until, armed: true, ..
            } => Some(until),
            Self::Failed { .. } | Self::Stale => None,
        }
    }
}

/// One fetch the host is performing; the ledger keeps its key (`None` for a pass-through
/// fetch: a real request the coordinator does not coordinate, a URL outside the guard or a
/// method other than `GET`) and indexes it while it is joinable. `invalidate`, `clear` and
/// unsafe methods detach it from the index: the response may predate the change, so it is
/// still delivered to its waiters but never recorded, and the next request fetches anew.
#[derive(Debug, Clone)]
struct Flight {
    /// Whether a prefetch started or joined it (its non-reusable result is then reported).
    prefetch: bool,
    /// Consecutive failures before this fetch, for the back-off.
    prior_failures: u32,
    waiters: Vec<Waiter>,
}

/// Shares fetches between prefetches and real requests, per URL (`request` / `complete` in,
/// `poll_*` out).
///
/// # Rules
///
/// 1. **One fetch per key.** The key is the URL resolved against the coordinator's scope with
///    its fragment dropped: the prefetch [`guard`](crate::prefetch::guard()) and its normalisation. While a
///    key is in flight every further request for it, of any [`Kind`], gets
///    [`Start::Join`]; [`complete`](Self::complete) returns all of them, whatever the outcome
///    (a failure included), so no waiter is lost.
/// 2. **Reusable responses only.** A response answers later requests ([`Start::Cached`])
///    only if [`ResponseHead::reusability`] accepts it: 2xx, no `no-store` directive, no
///    `Vary: *`, no `Vary: Cookie` together with `Set-Cookie`. When a prefetch took part in a
///    fetch whose response is not reusable, [`CoordinatorEvent::NotReusable`] tells the host
///    to stop prefetching it, and the coordinator refuses its prefetches for one fresh window.
/// 3. **Lifecycle per URL** ([`EntryState`]): `InFlight` → `Fresh { until }` (`now + fresh`,
///    default 5 minutes) → `Stale` (the next request fetches again). A network error, 5xx or
///    429 gives `Failed`: prefetches are refused for a back-off of 30 s doubling per
///    consecutive failure up to 10 minutes, while real requests still fetch. A real request
///    with an unsafe method ([`request_with_method`](Self::request_with_method)) or
///    [`invalidate`](Self::invalidate) drops the entry.
/// 4. **Bounded.** At most `max_entries` settled entries (LRU, the `lru` crate; an evicted one
///    is reported as [`CoordinatorEvent::Evicted`]). Fetches in flight live outside the LRU,
///    so eviction never touches a fetch or its waiters. A prefetch that would start a fetch
///    while `max_in_flight` fetches are in flight is [`RefuseReason::Busy`]; real requests are
///    never refused.
///
/// # Real requests the coordinator does not coordinate
///
/// A real request is never refused. When its URL fails the guard (cross-origin: its response
/// would be opaque to a service worker, so its headers could not be judged; credentials; not
/// `http(s)`; unparseable) or its method is not `GET`, it gets a **pass-through**
/// [`Start::Fetch`]: the host performs it as it would without the coordinator and reports it
/// with `complete` as usual; it counts towards the in-flight cap while in flight, nobody ever
/// joins it and nothing is recorded. An unsafe method (anything but `GET`, `HEAD`, `OPTIONS`,
/// `TRACE`; compared case-sensitively, as RFC 9110 says, and as the Fetch API normalises)
/// first drops the key's entry (RFC 9111 §4.4).
///
/// # Invalidation while in flight
///
/// `invalidate`, `clear` and unsafe methods **detach** a fetch in flight instead of forgetting
/// it: its waiters are still returned by its `complete`, but its response is never recorded and
/// the next request for the key starts a new fetch (it must not see a response from before a
/// `POST`). So a detached fetch and a new one may be in flight for one key at the same time;
/// at most one of them is joinable.
///
/// # Tickets
///
/// [`complete`](Self::complete) with a ticket that is not in flight (completed already, or
/// from another coordinator) is a no-op returning no waiters;
/// [`try_complete`](Self::try_complete) reports it as [`CoordinatorError::UnknownTicket`].
/// A fetch the host abandons must still be completed (with [`FetchOutcome::Aborted`]) so its
/// waiters are answered and its in-flight slot is freed.
///
/// # Drive loop
///
/// 1. For each request: [`request`](Self::request) (or `request_with_method`). On
///    [`Start::Fetch`] perform the fetch and, when it ends, call `complete` and answer every
///    returned [`Waiter`] with the same response (clone it); on [`Start::Join`] keep the
///    waiter until a `complete` returns it; on [`Start::Cached`] answer from the host's store.
/// 2. Drain [`poll_event`](Self::poll_event) until `None` (stop prefetching non-reusable URLs,
///    drop expired or evicted responses from the store).
/// 3. Wait for the next request, fetch end, or [`poll_timeout`](Self::poll_timeout); at the
///    deadline call [`handle_timeout`](Self::handle_timeout).
/// 4. Repeat.
///
/// # Time rules
///
/// Every time-dependent call takes `now`; the coordinator never reads a clock. A response is
/// answered `Cached` only while `now < until`, and a back-off refuses prefetches only while
/// `now < until`, whether or not `handle_timeout` ran: the timer only turns `Fresh` into
/// `Stale` (reporting [`CoordinatorEvent::Expired`]), forgets non-reusable marks and disarms
/// back-offs. `handle_timeout` before a deadline is a no-op, and a `now` earlier than a
/// previous one never panics.
///
/// # Examples
///
/// A hover prefetch, then the click that joins it: one fetch.
///
/// ```
/// use liveshell::coordinator::{Coordinator, CoordinatorOptions, FetchOutcome, Kind, ResponseHead, Start};
/// use liveshell::time::{Clock, SystemClock};
///
/// let t0 = SystemClock.now();
/// let mut c = Coordinator::new("https://shop.example/", CoordinatorOptions::default()).unwrap();
/// let Start::Fetch(ticket) = c.request(t0, "/cart/", Kind::Prefetch) else { panic!() };
/// let Start::Join(click) = c.request(t0, "/cart/#top", Kind::Navigation) else { panic!() };
///
/// let head = ResponseHead::new(200, [("Cache-Control", "private, max-age=60")]);
/// assert_eq!(c.complete(t0, ticket, FetchOutcome::Response(head)), vec![click]);
/// assert_eq!(c.request(t0, "/cart/", Kind::Fetch), Start::Cached);
/// ```
#[derive(Debug, Clone)]
pub struct Coordinator {
    options: CoordinatorOptions,
    scope: Url,
    entries: LruCache<Url, Entry>,
    /// The deadline of each settled entry that has one ([`Entry::deadline`]).
    deadlines: Deadlines<Url>,
    /// The fetches in flight, each joinable one indexed under its key.
    flights: Ledger<Flight>,
    next_waiter: u64,
    events: VecDeque<CoordinatorEvent>,
}

impl Coordinator {
    /// Creates a coordinator for the origin of `scope` (a service worker's scope, or the page
    /// URL). Relative request URLs resolve against it; prefetches must be same-origin with it.
    ///
    /// # Errors
    ///
    /// [`CoordinatorError::ScopeUrl`] if `scope` does not parse,
    /// [`CoordinatorError::ScopeScheme`] if it is not `http(s)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::coordinator::{Coordinator, CoordinatorOptions, CoordinatorError};
    ///
    /// assert!(Coordinator::new("https://shop.example/app/", CoordinatorOptions::default()).is_ok());
    /// assert_eq!(
    ///     Coordinator::new("file:///x", CoordinatorOptions::default()).unwrap_err(),
    ///     CoordinatorError::ScopeScheme { scheme: "file".into() }
    /// );
    /// ```
    pub fn new(scope: &str, options: CoordinatorOptions) -> Result<Self, CoordinatorError> {
        let scope = parse_http(None, scope).map_err(|e| match e {
            HttpUrlError::Unparseable(reason) => CoordinatorError::ScopeUrl { reason },
            HttpUrlError::Scheme(scheme) => CoordinatorError::ScopeScheme { scheme },
        })?;
        options.validate()?;
        Ok(Self {
            entries: LruCache::new(options.max_entries),
            options,
            scope,
            deadlines: Deadlines::default(),
            flights: Ledger::default(),
            next_waiter: 0,
            events: VecDeque::new(),
        })
    }

    /// A `GET` request for `url` by `kind`: what the host does next.
    ///
    /// The same as [`request_with_method`](Self::request_with_method) with `"GET"`. See the
    /// [rules](Self#rules) for the answers.
    #[must_use]
    pub fn request(&mut self, now: Instant, url: &str, kind: Kind) -> Start {
        self.request_with_method(now, "GET", url, kind)
    }

    /// A request with an HTTP `method` (as the Fetch API gives it: `"GET"`, `"POST"`, ...).
    ///
    /// Only `GET` is coordinated. A prefetch with another method is
    /// [`RefuseReason::Method`]; a real one is a pass-through fetch, and an unsafe method
    /// (not `GET`, `HEAD`, `OPTIONS` or `TRACE`) first drops the key's entry, detaching a fetch
    /// in flight and reporting [`CoordinatorEvent::Invalidated`].
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::coordinator::{Coordinator, CoordinatorOptions, CoordinatorEvent, FetchOutcome, Kind, ResponseHead, Start};
    /// use liveshell::time::{Clock, SystemClock};
    ///
    /// let t0 = SystemClock.now();
    /// let mut c = Coordinator::new("https://shop.example/", CoordinatorOptions::default()).unwrap();
    /// let Start::Fetch(t) = c.request(t0, "/cart/", Kind::Prefetch) else { panic!() };
    /// assert!(c.complete(t0, t, FetchOutcome::Response(ResponseHead::new(200, [("", "")]))).is_empty());
    ///
    /// // A form posts to /cart/: the cached cart is dropped, the POST itself passes through.
    /// assert!(matches!(c.request_with_method(t0, "POST", "/cart/", Kind::Navigation), Start::Fetch(_)));
    /// assert!(matches!(c.poll_event(), Some(CoordinatorEvent::Invalidated { .. })));
    /// assert!(matches!(c.request(t0, "/cart/", Kind::Navigation), Start::Fetch(_)));
    /// ```
    #[must_use]
    pub fn request_with_method(
        &mut self,
        now: Instant,
        method: &str,
        url: &str,
        kind: Kind,
    ) -> Start {
        let real = kind.is_real();
        let key = match guard(&self.scope, url) {
            Ok(key) => key,
            Err(e) if !real => return Start::Refused(RefuseReason::Url(e)),
            Err(_) => return self.start(None, kind, 0),
        };
        if method != "GET" {
            if !real {
                return Start::Refused(RefuseReason::Method);
            }
            if !matches!(method, "HEAD" | "OPTIONS" | "TRACE") && self.drop_key(&key) {
                self.events
                    .push_back(CoordinatorEvent::Invalidated { url: key });
            }
            return self.start(None, kind, 0);
        }
        if let Some(id) = self.flights.lookup(&key) {
            let waiter = Waiter {
                id: self.next_waiter,
                kind,
            };
            self.next_waiter += 1;
            let flight = self
                .flights
                .get_mut(id)
                .expect("the ledger indexes only fetches in flight");
            flight.waiters.push(waiter);
            flight.prefetch |= !real;
            return Start::Join(waiter);
        }
        match self.entries.get(&key).copied() {
            Some(Entry::Fresh { until }) if now < until => return Start::Cached,
            Some(Entry::Failed { until, .. }) if !real && now < until => {
                return Start::Refused(RefuseReason::Backoff { until });
            }
            Some(Entry::NotReusable { reason, until }) if !real && now < until => {
                return Start::Refused(RefuseReason::NotReusable { reason, until });
            }
            _ => {}
        }
        if !real && self.flights.len() >= self.options.max_in_flight.get() {
            return Start::Refused(RefuseReason::Busy);
        }
        let prior_failures = match self.take(&key) {
            Some(Entry::Failed { failures, .. }) => failures,
            _ => 0,
        };
        self.start(Some(key), kind, prior_failures)
    }

    /// Reports the end of the fetch `ticket` and returns every waiter that joined it, to be
    /// answered with the same outcome. Each waiter is returned exactly once.
    ///
    /// The outcome settles the key's state (see the [rules](Self#rules)). A ticket that is not
    /// in flight returns no waiters and changes nothing; use
    /// [`try_complete`](Self::try_complete) to tell.
    #[must_use]
    pub fn complete(
        &mut self,
        now: Instant,
        ticket: FetchTicket,
        outcome: FetchOutcome,
    ) -> Vec<Waiter> {
        self.try_complete(now, ticket, outcome).unwrap_or_default()
    }

    /// [`complete`](Self::complete), telling an unknown ticket apart.
    ///
    /// # Errors
    ///
    /// [`CoordinatorError::UnknownTicket`] if `ticket` is not in flight (completed already, or
    /// never issued by this coordinator); nothing changes then.
    pub fn try_complete(
        &mut self,
        now: Instant,
        ticket: FetchTicket,
        outcome: FetchOutcome,
    ) -> Result<Vec<Waiter>, CoordinatorError> {
        let finished = self
            .flights
            .finish(ticket.0)
            .ok_or(CoordinatorError::UnknownTicket { ticket })?;
        let flight = finished.value;
        let Some(key) = finished.url else {
            return Ok(flight.waiters);
        };
        let verdict = match &outcome {
            FetchOutcome::Response(head) if !outcome.is_failure() => Some(head.reusability()),
            _ => None,
        };
        if let (true, Some(Err(reason))) = (flight.prefetch, verdict) {
            self.events.push_back(CoordinatorEvent::NotReusable {
                url: key.clone(),
                reason,
            });
        }
        if finished.indexed {
            let entry = if outcome.is_failure() {
                let failures = flight.prior_failures.saturating_add(1);
                Some(Entry::Failed {
                    until: after(now, self.options.backoff_after(failures)),
                    failures,
                    armed: true,
                })
            } else {
                let until = after(now, self.options.fresh);
                verdict.map(|v| match v {
                    Ok(()) => Entry::Fresh { until },
                    Err(reason) => Entry::NotReusable { reason, until },
                })
            };
            if let Some(entry) = entry {
                self.put(key, entry);
            }
        }
        Ok(flight.waiters)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called: the earliest end
    /// of a fresh window, back-off or non-reusable mark.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.next()
    }

    /// Applies every deadline at or before `now`: `Fresh` becomes `Stale` (reported as
    /// [`CoordinatorEvent::Expired`]), a back-off is disarmed, a non-reusable mark is
    /// forgotten. Early calls are no-ops.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((key, _)) = self.deadlines.pop_due(now) {
            match self.entries.peek_mut(&key) {
                Some(entry @ Entry::Fresh { .. }) => {
                    *entry = Entry::Stale;
                    self.events
                        .push_back(CoordinatorEvent::Expired { url: key });
                }
                Some(Entry::Failed { armed, .. }) => *armed = false,
                Some(Entry::NotReusable { .. }) => {
                    self.entries.pop(&key);
                }
                Some(Entry::Stale) | None => {}
            }
        }
    }

    /// Output: the next event, oldest first.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<CoordinatorEvent> {
        self.events.pop_front()
    }

    /// Drops what the coordinator knows about `url` (a mutation made it out of date); a fetch
    /// in flight is detached (see [Invalidation](Self#invalidation-while-in-flight)). Returns
    /// whether there was anything to drop; a URL failing the guard has nothing.
    pub fn invalidate(&mut self, _now: Instant, url: &str) -> bool {
        guard(&self.scope, url).is_ok_and(|key| self.drop_key(&key))
    }

    /// Forgets every entry and detaches every fetch in flight. Fetches in flight still count
    /// towards the cap and their `complete` still returns their waiters; queued events stay.
    pub fn clear(&mut self, _now: Instant) {
        self.entries.clear();
        self.deadlines.clear();
        self.flights.detach_all();
    }

    /// The state of `url` at `now`, without touching its recency; `None` if nothing is known
    /// (or the URL fails the guard).
    #[must_use]
    pub fn state(&self, now: Instant, url: &str) -> Option<EntryState> {
        let key = guard(&self.scope, url).ok()?;
        if self.flights.lookup(&key).is_some() {
            return Some(EntryState::InFlight);
        }
        Some(match *self.entries.peek(&key)? {
            Entry::Fresh { until } if now < until => EntryState::Fresh { until },
            Entry::Fresh { .. } | Entry::Stale => EntryState::Stale,
            Entry::Failed {
                until, failures, ..
            } => EntryState::Failed { until, failures },
            Entry::NotReusable { reason, until } if now < until => {
                EntryState::NotReusable { reason, until }
            }
            Entry::NotReusable { .. } => return None,
        })
    }

    /// The key `url` is coordinated under: resolved against the scope, fragment dropped, as
    /// [`guard`](crate::prefetch::guard()) gives it. A host stores a reusable response under this key and
    /// answers [`Start::Cached`] from it.
    ///
    /// # Errors
    ///
    /// The [`GuardError`] of a URL the coordinator does not coordinate.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::coordinator::{Coordinator, CoordinatorOptions};
    ///
    /// let c = Coordinator::new("https://shop.example/app/", CoordinatorOptions::default()).unwrap();
    /// assert_eq!(c.key("cart?x=1#top").unwrap().as_str(), "https://shop.example/app/cart?x=1");
    /// assert!(c.key("https://cdn.example/app.js").is_err());
    /// ```
    pub fn key(&self, url: &str) -> Result<Url, GuardError> {
        guard(&self.scope, url)
    }

    /// The scope URL the coordinator was built with.
    #[must_use]
    pub const fn scope(&self) -> &Url {
        &self.scope
    }

    /// How many fetches are in flight (pass-through and detached ones included).
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.flights.len()
    }

    /// How many settled entries (not in flight) are remembered; at most `max_entries`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The options it was built with.
    #[must_use]
    pub const fn options(&self) -> &CoordinatorOptions {
        &self.options
    }

    /// Starts a fetch (keyed and joinable, or pass-through) and returns its ticket.
    fn start(&mut self, key: Option<Url>, kind: Kind, prior_failures: u32) -> Start {
        let flight = Flight {
            prefetch: !kind.is_real(),
            prior_failures,
            waiters: Vec::new(),
        };
        Start::Fetch(FetchTicket(self.flights.start(key, flight)))
    }

    /// Records `entry` for `key` (not present), reporting the entry evicted to make room.
    fn put(&mut self, key: Url, entry: Entry) {
        if let Some(deadline) = entry.deadline() {
            self.deadlines.arm(key.clone(), deadline);
        }
        if let Some((old, _)) = self.entries.push(key, entry) {
            self.deadlines.cancel(&old);
            self.events
                .push_back(CoordinatorEvent::Evicted { url: old });
        }
    }

    /// Removes and returns `key`'s entry with its deadline.
    fn take(&mut self, key: &Url) -> Option<Entry> {
        let entry = self.entries.pop(key)?;
        self.deadlines.cancel(key);
        Some(entry)
    }

    /// Drops `key`'s entry and detaches its fetch in flight; returns whether either existed.
    fn drop_key(&mut self, key: &Url) -> bool {
        let had_entry = self.take(key).is_some();
        let detached = self.flights.detach(key);
        had_entry || detached
    }
}

impl Coordinator {
    /// Applies one [`Input`] at `now`: the method it names, its answer as a [`Reply`].
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Reply {
        match input {
            Input::Request { method, url, kind } => {
                Reply::Start(self.request_with_method(now, method, url, kind))
            }
            Input::Complete { ticket, outcome } => {
                Reply::Waiters(self.complete(now, ticket, outcome))
            }
            Input::Invalidate { url } => Reply::Invalidated(self.invalidate(now, url)),
            Input::Clear => {
                self.clear(now);
                Reply::Done
            }
            Input::Timeout => {
                self.handle_timeout(now);
                Reply::Done
            }
        }
    }
}

impl Timed for Coordinator {
    fn poll_timeout(&self) -> Option<Instant> {
        Self::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
}

/// `now + span`, or `now` if that would overflow (spans are clamped, so only an `Instant`
/// near the end of its range gets there).
fn after(now: Instant, span: Duration) -> Instant {
    now.checked_add(span).unwrap_or(now)
}

#[cfg(test)]
mod tests;
