//! Prefetch target: arbitrary operation sequences and hrefs drive `IntentPrefetch`, which must
//! never panic and must keep its invariants: no action while Save-Data is on, every prefetched
//! URL passes the guard for the current page and is not the current document, no key has two
//! live prefetches, in-flight and per-page counts stay within their caps, and no hover deadline
//! fires before it is due.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use liveshell::prefetch::{
    Action, FetchId, IntentPrefetch, LinkId, PrefetchOptions, Transports, document_key, guard,
};

#[derive(Arbitrary, Debug)]
enum Op<'a> {
    Enter(u8, &'a str, Option<&'a str>),
    Leave(u8),
    Touch(u8, &'a str, Option<&'a str>),
    Focus(u8, &'a str, Option<&'a str>),
    Blur(u8),
    Timeout,
    Done(u8, bool),
    Navigate(&'a str),
    SaveData(bool),
    Clear,
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    transports: u8,
    max_in_flight: u8,
    max_per_page: u8,
    delay_ms: u16,
    focus: bool,
    steps: Vec<(u16, bool, Op<'a>)>,
}

/// Drives one machine through the input's steps and checks the invariants after each.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let transports = Transports::none()
        .with_speculation_rules(input.transports & 1 != 0)
        .with_link_prefetch(input.transports & 2 != 0)
        .with_fetch(input.transports & 4 != 0 || input.transports & 7 == 0);
    let max_in_flight = usize::from(input.max_in_flight % 4) + 1;
    let max_per_page = usize::from(input.max_per_page % 16) + 1;
    let config = PrefetchOptions::default()
        .transports(transports)
        .hover_delay(Duration::from_millis(u64::from(input.delay_ms).min(60_000)))
        .focus(input.focus)
        .max_in_flight(NonZeroUsize::new(max_in_flight).expect("at least 1"))
        .max_per_page(NonZeroUsize::new(max_per_page).expect("at least 1"));
    let mut p = IntentPrefetch::new("http://localhost:8000/dir/page", config)
        .expect("a valid page and at least one transport");

    #[allow(clippy::disallowed_methods)] // the fuzz body's one clock read; then t0 ± deltas
    let t0 = Instant::now() + Duration::from_secs(3600);
    let mut now = t0;
    let mut fetches: Vec<FetchId> = Vec::new();
    let mut in_flight: HashSet<FetchId> = HashSet::new();
    // Keys with a live prefetch on this page: `Some(fetch)` while a fetch may still fail or be
    // aborted, `None` for speculation rules and link hints.
    let mut live: HashMap<String, Option<FetchId>> = HashMap::new();
    for (delta, backwards, op) in input.steps {
        let step = Duration::from_millis(u64::from(delta));
        now = if backwards {
            now.checked_sub(step).unwrap_or(now)
        } else {
            now + step
        };
        let due = p.poll_timeout();
        let save_before = p.is_save_data();
        let timeout = matches!(op, Op::Timeout);
        match op {
            Op::Enter(l, href, opt) => p.handle_pointer_enter(now, LinkId(l.into()), href, opt),
            Op::Leave(l) => p.handle_pointer_leave(now, LinkId(l.into())),
            Op::Touch(l, href, opt) => p.handle_touch_start(now, LinkId(l.into()), href, opt),
            Op::Focus(l, href, opt) => p.handle_focus(now, LinkId(l.into()), href, opt),
            Op::Blur(l) => p.handle_blur(now, LinkId(l.into())),
            Op::Timeout => p.handle_timeout(now),
            Op::Done(i, ok) => {
                if let Some(&id) = fetches.get(usize::from(i) % fetches.len().max(1)) {
                    p.handle_fetch_done(now, id, ok);
                    if in_flight.remove(&id) && !ok {
                        live.retain(|_, f| *f != Some(id));
                    }
                }
            }
            Op::Navigate(url) => {
                if p.handle_navigation(now, url).is_ok() {
                    assert!(p.page_url().fragment().is_none());
                }
                live.clear();
            }
            Op::SaveData(on) => p.set_save_data(now, on),
            Op::Clear => {
                p.clear();
                live.retain(|_, f| f.is_some_and(|id| in_flight.contains(&id)));
            }
        }
        let page = p.page_url().clone();
        while let Some(action) = p.poll_action() {
            let (url, fetch) = match action {
                Action::InsertSpeculationRule { url } | Action::InjectLinkPrefetch { url } => {
                    (url, None)
                }
                Action::StartFetch { id, url } => {
                    fetches.push(id);
                    in_flight.insert(id);
                    (url, Some(id))
                }
                Action::AbortFetch { id } => {
                    assert!(in_flight.remove(&id), "abort of {id}, not in flight");
                    live.retain(|_, f| *f != Some(id));
                    continue;
                }
                other => panic!("unknown action {other:?}"),
            };
            assert!(
                !save_before && !p.is_save_data(),
                "prefetch with save-data on"
            );
            assert!(
                !timeout || due.is_some_and(|d| d <= now),
                "deadline fired early"
            );
            assert_eq!(guard(&page, url.as_str()).as_ref(), Ok(&url), "guard");
            assert_ne!(document_key(&page), url, "current document prefetched");
            assert!(live.insert(url.to_string(), fetch).is_none(), "{url} twice");
        }
        while p.poll_event().is_some() {}
        assert_eq!(p.in_flight(), in_flight.len());
        assert!(p.in_flight() <= max_in_flight);
        assert!(p.started_on_page() <= max_per_page);
    }
}
