//! Integration tests for `liveshell::reconnect`: djust's vectors B1-B16 (B15 and B16 with
//! liveshell's stricter answers), wire shapes compared as parsed JSON, boundaries, persistence,
//! and model-based property tests.

use std::collections::{HashMap, HashSet, VecDeque};
use std::num::NonZeroUsize;
use std::time::Duration;

use liveshell::reconnect::{
    Bridge, BridgeMessage, BridgeOptions, ConnectionId, DrainReply, Outbox, REPLAY_WINDOW,
    ReplayBuffer, ReplayGuard, Source, SourceError, SourceGate, SourceKind, Verdict, accept_source,
};
use liveshell::time::Instant;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

mod common;
use common::t0;

const SCOPE: &str = "http://localhost:8000/";
const ORIGIN: Option<&str> = Some("http://localhost:8000");

fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("test capacities are positive")
}

/// Posts raw JSON text to the bridge, as the service worker receives `event.data`.
fn post(bridge: &mut Bridge, now: Instant, data: &str) -> Option<DrainReply> {
    let message: BridgeMessage = serde_json::from_str(data).expect("test messages are JSON");
    bridge.handle(now, message)
}

fn buffer(bridge: &mut Bridge, now: Instant, id: &str, payload: Value) {
    assert_eq!(bridge.handle(now, BridgeMessage::buffer(id, payload)), None);
}

fn drain(bridge: &mut Bridge, now: Instant, id: &str) -> Value {
    let reply = bridge
        .handle(now, BridgeMessage::drain(id))
        .expect("a drain is always answered");
    serde_json::to_value(reply).expect("a reply serializes")
}

fn held(bridge: &Bridge, id: &str) -> Vec<Value> {
    bridge
        .peek(id)
        .map(|messages| messages.cloned().collect())
        .unwrap_or_default()
}

// ---- djust's vectors (djust-behaviour.md §3d) ----

#[test]
fn b1_buffer_appends_per_connection_messages() {
    let now = t0();
    let mut bridge = Bridge::default();
    post(
        &mut bridge,
        now,
        r#"{"type":"DJUST_BUFFER","connectionId":"c1","payload":"msg-1"}"#,
    );
    post(
        &mut bridge,
        now,
        r#"{"type":"DJUST_BUFFER","connectionId":"c1","payload":"msg-2"}"#,
    );
    assert_eq!(held(&bridge, "c1"), [json!("msg-1"), json!("msg-2")]);
}

#[test]
fn b2_buffer_is_capped_at_fifty_oldest_dropped() {
    let now = t0();
    let mut bridge = Bridge::default();
    for i in 0..75 {
        buffer(&mut bridge, now, "cap", json!(format!("m{i}")));
    }
    let kept = held(&bridge, "cap");
    assert_eq!(kept.len(), 50);
    assert_eq!(kept[0], "m25");
    assert_eq!(kept[49], "m74");
    let expected: Vec<String> = (25..75).map(|i| format!("m{i}")).collect();
    assert_eq!(
        drain(&mut bridge, now, "cap"),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "cap", "messages": expected, "dropped": 25})
    );
}

#[test]
fn b3_drain_replies_in_order_and_deletes_the_entry() {
    let now = t0();
    let mut bridge = Bridge::default();
    buffer(&mut bridge, now, "c2", json!("a"));
    buffer(&mut bridge, now, "c2", json!("b"));
    let reply = post(
        &mut bridge,
        now,
        r#"{"type":"DJUST_DRAIN","connectionId":"c2"}"#,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&reply).unwrap(),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "c2", "messages": ["a", "b"]})
    );
    assert!(bridge.peek("c2").is_none());
    assert!(bridge.is_empty());
}

#[test]
fn b4_drain_of_unknown_id_replies_empty() {
    let mut bridge = Bridge::default();
    assert_eq!(
        drain(&mut bridge, t0(), "empty"),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "empty", "messages": []})
    );
    assert!(bridge.is_empty(), "a drain never creates a buffer");
}

#[test]
fn b5_connections_are_isolated() {
    let now = t0();
    let mut bridge = Bridge::default();
    buffer(&mut bridge, now, "A", json!("A1"));
    buffer(&mut bridge, now, "B", json!("B1"));
    buffer(&mut bridge, now, "A", json!("A2"));
    assert_eq!(held(&bridge, "A"), [json!("A1"), json!("A2")]);
    assert_eq!(held(&bridge, "B"), [json!("B1")]);
}

#[test]
fn b6_unknown_null_and_typeless_messages_are_ignored() {
    let now = t0();
    let mut bridge = Bridge::default();
    for data in [
        r#"{"type":"NOT_A_DJUST_MSG"}"#,
        "null",
        r#"{"no_type":true}"#,
        r#"{"type":"","connectionId":"x","payload":1}"#,
        r#"{"type":1,"payload":1}"#,
        r#"["DJUST_BUFFER"]"#,
        r#""DJUST_DRAIN""#,
    ] {
        assert_eq!(post(&mut bridge, now, data), None, "{data}");
    }
    assert!(bridge.is_empty());
    assert_eq!(bridge.stats().buffered, 0);
}

#[test]
fn b7_missing_source_is_rejected() {
    assert_eq!(
        accept_source(SCOPE, ORIGIN, None),
        Err(SourceError::NoSource)
    );
}

#[test]
fn b8_worker_and_sharedworker_sources_are_rejected() {
    for kind in ["worker", "sharedworker"] {
        let kind = SourceKind::from_client_type(kind);
        let source = Source::new(kind, Some("http://localhost:8000/w.js"));
        assert_eq!(
            accept_source(SCOPE, ORIGIN, Some(&source)),
            Err(SourceError::NotAWindow { kind })
        );
    }
}

#[test]
fn b9_window_from_another_host_is_rejected() {
    let source = Source::window("http://evil.example.com/page");
    assert!(matches!(
        accept_source(SCOPE, ORIGIN, Some(&source)),
        Err(SourceError::OutsideScope { .. })
    ));
}

#[test]
fn b10_window_inside_the_scope_is_accepted() {
    let source = Source::window("http://localhost:8000/some/page");
    assert_eq!(accept_source(SCOPE, ORIGIN, Some(&source)), Ok(()));
}

#[test]
fn b11_falsy_ids_share_the_default_buffer_in_order() {
    let now = t0();
    let mut bridge = Bridge::default();
    for (id, payload) in [
        ("", "undefined"),
        (r#","connectionId":"""#, "empty"),
        (r#","connectionId":0"#, "zero"),
        (r#","connectionId":null"#, "null"),
        (r#","connectionId":false"#, "false"),
    ] {
        let data = format!(r#"{{"type":"DJUST_BUFFER"{id},"payload":"{payload}"}}"#);
        post(&mut bridge, now, &data);
    }
    assert_eq!(bridge.len(), 1);
    assert_eq!(
        held(&bridge, "default"),
        [
            json!("undefined"),
            json!("empty"),
            json!("zero"),
            json!("null"),
            json!("false")
        ]
    );
}

#[test]
fn b12_number_and_string_ids_share_a_buffer() {
    let now = t0();
    let mut bridge = Bridge::default();
    post(
        &mut bridge,
        now,
        r#"{"type":"DJUST_BUFFER","connectionId":1,"payload":{"obj":1}}"#,
    );
    post(
        &mut bridge,
        now,
        r#"{"type":"DJUST_BUFFER","connectionId":"1","payload":"s"}"#,
    );
    assert_eq!(bridge.len(), 1);
    let reply = post(
        &mut bridge,
        now,
        r#"{"type":"DJUST_DRAIN","connectionId":1}"#,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&reply).unwrap(),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "1", "messages": [{"obj": 1}, "s"]})
    );
}

#[test]
fn b13_second_drain_gets_nothing() {
    let now = t0();
    let mut bridge = Bridge::default();
    buffer(&mut bridge, now, "c", json!("x"));
    buffer(&mut bridge, now, "c", json!("y"));
    assert_eq!(drain(&mut bridge, now, "c")["messages"], json!(["x", "y"]));
    assert_eq!(
        drain(&mut bridge, now, "c"),
        json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "c", "messages": []})
    );
}

#[test]
fn b14_foreign_origin_is_rejected() {
    let source = Source::window("http://localhost:8000/p");
    assert_eq!(
        accept_source(SCOPE, Some("http://evil.com"), Some(&source)),
        Err(SourceError::ForeignOrigin {
            origin: "http://evil.com".into(),
            expected: "http://localhost:8000".into(),
        })
    );
}

#[test]
fn b15_host_extending_the_scope_text_is_rejected_for_any_scope_spelling() {
    // djust rejects this only because its scope ends in "/"; liveshell parses the URL.
    for scope in [SCOPE, "http://localhost:8000"] {
        for url in [
            "http://localhost:8000.evil.com/p",
            "http://localhost:8000.evil.com/",
        ] {
            let source = Source::window(url);
            assert!(
                accept_source(scope, ORIGIN, Some(&source)).is_err(),
                "{scope} {url}"
            );
        }
    }
}

#[test]
fn b16_window_without_url_is_rejected() {
    // djust accepts it; liveshell cannot show it is inside the scope, so it refuses.
    let source = Source::new(SourceKind::Window, None);
    assert_eq!(
        accept_source(SCOPE, ORIGIN, Some(&source)),
        Err(SourceError::NoSourceUrl)
    );
}

// ---- wire shapes and boundaries ----

#[test]
fn messages_deserialize_from_djusts_shapes_and_serialize_back() {
    let buffer = json!({"type": "DJUST_BUFFER", "connectionId": "dj-x", "payload": "{\"a\":1}"});
    let drain = json!({"type": "DJUST_DRAIN", "connectionId": "dj-x"});
    for value in [buffer, drain] {
        let message: BridgeMessage = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&message).unwrap(), value);
    }
    let extra: BridgeMessage =
        serde_json::from_value(json!({"type": "DJUST_DRAIN", "connectionId": "a", "x": 1}))
            .unwrap();
    assert_eq!(extra, BridgeMessage::drain("a"));
}

#[test]
fn reply_deserializes_from_djusts_shape() {
    let value = json!({"type": "DJUST_DRAIN_REPLY", "connectionId": "c2", "messages": ["a", "b"]});
    let reply: DrainReply = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(reply.connection_id, ConnectionId::new("c2"));
    assert_eq!(reply.dropped, 0);
    assert_eq!(serde_json::to_value(&reply).unwrap(), value);
}

#[test]
fn payload_exactly_at_the_byte_budget_is_kept_one_over_is_dropped() {
    let now = t0();
    let payload = json!({"k": "é"}); // {"k":"é"} is 10 bytes of UTF-8
    let mut bridge = Bridge::new(BridgeOptions::default().max_bytes(10));
    buffer(&mut bridge, now, "c", payload.clone());
    assert_eq!(held(&bridge, "c"), std::slice::from_ref(&payload));
    let mut bridge = Bridge::new(BridgeOptions::default().max_bytes(9));
    buffer(&mut bridge, now, "c", payload);
    assert_eq!(drain(&mut bridge, now, "c")["dropped"], 1);
}

#[test]
fn message_exactly_max_age_old_is_replayed_one_nanosecond_older_is_not() {
    let now = t0();
    let age = Duration::from_secs(300);
    for (late, replayed) in [(Duration::ZERO, 1), (Duration::from_nanos(1), 0)] {
        let mut bridge = Bridge::default();
        buffer(&mut bridge, now, "c", json!("click"));
        let reply = drain(&mut bridge, now + age + late, "c");
        assert_eq!(reply["messages"].as_array().unwrap().len(), replayed);
    }
}

#[test]
fn gate_reuses_a_parsed_scope() {
    let gate = SourceGate::new("http://localhost:8000").unwrap();
    assert_eq!(gate.scope(), SCOPE);
    let page = Source::window("http://localhost:8000/");
    assert_eq!(gate.check(ORIGIN, Some(&page)), Ok(()));
}

// ---- persistence ----

#[test]
fn buffer_restores_to_the_same_state_and_keeps_behaving_the_same() {
    let mut buf = ReplayBuffer::new(nz(3));
    buf.extend(["a", "b", "c", "d"].map(String::from));
    let saved = serde_json::to_value(&buf).unwrap();
    assert_eq!(
        saved,
        json!({"capacity": 3, "dropped": 1, "items": ["b", "c", "d"]})
    );
    let mut restored: ReplayBuffer<String> = serde_json::from_value(saved).unwrap();
    assert_eq!(restored, buf);
    assert_eq!(restored.push("e".into()), buf.push("e".into()));
    assert_eq!(restored, buf);
}

#[test]
fn outbox_restores_to_the_same_state() {
    let mut outbox = Outbox::with_capacity("tab", nz(4));
    for i in 0..6 {
        outbox.push(json!({"event": i}));
    }
    outbox.ack(3);
    let saved = serde_json::to_string(&outbox).unwrap();
    let mut restored: Outbox<Value> = serde_json::from_str(&saved).unwrap();
    assert_eq!(restored, outbox);
    assert_eq!(restored.push(json!(6)).seq, outbox.push(json!(6)).seq);
    assert_eq!(restored, outbox);
}

// ---- idempotent replay end to end ----

#[test]
fn replay_through_the_bridge_is_effectively_once_with_the_guard() {
    let now = t0();
    let mut bridge = Bridge::default();
    let mut outbox = Outbox::new("tab-1");
    let mut guard = ReplayGuard::default();
    let mut handled = Vec::new();
    // Sent while up: the server handles 1 and 2.
    for event in ["a", "b"] {
        let stamped = outbox.push(json!(event)).clone();
        assert!(guard.check(&stamped.client_id, stamped.seq).is_fresh());
        handled.push(stamped.payload);
    }
    // The socket drops before the ack; the client buffers everything unacknowledged plus new ones.
    outbox.push(json!("c"));
    for stamped in outbox.pending() {
        buffer(
            &mut bridge,
            now,
            "dj-1",
            serde_json::to_value(stamped).unwrap(),
        );
    }
    // Reconnected: replay all of it; the guard drops what the server already had.
    let reply = drain(&mut bridge, now, "dj-1");
    for message in reply["messages"].as_array().unwrap() {
        let stamped: liveshell::reconnect::Stamped<Value> =
            serde_json::from_value(message.clone()).unwrap();
        if guard.check(&stamped.client_id, stamped.seq) == Verdict::Fresh {
            handled.push(stamped.payload);
        }
    }
    assert_eq!(handled, [json!("a"), json!("b"), json!("c")]);
    assert_eq!(outbox.ack(guard.acked("tab-1").unwrap()), 3);
}

// ---- model-based property tests ----

#[derive(Debug, Clone)]
enum RingOp {
    Push(u16),
    Pop,
    Drain,
}

fn ring_op() -> impl Strategy<Value = RingOp> {
    prop_oneof![
        6 => any::<u16>().prop_map(RingOp::Push),
        1 => Just(RingOp::Pop),
        1 => Just(RingOp::Drain),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ring_matches_vecdeque(cap in 1usize..40, ops in vec(ring_op(), 0..300)) {
        let mut ring = ReplayBuffer::new(nz(cap));
        let mut model = VecDeque::new();
        let mut dropped = 0u64;
        for op in ops {
            match op {
                RingOp::Push(x) => {
                    let evicted = if model.len() == cap { dropped += 1; model.pop_front() } else { None };
                    model.push_back(x);
                    prop_assert_eq!(ring.push(x), evicted);
                }
                RingOp::Pop => prop_assert_eq!(ring.pop(), model.pop_front()),
                RingOp::Drain => {
                    prop_assert!(ring.drain().eq(model.drain(..)));
                }
            }
            prop_assert_eq!(ring.len(), model.len());
            prop_assert_eq!(ring.is_empty(), model.is_empty());
            prop_assert_eq!(ring.is_full(), model.len() == cap);
            prop_assert_eq!(ring.dropped(), dropped);
            prop_assert!(ring.iter().eq(model.iter()));
            prop_assert_eq!(ring.front(), model.front());
            prop_assert_eq!(ring.back(), model.back());
        }
    }

    #[test]
    fn ring_restores_to_an_equal_buffer(cap in 1usize..20, ops in vec(ring_op(), 0..100), more in vec(any::<u16>(), 0..30)) {
        let mut ring = ReplayBuffer::new(nz(cap));
        for op in ops {
            match op {
                RingOp::Push(x) => { let _ = ring.push(x); }
                RingOp::Pop => { ring.pop(); }
                RingOp::Drain => { ring.drain(); }
            }
        }
        let mut restored: ReplayBuffer<u16> =
            serde_json::from_str(&serde_json::to_string(&ring).unwrap()).unwrap();
        prop_assert_eq!(&restored, &ring);
        for x in more {
            prop_assert_eq!(restored.push(x), ring.push(x));
        }
        prop_assert_eq!(restored, ring);
    }

    #[test]
    fn outbox_restores_to_an_equal_outbox(cap in 1usize..10, ops in vec(prop::option::of(0u64..40), 0..60)) {
        let mut outbox = Outbox::with_capacity("c", nz(cap));
        for op in ops {
            match op {
                Some(seq) => { outbox.ack(seq); }
                None => { outbox.push(outbox.next_seq()); }
            }
        }
        let restored: Outbox<u64> =
            serde_json::from_str(&serde_json::to_string(&outbox).unwrap()).unwrap();
        prop_assert_eq!(restored, outbox);
    }
}

#[derive(Debug, Clone)]
enum BridgeOp {
    Buffer(usize, u16),
    Drain(usize),
    Junk(usize),
}

const IDS: [&str; 4] = ["a", "b", "1", "default"];
/// Spellings of the same four ids on the wire.
const WIRE_IDS: [&str; 4] = [r#""a""#, r#""b""#, "1", "null"];

fn bridge_op() -> impl Strategy<Value = BridgeOp> {
    prop_oneof![
        8 => (0..IDS.len(), any::<u16>()).prop_map(|(id, p)| BridgeOp::Buffer(id, p)),
        2 => (0..IDS.len()).prop_map(BridgeOp::Drain),
        1 => (0..IDS.len()).prop_map(BridgeOp::Junk),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn bridge_keeps_connections_isolated_and_capped(cap in 1usize..12, ops in vec(bridge_op(), 0..200)) {
        let now = t0();
        let mut bridge = Bridge::new(BridgeOptions::default().capacity(nz(cap)));
        let mut model: HashMap<&str, VecDeque<u16>> = HashMap::new();
        let mut dropped: HashMap<&str, u64> = HashMap::new();
        for op in ops {
            match op {
                BridgeOp::Buffer(i, p) => {
                    let data = format!(r#"{{"type":"DJUST_BUFFER","connectionId":{},"payload":{p}}}"#, WIRE_IDS[i]);
                    prop_assert_eq!(post(&mut bridge, now, &data), None);
                    let q = model.entry(IDS[i]).or_default();
                    if q.len() == cap {
                        q.pop_front();
                        *dropped.entry(IDS[i]).or_default() += 1;
                    }
                    q.push_back(p);
                }
                BridgeOp::Drain(i) => {
                    let data = format!(r#"{{"type":"DJUST_DRAIN","connectionId":{}}}"#, WIRE_IDS[i]);
                    let reply = post(&mut bridge, now, &data).expect("drains are answered");
                    let expected: Vec<Value> = model.remove(IDS[i]).unwrap_or_default().into_iter().map(Value::from).collect();
                    prop_assert_eq!(reply.connection_id.as_str(), IDS[i]);
                    prop_assert_eq!(reply.messages, expected);
                    prop_assert_eq!(reply.dropped, dropped.remove(IDS[i]).unwrap_or(0));
                }
                BridgeOp::Junk(i) => {
                    let data = format!(r#"{{"type":"DJUST_BUFFERED","connectionId":{},"payload":0}}"#, WIRE_IDS[i]);
                    prop_assert_eq!(post(&mut bridge, now, &data), None);
                }
            }
            prop_assert_eq!(bridge.len(), model.len());
            for id in IDS {
                let want: Vec<Value> = model.get(id).into_iter().flatten().map(|&p| Value::from(p)).collect();
                prop_assert!(want.len() <= cap);
                prop_assert_eq!(held(&bridge, id), want);
            }
        }
    }

    #[test]
    fn bridge_stays_within_its_byte_budget_and_keeps_the_newest_in_order(
        budget in 0usize..64,
        sizes in vec(0usize..20, 0..60),
    ) {
        let now = t0();
        let mut bridge = Bridge::new(BridgeOptions::default().max_bytes(budget));
        let sent: Vec<Value> = sizes.iter().enumerate().map(|(i, &n)| json!(format!("{i}:{}", "x".repeat(n)))).collect();
        for payload in &sent {
            buffer(&mut bridge, now, "c", payload.clone());
            let bytes: usize = held(&bridge, "c").iter().map(|v| v.to_string().len()).sum();
            prop_assert!(bytes <= budget);
        }
        let reply = drain(&mut bridge, now, "c");
        let messages = reply["messages"].as_array().unwrap();
        // What survives is a subsequence of what was sent, in order, ending with the newest
        // message that fits the budget alone, and every loss is counted.
        let mut rest = sent.iter();
        for m in messages {
            prop_assert!(rest.any(|s| s == m));
        }
        if let Some(last_fitting) = sent.iter().rev().find(|v| v.to_string().len() <= budget) {
            prop_assert_eq!(messages.last(), Some(last_fitting));
        }
        let dropped = reply.get("dropped").and_then(Value::as_u64).unwrap_or(0);
        prop_assert_eq!(messages.len() as u64 + dropped, sent.len() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn guard_never_accepts_a_duplicate_nor_refuses_a_first_delivery_in_its_window(
        ops in vec((0usize..3, 0u64..600), 0..400),
    ) {
        let mut guard = ReplayGuard::default();
        let mut delivered: HashSet<(usize, u64)> = HashSet::new();
        let mut top: HashMap<usize, u64> = HashMap::new();
        for (client, seq) in ops {
            let highest = top.get(&client).copied().unwrap_or(0);
            let verdict = guard.check(&format!("client-{client}"), seq);
            if seq == 0 || delivered.contains(&(client, seq)) {
                prop_assert_eq!(verdict, Verdict::Duplicate, "replay of {} from {}", seq, client);
            } else if seq + REPLAY_WINDOW > highest {
                prop_assert_eq!(verdict, Verdict::Fresh, "first delivery of {} from {} (top {})", seq, client, highest);
            }
            if verdict.is_fresh() {
                delivered.insert((client, seq));
                top.insert(client, highest.max(seq));
            }
            let acked = guard.acked(&format!("client-{client}")).unwrap();
            // The acknowledged prefix ends on a delivered number, or on one the window slid past.
            prop_assert!(acked == 0 || delivered.contains(&(client, acked)) || acked + REPLAY_WINDOW <= highest.max(seq));
        }
    }
}

#[test]
fn number_payloads_pass_through_the_bridge_exactly() {
    // Found by fuzzing reconnect_wire: without serde_json's `float_roundtrip`, the reply's
    // `7.777777777777778e+126` parsed back one ulp off (…777e126), so a reply did not parse
    // back to itself, and a bridge fed that text would have replayed a different number.
    let text = "7".repeat(127);
    let now = t0();
    let mut bridge = Bridge::default();
    let data = format!(r#"{{"type":"DJUST_BUFFER","connectionId":"c","payload":{text}}}"#);
    post(&mut bridge, now, &data);
    let reply = bridge.handle(now, BridgeMessage::drain("c")).unwrap();
    assert_eq!(reply.messages[0].as_f64(), text.parse::<f64>().ok());
    let wire = serde_json::to_string(&reply).unwrap();
    assert!(wire.contains("[7.777777777777778e+126]"), "{wire}");
    assert_eq!(serde_json::from_str::<DrainReply>(&wire).unwrap(), reply);
}

#[test]
fn driving_the_bridge_by_its_deadlines_collects_each_idle_connection_on_time() {
    let t0 = t0();
    let idle = common::secs(30);
    let mut bridge = Bridge::new(BridgeOptions::default().idle_timeout(idle));
    buffer(&mut bridge, t0, "a", json!(1));
    buffer(&mut bridge, t0 + common::secs(10), "b", json!(2));
    let mut collected = Vec::new();
    common::drive(&mut bridge, t0 + common::secs(60), |bridge, now| {
        collected.push((now, bridge.len()));
    });
    assert_eq!(
        collected,
        [(t0 + idle, 1), (t0 + common::secs(40), 0)],
        "one connection collected at each deadline"
    );
    assert_eq!(bridge.stats().connections_collected, 2);
}

#[test]
fn bridge_options_load_from_a_file_with_defaults_for_what_is_missing() {
    let options: BridgeOptions =
        serde_json::from_str(r#"{"idle_timeout": 0.5, "max_connections": 3}"#).unwrap();
    assert_eq!(
        options,
        BridgeOptions::default()
            .idle_timeout(Duration::from_millis(500))
            .max_connections(nz(3))
    );
    let back: BridgeOptions =
        serde_json::from_str(&serde_json::to_string(&options).unwrap()).unwrap();
    assert_eq!(back, options);
    assert!(serde_json::from_str::<BridgeOptions>(r#"{"capacity": 0}"#).is_err());
    assert_eq!(
        serde_json::from_str::<BridgeOptions>("{}").unwrap(),
        BridgeOptions::default()
    );
}
