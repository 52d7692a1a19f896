//! The one fetch ledger of the machines that hand out fetches: [`IntentPrefetch`]'s fetches in
//! flight and the [`Coordinator`]'s.
//!
//! A ledger issues ids in order (never reused), keeps each fetch's URL and the machine's own
//! record, and indexes at most one fetch per URL: the one new requests for that URL find
//! (the prefetch in flight; the coordinator's joinable fetch). A fetch may leave the index
//! before it finishes (the coordinator detaches a fetch on invalidation); finishing removes it
//! from the index only if the index still names it. Each machine wraps the ids in its own
//! public newtype, so a [`FetchId`] cannot be handed to a coordinator nor a [`FetchTicket`] to
//! a prefetch machine.
//!
//! [`IntentPrefetch`]: crate::prefetch::IntentPrefetch
//! [`Coordinator`]: crate::coordinator::Coordinator
//! [`FetchId`]: crate::prefetch::FetchId
//! [`FetchTicket`]: crate::coordinator::FetchTicket

use std::collections::{BTreeMap, HashMap};

use url::Url;

/// Fetches in flight, by id, with at most one indexed per URL.
#[derive(Debug, Clone)]
pub(crate) struct Ledger<T> {
    fetches: BTreeMap<u64, (Option<Url>, T)>,
    index: HashMap<Url, u64>,
    next: u64,
}

/// A fetch taken out of the ledger by [`Ledger::finish`].
#[derive(Debug)]
pub(crate) struct Finished<T> {
    /// The URL it was started for, if any.
    pub(crate) url: Option<Url>,
    /// Whether the index still named it (no detach since it started).
    pub(crate) indexed: bool,
    /// The machine's record.
    pub(crate) value: T,
}

impl<T> Default for Ledger<T> {
    fn default() -> Self {
        Self {
            fetches: BTreeMap::new(),
            index: HashMap::new(),
            next: 0,
        }
    }
}

impl<T> Ledger<T> {
    /// Records a new fetch, indexed under `url` when given, and returns its id.
    pub(crate) fn start(&mut self, url: Option<Url>, value: T) -> u64 {
        let id = self.next;
        self.next += 1;
        if let Some(url) = &url {
            self.index.insert(url.clone(), id);
        }
        self.fetches.insert(id, (url, value));
        id
    }

    /// The fetch indexed under `url`, if any.
    pub(crate) fn lookup(&self, url: &Url) -> Option<u64> {
        self.index.get(url).copied()
    }

    /// The record of fetch `id`, if it is in flight.
    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        self.fetches.get_mut(&id).map(|(_, value)| value)
    }

    /// Takes fetch `id` out of the ledger (and out of the index if the index names it).
    pub(crate) fn finish(&mut self, id: u64) -> Option<Finished<T>> {
        let (url, value) = self.fetches.remove(&id)?;
        let indexed = url
            .as_ref()
            .is_some_and(|url| self.index.get(url) == Some(&id));
        if indexed {
            if let Some(url) = &url {
                self.index.remove(url);
            }
        }
        Some(Finished {
            url,
            indexed,
            value,
        })
    }

    /// Removes `url` from the index, leaving its fetch in flight; returns whether it was there.
    pub(crate) fn detach(&mut self, url: &Url) -> bool {
        self.index.remove(url).is_some()
    }

    /// Removes every URL from the index, leaving the fetches in flight.
    pub(crate) fn detach_all(&mut self) {
        self.index.clear();
    }

    /// How many fetches are in flight.
    pub(crate) fn len(&self) -> usize {
        self.fetches.len()
    }

    /// The ids of the fetches in flight whose record satisfies `pred`, in issue order.
    pub(crate) fn ids_where(&self, mut pred: impl FnMut(&T) -> bool) -> Vec<u64> {
        self.fetches
            .iter()
            .filter(|(_, (_, value))| pred(value))
            .map(|(&id, _)| id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse("https://h.example/")
            .and_then(|base| base.join(path))
            .expect("static url")
    }

    #[test]
    fn ids_are_issued_in_order_and_the_index_names_the_latest_fetch_of_a_url() {
        let mut ledger = Ledger::default();
        let a = ledger.start(Some(url("/a")), 'a');
        let pass = ledger.start(None, 'p');
        assert_eq!((a, pass), (0, 1));
        assert_eq!(ledger.lookup(&url("/a")), Some(a));
        assert_eq!(ledger.len(), 2);
        assert_eq!(ledger.ids_where(|v| *v == 'p'), [pass]);
        *ledger.get_mut(a).expect("in flight") = 'A';
        let done = ledger.finish(a).expect("in flight");
        assert_eq!(
            (done.url, done.indexed, done.value),
            (Some(url("/a")), true, 'A')
        );
        assert_eq!(ledger.lookup(&url("/a")), None);
        assert!(ledger.finish(a).is_none(), "a finished fetch is gone");
    }

    #[test]
    fn a_detached_fetch_finishes_without_touching_its_successor_in_the_index() {
        let mut ledger = Ledger::default();
        let old = ledger.start(Some(url("/a")), ());
        assert!(ledger.detach(&url("/a")));
        assert!(!ledger.detach(&url("/a")));
        let new = ledger.start(Some(url("/a")), ());
        let done = ledger.finish(old).expect("still in flight");
        assert!(!done.indexed);
        assert_eq!(ledger.lookup(&url("/a")), Some(new));
        ledger.detach_all();
        assert_eq!(ledger.lookup(&url("/a")), None);
        assert_eq!(ledger.len(), 1);
    }
}
