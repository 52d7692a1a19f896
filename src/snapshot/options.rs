//! `SnapshotOptions`: the caps [`validate`](super::validate) enforces and the ages
//! [`is_fresh`](super::is_fresh) allows, one options type a host loads once.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::MAX_DEPTH_CAP;
use super::fresh::{DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW};
use crate::options::{OptionsError, check_count};

/// The snapshot options: size, key and depth caps for [`validate`](super::validate), and the
/// freshness window for [`is_fresh`](super::is_fresh).
///
/// | option | default | meaning |
/// |---|---|---|
/// | [`max_bytes`](Self::max_bytes) | 65,536 | the largest accepted input, in UTF-8 bytes (the seed's client clamp; the service worker's is 262,144) |
/// | [`max_keys`](Self::max_keys) | 256 | the most keys the top-level object may have |
/// | [`max_depth`](Self::max_depth) | 64 | the deepest nesting: the top-level object is level 1; values above [`MAX_DEPTH_CAP`](super::MAX_DEPTH_CAP) count as it |
/// | [`max_age`](Self::max_age) | 5 min | the oldest capture still fresh, inclusive (the seed; djust's `DJUST_STATE_SNAPSHOT_MAX_AGE` defaults to 3600 s) |
/// | [`max_skew`](Self::max_skew) | 5 s | how far ahead of `now` a capture time may be and still count as age zero |
///
/// Every value has a defined meaning: a cap of 0 refuses everything it caps (a `max_keys` of 0
/// accepts only `{}`, a `max_depth` of 0 nothing), a zero `max_age` keeps only captures of the
/// same millisecond, and a `max_depth` above [`MAX_DEPTH_CAP`](super::MAX_DEPTH_CAP) counts as
/// the cap. That last one is probably not what a host meant, so [`validate`](Self::validate)
/// reports it; no function here requires it, as none takes the options by construction. The
/// fields are public to read (a host emits `max_age` to djust's client, see the field): the
/// setters are the way to build the options, as for every options type, and
/// `#[non_exhaustive]` keeps it so.
///
/// With serde, an options file gives any subset of the fields, durations in seconds:
///
/// ```
/// use std::time::Duration;
/// use liveshell::snapshot::SnapshotOptions;
///
/// let options: SnapshotOptions = serde_json::from_str(r#"{"max_age": 3600, "max_keys": 32}"#)?;
/// assert_eq!(
///     options,
///     SnapshotOptions::default().max_age(Duration::from_secs(3600)).max_keys(32)
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::{self, SnapshotOptions, SnapshotError};
///
/// let big = format!(r#"{{"payload": "{}"}}"#, "x".repeat(100_000));
/// assert!(matches!(
///     snapshot::validate(big.as_bytes(), &SnapshotOptions::default()),
///     Err(SnapshotError::TooLarge { limit: 65_536, .. })
/// ));
/// assert!(snapshot::validate(big.as_bytes(), &SnapshotOptions::service_worker()).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SnapshotOptions {
    /// The largest accepted input, in UTF-8 bytes; set with [`max_bytes`](Self::max_bytes()).
    pub max_bytes: usize,
    /// The most top-level keys; set with [`max_keys`](Self::max_keys()).
    pub max_keys: usize,
    /// The deepest nesting; set with [`max_depth`](Self::max_depth()).
    pub max_depth: usize,
    /// The oldest capture still fresh, inclusive; set with [`max_age`](Self::max_age()). A host
    /// serving djust 1.2.6's client sends it, in whole seconds, as a mount frame's
    /// `state_snapshot_max_age`.
    #[serde(with = "crate::options::seconds")]
    pub max_age: Duration,
    /// How far ahead of `now` a capture may be stamped; set with [`max_skew`](Self::max_skew()).
    #[serde(with = "crate::options::seconds")]
    pub max_skew: Duration,
}

/// The old name of the caps half of [`SnapshotOptions`].
#[deprecated(note = "folded into `SnapshotOptions`")]
pub type Limits = SnapshotOptions;

/// The old name of the freshness half of [`SnapshotOptions`].
#[deprecated(note = "folded into `SnapshotOptions`")]
pub type FreshnessPolicy = SnapshotOptions;

impl SnapshotOptions {
    /// The client clamp, the default: 65,536 bytes, 256 top-level keys, 64 levels, fresh for
    /// 5 minutes with 5 seconds of skew.
    pub const CLIENT: Self = Self {
        max_bytes: 64 * 1024,
        max_keys: 256,
        max_depth: 64,
        max_age: DEFAULT_MAX_AGE,
        max_skew: DEFAULT_MAX_SKEW,
    };

    /// The service worker's cap: as [`SnapshotOptions::CLIENT`] but 262,144 bytes.
    #[must_use]
    pub const fn service_worker() -> Self {
        Self {
            max_bytes: 256 * 1024,
            ..Self::CLIENT
        }
    }

    /// Sets the largest accepted input, in UTF-8 bytes; larger input is
    /// [`SnapshotError::TooLarge`](super::SnapshotError::TooLarge) without being parsed.
    #[must_use]
    pub const fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Sets the most keys the top-level object may have.
    #[must_use]
    pub const fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// Sets the deepest nesting accepted: the top-level object is level 1, an object or array
    /// inside it level 2, and so on. Values above [`MAX_DEPTH_CAP`](super::MAX_DEPTH_CAP) count
    /// as [`MAX_DEPTH_CAP`](super::MAX_DEPTH_CAP).
    #[must_use]
    pub const fn max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets the longest age still fresh, inclusive (default [`DEFAULT_MAX_AGE`]).
    #[must_use]
    pub const fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sets how far ahead of `now` a capture time may be and still count as age zero (default
    /// [`DEFAULT_MAX_SKEW`]).
    #[must_use]
    pub const fn max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }
}

impl SnapshotOptions {
    /// Checks the options a host loaded: every field is usable, but a
    /// [`max_depth`](Self::max_depth()) above [`MAX_DEPTH_CAP`](super::MAX_DEPTH_CAP) would
    /// silently count as the cap.
    ///
    /// # Errors
    ///
    /// [`OptionsError::OutOfRange`] for a `max_depth` above [`MAX_DEPTH_CAP`](super::MAX_DEPTH_CAP).
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::OptionsError;
    /// use liveshell::snapshot::SnapshotOptions;
    ///
    /// assert_eq!(SnapshotOptions::default().validate(), Ok(()));
    /// assert_eq!(
    ///     SnapshotOptions::default().max_depth(500).validate(),
    ///     Err(OptionsError::OutOfRange { option: "max_depth", value: "500".into(), range: "0..=126" })
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), OptionsError> {
        check_count("max_depth", self.max_depth, 0..=MAX_DEPTH_CAP, "0..=126")
    }
}

impl Default for SnapshotOptions {
    /// [`SnapshotOptions::CLIENT`].
    fn default() -> Self {
        Self::CLIENT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_depth_range_is_the_cap() {
        assert_eq!(MAX_DEPTH_CAP, 126, "update the range shown by validate");
        assert_eq!(
            SnapshotOptions::default()
                .max_depth(MAX_DEPTH_CAP)
                .validate(),
            Ok(())
        );
        assert!(
            SnapshotOptions::default()
                .max_depth(MAX_DEPTH_CAP + 1)
                .validate()
                .is_err()
        );
    }
}
