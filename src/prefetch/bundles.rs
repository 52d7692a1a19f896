//! Qwik's waterfall fix: plan every bundle a set of entries needs, in one breadth-first pass.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};

/// Lists what to prefetch so that loading `entries` causes no import waterfall (seed 003).
///
/// `graph` maps each bundle to the bundles it imports directly (Qwik's `q-manifest.json`
/// module graph). The result holds the entries and everything they transitively import,
/// **minus** the bundles in `cached`, each once, in breadth-first order from the entries (so a
/// bundle appears before anything only it imports, and requests can start in parallel).
///
/// * Linear: every bundle and every edge is visited at most once, `O(V + E)`.
/// * Cycle-safe: a bundle already visited is never queued again.
/// * Cached bundles are not listed, but their imports are still followed: a cached bundle may
///   import one that is not cached.
/// * A bundle missing from `graph` is a leaf; duplicate entries and duplicate edges count once.
///
/// # Examples
///
/// ```
/// use std::collections::{HashMap, HashSet};
/// use liveshell::prefetch::plan_bundles;
///
/// // a imports b and c, b imports c and d, d imports a (a cycle); c is cached.
/// let graph = HashMap::from([
///     ("a", vec!["b", "c"]),
///     ("b", vec!["c", "d"]),
///     ("d", vec!["a"]),
/// ]);
/// let cached = HashSet::from(["c"]);
/// assert_eq!(plan_bundles(&graph, &["a"], &cached), vec!["a", "b", "d"]);
/// ```
#[must_use]
pub fn plan_bundles<B, S1, S2>(
    graph: &HashMap<B, Vec<B>, S1>,
    entries: &[B],
    cached: &HashSet<B, S2>,
) -> Vec<B>
where
    B: Eq + Hash + Clone,
    S1: BuildHasher,
    S2: BuildHasher,
{
    let mut seen: HashSet<&B> = HashSet::with_capacity(entries.len());
    let mut queue: VecDeque<&B> = VecDeque::with_capacity(entries.len());
    let mut plan = Vec::new();
    for entry in entries {
        if seen.insert(entry) {
            queue.push_back(entry);
        }
    }
    while let Some(bundle) = queue.pop_front() {
        if !cached.contains(bundle) {
            plan.push(bundle.clone());
        }
        for import in graph.get(bundle).into_iter().flatten() {
            if seen.insert(import) {
                queue.push_back(import);
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_of_a_cached_bundle_are_still_planned() {
        let graph = HashMap::from([(1, vec![2]), (2, vec![3])]);
        assert_eq!(plan_bundles(&graph, &[1], &HashSet::from([2])), vec![1, 3]);
    }

    #[test]
    fn self_loops_and_duplicate_entries_count_once() {
        let graph = HashMap::from([(1, vec![1, 2, 2])]);
        assert_eq!(
            plan_bundles(&graph, &[1, 1, 2], &HashSet::new()),
            vec![1, 2]
        );
    }

    #[test]
    fn no_entries_plan_nothing() {
        let graph: HashMap<u8, Vec<u8>> = HashMap::from([(1, vec![2])]);
        assert!(plan_bundles(&graph, &[], &HashSet::new()).is_empty());
    }
}
