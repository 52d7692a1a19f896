//! [`CoordinatorError`].

use super::request::FetchTicket;

/// Why the coordinator could not be built or could not accept a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoordinatorError {
    /// The scope URL did not parse.
    #[error("the scope url does not parse: {reason}")]
    ScopeUrl {
        /// The `url` crate's parse error, as text.
        reason: String,
    },
    /// The scope URL is not `http` or `https`.
    #[error("the scope url scheme `{scheme}` is not http or https")]
    ScopeScheme {
        /// The scope's scheme.
        scheme: String,
    },
    /// [`CoordinatorOptions::validate`](super::CoordinatorOptions::validate) refused the
    /// options (a span over 366 days).
    #[error(transparent)]
    Options(#[from] crate::OptionsError),
    /// The ticket is not in flight: already completed, or from another coordinator.
    #[error("{ticket} is not in flight")]
    UnknownTicket {
        /// The ticket.
        ticket: FetchTicket,
    },
}
