//! The key layout: every key inside one hash tag, client ids percent-escaped.

use std::fmt::Write as _;

/// The keys of one namespace `ns`:
///
/// | key | type | holds |
/// |---|---|---|
/// | `{ns}:c:<escaped id>` | string, 24 bytes, TTL | one client's state: base (u64) then seen (u128), big-endian |
/// | `{ns}:lru` | sorted set, TTL | escaped ids by the tick of their last check |
/// | `{ns}:tick` | integer, TTL | the namespace's check counter |
/// | `{ns}:forgotten` | integer | clients evicted by the cap |
/// | `{ns}:epoch` | string | the namespace's epoch, to notice lost state |
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    /// `{ns}:c:`, the prefix of client keys.
    pub(crate) client_prefix: String,
    pub(crate) lru: String,
    pub(crate) tick: String,
    pub(crate) forgotten: String,
    pub(crate) epoch: String,
}

impl Keys {
    pub(crate) fn new(namespace: &str) -> Self {
        let tag = format!("{{{namespace}}}");
        Self {
            client_prefix: format!("{tag}:c:"),
            lru: format!("{tag}:lru"),
            tick: format!("{tag}:tick"),
            forgotten: format!("{tag}:forgotten"),
            epoch: format!("{tag}:epoch"),
        }
    }

    /// The state key of `client_id`: the prefix and [`escape`]d id.
    pub(crate) fn client(&self, escaped: &str) -> String {
        format!("{}{escaped}", self.client_prefix)
    }
}

/// `client_id` with every byte outside `A-Z a-z 0-9 - . _ ~` written as `%XX` (uppercase hex,
/// over its UTF-8 bytes): injective, and free of `:`, `{`, `}`, `%`-ambiguity, spaces and
/// control characters, so no id can reach into another key or the hash tag.
pub(crate) fn escape(client_id: &str) -> String {
    let mut out = String::with_capacity(client_id.len());
    for b in client_id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            write!(out, "%{b:02X}").expect("writing to a String does not fail");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn separators_and_tags_are_escaped() {
        assert_eq!(escape("client-7"), "client-7");
        assert_eq!(escape("a:b{c}%d e"), "a%3Ab%7Bc%7D%25d%20e");
        assert_eq!(escape("é"), "%C3%A9");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn every_key_of_a_namespace_is_in_its_hash_tag() {
        let keys = Keys::new("shop");
        for key in [
            keys.client(&escape("x}{y")),
            keys.lru,
            keys.tick,
            keys.forgotten,
            keys.epoch,
        ] {
            assert!(key.starts_with("{shop}:"), "{key}");
            assert_eq!(key.matches('{').count(), 1, "{key}");
        }
    }

    proptest! {
        #[test]
        fn escaping_is_injective_and_safe(a in ".{0,12}", b in ".{0,12}") {
            let (ea, eb) = (escape(&a), escape(&b));
            prop_assert_eq!(a == b, ea == eb);
            prop_assert!(ea.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~%".contains(&c)));
        }
    }
}
