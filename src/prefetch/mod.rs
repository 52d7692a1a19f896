//! Intent prefetch: when to prefetch a link, and how.

mod guard;

pub use guard::{GuardError, document_key, guard, is_opted_in};
