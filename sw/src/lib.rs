//! wasm-bindgen exports over [`liveshell::worker`] for `js/worker.js`.
//!
//! Every value crosses as a string (JSON for structures), so the glue needs no bindings beyond
//! wasm-bindgen's own and the module stays small. Nothing here decides anything: it converts
//! and delegates to [`Worker`].

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::time::Duration;

use liveshell::coordinator::{FetchTicket, Waiter};
use liveshell::reconnect::{Source, SourceKind};
use liveshell::time::{Clock, Instant, SystemClock};
use liveshell::worker::{
    FetchDecision, FetchRequest, MainOnlyStart, Part, Reply, ShellAction, StoredResponse, Worker,
    WorkerOptions,
};
use serde::Serialize;
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

/// A fresh worker's `performance.now()` starts near zero, and a restored part's instants lie
/// before it by the ages it saved: every `now` is offset by a year so they stay representable.
const CLOCK_OFFSET: Duration = Duration::from_secs(365 * 24 * 3600);

fn now() -> Instant {
    SystemClock.now() + CLOCK_OFFSET
}

fn part(name: &str) -> Option<Part> {
    serde_json::from_value(Value::String(name.to_owned())).ok()
}

fn headers(json: &str) -> Vec<(String, String)> {
    serde_json::from_str(json).unwrap_or_default()
}

fn borrowed(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

fn response_json(r: &StoredResponse) -> Value {
    json!({"status": r.status, "headers": r.headers, "body": r.body})
}

/// The worker's core, one per service-worker global.
#[wasm_bindgen]
pub struct LiveshellWorker {
    worker: Worker,
    tickets: HashMap<String, FetchTicket>,
}

#[wasm_bindgen]
impl LiveshellWorker {
    /// A core for `scope` (`self.registration.scope`), configured by the worker script URL's
    /// query string (`self.location.search`, see `WorkerOptions::from_query`).
    #[wasm_bindgen(constructor)]
    pub fn new(scope: &str, query: &str) -> Result<LiveshellWorker, JsError> {
        let worker = Worker::new(scope, WorkerOptions::from_query(query))
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Self {
            worker,
            tickets: HashMap::new(),
        })
    }

    /// A `message` event: returns `{reply, clearShell, prefetch: {ticket, url} | null,
    /// dirty: [part], refused: reason | null}`.
    pub fn message(
        &mut self,
        unix_ms: f64,
        origin: Option<String>,
        source_type: Option<String>,
        source_url: Option<String>,
        data: &str,
    ) -> String {
        let now = now();
        self.worker.handle_timeout(now);
        let kind = source_type
            .as_deref()
            .map_or(SourceKind::Other, SourceKind::from_client_type);
        let source = source_type
            .as_ref()
            .map(|_| Source::new(kind, source_url.as_deref()));
        let out =
            match self
                .worker
                .handle_message(now, unix_ms, origin.as_deref(), source.as_ref(), data)
            {
                Ok(h) => h,
                Err(refused) => return json!({"refused": refused.to_string()}).to_string(),
            };
        // A struct, not a `json!` value: the reply keeps djust's field order (a `Value` map
        // would sort its keys).
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            reply: Option<&'a Reply>,
            clear_shell: bool,
            prefetch: Option<Value>,
            dirty: Vec<&'static str>,
            refused: Option<String>,
        }
        let prefetch = out.prefetch.map(|(ticket, url)| {
            let id = ticket.to_string();
            self.tickets.insert(id.clone(), ticket);
            json!({"ticket": id, "url": url})
        });
        let d = out.dirty;
        let dirty: Vec<&'static str> = [
            (d.bridge, "bridge"),
            (d.vdom, "vdom"),
            (d.state, "state"),
            (d.shell, "shell"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        let out = Out {
            reply: out.reply.as_ref(),
            clear_shell: out.clear_shell,
            prefetch,
            dirty,
            refused: None,
        };
        serde_json::to_string(&out)
            .unwrap_or_else(|e| json!({"refused": e.to_string()}).to_string())
    }

    /// A `fetch` event: returns `{action: "ignore" | "network" | "shell" | "fetch" | "join" |
    /// "answer", revalidate, ticket, waiter, response}`.
    pub fn fetch(&mut self, url: &str, method: &str, mode: &str, headers_json: &str) -> String {
        let now = now();
        self.worker.handle_timeout(now);
        let owned = headers(headers_json);
        let lines = borrowed(&owned);
        let request = FetchRequest {
            url,
            method,
            mode,
            headers: &lines,
        };
        match self.worker.handle_fetch(now, &request) {
            FetchDecision::Ignore => json!({"action": "ignore"}),
            FetchDecision::Network => json!({"action": "network"}),
            FetchDecision::Shell { revalidate } => {
                json!({"action": "shell", "revalidate": revalidate})
            }
            FetchDecision::MainOnly(MainOnlyStart::Fetch(ticket)) => {
                let id = ticket.to_string();
                self.tickets.insert(id.clone(), ticket);
                json!({"action": "fetch", "ticket": id})
            }
            FetchDecision::MainOnly(MainOnlyStart::Join(waiter)) => {
                json!({"action": "join", "waiter": waiter.to_string()})
            }
            FetchDecision::MainOnly(MainOnlyStart::Answer(r)) => {
                json!({"action": "answer", "response": response_json(&r)})
            }
        }
        .to_string()
    }

    /// Whether a navigation response's body should be read and passed to
    /// `navigationResponse`.
    #[wasm_bindgen(js_name = wantsBody)]
    pub fn wants_body(status: u16, content_type: Option<String>) -> bool {
        Worker::wants_body(status, content_type.as_deref())
    }

    /// A navigation's network response: returns `{store: {html, headers} | null}`.
    #[wasm_bindgen(js_name = navigationResponse)]
    pub fn navigation_response(
        &mut self,
        url: &str,
        status: u16,
        headers_json: &str,
        body: Option<String>,
    ) -> String {
        let owned = headers(headers_json);
        let lines = borrowed(&owned);
        match self
            .worker
            .handle_navigation_response(now(), url, status, &lines, body.as_deref())
        {
            ShellAction::Keep => json!({"store": null}),
            ShellAction::Store { html, headers } => {
                json!({"store": {"html": html, "headers": headers}})
            }
        }
        .to_string()
    }

    /// The shell was not in Cache Storage after all.
    #[wasm_bindgen(js_name = shellMissing)]
    pub fn shell_missing(&mut self) {
        self.worker.handle_shell_missing(now());
    }

    /// A main-only fetch finished: `response_json` is `{status, headers, body}` or `null` for a
    /// network error. Returns `{waiters: [id]}` to answer with it.
    #[wasm_bindgen(js_name = mainOnlyResponse)]
    pub fn main_only_response(
        &mut self,
        ticket: &str,
        url: &str,
        response_json: Option<String>,
    ) -> String {
        let response = response_json
            .and_then(|j| serde_json::from_str::<Value>(&j).ok())
            .map(|v| {
                StoredResponse::read(
                    v["status"]
                        .as_u64()
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(0),
                    serde_json::from_value(v["headers"].clone()).unwrap_or_default(),
                    v["body"].as_str().unwrap_or_default().to_owned(),
                )
            });
        let waiters: Vec<Waiter> = match self.tickets.remove(ticket) {
            Some(t) => self
                .worker
                .handle_main_only_response(now(), t, url, response.as_ref()),
            None => Vec::new(),
        };
        let ids: Vec<String> = waiters.iter().map(ToString::to_string).collect();
        json!({"waiters": ids}).to_string()
    }

    /// One persisted part (`"bridge"`, `"vdom"`, `"state"`, `"shell"`) as JSON text.
    pub fn save(&self, unix_ms: f64, part_name: &str) -> Option<String> {
        part(part_name).map(|p| self.worker.save(now(), unix_ms, p))
    }

    /// Restores one part; returns why it was dropped, or `undefined`.
    pub fn restore(&mut self, unix_ms: f64, part_name: &str, json: &str) -> Option<String> {
        let p = part(part_name)?;
        self.worker.restore(now(), unix_ms, p, json).err()
    }

    /// Sizes of what the worker holds, as JSON.
    pub fn summary(&self) -> String {
        self.worker.summary().to_string()
    }
}

/// `liveshell::shell::split` for measurements: `{shell, main}`, both `null` without a main.
#[wasm_bindgen]
pub fn split(html: &str) -> String {
    match liveshell::shell::split(html) {
        Some(s) => json!({"shell": s.shell, "main": s.main}),
        None => json!({"shell": null, "main": null}),
    }
    .to_string()
}
