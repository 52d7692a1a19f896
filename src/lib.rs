#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub, unused_qualifications)]
#![warn(clippy::use_self, clippy::manual_let_else)]

pub mod cache;
pub mod coordinator;
mod deadline;
pub mod diagnostics;
pub mod headers;
mod json;
mod ledger;
pub mod main_only;
pub mod mount_batch;
mod options;
pub mod prefetch;
pub mod reconnect;
pub mod shell;
pub mod snapshot;
pub mod time;

pub use diagnostics::{Diagnostic, Severity};
pub use options::OptionsError;
pub use time::{Clock, Instant, ManualClock, SystemClock, Timed};
