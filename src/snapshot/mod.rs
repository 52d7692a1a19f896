//! State-snapshot validation: strict JSON under size, key and depth caps, safe restore, freshness
//! and the PII-name check `djust.C304`.
//!
//! A view that opts in has its public state captured as a JSON object when the user navigates
//! away, and on a back navigation the server restores that object instead of running `mount()`.
//! The bytes come back from the browser, so the server treats them as hostile input. This module
//! decides, without any I/O, whether a snapshot may be restored and what exactly is restored.
//!
//! # The restore loop
//!
//! 1. Check the signature of the blob (the host's job: liveshell never sees the key) and take
//!    the inner state JSON and its capture time out of it.
//! 2. [`is_fresh`]`(captured_at_ms, now_ms, &options)`: a stale snapshot, or one stamped too far
//!    in the future, falls back to `mount()`.
//! 3. [`validate`]`(json, &options)`: strict JSON (RFC 8259), the top level an object, duplicate
//!    keys rejected at every depth, at most [`max_bytes`](SnapshotOptions::max_bytes) UTF-8 bytes
//!    (checked before parsing, never truncated), [`max_keys`](SnapshotOptions::max_keys)
//!    top-level keys and [`max_depth`](SnapshotOptions::max_depth) levels of nesting. Any error
//!    falls back to `mount()`.
//! 4. [`Snapshot::restore_plan`]`(&restore_options)`: the `(name, value)` pairs that may be set on
//!    the view and the names rejected with their reason ([`NameError`]). Set the accepted pairs,
//!    skip `mount()`.
//! 5. For djust 1.2.6's component state, [`Snapshot::component_plan`]`(&components)`: per
//!    registered component, the `(field, value)` pairs to set, with djust's skips.
//!
//! [`SnapshotOptions`] (steps 2 and 3) is what a host loads once, from a file if it likes;
//! [`RestoreOptions`] (step 4) and [`Components`] (step 5) describe one view.
//!
//! Separately, [`check_pii`] is the configuration check `djust.C304`: it warns when a
//! snapshot-enabled view has attribute names that look like secrets or personal data, and
//! [`pii_names`] finds such names at any depth of a captured snapshot.
//!
//! # Time rules
//!
//! Nothing here reads a clock. Snapshot timestamps are wall-clock epoch milliseconds, as the
//! browser stamps them, so [`is_fresh`] takes both the capture time and `now_ms` as arguments.
//! Freshness is inclusive (`now - captured <= max_age`), and a capture time ahead of `now` by more
//! than the skew allowance is never fresh.
//!
//! # Examples
//!
//! ```
//! use liveshell::snapshot::{self, RestoreOptions, SnapshotOptions};
//!
//! let json = br#"{"count": 7, "label": "from-snapshot", "_secret": 1, "__class__": "x"}"#;
//! let snap = snapshot::validate(json, &SnapshotOptions::default())?;
//! let plan = snap.restore_plan(&RestoreOptions::default());
//! let names: Vec<&str> = plan.accepted.iter().map(|(name, _)| *name).collect();
//! assert_eq!(names, ["count", "label"]);
//! assert_eq!(plan.rejected.len(), 2);
//! # Ok::<(), liveshell::snapshot::SnapshotError>(())
//! ```
//!
//! # Differences from djust
//!
//! - One size unit, UTF-8 bytes of the input, where djust counts code points on the server and
//!   UTF-16 units in the browser and the service worker.
//! - Strict JSON: `NaN`, `Infinity`, comments and trailing data are errors, and so are duplicate
//!   keys (two parsers keeping different duplicates is a smuggling vector).
//! - Names end at the end of the string (djust's `$` accepts `count\n`), and framework-internal
//!   names such as `template_name` are blocked by default.
//! - Freshness defaults to 5 minutes, as the seed documentation says. djust's code expires
//!   snapshots at `DJUST_STATE_SNAPSHOT_MAX_AGE` (default 3600 s): the server's signature check
//!   since the feature shipped, and since 1.2.6 its service worker too (`max_age_seconds`, else
//!   3600 s), with the same inclusive boundary. A host matching djust sets
//!   [`SnapshotOptions::max_age`] to its `DJUST_STATE_SNAPSHOT_MAX_AGE`.
//! - djust's service worker counts a capture time in the future as fresh; [`is_fresh`] allows
//!   [`max_skew`](SnapshotOptions::max_skew) (5 s) of it and calls the rest
//!   [`Freshness::FromTheFuture`].
//! - C304 matches whole name tokens, so `api-key` matches and `classname` does not.

mod components;
mod fresh;
mod names;
mod options;
mod parse;
mod pii;

use std::fmt;

use serde_json::{Map, Value};

pub use components::{
    COMPONENT_INTERNALS, COMPONENTS_KEY, ComponentPlan, ComponentSkip, Components,
};
pub use fresh::{DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW, Freshness, is_fresh};
#[allow(deprecated)]
pub use names::RestorePolicy;
pub use names::{DEFAULT_BLOCKLIST, NameError, RestoreOptions, RestorePlan, is_safe_name};
pub use options::SnapshotOptions;
#[allow(deprecated)]
pub use options::{FreshnessPolicy, Limits};
pub use pii::{PII_PAIRS, PII_WORDS, check_pii, is_pii_name, pii_names};

/// The most nesting [`validate`] can check: deeper limits are treated as this one.
///
/// serde_json, which does the tokenising, refuses more than 127 levels, which is also what keeps
/// every input, of any depth, from overflowing the stack.
pub const MAX_DEPTH_CAP: usize = 126;

/// Why [`validate`] refused a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The input is longer than [`SnapshotOptions::max_bytes`]; nothing was parsed.
    #[error("snapshot is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The input's length in bytes.
        size: usize,
        /// The limit it broke.
        limit: usize,
    },
    /// The input is not strict JSON (RFC 8259): a syntax error, invalid UTF-8, `NaN`, a comment,
    /// trailing data, a number out of `f64` range or the end of input in the middle of a value.
    #[error("invalid json at line {line}, column {column}: {reason}")]
    Syntax {
        /// The 1-based line of the error.
        line: usize,
        /// The 1-based column (in bytes) of the error.
        column: usize,
        /// What is wrong there.
        reason: String,
    },
    /// The top level is valid JSON but not an object.
    #[error("snapshot must be a json object, found {found}")]
    NotAnObject {
        /// What the top level is: `array`, `string`, `number`, `boolean` or `null`.
        found: &'static str,
    },
    /// An object, at any depth, has the same key twice (compared after unescaping).
    #[error("duplicate key {key:?} in the object at {}", Pointer(.path))]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// The JSON Pointer (RFC 6901) of the object holding it; empty for the top level.
        path: String,
    },
    /// A container is nested deeper than [`SnapshotOptions::max_depth`].
    #[error("nesting deeper than {limit} levels at {}", Pointer(.path))]
    TooDeep {
        /// The depth limit in force.
        limit: usize,
        /// The JSON Pointer (RFC 6901) of the first container too deep.
        path: String,
    },
    /// The top-level object has more than [`SnapshotOptions::max_keys`] keys.
    #[error("snapshot has more than {limit} top-level keys")]
    TooManyKeys {
        /// The key limit in force.
        limit: usize,
    },
}

/// Shows a JSON Pointer in an error message, with the empty pointer as `the top level`.
struct Pointer<'a>(&'a str);

impl fmt::Display for Pointer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("the top level")
        } else {
            write!(f, "`{}`", self.0)
        }
    }
}

/// A validated state snapshot: a JSON object whose keys are the view's attribute names.
///
/// Values are `serde_json` values: integers that fit `i64` or `u64` stay exact, other numbers
/// are `f64` (as in the browser that carried them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    state: Map<String, Value>,
}

impl Snapshot {
    /// The number of top-level keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.state.len()
    }

    /// Whether the snapshot is the empty object `{}`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// The value stored under the top-level key `name`, whether or not it is safe to restore.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.state.get(name)
    }

    /// The top-level `(key, value)` pairs, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.state.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The whole top-level object.
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.state
    }

    /// Takes the top-level object out.
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        self.state
    }

    /// Splits the top-level keys into those `options` let the host restore and those they reject.
    ///
    /// Both lists are sorted by name. The accepted list never holds a name that
    /// [`RestoreOptions::check`] refuses. `__components__` is rejected as a dunder: it is not a
    /// view attribute, and [`component_plan`](Self::component_plan) reads it.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::snapshot::{self, NameError, RestoreOptions, SnapshotOptions};
    ///
    /// let json = br#"{"count": 3, "_private_thing": "nope"}"#;
    /// let snap = snapshot::validate(json, &SnapshotOptions::default())?;
    /// let plan = snap.restore_plan(&RestoreOptions::default());
    /// assert_eq!(plan.accepted, [("count", &serde_json::json!(3))]);
    /// assert_eq!(plan.rejected, [("_private_thing", NameError::Private)]);
    /// # Ok::<(), liveshell::snapshot::SnapshotError>(())
    /// ```
    #[must_use]
    pub fn restore_plan(&self, options: &RestoreOptions) -> RestorePlan<'_> {
        let mut plan = RestorePlan::default();
        for (name, value) in self.iter() {
            match options.check(name) {
                Ok(()) => plan.accepted.push((name, value)),
                Err(reason) => plan.rejected.push((name, reason)),
            }
        }
        plan
    }
}

/// Validates a state snapshot: strict JSON, a top-level object, no duplicate keys, within the
/// caps of `options`.
///
/// The size is checked first, on the raw bytes, so an oversized input is refused without being
/// parsed. Parsing never recurses deeper than [`MAX_DEPTH_CAP`], so no input can overflow the
/// stack.
///
/// # Errors
///
/// [`SnapshotError::TooLarge`] over [`SnapshotOptions::max_bytes`]; [`SnapshotError::Syntax`] for anything
/// that is not strict JSON; [`SnapshotError::NotAnObject`], [`SnapshotError::DuplicateKey`],
/// [`SnapshotError::TooDeep`] and [`SnapshotError::TooManyKeys`] for the structural rules.
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::{self, SnapshotError, SnapshotOptions};
///
/// let options = SnapshotOptions::default();
/// let snap = snapshot::validate(br#"{"count": 42, "label": "restored"}"#, &options)?;
/// assert_eq!(snap.get("count"), Some(&serde_json::json!(42)));
///
/// let big = format!(r#"{{"payload": "{}"}}"#, "é".repeat(40_000));
/// assert_eq!(
///     snapshot::validate(big.as_bytes(), &options),
///     Err(SnapshotError::TooLarge { size: 80_015, limit: 65_536 })
/// );
/// assert!(matches!(
///     snapshot::validate(br#"{"a": 1, "a": 2}"#, &options),
///     Err(SnapshotError::DuplicateKey { .. })
/// ));
/// assert!(snapshot::validate(b"[1, 2, 3]", &options).is_err());
/// # Ok::<(), SnapshotError>(())
/// ```
pub fn validate(json: &[u8], options: &SnapshotOptions) -> Result<Snapshot, SnapshotError> {
    if json.len() > options.max_bytes {
        return Err(SnapshotError::TooLarge {
            size: json.len(),
            limit: options.max_bytes,
        });
    }
    parse::object(json, options).map(|state| Snapshot { state })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_garbage_is_too_large_not_a_syntax_error() {
        let limits = SnapshotOptions::default().max_bytes(4);
        assert_eq!(
            validate(b"not json", &limits),
            Err(SnapshotError::TooLarge { size: 8, limit: 4 })
        );
        assert_eq!(
            validate(b"{}", &limits).map(|s| s.len()),
            Ok(0),
            "at the cap"
        );
    }

    #[test]
    fn restore_plan_partitions_every_key_in_order() {
        let snap = validate(
            br#"{"b": 1, "_a": 2, "a": 3, "__c__": 4}"#,
            &SnapshotOptions::default(),
        )
        .expect("valid");
        let plan = snap.restore_plan(&RestoreOptions::default());
        assert_eq!(
            plan.accepted,
            [("a", &Value::from(3)), ("b", &Value::from(1))]
        );
        assert_eq!(
            plan.rejected,
            [("__c__", NameError::Dunder), ("_a", NameError::Private)]
        );
    }

    #[test]
    fn pointer_display_names_the_top_level() {
        assert_eq!(Pointer("").to_string(), "the top level");
        assert_eq!(Pointer("/a/0").to_string(), "`/a/0`");
    }

    #[test]
    fn zero_key_limit_accepts_only_the_empty_object() {
        let limits = SnapshotOptions::default().max_bytes(1024).max_keys(0);
        assert!(validate(b"{}", &limits).is_ok());
        assert_eq!(
            validate(br#"{"a": 1}"#, &limits),
            Err(SnapshotError::TooManyKeys { limit: 0 })
        );
    }
}
