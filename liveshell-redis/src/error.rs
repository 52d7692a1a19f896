//! [`GuardError`]: why a check has no verdict.

use redis::RedisError;

use liveshell::OptionsError;

/// Why a [`RedisReplayGuard`](crate::RedisReplayGuard) has no verdict for a message.
///
/// Every error means the same thing to the caller: **do not apply the message** (the guard
/// fails closed). When the error is [`Unavailable`](Self::Unavailable) the check may or may
/// not have been recorded (a connection can drop after Redis ran the script and before its
/// answer arrived), so the same message replayed later may be answered
/// [`Duplicate`](liveshell::reconnect::Verdict::Duplicate): at most once, never twice.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// Redis could not be reached, the connection dropped, or the answer did not come within
    /// the response timeout.
    #[error("redis unavailable: {0}")]
    Unavailable(#[source] RedisError),
    /// Redis answered with an error (a refused command, a malformed client state, a wrong
    /// URL or credentials).
    #[error("redis refused the request: {0}")]
    Redis(#[source] RedisError),
    /// The namespace's epoch is not the one this guard started with: Redis restarted without
    /// persistence, was flushed, or evicted the epoch key, so the recorded high-water marks may
    /// be gone. Nothing is accepted until [`recover`](crate::RedisReplayGuard::recover).
    #[error(
        "replay state lost: the namespace's epoch changed (Redis restarted empty, flushed or evicted it)"
    )]
    StateLost,
    /// The script answered something it never returns (another program wrote the keys).
    #[error("unexpected reply from the replay script: {reply}")]
    Reply {
        /// The reply, as redis-rs prints it.
        reply: String,
    },
    /// The options did not validate.
    #[error(transparent)]
    Options(#[from] OptionsError),
}

impl From<RedisError> for GuardError {
    fn from(error: RedisError) -> Self {
        if error.is_io_error()
            || error.is_timeout()
            || error.is_connection_dropped()
            || error.is_connection_refusal()
        {
            Self::Unavailable(error)
        } else {
            Self::Redis(error)
        }
    }
}

impl GuardError {
    /// Whether this is [`Unavailable`](Self::Unavailable): Redis could not be asked.
    #[must_use]
    pub const fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}
