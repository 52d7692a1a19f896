//! JSON sizes as the wire sees them, shared by the modules that enforce byte budgets.

use std::io;

use serde::Serialize;

/// The length in bytes of `value` serialized as compact JSON, counted without building the string.
///
/// # Panics
///
/// Panics if `value` does not serialize as JSON (a map with non-string keys, say). Callers pass
/// `serde_json::Value`s and liveshell's wire types, which always do.
pub(crate) fn compact_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value)
        .expect("JSON values and liveshell's wire types serialize, and counting never fails");
    count.0
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::compact_len;

    #[test]
    fn compact_len_is_the_compact_serialized_length() {
        let v = json!({"k": ["é", 1, null, "\"q\"", {"nested": [1.5, true]}]});
        assert_eq!(compact_len(&v), serde_json::to_string(&v).unwrap().len());
    }
}
