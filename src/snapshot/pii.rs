//! Check `djust.C304`: attribute names that look like secrets or personal data.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Snapshot;
use crate::diagnostics::{Diagnostic, Severity};

/// Single name tokens C304 flags (a trailing plural `s` is ignored: `tokens`, `credentials`).
pub const PII_WORDS: &[&str] = &[
    "authorization",
    "bearer",
    "credential",
    "csrf",
    "cvc",
    "cvv",
    "iban",
    "jwt",
    "otp",
    "passphrase",
    "passwd",
    "password",
    "pii",
    "pwd",
    "secret",
    "sensitive",
    "ssn",
    "token",
];

/// Adjacent token pairs C304 flags, also matched written as one token (`apikey`, `ccnum`).
pub const PII_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("auth", "header"),
    ("card", "number"),
    ("cc", "num"),
    ("cc", "number"),
    ("credit", "card"),
    ("private", "key"),
    ("session", "id"),
    ("session", "key"),
];

/// Splits a name into lowercase ASCII tokens at non-alphanumerics (snake_case, kebab-case),
/// lower-to-upper steps (camelCase), the end of an acronym (`APIKey`) and letter-digit steps.
fn tokens(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            // `current` holds the previous character, so `i >= 1`.
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let camel = prev.is_ascii_lowercase() && c.is_ascii_uppercase();
            let acronym_end = prev.is_ascii_uppercase() && c.is_ascii_uppercase() && next_is_lower;
            let digit_step = prev.is_ascii_digit() != c.is_ascii_digit();
            if camel || acronym_end || digit_step {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether `token` (or its singular, without a trailing `s`) is in `matches`.
fn with_plural(token: &str, matches: impl Fn(&str) -> bool) -> bool {
    matches(token) || token.strip_suffix('s').is_some_and(matches)
}

fn is_pii_word(token: &str) -> bool {
    with_plural(token, |t| {
        PII_WORDS.contains(&t)
            || PII_PAIRS
                .iter()
                .any(|(a, b)| t.len() == a.len() + b.len() && t.starts_with(a) && t.ends_with(b))
    })
}

fn is_pii_pair(first: &str, second: &str) -> bool {
    with_plural(second, |s| PII_PAIRS.contains(&(first, s)))
}

/// Whether C304 flags `name`: one of its tokens is in [`PII_WORDS`] or is a [`PII_PAIRS`] entry
/// written as one word, or two adjacent tokens form a [`PII_PAIRS`] entry.
///
/// Names are split at `_`, `-` and other non-alphanumerics, at camelCase steps and at digits,
/// then lowercased. Whole tokens match, never substrings.
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::is_pii_name;
///
/// for name in ["apiKey", "userPassword", "access_token", "API-KEY", "APIKey", "ccnum"] {
///     assert!(is_pii_name(name), "{name}");
/// }
/// for name in ["classname", "missnum", "happiness", "shipping", "tokenizer"] {
///     assert!(!is_pii_name(name), "{name}");
/// }
/// ```
#[must_use]
pub fn is_pii_name(name: &str) -> bool {
    let tokens = tokens(name);
    tokens.iter().any(|t| is_pii_word(t)) || tokens.windows(2).any(|w| is_pii_pair(&w[0], &w[1]))
}

/// Check `djust.C304`: a warning listing the PII-like attribute names of a snapshot-enabled view.
///
/// `view` names the view in the message (djust uses `<module>.<qualname>`). `names` are its
/// attribute names: the declared fields, or the keys of a captured snapshot ([`pii_names`]).
/// Returns `None` when no name matches [`is_pii_name`]; otherwise one diagnostic listing the
/// matching names sorted and without repeats, with a hint on what to do.
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::check_pii;
///
/// let d = check_pii("shop.views.Checkout", ["items", "userPassword", "api_key"]).unwrap();
/// assert_eq!(d.id, "djust.C304");
/// assert_eq!(
///     d.message,
///     "shop.views.Checkout: enable_state_snapshot=True with PII-like attribute names: \
///      api_key, userPassword"
/// );
/// assert!(check_pii("shop.views.Cart", ["items", "total"]).is_none());
/// ```
#[must_use]
pub fn check_pii<'a>(view: &str, names: impl IntoIterator<Item = &'a str>) -> Option<Diagnostic> {
    let flagged: BTreeSet<&str> = names.into_iter().filter(|n| is_pii_name(n)).collect();
    if flagged.is_empty() {
        return None;
    }
    let list = flagged.into_iter().collect::<Vec<_>>().join(", ");
    let message =
        format!("{view}: enable_state_snapshot=True with PII-like attribute names: {list}");
    let hint = "state snapshots travel through the browser and its service worker: rename these \
                attributes if they hold no secret, make them private with a leading `_` so they \
                are never captured, or set enable_state_snapshot = False on this view";
    Some(Diagnostic::new("djust.C304", Severity::Warning, message).with_hint(hint))
}

/// The keys of `snapshot`, at any depth, that [`is_pii_name`] flags, sorted and without repeats.
///
/// # Examples
///
/// ```
/// use liveshell::snapshot::{self, SnapshotOptions, pii_names};
///
/// let json = br#"{"user": {"name": "Ada", "authToken": "x"}, "cards": [{"card_number": "4111"}]}"#;
/// let snap = snapshot::validate(json, &SnapshotOptions::default())?;
/// assert_eq!(pii_names(&snap), ["authToken", "card_number"]);
/// # Ok::<(), liveshell::snapshot::SnapshotError>(())
/// ```
#[must_use]
pub fn pii_names(snapshot: &Snapshot) -> Vec<&str> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<(&str, &Value)> = snapshot.iter().collect();
    while let Some((key, value)) = pending.pop() {
        if is_pii_name(key) {
            found.insert(key);
        }
        match value {
            Value::Object(map) => pending.extend(map.iter().map(|(k, v)| (k.as_str(), v))),
            Value::Array(items) => pending.extend(items.iter().map(|v| ("", v))),
            _ => {}
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_every_convention() {
        assert_eq!(tokens("userPassword"), ["user", "password"]);
        assert_eq!(tokens("API-KEY"), ["api", "key"]);
        assert_eq!(tokens("APIKey"), ["api", "key"]);
        assert_eq!(tokens("api__key"), ["api", "key"]);
        assert_eq!(tokens("password2fa"), ["password", "2", "fa"]);
        assert_eq!(tokens("HTTPAuthHeader"), ["http", "auth", "header"]);
        assert_eq!(tokens("__x__"), ["x"]);
        assert_eq!(tokens("é_token"), ["token"]);
        assert!(tokens("").is_empty());
    }

    #[test]
    fn pair_written_as_one_word_needs_exact_length() {
        assert!(is_pii_word("apikey"));
        assert!(is_pii_word("apikeys"));
        assert!(!is_pii_word("apiakey"));
    }

    #[test]
    fn word_lists_are_sorted_lowercase() {
        assert!(PII_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(PII_PAIRS.windows(2).all(|w| w[0] < w[1]));
        let all = PII_WORDS
            .iter()
            .chain(PII_PAIRS.iter().flat_map(|(a, b)| [a, b]));
        assert!(
            all.clone()
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }
}
