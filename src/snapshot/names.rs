//! Which snapshot keys may be restored as view attributes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The names blocked by default: djust's framework-internal view attributes
/// (`_FRAMEWORK_INTERNAL_ATTRS`), the non-dunder entries of its `DANGEROUS_ATTRIBUTES`
/// (`constructor`, `prototype`) and the two view methods a snapshot key could otherwise shadow
/// (`mount`, `get_context_data`).
///
/// djust's capture skips these names but its restore does not block them; liveshell does.
pub const DEFAULT_BLOCKLIST: &[&str] = &[
    "allowed_model_fields",
    "args",
    "base_template",
    "constructor",
    "content_type",
    "get_context_data",
    "http_method_names",
    "kwargs",
    "login_required",
    "login_url",
    "mount",
    "on_mount",
    "on_mount_count",
    "page_meta",
    "page_slug",
    "page_title",
    "permission_required",
    "prototype",
    "request",
    "response_class",
    "static_assigns",
    "static_assigns_count",
    "sticky",
    "sticky_id",
    "sync_safe",
    "template",
    "template_name",
    "temporary_assigns",
    "tick_interval",
    "use_actors",
    "view_is_async",
];

/// Why a name may not be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is the empty string.
    #[error("name is empty")]
    Empty,
    /// The name starts and ends with `__` (`__class__`, `__components__`).
    #[error("name is a dunder")]
    Dunder,
    /// The name starts with `_`: private state is never restored.
    #[error("name is private (starts with `_`)")]
    Private,
    /// The name is not an ASCII identifier `[A-Za-z][A-Za-z0-9_]*` up to its very end.
    #[error("name is not an ascii identifier")]
    NotIdentifier,
    /// The name is in the options' blocklist.
    #[error("name is blocked")]
    Blocked,
    /// The options have an allowlist and the name is not in it.
    #[error("name is not a declared field")]
    NotAllowed,
    /// A component field named like one of djust's component internals
    /// ([`COMPONENT_INTERNALS`](super::COMPONENT_INTERNALS)).
    #[error("name is a component internal")]
    ComponentInternal,
    /// A component field named like one of the component's methods (`render`, a handler).
    #[error("name is a component method")]
    ComponentMethod,
}

/// Checks a name against the rules all restore options share: not empty, not dunder, not private, an
/// ASCII identifier to the end of the string.
pub(super) fn check_form(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        Err(NameError::Empty)
    } else if name.len() >= 2 && name.starts_with("__") && name.ends_with("__") {
        Err(NameError::Dunder)
    } else if name.starts_with('_') {
        Err(NameError::Private)
    } else if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.as_bytes()[0].is_ascii_alphabetic()
    {
        Ok(())
    } else {
        Err(NameError::NotIdentifier)
    }
}

/// Checks `name` with the default options: an ASCII identifier to the very end of the string, not
/// a dunder, not private and not in [`DEFAULT_BLOCKLIST`].
///
/// This is [`RestoreOptions::default().check(name)`](RestoreOptions::check) without building the
/// options.
///
/// # Errors
///
/// The first rule the name breaks, as a [`NameError`].
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::{NameError, is_safe_name};
///
/// assert_eq!(is_safe_name("count"), Ok(()));
/// assert_eq!(is_safe_name("count\n"), Err(NameError::NotIdentifier));
/// assert_eq!(is_safe_name("__class__"), Err(NameError::Dunder));
/// assert_eq!(is_safe_name("_secret"), Err(NameError::Private));
/// assert_eq!(is_safe_name("template_name"), Err(NameError::Blocked));
/// ```
pub fn is_safe_name(name: &str) -> Result<(), NameError> {
    check_form(name)?;
    if DEFAULT_BLOCKLIST.contains(&name) {
        return Err(NameError::Blocked);
    }
    Ok(())
}

/// The host's rules for which names a restore may set.
///
/// | option | default | meaning |
/// |---|---|---|
/// | [`blocklist`](Self::blocklist) | [`DEFAULT_BLOCKLIST`] | names never restored ([`block`](Self::block) adds to it) |
/// | [`allowlist`](Self::allowlist) | none | when set, only these names are restored |
///
/// The strongest rule is an allowlist of the view's declared public state fields. Every value is
/// usable (a name that is not an identifier in either list simply never matches), so there is
/// no `validate`. With serde, a file gives either list: `{"blocklist": ["role"]}` (replacing
/// the default blocklist, as the setter does).
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::{NameError, RestoreOptions};
///
/// let options = RestoreOptions::default().block(["role"]).allowlist(["count", "label", "role"]);
/// assert_eq!(options.check("count"), Ok(()));
/// assert_eq!(options.check("role"), Err(NameError::Blocked));
/// assert_eq!(options.check("is_admin"), Err(NameError::NotAllowed));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestoreOptions {
    blocklist: BTreeSet<String>,
    allowlist: Option<BTreeSet<String>>,
}

/// The old name of [`RestoreOptions`].
#[deprecated(note = "renamed to `RestoreOptions`")]
pub type RestorePolicy = RestoreOptions;

impl Default for RestoreOptions {
    fn default() -> Self {
        Self {
            blocklist: DEFAULT_BLOCKLIST.iter().map(|&n| n.to_owned()).collect(),
            allowlist: None,
        }
    }
}

impl RestoreOptions {
    /// Adds `names` to the blocklist.
    #[must_use]
    pub fn block<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.blocklist.extend(names.into_iter().map(Into::into));
        self
    }

    /// Replaces the blocklist with `names` (an empty list blocks nothing beyond the fixed rules).
    #[must_use]
    pub fn blocklist<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.blocklist.clear();
        self.block(names)
    }

    /// Restores only `names`, the view's declared public state fields. The fixed rules and the
    /// blocklist still apply to them.
    #[must_use]
    pub fn allowlist<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowlist = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The old name of [`allowlist`](Self::allowlist).
    #[deprecated(note = "renamed to `allowlist`")]
    #[must_use]
    pub fn allow_only<I, S>(self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowlist(names)
    }

    /// Checks `name`: not empty, not a dunder, not private, an ASCII identifier to its very end,
    /// not blocked, and in the allowlist if there is one.
    ///
    /// # Errors
    ///
    /// The first rule the name breaks, in that order, as a [`NameError`].
    pub fn check(&self, name: &str) -> Result<(), NameError> {
        check_form(name)?;
        if self.blocklist.contains(name) {
            return Err(NameError::Blocked);
        }
        match &self.allowlist {
            Some(allowed) if !allowed.contains(name) => Err(NameError::NotAllowed),
            _ => Ok(()),
        }
    }
}

/// What a restore may do with a snapshot, from [`Snapshot::restore_plan`](super::Snapshot::restore_plan).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestorePlan<'a> {
    /// The `(name, value)` pairs to set on the view, sorted by name.
    pub accepted: Vec<(&'a str, &'a Value)>,
    /// The names left out, sorted, each with the rule it broke.
    pub rejected: Vec<(&'a str, NameError)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocklist_is_sorted_and_every_entry_is_otherwise_well_formed() {
        assert!(DEFAULT_BLOCKLIST.windows(2).all(|w| w[0] < w[1]));
        assert!(DEFAULT_BLOCKLIST.iter().all(|n| check_form(n).is_ok()));
    }

    #[test]
    fn dunder_needs_both_ends() {
        assert_eq!(check_form("__x__"), Err(NameError::Dunder));
        assert_eq!(check_form("__"), Err(NameError::Dunder));
        assert_eq!(check_form("__x"), Err(NameError::Private));
        assert_eq!(check_form("x__"), Ok(()));
    }

    #[test]
    fn trailing_newlines_and_non_ascii_are_not_identifiers() {
        for name in [
            "count\n",
            "count\n\n",
            "1abc",
            "a-b",
            "é",
            "caf\u{e9}",
            "a b",
            "a\0",
        ] {
            assert_eq!(check_form(name), Err(NameError::NotIdentifier), "{name:?}");
        }
    }

    #[test]
    fn emptied_blocklist_allows_framework_names() {
        let policy = RestoreOptions::default().blocklist(Vec::<String>::new());
        assert_eq!(policy.check("template_name"), Ok(()));
        assert_eq!(policy.check("_x"), Err(NameError::Private));
    }
}
