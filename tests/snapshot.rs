//! Integration tests for `liveshell::snapshot`: djust's vectors with liveshell's answers, the
//! byte boundaries of both caps, the restore policy, freshness and model-based property tests.
//! C304 has its own file, `snapshot_pii.rs`.

use std::time::Duration;

use liveshell::snapshot::{
    self, ComponentSkip, Components, DEFAULT_BLOCKLIST, Freshness, NameError, RestoreOptions,
    Snapshot, SnapshotError, SnapshotOptions, is_fresh, is_safe_name,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn valid(json: &str) -> Snapshot {
    snapshot::validate(json.as_bytes(), &SnapshotOptions::default())
        .unwrap_or_else(|e| panic!("{json:?} should be valid: {e}"))
}

fn invalid(json: &[u8], limits: &SnapshotOptions) -> SnapshotError {
    match snapshot::validate(json, limits) {
        Ok(s) => panic!(
            "{:?} should be rejected, got {s:?}",
            String::from_utf8_lossy(json)
        ),
        Err(e) => e,
    }
}

fn accepted_names(snap: &Snapshot) -> Vec<&str> {
    let plan = snap.restore_plan(&RestoreOptions::default());
    plan.accepted.iter().map(|(n, _)| *n).collect()
}

fn rejected(snap: &Snapshot) -> Vec<(&str, NameError)> {
    snap.restore_plan(&RestoreOptions::default()).rejected
}

// ---- djust's vectors (reference §5f), with liveshell's answers ----
//
// Covered here: S1-S7, S9-S12, I1, I5, I7-I9, I13, I15, I16, J7-J10 (J8 is the service-worker
// byte boundary below). The rest are the host's side of the protocol, outside this Sans-IO
// module: S8 (the opt-in flag's default), the signing vectors G1-G8 and I2, I14, I17 (liveshell
// never sees the key: the host checks the signature first), I3, I4, I6, I10-I12 (whether the
// view opts in, its slug, the master switch, what the mount frame carries) and J1-J6 (the
// browser's and the service worker's storage).

#[test]
fn s1_private_attribute_is_not_restored() {
    let snap = valid(r#"{"count": 5, "name": "alice", "_private": "secret"}"#);
    assert_eq!(accepted_names(&snap), ["count", "name"]);
    assert_eq!(rejected(&snap), [("_private", NameError::Private)]);
}

#[test]
fn s2_framework_internal_template_name_is_blocked() {
    // djust skips it on capture but would restore it; liveshell blocks it on restore.
    let snap = valid(r#"{"template_name": "custom.html", "count": 1}"#);
    assert_eq!(accepted_names(&snap), ["count"]);
    assert_eq!(rejected(&snap), [("template_name", NameError::Blocked)]);
}

#[test]
fn s3_a_callable_is_not_json() {
    let err = invalid(
        br#"{"bad_value": <function <lambda>>, "count": 1}"#,
        &SnapshotOptions::default(),
    );
    assert!(
        matches!(err, SnapshotError::Syntax { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn s4_i1_plain_public_state_is_restored() {
    let snap = valid(r#"{"count": 42, "label": "restored"}"#);
    let plan = snap.restore_plan(&RestoreOptions::default());
    assert_eq!(
        plan.accepted,
        [("count", &json!(42)), ("label", &json!("restored"))]
    );
    assert!(plan.rejected.is_empty());
    let snap = valid(r#"{"count": 7, "label": "from-snapshot"}"#);
    assert_eq!(accepted_names(&snap), ["count", "label"]);
}

#[test]
fn s5_dunder_class_is_rejected_and_count_kept() {
    let snap = valid(r#"{"__class__": "object", "count": 99}"#);
    assert_eq!(accepted_names(&snap), ["count"]);
    assert_eq!(rejected(&snap), [("__class__", NameError::Dunder)]);
}

#[test]
fn s6_private_thing_rejected_and_count_kept() {
    let snap = valid(r#"{"_private_thing": "nope", "count": 3}"#);
    assert_eq!(accepted_names(&snap), ["count"]);
    assert_eq!(rejected(&snap), [("_private_thing", NameError::Private)]);
}

#[test]
fn s7_a_just_captured_snapshot_is_fresh_by_default() {
    // djust's `_should_restore_snapshot` is always True and its signature and (since 1.2.6)
    // service worker expire at `DJUST_STATE_SNAPSHOT_MAX_AGE`, 3600 s by default; liveshell
    // has the seed's 5 minutes.
    let t = 1_763_700_000_000;
    assert_eq!(
        is_fresh(t, t, &SnapshotOptions::default()),
        Freshness::Fresh {
            age: Duration::ZERO
        }
    );
    assert!(!is_fresh(t, t + 3_600_000, &SnapshotOptions::default()).is_fresh());
}

#[test]
fn s9_components_key_is_a_dunder_and_not_restored() {
    let snap = valid(r#"{"__components__": {"c1": {"open": true}}, "count": 1}"#);
    assert_eq!(rejected(&snap), [("__components__", NameError::Dunder)]);
    // The host can still read it explicitly and restore components under its own rules.
    assert_eq!(
        snap.get("__components__"),
        Some(&json!({"c1": {"open": true}}))
    );
}

#[test]
fn d7_djust_1_2_6_components_are_restored_into_registered_components_with_its_skips() {
    // A 1.2.6-shaped capture: view state beside `__components__` (djust-1.2.6-changes.md D7, D8).
    let snap = valid(
        r#"{"count": 2, "price": {"__djust_decimal__": "9.99"}, "rating": 4,
            "__components__": {
                "cart": {"items": [1, 2], "open": true, "render": "x", "add_item": 1,
                         "component_id": "other", "template": "t", "template_name": "t.html",
                         "assigns": {}, "slots": [], "_cache": 1, "__dict__": {}},
                "ghost": {"items": []},
                "search": ["not", "an", "object"],
                "tabs": {"active": "b"}}}"#,
    );
    // The view's own plan still leaves `__components__` out: it is not a view attribute.
    assert_eq!(accepted_names(&snap), ["count", "price", "rating"]);
    assert_eq!(rejected(&snap), [("__components__", NameError::Dunder)]);
    let components = Components::new()
        .component("cart", ["render", "add_item"])
        .component("search", ["render"])
        .component("tabs", ["render", "select"]);
    let plan = snap.component_plan(&components);
    assert_eq!(
        plan.accepted,
        [
            (
                "cart",
                vec![("items", &json!([1, 2])), ("open", &json!(true))]
            ),
            ("tabs", vec![("active", &json!("b"))]),
        ]
    );
    assert_eq!(
        plan.skipped,
        [
            ("ghost", ComponentSkip::UnknownId),
            ("search", ComponentSkip::NotAnObject)
        ]
    );
    let rejected: Vec<(&str, NameError)> = plan
        .rejected
        .iter()
        .map(|&(_, name, why)| (name, why))
        .collect();
    assert_eq!(
        rejected,
        [
            ("__dict__", NameError::Dunder),
            ("_cache", NameError::Private),
            ("add_item", NameError::ComponentMethod),
            ("assigns", NameError::ComponentInternal),
            ("component_id", NameError::ComponentInternal),
            ("render", NameError::ComponentMethod),
            ("slots", NameError::ComponentInternal),
            ("template", NameError::ComponentInternal),
            ("template_name", NameError::ComponentInternal),
        ]
    );
    assert!(plan.rejected.iter().all(|&(id, _, _)| id == "cart"));
}

#[test]
fn d1_a_host_matching_djust_sets_its_3600_s_max_age_with_the_same_inclusive_boundary() {
    let djust = SnapshotOptions::default().max_age(Duration::from_secs(3600));
    let t = 1_763_700_000_000;
    assert!(is_fresh(t, t + 3_600_000, &djust).is_fresh());
    assert!(!is_fresh(t, t + 3_600_001, &djust).is_fresh());
    assert!(!is_fresh(t, t + 300_001, &SnapshotOptions::default()).is_fresh());
}

#[test]
fn options_load_from_a_file_with_defaults_for_what_is_missing() {
    let options: SnapshotOptions =
        serde_json::from_str(r#"{"max_age": 3600, "max_skew": 0.5}"#).unwrap();
    assert_eq!(
        options,
        SnapshotOptions::default()
            .max_age(Duration::from_secs(3600))
            .max_skew(Duration::from_millis(500))
    );
    assert_eq!(options.max_bytes, 65_536);
    let back: SnapshotOptions =
        serde_json::from_str(&serde_json::to_string(&options).unwrap()).unwrap();
    assert_eq!(back, options);
    assert!(serde_json::from_str::<SnapshotOptions>(r#"{"max_age": -1}"#).is_err());

    let restore: RestoreOptions =
        serde_json::from_str(r#"{"allowlist": ["count", "role"]}"#).unwrap();
    assert_eq!(
        restore,
        RestoreOptions::default().allowlist(["count", "role"])
    );
    assert_eq!(restore.check("template_name"), Err(NameError::Blocked));
    let emptied: RestoreOptions = serde_json::from_str(r#"{"blocklist": []}"#).unwrap();
    assert_eq!(emptied.check("template_name"), Ok(()));
    assert_eq!(
        serde_json::from_str::<RestoreOptions>("{}").unwrap(),
        RestoreOptions::default()
    );
}

#[test]
fn s10_trailing_newline_is_not_a_safe_name() {
    // djust's `^...$` regex accepts "count\n"; liveshell anchors at the true end.
    assert_eq!(is_safe_name("count\n"), Err(NameError::NotIdentifier));
    let snap = valid(r#"{"count\n": 1, "count": 2}"#);
    assert_eq!(accepted_names(&snap), ["count"]);
}

#[test]
fn s11_bad_names_are_rejected_with_their_reason() {
    assert_eq!(is_safe_name("1abc"), Err(NameError::NotIdentifier));
    assert_eq!(is_safe_name("a-b"), Err(NameError::NotIdentifier));
    assert_eq!(is_safe_name("é"), Err(NameError::NotIdentifier));
    assert_eq!(is_safe_name("_x"), Err(NameError::Private));
    assert_eq!(is_safe_name("count\n\n"), Err(NameError::NotIdentifier));
    assert_eq!(is_safe_name(""), Err(NameError::Empty));
}

#[test]
fn s12_nan_and_infinity_are_not_json() {
    for text in [
        r#"{"x": NaN}"#,
        r#"{"x": Infinity}"#,
        r#"{"x": -Infinity}"#,
        r#"{"x": 1e400}"#,
    ] {
        let err = invalid(text.as_bytes(), &SnapshotOptions::default());
        assert!(
            matches!(err, SnapshotError::Syntax { .. }),
            "{text}: {err:?}"
        );
    }
}

#[test]
fn i5_not_valid_json_is_a_syntax_error() {
    let err = invalid(b"{not-valid-json", &SnapshotOptions::default());
    assert!(
        matches!(
            err,
            SnapshotError::Syntax {
                line: 1,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn i7_i16_oversized_payloads_are_too_large() {
    for n in [66_560, 70_000] {
        let text = format!(r#"{{"payload": "{}"}}"#, "x".repeat(n));
        assert_eq!(
            invalid(text.as_bytes(), &SnapshotOptions::default()),
            SnapshotError::TooLarge {
                size: n + 15,
                limit: 65_536
            }
        );
    }
}

fn object_with_keys(n: usize, extra: &str) -> String {
    let mut keys: Vec<String> = (0..n).map(|i| format!(r#""k{i}": {i}"#)).collect();
    if !extra.is_empty() {
        keys.push(extra.to_owned());
    }
    format!("{{{}}}", keys.join(", "))
}

#[test]
fn i8_i15_too_many_keys_restores_nothing() {
    let err = invalid(
        object_with_keys(300, r#""role": "admin""#).as_bytes(),
        &SnapshotOptions::default(),
    );
    assert_eq!(err, SnapshotError::TooManyKeys { limit: 256 });
    let err = invalid(
        object_with_keys(300, "").as_bytes(),
        &SnapshotOptions::default(),
    );
    assert_eq!(err, SnapshotError::TooManyKeys { limit: 256 });
}

#[test]
fn i9_an_array_is_not_a_snapshot() {
    assert_eq!(
        invalid(b"[1, 2, 3]", &SnapshotOptions::default()),
        SnapshotError::NotAnObject { found: "array" }
    );
    for (text, found) in [
        ("\"x\"", "string"),
        ("1", "number"),
        ("-1", "number"),
        ("1.5", "number"),
        ("true", "boolean"),
        ("null", "null"),
    ] {
        assert_eq!(
            invalid(text.as_bytes(), &SnapshotOptions::default()),
            SnapshotError::NotAnObject { found }
        );
    }
}

#[test]
fn i13_older_than_max_age_is_stale() {
    let policy = SnapshotOptions::default()
        .max_age(Duration::from_secs(1))
        .max_skew(Duration::from_secs(5));
    let t = 1_763_700_000_000;
    assert_eq!(
        is_fresh(t, t + 5_000, &policy),
        Freshness::Stale {
            age: Duration::from_secs(5)
        }
    );
}

#[test]
fn j7_300_kb_is_too_large_for_the_service_worker() {
    let text = format!(r#"{{"p": "{}"}}"#, "x".repeat(300 * 1024));
    assert!(matches!(
        invalid(text.as_bytes(), &SnapshotOptions::service_worker()),
        SnapshotError::TooLarge { limit: 262_144, .. }
    ));
}

#[test]
fn j9_two_hundred_thousand_e_acute_are_rejected_by_both_caps() {
    // djust's service worker stores it (200,000 UTF-16 units); it is 400,000 UTF-8 bytes.
    let text = format!(r#"{{"s": "{}"}}"#, "é".repeat(200_000));
    assert_eq!(text.len(), 400_009);
    for limits in [
        SnapshotOptions::default(),
        SnapshotOptions::service_worker(),
    ] {
        assert_eq!(
            invalid(text.as_bytes(), &limits),
            SnapshotError::TooLarge {
                size: 400_009,
                limit: limits.max_bytes
            }
        );
    }
}

#[test]
fn j10_a_capture_stamped_at_one_millisecond_is_stale() {
    // djust 1.1.0's service worker had no TTL and returned it (1.2.6's expires it too);
    // liveshell's freshness rejects it.
    assert!(matches!(
        is_fresh(1, 1_763_700_000_000, &SnapshotOptions::default()),
        Freshness::Stale { .. }
    ));
}

// ---- byte boundaries, with multi-byte characters ----

/// A snapshot of exactly `len` bytes whose one string mixes 1-, 2-, 3- and 4-byte characters.
fn snapshot_of_len(len: usize) -> String {
    let (head, tail) = (r#"{"s":""#, r#""}"#);
    let mut body = String::new();
    let pattern = ['é', '€', '😀', 'x'];
    let mut i = 0;
    while body.len() + 4 <= len - head.len() - tail.len() {
        body.push(pattern[i % pattern.len()]);
        i += 1;
    }
    while body.len() < len - head.len() - tail.len() {
        body.push('x');
    }
    let text = format!("{head}{body}{tail}");
    assert_eq!(text.len(), len);
    text
}

/// Exactly `max_bytes` bytes are accepted and one byte more is `TooLarge`, under `limits`.
fn assert_byte_boundary(limits: &SnapshotOptions) {
    let at = snapshot_of_len(limits.max_bytes);
    assert!(
        at.chars().count() < limits.max_bytes * 2 / 3,
        "mostly multi-byte characters"
    );
    assert!(snapshot::validate(at.as_bytes(), limits).is_ok());
    let over = snapshot_of_len(limits.max_bytes + 1);
    assert_eq!(
        invalid(over.as_bytes(), limits),
        SnapshotError::TooLarge {
            size: limits.max_bytes + 1,
            limit: limits.max_bytes
        }
    );
}

#[test]
fn client_cap_boundary_counts_utf8_bytes() {
    assert_eq!(SnapshotOptions::default().max_bytes, 65_536);
    assert_byte_boundary(&SnapshotOptions::default());
    let over = snapshot_of_len(65_537);
    assert!(snapshot::validate(over.as_bytes(), &SnapshotOptions::service_worker()).is_ok());
}

#[test]
fn j8_service_worker_cap_boundary_counts_utf8_bytes() {
    assert_eq!(SnapshotOptions::service_worker().max_bytes, 262_144);
    assert_byte_boundary(&SnapshotOptions::service_worker());
}

#[test]
fn accepted_string_is_never_truncated() {
    let at = snapshot_of_len(65_536);
    let snap = valid(&at);
    let expected: Value = serde_json::from_str(&at).expect("valid JSON");
    assert_eq!(snap.get("s"), expected.get("s"));
}

#[test]
fn default_limits_are_the_issue_numbers() {
    let d = SnapshotOptions::default();
    assert_eq!((d.max_bytes, d.max_keys, d.max_depth), (65_536, 256, 64));
    let sw = SnapshotOptions::service_worker();
    assert_eq!(
        (sw.max_bytes, sw.max_keys, sw.max_depth),
        (262_144, 256, 64)
    );
}

// ---- structure: keys, depth, duplicates, strictness ----

#[test]
fn exactly_max_keys_top_level_keys_is_accepted() {
    assert_eq!(valid(&object_with_keys(256, "")).len(), 256);
    assert_eq!(
        invalid(
            object_with_keys(257, "").as_bytes(),
            &SnapshotOptions::default()
        ),
        SnapshotError::TooManyKeys { limit: 256 }
    );
}

#[test]
fn key_cap_applies_to_the_top_level_only() {
    let inner = object_with_keys(1_000, "");
    let snap = valid(&format!(r#"{{"big": {inner}}}"#));
    assert_eq!(
        snap.get("big").and_then(Value::as_object).map(Map::len),
        Some(1_000)
    );
}

/// `{"a":{"a":...[]...}}` with `depth` containers in all, the innermost an empty array.
fn nested(depth: usize) -> String {
    format!(
        "{}[]{}",
        r#"{"a":"#.repeat(depth - 1),
        "}".repeat(depth - 1)
    )
}

#[test]
fn depth_boundary_is_inclusive() {
    assert!(snapshot::validate(nested(64).as_bytes(), &SnapshotOptions::default()).is_ok());
    let err = invalid(nested(65).as_bytes(), &SnapshotOptions::default());
    let path = "/a".repeat(64);
    assert_eq!(err, SnapshotError::TooDeep { limit: 64, path });
}

#[test]
fn arrays_count_toward_depth() {
    let text = format!(r#"{{"a": {}1{}}}"#, "[".repeat(63), "]".repeat(63));
    assert!(snapshot::validate(text.as_bytes(), &SnapshotOptions::default()).is_ok());
    let text = format!(r#"{{"a": {}1{}}}"#, "[".repeat(64), "]".repeat(64));
    let err = invalid(text.as_bytes(), &SnapshotOptions::default());
    assert!(
        matches!(err, SnapshotError::TooDeep { limit: 64, ref path } if path == &format!("/a{}", "/0".repeat(63))),
        "{err:?}"
    );
}

#[test]
fn a_million_open_brackets_do_not_overflow_the_stack() {
    let unlimited = SnapshotOptions::default()
        .max_bytes(usize::MAX)
        .max_keys(256)
        .max_depth(64);
    for open in ["[", "{\"a\":", "{\"a\":["] {
        let text = format!("{{\"x\":{}", open.repeat(1_000_000));
        let err = invalid(text.as_bytes(), &unlimited);
        assert!(
            matches!(err, SnapshotError::TooDeep { limit: 64, .. }),
            "{err:?}"
        );
    }
    let text = "[".repeat(1_000_000);
    assert!(matches!(
        invalid(text.as_bytes(), &unlimited),
        SnapshotError::NotAnObject { found: "array" }
    ));
}

#[test]
fn duplicate_keys_are_rejected_at_any_depth() {
    assert_eq!(
        invalid(
            br#"{"role": "user", "role": "admin"}"#,
            &SnapshotOptions::default()
        ),
        SnapshotError::DuplicateKey {
            key: "role".into(),
            path: String::new()
        }
    );
    assert_eq!(
        invalid(
            br#"{"a": {"b": [0, {"c": 1, "c": 1}]}}"#,
            &SnapshotOptions::default()
        ),
        SnapshotError::DuplicateKey {
            key: "c".into(),
            path: "/a/b/1".into()
        }
    );
    let err = invalid(
        br#"{"r\u006fle": 1, "role": 2}"#,
        &SnapshotOptions::default(),
    );
    assert!(matches!(err, SnapshotError::DuplicateKey { key, .. } if key == "role"));
}

#[test]
fn strict_json_refuses_what_lenient_parsers_accept() {
    for text in [
        "{\"a\": 1} trailing",
        "{\"a\": 1}{}",
        "{\"a\": 1,}",
        "{\"a\": [1,]}",
        "{'a': 1}",
        "{a: 1}",
        "{\"a\": 1} // comment",
        "/* c */ {\"a\": 1}",
        "\u{feff}{\"a\": 1}",
        "{\"a\": 01}",
        "{\"a\": .5}",
        "{\"a\": 0x10}",
        "{\"a\": \"\\ud800\"}",
        "{\"a\": \"tab\there\"}",
        "{\"a\": undefined}",
        "",
        "   ",
    ] {
        let err = invalid(text.as_bytes(), &SnapshotOptions::default());
        assert!(
            matches!(err, SnapshotError::Syntax { .. }),
            "{text:?}: {err:?}"
        );
    }
    let err = invalid(b"{\"a\": \"\xff\"}", &SnapshotOptions::default());
    assert!(matches!(err, SnapshotError::Syntax { .. }), "{err:?}");
}

#[test]
fn surrounding_whitespace_and_escapes_are_fine() {
    let snap = valid(" \n\t{\"s\": \"\\u00e9\\ud83d\\ude00\\n\", \"n\": -1.5e300}\r\n ");
    assert_eq!(snap.get("s"), Some(&json!("é😀\n")));
    assert_eq!(snap.get("n"), Some(&json!(-1.5e300)));
}

#[test]
fn big_integers_stay_exact_within_u64_and_i64() {
    let snap = valid(r#"{"u": 18446744073709551615, "i": -9223372036854775808}"#);
    assert_eq!(snap.get("u"), Some(&json!(u64::MAX)));
    assert_eq!(snap.get("i"), Some(&json!(i64::MIN)));
}

#[test]
fn errors_print_lowercase_with_their_context() {
    let e = SnapshotError::TooLarge {
        size: 65_537,
        limit: 65_536,
    };
    assert_eq!(
        e.to_string(),
        "snapshot is 65537 bytes, over the limit of 65536"
    );
    let e = SnapshotError::DuplicateKey {
        key: "a".into(),
        path: String::new(),
    };
    assert_eq!(
        e.to_string(),
        "duplicate key \"a\" in the object at the top level"
    );
    let e = SnapshotError::TooDeep {
        limit: 2,
        path: "/a/0".into(),
    };
    assert_eq!(e.to_string(), "nesting deeper than 2 levels at `/a/0`");
    assert_eq!(
        NameError::Private.to_string(),
        "name is private (starts with `_`)"
    );
}

// ---- restore policy ----

#[test]
fn allowlist_restores_only_declared_fields() {
    let snap = valid(r#"{"items": [], "qty": 2, "is_admin": true, "_x": 1}"#);
    let policy = RestoreOptions::default().allowlist(["items", "qty"]);
    let plan = snap.restore_plan(&policy);
    assert_eq!(plan.accepted, [("items", &json!([])), ("qty", &json!(2))]);
    assert_eq!(
        plan.rejected,
        [
            ("_x", NameError::Private),
            ("is_admin", NameError::NotAllowed)
        ]
    );
}

#[test]
fn allowlist_cannot_readmit_unsafe_names() {
    let policy = RestoreOptions::default().allowlist(["__class__", "_x", "template", "count\n"]);
    assert_eq!(policy.check("__class__"), Err(NameError::Dunder));
    assert_eq!(policy.check("_x"), Err(NameError::Private));
    assert_eq!(policy.check("template"), Err(NameError::Blocked));
    assert_eq!(policy.check("count\n"), Err(NameError::NotIdentifier));
}

#[test]
fn every_default_blocklist_name_is_blocked() {
    for name in DEFAULT_BLOCKLIST {
        assert_eq!(is_safe_name(name), Err(NameError::Blocked), "{name}");
        assert_eq!(
            RestoreOptions::default().check(name),
            Err(NameError::Blocked)
        );
    }
    for name in [
        "request",
        "template_name",
        "mount",
        "constructor",
        "prototype",
    ] {
        assert!(DEFAULT_BLOCKLIST.contains(&name), "{name}");
    }
}

// ---- freshness ----

#[test]
fn freshness_boundaries_are_inclusive() {
    let p = SnapshotOptions::default();
    let t = 1_763_700_000_000;
    assert!(is_fresh(t, t + 300_000, &p).is_fresh());
    assert_eq!(
        is_fresh(t, t + 300_001, &p),
        Freshness::Stale {
            age: Duration::from_millis(300_001)
        }
    );
    assert_eq!(
        is_fresh(t + 5_000, t, &p),
        Freshness::Fresh {
            age: Duration::ZERO
        }
    );
    assert_eq!(
        is_fresh(t + 5_001, t, &p),
        Freshness::FromTheFuture {
            ahead: Duration::from_millis(5_001)
        }
    );
}

// ---- guards ----

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Snapshot>();
    check::<SnapshotError>();
    check::<SnapshotOptions>();
    check::<RestoreOptions>();
    check::<snapshot::RestorePlan<'static>>();
    check::<NameError>();
    check::<Freshness>();
    check::<Components>();
    check::<snapshot::ComponentPlan<'static>>();
}

// ---- property tests ----

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,6}",
        "_{1,2}[a-z]{1,4}_{0,2}",
        "[a-zA-Z0-9é€😀\"\\\\/\n -]{0,6}",
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A top-level value: usually an object, sometimes wrapped in extra levels of nesting.
fn arb_top() -> impl Strategy<Value = Value> {
    let object = || {
        prop::collection::btree_map(arb_key(), arb_value(), 0..8)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    };
    prop_oneof![
        6 => object(),
        2 => (object(), 0..6usize).prop_map(|(v, extra)| {
            (0..extra).fold(v, |v, i| if i % 2 == 0 { json!({ "w": v }) } else { json!([v]) })
        }),
        1 => arb_value(),
    ]
}

/// The model's depth: containers count one level each, scalars none.
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn arb_limits() -> impl Strategy<Value = SnapshotOptions> {
    (0usize..1_500, 0usize..9, 0usize..9).prop_map(|(b, k, d)| {
        SnapshotOptions::default()
            .max_bytes(b)
            .max_keys(k)
            .max_depth(d)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validate_accepts_iff_the_model_rules_hold(
        value in arb_top(),
        limits in arb_limits(),
        pretty in any::<bool>(),
    ) {
        let text = if pretty {
            serde_json::to_vec_pretty(&value)
        } else {
            serde_json::to_vec(&value)
        }
        .expect("serialisable");
        let result = snapshot::validate(&text, &limits);
        let too_large = text.len() > limits.max_bytes;
        let is_object = value.is_object();
        let too_deep = depth(&value) > limits.max_depth;
        let too_many = value.as_object().is_some_and(|m| m.len() > limits.max_keys);
        match result {
            Ok(snap) => {
                prop_assert!(!too_large && is_object && !too_deep && !too_many);
                let reparsed: Value = serde_json::from_slice(&text).expect("valid JSON");
                prop_assert_eq!(&Value::Object(snap.into_map()), &reparsed);
            }
            Err(SnapshotError::TooLarge { size, limit }) => {
                prop_assert!(too_large);
                prop_assert_eq!((size, limit), (text.len(), limits.max_bytes));
            }
            Err(SnapshotError::NotAnObject { found }) => {
                prop_assert!(!too_large && !is_object);
                prop_assert_eq!(found, kind(&value));
            }
            Err(SnapshotError::TooDeep { limit, .. }) => {
                prop_assert!(!too_large && is_object && too_deep);
                prop_assert_eq!(limit, limits.max_depth);
            }
            Err(SnapshotError::TooManyKeys { limit }) => {
                prop_assert!(!too_large && is_object && too_many);
                prop_assert_eq!(limit, limits.max_keys);
            }
            Err(other) => prop_assert!(false, "unexpected {other:?} for {value}"),
        }
    }

    #[test]
    fn an_injected_duplicate_key_is_always_rejected(
        map in prop::collection::btree_map(arb_key(), arb_value(), 1..6),
        pick in any::<prop::sample::Index>(),
        dup in arb_value(),
        nest in any::<bool>(),
    ) {
        let key = pick.get(&map.keys().collect::<Vec<_>>()).to_string();
        let object = serde_json::to_string(&Value::Object(map.into_iter().collect()))
            .expect("serialisable");
        let with_dup = format!(
            "{{{}:{},{}",
            serde_json::to_string(&key).expect("serialisable"),
            dup,
            &object[1..]
        );
        let (text, path) = if nest {
            (format!(r#"{{"outer": {with_dup}}}"#), "/outer")
        } else {
            (with_dup, "")
        };
        let limits = SnapshotOptions::default().max_bytes(usize::MAX).max_keys(256).max_depth(64);
        prop_assert_eq!(
            snapshot::validate(text.as_bytes(), &limits),
            Err(SnapshotError::DuplicateKey { key, path: path.into() })
        );
    }

    #[test]
    fn every_accepted_name_is_safe_and_every_safe_name_matches_the_model(
        value in arb_top(),
        names in prop::collection::vec(prop_oneof![arb_key(), "\\PC{0,10}"], 0..8),
    ) {
        let model = regex::Regex::new(r"\A[A-Za-z][A-Za-z0-9_]*\z").expect("regex");
        for name in &names {
            let expected = model.is_match(name) && !DEFAULT_BLOCKLIST.contains(&name.as_str());
            prop_assert_eq!(is_safe_name(name).is_ok(), expected, "{:?}", name);
        }
        let unlimited = SnapshotOptions::default().max_bytes(usize::MAX).max_keys(256).max_depth(64);
        if let Ok(snap) = snapshot::validate(value.to_string().as_bytes(), &unlimited) {
            let plan = snap.restore_plan(&RestoreOptions::default());
            prop_assert_eq!(plan.accepted.len() + plan.rejected.len(), snap.len());
            for (name, v) in &plan.accepted {
                prop_assert!(model.is_match(name), "{:?}", name);
                prop_assert_eq!(is_safe_name(name), Ok(()));
                prop_assert_eq!(snap.get(name), Some(*v));
            }
            for (name, reason) in &plan.rejected {
                prop_assert_eq!(is_safe_name(name), Err(*reason));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_acceptance_implies_serde_json_agrees(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        if let Ok(snap) = snapshot::validate(&bytes, &SnapshotOptions::default()) {
            let reparsed: Value = serde_json::from_slice(&bytes).expect("serde_json accepts");
            prop_assert_eq!(Value::Object(snap.into_map()), reparsed);
        }
    }

    #[test]
    fn mutated_snapshots_never_panic_and_acceptance_implies_serde_json_agrees(
        value in arb_top(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = serde_json::to_vec(&value).expect("serialisable");
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(snap) = snapshot::validate(&bytes, &SnapshotOptions::default()) {
            let reparsed: Value = serde_json::from_slice(&bytes).expect("serde_json accepts");
            prop_assert_eq!(Value::Object(snap.into_map()), reparsed);
        }
    }

    #[test]
    fn freshness_matches_the_model(
        captured in 0u64..2_000_000,
        now in 0u64..2_000_000,
        max_age in 0u64..1_000_000,
        max_skew in 0u64..10_000,
    ) {
        let policy =
            SnapshotOptions::default().max_age(Duration::from_millis(max_age)).max_skew(Duration::from_millis(max_skew));
        let expected = if captured <= now {
            now - captured <= max_age
        } else {
            captured - now <= max_skew
        };
        prop_assert_eq!(is_fresh(captured, now, &policy).is_fresh(), expected);
    }
}
