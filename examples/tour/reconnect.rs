//! The reconnect section: a 75-message outage through the service-worker bridge, a drain of
//! the last 50 in order, and the server's replay guard refusing a duplicate.

use std::time::Duration;

use liveshell::reconnect::{
    Bridge, BridgeMessage, Outbox, ReplayGuard, Source, SourceGate, Stamped, Verdict,
};
use liveshell::time::{Clock, ManualClock, SystemClock};
use serde_json::Value;

pub(crate) fn tour() {
    let clock = ManualClock::new(SystemClock.now());
    let t0 = clock.now();
    let origin = Some("http://localhost:8000");
    let gate = SourceGate::new("http://localhost:8000/").expect("the tour's scope is a valid URL");
    for url in [
        "http://localhost:8000/cart/",
        "http://localhost:8000.evil.com/",
    ] {
        let verdict = match gate.check(origin, Some(&Source::window(url))) {
            Ok(()) => "accepted".to_owned(),
            Err(e) => format!("rejected: {e}"),
        };
        println!("gate: window {url} -> {verdict}");
    }

    let mut bridge = Bridge::default();
    let mut outbox = Outbox::with_capacity("tab-1", 128.try_into().expect("not zero"));
    // The socket is down: every event the page sends is stamped and posted to the worker.
    for n in 0..75 {
        let stamped = outbox.push(format!("click #{n}"));
        let payload = serde_json::to_string(stamped).expect("a stamped string serializes");
        let message = BridgeMessage::buffer("dj-tour", Value::String(payload));
        assert!(bridge.handle(clock.now(), message).is_none());
        clock.advance(Duration::from_millis(100));
    }
    println!(
        "outage of {:?}: 75 messages posted to the worker, {} held (cap {}), {} dropped oldest-first",
        clock.now() - t0,
        bridge.peek("dj-tour").map_or(0, Iterator::count),
        bridge.capacity(),
        bridge.stats().dropped_over_capacity,
    );

    clock.advance(Duration::from_millis(400));
    let reply = bridge
        .handle(clock.now(), BridgeMessage::drain("dj-tour"))
        .expect("a drain is answered");
    let replayed: Vec<Stamped<String>> = reply
        .messages
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect();
    let seqs: Vec<u64> = replayed.iter().map(|m| m.seq).collect();
    let in_order = seqs.windows(2).all(|w| w[1] == w[0] + 1);
    println!(
        "reconnected at +{:?}: DJUST_DRAIN_REPLY with {} messages, seq {}..={} (in order: {in_order}), \"dropped\": {}",
        clock.now() - t0,
        reply.messages.len(),
        seqs.first().copied().unwrap_or(0),
        seqs.last().copied().unwrap_or(0),
        reply.dropped,
    );
    let again = bridge.handle(clock.now(), BridgeMessage::drain("dj-tour"));
    println!(
        "a second drain gets {} messages",
        again.map_or(0, |r| r.messages.len())
    );

    let mut guard = ReplayGuard::default();
    let fresh = replayed
        .iter()
        .filter(|m| guard.check(&m.client_id, m.seq).is_fresh())
        .count();
    println!(
        "server guard: {fresh} of {} replayed messages fresh",
        replayed.len()
    );
    let last = replayed.last().expect("the drain replayed messages");
    println!(
        "the client replays seq {} ({:?}) again: guard says {:?}, so it is not handled twice",
        last.seq,
        last.payload,
        guard.check(&last.client_id, last.seq),
    );
    println!(
        "contiguous high-water mark for tab-1: {} (seq 1-25 were dropped by the worker)",
        guard.acked("tab-1").unwrap_or(0)
    );
    // The outbox kept everything unacknowledged, so the client can resend it all.
    let (mut recovered, mut duplicates) = (0, 0);
    for m in outbox.pending() {
        match guard.check(&m.client_id, m.seq) {
            Verdict::Fresh => recovered += 1,
            Verdict::Duplicate => duplicates += 1,
        }
    }
    let acked = guard.acked("tab-1").unwrap_or(0);
    println!(
        "resending the outbox's {} pending: {recovered} recovered, {duplicates} refused as duplicates; ack {acked} clears {} from the outbox",
        outbox.len(),
        outbox.ack(acked),
    );
}
