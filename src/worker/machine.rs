//! [`Worker`]: every decision of the service worker, one Sans-IO value.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use url::Url;

use super::caches::{SavedVdomOwned, StateCache, StateEntry, VdomCache, VdomEntry};
use super::fetch::{MainOnlyFetches, MainOnlyStart, StoredResponse};
use super::message::{Message, Refused, StateSnapshotReply, VdomCacheReply, decode};
use super::options::WorkerOptions;
use super::route::{Route, SavedLesson, SavedShell, ShellRoutes, ShellRule, ShellUpdate};
use crate::OptionsError;
use crate::coordinator::{FetchTicket, Waiter};
use crate::headers::Headers;
use crate::main_only::{ContentType, content_type, is_requested};
use crate::prefetch::is_speculative;
use crate::reconnect::{Bridge, DrainReply, SavedBridge, Source, SourceGate};
use crate::time::{Instant, Timed};

/// A reply to post back to the message's source.
#[must_use]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Reply {
    /// `DJUST_DRAIN_REPLY`.
    Drain(DrainReply),
    /// `VDOM_CACHE_REPLY`.
    Vdom(VdomCacheReply),
    /// `STATE_SNAPSHOT_REPLY`.
    State(StateSnapshotReply),
}

/// Which persisted parts a message changed; the host writes those back to storage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Dirty {
    /// The reconnect buffer.
    pub bridge: bool,
    /// The VDOM cache.
    pub vdom: bool,
    /// The state cache.
    pub state: bool,
    /// The shell's metadata and the learnt routes.
    pub shell: bool,
}

/// One persisted part of the worker (see [`Worker::save`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The reconnect buffer.
    Bridge,
    /// The VDOM cache.
    Vdom,
    /// The state cache.
    State,
    /// The shell's metadata and the learnt routes.
    Shell,
}

/// What a message asks of the host, besides the reply.
#[must_use]
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Handled {
    /// Post this back to the message's source.
    pub reply: Option<Reply>,
    /// Delete the cached shell from Cache Storage.
    pub clear_shell: bool,
    /// Start this main-only fetch (a `PREFETCH`): `GET url` with `X-Djust-Main-Only: 1`,
    /// reported with [`Worker::handle_main_only_response`].
    pub prefetch: Option<(FetchTicket, String)>,
    /// The parts to persist.
    pub dirty: Dirty,
}

/// A fetch event, as the worker sees it.
#[derive(Debug, Clone, Copy)]
pub struct FetchRequest<'a> {
    /// `request.url`.
    pub url: &'a str,
    /// `request.method`.
    pub method: &'a str,
    /// `request.mode` (`"navigate"`, `"cors"`, `"same-origin"`, ...).
    pub mode: &'a str,
    /// The request's header lines.
    pub headers: &'a [(&'a str, &'a str)],
}

/// What to do with a fetch event.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchDecision {
    /// Do not call `respondWith`: the browser handles it as if there were no worker.
    Ignore,
    /// Answer from the network, then report the response with
    /// [`Worker::handle_navigation_response`] (it may teach the route and give a shell).
    Network,
    /// Answer with the cached shell; when `revalidate`, also fetch `url` in the background
    /// (without `X-Djust-Main-Only`) and report it with
    /// [`Worker::handle_navigation_response`].
    Shell {
        /// Revalidate in the background.
        revalidate: bool,
    },
    /// A main-only request (`X-Djust-Main-Only: 1`): never the shell.
    MainOnly(MainOnlyStart),
}

/// What to do with the shell after a navigation's response.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellAction {
    /// Nothing to store.
    Keep,
    /// Put this shell in Cache Storage (a first shell, or the page's shell changed).
    Store {
        /// The shell's HTML: the page with `<main>` emptied and marked.
        html: String,
        /// The headers to serve it with.
        headers: Vec<(String, String)>,
    },
}

/// The response headers a shell keeps: what describes the document and its security policy.
/// Length, encoding, caching validators and cookies belong to the original response only.
const SHELL_HEADERS: &[&str] = &[
    "content-type",
    "content-language",
    "content-security-policy",
    "content-security-policy-report-only",
    "cross-origin-embedder-policy",
    "cross-origin-opener-policy",
    "permissions-policy",
    "referrer-policy",
    "x-content-type-options",
    "x-frame-options",
];

/// The marker header on every shell response (djust's).
pub const SHELL_MARKER: (&str, &str) = ("X-Djust-Shell-Cached", "1");

/// Every decision of liveshell's service worker: messages, navigations, main-only fetches and
/// persistence. See the [module docs](super).
#[derive(Debug)]
pub struct Worker {
    options: WorkerOptions,
    scope: Url,
    gate: SourceGate,
    bridge: Bridge,
    vdom: VdomCache,
    state: StateCache,
    routes: ShellRoutes,
    shell: ShellRule,
    fetches: MainOnlyFetches,
}

/// Why a [`Worker`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkerError {
    /// The registration's scope is not an absolute `http(s)` URL.
    #[error("the scope `{scope}` is not an absolute http or https url")]
    BadScope {
        /// The scope as given.
        scope: String,
    },
    /// The [`WorkerOptions`] do not [`validate`](WorkerOptions::validate).
    #[error(transparent)]
    Options(#[from] OptionsError),
}

impl Worker {
    /// A worker for the registration's `scope` (`self.registration.scope`).
    ///
    /// # Errors
    ///
    /// [`WorkerError::BadScope`] when `scope` is not an absolute `http(s)` URL,
    /// [`WorkerError::Options`] when the options do not validate.
    pub fn new(scope: &str, options: WorkerOptions) -> Result<Self, WorkerError> {
        options.validate()?;
        let bad = || WorkerError::BadScope {
            scope: scope.to_owned(),
        };
        let gate = SourceGate::new(scope).map_err(|_| bad())?;
        let url = Url::parse(gate.scope()).map_err(|_| bad())?;
        let fetches = MainOnlyFetches::new(
            scope,
            options.coordinator(),
            options.main_only_max_body_bytes,
        )
        .map_err(|_| bad())?;
        Ok(Self {
            scope: url,
            gate,
            bridge: Bridge::new(options.bridge.clone()),
            vdom: VdomCache::new(options.vdom_max_entry_bytes, options.vdom_max_total_bytes),
            state: StateCache::default(),
            routes: ShellRoutes::new(
                options.include.clone(),
                options.exclude.clone(),
                options.relearn_after,
                options.max_learnt,
            ),
            shell: ShellRule::new(options.revalidate_after),
            fetches,
            options,
        })
    }

    /// One `message` event at `now` (the wall clock reading `unix_ms`, `Date.now()`):
    /// `event.origin`, `event.source`, and `event.data` as JSON text.
    ///
    /// # Errors
    ///
    /// [`Refused`] when the gate or the decoding refuses it: ignore the message.
    pub fn handle_message(
        &mut self,
        now: Instant,
        unix_ms: f64,
        origin: Option<&str>,
        source: Option<&Source<'_>>,
        data: &str,
    ) -> Result<Handled, Refused> {
        self.gate.check(origin, source).map_err(Refused::Gate)?;
        let message = decode(data)?;
        self.handle_decoded(now, unix_ms, message)
    }

    /// [`handle_message`](Self::handle_message) for a message already decoded and gated.
    ///
    /// # Errors
    ///
    /// [`Refused`] for a URL outside the worker's origin or a VDOM page over its budget.
    pub fn handle_decoded(
        &mut self,
        now: Instant,
        unix_ms: f64,
        message: Message,
    ) -> Result<Handled, Refused> {
        let mut out = Handled::default();
        let stamp = |ts: Option<Number>| {
            ts.unwrap_or_else(|| Number::from_f64(unix_ms.floor()).unwrap_or_else(|| 0.into()))
        };
        match message {
            Message::Bridge(m) => {
                out.reply = self.bridge.handle(now, m).map(Reply::Drain);
                out.dirty.bridge = true;
            }
            Message::ClearShell => {
                self.shell.clear();
                out.clear_shell = true;
                out.dirty.shell = true;
            }
            Message::VdomConfig { ttl, max_entries } => {
                self.vdom.configure(now, ttl, max_entries);
                out.dirty.vdom = true;
            }
            Message::VdomCache {
                url,
                html,
                version,
                ts,
            } => {
                let url = self
                    .resolve(&url)
                    .ok_or(Refused::ForeignUrl { kind: "VDOM_CACHE" })?;
                let entry = VdomEntry {
                    html,
                    version,
                    ts: stamp(ts),
                };
                self.vdom.put(now, url.as_str(), entry)?;
                out.dirty.vdom = true;
            }
            Message::VdomCacheLookup { request_id, url } => {
                let url = url.and_then(|u| self.resolve(&u));
                let reply = self
                    .vdom
                    .lookup(now, request_id, url.as_ref().map(Url::as_str));
                // A stale entry was removed by the lookup.
                out.dirty.vdom = reply.stale;
                out.reply = Some(Reply::Vdom(reply));
            }
            Message::StateSnapshot {
                url,
                view_slug,
                state_json,
                ts,
            } => {
                let url = self.resolve(&url).ok_or(Refused::ForeignUrl {
                    kind: "STATE_SNAPSHOT",
                })?;
                let entry = StateEntry {
                    view_slug,
                    state_json,
                    ts: stamp(ts),
                };
                self.state.put(now, url.as_str(), entry)?;
                out.dirty.state = true;
            }
            Message::StateSnapshotLookup {
                request_id,
                url,
                max_age,
            } => {
                let url = url.and_then(|u| self.resolve(&u));
                let before = self.state.len();
                let reply = self.state.lookup(
                    now,
                    unix_ms,
                    request_id,
                    url.as_ref().map(Url::as_str),
                    max_age,
                );
                out.dirty.state = self.state.len() != before;
                out.reply = Some(Reply::State(reply));
            }
            Message::ClearVdomCache => {
                self.vdom.clear();
                out.dirty.vdom = true;
            }
            Message::ClearStateCache => {
                self.state.clear();
                out.dirty.state = true;
            }
            Message::Prefetch { url } => {
                let url = self
                    .resolve(&url)
                    .ok_or(Refused::ForeignUrl { kind: "PREFETCH" })?;
                if self.routes.route(now, &url) != Route::NotShell {
                    out.prefetch = self
                        .fetches
                        .prefetch(now, url.as_str())
                        .map(|ticket| (ticket, url.into()));
                }
            }
        }
        Ok(out)
    }

    /// One `fetch` event at `now`.
    ///
    /// - A request with `X-Djust-Main-Only: 1` (any method `GET`, any mode) goes to the
    ///   main-only fetches: it joins a prefetch in flight, is answered by one, or fetches.
    ///   It is never answered with the shell.
    /// - Anything but a `GET` navigation inside the scope is ignored (djust's rule).
    /// - A speculative navigation (`Sec-Purpose: prefetch`, Chromium's speculation rules)
    ///   gets the network, never the shell: the prefetched document must be the page.
    /// - A navigation the route policy says is [`Route::Shell`] gets the shell when one is
    ///   cached; one it says is [`Route::NotShell`] is ignored; an unknown one goes to the
    ///   network, and its response teaches the policy.
    pub fn handle_fetch(&mut self, now: Instant, request: &FetchRequest<'_>) -> FetchDecision {
        let Some(url) = self.resolve(request.url) else {
            return FetchDecision::Ignore;
        };
        if request.method != "GET" {
            return FetchDecision::Ignore;
        }
        if is_requested(request.headers) {
            return FetchDecision::MainOnly(self.fetches.request(now, url.as_str()));
        }
        if request.mode != "navigate" || !in_scope(&self.scope, &url) {
            return FetchDecision::Ignore;
        }
        if is_speculative(request.headers) {
            return FetchDecision::Network;
        }
        match self.routes.route(now, &url) {
            Route::NotShell => FetchDecision::Ignore,
            Route::Unknown => FetchDecision::Network,
            Route::Shell if self.shell.has_shell() => FetchDecision::Shell {
                revalidate: self.shell.serve(now),
            },
            Route::Shell => FetchDecision::Network,
        }
    }

    /// Whether the host should read the body of a navigation response with this status and
    /// `Content-Type` to hand it to [`handle_navigation_response`](Self::handle_navigation_response):
    /// only a 200 UTF-8 HTML page can give a shell (a PDF is never read, and a page in another
    /// charset would be garbled by the host's `Response.text()`).
    #[must_use]
    pub fn wants_body(status: u16, content_type: Option<&str>) -> bool {
        let lines: &[(&str, &str)] = match &content_type {
            Some(value) => &[("content-type", value)],
            None => &[],
        };
        status == 200 && is_utf8_html(lines)
    }

    /// A navigation's response from the network (a first load, a revalidation), at `now`:
    /// teaches the route policy (an HTML page with a `<main>`, or not) and, when the page
    /// has a main, offers its shell, split by [`crate::shell::split`].
    pub fn handle_navigation_response(
        &mut self,
        now: Instant,
        url: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> ShellAction {
        let Some(url) = self.resolve(url) else {
            return ShellAction::Keep;
        };
        let split = body
            .filter(|_| status == 200 && is_utf8_html(headers))
            .and_then(crate::shell::split);
        self.routes.learn(now, &url, split.is_some());
        let Some(split) = split else {
            return ShellAction::Keep;
        };
        match self.shell.offer(now, &split.shell) {
            ShellUpdate::Unchanged => ShellAction::Keep,
            ShellUpdate::Store | ShellUpdate::Replace => ShellAction::Store {
                html: split.shell,
                headers: shell_headers(headers),
            },
        }
    }

    /// The host found no shell in Cache Storage although [`handle_fetch`](Self::handle_fetch)
    /// said to serve it (the browser evicted it): forget it, so the next navigation fetches.
    pub fn handle_shell_missing(&mut self, _now: Instant) {
        self.shell.clear();
    }

    /// A main-only fetch `ticket` finished at `now` with `response` (`None`: a network error).
    /// Returns the waiters to answer with it. A 200 HTML response carrying liveshell's
    /// `X-Djust-Main-Only-Response` marker teaches the route policy that `url`'s page has a
    /// main, so a click on a hovered link is answered with the shell.
    #[must_use]
    pub fn handle_main_only_response(
        &mut self,
        now: Instant,
        ticket: FetchTicket,
        url: &str,
        response: Option<&StoredResponse>,
    ) -> Vec<Waiter> {
        if let (Some(r), Some(url)) = (response, self.resolve(url)) {
            let marked = r
                .headers
                .values(crate::main_only::RESPONSE_HEADER)
                .next()
                .is_some();
            if r.status == 200 && is_utf8_html(&r.headers) && marked {
                self.routes.learn(now, &url, true);
            }
        }
        self.fetches.complete(now, ticket, response)
    }

    /// The earliest deadline of any timed part (the bridge's idle collection, the main-only
    /// fetches' fresh windows).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.bridge.poll_timeout(), self.fetches.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Applies the deadlines due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.bridge.handle_timeout(now);
        self.fetches.handle_timeout(now);
    }

    /// Sizes, for logs and tests.
    #[must_use]
    pub fn summary(&self) -> Value {
        serde_json::json!({
            "shell": self.shell.has_shell(),
            "learnt": self.routes.learnt(),
            "connections": self.bridge.len(),
            "vdom": self.vdom.len(),
            "state": self.state.len(),
            "mainOnlyKept": self.fetches.kept(),
            "mainOnlyInFlight": self.fetches.in_flight(),
        })
    }

    /// One part, saved at `now` (the wall clock reading `unix_ms`) as JSON text for storage.
    #[must_use]
    pub fn save(&self, now: Instant, unix_ms: f64, part: Part) -> String {
        let data = match part {
            Part::Bridge => serde_json::to_value(self.bridge.save(now)),
            Part::Vdom => serde_json::to_value(self.vdom.save(now)),
            Part::State => serde_json::to_value(self.state.save(now)),
            Part::Shell => serde_json::to_value(SavedShellPart {
                shell: self.shell.save(now),
                routes: self.routes.save(now),
            }),
        }
        // Every part is plain data (strings, integers, durations): serialising cannot fail.
        .unwrap_or(Value::Null);
        serde_json::json!({ "format": FORMAT, "savedAt": unix_ms, "data": data }).to_string()
    }

    /// Restores one part saved by [`save`](Self::save), at `now` (the wall clock reading
    /// `unix_ms`): the time the worker was stopped counts towards every age. What cannot be
    /// restored (another format, malformed JSON) is dropped and reported; the part starts
    /// empty then. Restore before handling any message.
    ///
    /// # Errors
    ///
    /// A description of why the save was dropped.
    pub fn restore(
        &mut self,
        now: Instant,
        unix_ms: f64,
        part: Part,
        json: &str,
    ) -> Result<(), String> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Envelope {
            format: u32,
            saved_at: f64,
            data: Value,
        }
        let envelope: Envelope = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if envelope.format != FORMAT {
            return Err(format!("unsupported format {}", envelope.format));
        }
        let stopped = (unix_ms - envelope.saved_at).max(0.0) / 1000.0;
        let stopped = Duration::try_from_secs_f64(stopped).unwrap_or(Duration::MAX);
        // The save's ages are measured from `then`; one that cannot be represented keeps `now`.
        let then = now.checked_sub(stopped).unwrap_or(now);
        let data = envelope.data;
        match part {
            Part::Bridge => {
                let saved: SavedBridge = serde_json::from_value(data).map_err(|e| e.to_string())?;
                self.bridge = Bridge::restore(self.options.bridge.clone(), then, saved);
                // Ages were re-based on `then`; collect what idled out while stopped.
                self.bridge.handle_timeout(now);
            }
            Part::Vdom => {
                let saved: SavedVdomOwned =
                    serde_json::from_value(data).map_err(|e| e.to_string())?;
                self.vdom = VdomCache::restore(
                    then,
                    saved,
                    self.options.vdom_max_entry_bytes,
                    self.options.vdom_max_total_bytes,
                )
                .map_err(|e| e.to_string())?;
            }
            Part::State => {
                let saved = serde_json::from_value(data).map_err(|e| e.to_string())?;
                self.state = StateCache::restore(then, saved).map_err(|e| e.to_string())?;
            }
            Part::Shell => {
                let saved: SavedShellPart =
                    serde_json::from_value(data).map_err(|e| e.to_string())?;
                self.shell.restore(then, saved.shell);
                self.routes.forget();
                self.routes.restore(then, saved.routes);
            }
        }
        Ok(())
    }

    /// `url` resolved against the scope, fragment dropped, if it is `http(s)` on the worker's
    /// origin.
    fn resolve(&self, url: &str) -> Option<Url> {
        let mut url = self.scope.join(url).ok()?;
        url.set_fragment(None);
        (url.origin() == self.scope.origin()).then_some(url)
    }
}

impl Timed for Worker {
    fn poll_timeout(&self) -> Option<Instant> {
        Self::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Self::handle_timeout(self, now);
    }
}

/// The persisted-state format [`Worker::save`] writes.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct SavedShellPart {
    shell: Option<SavedShell>,
    routes: Vec<SavedLesson>,
}

fn in_scope(scope: &Url, url: &Url) -> bool {
    url.path().starts_with(scope.path())
}

/// Whether the `Content-Type` lines say HTML or XHTML in UTF-8 (main-only's reader).
fn is_utf8_html(headers: &(impl Headers + ?Sized)) -> bool {
    content_type(headers) == ContentType::Html { utf8: true }
}

/// The headers a shell is served with: from the page's response its `Content-Type`,
/// `Content-Language` and security policies (`Content-Security-Policy`, `Referrer-Policy`,
/// `Permissions-Policy`, `X-Frame-Options`, ...), plus
/// [`SHELL_MARKER`].
#[must_use]
pub fn shell_headers(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| SHELL_HEADERS.iter().any(|k| n.eq_ignore_ascii_case(k)))
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    kept.push((SHELL_MARKER.0.to_owned(), SHELL_MARKER.1.to_owned()));
    kept
}
