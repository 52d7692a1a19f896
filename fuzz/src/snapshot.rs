//! Snapshot target: arbitrary bytes through `validate` under the client, service-worker and tiny
//! caps, and through the name, component, freshness and C304 checks; no panic and no broken
//! invariant.

use liveshell::snapshot::{self, Components, RestoreOptions, SnapshotOptions};

/// Validates `data` as a snapshot and checks what every accepted snapshot must satisfy.
pub fn run(data: &[u8]) {
    let tiny = SnapshotOptions::default()
        .max_bytes(512)
        .max_keys(4)
        .max_depth(3);
    for options in [
        SnapshotOptions::default(),
        SnapshotOptions::service_worker(),
        tiny,
    ] {
        let Ok(snap) = snapshot::validate(data, &options) else {
            continue;
        };
        assert!(data.len() <= options.max_bytes);
        assert!(snap.len() <= options.max_keys);
        let plan = snap.restore_plan(&RestoreOptions::default());
        assert_eq!(plan.accepted.len() + plan.rejected.len(), snap.len());
        for (name, _) in &plan.accepted {
            assert_eq!(snapshot::is_safe_name(name), Ok(()), "{name:?}");
        }
        for (name, reason) in &plan.rejected {
            assert_eq!(snapshot::is_safe_name(name), Err(*reason), "{name:?}");
        }
        check_components(&snap);
        let flagged = snapshot::pii_names(&snap);
        assert!(flagged.iter().all(|n| snapshot::is_pii_name(n)));
        assert_eq!(
            snapshot::check_pii("fuzz.View", flagged.iter().copied()).is_some(),
            !flagged.is_empty()
        );
    }

    let text = String::from_utf8_lossy(data);
    for name in text.split(',') {
        if snapshot::is_safe_name(name).is_ok() {
            assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        }
        let _ = snapshot::is_pii_name(name);
    }
    if let (Some(a), Some(b)) = (data.get(..8), data.get(8..16)) {
        let captured = u64::from_le_bytes(a.try_into().expect("8 bytes"));
        let now = u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let fresh = snapshot::is_fresh(captured, now, &SnapshotOptions::default()).is_fresh();
        assert_eq!(
            fresh,
            (captured <= now && now - captured <= 300_000)
                || (captured > now && captured - now <= 5_000)
        );
    }
}

/// Every `__components__` field is accepted, rejected or inside a skipped entry, exactly once,
/// and nothing accepted breaks a rule; the first two ids are registered, with `render` a method.
fn check_components(snap: &snapshot::Snapshot) {
    let Some(serde_json::Value::Object(entries)) = snap.get(snapshot::COMPONENTS_KEY) else {
        return;
    };
    let mut components = Components::new();
    for id in entries.keys().take(2) {
        components = components.component(id.clone(), ["render"]);
    }
    let plan = snap.component_plan(&components);
    assert_eq!(plan.accepted.len() + plan.skipped.len(), entries.len());
    for (id, fields) in &plan.accepted {
        assert!(components.contains(id));
        for (name, _) in fields {
            assert_eq!(components.check(id, name), Ok(()), "{id:?}.{name:?}");
            assert!(!snapshot::COMPONENT_INTERNALS.contains(name) && *name != "render");
        }
        let rejected = plan.rejected.iter().filter(|(r, _, _)| r == id).count();
        assert_eq!(
            fields.len() + rejected,
            entries[*id].as_object().map_or(0, |m| m.len())
        );
    }
}
