//! Mount batching over the public API: djust's vectors MB1-MB17 with liveshell's answers,
//! boundary tests, and model-based property tests.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::time::Duration;

use liveshell::mount_batch::{
    BatchError, BatchOptions, EntryError, Frame, Input, MountBatcher, MountRequest, Outcome, Reply,
    ReplyBuilder, outcomes, parse_request,
};
use liveshell::time::Instant;
use proptest::prelude::*;
use serde_json::{Value, json};

mod common;
use common::{ms, t0};

fn drain(b: &mut MountBatcher) -> Vec<Frame> {
    std::iter::from_fn(|| b.poll_frame()).collect()
}

/// A batcher given `requests` before the socket opens, connected at `t0`, and the frames it sent.
fn queued_then_connected(
    t0: Instant,
    config: BatchOptions,
    requests: impl IntoIterator<Item = MountRequest>,
) -> (MountBatcher, Vec<Frame>) {
    let mut b = MountBatcher::new(config);
    for request in requests {
        b.handle_mount(t0, request);
    }
    b.handle_connected(t0);
    let frames = drain(&mut b);
    (b, frames)
}

fn json_of(frame: &Frame) -> Value {
    serde_json::from_str(&frame.to_json()).expect("a frame is JSON")
}

fn reply_json(reply: &Reply) -> Value {
    serde_json::from_str(&reply.to_json()).expect("a reply is JSON")
}

fn lazy(view: &str, target: &str) -> MountRequest {
    MountRequest::new(view, target).with_url("/shop/")
}

/// A client frame parsed back on the server side.
fn served(frame: &Frame) -> Vec<Result<MountRequest, EntryError>> {
    match frame {
        Frame::MountBatch(_) => parse_request(frame.to_json().as_bytes()).expect("a batch parses"),
        _ => panic!("not a batch: {}", frame.to_json()),
    }
}

// ---- djust's vectors (reference §6e) ------------------------------------------------------

#[test]
fn mb1_two_views_queued_before_connect_make_one_batch_and_a_two_view_reply() {
    let t0 = t0();
    let (_, frames) = queued_then_connected(
        t0,
        BatchOptions::default(),
        [
            lazy("app.views.A", "target-a"),
            lazy("app.views.B", "target-b"),
        ],
    );
    assert_eq!(frames.len(), 1, "exactly one frame");
    assert_eq!(
        json_of(&frames[0]),
        json!({
            "type": "mount_batch",
            "views": [
                {"view": "app.views.A", "params": {}, "url": "/shop/", "target_id": "target-a", "has_prerendered": false},
                {"view": "app.views.B", "params": {}, "url": "/shop/", "target_id": "target-b", "has_prerendered": false},
            ],
            "client_timezone": null,
        })
    );
    let mut reply = ReplyBuilder::new("sess");
    for entry in served(&frames[0]) {
        let entry = entry.unwrap();
        reply.mounted(
            entry.target_id(),
            json!({"type": "mount", "html": "<div></div>"}),
        );
    }
    let reply = reply.finish();
    assert_eq!((reply.views().len(), reply.failed().len()), (2, 0));
    let targets: HashSet<&str> = reply
        .views()
        .iter()
        .map(|v| v["target_id"].as_str().unwrap())
        .collect();
    assert_eq!(targets, HashSet::from(["target-a", "target-b"]));
}

#[test]
fn mb2_a_one_view_batch_from_a_djust_client_gets_a_one_view_reply() {
    let entries = parse_request(
        br#"{"type":"mount_batch","views":[{"view":"app.views.A","target_id":"only"}]}"#,
    )
    .unwrap();
    assert_eq!(entries.len(), 1);
    let mut reply = ReplyBuilder::new("s");
    reply.mounted(
        entries[0].as_ref().unwrap().target_id(),
        json!({"html": "x"}),
    );
    let json = reply_json(&reply.finish());
    assert_eq!(json["type"], "mount_batch");
    assert_eq!(json["views"], json!([{"html": "x", "target_id": "only"}]));
}

#[test]
fn mb3_a_failed_mount_is_one_failed_entry_with_its_target_and_real_error() {
    let mut reply = ReplyBuilder::new("s");
    reply.failed(
        "regress",
        "nonexistent.views.Nope",
        "ModuleNotFoundError: No module named 'nonexistent'",
    );
    let reply = reply.finish();
    assert_eq!(
        reply_json(&reply)["failed"],
        json!([{
            "target_id": "regress",
            "view": "nonexistent.views.Nope",
            "error": "ModuleNotFoundError: No module named 'nonexistent'",
            "code": "mount_failed",
        }])
    );
    assert!(reply.views().is_empty() && reply.navigate().is_empty());
}

#[test]
fn mb4_one_bad_view_between_two_good_ones_fails_alone() {
    let json = br#"{"type":"mount_batch","views":[
        {"view":"app.views.Ok","target_id":"ok-1"},
        {"view":"nonexistent.Bad","target_id":"bad"},
        {"view":"app.views.Ok","target_id":"ok-2"}]}"#;
    let mut reply = ReplyBuilder::new("s");
    for entry in parse_request(json).unwrap() {
        let entry = entry.unwrap();
        if entry.view().starts_with("nonexistent") {
            reply.failed(entry.target_id(), entry.view(), "no such view");
        } else {
            reply.mounted(entry.target_id(), json!({"html": "ok"}));
        }
    }
    let reply = reply.finish();
    let views: Vec<&str> = reply
        .views()
        .iter()
        .map(|v| v["target_id"].as_str().unwrap())
        .collect();
    assert_eq!(views, ["ok-1", "ok-2"]);
    assert_eq!(reply.failed()[0].target_id, "bad");
}

#[test]
fn mb5_a_views_entry_is_the_whole_mount_frame_plus_target_id() {
    let frame = json!({
        "type": "mount", "session_id": "s", "view": "app.views.A",
        "html": "<span>hi</span>", "version": 1, "cache_config": {"ttl": 30},
        "state_snapshot_signed": "abc", "has_ids": true,
    });
    let mut reply = ReplyBuilder::new("s");
    reply.mounted("t", frame.clone());
    let mut want = frame;
    want["target_id"] = json!("t");
    assert_eq!(reply_json(&reply.finish())["views"][0], want);
}

#[test]
fn mb6_push_events_are_not_part_of_the_reply_frame() {
    // djust sends captured push_event frames after the mount_batch frame. liveshell builds only
    // the batch frame; the host sends its captured push events after it, in order.
    let mut reply = ReplyBuilder::new("s");
    reply.mounted("t", json!({"html": "x"}));
    let json = reply_json(&reply.finish());
    assert_eq!(json["type"], "mount_batch");
    assert!(!json.to_string().contains("push_event"));
}

#[test]
fn mb7_an_auth_redirect_goes_in_navigate_not_failed() {
    let mut reply = ReplyBuilder::new("s");
    reply
        .redirect("needs-redirect", "app.views.Private", "/login")
        .mounted("ok-1", json!({"html": "ok"}));
    let json = reply_json(&reply.finish());
    assert_eq!(
        json["navigate"],
        json!([{"type": "navigate", "to": "/login", "target_id": "needs-redirect", "view": "app.views.Private"}])
    );
    assert_eq!(json["views"].as_array().unwrap().len(), 1);
    assert_eq!(json["views"][0]["target_id"], "ok-1");
    assert_eq!(json["failed"], json!([]));
}

#[test]
fn mb8_the_reply_carries_the_consumers_session_id() {
    let mut reply = ReplyBuilder::new("0b7e4c");
    reply
        .mounted("a", json!({"html": ""}))
        .mounted("b", json!({"html": ""}));
    let reply = reply.finish();
    assert_eq!(reply.session_id(), "0b7e4c");
    assert_eq!((reply.views().len(), reply.failed().len()), (2, 0));
}

#[test]
fn mb9_a_djust_reply_demuxes_into_mounted_views_with_their_versions() {
    let reply = Reply::from_json(
        br#"{"type":"mount_batch","session_id":"s","views":[
            {"target_id":"t1","html":"<span>alpha</span>","version":1},
            {"target_id":"t2","html":"<span>beta</span>","version":2}],"failed":[]}"#,
    )
    .unwrap();
    assert_eq!(
        outcomes(&reply, &["t1", "t2"]),
        vec![
            ("t1".into(), Outcome::Mounted),
            ("t2".into(), Outcome::Mounted)
        ]
    );
    let versions: HashMap<&str, u64> = reply
        .views()
        .iter()
        .map(|v| {
            (
                v["target_id"].as_str().unwrap(),
                v["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(versions, HashMap::from([("t1", 1), ("t2", 2)]));
}

#[test]
fn mb10_a_navigate_entry_is_one_redirect() {
    let reply = Reply::from_json(
        br#"{"type":"mount_batch","session_id":"s","views":[],"failed":[],
            "navigate":[{"target_id":"t1","view":"app.views.P","to":"/login"}]}"#,
    )
    .unwrap();
    assert_eq!(
        outcomes(&reply, &["t1"]),
        vec![(
            "t1".into(),
            Outcome::Redirect {
                to: "/login".into()
            }
        )]
    );
}

#[test]
fn mb10_a_navigate_entry_naming_no_view_is_followed_as_djusts_client_does() {
    // djust's client calls `handleNavigation` for every `navigate[]` entry whose `to` is a
    // string, whatever its `target_id`; liveshell follows it as the page's redirect.
    for target in [r#""target_id":"","#, r#""target_id":null,"#, ""] {
        let json = format!(
            r#"{{"type":"mount_batch","session_id":"s","views":[{{"target_id":"t1","html":"x"}}],
                "failed":[],"navigate":[{{{target}"view":"app.views.P","to":"/login"}}]}}"#
        );
        let reply = Reply::from_json(json.as_bytes()).unwrap();
        assert_eq!(
            outcomes(&reply, &["t1"]),
            vec![
                ("t1".into(), Outcome::Mounted),
                (
                    String::new(),
                    Outcome::Redirect {
                        to: "/login".into()
                    }
                ),
            ],
            "{json}"
        );
    }
}

#[test]
fn a_driven_batcher_flushes_at_the_end_of_its_window() {
    let t0 = t0();
    let mut b = MountBatcher::new(BatchOptions::default());
    b.handle_input(t0, Input::Connected);
    b.handle_input(t0, Input::Mount(lazy("app.views.A", "a")));
    b.handle_input(t0 + ms(10), Input::Mount(lazy("app.views.B", "b")));
    let mut sent = Vec::new();
    common::drive(&mut b, t0 + ms(1_000), |b, now| {
        sent.extend(std::iter::from_fn(|| b.poll_frame()).map(|f| (now, f.views().len())));
    });
    assert_eq!(sent, [(t0 + ms(26), 2)], "16 ms after the latest mount");
}

#[test]
fn batch_options_load_from_a_file_with_defaults_for_what_is_missing() {
    let options: BatchOptions =
        serde_json::from_str(r#"{"max_wait": 0.25, "client_timezone": "Europe/Paris"}"#).unwrap();
    assert_eq!(
        options,
        BatchOptions::default()
            .max_wait(ms(250))
            .client_timezone("Europe/Paris")
    );
    let back: BatchOptions =
        serde_json::from_str(&serde_json::to_string(&options).unwrap()).unwrap();
    assert_eq!(back, options);
    assert_eq!(
        serde_json::from_str::<BatchOptions>("{}").unwrap(),
        BatchOptions::default()
    );
    assert!(serde_json::from_str::<BatchOptions>(r#"{"max_views": 0}"#).is_err());
}

#[test]
fn mb11_a_rejected_batch_is_resent_as_plain_mounts_and_batching_stays_off() {
    let t0 = t0();
    let mut b = MountBatcher::new(BatchOptions::default());
    b.handle_mount(t0, lazy("app.views.A", "a"));
    b.handle_mount(t0, lazy("app.views.B", "b"));
    assert_eq!(b.handle_batch_rejected(t0), 0, "nothing in flight: no-op");
    b.handle_connected(t0);
    assert!(drain(&mut b)[0].is_batch());
    assert_eq!(b.in_flight(), 1, "stashed when sent");
    assert_eq!(b.handle_batch_rejected(t0 + ms(5)), 2);
    assert_eq!(b.in_flight(), 0, "cleared before the re-send");
    let frames = drain(&mut b);
    let targets: Vec<&str> = frames.iter().map(|f| f.views()[0].target_id()).collect();
    assert_eq!(targets, ["a", "b"]);
    assert!(frames.iter().all(|f| !f.is_batch()));
    assert_eq!(json_of(&frames[0])["type"], "mount");
    assert!(!b.is_batching());
    assert_eq!(
        b.handle_batch_rejected(t0 + ms(6)),
        0,
        "a second error frame is a no-op"
    );
    b.handle_mount(t0 + ms(7), lazy("app.views.C", "c"));
    b.handle_mount(t0 + ms(7), lazy("app.views.D", "d"));
    assert!(drain(&mut b).iter().all(|f| !f.is_batch()));
}

#[test]
fn mb12_views_not_a_list_is_a_batch_error_with_djusts_text() {
    let err = parse_request(br#"{"type":"mount_batch","views":"x"}"#).unwrap_err();
    assert_eq!(err, BatchError::ViewsNotAList);
    assert_eq!(err.to_string(), "mount_batch: 'views' must be a list");
}

#[test]
fn mb13_a_non_dict_entry_fails_with_empty_target_and_view() {
    let entries = parse_request(br#"{"type":"mount_batch","views":[1]}"#).unwrap();
    assert_eq!(entries, vec![Err(EntryError::NotAnObject)]);
    let mut reply = ReplyBuilder::new("s");
    reply.failed_entry(entries[0].as_ref().unwrap_err());
    assert_eq!(
        reply_json(&reply.finish())["failed"],
        json!([{"target_id": "", "view": "", "error": "mount_batch entry is not a dict", "code": "not_a_dict"}])
    );
}

#[test]
fn mb14_the_real_error_text_survives_instead_of_mount_failed() {
    let mut reply = ReplyBuilder::new("s");
    reply.failed_with_code(
        "t",
        "app.views.A",
        "permission_denied",
        "PermissionDenied: staff only",
    );
    let reply = Reply::from_json(reply.finish().to_json().as_bytes()).unwrap();
    assert_eq!(
        outcomes(&reply, &["t"]),
        vec![(
            "t".into(),
            Outcome::Failed {
                error: "PermissionDenied: staff only".into(),
            }
        )]
    );
    assert_eq!(reply.failed()[0].code.as_deref(), Some("permission_denied"));
}

#[test]
fn mb15_one_queued_view_is_a_plain_mount_never_a_batch() {
    let t0 = t0();
    let (_, frames) = queued_then_connected(
        t0,
        BatchOptions::default().client_timezone("Europe/Paris"),
        [lazy("app.views.A", "a").with_prerendered(true)],
    );
    assert_eq!(frames.len(), 1);
    assert_eq!(
        json_of(&frames[0]),
        json!({
            "type": "mount", "view": "app.views.A", "params": {}, "url": "/shop/",
            "target_id": "a", "has_prerendered": true, "client_timezone": "Europe/Paris",
        })
    );
}

#[test]
fn mb16_two_views_of_the_same_class_in_different_targets_both_mount() {
    let t0 = t0();
    let (_, frames) = queued_then_connected(
        t0,
        BatchOptions::default(),
        [
            lazy("app.views.Card", "card-1"),
            lazy("app.views.Card", "card-2"),
        ],
    );
    let targets: Vec<&str> = frames[0]
        .views()
        .iter()
        .map(MountRequest::target_id)
        .collect();
    assert_eq!(targets, ["card-1", "card-2"]);
}

#[test]
fn mb16_rule_3_a_second_mount_of_the_same_target_replaces_the_first() {
    let t0 = t0();
    let (_, frames) = queued_then_connected(
        t0,
        BatchOptions::default(),
        [
            lazy("app.views.Old", "slot"),
            lazy("app.views.Other", "other"),
            lazy("app.views.New", "slot"),
        ],
    );
    let views: Vec<&str> = frames[0].views().iter().map(MountRequest::view).collect();
    assert_eq!(views, ["app.views.Other", "app.views.New"]);
}

#[test]
fn mb17_a_set_over_65536_bytes_is_split_into_frames_within_the_cap() {
    let t0 = t0();
    let pad = json!("x".repeat(10_000));
    let big =
        (0..20).map(|i| lazy("app.views.Big", &format!("t{i}")).with_extra("pad", pad.clone()));
    let (_, frames) = queued_then_connected(t0, BatchOptions::default(), big);
    assert!(
        frames.len() >= 4,
        "200 KB needs at least four 64 KiB frames"
    );
    for frame in &frames {
        assert!(
            frame.to_json().len() <= 65_536,
            "{} bytes",
            frame.to_json().len()
        );
    }
    let targets: Vec<String> = frames
        .iter()
        .flat_map(|f| f.views().iter().map(|v| v.target_id().to_owned()))
        .collect();
    let want: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
    assert_eq!(targets, want, "order kept across frames");
}

// ---- boundaries ------------------------------------------------------------------------------

#[test]
fn a_frame_exactly_at_the_byte_cap_is_kept_whole_and_one_byte_less_splits_it() {
    let t0 = t0();
    let requests = [
        lazy("app.views.A", "a"),
        lazy("app.views.B", "b"),
        lazy("app.views.C", "c"),
    ];
    let whole =
        queued_then_connected(t0, BatchOptions::default(), requests.clone()).1[0].json_len();
    for (cap, frames) in [(whole, 1), (whole - 1, 2)] {
        let config = BatchOptions::default().max_frame_bytes(cap);
        let (_, sent) = queued_then_connected(t0, config, requests.clone());
        assert_eq!(sent.len(), frames, "cap {cap}");
    }
}

#[test]
fn a_single_view_over_the_cap_goes_alone_as_a_plain_mount() {
    let t0 = t0();
    let huge = lazy("app.views.Huge", "huge").with_extra("pad", json!("y".repeat(2_000)));
    let (a, b, c) = (lazy("v", "a"), lazy("v", "b"), lazy("v", "c"));
    let config = BatchOptions::default().max_frame_bytes(1_000);
    let (_, frames) = queued_then_connected(t0, config, [a, huge, b, c]);
    let shape: Vec<(bool, usize)> = frames
        .iter()
        .map(|f| (f.is_batch(), f.views().len()))
        .collect();
    assert_eq!(shape, [(false, 1), (false, 1), (true, 2)]);
    assert_eq!(frames[1].views()[0].target_id(), "huge");
}

#[test]
fn the_view_cap_splits_a_batch_in_order() {
    let t0 = t0();
    let cap = NonZeroUsize::new(2).unwrap();
    let views = ["a", "b", "c", "d", "e"].map(|t| lazy("app.views.V", t));
    let (_, frames) = queued_then_connected(t0, BatchOptions::default().max_views(cap), views);
    let sizes: Vec<usize> = frames.iter().map(|f| f.views().len()).collect();
    assert_eq!(sizes, [2, 2, 1]);
}

#[test]
fn with_batching_disabled_every_view_is_a_plain_mount_sent_at_once() {
    let t0 = t0();
    let views = [lazy("app.views.A", "a"), lazy("app.views.B", "b")];
    let (mut b, frames) = queued_then_connected(t0, BatchOptions::default().enabled(false), views);
    assert_eq!(frames.iter().filter(|f| !f.is_batch()).count(), 2);
    b.handle_mount(t0, lazy("app.views.C", "c"));
    assert_eq!(b.poll_timeout(), None);
    assert_eq!(drain(&mut b).len(), 1, "connected and disabled: no window");
}

#[test]
fn mounts_after_connect_are_coalesced_within_the_window() {
    let t0 = t0();
    let mut b = MountBatcher::new(BatchOptions::default());
    b.handle_connected(t0);
    b.handle_mount(t0, lazy("app.views.A", "a"));
    b.handle_mount(t0 + ms(10), lazy("app.views.B", "b"));
    b.handle_timeout(t0 + ms(20));
    assert!(b.poll_frame().is_none(), "the window slid to t0 + 26 ms");
    b.handle_timeout(t0 + ms(26));
    let frames = drain(&mut b);
    assert_eq!(frames.len(), 1);
    assert!(frames[0].is_batch());
}

#[test]
fn mb11_a_reply_clears_the_batch_in_flight_and_reports_missing_and_unrequested_targets() {
    let t0 = t0();
    let (mut b, _) = queued_then_connected(
        t0,
        BatchOptions::default(),
        [lazy("app.views.A", "a"), lazy("app.views.B", "b")],
    );
    let mut reply = ReplyBuilder::new("s");
    reply.mounted("a", json!({})).mounted("zzz", json!({}));
    assert_eq!(
        b.handle_reply(t0, &reply.finish()),
        vec![
            ("a".into(), Outcome::Mounted),
            ("b".into(), Outcome::Missing),
            ("zzz".into(), Outcome::Unrequested),
        ]
    );
    assert_eq!(b.in_flight(), 0);
    assert_eq!(
        b.handle_batch_rejected(t0),
        0,
        "a later error frame is a no-op"
    );
}

#[test]
fn unknown_fields_survive_both_frames() {
    let request = br#"{"type":"mount_batch","trace_id":"r1","views":[{"view":"v","params":{},
        "url":"/","target_id":"t","has_prerendered":true,"dj_meta":{"a":1}}],"client_timezone":null}"#;
    let reply = br#"{"type":"mount_batch","session_id":"s","views":[],"failed":[{"target_id":"t",
        "view":"v","error":"e","hint":"h"}],"server_time":5}"#;
    let frame: Frame = serde_json::from_slice(request).unwrap();
    let parsed = Reply::from_json(reply).unwrap();
    for (got, sent) in [
        (serde_json::to_value(&frame).unwrap(), &request[..]),
        (serde_json::to_value(&parsed).unwrap(), &reply[..]),
    ] {
        assert_eq!(got, serde_json::from_slice::<Value>(sent).unwrap());
    }
}

// ---- properties ------------------------------------------------------------------------------

/// One step of the model test: one of the batcher's own inputs, time passing, or the host
/// draining the frames.
#[derive(Debug, Clone)]
enum Op {
    /// A mount is stamped with its sequence number when it is fed.
    Feed(Input),
    Advance(u64),
    Poll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0u8..6, 0usize..900).prop_map(|(target, pad)| Op::Feed(Input::Mount(
            MountRequest::new(format!("app.views.V{target}"), target_name(target))
                .with_extra("pad", json!("p".repeat(pad))),
        ))),
        1 => Just(Op::Feed(Input::Connected)),
        1 => Just(Op::Feed(Input::Disconnected)),
        2 => (0u64..30).prop_map(Op::Advance),
        2 => Just(Op::Feed(Input::Timeout)),
        2 => Just(Op::Poll),
    ]
}

/// The raw settings of a generated configuration, for the model.
#[derive(Debug, Clone, Copy)]
struct Caps {
    window: Duration,
    max_wait: Duration,
    max_views: usize,
    max_bytes: usize,
    enabled: bool,
}

impl Caps {
    fn options(self) -> BatchOptions {
        BatchOptions::default()
            .window(self.window)
            .max_wait(self.max_wait)
            .max_views(NonZeroUsize::new(self.max_views).unwrap())
            .max_frame_bytes(self.max_bytes)
            .enabled(self.enabled)
            .client_timezone("Europe/Paris")
    }
}

fn caps() -> impl Strategy<Value = Caps> {
    (
        0u64..20,
        0u64..60,
        1usize..5,
        250usize..2_500,
        prop::bool::weighted(0.85),
    )
        .prop_map(|(window, wait, max_views, max_bytes, enabled)| Caps {
            window: ms(window),
            max_wait: ms(wait),
            max_views,
            max_bytes,
            enabled,
        })
}

fn target_name(t: u8) -> String {
    // Target 0 is id-less: rule 3 never merges those.
    if t == 0 {
        String::new()
    } else {
        format!("t{t}")
    }
}

/// The sequence number the test stamped on a request.
fn seq_of(r: &MountRequest) -> u64 {
    r.extra()["seq"].as_u64().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Nothing lost, nothing duplicated except by rule 3, order kept, every frame within both
    /// caps, and the deadline never early.
    #[test]
    fn batcher_keeps_every_mount_in_order_within_the_caps(
        caps in caps(),
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let t0 = t0();
        let mut now = t0;
        let mut b = MountBatcher::new(caps.options());
        let mut connected = false;
        let mut seq = 0u64;
        let mut requested: Vec<(u64, String)> = Vec::new();
        let mut sent: Vec<Frame> = Vec::new();
        // The model of the coalescing window: first and latest mount since the last flush.
        let mut first: Option<Instant> = None;
        let mut last: Option<Instant> = None;
        // The model of the queue (rule 3: a later mount of a target replaces the earlier one)
        // and of the flushed frames not yet taken.
        let mut model_queue: Vec<(u64, String)> = Vec::new();
        let mut model_ready: Vec<(u64, String)> = Vec::new();
        let enqueue = |q: &mut Vec<(u64, String)>, item: (u64, String)| {
            if !item.1.is_empty() {
                q.retain(|(_, n)| *n != item.1);
            }
            q.push(item);
        };
        let Caps { window, max_wait, .. } = caps;
        let mut all_ops = ops;
        all_ops.extend([
            Op::Feed(Input::Connected),
            Op::Advance(1_000),
            Op::Feed(Input::Timeout),
            Op::Poll,
        ]);
        for op in all_ops {
            let queued_before = b.queued();
            let deadline_before = b.poll_timeout();
            match op {
                Op::Feed(Input::Mount(req)) => {
                    seq += 1;
                    let name = req.target_id().to_owned();
                    requested.push((seq, name.clone()));
                    enqueue(&mut model_queue, (seq, name.clone()));
                    b.handle_input(now, Input::Mount(req.with_extra("seq", json!(seq))));
                    if connected && caps.enabled {
                        first.get_or_insert(now);
                        last = Some(now);
                        let due = (now + window).min(first.unwrap() + max_wait);
                        if b.queued() == 0 {
                            prop_assert!(due <= now, "flushed on a mount before the window closed");
                        } else {
                            prop_assert!(due > now);
                        }
                    } else if connected {
                        prop_assert_eq!(b.queued(), 0, "batching off: sent at once");
                    }
                }
                Op::Feed(Input::Connected) => { b.handle_input(now, Input::Connected); connected = true; }
                Op::Feed(Input::Disconnected) => {
                    b.handle_input(now, Input::Disconnected);
                    if connected {
                        let waiting = std::mem::take(&mut model_queue);
                        for item in model_ready.drain(..).chain(waiting) {
                            enqueue(&mut model_queue, item);
                        }
                    }
                    connected = false;
                }
                Op::Advance(d) => now += ms(d),
                Op::Feed(Input::Timeout) => {
                    b.handle_input(now, Input::Timeout);
                    if b.queued() < queued_before {
                        let due = deadline_before.expect("a flush on timeout had a deadline");
                        prop_assert!(now >= due, "flushed before the deadline");
                    }
                    if deadline_before.is_some_and(|d| d <= now) {
                        prop_assert_eq!(b.queued(), 0, "a due timeout flushes");
                    }
                }
                Op::Poll => {
                    let mut taken = Vec::new();
                    while let Some(frame) = b.poll_frame() {
                        prop_assert!(connected, "a frame while disconnected");
                        taken.extend(frame.views().iter().map(seq_of));
                        sent.push(frame);
                    }
                    let want: Vec<u64> = model_ready.drain(..).map(|(s, _)| s).collect();
                    prop_assert_eq!(taken, want);
                }
                Op::Feed(other) => unreachable!("the strategy makes no {other:?}"),
            }
            // Every flush takes the whole queue.
            if b.queued() == 0 {
                model_ready.append(&mut model_queue);
            }
            prop_assert_eq!(b.queued(), model_queue.len());
            if b.queued() == 0 { first = None; last = None; }
            let want = match (connected, first, last) {
                (true, Some(f), Some(l)) if b.queued() > 0 => Some((l + window).min(f + max_wait)),
                _ => None,
            };
            prop_assert_eq!(b.poll_timeout(), want);
        }
        prop_assert_eq!(b.queued(), 0);
        // Caps: every batch frame fits both; only a lone view may exceed the byte cap.
        for frame in &sent {
            prop_assert_eq!(frame.json_len(), frame.to_json().len());
            match frame {
                Frame::MountBatch(batch) => {
                    prop_assert!(caps.enabled);
                    prop_assert!(batch.views.len() >= 2);
                    prop_assert!(frame.json_len() <= caps.max_bytes);
                    prop_assert!(batch.views.len() <= caps.max_views);
                }
                _ => prop_assert_eq!(frame.views().len(), 1),
            }
        }
        // Order kept, nothing duplicated: the sent sequence numbers strictly increase.
        let seqs: Vec<u64> = sent.iter().flat_map(|f| f.views().iter().map(seq_of)).collect();
        prop_assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{:?}", seqs);
        // Nothing lost: every request not sent was replaced by a later one for its target.
        let sent_set: HashSet<u64> = seqs.iter().copied().collect();
        for (i, (s, name)) in requested.iter().enumerate() {
            if !sent_set.contains(s) {
                prop_assert!(!name.is_empty(), "id-less request {} lost", s);
                prop_assert!(
                    requested[i + 1..].iter().any(|(_, n)| n == name),
                    "request {} for {} lost without a replacement", s, name
                );
            }
        }
    }

    /// Rule 4's count identity and order, end to end: a random request, random per-entry
    /// outcomes, the reply, and the client's reading of it.
    #[test]
    fn every_entry_is_answered_exactly_once_in_order(
        entries in prop::collection::vec((0u8..5, 0u8..3), 0..40),
    ) {
        let views: Vec<Value> = entries
            .iter()
            .enumerate()
            .map(|(i, &(kind, _))| match kind {
                0 => json!(i),
                1 => json!({"view": "", "target_id": format!("e{i}")}),
                _ => json!({"view": format!("app.views.V{i}"), "target_id": format!("e{i}")}),
            })
            .collect();
        let request = json!({"type": "mount_batch", "views": views, "client_timezone": "UTC"});
        let parsed = parse_request(request.to_string().as_bytes()).unwrap();
        prop_assert_eq!(parsed.len(), entries.len());
        let mut builder = ReplyBuilder::new("s");
        let mut want: Vec<(String, Outcome)> = Vec::new();
        let mut redirected = false;
        for (entry, &(_, fate)) in parsed.iter().zip(&entries) {
            match entry {
                Err(e) => { builder.failed_entry(e); }
                Ok(r) => {
                    let t = r.target_id().to_owned();
                    let outcome = match fate {
                        0 => { builder.mounted(&t, json!({"html": "x"})); Outcome::Mounted }
                        1 => {
                            builder.failed(&t, r.view(), format!("boom {t}"));
                            Outcome::Failed { error: format!("boom {t}") }
                        }
                        _ => {
                            builder.redirect(&t, r.view(), format!("/to/{t}"));
                            let to = format!("/to/{t}");
                            if redirected { Outcome::RedirectIgnored { to } }
                            else { redirected = true; Outcome::Redirect { to } }
                        }
                    };
                    want.push((t, outcome));
                }
            }
        }
        let reply = Reply::from_json(builder.finish().to_json().as_bytes()).unwrap();
        prop_assert_eq!(
            reply.views().len() + reply.failed().len() + reply.navigate().len(),
            entries.len()
        );
        // Each array keeps input order.
        let idx = |t: &str| t.trim_start_matches('e').parse::<usize>().unwrap_or(usize::MAX);
        for list in [
            reply.views().iter().map(|v| v["target_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>(),
            reply.navigate().iter().map(|v| v["target_id"].as_str().unwrap().to_owned()).collect(),
            reply.failed().iter().filter(|f| !f.target_id.is_empty()).map(|f| f.target_id.clone()).collect(),
        ] {
            prop_assert!(list.windows(2).all(|w| idx(&w[0]) < idx(&w[1])));
        }
        let pending: Vec<&str> = want.iter().map(|(t, _)| t.as_str()).collect();
        let got = outcomes(&reply, &pending);
        // Failed entries of unreadable requests name "" or an unrequested target: reports.
        prop_assert_eq!(&got[..want.len()], &want[..]);
        prop_assert_eq!(got.len() - want.len(), entries.len() - want.len());
    }
}
