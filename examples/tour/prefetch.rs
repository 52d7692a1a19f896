//! The prefetch section of the tour: the page's `dj-prefetch` links driven through the
//! intent-prefetch machine on a manual clock, then the server-side helpers.

use std::time::Duration;

use liveshell::prefetch::speculation::{Eagerness, LinkRulesBuilder};
use liveshell::prefetch::{
    Action, FetchId, IntentPrefetch, LinkId, PrefetchEvent, PrefetchOptions, Transports,
    is_speculative,
};
use liveshell::time::{Clock, Instant, ManualClock, SystemClock};
use url::Url;

const PAGE_URL: &str = "http://localhost:8000/orders/";

/// One `<a>` of the page: its href and its `dj-prefetch` value (`None` when absent).
struct Link {
    href: String,
    opt_in: Option<String>,
}

/// The page's anchors, in document order (a regex is enough for the tour's own page).
fn links(page: &str) -> Vec<Link> {
    let anchor = regex::Regex::new(r#"<a href="([^"]*)"( dj-prefetch(="([^"]*)")?)?"#)
        .expect("static regex");
    anchor
        .captures_iter(page)
        .map(|c| Link {
            href: c[1].to_owned(),
            opt_in: c
                .get(2)
                .map(|_| c.get(4).map_or("", |v| v.as_str()).to_owned()),
        })
        .collect()
}

pub(crate) fn tour(page: &str) {
    let links = links(page);
    let page_url = Url::parse(PAGE_URL).expect("static url");
    println!("page url {PAGE_URL}; {} links:", links.len());
    for (i, l) in links.iter().enumerate() {
        println!("  link {i}: href={:?} dj-prefetch={:?}", l.href, l.opt_in);
    }

    // A host without speculation rules or <link rel=prefetch> (a service worker, say): fetch.
    let config = PrefetchOptions::default().transports(Transports::none().with_fetch(true));
    let mut p = IntentPrefetch::new(PAGE_URL, config).expect("valid page and transport");
    let clock = ManualClock::new(SystemClock.now());
    let t0 = clock.now();
    let at = |ms: u64| {
        clock.set(t0 + Duration::from_millis(ms));
        clock.now()
    };
    let link = |i: usize| {
        (
            LinkId(i as u64),
            links[i].href.as_str(),
            links[i].opt_in.as_deref(),
        )
    };
    let mut fetches = Vec::new();

    let (id, href, opt) = link(3);
    say(t0, at(0), &format!("pointer enters link 3 ({href})"));
    p.handle_pointer_enter(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);
    let deadline = p.poll_timeout().expect("a hover is pending");
    say(t0, deadline, "the hover deadline passes");
    p.handle_timeout(deadline);
    drain(&mut p, t0, &mut fetches);

    let (id, href, opt) = link(1);
    say(t0, at(80), &format!("pointer enters link 1 ({href})"));
    p.handle_pointer_enter(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);

    let (id, href, opt) = link(4);
    say(t0, at(100), &format!("pointer enters link 4 ({href})"));
    p.handle_pointer_enter(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);
    say(t0, at(140), "pointer leaves link 4, 40 ms later");
    p.handle_pointer_leave(clock.now(), id);
    p.handle_timeout(clock.now());
    drain(&mut p, t0, &mut fetches);

    let (id, href, opt) = link(0);
    say(t0, at(200), &format!("finger touches link 0 ({href})"));
    p.handle_touch_start(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);

    say(t0, at(210), &format!("{} ends, ok", fetches[0]));
    p.handle_fetch_done(clock.now(), fetches[0], true);
    drain(&mut p, t0, &mut fetches);

    let (id, href, opt) = link(2);
    say(t0, at(220), &format!("finger touches link 2 ({href})"));
    p.handle_touch_start(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);

    for (n, hostile) in [
        "javascript:alert(1)",
        "//evil.example/orders/",
        "/\\evil.example",
    ]
    .into_iter()
    .enumerate()
    {
        say(
            t0,
            at(230),
            &format!("pointer enters an injected link {hostile:?}"),
        );
        p.handle_pointer_enter(clock.now(), LinkId(100 + n as u64), hostile, Some(""));
        drain(&mut p, t0, &mut fetches);
    }

    let (id, href, opt) = link(4);
    say(
        t0,
        at(240),
        &format!("pointer enters link 4 ({href}) again"),
    );
    p.handle_pointer_enter(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);
    say(t0, at(250), "live_redirect to /orders/1042/");
    p.handle_navigation(clock.now(), "/orders/1042/")
        .expect("a same-origin path");
    drain(&mut p, t0, &mut fetches);
    println!("        page is now {}", p.page_url());

    let (id, href, opt) = link(3);
    say(t0, at(300), &format!("finger touches link 3 ({href})"));
    p.handle_touch_start(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);
    let (id, href, opt) = link(1);
    say(t0, at(300), &format!("finger touches link 1 ({href})"));
    p.handle_touch_start(clock.now(), id, href, opt);
    drain(&mut p, t0, &mut fetches);

    // The same links as speculation rules, for a host that has them.
    let mut rules = LinkRulesBuilder::new(&page_url).with_eagerness(Eagerness::Moderate);
    for l in &links {
        let _ = rules.add(&l.href, l.opt_in.as_deref());
    }
    println!("speculation rules for the page's opt-in links:");
    println!("  {}", rules.prefetch_rules().to_script_element());
    for (href, reason) in rules.skipped() {
        println!("  left out {href:?}: {reason}");
    }
    for headers in [
        &[("Sec-Purpose", "prefetch;prerender")][..],
        &[("Purpose", "prefetch")],
        &[("Accept", "text/html")],
    ] {
        println!(
            "server sees {headers:?}: speculative = {}",
            is_speculative(headers)
        );
    }
}

fn say(t0: Instant, now: Instant, what: &str) {
    println!(
        "  +{:>3} ms  {what}",
        now.saturating_duration_since(t0).as_millis()
    );
}

/// Prints every action and event the machine has queued.
fn drain(p: &mut IntentPrefetch, t0: Instant, fetches: &mut Vec<FetchId>) {
    while let Some(action) = p.poll_action() {
        match action {
            Action::StartFetch { id, url } => {
                fetches.push(id);
                println!("          -> action: start low-priority {id} of {url}");
            }
            Action::AbortFetch { id } => println!("          -> action: abort {id}"),
            other => println!("          -> action: {other:?}"),
        }
    }
    while let Some(event) = p.poll_event() {
        match event {
            PrefetchEvent::Armed { url, deadline, .. } => println!(
                "          -> armed for {url}, fires at +{} ms",
                deadline.saturating_duration_since(t0).as_millis()
            ),
            PrefetchEvent::Skipped { link, href, reason } => {
                println!("          -> skipped link {} ({href}): {reason}", link.0);
            }
            PrefetchEvent::FetchDone { id, ok } => println!("          -> {id} done, ok = {ok}"),
            other => println!("          -> {other:?}"),
        }
    }
}
