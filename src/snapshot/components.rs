//! djust 1.2.6's `__components__`: component state restored into the view's registered
//! components, with djust's skips.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Snapshot;
use super::names::{NameError, check_form};

/// The top-level snapshot key under which djust (since 1.2.6) captures component state:
/// `{"__components__": {component_id: {field: value}}}`.
pub const COMPONENTS_KEY: &str = "__components__";

/// Component attributes djust never restores (its `_COMPONENT_INTERNAL_ATTRS`).
pub const COMPONENT_INTERNALS: &[&str] = &[
    "assigns",
    "component_id",
    "slots",
    "template",
    "template_name",
];

/// The components a view has, for [`Snapshot::component_plan`]: each component's id and the
/// names of its methods (`render`, its event handlers), which no snapshot field may shadow.
///
/// djust restores only components in `view._components` or declared on the view's class; the
/// host lists those here.
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::Components;
///
/// let components = Components::new()
///     .component("cart", ["render", "add_item"])
///     .component("search", ["render", "submit"]);
/// assert!(components.contains("cart"));
/// assert!(!components.contains("ads"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Components {
    methods: BTreeMap<String, BTreeSet<String>>,
}

impl Components {
    /// No components.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the component `id` with the names of its methods; registering an id again adds
    /// to its methods.
    #[must_use]
    pub fn component<I, S>(mut self, id: impl Into<String>, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods
            .entry(id.into())
            .or_default()
            .extend(methods.into_iter().map(Into::into));
        self
    }

    /// Whether `id` is registered.
    #[must_use]
    pub fn contains(&self, id: &str) -> bool {
        self.methods.contains_key(id)
    }

    /// Checks the field `name` of the component `id` against djust 1.2.6's rules: not empty,
    /// not a dunder, not private, an ASCII identifier to its very end (liveshell's rule for every
    /// restored name), not a [component internal](COMPONENT_INTERNALS) and not one of the
    /// component's methods.
    ///
    /// # Errors
    ///
    /// The first rule the name breaks, in that order, as a [`NameError`].
    pub fn check(&self, id: &str, name: &str) -> Result<(), NameError> {
        check_form(name)?;
        if COMPONENT_INTERNALS.contains(&name) {
            return Err(NameError::ComponentInternal);
        }
        if self
            .methods
            .get(id)
            .is_some_and(|methods| methods.contains(name))
        {
            return Err(NameError::ComponentMethod);
        }
        Ok(())
    }
}

/// Why a `__components__` entry is skipped whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ComponentSkip {
    /// The id is not one of the view's registered [`Components`].
    #[error("component id is not registered")]
    UnknownId,
    /// The entry (or, under the id [`COMPONENTS_KEY`], `__components__` itself) is not a JSON
    /// object.
    #[error("component state is not an object")]
    NotAnObject,
}

/// The component state a restore may set, from [`Snapshot::component_plan`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComponentPlan<'a> {
    /// Each registered component the snapshot holds an object for, sorted by id, with the
    /// `(field, value)` pairs to set on it, sorted by field (possibly none).
    pub accepted: Vec<(&'a str, Vec<(&'a str, &'a Value)>)>,
    /// The entries skipped whole, sorted by id, each with its reason.
    pub skipped: Vec<(&'a str, ComponentSkip)>,
    /// The fields left out of accepted components, as `(id, field, reason)`, sorted.
    pub rejected: Vec<(&'a str, &'a str, NameError)>,
}

impl Snapshot {
    /// Plans the restore of djust 1.2.6's `__components__` into the view's `components`.
    ///
    /// djust (since 1.2.6) captures `{"__components__": {component_id: {field: value}}}` beside
    /// the view's own state and restores each entry into the matching component, skipping
    /// unknown ids, entries that are not objects, private and dunder names, the
    /// [component internals](COMPONENT_INTERNALS) and any field named like one of the
    /// component's methods. This is that plan; set the accepted pairs (through the host's own
    /// safe setter), nothing else. A snapshot without `__components__` gives an empty plan, and
    /// a `__components__` that is not an object is skipped under its own key.
    ///
    /// [`restore_plan`](Self::restore_plan) still rejects `__components__` as a
    /// [`NameError::Dunder`]: it is not a view attribute.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::snapshot::{self, ComponentSkip, Components, NameError, SnapshotOptions};
    /// use serde_json::json;
    ///
    /// let json = br#"{"count": 1, "__components__": {
    ///     "cart": {"items": 3, "render": "x", "template": "t.html", "_secret": 1},
    ///     "ads": {"shown": true},
    ///     "search": "not an object"}}"#;
    /// let snap = snapshot::validate(json, &SnapshotOptions::default())?;
    /// let components = Components::new()
    ///     .component("cart", ["render"])
    ///     .component("search", ["render"]);
    /// let plan = snap.component_plan(&components);
    /// assert_eq!(plan.accepted, [("cart", vec![("items", &json!(3))])]);
    /// assert_eq!(
    ///     plan.skipped,
    ///     [("ads", ComponentSkip::UnknownId), ("search", ComponentSkip::NotAnObject)]
    /// );
    /// assert_eq!(plan.rejected, [
    ///     ("cart", "_secret", NameError::Private),
    ///     ("cart", "render", NameError::ComponentMethod),
    ///     ("cart", "template", NameError::ComponentInternal),
    /// ]);
    /// # Ok::<(), liveshell::snapshot::SnapshotError>(())
    /// ```
    #[must_use]
    pub fn component_plan(&self, components: &Components) -> ComponentPlan<'_> {
        let mut plan = ComponentPlan::default();
        let Some(entries) = self.get(COMPONENTS_KEY) else {
            return plan;
        };
        let Value::Object(entries) = entries else {
            plan.skipped
                .push((COMPONENTS_KEY, ComponentSkip::NotAnObject));
            return plan;
        };
        for (id, state) in entries {
            if !components.contains(id) {
                plan.skipped.push((id, ComponentSkip::UnknownId));
                continue;
            }
            let Value::Object(fields) = state else {
                plan.skipped.push((id, ComponentSkip::NotAnObject));
                continue;
            };
            let mut accepted = Vec::new();
            for (name, value) in fields {
                match components.check(id, name) {
                    Ok(()) => accepted.push((name.as_str(), value)),
                    Err(reason) => plan.rejected.push((id, name, reason)),
                }
            }
            plan.accepted.push((id, accepted));
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::snapshot::{SnapshotOptions, validate};

    fn snap(value: Value) -> Snapshot {
        validate(value.to_string().as_bytes(), &SnapshotOptions::default()).expect("valid")
    }

    #[test]
    fn internals_are_sorted_and_well_formed() {
        assert!(COMPONENT_INTERNALS.windows(2).all(|w| w[0] < w[1]));
        assert!(COMPONENT_INTERNALS.iter().all(|n| check_form(n).is_ok()));
    }

    #[test]
    fn a_snapshot_without_components_plans_nothing() {
        let snap = snap(json!({"count": 1}));
        let plan = snap.component_plan(&Components::new().component("a", ["render"]));
        assert_eq!(plan, ComponentPlan::default());
    }

    #[test]
    fn components_that_are_not_an_object_are_skipped_under_their_key() {
        let snap = snap(json!({"__components__": [1]}));
        let plan = snap.component_plan(&Components::new());
        assert_eq!(plan.skipped, [(COMPONENTS_KEY, ComponentSkip::NotAnObject)]);
        assert!(plan.accepted.is_empty());
    }

    #[test]
    fn every_internal_and_dunder_is_rejected_and_methods_only_for_their_component() {
        let components = Components::new()
            .component("a", ["render", "on_click"])
            .component("b", ["render"]);
        let snap = snap(json!({"__components__": {
            "a": {"on_click": 1, "__class__": 2, "assigns": 3, "slots": 4,
                  "component_id": 5, "template_name": 6, "": 7, "label": "ok"},
            "b": {"on_click": "b has no such method"},
        }}));
        let plan = snap.component_plan(&components);
        assert_eq!(
            plan.accepted,
            [
                ("a", vec![("label", &json!("ok"))]),
                ("b", vec![("on_click", &json!("b has no such method"))]),
            ]
        );
        assert_eq!(
            plan.rejected,
            [
                ("a", "", NameError::Empty),
                ("a", "__class__", NameError::Dunder),
                ("a", "assigns", NameError::ComponentInternal),
                ("a", "component_id", NameError::ComponentInternal),
                ("a", "on_click", NameError::ComponentMethod),
                ("a", "slots", NameError::ComponentInternal),
                ("a", "template_name", NameError::ComponentInternal),
            ]
        );
    }

    #[test]
    fn a_component_registered_twice_keeps_every_method() {
        let components = Components::new()
            .component("a", ["render"])
            .component("a", ["save"]);
        assert_eq!(
            components.check("a", "render"),
            Err(NameError::ComponentMethod)
        );
        assert_eq!(
            components.check("a", "save"),
            Err(NameError::ComponentMethod)
        );
        assert_eq!(components.check("a", "saved"), Ok(()));
    }
}
