//! replay_guard: arbitrary `(client, seq)` sequences into the replay guard.
//!
//! Checked against a model (every delivered number per client, and the highest): the guard
//! never calls a delivered number fresh, and never refuses a first delivery within
//! `REPLAY_WINDOW` of the highest number seen from that client, for every client it still
//! remembers.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;

use arbitrary::{Arbitrary, Unstructured};
use liveshell::reconnect::{REPLAY_WINDOW, ReplayGuard, Verdict};

#[derive(Arbitrary, Debug)]
enum Seq {
    /// Near the client's highest number so far.
    Near(i16),
    /// Anywhere.
    Any(u64),
}

#[derive(Arbitrary, Debug)]
struct Input {
    max_clients: u8,
    ops: Vec<(u8, Seq)>,
}

#[derive(Default)]
struct Model {
    delivered: HashSet<u64>,
    top: u64,
}

/// Runs one sequence through a guard and checks each verdict against the model.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let max_clients =
        NonZeroUsize::new(usize::from(input.max_clients % 6) + 1).expect("at least 1");
    let mut guard = ReplayGuard::new(max_clients);
    let mut models: HashMap<u8, Model> = HashMap::new();
    for (client, seq) in input.ops {
        let client = client % 8;
        let name = format!("client-{client}");
        let model = models.entry(client).or_default();
        let seq = match seq {
            Seq::Near(delta) => model.top.saturating_add_signed(i64::from(delta)),
            Seq::Any(seq) => seq,
        };
        let verdict = guard.check(&name, seq);
        if seq == 0 || model.delivered.contains(&seq) {
            assert_eq!(verdict, Verdict::Duplicate, "{name} replayed {seq}");
        } else if seq.saturating_add(REPLAY_WINDOW) > model.top {
            assert_eq!(
                verdict,
                Verdict::Fresh,
                "{name} first sent {seq}, top {}",
                model.top
            );
        }
        if verdict.is_fresh() {
            model.delivered.insert(seq);
            model.top = model.top.max(seq);
        }
        assert!(guard.len() <= max_clients.get());
        // A client the guard forgot starts over, in the model too.
        models.retain(|c, _| guard.acked(&format!("client-{c}")).is_some());
    }
}
