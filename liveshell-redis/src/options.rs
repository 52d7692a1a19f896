//! [`GuardOptions`]: the namespace, the client cap, the TTL and the timeouts.

use std::num::NonZeroUsize;
use std::time::Duration;

use liveshell::OptionsError;
use serde::{Deserialize, Serialize};

/// How a [`RedisReplayGuard`](crate::RedisReplayGuard) keeps its state.
///
/// | option | default | range |
/// |---|---|---|
/// | [`namespace`](Self::namespace): the prefix of every key, inside a hash tag | `liveshell:replay` | 1 to 64 bytes of `A-Z a-z 0-9 : _ . -` |
/// | [`max_clients`](Self::max_clients): clients remembered at once in the namespace | 10 000 (as `ReplayGuard::default()`) | any non-zero |
/// | [`ttl`](Self::ttl): a client unseen this long is forgotten | 24 h | 1 ms to 30 days, whole milliseconds |
/// | [`connect_timeout`](Self::connect_timeout): one connection attempt | 1 s | 1 ms to 60 s |
/// | [`response_timeout`](Self::response_timeout): one request's answer | 1 s | 1 ms to 60 s |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use liveshell_redis::GuardOptions;
///
/// let options = GuardOptions::default().namespace("shop:replay").ttl(Duration::from_secs(3600));
/// assert_eq!(options.validate(), Ok(()));
/// assert!(GuardOptions::default().namespace("a{b}").validate().is_err());
///
/// // From a host's options file: missing fields keep their defaults, durations in seconds.
/// let loaded: GuardOptions = serde_json::from_str(r#"{"namespace": "shop:replay", "ttl": 3600}"#)?;
/// assert_eq!(loaded, options);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardOptions {
    pub(crate) namespace: String,
    pub(crate) max_clients: NonZeroUsize,
    #[serde(with = "liveshell::options::seconds")]
    pub(crate) ttl: Duration,
    #[serde(with = "liveshell::options::seconds")]
    pub(crate) connect_timeout: Duration,
    #[serde(with = "liveshell::options::seconds")]
    pub(crate) response_timeout: Duration,
}

impl Default for GuardOptions {
    fn default() -> Self {
        Self {
            namespace: "liveshell:replay".to_owned(),
            max_clients: NonZeroUsize::new(10_000).expect("10 000 is not zero"),
            ttl: Duration::from_secs(24 * 3600),
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
        }
    }
}

const MAX_NAMESPACE: usize = 64;
const MAX_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
const MAX_TIMEOUT: Duration = Duration::from_secs(60);

impl GuardOptions {
    /// The prefix of every key: the guard's keys are `{namespace}:…`. Guards that must agree
    /// (every server of one fleet) use the same namespace; separate applications sharing one
    /// Redis use separate ones.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The most clients the namespace remembers at once; a client new to it beyond that
    /// evicts the least recently seen, as [`ReplayGuard`](liveshell::reconnect::ReplayGuard)
    /// does. The cap is shared by every guard on the namespace, not per server.
    #[must_use]
    pub const fn max_clients(mut self, max_clients: NonZeroUsize) -> Self {
        self.max_clients = max_clients;
        self
    }

    /// How long a client's state outlives its last check. Make it longer than a client may
    /// stay away and still replay: a client seen again after it restarts from nothing.
    #[must_use]
    pub const fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long one connection attempt may take before it is an
    /// [`Unavailable`](crate::GuardError::Unavailable) error.
    #[must_use]
    pub const fn connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = connect_timeout;
        self
    }

    /// How long one request may wait for its answer before it is an
    /// [`Unavailable`](crate::GuardError::Unavailable) error.
    #[must_use]
    pub const fn response_timeout(mut self, response_timeout: Duration) -> Self {
        self.response_timeout = response_timeout;
        self
    }

    /// Checks every option against its range (the table above).
    ///
    /// # Errors
    ///
    /// The first option outside its range, as [`OptionsError`].
    pub fn validate(&self) -> Result<(), OptionsError> {
        let valid_name =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.' | b'-');
        if self.namespace.is_empty()
            || self.namespace.len() > MAX_NAMESPACE
            || !self.namespace.bytes().all(valid_name)
        {
            return Err(OptionsError::Invalid {
                option: "namespace",
                reason: format!(
                    "{:?} is not 1 to {MAX_NAMESPACE} bytes of A-Z a-z 0-9 : _ . -",
                    self.namespace
                ),
            });
        }
        if self.ttl < Duration::from_millis(1)
            || self.ttl > MAX_TTL
            || self.ttl.subsec_nanos() % 1_000_000 != 0
        {
            return Err(OptionsError::OutOfRange {
                option: "ttl",
                value: format!("{:?}", self.ttl),
                range: "1 ms..=30 days, whole milliseconds",
            });
        }
        for (option, value) in [
            ("connect_timeout", self.connect_timeout),
            ("response_timeout", self.response_timeout),
        ] {
            if value < Duration::from_millis(1) || value > MAX_TIMEOUT {
                return Err(OptionsError::OutOfRange {
                    option,
                    value: format!("{value:?}"),
                    range: "1 ms..=60 s",
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(GuardOptions::default().validate(), Ok(()));
    }

    #[test]
    fn a_namespace_that_could_break_the_hash_tag_is_refused() {
        for bad in ["", "a{b", "a}b", "a b", "ä", &"n".repeat(65)] {
            assert!(
                matches!(
                    GuardOptions::default().namespace(bad).validate(),
                    Err(OptionsError::Invalid {
                        option: "namespace",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn durations_outside_their_ranges_are_refused() {
        let ttl = |d| GuardOptions::default().ttl(d).validate();
        assert!(ttl(Duration::ZERO).is_err());
        assert!(ttl(Duration::from_micros(1500)).is_err());
        assert!(ttl(MAX_TTL + Duration::from_millis(1)).is_err());
        assert_eq!(ttl(Duration::from_millis(1)), Ok(()));
        let timeout = GuardOptions::default()
            .response_timeout(Duration::ZERO)
            .validate();
        assert!(matches!(
            timeout,
            Err(OptionsError::OutOfRange {
                option: "response_timeout",
                ..
            })
        ));
    }
}
