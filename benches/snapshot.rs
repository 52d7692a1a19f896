//! State-snapshot validation against plain serde_json parsing of the same bytes.
//!
//! The input is a realistic snapshot of about 60 KB: an order-management view's public state
//! with a list of orders (nested line items, addresses, tags), filters, form values and UI flags.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use liveshell::snapshot::{self, SnapshotOptions};

/// Builds the snapshot deterministically, growing the order list until it is about 60 KB.
fn realistic_snapshot() -> String {
    let mut orders = String::new();
    let mut n = 0u32;
    while orders.len() < 60_500 {
        if n > 0 {
            orders.push(',');
        }
        let items: Vec<String> = (0..(n % 4 + 1))
            .map(|i| {
                format!(
                    r#"{{"sku":"SKU-{n:05}-{i}","name":"Widget \"{i}\" — size {}","qty":{},"unit_price":{}.{:02},"gift":{}}}"#,
                    ["S", "M", "L"][(i % 3) as usize],
                    i + 1,
                    5 + n % 90,
                    (n * 7 + i) % 100,
                    i % 2 == 0
                )
            })
            .collect();
        write!(
            orders,
            r#"{{"id":{},"status":"{}","customer":{{"name":"Customer {n}","city":"Zürich","zip":"80{:02}"}},"items":[{}],"tags":["priority","q{}"],"note":null,"total":{}.5}}"#,
            100_000 + n,
            ["open", "paid", "shipped", "returned"][(n % 4) as usize],
            n % 100,
            items.join(","),
            n % 4 + 1,
            n * 3
        )
        .expect("writing to a String cannot fail");
        n += 1;
    }
    format!(
        r#"{{"orders":[{orders}],"page":3,"per_page":50,"sort":"-created","filters":{{"status":["open","paid"],"q":"widget","from":"2026-01-01"}},"form":{{"email":"ada@example.com","notes":"Leave at the door ✓"}},"expanded":[1,4,9],"scroll_y":1834.5,"dark_mode":false}}"#
    )
}

fn bench(c: &mut Criterion) {
    let json = realistic_snapshot();
    let bytes = json.as_bytes();
    assert!((60_000..=SnapshotOptions::default().max_bytes).contains(&bytes.len()));
    let options = SnapshotOptions::default();
    assert!(snapshot::validate(bytes, &options).is_ok());

    let mut group = c.benchmark_group(format!("snapshot_{}_bytes", bytes.len()));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("liveshell_validate", |b| {
        b.iter(|| snapshot::validate(black_box(bytes), black_box(&options)))
    });
    group.bench_function("serde_json_from_slice_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
