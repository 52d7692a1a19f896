//! djust's bridge wire messages: `DJUST_BUFFER`, `DJUST_DRAIN` and `DJUST_DRAIN_REPLY`.

use std::borrow::Borrow;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The `type` of a message asking the bridge to buffer a payload.
pub const BUFFER_TYPE: &str = "DJUST_BUFFER";
/// The `type` of a message asking the bridge for a connection's buffered payloads.
pub const DRAIN_TYPE: &str = "DJUST_DRAIN";
/// The `type` of the bridge's answer to a drain.
pub const DRAIN_REPLY_TYPE: &str = "DJUST_DRAIN_REPLY";
/// The id used when a message carries no usable `connectionId`.
pub const DEFAULT_CONNECTION_ID: &str = "default";

/// A connection's buffer key, normalised the way djust's service worker does it.
///
/// djust computes `String(msg.connectionId || 'default')`, so every falsy id (missing, `null`,
/// `""`, `0`, `false`) means `"default"`, and a number and its decimal string (`1` and `"1"`)
/// name the same buffer. [`from_json`](Self::from_json) reproduces JavaScript's `String()`
/// exactly, including its number formatting (`1.0` is `"1"`, `1e21` is `"1e+21"`), arrays
/// (`[1,null,"a"]` is `"1,,a"`) and objects (all `"[object Object]"`).
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::ConnectionId;
/// use serde_json::json;
///
/// assert_eq!(ConnectionId::from_json(&json!(null)).as_str(), "default");
/// assert_eq!(ConnectionId::from_json(&json!(0)), ConnectionId::from_json(&json!(false)));
/// assert_eq!(ConnectionId::from_json(&json!(1)), ConnectionId::new("1"));
/// assert_eq!(ConnectionId::new(""), ConnectionId::default());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ConnectionId(String);

impl ConnectionId {
    /// An id from a string; the empty string (falsy in JavaScript) becomes `"default"`.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        if id.is_empty() {
            Self::default()
        } else {
            Self(id)
        }
    }

    /// An id from any JSON value, as djust's `String(value || 'default')`.
    #[must_use]
    pub fn from_json(value: &Value) -> Self {
        if is_truthy(value) {
            let mut id = String::new();
            js_string(value, &mut id);
            Self(id)
        } else {
            Self::default()
        }
    }

    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ConnectionId {
    /// `"default"`, djust's fallback id.
    fn default() -> Self {
        Self(DEFAULT_CONNECTION_ID.to_owned())
    }
}

impl From<&str> for ConnectionId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

impl From<String> for ConnectionId {
    fn from(id: String) -> Self {
        Self::new(id)
    }
}

impl Borrow<str> for ConnectionId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Accepts any JSON value and normalises it like [`ConnectionId::from_json`].
impl<'de> Deserialize<'de> for ConnectionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(|value| Self::from_json(&value))
    }
}

/// JavaScript truthiness of a JSON value.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Appends JavaScript's `String(value)` for a JSON value.
fn js_string(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // `as_f64` is always `Some` unless serde_json's `arbitrary_precision` is on.
        Value::Number(n) => js_number(n.as_f64().unwrap_or(f64::NAN), out),
        Value::String(s) => out.push_str(s),
        // `Array.prototype.join(",")`: `null` elements print as nothing.
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !item.is_null() {
                    js_string(item, out);
                }
            }
        }
        Value::Object(_) => out.push_str("[object Object]"),
    }
}

/// Appends JavaScript's `Number.prototype.toString()` of `x`.
///
/// Both languages print the shortest digits that round-trip; JavaScript switches to exponent
/// form outside `1e-6 <= |x| < 1e21` and writes a sign on positive exponents.
fn js_number(x: f64, out: &mut String) {
    use fmt::Write as _;
    if x == 0.0 {
        out.push('0'); // also -0
    } else if (1e-6..1e21).contains(&x.abs()) {
        let _ = write!(out, "{x}");
    } else {
        let start = out.len();
        let _ = write!(out, "{x:e}");
        if let Some(e) = out[start..].find('e') {
            let at = start + e + 1;
            if !out[at..].starts_with('-') {
                out.insert(at, '+');
            }
        }
    }
}

/// A message posted to the bridge, as djust's client sends it.
///
/// It deserializes from **any** JSON value: `{"type":"DJUST_BUFFER","connectionId":..,"payload":..}`
/// becomes [`Buffer`](Self::Buffer), `{"type":"DJUST_DRAIN","connectionId":..}` becomes
/// [`Drain`](Self::Drain), and everything else (another `type`, no `type`, `null`, a
/// non-object) becomes [`Other`](Self::Other), which the bridge ignores. Extra fields are
/// ignored, a missing `payload` is `null`, and the id is normalised by
/// [`ConnectionId::from_json`]. Serializing writes djust's shapes back (an `Other` as it came).
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{BridgeMessage, ConnectionId};
/// use serde_json::json;
///
/// let msg: BridgeMessage =
///     serde_json::from_str(r#"{"type":"DJUST_BUFFER","connectionId":0,"payload":"{\"e\":1}"}"#)?;
/// assert_eq!(msg, BridgeMessage::buffer(ConnectionId::default(), json!("{\"e\":1}")));
/// let msg: BridgeMessage = serde_json::from_str(r#"{"no_type":true}"#)?;
/// assert!(matches!(msg, BridgeMessage::Other(_)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BridgeMessage {
    /// `DJUST_BUFFER`: keep `payload` for `connection_id` until it is drained.
    Buffer {
        /// Whose buffer.
        connection_id: ConnectionId,
        /// Any JSON value; djust's client sends the event as a JSON string.
        payload: Value,
    },
    /// `DJUST_DRAIN`: hand back and forget everything buffered for `connection_id`.
    Drain {
        /// Whose buffer.
        connection_id: ConnectionId,
    },
    /// Any other message, kept as it came; the bridge ignores it.
    Other(Value),
}

impl BridgeMessage {
    /// A `DJUST_BUFFER` message.
    #[must_use]
    pub fn buffer(connection_id: impl Into<ConnectionId>, payload: Value) -> Self {
        Self::Buffer {
            connection_id: connection_id.into(),
            payload,
        }
    }

    /// A `DJUST_DRAIN` message.
    #[must_use]
    pub fn drain(connection_id: impl Into<ConnectionId>) -> Self {
        Self::Drain {
            connection_id: connection_id.into(),
        }
    }

    /// Classifies a JSON value as djust's service worker does (see the type's docs).
    #[must_use]
    pub fn from_value(value: Value) -> Self {
        let Value::Object(mut fields) = value else {
            return Self::Other(value);
        };
        let kind = match fields.get("type") {
            Some(Value::String(t)) if t == BUFFER_TYPE => BUFFER_TYPE,
            Some(Value::String(t)) if t == DRAIN_TYPE => DRAIN_TYPE,
            _ => return Self::Other(Value::Object(fields)),
        };
        let connection_id = fields
            .get("connectionId")
            .map_or_else(ConnectionId::default, ConnectionId::from_json);
        if kind == DRAIN_TYPE {
            return Self::Drain { connection_id };
        }
        Self::Buffer {
            connection_id,
            payload: fields.remove("payload").unwrap_or(Value::Null),
        }
    }
}

/// A buffer (a string payload), a drain, or another message, for any id (fuzzing only).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for BridgeMessage {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let id: String = u.arbitrary()?;
        Ok(match u.int_in_range(0..=2)? {
            0 => Self::buffer(id, Value::String(u.arbitrary()?)),
            1 => Self::drain(id),
            _ => Self::Other(Value::String(u.arbitrary()?)),
        })
    }
}

impl<'de> Deserialize<'de> for BridgeMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from_value)
    }
}

impl Serialize for BridgeMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, connection_id, payload) = match self {
            Self::Buffer {
                connection_id,
                payload,
            } => (BUFFER_TYPE, connection_id, Some(payload)),
            Self::Drain { connection_id } => (DRAIN_TYPE, connection_id, None),
            Self::Other(value) => return value.serialize(serializer),
        };
        let mut map = serializer.serialize_map(Some(2 + usize::from(payload.is_some())))?;
        map.serialize_entry("type", kind)?;
        map.serialize_entry("connectionId", connection_id)?;
        if let Some(payload) = payload {
            map.serialize_entry("payload", payload)?;
        }
        map.end()
    }
}

/// The bridge's answer to a drain: `{"type":"DJUST_DRAIN_REPLY","connectionId":..,"messages":[..]}`.
///
/// `messages` are the connection's buffered payloads, oldest first. When the bridge had to
/// drop any (over the count cap, over the byte budget, or expired), the reply carries one more
/// field, `"dropped": n`, which djust's client ignores; with nothing dropped the reply is
/// exactly djust's shape.
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{Bridge, BridgeMessage};
/// use liveshell::time::{Clock, SystemClock};
/// use serde_json::json;
///
/// let now = SystemClock.now();
/// let mut bridge = Bridge::default();
/// assert_eq!(bridge.handle(now, BridgeMessage::buffer("c2", json!("a"))), None);
/// let reply = bridge.handle(now, BridgeMessage::drain("c2")).unwrap();
/// assert_eq!(
///     serde_json::to_value(&reply)?,
///     json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "c2", "messages": ["a"]})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "DJUST_DRAIN_REPLY", rename_all = "camelCase")]
#[must_use = "a drain reply is the only copy of the drained messages: post it back"]
#[non_exhaustive]
pub struct DrainReply {
    /// The normalised id the drain asked for.
    pub connection_id: ConnectionId,
    /// The buffered payloads, oldest first.
    pub messages: Vec<Value>,
    /// How many of this connection's messages were dropped since its buffer was created.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: u64,
}

impl DrainReply {
    /// A reply for `connection_id` carrying `messages` and a drop count.
    pub const fn new(connection_id: ConnectionId, messages: Vec<Value>, dropped: u64) -> Self {
        Self {
            connection_id,
            messages,
            dropped,
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
const fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(value: Value) -> String {
        ConnectionId::from_json(&value).0
    }

    #[test]
    fn falsy_ids_mean_default() {
        for v in [
            json!(null),
            json!(""),
            json!(0),
            json!(-0.0),
            json!(0.0),
            json!(false),
        ] {
            assert_eq!(id(v), "default");
        }
    }

    #[test]
    fn ids_print_like_javascript_string() {
        assert_eq!(id(json!(1)), "1");
        assert_eq!(id(json!(1.0)), "1");
        assert_eq!(id(json!(-1.5)), "-1.5");
        assert_eq!(id(json!(true)), "true");
        assert_eq!(id(json!(1e21)), "1e+21");
        assert_eq!(id(json!(1e20)), "100000000000000000000");
        assert_eq!(id(json!(0.000001)), "0.000001");
        assert_eq!(id(json!(1.5e-7)), "1.5e-7");
        assert_eq!(id(json!(u64::MAX)), "18446744073709552000");
        assert_eq!(id(json!([])), "");
        assert_eq!(id(json!([1, null, "a", [2, 3]])), "1,,a,2,3");
        assert_eq!(id(json!({})), "[object Object]");
    }

    #[test]
    fn messages_round_trip_to_djusts_shapes() {
        let buffer = BridgeMessage::buffer("c1", json!({"a": 1}));
        assert_eq!(
            serde_json::to_value(&buffer).unwrap(),
            json!({"type": "DJUST_BUFFER", "connectionId": "c1", "payload": {"a": 1}})
        );
        let drain = BridgeMessage::drain("c1");
        assert_eq!(
            serde_json::to_value(&drain).unwrap(),
            json!({"type": "DJUST_DRAIN", "connectionId": "c1"})
        );
        for msg in [buffer, drain, BridgeMessage::Other(json!([1]))] {
            let back: BridgeMessage =
                serde_json::from_str(&serde_json::to_string(&msg).unwrap()).unwrap();
            assert_eq!(back, msg);
        }
    }

    #[test]
    fn reply_with_drops_reports_them_and_parses_back() {
        let reply = DrainReply::new(ConnectionId::new("c"), vec![json!("m")], 3);
        let value = serde_json::to_value(&reply).unwrap();
        assert_eq!(
            value,
            json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "c", "messages": ["m"], "dropped": 3})
        );
        assert_eq!(serde_json::from_value::<DrainReply>(value).unwrap(), reply);
    }
}
