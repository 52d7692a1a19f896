//! Model-based property tests of `IntentPrefetch`: random interleavings of enter, leave,
//! touch, timeouts, navigations, Save-Data changes, clears and fetch results over several
//! links that share URLs, checked step by step against a small reference model, plus the
//! issue's invariants checked directly. Time is `t0 + Σ generated deltas`.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroUsize;
use std::time::Duration;

use liveshell::prefetch::{
    Action, FetchId, Input, IntentPrefetch, LinkId, PrefetchEvent, PrefetchOptions, Transports,
};
use liveshell::time::Instant;
use proptest::collection::vec;
use proptest::prelude::*;

const DELAY: u64 = 65;

/// Hrefs the links point at, with their dedupe key path (`None`: refused by the guard).
/// Several share one key; two pages make `/a` and `/` the current document in turn.
const HREFS: &[(&str, Option<&str>)] = &[
    ("/a", Some("/a")),
    ("/a#x", Some("/a")),
    ("/b", Some("/b")),
    ("/b#y", Some("/b")),
    ("/c?q=1", Some("/c?q=1")),
    ("/", Some("/")),
    ("#top", None), // the current document, whichever it is
    ("//evil.example/a", None),
    ("javascript:alert(1)", None),
    ("blob:http://h.test/a", None),
];
const PAGES: &[&str] = &["/", "/a"];
const OPT_INS: &[Option<&str>] = &[Some(""), Some(""), Some("1"), Some("false"), None];

/// One step: a machine input (the public [`Input`]), or the end of the `i`-th fetch the
/// machine started (modulo), whose id only the machine knows.
#[derive(Debug, Clone, Copy)]
enum Op {
    Input(Input<'static>),
    Done(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    let link = (0u64..4).prop_map(LinkId);
    let href = (0..HREFS.len()).prop_map(|h| HREFS[h].0);
    let opt_in = (0..OPT_INS.len()).prop_map(|o| OPT_INS[o]);
    let input = |input| Op::Input(input);
    prop_oneof![
        6 => (link.clone(), href.clone(), opt_in.clone())
            .prop_map(move |(link, href, opt_in)| input(Input::PointerEnter { link, href, opt_in })),
        4 => link.clone().prop_map(move |link| input(Input::PointerLeave { link })),
        3 => (link, href, opt_in)
            .prop_map(move |(link, href, opt_in)| input(Input::TouchStart { link, href, opt_in })),
        5 => Just(input(Input::Timeout)),
        4 => (0usize..8, any::<bool>()).prop_map(|(i, ok)| Op::Done(i, ok)),
        1 => (0..PAGES.len()).prop_map(move |i| input(Input::Navigation { url: PAGES[i] })),
        1 => any::<bool>().prop_map(move |on| input(Input::SaveData { on })),
        1 => Just(input(Input::Clear)),
    ]
}

/// Actions in a comparable form: fetch ids are numbered by the model in start order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Rule(String),
    Link(String),
    Start(u64, String),
    Abort(u64),
}

/// The reference model: the rules, written as plainly as possible.
struct Model {
    transports: Transports,
    max_in_flight: usize,
    max_per_page: usize,
    page: String,
    save_data: bool,
    pending: BTreeMap<u64, (Instant, String)>,
    done: HashSet<String>,
    in_flight: BTreeMap<u64, (String, u64)>,
    started: usize,
    next_id: u64,
    out: Vec<Seen>,
}

impl Model {
    fn key(&self, href: &str, opt_in: Option<&str>) -> Option<String> {
        let opt_in = opt_in?;
        if opt_in.eq_ignore_ascii_case("false") || self.save_data {
            return None;
        }
        let (_, key) = HREFS.iter().find(|(h, _)| *h == href)?;
        let key = (*key)?;
        let busy = self.done.contains(key) || self.in_flight.values().any(|(k, _)| k == key);
        (key != self.page && !busy).then(|| key.to_owned())
    }

    fn start(&mut self, link: u64, key: String) {
        if self.started >= self.max_per_page {
            return;
        }
        let full = format!("http://h.test{key}");
        if self.transports.speculation_rules() {
            self.out.push(Seen::Rule(full));
            self.done.insert(key);
        } else if self.transports.link_prefetch() {
            self.out.push(Seen::Link(full));
            self.done.insert(key);
        } else if self.in_flight.len() < self.max_in_flight {
            self.out.push(Seen::Start(self.next_id, full));
            self.in_flight.insert(self.next_id, (key, link));
            self.next_id += 1;
        } else {
            return;
        }
        self.started += 1;
    }

    fn abort_where(&mut self, pred: impl Fn(u64) -> bool) {
        let ids: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, (_, owner))| pred(*owner))
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            self.in_flight.remove(&id);
            self.out.push(Seen::Abort(id));
        }
    }

    fn apply(&mut self, now: Instant, op: &Op, started_ids: &[u64]) {
        let input = match *op {
            Op::Input(input) => input,
            Op::Done(i, ok) => {
                if let Some(id) = started_ids.get(i % started_ids.len().max(1)) {
                    if let Some((key, _)) = self.in_flight.remove(id) {
                        if ok {
                            self.done.insert(key);
                        }
                    }
                }
                return;
            }
        };
        match input {
            Input::PointerEnter {
                link: LinkId(link),
                href,
                opt_in,
            } => {
                if !self.pending.contains_key(&link) {
                    if let Some(key) = self.key(href, opt_in) {
                        self.pending
                            .insert(link, (now + Duration::from_millis(DELAY), key));
                    }
                }
            }
            Input::PointerLeave { link: LinkId(link) } => {
                self.pending.remove(&link);
                self.abort_where(|owner| owner == link);
            }
            Input::TouchStart {
                link: LinkId(link),
                href,
                opt_in,
            } => {
                self.pending.remove(&link);
                if let Some(key) = self.key(href, opt_in) {
                    self.start(link, key);
                }
            }
            Input::Timeout => {
                let mut due: Vec<(Instant, u64, String)> = self
                    .pending
                    .iter()
                    .filter(|(_, (deadline, _))| *deadline <= now)
                    .map(|(&link, (deadline, key))| (*deadline, link, key.clone()))
                    .collect();
                due.sort();
                for (_, link, key) in due {
                    self.pending.remove(&link);
                    let busy =
                        self.done.contains(&key) || self.in_flight.values().any(|(k, _)| *k == key);
                    if !self.save_data && !busy {
                        self.start(link, key);
                    }
                }
            }
            Input::Navigation { url } => {
                self.pending.clear();
                self.abort_where(|_| true);
                self.done.clear();
                self.started = 0;
                url.clone_into(&mut self.page);
            }
            Input::SaveData { on } => {
                self.save_data = on;
                if on {
                    self.pending.clear();
                }
            }
            Input::Clear => self.done.clear(),
            other => unreachable!("the strategy generates no {other:?}"),
        }
    }
}

fn transports(i: u8) -> Transports {
    match i % 4 {
        0 => Transports::default(),
        1 => Transports::none().with_link_prefetch(true),
        _ => Transports::none().with_fetch(true),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn machine_matches_the_model_and_keeps_the_invariants(
        transport in any::<u8>(),
        max_in_flight in 1usize..4,
        max_per_page in 1usize..8,
        steps in vec((0u64..120, op()), 0..80),
    ) {
        let t0 = common::t0(); // the rest is t0 + Σ deltas
        let config = PrefetchOptions::default()
            .transports(transports(transport))
            .max_in_flight(NonZeroUsize::new(max_in_flight).expect("≥ 1"))
            .max_per_page(NonZeroUsize::new(max_per_page).expect("≥ 1"));
        let mut p = IntentPrefetch::new("http://h.test/", config).expect("valid page");
        let mut model = Model {
            transports: transports(transport),
            max_in_flight,
            max_per_page,
            page: "/".to_owned(),
            save_data: false,
            pending: BTreeMap::new(),
            done: HashSet::new(),
            in_flight: BTreeMap::new(),
            started: 0,
            next_id: 0,
            out: Vec::new(),
        };
        let mut ids: HashMap<FetchId, u64> = HashMap::new();
        let mut by_model: Vec<FetchId> = Vec::new();
        let mut started_ids: Vec<u64> = Vec::new();
        // Keys with a live prefetch on this page, by fetch number (`DONE` for speculation rules
        // and link hints): a prefetch adds one; an abort, a failed fetch, a navigation or a
        // clear (for finished ones) removes it.
        const DONE: u64 = u64::MAX;
        let mut active: HashMap<String, u64> = HashMap::new();
        let mut now = t0;
        for (delta, op) in &steps {
            now += Duration::from_millis(*delta);
            let deadline_before = p.poll_timeout();
            let save_before = p.is_save_data();
            let input = match *op {
                Op::Input(input) => Some(input),
                Op::Done(i, ok) => started_ids
                    .get(i % started_ids.len().max(1))
                    .map(|&n| Input::FetchDone { id: by_model[n as usize], ok }),
            };
            if let Some(input) = input {
                p.handle_input(now, input).expect("only same-origin pages");
            }
            model.out.clear();
            model.apply(now, op, &started_ids);
            let mut got = Vec::new();
            while let Some(action) = p.poll_action() {
                got.push(match action {
                    Action::InsertSpeculationRule { url } => Seen::Rule(url.to_string()),
                    Action::InjectLinkPrefetch { url } => Seen::Link(url.to_string()),
                    Action::StartFetch { id, url } => {
                        let n = by_model.len() as u64;
                        ids.insert(id, n);
                        by_model.push(id);
                        started_ids.push(n);
                        Seen::Start(n, url.to_string())
                    }
                    Action::AbortFetch { id } => Seen::Abort(ids[&id]),
                    other => panic!("unknown action {other:?}"),
                });
            }
            while let Some(event) = p.poll_event() {
                if let PrefetchEvent::Armed { deadline, .. } = event {
                    prop_assert_eq!(deadline, now + Duration::from_millis(DELAY));
                }
            }
            prop_assert_eq!(&got, &model.out, "after {:?} at +{:?}", op, now - t0);

            // The invariants, checked on the machine's own outputs.
            if !got.is_empty() && matches!(op, Op::Input(Input::Timeout)) {
                // deadlines never fire early
                prop_assert!(deadline_before.is_some_and(|d| d <= now));
            }
            match *op {
                Op::Done(i, false) => {
                    if let Some(id) = started_ids.get(i % started_ids.len().max(1)) {
                        active.retain(|_, v| v != id);
                    }
                }
                Op::Input(Input::Navigation { .. }) => active.clear(),
                Op::Input(Input::Clear) => active.retain(|_, v| model.in_flight.contains_key(v)),
                _ => {}
            }
            for seen in &got {
                match seen {
                    Seen::Rule(url) | Seen::Link(url) | Seen::Start(_, url) => {
                        // no prefetch while Save-Data is on, nothing that fails the guard
                        prop_assert!(!save_before && !p.is_save_data());
                        prop_assert!(url.starts_with("http://h.test/") && !url.contains('#'));
                        // each key at most one live prefetch per page
                        let n = if let Seen::Start(n, _) = seen { *n } else { DONE };
                        prop_assert!(active.insert(url.clone(), n).is_none(), "{} twice", url);
                    }
                    Seen::Abort(n) => active.retain(|_, v| v != n),
                }
            }
            prop_assert!(p.in_flight() <= max_in_flight);
            prop_assert!(p.started_on_page() <= max_per_page);
            prop_assert_eq!(p.pending(), model.pending.len());
        }
    }

    #[test]
    fn a_link_left_before_its_deadline_and_not_touched_is_never_prefetched(
        enter_at in 0u64..50,
        leave_after in 0u64..DELAY,
        later in vec(0u64..200, 0..10),
    ) {
        let t0 = common::t0(); // the rest is t0 + Σ deltas
        let mut p = IntentPrefetch::new("http://h.test/", PrefetchOptions::default()).expect("valid");
        let start = t0 + Duration::from_millis(enter_at);
        p.handle_pointer_enter(start, LinkId(1), "/only-here", Some(""));
        let mut now = start + Duration::from_millis(leave_after);
        p.handle_pointer_leave(now, LinkId(1));
        for delta in later {
            now += Duration::from_millis(delta);
            p.handle_timeout(now);
            prop_assert_eq!(p.poll_action(), None);
        }
    }
}
