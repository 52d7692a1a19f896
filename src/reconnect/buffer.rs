//! `ReplayBuffer`: a fixed-capacity ring that drops its oldest item when full.

use std::fmt;
use std::num::NonZeroUsize;

use serde::de::Error as _;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// djust's `BUFFER_CAP`: how many messages a connection keeps while the socket is down.
pub const DEFAULT_CAPACITY: NonZeroUsize = NonZeroUsize::new(50).expect("50 is not zero");

/// The first slot count a buffer allocates; it then doubles up to its capacity.
const FIRST_SLOTS: usize = 4;

/// A fixed-capacity FIFO ring: `push` drops (and returns) the oldest item once full.
///
/// Storage is a ring of slots that grows by doubling until it reaches the capacity and never
/// allocates again after that: a `push` on a full buffer moves the new item into the oldest
/// item's slot and hands the old one back, in O(1). Slots are allocated lazily, so a large
/// capacity costs nothing until it is used.
///
/// Every eviction is counted in [`dropped`](Self::dropped), a running total that survives
/// [`drain`](Self::drain) and serialization.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use liveshell::reconnect::ReplayBuffer;
///
/// let mut buf = ReplayBuffer::new(NonZeroUsize::new(2).unwrap());
/// assert_eq!(buf.push("a"), None);
/// assert_eq!(buf.push("b"), None);
/// assert_eq!(buf.push("c"), Some("a")); // full: the oldest goes
/// assert_eq!(buf.dropped(), 1);
/// assert_eq!(buf.drain().collect::<Vec<_>>(), ["b", "c"]);
/// assert!(buf.is_empty());
/// ```
#[derive(Clone)]
pub struct ReplayBuffer<T> {
    /// The ring. `slots.len()` only grows, up to `capacity`; occupied slots are contiguous
    /// (modulo `slots.len()`) starting at `head`, all others are `None`.
    slots: Vec<Option<T>>,
    head: usize,
    len: usize,
    capacity: NonZeroUsize,
    dropped: u64,
}

impl<T> ReplayBuffer<T> {
    /// Creates an empty buffer that holds at most `capacity` items.
    #[must_use]
    pub const fn new(capacity: NonZeroUsize) -> Self {
        Self {
            slots: Vec::new(),
            head: 0,
            len: 0,
            capacity,
            dropped: 0,
        }
    }

    /// Appends `item` as the newest entry; when the buffer is full, removes and returns the oldest.
    ///
    /// O(1); once the buffer has been full it never allocates.
    #[must_use = "the evicted oldest item is returned, not dropped"]
    pub fn push(&mut self, item: T) -> Option<T> {
        if self.len == self.slots.len() {
            if self.is_full() {
                // Full: the ring has all `capacity` slots and the oldest sits at `head`.
                let evicted = self.slots[self.head].replace(item);
                self.head = self.wrap(self.head + 1);
                self.dropped = self.dropped.saturating_add(1);
                return evicted;
            }
            self.grow();
        }
        let tail = self.wrap(self.head + self.len);
        self.slots[tail] = Some(item);
        self.len += 1;
        None
    }

    /// Removes and returns the oldest item, or `None` when empty. Not counted as a drop.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.slots[self.head].take();
        self.head = self.wrap(self.head + 1);
        self.len -= 1;
        item
    }

    /// Removes every item, yielding them oldest first.
    ///
    /// The buffer is empty as soon as this is called: items the iterator has not yielded when
    /// it is dropped are dropped with it. The slots stay allocated for reuse, and
    /// [`dropped`](Self::dropped) is kept.
    pub fn drain(&mut self) -> Drain<'_, T> {
        let (first, wrapped) = self.occupied();
        let remaining = self.len;
        self.head = 0;
        self.len = 0;
        let (front, back) = self.slots.split_at_mut(first.start);
        Drain {
            slots: back[..first.len()]
                .iter_mut()
                .chain(front[..wrapped].iter_mut()),
            remaining,
        }
    }

    /// The occupied slots: the run from `head` to the end of the ring (or to the newest item),
    /// and how many wrap round to the start.
    fn occupied(&self) -> (std::ops::Range<usize>, usize) {
        let end = self.head + self.len.min(self.slots.len() - self.head);
        (self.head..end, self.len - (end - self.head))
    }

    /// The items, oldest first, without removing them.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        let (first, wrapped) = self.occupied();
        self.slots[first]
            .iter()
            .chain(&self.slots[..wrapped])
            .filter_map(Option::as_ref)
    }

    /// The oldest item, if any.
    #[must_use]
    pub fn front(&self) -> Option<&T> {
        if self.len == 0 {
            return None;
        }
        self.slots[self.head].as_ref()
    }

    /// The newest item, if any.
    #[must_use]
    pub fn back(&self) -> Option<&T> {
        let last = self.len.checked_sub(1)?;
        self.slots[self.wrap(self.head + last)].as_ref()
    }

    /// How many items the buffer holds.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no items.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the next `push` evicts the oldest item.
    #[must_use]
    pub const fn is_full(&self) -> bool {
        self.len == self.capacity.get()
    }

    /// The most items the buffer holds at once.
    #[must_use]
    pub const fn capacity(&self) -> NonZeroUsize {
        self.capacity
    }

    /// How many items `push` has evicted since the buffer was created: a running count.
    #[must_use]
    pub const fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Maps a position that may have run one lap past the end of the ring back into it.
    fn wrap(&self, index: usize) -> usize {
        if index >= self.slots.len() {
            index - self.slots.len()
        } else {
            index
        }
    }

    /// Doubles the ring (up to the capacity) while it is full, keeping the oldest-first order.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let old = self.slots.len();
        let new = old
            .saturating_mul(2)
            .max(FIRST_SLOTS)
            .min(self.capacity.get());
        self.slots.reserve_exact(new - old);
        self.slots.resize_with(new, || None);
        if self.head != 0 {
            // The items at `head..old` wrap round to `0..head`: move the first run to the end
            // of the grown ring so the free slots sit right after the newest item.
            let added = new - old;
            self.slots[self.head..].rotate_right(added);
            self.head += added;
        }
    }
}

impl<T> Default for ReplayBuffer<T> {
    /// An empty buffer with djust's capacity of 50.
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl<T: fmt::Debug> fmt::Debug for ReplayBuffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayBuffer")
            .field("capacity", &self.capacity)
            .field("dropped", &self.dropped)
            .field("items", &Items(self))
            .finish()
    }
}

/// Two buffers are equal when they have the same capacity, drop count and items in order,
/// however their rings are laid out.
impl<T: PartialEq> PartialEq for ReplayBuffer<T> {
    fn eq(&self, other: &Self) -> bool {
        self.capacity == other.capacity
            && self.dropped == other.dropped
            && self.len == other.len
            && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for ReplayBuffer<T> {}

impl<T> Extend<T> for ReplayBuffer<T> {
    /// Pushes every item in order; evicted items are dropped (and counted).
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            // Extend's contract: the evicted item is dropped here, and `dropped` counts it.
            let _evicted = self.push(item);
        }
    }
}

/// The iterator returned by [`ReplayBuffer::drain`]: the items, oldest first.
#[derive(Debug)]
pub struct Drain<'a, T> {
    slots: std::iter::Chain<std::slice::IterMut<'a, Option<T>>, std::slice::IterMut<'a, Option<T>>>,
    remaining: usize,
}

impl<T> Iterator for Drain<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let item = self.slots.next()?.take();
        self.remaining -= 1;
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }

    /// Runs over each of the ring's two runs in a tight loop (what `sum`, `collect` and
    /// `for_each` use).
    fn fold<B, F: FnMut(B, T) -> B>(mut self, init: B, mut f: F) -> B {
        self.remaining = 0;
        // Move the runs out (leaving `Drop` nothing to do) so `Chain::fold` drives them.
        let none: &mut [Option<T>] = &mut [];
        let slots = std::mem::replace(&mut self.slots, none.iter_mut().chain(&mut []));
        slots.fold(init, |acc, slot| match slot.take() {
            Some(item) => f(acc, item),
            None => acc,
        })
    }
}

impl<T> ExactSizeIterator for Drain<'_, T> {}

impl<T> Drop for Drain<'_, T> {
    /// Drops the items not yet yielded, so their slots are free for the next `push`.
    fn drop(&mut self) {
        self.slots.by_ref().for_each(|slot| drop(slot.take()));
    }
}

/// Serializes the items of a buffer as a sequence, oldest first.
struct Items<'a, T>(&'a ReplayBuffer<T>);

impl<T: Serialize> Serialize for Items<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

impl<T: fmt::Debug> fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

/// Persistence: `{"capacity": 50, "dropped": 0, "items": [oldest, …, newest]}`.
///
/// Deserializing rejects a zero capacity and more items than the capacity, and restores a
/// buffer equal to the one serialized.
impl<T: Serialize> Serialize for ReplayBuffer<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("ReplayBuffer", 3)?;
        state.serialize_field("capacity", &self.capacity)?;
        state.serialize_field("dropped", &self.dropped)?;
        state.serialize_field("items", &Items(self))?;
        state.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved<T> {
    capacity: NonZeroUsize,
    #[serde(default)]
    dropped: u64,
    items: Vec<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ReplayBuffer<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = Saved::<T>::deserialize(deserializer)?;
        if saved.items.len() > saved.capacity.get() {
            return Err(D::Error::custom(format_args!(
                "replay buffer holds {} items, more than its capacity {}",
                saved.items.len(),
                saved.capacity
            )));
        }
        Ok(Self {
            len: saved.items.len(),
            slots: saved.items.into_iter().map(Some).collect(),
            head: 0,
            capacity: saved.capacity,
            dropped: saved.dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    #[test]
    fn default_capacity_is_djusts_fifty() {
        assert_eq!(ReplayBuffer::<u8>::default().capacity().get(), 50);
    }

    #[test]
    fn full_buffer_evicts_oldest_and_counts_it() {
        let mut buf = ReplayBuffer::new(cap(3));
        for i in 0..3 {
            assert_eq!(buf.push(i), None);
        }
        assert!(buf.is_full());
        assert_eq!(buf.push(3), Some(0));
        assert_eq!(buf.push(4), Some(1));
        assert_eq!(buf.dropped(), 2);
        assert_eq!(buf.iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
    }

    #[test]
    fn growth_after_pops_keeps_order() {
        // Pops move `head` before the ring is at full size, so growing must unwrap the ring.
        let mut buf = ReplayBuffer::new(cap(20));
        buf.extend(0..4);
        assert_eq!(buf.pop(), Some(0));
        assert_eq!(buf.pop(), Some(1));
        buf.extend(4..15);
        assert_eq!(
            buf.iter().copied().collect::<Vec<_>>(),
            (2..15).collect::<Vec<_>>()
        );
        assert_eq!(buf.front(), Some(&2));
        assert_eq!(buf.back(), Some(&14));
        assert_eq!(buf.drain().collect::<Vec<_>>(), (2..15).collect::<Vec<_>>());
        assert_eq!(buf.dropped(), 0);
    }

    #[test]
    fn ring_never_grows_past_capacity() {
        let mut buf = ReplayBuffer::new(cap(5));
        buf.extend(0..100);
        assert_eq!(buf.slots.len(), 5);
        assert_eq!(buf.dropped(), 95);
    }

    #[test]
    fn dropping_a_drain_early_still_empties_the_buffer() {
        let mut buf = ReplayBuffer::new(cap(4));
        buf.extend(["a", "b", "c"]);
        let mut drain = buf.drain();
        assert_eq!(drain.len(), 3);
        assert_eq!(drain.next(), Some("a"));
        drop(drain);
        assert!(buf.is_empty());
        assert_eq!(buf.push("d"), None);
        assert_eq!(buf.iter().collect::<Vec<_>>(), [&"d"]);
    }

    #[test]
    fn leaked_drain_still_leaves_an_empty_consistent_buffer() {
        let mut buf = ReplayBuffer::new(cap(3));
        buf.extend([1, 2, 3, 4]);
        std::mem::forget(buf.drain());
        assert!(buf.is_empty());
        assert_eq!(buf.front(), None);
        assert_eq!(buf.iter().count(), 0);
        buf.extend([5, 6, 7, 8]);
        assert_eq!(buf.iter().copied().collect::<Vec<_>>(), [6, 7, 8]);
        assert_eq!(buf.drain().collect::<Vec<_>>(), [6, 7, 8]);
    }

    #[test]
    fn restore_rejects_more_items_than_capacity() {
        let err =
            serde_json::from_str::<ReplayBuffer<u8>>(r#"{"capacity":1,"dropped":0,"items":[1,2]}"#)
                .unwrap_err();
        assert!(
            err.to_string().contains("more than its capacity 1"),
            "{err}"
        );
        assert!(serde_json::from_str::<ReplayBuffer<u8>>(r#"{"capacity":0,"items":[]}"#).is_err());
    }

    #[test]
    fn debug_lists_items_oldest_first() {
        let mut buf = ReplayBuffer::new(cap(2));
        buf.extend([1, 2, 3]);
        assert_eq!(
            format!("{buf:?}"),
            "ReplayBuffer { capacity: 2, dropped: 1, items: [2, 3] }"
        );
    }
}
