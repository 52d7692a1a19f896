//! The validating parser: serde_json tokenises, a `DeserializeSeed` builds the values and enforces
//! the object, duplicate-key, depth and key-count rules in the same single pass.

use std::cell::Cell;
use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

use super::{MAX_DEPTH_CAP, SnapshotError, SnapshotOptions};

/// Parses `json` as a snapshot's top-level object under the caps of `options` (the size is already checked).
pub(super) fn object(
    json: &[u8],
    options: &SnapshotOptions,
) -> Result<Map<String, Value>, SnapshotError> {
    let broken = Cell::new(None);
    let rules = Rules {
        max_keys: options.max_keys,
        max_depth: options.max_depth.min(MAX_DEPTH_CAP),
        broken: &broken,
    };
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed = de
        .deserialize_any(TopVisitor(&rules))
        .and_then(|map| de.end().map(|()| map));
    parsed.map_err(|e| broken.take().unwrap_or_else(|| syntax(&e)))
}

/// Converts a serde_json error that no rule of ours raised into [`SnapshotError::Syntax`].
fn syntax(e: &serde_json::Error) -> SnapshotError {
    let (line, column) = (e.line(), e.column());
    let text = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let reason = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    SnapshotError::Syntax {
        line,
        column,
        reason,
    }
}

/// The caps in force, and the slot where a broken rule leaves its typed error.
///
/// serde's error type can carry only text, so a rule stores the [`SnapshotError`] here and
/// returns a placeholder error that stops serde_json; [`object`] then reports the stored one.
struct Rules<'r> {
    max_keys: usize,
    max_depth: usize,
    broken: &'r Cell<Option<SnapshotError>>,
}

impl Rules<'_> {
    fn fail<E: de::Error>(&self, error: SnapshotError) -> E {
        let message = error.to_string();
        self.broken.set(Some(error));
        E::custom(message)
    }

    /// Fails with [`SnapshotError::TooDeep`] when a container at `depth` is too deep.
    fn enter<E: de::Error>(&self, depth: usize, path: Path<'_>) -> Result<(), E> {
        if depth > self.max_depth {
            return Err(self.fail(SnapshotError::TooDeep {
                limit: self.max_depth,
                path: path.pointer(),
            }));
        }
        Ok(())
    }

    /// Reads the entries of an object at `depth`, refusing duplicates and, for the top level,
    /// more than `max_keys` keys.
    fn object<'de, A: MapAccess<'de>>(
        &self,
        mut access: A,
        depth: usize,
        path: Path<'_>,
    ) -> Result<Map<String, Value>, A::Error> {
        self.enter(depth, path)?;
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if depth == 1 && map.len() == self.max_keys {
                return Err(self.fail(SnapshotError::TooManyKeys {
                    limit: self.max_keys,
                }));
            }
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    let value = access.next_value_seed(ValueSeed {
                        rules: self,
                        depth,
                        path: Path::Key(&path, slot.key()),
                    })?;
                    slot.insert(value);
                }
                Entry::Occupied(slot) => {
                    return Err(self.fail(SnapshotError::DuplicateKey {
                        key: slot.key().clone(),
                        path: path.pointer(),
                    }));
                }
            }
        }
        Ok(map)
    }
}

/// Where a value sits, as a chain of parent links on the stack (no allocation until an error).
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Key(&'p Self, &'p str),
    Index(&'p Self, usize),
}

impl Path<'_> {
    /// The RFC 6901 JSON Pointer of this place: `""` for the top level, `/items/0/name` below.
    fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, key) => {
                    segments.push(key.replace('~', "~0").replace('/', "~1"));
                    at = parent;
                }
                Path::Index(parent, index) => {
                    segments.push(index.to_string());
                    at = parent;
                }
            }
        }
        segments.iter().rev().fold(String::new(), |mut pointer, s| {
            pointer.push('/');
            pointer.push_str(s);
            pointer
        })
    }
}

/// The top level: only an object is accepted.
struct TopVisitor<'a, 'r>(&'a Rules<'r>);

impl TopVisitor<'_, '_> {
    fn not_an_object<E: de::Error>(&self, found: &'static str) -> Result<Map<String, Value>, E> {
        Err(self.0.fail(SnapshotError::NotAnObject { found }))
    }
}

impl<'de> Visitor<'de> for TopVisitor<'_, '_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Self::Value, A::Error> {
        self.0.object(access, 1, Path::Root)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        self.not_an_object("array")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.not_an_object("string")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.not_an_object("number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.not_an_object("number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.not_an_object("number")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.not_an_object("boolean")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.not_an_object("null")
    }
}

/// A value inside a container at `depth`, at `path`.
struct ValueSeed<'a, 'r, 'p> {
    rules: &'a Rules<'r>,
    depth: usize,
    path: Path<'p>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Value, A::Error> {
        self.rules
            .object(access, self.depth + 1, self.path)
            .map(Value::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let depth = self.depth + 1;
        self.rules.enter(depth, self.path)?;
        let mut items = Vec::new();
        loop {
            let seed = ValueSeed {
                rules: self.rules,
                depth,
                path: Path::Index(&self.path, items.len()),
            };
            match access.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        // serde_json's tokeniser yields only finite floats; `Null` is its own Value's fallback.
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SnapshotOptions {
        SnapshotOptions::default()
    }

    #[test]
    fn pointer_escapes_tilde_and_slash() {
        let root = Path::Root;
        let a = Path::Key(&root, "a/b~c");
        let i = Path::Index(&a, 3);
        assert_eq!(i.pointer(), "/a~1b~0c/3");
        assert_eq!(root.pointer(), "");
    }

    #[test]
    fn syntax_error_reason_drops_serde_json_position_suffix() {
        let err = object(b"{\"a\": NaN}", &limits()).unwrap_err();
        let SnapshotError::Syntax {
            line,
            column,
            reason,
        } = err
        else {
            panic!("expected a syntax error, got {err:?}");
        };
        assert_eq!((line, column), (1, 7));
        assert_eq!(reason, "expected value");
    }

    #[test]
    fn duplicate_nested_key_reports_its_object() {
        let err = object(br#"{"a": [{"x": 1}, {"y": 1, "y": 2}]}"#, &limits()).unwrap_err();
        assert_eq!(
            err,
            SnapshotError::DuplicateKey {
                key: "y".into(),
                path: "/a/1".into()
            }
        );
    }

    #[test]
    fn escaped_duplicate_is_a_duplicate() {
        let err = object(br#"{"a": 1, "\u0061": 2}"#, &limits()).unwrap_err();
        assert!(matches!(err, SnapshotError::DuplicateKey { key, .. } if key == "a"));
    }

    #[test]
    fn limit_above_cap_stops_at_cap_not_in_serde_json() {
        let deep = SnapshotOptions::default().max_depth(10_000);
        let json = format!("{}{}", "{\"a\":".repeat(200), "1");
        let err = object(json.as_bytes(), &deep).unwrap_err();
        assert!(
            matches!(err, SnapshotError::TooDeep { limit, .. } if limit == MAX_DEPTH_CAP),
            "{err:?}"
        );
    }

    #[test]
    fn cap_depth_itself_is_accepted() {
        let deep = SnapshotOptions::default().max_depth(MAX_DEPTH_CAP);
        let json = format!(
            "{}{}{}",
            "{\"a\":".repeat(MAX_DEPTH_CAP - 1),
            "[]",
            "}".repeat(MAX_DEPTH_CAP - 1)
        );
        assert!(object(json.as_bytes(), &deep).is_ok());
    }
}
