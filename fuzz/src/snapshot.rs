//! Snapshot target: arbitrary bytes through `validate` under the client, service-worker and tiny
//! limits, and through the name, freshness and C304 checks; no panic and no broken invariant.

use liveshell::snapshot::{self, FreshnessPolicy, Limits, RestorePolicy};

/// Validates `data` as a snapshot and checks what every accepted snapshot must satisfy.
pub fn run(data: &[u8]) {
    let tiny = Limits::new(512, 4, 3);
    for limits in [Limits::default(), Limits::service_worker(), tiny] {
        let Ok(snap) = snapshot::validate(data, &limits) else {
            continue;
        };
        assert!(data.len() <= limits.max_bytes);
        assert!(snap.len() <= limits.max_keys);
        let plan = snap.restore_plan(&RestorePolicy::default());
        assert_eq!(plan.accepted.len() + plan.rejected.len(), snap.len());
        for (name, _) in &plan.accepted {
            assert_eq!(snapshot::is_safe_name(name), Ok(()), "{name:?}");
        }
        for (name, reason) in &plan.rejected {
            assert_eq!(snapshot::is_safe_name(name), Err(*reason), "{name:?}");
        }
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
        let fresh = snapshot::is_fresh(captured, now, &FreshnessPolicy::default()).is_fresh();
        assert_eq!(
            fresh,
            (captured <= now && now - captured <= 300_000)
                || (captured > now && captured - now <= 5_000)
        );
    }
}
