#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub, unused_qualifications)]
#![warn(clippy::use_self, clippy::manual_let_else)]

pub mod cache;
pub mod diagnostics;
mod fields;
mod json;
pub mod main_only;
pub mod mount_batch;
pub mod prefetch;
pub mod reconnect;
pub mod shell;
pub mod snapshot;
pub mod time;
pub mod worker;

pub use diagnostics::{Diagnostic, Severity};
pub use time::{Clock, Instant, ManualClock, SystemClock};
