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
    self, Action, FetchId, Input, IntentPrefetch, PrefetchOptions, Transports, document_key, guard,
};

/// One step: a machine input as the public [`prefetch::Input`] (a `FetchDone` with an
/// arbitrary id tests ids that are not in flight), or the end of a fetch the machine started.
#[derive(Arbitrary, Debug)]
enum Step<'a> {
    Input(prefetch::Input<'a>),
    /// Ends the `n`-th fetch started so far (modulo the number started).
    DoneNth(u8, bool),
}

#[derive(Arbitrary, Debug)]
struct Case<'a> {
    transports: u8,
    max_in_flight: u8,
    max_per_page: u8,
    delay_ms: u16,
    focus: bool,
    steps: Vec<(u16, bool, Step<'a>)>,
}

/// Drives one machine through the input's steps and checks the invariants after each.
pub fn run(data: &[u8]) {
    let Ok(input) = Case::arbitrary_take_rest(Unstructured::new(data)) else {
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
    for (delta, backwards, step) in input.steps {
        let step_by = Duration::from_millis(u64::from(delta));
        now = if backwards {
            now.checked_sub(step_by).unwrap_or(now)
        } else {
            now + step_by
        };
        let due = p.poll_timeout();
        let save_before = p.is_save_data();
        let input = match step {
            Step::Input(input) => Some(input),
            Step::DoneNth(i, ok) => fetches
                .get(usize::from(i) % fetches.len().max(1))
                .map(|&id| Input::FetchDone { id, ok }),
        };
        let timeout = matches!(input, Some(Input::Timeout));
        if let Some(input) = input {
            let navigated = p.handle_input(now, input);
            match input {
                Input::FetchDone { id, ok } => {
                    if in_flight.remove(&id) && !ok {
                        live.retain(|_, f| *f != Some(id));
                    }
                }
                Input::Navigation { .. } => {
                    if navigated.is_ok() {
                        assert!(p.page_url().fragment().is_none());
                    }
                    live.clear();
                }
                Input::Clear => {
                    live.retain(|_, f| f.is_some_and(|id| in_flight.contains(&id)));
                }
                _ => assert!(navigated.is_ok(), "only a navigation can fail"),
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
