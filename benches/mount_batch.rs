//! Mount batching: build and serialise a 50-view reply, parse a 50-view request, each next to a
//! plain `serde_json::Value` round trip (parse and serialise) of the same JSON.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use liveshell::mount_batch::{ReplyBuilder, parse_request};
use serde_json::{Value, json};

const VIEWS: usize = 50;

/// The mount frames of 50 rendered views, as a server's views would produce them.
fn mount_frames() -> Vec<(String, Value)> {
    (0..VIEWS)
        .map(|i| {
            let html = format!(
                "<section class=\"card\" dj-id=\"{i}\"><h2>Card {i}</h2><p>{}</p>\
                 <button dj-click=\"refresh\">Refresh</button></section>",
                "Some server-rendered text. ".repeat(4)
            );
            let frame = json!({
                "type": "mount",
                "session_id": "0b7e4c2a",
                "view": format!("app.views.Card{i}"),
                "html": html,
                "version": 1,
                "has_ids": true,
                "cache_config": {"ttl": 30},
            });
            (format!("card-{i}"), frame)
        })
        .collect()
}

fn reply_json() -> String {
    let mut reply = ReplyBuilder::new("0b7e4c2a");
    for (target, frame) in mount_frames() {
        reply.mounted(target, frame);
    }
    reply.finish().to_json()
}

fn request_json() -> String {
    let views: Vec<Value> = (0..VIEWS)
        .map(|i| {
            json!({
                "view": format!("app.views.Card{i}"),
                "params": {"page": "2", "sort": "recent"},
                "url": "/dashboard/",
                "target_id": format!("card-{i}"),
                "has_prerendered": i % 2 == 0,
            })
        })
        .collect();
    json!({"type": "mount_batch", "views": views, "client_timezone": "Europe/Paris"}).to_string()
}

fn value_round_trip(json: &str) -> String {
    let value: Value = serde_json::from_str(json).expect("the fixture is JSON");
    serde_json::to_string(&value).expect("a value serialises")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("mount_batch");
    group.throughput(Throughput::Elements(VIEWS as u64));

    let frames = mount_frames();
    let reply = reply_json();
    group.bench_function("reply_50/liveshell_build_serialize", |b| {
        b.iter_batched(
            || frames.clone(),
            |frames| {
                let mut builder = ReplyBuilder::new("0b7e4c2a");
                for (target, frame) in frames {
                    builder.mounted(target, frame);
                }
                black_box(builder.finish().to_json())
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("reply_50/serde_json_value_round_trip", |b| {
        b.iter(|| black_box(value_round_trip(black_box(&reply))));
    });

    let request = request_json();
    group.bench_function("request_50/liveshell_parse_request", |b| {
        b.iter(|| black_box(parse_request(black_box(request.as_bytes()))));
    });
    group.bench_function("request_50/serde_json_value_round_trip", |b| {
        b.iter(|| black_box(value_round_trip(black_box(&request))));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
