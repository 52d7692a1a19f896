//! The bodies of liveshell's fuzz targets.
//!
//! Each target in `fuzz_targets/` is one line that calls a `run(&[u8])` here, and
//! `tests/fuzz_corpus.rs` in the main crate includes this file to replay every committed corpus
//! input through the same function on stable Rust. A body may use only `liveshell`, `arbitrary`
//! and `std`, which both crates have.
//!
//! To add a target: write `src/<name>.rs` with `pub fn run(data: &[u8])`, list it in [`TARGETS`],
//! add `fuzz_targets/<name>.rs` and a `[[bin]]` in `Cargo.toml`, and commit a seed corpus under
//! `corpus/<name>/`.

pub mod cache_ops;
pub mod coordinator;
pub mod main_only;
pub mod main_only_stream;
pub mod mount_batch;
pub mod prefetch;
pub mod reconnect_wire;
pub mod replay_guard;
pub mod shell;
pub mod shell_stream;
pub mod smoke;
pub mod snapshot;
pub mod worker_message;

/// A target's body: it gets the fuzzer's bytes and panics only on a bug.
pub type Body = fn(&[u8]);

/// Every fuzz target, by the name of its `fuzz_targets/` file and `corpus/` folder.
pub const TARGETS: &[(&str, Body)] = &[
    ("cache_ops", cache_ops::run),
    ("coordinator", coordinator::run),
    ("main_only", main_only::run),
    ("main_only_stream", main_only_stream::run),
    ("mount_batch", mount_batch::run),
    ("prefetch", prefetch::run),
    ("reconnect_wire", reconnect_wire::run),
    ("replay_guard", replay_guard::run),
    ("shell", shell::run),
    ("shell_stream", shell_stream::run),
    ("smoke", smoke::run),
    ("snapshot", snapshot::run),
    ("worker_message", worker_message::run),
];
