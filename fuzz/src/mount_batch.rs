//! Mount batch target: arbitrary bytes as a `mount_batch` request and as a reply.
//!
//! As a request, `parse_request` must never panic, must return one result per `views` entry, and
//! every entry it accepts must survive a JSON round trip; a reply built from its entries must
//! keep the count identity `views + failed + navigate == entries`. As a reply, `outcomes` must
//! give one outcome per distinct pending target first, follow at most one redirect (a view's or
//! the page's), and account for every reply entry exactly once.

use std::collections::HashSet;

use liveshell::mount_batch::{Frame, Outcome, Reply, ReplyBuilder, outcomes, parse_request};

/// Feeds `data` to the server parser, the reply builder and the client demux.
pub fn run(data: &[u8]) {
    as_request(data);
    as_reply(data);
}

fn as_request(data: &[u8]) {
    let Ok(entries) = parse_request(data) else {
        return;
    };
    let mut reply = ReplyBuilder::new("fuzz");
    for (i, entry) in entries.iter().enumerate() {
        match entry {
            Ok(request) => {
                let json = format!(
                    r#"{{"views":[{}]}}"#,
                    Frame::Mount(request.clone()).to_json()
                );
                let back = parse_request(json.as_bytes()).expect("a request reparses");
                assert_eq!(
                    back,
                    vec![Ok(request.clone())],
                    "round trip changed the entry"
                );
                match i % 3 {
                    0 => reply.mounted(request.target_id(), request.params().clone().into()),
                    1 => reply.failed(request.target_id(), request.view(), "boom"),
                    _ => reply.redirect(request.target_id(), request.view(), "/login"),
                };
            }
            Err(error) => {
                reply.failed_entry(error);
            }
        }
    }
    let reply = reply.finish();
    assert_eq!(reply.len(), entries.len(), "count identity");
    let back = Reply::from_json(reply.to_json().as_bytes()).expect("a reply reparses");
    assert_eq!(back, reply);
}

fn as_reply(data: &[u8]) {
    let Ok(reply) = Reply::from_json(data) else {
        return;
    };
    let mut targets: Vec<&str> = reply
        .views()
        .iter()
        .chain(reply.navigate())
        .filter_map(|v| v.get("target_id").and_then(|t| t.as_str()))
        .chain(reply.failed().iter().map(|f| f.target_id.as_str()))
        .collect();
    targets.truncate(targets.len().div_ceil(2));
    targets.push("never-answered");
    let got = outcomes(&reply, &targets);
    let mut seen = HashSet::new();
    let distinct: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| seen.insert(*t))
        .collect();
    assert!(got.len() >= distinct.len());
    for ((target, _), want) in got.iter().zip(&distinct) {
        assert_eq!(target, want, "pending targets come first, in order");
    }
    let (decided, reports) = got.split_at(distinct.len());
    let redirects = got
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Redirect { .. }))
        .count();
    assert!(redirects <= 1, "at most one redirect is followed");
    let used = decided
        .iter()
        .filter(|(_, o)| *o != Outcome::Missing)
        .count();
    assert_eq!(
        used + reports.len(),
        reply.len(),
        "every reply entry is accounted for"
    );
    assert!(reports.iter().all(|(target, o)| match o {
        Outcome::Unrequested | Outcome::Duplicate | Outcome::Malformed => true,
        // The page's own redirect, from a `navigate` entry naming no view.
        Outcome::Redirect { .. } | Outcome::RedirectIgnored { .. } => target.is_empty(),
        _ => false,
    }));
}
