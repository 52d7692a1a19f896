//! Coordinator target: arbitrary request / complete / time / invalidation sequences drive a
//! `Coordinator`, checked step by step against a simple model (a map of entries, an LRU order,
//! the tickets in flight and their waiters). The model predicts every answer and every event,
//! so the target checks: never two joinable fetches for one key, every waiter answered exactly
//! once, the in-flight cap held for prefetches and the entry cap always, no non-reusable
//! response ever answered `Cached`, real requests never refused, and no deadline (fresh
//! window, back-off, `poll_timeout`) ever early or late.
//!
//! [`Op`] only picks inputs (indices into the tables below, tickets by issue order) and moves
//! time; every call into the coordinator goes through its public [`Input`] and
//! [`Coordinator::handle_input`], except `try_complete`, which `Input` does not cover.
//!
//! `tests/coordinator.rs` drives the same [`Harness`] from proptest.

use std::collections::{HashMap, HashSet, VecDeque};
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use liveshell::coordinator::{
    Coordinator, CoordinatorError, CoordinatorEvent, CoordinatorOptions, FetchOutcome, FetchTicket,
    Input, Kind, RefuseReason, Reply, ResponseHead, Start, Waiter,
};

/// The scope every harness coordinator is built with.
pub const SCOPE: &str = "https://shop.example/app/";

/// Request URLs: several spellings of a few keys, and URLs the guard refuses.
pub const URLS: &[&str] = &[
    "/a",
    "/a#x",
    "https://shop.example/a?q",
    "b",
    "/app/b#top",
    "/c?x=1",
    "https://evil.example/a",
    "javascript:alert(1)",
    "",
    "http://shop.example/a",
    "https://u:p@shop.example/a",
    "/\\evil.example",
];

/// Request methods, `GET` most often.
pub const METHODS: &[&str] = &["GET", "GET", "GET", "HEAD", "POST", "PUT", "get", "DELETE"];

/// Statuses a fetch may end with.
pub const STATUSES: &[u16] = &[200, 204, 206, 301, 304, 404, 429, 500, 503];

/// `Cache-Control` values and whether they allow reuse.
pub const CACHE_CONTROLS: &[(&str, bool)] = &[
    ("", true),
    ("max-age=60", true),
    ("no-store", false),
    ("Max-Age=0, NO-STORE", false),
    ("no-cache=\"no-store, x\"", true),
    ("private", true),
    ("x-no-store", true),
];

/// `Vary` values: reusable, `*` (never), or `Cookie` (not with `Set-Cookie`).
pub const VARYS: &[(&str, VaryClass)] = &[
    ("", VaryClass::Plain),
    ("Accept", VaryClass::Plain),
    ("*", VaryClass::Star),
    ("Cookie", VaryClass::Cookie),
    ("accept-encoding, COOKIE", VaryClass::Cookie),
    ("cookie2", VaryClass::Plain),
];

/// What a `Vary` value does to reusability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaryClass {
    /// No effect.
    Plain,
    /// Never reusable.
    Star,
    /// Not reusable together with `Set-Cookie`.
    Cookie,
}

/// How a fetch ends, as indices into the tables above.
#[derive(Arbitrary, Debug, Clone)]
pub enum Outcome {
    /// No response.
    Network,
    /// The host gave up.
    Aborted,
    /// A response.
    Response {
        /// Index into [`STATUSES`].
        status: u8,
        /// Index into [`CACHE_CONTROLS`].
        cache_control: u8,
        /// Index into [`VARYS`].
        vary: u8,
        /// Whether `Set-Cookie` is present.
        set_cookie: bool,
        /// An extra header, named `x-<name>`.
        extra: Option<(String, String)>,
    },
}

/// One step.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    /// `request_with_method(now, METHODS[method], URLS[url], kind)`.
    Request {
        /// Index into [`URLS`].
        url: u8,
        /// Index into [`METHODS`].
        method: u8,
        /// 0 prefetch, 1 navigation, 2 fetch (modulo 3).
        kind: u8,
    },
    /// A `GET` request for an arbitrary href.
    RequestRaw {
        /// The href.
        href: String,
        /// As in [`Op::Request`].
        kind: u8,
    },
    /// Completes the `ticket`-th issued ticket (modulo; a completed one tests double
    /// completion).
    Complete {
        /// Index into the issued tickets.
        ticket: u8,
        /// How it ended.
        outcome: Outcome,
    },
    /// Time moves forward by `ms` milliseconds.
    Advance {
        /// Milliseconds.
        ms: u32,
    },
    /// Time moves back by `ms` milliseconds.
    Back {
        /// Milliseconds.
        ms: u16,
    },
    /// `handle_timeout(now)` (often early).
    Timeout,
    /// Jump to `poll_timeout()` and `handle_timeout` there.
    Deadline,
    /// Jump to `poll_timeout()` without `handle_timeout` and request there: answers exactly
    /// at a deadline.
    Jump {
        /// As in [`Op::Request`].
        url: u8,
        /// As in [`Op::Request`].
        kind: u8,
    },
    /// `invalidate(URLS[url])`.
    Invalidate {
        /// Index into [`URLS`].
        url: u8,
    },
    /// `clear()`.
    Clear,
}

fn kind_of(k: u8) -> Kind {
    match k % 3 {
        0 => Kind::Prefetch,
        1 => Kind::Navigation,
        _ => Kind::Fetch,
    }
}

fn pick<T: Copy>(table: &[T], i: u8) -> T {
    table[usize::from(i) % table.len()]
}

/// The model's view of one settled key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    Fresh(Instant),
    Stale,
    Failed {
        until: Instant,
        failures: u32,
        armed: bool,
    },
    NotReusable(Instant),
}

impl Model {
    fn deadline(self) -> Option<Instant> {
        match self {
            Self::Fresh(t) | Self::NotReusable(t) => Some(t),
            Self::Failed {
                until, armed: true, ..
            } => Some(until),
            _ => None,
        }
    }
}

/// A fetch in flight, as the model sees it.
#[derive(Debug, Default)]
struct Flight {
    key: Option<String>,
    joinable: bool,
    prefetch: bool,
    prior_failures: u32,
    waiters: Vec<Waiter>,
}

/// A coordinator and its model, stepped together.
pub struct Harness {
    c: Coordinator,
    config: CoordinatorOptions,
    now: Instant,
    issued: Vec<FetchTicket>,
    flights: HashMap<FetchTicket, Flight>,
    joinable: HashMap<String, FetchTicket>,
    entries: HashMap<String, Model>,
    /// Least recently used first.
    recency: VecDeque<String>,
    answered: HashSet<Waiter>,
    waiters_issued: usize,
    expected: Vec<CoordinatorEvent>,
}

impl Harness {
    /// A coordinator with small caps (so they are hit) and short spans (so they pass).
    pub fn new(max_entries: u8, max_in_flight: u8, fresh_ms: u16, backoff_ms: u16) -> Self {
        let config = CoordinatorOptions::default()
            .max_entries(NonZeroUsize::new(usize::from(max_entries % 6) + 1).expect("≥ 1"))
            .max_in_flight(NonZeroUsize::new(usize::from(max_in_flight % 4) + 1).expect("≥ 1"))
            .fresh(Duration::from_millis(u64::from(fresh_ms)))
            .backoff(Duration::from_millis(u64::from(backoff_ms)))
            .backoff_cap(Duration::from_millis(u64::from(backoff_ms) * 5));
        #[allow(clippy::disallowed_methods)] // the harness's one clock read; then t0 ± deltas
        let now = Instant::now() + Duration::from_secs(3600);
        Self {
            c: Coordinator::new(SCOPE, config.clone()).expect("a valid scope"),
            config,
            now,
            issued: Vec::new(),
            flights: HashMap::new(),
            joinable: HashMap::new(),
            entries: HashMap::new(),
            recency: VecDeque::new(),
            answered: HashSet::new(),
            waiters_issued: 0,
            expected: Vec::new(),
        }
    }

    /// Applies one step to both and checks they agree.
    pub fn step(&mut self, op: &Op) {
        match op {
            Op::Request { url, method, kind } => {
                self.request(pick(URLS, *url), pick(METHODS, *method), kind_of(*kind));
            }
            Op::RequestRaw { href, kind } => self.request(href, "GET", kind_of(*kind)),
            Op::Complete { ticket, outcome } => self.complete(*ticket, outcome),
            Op::Advance { ms } => self.now += Duration::from_millis(u64::from(*ms)),
            Op::Back { ms } => {
                let back = Duration::from_millis(u64::from(*ms));
                self.now = self.now.checked_sub(back).unwrap_or(self.now);
            }
            Op::Timeout => self.timeout(),
            Op::Deadline => {
                if let Some(deadline) = self.c.poll_timeout() {
                    self.now = self.now.max(deadline);
                }
                self.timeout();
            }
            Op::Jump { url, kind } => {
                if let Some(deadline) = self.c.poll_timeout() {
                    self.now = self.now.max(deadline);
                }
                self.request(pick(URLS, *url), "GET", kind_of(*kind));
            }
            Op::Invalidate { url } => {
                let url = pick(URLS, *url);
                let dropped = self.c.key(url).is_ok_and(|k| self.drop_key(k.as_str()));
                assert_eq!(
                    self.c.handle_input(self.now, Input::Invalidate { url }),
                    Reply::Invalidated(dropped),
                    "invalidate {url:?}"
                );
            }
            Op::Clear => {
                assert_eq!(self.c.handle_input(self.now, Input::Clear), Reply::Done);
                self.entries.clear();
                self.recency.clear();
                for (_, ticket) in self.joinable.drain() {
                    self.flights.get_mut(&ticket).expect("in flight").joinable = false;
                }
            }
        }
        self.check();
    }

    /// Completes every fetch still in flight and checks every waiter was answered once.
    pub fn finish(mut self) {
        let mut open: Vec<FetchTicket> = self.flights.keys().copied().collect();
        open.sort();
        for ticket in open {
            self.complete_ticket(ticket, &Outcome::Network);
            self.check();
        }
        assert_eq!(self.c.in_flight(), 0);
        assert_eq!(
            self.answered.len(),
            self.waiters_issued,
            "every waiter answered exactly once"
        );
    }

    fn request(&mut self, url: &str, method: &str, kind: Kind) {
        let Reply::Start(got) = self
            .c
            .handle_input(self.now, Input::Request { method, url, kind })
        else {
            panic!("a request answers a Start");
        };
        let real = kind != Kind::Prefetch;
        if real {
            assert!(
                !matches!(got, Start::Refused(_)),
                "real request refused: {got:?}"
            );
        }
        let Ok(key) = self.c.key(url).map(|k| k.to_string()) else {
            if real {
                self.expect_fetch(&got, None, kind, 0);
            } else {
                assert!(
                    matches!(got, Start::Refused(RefuseReason::Url(_))),
                    "{got:?}"
                );
            }
            return;
        };
        if method != "GET" {
            if !real {
                assert_eq!(got, Start::Refused(RefuseReason::Method));
                return;
            }
            if !matches!(method, "HEAD" | "OPTIONS" | "TRACE") && self.drop_key(&key) {
                self.expected.push(CoordinatorEvent::Invalidated {
                    url: self.c.key(&key).expect("a key is its own key"),
                });
            }
            self.expect_fetch(&got, None, kind, 0);
            return;
        }
        if let Some(ticket) = self.joinable.get(&key) {
            let Start::Join(waiter) = got else {
                panic!("{key} is in flight, expected a join, got {got:?}")
            };
            assert_eq!(waiter.kind(), kind);
            let flight = self.flights.get_mut(ticket).expect("joinable is in flight");
            assert!(!flight.waiters.contains(&waiter), "waiter ids are unique");
            flight.waiters.push(waiter);
            flight.prefetch |= !real;
            self.waiters_issued += 1;
            return;
        }
        let entry = self.entries.get(&key).copied();
        if entry.is_some() {
            self.touch(&key);
        }
        match entry {
            Some(Model::Fresh(until)) if self.now < until => {
                assert_eq!(got, Start::Cached, "{key} is fresh until {until:?}");
                return;
            }
            Some(Model::Failed { until, .. }) if !real && self.now < until => {
                assert_eq!(got, Start::Refused(RefuseReason::Backoff { until }));
                return;
            }
            Some(Model::NotReusable(until)) if !real && self.now < until => {
                assert!(
                    matches!(got, Start::Refused(RefuseReason::NotReusable { until: u, .. }) if u == until),
                    "{got:?}"
                );
                return;
            }
            _ => {}
        }
        assert_ne!(
            got,
            Start::Cached,
            "{key} answered cached without a fresh reusable response"
        );
        if !real && self.flights.len() >= self.config.max_in_flight.get() {
            assert_eq!(got, Start::Refused(RefuseReason::Busy));
            return;
        }
        let prior = match self.remove(&key) {
            Some(Model::Failed { failures, .. }) => failures,
            _ => 0,
        };
        self.expect_fetch(&got, Some(key), kind, prior);
    }

    fn expect_fetch(&mut self, got: &Start, key: Option<String>, kind: Kind, prior_failures: u32) {
        let &Start::Fetch(ticket) = got else {
            panic!("expected a fetch for {key:?}, got {got:?}")
        };
        assert!(!self.issued.contains(&ticket), "tickets are unique");
        if kind == Kind::Prefetch {
            let cap = self.config.max_in_flight.get();
            assert!(
                self.flights.len() < cap,
                "a prefetch started with {cap} in flight"
            );
        }
        if let Some(key) = &key {
            assert!(
                self.joinable.insert(key.clone(), ticket).is_none(),
                "two joinable fetches for {key}"
            );
        }
        self.issued.push(ticket);
        self.flights.insert(
            ticket,
            Flight {
                joinable: key.is_some(),
                key,
                prefetch: kind == Kind::Prefetch,
                prior_failures,
                waiters: Vec::new(),
            },
        );
    }

    fn complete(&mut self, index: u8, outcome: &Outcome) {
        if !self.issued.is_empty() {
            let ticket = self.issued[usize::from(index) % self.issued.len()];
            self.complete_ticket(ticket, outcome);
        }
    }

    fn complete_ticket(&mut self, ticket: FetchTicket, outcome: &Outcome) {
        let (outcome, verdict) = build(outcome);
        let Some(flight) = self.flights.remove(&ticket) else {
            let got = self.c.try_complete(self.now, ticket, outcome.clone());
            assert_eq!(got, Err(CoordinatorError::UnknownTicket { ticket }));
            assert_eq!(self.complete_input(ticket, outcome), vec![]);
            return;
        };
        let waiters = self.complete_input(ticket, outcome.clone());
        assert_eq!(waiters, flight.waiters, "the joined waiters, in join order");
        for w in &waiters {
            assert!(self.answered.insert(*w), "{w} answered twice");
        }
        let Some(key) = flight.key else { return };
        let failure = match &outcome {
            FetchOutcome::Response(h) => h.status() >= 500 || h.status() == 429,
            FetchOutcome::NetworkError => true,
            _ => false,
        };
        if let (false, Some(Err(reason)), true) = (failure, verdict, flight.prefetch) {
            self.expected.push(CoordinatorEvent::NotReusable {
                url: self.c.key(&key).expect("a key is its own key"),
                reason,
            });
        }
        if !flight.joinable {
            return;
        }
        self.joinable.remove(&key);
        let entry = if failure {
            let failures = flight.prior_failures + 1;
            Some(Model::Failed {
                until: self.now + self.backoff(failures),
                failures,
                armed: true,
            })
        } else {
            let until = self.now + self.config.fresh;
            verdict.map(|v| {
                if v.is_ok() {
                    Model::Fresh(until)
                } else {
                    Model::NotReusable(until)
                }
            })
        };
        if let Some(entry) = entry {
            self.entries.insert(key.clone(), entry);
            self.recency.push_back(key);
            if self.recency.len() > self.config.max_entries.get() {
                let old = self.recency.pop_front().expect("over the cap");
                self.entries.remove(&old);
                self.expected.push(CoordinatorEvent::Evicted {
                    url: self.c.key(&old).expect("a key is its own key"),
                });
            }
        }
    }

    /// `complete` through [`Input::Complete`].
    fn complete_input(&mut self, ticket: FetchTicket, outcome: FetchOutcome) -> Vec<Waiter> {
        let Reply::Waiters(waiters) = self
            .c
            .handle_input(self.now, Input::Complete { ticket, outcome })
        else {
            panic!("a completion answers its waiters");
        };
        waiters
    }

    fn timeout(&mut self) {
        assert_eq!(self.c.handle_input(self.now, Input::Timeout), Reply::Done);
        let now = self.now;
        let mut keys: Vec<&String> = self.entries.keys().collect();
        keys.sort_by_key(|k| (self.entries[*k].deadline(), (*k).clone()));
        let mut expired = Vec::new();
        let mut forgotten = Vec::new();
        for key in keys {
            match self.entries[key] {
                Model::Fresh(until) if until <= now => expired.push(key.clone()),
                Model::NotReusable(until) if until <= now => forgotten.push(key.clone()),
                _ => {}
            }
        }
        for key in expired {
            self.entries.insert(key.clone(), Model::Stale);
            self.expected.push(CoordinatorEvent::Expired {
                url: self.c.key(&key).expect("a key is its own key"),
            });
        }
        for key in forgotten {
            self.remove(&key);
        }
        for entry in self.entries.values_mut() {
            if let Model::Failed { until, armed, .. } = entry {
                if *until <= now {
                    *armed = false;
                }
            }
        }
    }

    /// `backoff · 2^(failures-1)`, capped.
    fn backoff(&self, failures: u32) -> Duration {
        let doubled = (1..failures).fold(self.config.backoff, |b, _| b.saturating_mul(2));
        doubled.min(self.config.backoff_cap)
    }

    fn touch(&mut self, key: &str) {
        if let Some(i) = self.recency.iter().position(|k| k == key) {
            let k = self.recency.remove(i).expect("found");
            self.recency.push_back(k);
        }
    }

    fn remove(&mut self, key: &str) -> Option<Model> {
        self.recency.retain(|k| k != key);
        self.entries.remove(key)
    }

    fn drop_key(&mut self, key: &str) -> bool {
        let had = self.remove(key).is_some();
        let detached = self.joinable.remove(key).is_some_and(|t| {
            self.flights.get_mut(&t).expect("in flight").joinable = false;
            true
        });
        had || detached
    }

    fn check(&mut self) {
        let mut events = Vec::new();
        while let Some(e) = self.c.poll_event() {
            events.push(e);
        }
        // Expiries come in deadline order with ties by key; the model sorts the same way.
        assert_eq!(events, std::mem::take(&mut self.expected), "events");
        assert_eq!(self.c.in_flight(), self.flights.len(), "in flight");
        assert_eq!(self.c.len(), self.entries.len(), "entries");
        assert!(self.c.len() <= self.config.max_entries.get(), "entry cap");
        let due = self.entries.values().filter_map(|e| e.deadline()).min();
        assert_eq!(
            self.c.poll_timeout(),
            due,
            "poll_timeout is the earliest model deadline"
        );
    }
}

/// Builds the outcome and the model's own verdict on it (from the tables, not the library).
fn build(
    outcome: &Outcome,
) -> (
    FetchOutcome,
    Option<Result<(), liveshell::coordinator::NotReusable>>,
) {
    use liveshell::coordinator::NotReusable as Why;
    match outcome {
        Outcome::Network => (FetchOutcome::NetworkError, None),
        Outcome::Aborted => (FetchOutcome::Aborted, None),
        Outcome::Response {
            status,
            cache_control,
            vary,
            set_cookie,
            extra,
        } => {
            let status = pick(STATUSES, *status);
            let (cc, cc_ok) = pick(CACHE_CONTROLS, *cache_control);
            let (vary, class) = pick(VARYS, *vary);
            let mut headers = vec![
                ("Cache-Control".to_owned(), cc.to_owned()),
                ("Vary".to_owned(), vary.to_owned()),
            ];
            if *set_cookie {
                headers.push(("Set-Cookie".to_owned(), "sid=1".to_owned()));
            }
            if let Some((name, value)) = extra {
                headers.push((format!("x-{name}"), value.clone()));
            }
            let verdict = if !(200..300).contains(&status) {
                Err(Why::Status(status))
            } else if !cc_ok {
                Err(Why::NoStore)
            } else if class == VaryClass::Star {
                Err(Why::VaryStar)
            } else if class == VaryClass::Cookie && *set_cookie {
                Err(Why::VaryCookieWithSetCookie)
            } else {
                Ok(())
            };
            (
                FetchOutcome::Response(ResponseHead::new(status, headers)),
                Some(verdict),
            )
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Case {
    max_entries: u8,
    max_in_flight: u8,
    fresh_ms: u16,
    backoff_ms: u16,
    ops: Vec<Op>,
}

/// Drives one coordinator through the input's steps against the model.
pub fn run(data: &[u8]) {
    let Ok(input) = Case::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let mut h = Harness::new(
        input.max_entries,
        input.max_in_flight,
        input.fresh_ms,
        input.backoff_ms,
    );
    for op in &input.ops {
        h.step(op);
    }
    h.finish();
}
