#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    unreachable_pub,
    unused_qualifications,
    clippy::use_self,
    clippy::manual_let_else
)]

mod blocking;
mod error;
mod guard;
mod keys;
mod options;
mod script;

pub use blocking::BlockingReplayGuard;
pub use error::GuardError;
pub use guard::RedisReplayGuard;
pub use liveshell::OptionsError;
pub use options::GuardOptions;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        assert_send_sync::<RedisReplayGuard>();
        assert_send_sync::<BlockingReplayGuard>();
        assert_send_sync::<GuardError>();
        assert_send_sync::<GuardOptions>();
    }
}
