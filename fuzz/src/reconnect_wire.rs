//! reconnect_wire: arbitrary JSON and message sequences into the reconnection bridge.
//!
//! Every reply must respect the bridge's bounds (count cap, byte budget), name the drained
//! id, survive a JSON round trip, and hold only messages buffered for that id since its last
//! drain, in order, with the count of them plus the drops never exceeding what was buffered.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use liveshell::reconnect::{
    Bridge, BridgeMessage, BridgeOptions, ConnectionId, DrainReply, Input as BridgeInput,
};
use liveshell::time::{Clock, SystemClock};
use serde_json::{Value, json};

#[derive(Arbitrary, Debug)]
enum Id<'a> {
    Text(&'a str),
    Number(i64),
    Float(f64),
    Null,
    False,
    Missing,
}

impl Id<'_> {
    fn to_json(&self) -> Option<Value> {
        match self {
            Self::Text(s) => Some(json!(s)),
            Self::Number(n) => Some(json!(n)),
            Self::Float(x) => {
                Some(serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number))
            }
            Self::Null => Some(Value::Null),
            Self::False => Some(json!(false)),
            Self::Missing => None,
        }
    }
}

/// One step of the host: a message built as JSON text (so the wire parsing is fuzzed too), the
/// idle timer, or time passing. Messages and the timer reach the bridge as its own [`BridgeInput`]s.
#[derive(Arbitrary, Debug)]
enum Op<'a> {
    /// Any text as `event.data`; what does not parse as JSON is dropped by the host.
    Raw(&'a str),
    /// A well-formed `DJUST_BUFFER` with a payload that is JSON if it parses, else a string.
    Buffer(Id<'a>, &'a str),
    /// A well-formed `DJUST_DRAIN`.
    Drain(Id<'a>),
    /// Time passes.
    Advance(u16),
    /// The host's idle timer fires.
    Timeout,
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    capacity: u8,
    max_bytes: u16,
    max_age_secs: u16,
    idle_secs: u16,
    max_connections: u8,
    ops: Vec<Op<'a>>,
}

fn message(kind: &str, id: &Id<'_>, payload: Option<Value>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("type".into(), json!(kind));
    if let Some(id) = id.to_json() {
        m.insert("connectionId".into(), id);
    }
    if let Some(p) = payload {
        m.insert("payload".into(), p);
    }
    Value::Object(m)
}

/// Feeds the whole input as one message when it is JSON, then runs it as an op sequence.
pub fn run(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        single_message(value);
    }
    ops(data);
}

/// One JSON value as `event.data` into a fresh bridge: a buffered payload comes back intact.
fn single_message(value: Value) {
    let now = SystemClock.now();
    let mut bridge = Bridge::default();
    let message = BridgeMessage::from_value(value);
    let serialized = serde_json::to_value(&message).expect("a message serializes");
    assert_eq!(
        BridgeMessage::from_value(serialized),
        message,
        "message round trip"
    );
    let buffered = match &message {
        BridgeMessage::Buffer {
            connection_id,
            payload,
        } => Some((connection_id.clone(), payload.clone())),
        _ => None,
    };
    let reply = bridge.handle(now, message);
    let Some((id, payload)) = buffered else {
        assert!(bridge.is_empty());
        if let Some(reply) = reply {
            assert!(reply.messages.is_empty());
        }
        return;
    };
    assert!(reply.is_none());
    let reply = bridge
        .handle(now, BridgeMessage::drain(id.clone()))
        .expect("a drain is answered");
    check_reply(
        &id,
        &reply,
        vec![payload.clone()],
        bridge.capacity(),
        bridge.max_bytes(),
    );
    if payload.to_string().len() <= bridge.max_bytes() {
        assert_eq!(reply.messages, [payload]);
    } else {
        assert_eq!(reply.dropped, 1);
    }
}

/// Runs an op sequence through a bridge and checks every reply.
fn ops(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let capacity = NonZeroUsize::new(usize::from(input.capacity % 8) + 1).expect("at least 1");
    let max_bytes = usize::from(input.max_bytes % 1024);
    let options = BridgeOptions::default()
        .capacity(capacity)
        .max_bytes(max_bytes)
        .max_age(Duration::from_secs(u64::from(input.max_age_secs % 900)))
        .idle_timeout(Duration::from_secs(u64::from(input.idle_secs % 900)))
        .max_connections(
            NonZeroUsize::new(usize::from(input.max_connections % 8) + 1).expect("at least 1"),
        );
    let mut bridge = Bridge::new(options);
    let mut now = SystemClock.now();
    // What each id was sent since its last drain, oldest first.
    let mut sent: HashMap<ConnectionId, Vec<Value>> = HashMap::new();

    for op in input.ops {
        let value = match op {
            Op::Raw(text) => match serde_json::from_str::<Value>(text) {
                Ok(value) => value,
                Err(_) => continue,
            },
            Op::Buffer(id, payload) => {
                let payload = serde_json::from_str(payload).unwrap_or_else(|_| json!(payload));
                message("DJUST_BUFFER", &id, Some(payload))
            }
            Op::Drain(id) => message("DJUST_DRAIN", &id, None),
            Op::Advance(secs) => {
                now += Duration::from_secs(u64::from(secs));
                continue;
            }
            Op::Timeout => {
                assert_eq!(bridge.handle_input(now, BridgeInput::Timeout), None);
                assert!(bridge.poll_timeout().is_none_or(|deadline| deadline > now));
                continue;
            }
        };
        let message = BridgeMessage::from_value(value);
        let drained = match &message {
            BridgeMessage::Buffer {
                connection_id,
                payload,
            } => {
                sent.entry(connection_id.clone())
                    .or_default()
                    .push(payload.clone());
                None
            }
            BridgeMessage::Drain { connection_id } => Some(connection_id.clone()),
            _ => None,
        };
        let reply = bridge.handle_input(now, BridgeInput::Message(message));
        assert!(bridge.len() <= 8);
        match (drained, reply) {
            (None, None) => {}
            (Some(id), Some(reply)) => check_reply(
                &id,
                &reply,
                sent.remove(&id).unwrap_or_default(),
                capacity,
                max_bytes,
            ),
            (drained, reply) => panic!("drain {drained:?} answered with {reply:?}"),
        }
    }
}

fn check_reply(
    id: &ConnectionId,
    reply: &DrainReply,
    sent: Vec<Value>,
    capacity: NonZeroUsize,
    max_bytes: usize,
) {
    assert_eq!(&reply.connection_id, id);
    assert!(reply.messages.len() <= capacity.get());
    let bytes: usize = reply.messages.iter().map(|m| m.to_string().len()).sum();
    assert!(
        bytes <= max_bytes,
        "{bytes} bytes over a budget of {max_bytes}"
    );
    let mut rest = sent.iter();
    for m in &reply.messages {
        assert!(
            rest.any(|s| s == m),
            "{m} was not sent to {id} in this order"
        );
    }
    assert!(reply.messages.len() as u64 + reply.dropped <= sent.len() as u64);
    let text = serde_json::to_string(reply).expect("a reply serializes");
    let back: DrainReply = serde_json::from_str(&text).expect("a reply parses back");
    assert_eq!(&back, reply);
}
