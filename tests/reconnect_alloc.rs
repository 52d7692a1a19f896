//! Counts heap allocations to prove that a full `ReplayBuffer` never allocates on `push`, and
//! that buffering into a full bridge connection does not either.
//!
//! The counter is per thread, so tests running in parallel (and the test harness) do not
//! disturb each other's counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::num::NonZeroUsize;

use liveshell::reconnect::{Bridge, BridgeMessage, ReplayBuffer};
use serde_json::json;

mod common;
use common::t0;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with` because the allocator can run while thread-locals are being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` unchanged; the counter only reads and writes a
// const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` made on this thread.
fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn counter_sees_allocations() {
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 16]))) >= 1);
}

#[test]
fn push_on_a_full_buffer_never_allocates() {
    for capacity in [1, 3, 50, 1000] {
        let mut buf = ReplayBuffer::new(NonZeroUsize::new(capacity).unwrap());
        for i in 0..capacity as u64 {
            let _ = buf.push(i);
        }
        assert!(buf.is_full());
        let n = allocations_in(|| {
            for i in 0..10_000u64 {
                std::hint::black_box(buf.push(i));
            }
        });
        assert_eq!(n, 0, "capacity {capacity}");
    }
}

#[test]
fn push_of_owned_items_on_a_full_buffer_only_frees() {
    let mut buf = ReplayBuffer::default();
    let items: Vec<String> = (0..500).map(|i| format!("event-{i}")).collect();
    let mut items = items.into_iter();
    for item in items.by_ref().take(50) {
        drop(buf.push(item));
    }
    let n = allocations_in(|| {
        for item in items {
            drop(buf.push(item)); // the evicted string is freed, nothing is allocated
        }
    });
    assert_eq!(n, 0);
}

#[test]
fn refilling_a_drained_buffer_reuses_its_ring() {
    let mut buf = ReplayBuffer::default();
    buf.extend(0..50u32);
    let n = allocations_in(|| {
        for _ in 0..100 {
            std::hint::black_box(buf.drain().sum::<u32>());
            buf.extend(0..50u32);
        }
    });
    assert_eq!(n, 0);
}

#[test]
fn buffering_into_a_full_bridge_connection_does_not_allocate() {
    let now = t0();
    let mut bridge = Bridge::default();
    for i in 0..50 {
        assert_eq!(
            bridge.handle(now, BridgeMessage::buffer("dj-1", json!(i))),
            None
        );
    }
    // Build the messages first: constructing them allocates, handling them must not.
    let messages: Vec<BridgeMessage> = (0..1000)
        .map(|i| BridgeMessage::buffer("dj-1", json!(i)))
        .collect();
    let n = allocations_in(|| {
        for message in messages {
            assert_eq!(bridge.handle(now, message), None);
        }
    });
    assert_eq!(n, 0);
    assert_eq!(bridge.stats().dropped_over_capacity, 1000);
}
