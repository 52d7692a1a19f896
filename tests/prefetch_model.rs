//! Model-based property tests of `IntentPrefetch`: random interleavings of enter, leave,
//! touch, timeouts, navigations, Save-Data changes, clears and fetch results over several
//! links that share URLs, checked step by step against a small reference model, plus the
//! issue's invariants checked directly. Time is `t0 + Σ generated deltas`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroUsize;
use std::time::Duration;

use liveshell::prefetch::{
    Action, FetchId, IntentPrefetch, LinkId, PrefetchEvent, PrefetchOptions, Transports,
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

#[derive(Debug, Clone)]
enum Op {
    Enter(u64, usize, usize),
    Leave(u64),
    Touch(u64, usize, usize),
    Timeout,
    Done(usize, bool),
    Navigate(usize),
    SaveData(bool),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    let link = 0u64..4;
    let href = 0..HREFS.len();
    let opt = 0..OPT_INS.len();
    prop_oneof![
        6 => (link.clone(), href.clone(), opt.clone()).prop_map(|(l, h, o)| Op::Enter(l, h, o)),
        4 => link.clone().prop_map(Op::Leave),
        3 => (link, href, opt).prop_map(|(l, h, o)| Op::Touch(l, h, o)),
        5 => Just(Op::Timeout),
        4 => (0usize..8, any::<bool>()).prop_map(|(i, ok)| Op::Done(i, ok)),
        1 => (0..PAGES.len()).prop_map(Op::Navigate),
        1 => any::<bool>().prop_map(Op::SaveData),
        1 => Just(Op::Clear),
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
    fn key(&self, href: usize, opt: usize) -> Option<String> {
        let opt_in = OPT_INS[opt]?;
        if opt_in.eq_ignore_ascii_case("false") || self.save_data {
            return None;
        }
        let key = HREFS[href].1?;
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
        match *op {
            Op::Enter(link, href, opt) => {
                if !self.pending.contains_key(&link) {
                    if let Some(key) = self.key(href, opt) {
                        self.pending
                            .insert(link, (now + Duration::from_millis(DELAY), key));
                    }
                }
            }
            Op::Leave(link) => {
                self.pending.remove(&link);
                self.abort_where(|owner| owner == link);
            }
            Op::Touch(link, href, opt) => {
                self.pending.remove(&link);
                if let Some(key) = self.key(href, opt) {
                    self.start(link, key);
                }
            }
            Op::Timeout => {
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
            Op::Done(i, ok) => {
                if let Some(id) = started_ids.get(i % started_ids.len().max(1)) {
                    if let Some((key, _)) = self.in_flight.remove(id) {
                        if ok {
                            self.done.insert(key);
                        }
                    }
                }
            }
            Op::Navigate(page) => {
                self.pending.clear();
                self.abort_where(|_| true);
                self.done.clear();
                self.started = 0;
                PAGES[page].clone_into(&mut self.page);
            }
            Op::SaveData(on) => {
                self.save_data = on;
                if on {
                    self.pending.clear();
                }
            }
            Op::Clear => self.done.clear(),
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
        #[allow(clippy::disallowed_methods)] // the one clock read; the rest is t0 + Σ deltas
        let t0 = std::time::Instant::now();
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
            match *op {
                Op::Enter(l, h, o) => p.handle_pointer_enter(now, LinkId(l), HREFS[h].0, OPT_INS[o]),
                Op::Leave(l) => p.handle_pointer_leave(now, LinkId(l)),
                Op::Touch(l, h, o) => p.handle_touch_start(now, LinkId(l), HREFS[h].0, OPT_INS[o]),
                Op::Timeout => p.handle_timeout(now),
                Op::Done(i, ok) => {
                    if let Some(id) = started_ids.get(i % started_ids.len().max(1)) {
                        p.handle_fetch_done(now, by_model[*id as usize], ok);
                    }
                }
                Op::Navigate(i) => p.handle_navigation(now, PAGES[i]).expect("same-origin page"),
                Op::SaveData(on) => p.set_save_data(now, on),
                Op::Clear => p.clear(),
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
            if !got.is_empty() && matches!(op, Op::Timeout) {
                // deadlines never fire early
                prop_assert!(deadline_before.is_some_and(|d| d <= now));
            }
            match *op {
                Op::Done(i, false) => {
                    if let Some(id) = started_ids.get(i % started_ids.len().max(1)) {
                        active.retain(|_, v| v != id);
                    }
                }
                Op::Navigate(_) => active.clear(),
                Op::Clear => active.retain(|_, v| model.in_flight.contains_key(v)),
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
        #[allow(clippy::disallowed_methods)] // the one clock read; the rest is t0 + Σ deltas
        let t0 = std::time::Instant::now();
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
