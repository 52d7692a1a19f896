//! `ReplayGuard`: the server's duplicate filter over `(client_id, seq)` stamps.

use std::num::NonZeroUsize;

use lru::LruCache;

/// How many sequence numbers above a client's contiguous prefix the guard tracks one by one.
pub const REPLAY_WINDOW: u64 = 128;

/// The guard's answer for one stamped message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum Verdict {
    /// First delivery: handle the message.
    Fresh,
    /// Seen before (or too old to tell): drop the message.
    Duplicate,
}

impl Verdict {
    /// Whether the message should be handled.
    #[must_use]
    pub const fn is_fresh(self) -> bool {
        matches!(self, Self::Fresh)
    }
}

/// One client's replay state: the pure decision step behind [`ReplayGuard`].
///
/// Every `seq <= base` counts as delivered, and bit `i` of `seen` records `base + 1 + i`, for
/// the [`REPLAY_WINDOW`] numbers above `base`. Bit 0 is always clear (otherwise `base` would
/// have advanced). [`check`](Self::check) is the whole per-client decision of [`ReplayGuard`]:
/// a guard that keeps these 24 bytes elsewhere (liveshell-redis keeps them in Redis) and applies
/// the same step atomically answers exactly as [`ReplayGuard`] does.
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{ReplayWindow, Verdict};
///
/// let mut window = ReplayWindow::default();
/// assert_eq!(window.check(1), Verdict::Fresh);
/// assert_eq!(window.check(3), Verdict::Fresh);
/// assert_eq!((window.base(), window.seen()), (1, 0b10));
/// // The state round-trips through its two parts, as a store would keep it.
/// let mut restored = ReplayWindow::from_parts(window.base(), window.seen());
/// assert_eq!(restored, window);
/// assert_eq!(restored.check(3), Verdict::Duplicate);
/// assert_eq!(restored.check(2), Verdict::Fresh);
/// assert_eq!(restored.base(), 3);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ReplayWindow {
    base: u64,
    seen: u128,
}

impl ReplayWindow {
    /// The state with `base` and `seen` as [`base`](Self::base) and [`seen`](Self::seen)
    /// return them, normalised: a run of set bits at the bottom of `seen` (which a store
    /// cannot have received from this type) moves into `base`, saturating at `u64::MAX`.
    #[must_use]
    pub fn from_parts(base: u64, seen: u128) -> Self {
        let mut window = Self { base, seen };
        window.advance();
        window
    }

    /// The highest `n` such that every number `1..=n` counts as delivered.
    #[must_use]
    pub const fn base(&self) -> u64 {
        self.base
    }

    /// The delivered numbers above [`base`](Self::base): bit `i` is `base + 1 + i`.
    #[must_use]
    pub const fn seen(&self) -> u128 {
        self.seen
    }

    /// Records `seq` and says whether it is a first delivery: the per-client step of
    /// [`ReplayGuard::check`].
    pub fn check(&mut self, seq: u64) -> Verdict {
        if seq <= self.base {
            return Verdict::Duplicate;
        }
        if seq - self.base > REPLAY_WINDOW {
            // Slide so `seq` is the window's top. The skipped numbers fall below `base` and
            // count as delivered: late arrivals that far behind are refused.
            let shift = seq - self.base - REPLAY_WINDOW;
            self.seen = u32::try_from(shift)
                .ok()
                .and_then(|s| self.seen.checked_shr(s))
                .unwrap_or(0);
            self.base += shift;
            self.advance();
        }
        let bit = 1u128 << (seq - self.base - 1);
        if self.seen & bit != 0 {
            return Verdict::Duplicate;
        }
        self.seen |= bit;
        self.advance();
        Verdict::Fresh
    }

    /// Moves `base` over the run of delivered numbers just above it.
    fn advance(&mut self) {
        let run = (!self.seen).trailing_zeros();
        let run = u32::try_from(u64::MAX - self.base).map_or(run, |room| run.min(room));
        self.seen = self.seen.checked_shr(run).unwrap_or(0);
        self.base += u64::from(run);
    }
}

/// The server half of idempotent replay: answers [`Verdict::Fresh`] or [`Verdict::Duplicate`]
/// for each `(client_id, seq)` stamp, in O(1).
///
/// Sequence numbers start at 1 (as [`Outbox`](super::Outbox) stamps them). Per client the
/// guard keeps the highest contiguous delivered number and a bitmap of the
/// [`REPLAY_WINDOW`] numbers above it (IPsec's anti-replay window, Kafka's producer sequence
/// numbers): 24 bytes plus the id. So at-least-once replay becomes effectively-once:
///
/// * a number the guard has answered `Fresh` for is never `Fresh` again;
/// * a first delivery is `Fresh` unless it is more than `REPLAY_WINDOW` below the highest
///   number seen from that client (a message that late is refused as a presumed duplicate);
/// * `0` is never a valid number and is always a duplicate.
///
/// Memory is bounded: at most `max_clients` clients are remembered, and a new one beyond that
/// evicts the least recently seen. An evicted client starts over, so its old messages would be
/// fresh again; [`forgotten`](Self::forgotten) counts evictions so a host can size the limit.
///
/// # Examples
///
/// ```
/// use liveshell::reconnect::{ReplayGuard, Verdict};
///
/// let mut guard = ReplayGuard::default();
/// assert_eq!(guard.check("tab-1", 1), Verdict::Fresh);
/// assert_eq!(guard.check("tab-1", 3), Verdict::Fresh); // 2 may still come
/// assert_eq!(guard.check("tab-1", 1), Verdict::Duplicate); // replayed
/// assert_eq!(guard.acked("tab-1"), Some(1));
/// assert_eq!(guard.check("tab-1", 2), Verdict::Fresh);
/// assert_eq!(guard.acked("tab-1"), Some(3));
/// ```
#[derive(Debug)]
pub struct ReplayGuard {
    clients: LruCache<String, ReplayWindow>,
    max_clients: NonZeroUsize,
    forgotten: u64,
}

impl Default for ReplayGuard {
    /// A guard remembering up to 10 000 clients.
    fn default() -> Self {
        Self::new(NonZeroUsize::new(10_000).expect("10 000 is not zero"))
    }
}

impl ReplayGuard {
    /// Creates a guard that remembers at most `max_clients` clients.
    #[must_use]
    pub fn new(max_clients: NonZeroUsize) -> Self {
        Self {
            clients: LruCache::unbounded(),
            max_clients,
            forgotten: 0,
        }
    }

    /// Records `seq` from `client_id` and says whether it is a first delivery.
    pub fn check(&mut self, client_id: &str, seq: u64) -> Verdict {
        if let Some(window) = self.clients.get_mut(client_id) {
            return window.check(seq);
        }
        if self.clients.len() >= self.max_clients.get() && self.clients.pop_lru().is_some() {
            self.forgotten += 1;
        }
        let mut window = ReplayWindow::default();
        let verdict = window.check(seq);
        self.clients.push(client_id.to_owned(), window);
        verdict
    }

    /// The highest `n` such that every number `1..=n` from `client_id` was delivered: what to
    /// acknowledge to its [`Outbox`](super::Outbox). `None` for a client the guard does not
    /// remember; does not change which client is least recently seen.
    #[must_use]
    pub fn acked(&self, client_id: &str) -> Option<u64> {
        self.clients.peek(client_id).map(|w| w.base)
    }

    /// How many clients the guard remembers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether the guard remembers no client.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The most clients remembered at once.
    #[must_use]
    pub const fn max_clients(&self) -> NonZeroUsize {
        self.max_clients
    }

    /// How many clients were evicted to stay within `max_clients`.
    #[must_use]
    pub const fn forgotten(&self) -> u64 {
        self.forgotten
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_never_fresh() {
        let mut guard = ReplayGuard::default();
        assert_eq!(guard.check("c", 0), Verdict::Duplicate);
    }

    #[test]
    fn far_jump_slides_the_window_and_refuses_what_fell_out() {
        let mut guard = ReplayGuard::default();
        assert!(guard.check("c", 1).is_fresh());
        assert!(guard.check("c", 1000).is_fresh());
        assert_eq!(guard.acked("c"), Some(1000 - REPLAY_WINDOW));
        assert_eq!(guard.check("c", 1000 - REPLAY_WINDOW), Verdict::Duplicate);
        assert!(guard.check("c", 1000 - REPLAY_WINDOW + 1).is_fresh());
        assert_eq!(guard.check("c", 1000), Verdict::Duplicate);
    }

    #[test]
    fn largest_sequence_numbers_do_not_overflow() {
        let mut guard = ReplayGuard::default();
        assert!(guard.check("c", u64::MAX).is_fresh());
        assert_eq!(guard.check("c", u64::MAX), Verdict::Duplicate);
        assert!(guard.check("c", u64::MAX - 1).is_fresh());
        assert_eq!(guard.check("c", 5), Verdict::Duplicate);
    }

    #[test]
    fn full_window_collapses_into_the_contiguous_prefix() {
        let mut guard = ReplayGuard::default();
        for seq in (2..=REPLAY_WINDOW).rev() {
            assert!(guard.check("c", seq).is_fresh());
        }
        assert_eq!(guard.acked("c"), Some(0));
        assert!(guard.check("c", 1).is_fresh());
        assert_eq!(guard.acked("c"), Some(REPLAY_WINDOW));
    }

    #[test]
    fn client_limit_forgets_the_least_recently_seen() {
        let mut guard = ReplayGuard::new(NonZeroUsize::new(2).unwrap());
        let _ = guard.check("a", 1);
        let _ = guard.check("b", 1);
        let _ = guard.check("a", 2);
        let _ = guard.check("c", 1);
        assert_eq!(guard.len(), 2);
        assert_eq!(guard.acked("b"), None);
        assert_eq!(guard.acked("a"), Some(2));
        assert_eq!(guard.forgotten(), 1);
    }

    #[test]
    fn window_from_parts_moves_a_delivered_run_into_base_and_never_overflows() {
        let window = ReplayWindow::from_parts(10, 0b1011);
        assert_eq!((window.base(), window.seen()), (12, 0b10));
        let mut top = ReplayWindow::from_parts(u64::MAX - 1, u128::MAX);
        assert_eq!(top.base(), u64::MAX);
        assert_eq!(top.check(u64::MAX), Verdict::Duplicate);
        let mut beyond = ReplayWindow::from_parts(u64::MAX - 1, 0b10);
        assert_eq!(beyond.check(u64::MAX), Verdict::Fresh);
        assert_eq!(beyond.base(), u64::MAX);
    }

    #[test]
    fn window_steps_are_the_guards_answers() {
        let mut guard = ReplayGuard::default();
        let mut window = ReplayWindow::default();
        for seq in [3, 1, 1, 500, 2, 372, 373, 371, 0, 501, u64::MAX, 7] {
            assert_eq!(guard.check("c", seq), window.check(seq), "seq {seq}");
            assert_eq!(guard.acked("c"), Some(window.base()));
        }
    }
}
