//! Decoding the messages a page posts to the worker, and the replies it posts back.

use std::num::NonZeroUsize;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::reconnect::{BUFFER_TYPE, BridgeMessage, DRAIN_TYPE};
use crate::snapshot::{self, SnapshotError, SnapshotOptions};

/// The largest message [`decode`] parses: 4 MiB of JSON text. Anything bigger is
/// [`Refused::TooLarge`] before it is parsed. Every accepted message fits: the bridge keeps at
/// most 256 KiB per connection, a state snapshot at most 256 KiB and a VDOM snapshot at most
/// [`DEFAULT_VDOM_MAX_ENTRY_BYTES`](super::DEFAULT_VDOM_MAX_ENTRY_BYTES).
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// djust 1.2.6's default state-snapshot lifetime when a lookup names none: 3600 s.
pub const STATE_DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);

/// A message djust's client posts to its service worker, decoded (see [`decode`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// `DJUST_BUFFER` or `DJUST_DRAIN`, for the [`Bridge`](crate::reconnect::Bridge).
    Bridge(BridgeMessage),
    /// `DJUST_CLEAR_SHELL`: forget the cached shell.
    ClearShell,
    /// `VDOM_CONFIG {ttl_seconds, max_entries}`: each applies only if it is a number above 0
    /// (`ttl_seconds`, floored to whole seconds) or at least 1 (`max_entries`, floored).
    VdomConfig {
        /// The new VDOM-cache lifetime.
        ttl: Option<Duration>,
        /// The new VDOM-cache cap.
        max_entries: Option<NonZeroUsize>,
    },
    /// `VDOM_CACHE {url, html, version, ts}`: store a rendered page.
    VdomCache {
        /// The page's URL as posted (resolved against the scope when stored).
        url: String,
        /// Its HTML.
        html: String,
        /// `version` if it is a number, else `0`.
        version: Number,
        /// `ts` if it is a number, else `None` (the worker stamps its own time).
        ts: Option<Number>,
    },
    /// `VDOM_CACHE_LOOKUP {requestId, url}`: always answered with a [`VdomCacheReply`].
    VdomCacheLookup {
        /// Echoed back as it came (`null` when absent).
        request_id: Value,
        /// `None` when `url` is not a non-empty string: the reply is a miss.
        url: Option<String>,
    },
    /// `STATE_SNAPSHOT {url, view_slug, state_json, ts}`: store a view's state.
    StateSnapshot {
        /// The page's URL as posted.
        url: String,
        /// `view_slug` if it is a string, else `""`.
        view_slug: String,
        /// The state, checked by [`snapshot::validate`] under [`SnapshotOptions::service_worker`].
        state_json: String,
        /// `ts` if it is a number, else `None` (the worker stamps its own time).
        ts: Option<Number>,
    },
    /// `STATE_SNAPSHOT_LOOKUP {requestId, url, max_age_seconds}`: always answered with a
    /// [`StateSnapshotReply`].
    StateSnapshotLookup {
        /// Echoed back as it came (`null` when absent).
        request_id: Value,
        /// `None` when `url` is not a non-empty string: the reply is a miss.
        url: Option<String>,
        /// `max_age_seconds` if it is a number above 0, else [`STATE_DEFAULT_MAX_AGE`].
        max_age: Duration,
    },
    /// `DJUST_CLEAR_VDOM_CACHE`.
    ClearVdomCache,
    /// `DJUST_CLEAR_STATE_CACHE`.
    ClearStateCache,
    /// `PREFETCH {url}`, posted by djust's client on hover (djust's own worker ignores it).
    Prefetch {
        /// `link.href`.
        url: String,
    },
}

/// Why a message was not acted on. The worker ignores it (nothing is posted back, nothing
/// throws); the reason is for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// Longer than [`MAX_MESSAGE_BYTES`].
    #[error("message of {len} bytes is over the {MAX_MESSAGE_BYTES}-byte cap")]
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// Not JSON text (the glue could not serialise the posted value, or sent garbage).
    #[error("message is not json: {reason}")]
    NotJson {
        /// serde_json's error, as text.
        reason: String,
    },
    /// Not a JSON object (djust: `typeof msg !== 'object'`, or `null`).
    #[error("message is not an object")]
    NotAnObject,
    /// No `type`, or a falsy one (djust: `!msg.type`).
    #[error("message has no type")]
    NoType,
    /// A `type` no worker handles.
    #[error("unknown message type")]
    UnknownType,
    /// A store message without a non-empty string `url`.
    #[error("{kind}: `url` is not a non-empty string")]
    BadUrl {
        /// The message type.
        kind: &'static str,
    },
    /// A field of the wrong type (for example `html` not a string).
    #[error("{kind}: `{field}` is not a string")]
    NotAString {
        /// The message type.
        kind: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A state snapshot that [`snapshot::validate`] refuses: not strict JSON, not an object,
    /// over the byte, key or depth caps, duplicate keys.
    #[error("STATE_SNAPSHOT: {0}")]
    State(SnapshotError),
    /// The message gate refused the sender (origin, client type, scope).
    #[error("gate: {0}")]
    Gate(crate::reconnect::SourceError),
    /// A URL the worker will not key a cache by (not `http(s)`, another origin, unparseable).
    #[error("{kind}: url outside the worker's origin or unusable")]
    ForeignUrl {
        /// The message type.
        kind: &'static str,
    },
    /// A VDOM snapshot over the cache's per-entry or total byte budget.
    #[error("VDOM_CACHE: html over the byte budget")]
    TooBig,
}

/// Decodes one posted message from its JSON text (the glue's `JSON.stringify(event.data)`).
///
/// The rules are djust 1.2.6's `message` handler, field by field, with three deliberate
/// differences: a `url` must be a string (djust also accepts any truthy value and lets
/// Cache Storage stringify it), a state snapshot must pass [`snapshot::validate`] (strict
/// JSON, at most 256 KiB of UTF-8, where djust counts UTF-16 units and stores any string),
/// and nothing above [`MAX_MESSAGE_BYTES`] is parsed.
///
/// # Errors
///
/// A [`Refused`] saying why the message is ignored; never a panic, whatever the input.
///
/// # Examples
///
/// ```
/// use liveshell::worker::{Message, Refused, decode};
///
/// let msg = decode(r#"{"type":"PREFETCH","url":"http://localhost/orders/"}"#).unwrap();
/// assert_eq!(msg, Message::Prefetch { url: "http://localhost/orders/".into() });
/// // Not JSON state: djust stores any string, liveshell refuses it.
/// let bad = decode(r#"{"type":"STATE_SNAPSHOT","url":"/a","state_json":"{oops"}"#);
/// assert!(matches!(bad, Err(Refused::State(_))));
/// assert_eq!(decode("[1]"), Err(Refused::NoType));
/// ```
pub fn decode(data: &str) -> Result<Message, Refused> {
    if data.len() > MAX_MESSAGE_BYTES {
        return Err(Refused::TooLarge { len: data.len() });
    }
    let value: Value = serde_json::from_str(data).map_err(|e| Refused::NotJson {
        reason: e.to_string(),
    })?;
    decode_value(value)
}

/// [`decode`] for a value already parsed.
///
/// # Errors
///
/// As [`decode`], except [`Refused::TooLarge`] and [`Refused::NotJson`].
pub fn decode_value(value: Value) -> Result<Message, Refused> {
    let fields = match value {
        Value::Object(fields) => fields,
        // An array is an `object` to JavaScript, but has no `type`.
        Value::Array(_) => return Err(Refused::NoType),
        _ => return Err(Refused::NotAnObject),
    };
    let kind = match fields.get("type") {
        Some(Value::String(t)) if !t.is_empty() => t.as_str(),
        None | Some(Value::Null | Value::Bool(false) | Value::String(_)) => {
            return Err(Refused::NoType);
        }
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => return Err(Refused::NoType),
        Some(_) => return Err(Refused::UnknownType),
    };
    Ok(match kind {
        BUFFER_TYPE | DRAIN_TYPE => {
            Message::Bridge(BridgeMessage::from_value(Value::Object(fields)))
        }
        "DJUST_CLEAR_SHELL" => Message::ClearShell,
        "DJUST_CLEAR_VDOM_CACHE" => Message::ClearVdomCache,
        "DJUST_CLEAR_STATE_CACHE" => Message::ClearStateCache,
        "VDOM_CONFIG" => vdom_config(&fields),
        "VDOM_CACHE" => {
            const KIND: &str = "VDOM_CACHE";
            let url = url_field(&fields).ok_or(Refused::BadUrl { kind: KIND })?;
            let Some(Value::String(html)) = fields.get("html") else {
                return Err(Refused::NotAString {
                    kind: KIND,
                    field: "html",
                });
            };
            Message::VdomCache {
                url,
                html: html.clone(),
                version: number(&fields, "version").unwrap_or_else(|| 0.into()),
                ts: number(&fields, "ts"),
            }
        }
        "VDOM_CACHE_LOOKUP" => Message::VdomCacheLookup {
            request_id: fields.get("requestId").cloned().unwrap_or(Value::Null),
            url: url_field(&fields),
        },
        "STATE_SNAPSHOT" => {
            const KIND: &str = "STATE_SNAPSHOT";
            let url = url_field(&fields).ok_or(Refused::BadUrl { kind: KIND })?;
            let Some(Value::String(state_json)) = fields.get("state_json") else {
                return Err(Refused::NotAString {
                    kind: KIND,
                    field: "state_json",
                });
            };
            snapshot::validate(state_json.as_bytes(), &SnapshotOptions::service_worker())
                .map_err(Refused::State)?;
            Message::StateSnapshot {
                url,
                view_slug: match fields.get("view_slug") {
                    Some(Value::String(s)) => s.clone(),
                    _ => String::new(),
                },
                state_json: state_json.clone(),
                ts: number(&fields, "ts"),
            }
        }
        "STATE_SNAPSHOT_LOOKUP" => Message::StateSnapshotLookup {
            request_id: fields.get("requestId").cloned().unwrap_or(Value::Null),
            url: url_field(&fields),
            max_age: positive(&fields, "max_age_seconds")
                .map_or(STATE_DEFAULT_MAX_AGE, saturating_secs),
        },
        "PREFETCH" => Message::Prefetch {
            url: url_field(&fields).ok_or(Refused::BadUrl { kind: "PREFETCH" })?,
        },
        _ => return Err(Refused::UnknownType),
    })
}

fn vdom_config(fields: &Map<String, Value>) -> Message {
    // djust: `Math.floor(ttl_seconds) * 1000` when `ttl_seconds > 0`, so 0.5 gives a TTL of 0.
    let ttl = positive(fields, "ttl_seconds").map(|s| saturating_secs(s.floor()));
    let max_entries = number(fields, "max_entries")
        .and_then(|n| n.as_f64())
        .filter(|n| *n >= 1.0)
        // Saturating cast: 1e300 entries is "unbounded" in practice.
        .and_then(|n| NonZeroUsize::new(n.floor() as usize));
    Message::VdomConfig { ttl, max_entries }
}

/// `fields[name]` if it is a non-empty string (djust's `!msg.url`, for strings).
fn url_field(fields: &Map<String, Value>) -> Option<String> {
    match fields.get("url") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn number(fields: &Map<String, Value>, name: &str) -> Option<Number> {
    match fields.get(name) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    }
}

/// `fields[name]` if it is a number above 0.
fn positive(fields: &Map<String, Value>, name: &str) -> Option<f64> {
    number(fields, name)
        .and_then(|n| n.as_f64())
        .filter(|n| *n > 0.0)
}

/// Seconds as a duration, saturating at [`Duration::MAX`] (JSON numbers are finite).
fn saturating_secs(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// `VDOM_CACHE_REPLY`, exactly djust 1.2.6's shape:
/// `{type, requestId, hit, stale, html, version, ts}`.
///
/// A hit carries the page; a stale entry `hit: false, stale: true` and its `ts`; a miss
/// `hit: false, stale: false, html: null, version: null, ts: 0`.
#[must_use]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "VDOM_CACHE_REPLY")]
#[non_exhaustive]
pub struct VdomCacheReply {
    /// The lookup's `requestId`, as it came.
    #[serde(rename = "requestId")]
    pub request_id: Value,
    /// A fresh entry was found.
    pub hit: bool,
    /// An entry was found past its lifetime.
    pub stale: bool,
    /// The page, on a hit.
    pub html: Option<String>,
    /// Its version, on a hit.
    pub version: Option<Number>,
    /// The entry's `ts` (a stale one's too), or `0`.
    pub ts: Number,
}

impl VdomCacheReply {
    /// The miss reply for `request_id`.
    pub fn miss(request_id: Value) -> Self {
        Self {
            request_id,
            hit: false,
            stale: false,
            html: None,
            version: None,
            ts: 0.into(),
        }
    }
}

/// `STATE_SNAPSHOT_REPLY`, exactly djust 1.2.6's shape:
/// `{type, requestId, hit, view_slug, state_json, ts}`; a miss (or an expired entry) is
/// `hit: false, view_slug: null, state_json: null, ts: 0`.
#[must_use]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "STATE_SNAPSHOT_REPLY")]
#[non_exhaustive]
pub struct StateSnapshotReply {
    /// The lookup's `requestId`, as it came.
    #[serde(rename = "requestId")]
    pub request_id: Value,
    /// A fresh entry was found.
    pub hit: bool,
    /// Its view slug, on a hit.
    pub view_slug: Option<String>,
    /// Its state JSON, on a hit.
    pub state_json: Option<String>,
    /// Its `ts`, or `0`.
    pub ts: Number,
}

impl StateSnapshotReply {
    /// The miss reply for `request_id`.
    pub fn miss(request_id: Value) -> Self {
        Self {
            request_id,
            hit: false,
            view_slug: None,
            state_json: None,
            ts: 0.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_truthiness_follows_javascript() {
        for v in [
            json!({}),
            json!({"type": ""}),
            json!({"type": null}),
            json!({"type": 0}),
            json!({"type": false}),
        ] {
            assert_eq!(decode_value(v), Err(Refused::NoType));
        }
        for v in [
            json!({"type": 1}),
            json!({"type": true}),
            json!({"type": "NOPE"}),
            json!({"type": ["PREFETCH"]}),
        ] {
            assert_eq!(decode_value(v), Err(Refused::UnknownType));
        }
        assert_eq!(
            decode_value(json!("DJUST_DRAIN")),
            Err(Refused::NotAnObject)
        );
        assert_eq!(decode_value(json!(null)), Err(Refused::NotAnObject));
    }

    #[test]
    fn vdom_config_floors_and_ignores_what_djust_ignores() {
        let cfg = |v: Value| decode_value(v).unwrap();
        assert_eq!(
            cfg(json!({"type": "VDOM_CONFIG", "ttl_seconds": 0.5, "max_entries": 2.9})),
            Message::VdomConfig {
                ttl: Some(Duration::ZERO),
                max_entries: NonZeroUsize::new(2)
            }
        );
        assert_eq!(
            cfg(json!({"type": "VDOM_CONFIG", "ttl_seconds": -1, "max_entries": 0.99})),
            Message::VdomConfig {
                ttl: None,
                max_entries: None
            }
        );
        assert_eq!(
            cfg(json!({"type": "VDOM_CONFIG", "ttl_seconds": "60", "max_entries": "5"})),
            Message::VdomConfig {
                ttl: None,
                max_entries: None
            }
        );
        assert_eq!(
            cfg(json!({"type": "VDOM_CONFIG", "ttl_seconds": 1e300, "max_entries": 1e300})),
            Message::VdomConfig {
                ttl: Some(Duration::MAX),
                max_entries: NonZeroUsize::new(usize::MAX)
            }
        );
    }

    #[test]
    fn lookups_always_decode_and_keep_the_request_id() {
        assert_eq!(
            decode_value(json!({"type": "STATE_SNAPSHOT_LOOKUP", "requestId": {"a": 1}, "url": 5, "max_age_seconds": 0})).unwrap(),
            Message::StateSnapshotLookup { request_id: json!({"a": 1}), url: None, max_age: STATE_DEFAULT_MAX_AGE }
        );
        assert_eq!(
            decode_value(
                json!({"type": "STATE_SNAPSHOT_LOOKUP", "url": "/a", "max_age_seconds": 0.5})
            )
            .unwrap(),
            Message::StateSnapshotLookup {
                request_id: Value::Null,
                url: Some("/a".into()),
                max_age: Duration::from_millis(500)
            }
        );
    }

    #[test]
    fn replies_have_djusts_field_order_and_nulls() {
        assert_eq!(
            serde_json::to_string(&VdomCacheReply::miss(json!("vdom-1"))).unwrap(),
            r#"{"type":"VDOM_CACHE_REPLY","requestId":"vdom-1","hit":false,"stale":false,"html":null,"version":null,"ts":0}"#
        );
        assert_eq!(
            serde_json::to_string(&StateSnapshotReply::miss(json!("state-1"))).unwrap(),
            r#"{"type":"STATE_SNAPSHOT_REPLY","requestId":"state-1","hit":false,"view_slug":null,"state_json":null,"ts":0}"#
        );
    }

    #[test]
    fn oversized_and_non_json_messages_are_refused_before_parsing() {
        let big = format!(
            r#"{{"type":"DJUST_BUFFER","payload":"{}"}}"#,
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert_eq!(decode(&big), Err(Refused::TooLarge { len: big.len() }));
        assert!(matches!(decode("{"), Err(Refused::NotJson { .. })));
    }
}
