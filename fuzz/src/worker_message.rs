//! worker_message: raw and structured messages, fetch events and restarts into the service
//! worker's core (`liveshell::worker`).
//!
//! Nothing may panic, whatever arrives. Every accepted lookup is answered, and every reply has
//! exactly djust 1.2.6's fields in djust's order; `decode` of the same text twice agrees; a
//! worker restored from its own saves answers like the one that saved them.

use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use liveshell::reconnect::{BridgeMessage, Source};
use liveshell::time::{Clock, Instant, SystemClock};
use liveshell::worker::{
    FetchRequest, Message, Part, Reply, StoredResponse, Worker, WorkerOptions, decode,
};
use serde_json::{Map, Value, json};

const SCOPE: &str = "http://127.0.0.1:8000/";
const ORIGIN: Option<&str> = Some("http://127.0.0.1:8000");
const TYPES: &[&str] = &[
    "DJUST_BUFFER",
    "DJUST_DRAIN",
    "DJUST_CLEAR_SHELL",
    "VDOM_CONFIG",
    "VDOM_CACHE",
    "VDOM_CACHE_LOOKUP",
    "STATE_SNAPSHOT",
    "STATE_SNAPSHOT_LOOKUP",
    "DJUST_CLEAR_VDOM_CACHE",
    "DJUST_CLEAR_STATE_CACHE",
    "PREFETCH",
];
const FIELDS: &[&str] = &[
    "connectionId",
    "payload",
    "url",
    "html",
    "version",
    "ts",
    "requestId",
    "view_slug",
    "state_json",
    "max_age_seconds",
    "ttl_seconds",
    "max_entries",
];

#[derive(Arbitrary, Debug)]
enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    Path(u8),
    Json(&'a str),
}

impl Val<'_> {
    fn to_json(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => json!(b),
            Self::Int(n) => json!(n),
            Self::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
            Self::Text(s) => json!(s),
            Self::Path(n) => json!(format!("/p{}/", n % 8)),
            Self::Json(s) => serde_json::from_str(s).unwrap_or_else(|_| json!(s)),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Op<'a> {
    /// Any text as the message's JSON.
    Raw(&'a str),
    /// A known type with arbitrary fields.
    Message(u8, Vec<(u8, Val<'a>)>),
    /// A fetch event.
    Fetch {
        path: u8,
        mode: u8,
        main_only: bool,
        speculative: bool,
    },
    /// A navigation's response.
    Navigation {
        path: u8,
        status: u16,
        html: bool,
        body: &'a str,
    },
    /// A main-only response for the most recent prefetch.
    MainOnly {
        status: u16,
        body: &'a str,
        reusable: bool,
    },
    /// Time passes (milliseconds on both clocks).
    Advance(u32),
    /// The browser stops the worker; a new one restores the saves.
    Restart(u32),
}

fn check_reply(reply: &Reply) {
    let text = serde_json::to_string(reply).expect("a reply serialises");
    let value: Value = serde_json::from_str(&text).expect("a reply is JSON");
    let expected: &[&str] = match value["type"].as_str() {
        Some("DJUST_DRAIN_REPLY") => &["type", "connectionId", "messages", "dropped"],
        Some("VDOM_CACHE_REPLY") => &["type", "requestId", "hit", "stale", "html", "version", "ts"],
        Some("STATE_SNAPSHOT_REPLY") => {
            &["type", "requestId", "hit", "view_slug", "state_json", "ts"]
        }
        other => panic!("unknown reply type {other:?}"),
    };
    // djust's fields in djust's order (the drain's `dropped` only when non-zero), nothing else:
    // rebuild the text in that order from the parsed fields and compare.
    let fields = value.as_object().expect("an object");
    let mut rebuilt = String::from("{");
    for key in expected {
        if let Some(v) = fields.get(*key) {
            if rebuilt.len() > 1 {
                rebuilt.push(',');
            }
            rebuilt.push_str(&format!("{}:{}", json!(key), v));
        } else {
            assert_eq!(*key, "dropped", "{key} missing from {text}");
        }
    }
    rebuilt.push('}');
    assert_eq!(rebuilt, text);
    if value["hit"] == json!(false) {
        assert!(value.get("html").is_none_or(Value::is_null));
        assert!(value.get("state_json").is_none_or(Value::is_null));
    }
}

fn saves(w: &Worker, now: Instant, unix_ms: f64) -> Vec<(Part, String)> {
    [Part::Bridge, Part::Vdom, Part::State, Part::Shell]
        .into_iter()
        .map(|p| (p, w.save(now, unix_ms, p)))
        .collect()
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(ops) = Vec::<Op>::arbitrary(&mut u) else {
        return;
    };
    let mut now = SystemClock.now() + Duration::from_secs(365 * 24 * 3600);
    let mut unix_ms = 1_700_000_000_000.0;
    let mut worker = Worker::new(SCOPE, WorkerOptions::default()).expect("a valid scope");
    let page = Source::window("http://127.0.0.1:8000/p1/");
    let mut last_prefetch: Option<(liveshell::coordinator::FetchTicket, String)> = None;
    for op in ops.into_iter().take(64) {
        let text = match op {
            Op::Raw(s) => Some(s.to_owned()),
            Op::Message(kind, fields) => {
                let mut map = Map::new();
                map.insert("type".into(), json!(TYPES[usize::from(kind) % TYPES.len()]));
                for (name, value) in fields.iter().take(8) {
                    map.insert(
                        FIELDS[usize::from(*name) % FIELDS.len()].into(),
                        value.to_json(),
                    );
                }
                Some(Value::Object(map).to_string())
            }
            Op::Fetch {
                path,
                mode,
                main_only,
                speculative,
            } => {
                let url = format!("http://127.0.0.1:8000/p{}/", path % 8);
                let mut headers = Vec::new();
                if main_only {
                    headers.push(("X-Djust-Main-Only", "1"));
                }
                if speculative {
                    headers.push(("Sec-Purpose", "prefetch"));
                }
                let mode = ["navigate", "cors", "same-origin", "no-cors"][usize::from(mode) % 4];
                let request = FetchRequest {
                    url: &url,
                    method: "GET",
                    mode,
                    headers: &headers,
                };
                let _ = worker.handle_fetch(now, &request);
                None
            }
            Op::Navigation {
                path,
                status,
                html,
                body,
            } => {
                let url = format!("http://127.0.0.1:8000/p{}/", path % 8);
                let ct = if html { "text/html" } else { "application/pdf" };
                let _ = worker.handle_navigation_response(
                    now,
                    &url,
                    status,
                    &[("content-type", ct)],
                    Some(body),
                );
                None
            }
            Op::MainOnly {
                status,
                body,
                reusable,
            } => {
                if let Some((ticket, url)) = last_prefetch.take() {
                    let cc = if reusable { "max-age=60" } else { "no-store" };
                    let response = StoredResponse::read(
                        status,
                        vec![
                            ("cache-control".into(), cc.into()),
                            ("content-type".into(), "text/html".into()),
                        ],
                        body.to_owned(),
                    );
                    let _ = worker.handle_main_only_response(now, ticket, &url, Some(&response));
                }
                None
            }
            Op::Advance(ms) => {
                now += Duration::from_millis(u64::from(ms));
                unix_ms += f64::from(ms);
                worker.handle_timeout(now);
                None
            }
            Op::Restart(ms) => {
                let saved = saves(&worker, now, unix_ms);
                let before = worker.summary();
                now += Duration::from_millis(u64::from(ms % 1000));
                let mut fresh =
                    Worker::new(SCOPE, WorkerOptions::default()).expect("a valid scope");
                for (part, json) in &saved {
                    fresh
                        .restore(now, unix_ms, *part, json)
                        .expect("a worker restores its own save");
                }
                // Nothing expires within a second of stopping at these bounds: same sizes.
                let after = fresh.summary();
                for key in ["shell", "learnt", "vdom", "state"] {
                    assert_eq!(before[key], after[key], "{key} after a restart");
                }
                worker = fresh;
                None
            }
        };
        let Some(text) = text else { continue };
        let first = decode(&text);
        assert_eq!(first, decode(&text), "decoding is deterministic");
        // Decoded lookups (and drains) are always answered, never refused.
        let answered = matches!(
            first,
            Ok(Message::VdomCacheLookup { .. }
                | Message::StateSnapshotLookup { .. }
                | Message::Bridge(BridgeMessage::Drain { .. }))
        );
        match worker.handle_message(now, unix_ms, ORIGIN, Some(&page), &text) {
            Ok(handled) => {
                match &handled.reply {
                    Some(reply) => check_reply(reply),
                    None => assert!(!answered, "a lookup is always answered: {text}"),
                }
                if let Some(p) = handled.prefetch {
                    last_prefetch = Some(p);
                }
            }
            Err(_) => assert!(!answered, "a decoded lookup is never refused: {text}"),
        }
    }
}
