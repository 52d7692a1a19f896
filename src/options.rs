//! The one configuration shape shared by every module.
//!
//! Each capability has `<Thing>Options`:
//!
//! * `Default` is the seed's values, so `Options::default()` is what the spec describes.
//! * Consuming setters named for the field (`CacheOptions::default().ttl(…)`); a setter never
//!   validates and never panics.
//! * One `validate(&self) -> Result<(), OptionsError>` checks every field against its range; the
//!   constructors that take options call it, so a machine never runs on out-of-range values.
//! * `serde::Serialize` and `Deserialize` where a host would load the options from a file, with
//!   every field optional (missing fields keep their default) and durations in seconds (a number,
//!   fractions allowed: `hover_delay = 0.065`).
//!
//! [`OptionsError`] is the error of every `validate`.

use std::time::Duration;

/// An option outside its allowed range, or otherwise unusable.
///
/// # Examples
///
/// ```
/// use liveshell::OptionsError;
///
/// let error = OptionsError::OutOfRange { option: "ttl", value: "0 s".into(), range: "1..=86400 s" };
/// assert_eq!(error.to_string(), "option `ttl` is 0 s, outside 1..=86400 s");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionsError {
    /// A number or duration outside its range.
    #[error("option `{option}` is {value}, outside {range}")]
    OutOfRange {
        /// The option's name, as its setter is named.
        option: &'static str,
        /// The value given, printed with its unit.
        value: String,
        /// The allowed range, printed with its unit.
        range: &'static str,
    },
    /// A value of the right type that cannot be used (a malformed name, conflicting options).
    #[error("option `{option}` is invalid: {reason}")]
    Invalid {
        /// The option's name, as its setter is named.
        option: &'static str,
        /// Why the value cannot be used.
        reason: String,
    },
}

/// Serde for a [`Duration`] as a number of seconds (fractions allowed), for options files.
pub(crate) mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(duration: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(duration.as_secs_f64())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(|_| {
            D::Error::custom(format_args!(
                "a duration must be a finite, non-negative number of seconds, not {secs}"
            ))
        })
    }
}

/// Prints a duration for [`OptionsError::OutOfRange`]: whole seconds as `300 s`, else `65 ms`.
pub(crate) fn show_duration(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_secs_f64() * 1000.0)
    }
}

/// [`OptionsError::OutOfRange`] unless `range` contains `value`, which `show` prints with its unit.
fn check_in<T: PartialOrd>(
    option: &'static str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    shown: &'static str,
    show: impl FnOnce(T) -> String,
) -> Result<(), OptionsError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(OptionsError::OutOfRange {
            option,
            value: show(value),
            range: shown,
        })
    }
}

/// [`OptionsError::OutOfRange`] unless `range` contains the duration `value`.
pub(crate) fn check_duration(
    option: &'static str,
    value: Duration,
    range: std::ops::RangeInclusive<Duration>,
    shown: &'static str,
) -> Result<(), OptionsError> {
    check_in(option, value, range, shown, show_duration)
}

/// [`OptionsError::OutOfRange`] unless `range` contains the count `value`.
pub(crate) fn check_count(
    option: &'static str,
    value: usize,
    range: std::ops::RangeInclusive<usize>,
    shown: &'static str,
) -> Result<(), OptionsError> {
    check_in(option, value, range, shown, |count| count.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Holder {
        #[serde(with = "seconds")]
        ttl: Duration,
    }

    #[test]
    fn durations_are_seconds_in_files() {
        let held: Holder = serde_json::from_str(r#"{"ttl": 0.065}"#).unwrap();
        assert_eq!(held.ttl, Duration::from_millis(65));
        assert_eq!(
            serde_json::to_string(&Holder {
                ttl: Duration::from_secs(300)
            })
            .unwrap(),
            r#"{"ttl":300.0}"#
        );
        for bad in [r#"{"ttl": -1}"#, r#"{"ttl": 1e300}"#, r#"{"ttl": "5"}"#] {
            assert!(serde_json::from_str::<Holder>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn range_checks_name_the_option_and_the_unit() {
        assert_eq!(
            check_duration(
                "hover_delay",
                Duration::from_micros(1500),
                Duration::from_millis(2)..=Duration::from_secs(1),
                "2 ms..=1 s",
            ),
            Err(OptionsError::OutOfRange {
                option: "hover_delay",
                value: "1.5 ms".into(),
                range: "2 ms..=1 s",
            })
        );
        assert_eq!(
            check_count("max_entries", 5, 1..=10_000, "1..=10000"),
            Ok(())
        );
        assert!(check_count("max_entries", 0, 1..=10_000, "1..=10000").is_err());
    }
}
