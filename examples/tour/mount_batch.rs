//! Tour section: lazy views coalesced into one `mount_batch`, answered with one failure and one
//! redirect, and the client's reading of the reply.

use std::time::Duration;

use liveshell::mount_batch::{
    BatchOptions, Frame, MountBatcher, MountRequest, Outcome, ReplyBuilder, parse_request,
};
use liveshell::time::{Clock, ManualClock, SystemClock};
use serde_json::json;

/// Three more lazy views this section adds to the page's two.
const MORE_LAZY_VIEWS: [&str; 3] = [
    "app.views.Promotions",
    "app.views.AccountBadge",
    "app.views.Reviews",
];

/// The `dj-view` of every element on the page that also carries `dj-lazy`.
fn lazy_views(page: &str) -> Vec<String> {
    page.split('<')
        .filter(|tag| tag.contains("dj-lazy"))
        .filter_map(|tag| {
            let start = tag.find("dj-view=\"")? + "dj-view=\"".len();
            let len = tag[start..].find('"')?;
            Some(tag[start..start + len].to_owned())
        })
        .collect()
}

/// The element id the tour gives a view: its class name in lower case.
fn target_of(view: &str) -> String {
    view.rsplit('.').next().unwrap_or(view).to_lowercase()
}

fn describe(frame: &Frame) -> String {
    let kind = if frame.is_batch() {
        "mount_batch"
    } else {
        "mount"
    };
    let targets: Vec<&str> = frame.views().iter().map(MountRequest::target_id).collect();
    format!(
        "{kind} frame, {} bytes, views [{}]",
        frame.json_len(),
        targets.join(", ")
    )
}

pub(crate) fn tour(page: &str) {
    let clock = ManualClock::new(SystemClock.now());
    let t0 = clock.now();
    let mut batcher = MountBatcher::new(BatchOptions::default().client_timezone("Europe/Paris"));

    let mut views = lazy_views(page);
    println!(
        "the page has {} dj-lazy views; the tour adds {} more",
        views.len(),
        MORE_LAZY_VIEWS.len()
    );
    views.extend(MORE_LAZY_VIEWS.iter().map(|v| (*v).to_owned()));
    for view in &views {
        batcher.handle_mount(
            clock.now(),
            MountRequest::new(view.as_str(), target_of(view)).with_url("/orders/"),
        );
        clock.advance(Duration::from_millis(3));
    }
    println!(
        "{} mounts requested before the socket opened: {} queued, no frame, no timer ({:?})",
        views.len(),
        batcher.queued(),
        batcher.poll_timeout()
    );

    clock.advance(Duration::from_millis(40));
    batcher.handle_connected(clock.now());
    let frames: Vec<Frame> = std::iter::from_fn(|| batcher.poll_frame()).collect();
    println!(
        "socket open at t0 + {:?}: {} frame(s) sent",
        clock.now() - t0,
        frames.len()
    );
    for frame in &frames {
        println!("  {}", describe(frame));
    }

    // The server: mount each entry; Promotions raises, AccountBadge's auth hook redirects.
    let mut reply = ReplyBuilder::new("sess-7f3a");
    for frame in &frames {
        for entry in parse_request(frame.to_json().as_bytes()).expect("our own frame parses") {
            let Ok(entry) = entry else { continue };
            match entry.view() {
                "app.views.Promotions" => reply.failed(
                    entry.target_id(),
                    entry.view(),
                    "DoesNotExist: no active campaign",
                ),
                "app.views.AccountBadge" => {
                    reply.redirect(entry.target_id(), entry.view(), "/login/?next=/orders/")
                }
                view => reply.mounted(
                    entry.target_id(),
                    json!({"type": "mount", "html": format!("<div>{view}</div>"), "version": 1}),
                ),
            };
        }
    }
    let reply = reply.finish();
    println!(
        "server reply: {} views + {} failed + {} navigate = {} entries, {} bytes",
        reply.views().len(),
        reply.failed().len(),
        reply.navigate().len(),
        reply.len(),
        reply.to_json().len()
    );

    clock.advance(Duration::from_millis(25));
    println!("reply at t0 + {:?}; outcomes:", clock.now() - t0);
    for (target, outcome) in batcher.handle_reply(clock.now(), &reply) {
        let what = match outcome {
            Outcome::Mounted => "mounted".to_owned(),
            Outcome::Failed { error } => {
                let code = reply.failed().iter().find(|f| f.target_id == target);
                let code = code.and_then(|f| f.code.as_deref()).unwrap_or_default();
                format!("failed ({code}): {error}")
            }
            Outcome::Redirect { to } => format!("redirect to {to} (followed)"),
            other => format!("{other:?}"),
        };
        println!("  {target:<16} {what}");
    }

    // Connected now: a view scrolled into view later waits for the coalescing window.
    clock.advance(Duration::from_millis(100));
    let asked = clock.now();
    batcher.handle_mount(asked, MountRequest::new("app.views.Footer", "footer"));
    let due = batcher
        .poll_timeout()
        .expect("a connected mount waits for the window");
    clock.set(due);
    batcher.handle_timeout(clock.now());
    let late = batcher.poll_frame().expect("the window closed");
    println!(
        "a view hydrating after connect waits {:?} for company, then goes as a {}",
        due - asked,
        describe(&late)
    );
}
