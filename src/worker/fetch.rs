//! Main-only fetches: `PREFETCH` and the client's `X-Djust-Main-Only` request share one fetch
//! through the [`Coordinator`], and a reusable response answers the click.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::coordinator::{
    Coordinator, CoordinatorError, CoordinatorEvent, CoordinatorOptions, EntryState, FetchOutcome,
    FetchTicket, Kind, ResponseHead, Start, Waiter,
};
use crate::time::{Instant, Timed};

/// How long a prefetched main-only response may answer a click by default: 30 s.
pub const DEFAULT_MAIN_ONLY_FRESH: Duration = Duration::from_secs(30);
/// The largest main-only body kept to answer a click: 2 MiB.
pub const DEFAULT_MAIN_ONLY_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The header lines that describe the bytes on the wire, not the text a host read: a
/// response rebuilt from a [`StoredResponse`] must not carry them.
const WIRE_HEADERS: &[&str] = &["content-encoding", "content-length", "transfer-encoding"];

/// A response the host read in full: status, headers, body text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// The HTTP status.
    pub status: u16,
    /// The header lines, as the Fetch API lists them.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

/// What the host does with a main-only request (from [`MainOnlyFetches::request`]).
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MainOnlyStart {
    /// Fetch it, then report it with [`MainOnlyFetches::complete`] and answer the request and
    /// every returned waiter with the response.
    Fetch(FetchTicket),
    /// A fetch for it is in flight (a prefetch, usually): answer when that fetch's `complete`
    /// returns this waiter.
    Join(Waiter),
    /// Answer with this response (a prefetch brought it); it answers only this request.
    Answer(StoredResponse),
}

/// The worker's main-only fetches: a [`Coordinator`] keyed by URL (every fetch it sees is the
/// `X-Djust-Main-Only` variant) and the bodies of its reusable responses.
///
/// - [`prefetch`](Self::prefetch): a `PREFETCH` starts a fetch unless the coordinator refuses
///   (in flight already, fresh already, cross-origin, back-off, busy).
/// - [`request`](Self::request): the client's main-only fetch joins a fetch in flight, is
///   answered from a kept body (once: the body is dropped after it answers, so the next request
///   goes to the network), or fetches.
/// - [`complete`](Self::complete): a body is kept only if the coordinator found the response
///   reusable (2xx, no `no-store`, no `Vary: *`, no `Vary: Cookie` with `Set-Cookie`) and it
///   fits the byte cap; bodies leave with their coordinator entry (expired, evicted,
///   invalidated).
#[derive(Debug)]
pub struct MainOnlyFetches {
    coordinator: Coordinator,
    max_body_bytes: usize,
    bodies: HashMap<String, StoredResponse>,
    tickets: HashMap<FetchTicket, String>,
}

impl StoredResponse {
    /// A response read in full, without the headers that described its encoded bytes
    /// (`Content-Encoding`, `Content-Length`, `Transfer-Encoding`): the body is decoded text now.
    #[must_use]
    pub fn read(status: u16, headers: Vec<(String, String)>, body: String) -> Self {
        let headers = headers
            .into_iter()
            .filter(|(n, _)| !WIRE_HEADERS.iter().any(|w| n.eq_ignore_ascii_case(w)))
            .collect();
        Self {
            status,
            headers,
            body,
        }
    }
}

impl MainOnlyFetches {
    /// Fetches for pages under `scope`.
    ///
    /// # Errors
    ///
    /// The [`CoordinatorError`] of a scope that is not an absolute `http(s)` URL.
    pub fn new(
        scope: &str,
        options: CoordinatorOptions,
        max_body_bytes: usize,
    ) -> Result<Self, CoordinatorError> {
        Ok(Self {
            coordinator: Coordinator::new(scope, options)?,
            max_body_bytes,
            bodies: HashMap::new(),
            tickets: HashMap::new(),
        })
    }

    /// `PREFETCH {url}` at `now`: the ticket of the fetch to start, or `None` when none is
    /// needed or allowed.
    #[must_use]
    pub fn prefetch(&mut self, now: Instant, url: &str) -> Option<FetchTicket> {
        self.coordinator.handle_timeout(now);
        self.drain_events();
        match self.coordinator.request(now, url, Kind::Prefetch) {
            Start::Fetch(ticket) => {
                self.track(ticket, url);
                Some(ticket)
            }
            Start::Join(_) | Start::Cached | Start::Refused(_) => None,
        }
    }

    /// The client's main-only `GET` of `url` at `now`.
    pub fn request(&mut self, now: Instant, url: &str) -> MainOnlyStart {
        self.coordinator.handle_timeout(now);
        self.drain_events();
        loop {
            match self.coordinator.request(now, url, Kind::Fetch) {
                Start::Fetch(ticket) => {
                    self.track(ticket, url);
                    return MainOnlyStart::Fetch(ticket);
                }
                Start::Join(waiter) => return MainOnlyStart::Join(waiter),
                Start::Cached => {
                    let body = self
                        .coordinator
                        .key(url)
                        .ok()
                        .and_then(|key| self.bodies.remove(key.as_str()));
                    // One answer per prefetch: the next request fetches anew.
                    self.coordinator.invalidate(now, url);
                    self.drain_events();
                    if let Some(body) = body {
                        return MainOnlyStart::Answer(body);
                    }
                    // The body is gone (never kept: too big): fetch after all.
                }
                // Real requests are never refused.
                Start::Refused(_) => unreachable!("the coordinator never refuses a real request"),
            }
        }
    }

    /// Reports the fetch `ticket` at `now`: its response, or `None` for a network error.
    /// Returns the waiters to answer with it (real requests only: a prefetch that joined
    /// needs no answer).
    #[must_use]
    pub fn complete(
        &mut self,
        now: Instant,
        ticket: FetchTicket,
        response: Option<&StoredResponse>,
    ) -> Vec<Waiter> {
        let url = self.tickets.remove(&ticket);
        let outcome = match response {
            Some(r) => FetchOutcome::Response(ResponseHead::new(r.status, &r.headers)),
            None => FetchOutcome::NetworkError,
        };
        let waiters = self.coordinator.complete(now, ticket, outcome);
        self.drain_events();
        if let (Some(url), Some(response)) = (url, response) {
            let fresh = matches!(
                self.coordinator.state(now, &url),
                Some(EntryState::Fresh { .. })
            );
            // A real request that waited is answered now; keep the body only for a later one.
            let consumed = waiters.iter().any(|w| w.kind().is_real());
            if fresh && !consumed && response.body.len() <= self.max_body_bytes {
                if let Ok(key) = self.coordinator.key(&url) {
                    self.bodies.insert(key.into(), response.clone());
                }
            } else if fresh {
                self.coordinator.invalidate(now, &url);
                self.drain_events();
            }
        }
        waiters.into_iter().filter(|w| w.kind().is_real()).collect()
    }

    /// Applies the coordinator's deadlines at `now`, dropping bodies past their fresh window.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.coordinator.handle_timeout(now);
        self.drain_events();
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next run.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.coordinator.poll_timeout()
    }

    /// How many bodies are kept.
    #[must_use]
    pub fn kept(&self) -> usize {
        self.bodies.len()
    }

    /// How many fetches are in flight.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.coordinator.in_flight()
    }

    fn track(&mut self, ticket: FetchTicket, url: &str) {
        self.tickets.insert(ticket, url.to_owned());
    }

    fn drain_events(&mut self) {
        while let Some(event) = self.coordinator.poll_event() {
            match event {
                CoordinatorEvent::Expired { url }
                | CoordinatorEvent::Evicted { url }
                | CoordinatorEvent::Invalidated { url } => {
                    self.bodies.remove(url.as_str());
                }
                // Prefetches of it are refused for a while; nothing was kept.
                _ => {}
            }
        }
    }
}

impl Timed for MainOnlyFetches {
    fn poll_timeout(&self) -> Option<Instant> {
        Self::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
}
