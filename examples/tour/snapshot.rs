//! Tour section: validating state snapshots, planning a safe restore and check C304.

use liveshell::snapshot::{self, Components, RestoreOptions, SnapshotOptions, check_pii, is_fresh};

/// Validates a good, an oversized and a hostile snapshot, and runs C304 on a view.
///
/// `captured_at_ms` is the wall-clock time the browser stamped on the snapshots; only ages
/// relative to it are printed.
pub(crate) fn tour(captured_at_ms: u64) {
    let options = SnapshotOptions::default();
    let restore = RestoreOptions::default();

    let good = br#"{"items": [{"id": 7, "qty": 2}], "page": 3, "expanded": ["shipping"]}"#;
    match snapshot::validate(good, &options) {
        Ok(snap) => {
            let plan = snap.restore_plan(&restore);
            let names: Vec<&str> = plan.accepted.iter().map(|(n, _)| *n).collect();
            println!(
                "good snapshot ({} bytes): valid, restore {} instead of mount()",
                good.len(),
                names.join(", ")
            );
        }
        Err(e) => println!("good snapshot: unexpectedly rejected: {e}"),
    }

    let big = format!(r#"{{"notes": "{}"}}"#, "é".repeat(40_000));
    match snapshot::validate(big.as_bytes(), &options) {
        Ok(_) => println!("big snapshot: unexpectedly accepted"),
        Err(e) => println!(
            "big snapshot ({} characters, {} UTF-8 bytes): rejected, {e}; mount() runs",
            big.chars().count(),
            big.len()
        ),
    }

    let hostile =
        br#"{"__class__": "Admin", "_secret": "s3cr3t", "count": 5, "template_name": "x.html"}"#;
    match snapshot::validate(hostile, &options) {
        Ok(snap) => {
            let plan = snap.restore_plan(&restore);
            for (name, value) in &plan.accepted {
                println!("hostile snapshot: restore {name} = {value}");
            }
            for (name, reason) in &plan.rejected {
                println!("hostile snapshot: skip {name}: {reason}");
            }
        }
        Err(e) => println!("hostile snapshot: rejected: {e}"),
    }

    let dup = br#"{"role": "user", "role": "admin"}"#;
    if let Err(e) = snapshot::validate(dup, &options) {
        println!("smuggling attempt: rejected, {e}");
    }

    // djust 1.2.6 captures component state under `__components__`.
    let with_components = br#"{"count": 1, "__components__": {
        "cart": {"items": 3, "render": "shadowed", "template_name": "x.html"},
        "gone": {"open": true}}}"#;
    if let Ok(snap) = snapshot::validate(with_components, &options) {
        let plan = snap.component_plan(&Components::new().component("cart", ["render", "add"]));
        for (id, fields) in &plan.accepted {
            for (name, value) in fields {
                println!("component {id}: restore {name} = {value}");
            }
        }
        for (id, name, reason) in &plan.rejected {
            println!("component {id}: skip {name}: {reason}");
        }
        for (id, reason) in &plan.skipped {
            println!("component {id}: skipped: {reason}");
        }
    }

    for age_ms in [299_000, 301_000] {
        let verdict = is_fresh(captured_at_ms, captured_at_ms + age_ms, &options);
        println!(
            "captured {} s ago: {}",
            age_ms / 1000,
            if verdict.is_fresh() {
                "fresh, restore"
            } else {
                "stale, mount() runs"
            }
        );
    }

    let fields = ["items", "api_key", "userPassword", "classname", "shipping"];
    match check_pii("shop.views.Checkout", fields) {
        Some(warning) => println!("{warning}"),
        None => println!("C304: nothing PII-like in {fields:?}"),
    }
}
