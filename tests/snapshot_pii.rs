//! Integration tests for check `djust.C304`: the name table, the diagnostic and a
//! token-model property test.

use liveshell::Severity;
use liveshell::snapshot::{self, SnapshotOptions, check_pii, is_pii_name, pii_names};
use proptest::prelude::*;

fn valid(json: &str) -> snapshot::Snapshot {
    snapshot::validate(json.as_bytes(), &SnapshotOptions::default())
        .unwrap_or_else(|e| panic!("{json:?} should be valid: {e}"))
}

// ---- C304 ----

/// (name, flagged by liveshell's C304). At least 80 rows.
const C304_TABLE: &[(&str, bool)] = &[
    // The issue's examples.
    ("apiKey", true),
    ("userPassword", true),
    ("access_token", true),
    ("API-KEY", true),
    ("classname", false),
    ("missnum", false),
    ("happiness", false),
    ("shipping", false),
    ("tokenizer", false),
    // djust's [T] matches.
    ("password", true),
    ("api_key", true),
    ("apikey", true),
    ("ssn", true),
    ("credit_card", true),
    ("ccnum", true),
    ("bearer_header", true),
    ("private_key", true),
    ("privatekey", true),
    ("auth_header", true),
    ("sensitive_info", true),
    ("user_credential", true),
    // djust's [E] matches.
    ("APIKEY", true),
    ("tokens", true),
    ("token_count", true),
    ("accessToken", true),
    ("creditCard", true),
    ("cc_number", true),
    ("privateKey", true),
    ("authHeader", true),
    ("is_sensitive", true),
    ("credentials", true),
    ("api_key_id", true),
    ("Pii", true),
    // djust's substring false positives, fixed.
    ("copii", false),
    ("capii", false),
    ("occupied", false),
    // djust's misses, fixed.
    ("api-key", true),
    ("api__key", true),
    ("passwd", true),
    ("pwd", true),
    ("sessionid", true),
    ("authorization", true),
    ("jwt", true),
    ("otp", true),
    ("credit-card", true),
    // Not PII-like by the issue's list.
    ("pin", false),
    ("email", false),
    ("phone", false),
    ("dob", false),
    ("address", false),
    // More conventions and forms.
    ("APIKey", true),
    ("ApiKey", true),
    ("api_keys", true),
    ("user_api_key", true),
    ("refreshToken", true),
    ("csrf_token", true),
    ("csrfToken", true),
    ("session_id", true),
    ("sessionKey", true),
    ("SESSION_KEY", true),
    ("cardNumber", true),
    ("card_number", true),
    ("cvv", true),
    ("cvc2", true),
    ("card_cvv", true),
    ("iban", true),
    ("user_iban", true),
    ("passphrase", true),
    ("wifiPassphrase", true),
    ("password2", true),
    ("new_password_confirm", true),
    ("client_secret", true),
    ("clientSecret", true),
    ("secrets", true),
    ("otp_code", true),
    ("jwtClaims", true),
    ("bearer", true),
    ("HTTPAuthorization", true),
    ("user-ssn", true),
    ("piiFields", true),
    ("x_auth_header", true),
    // Benign names, including near misses.
    ("count", false),
    ("label", false),
    ("items", false),
    ("user_name", false),
    ("secretary", false),
    ("passage", false),
    ("tokenize", false),
    ("ssnake", false),
    ("key", false),
    ("api", false),
    ("private", false),
    ("card", false),
    ("session", false),
    ("auth", false),
    ("header", false),
    ("keyboard_api", false),
    ("card_holder", false),
    ("number_card", false),
    ("key_api", false),
    ("session_timeout", false),
    ("private_notes", false),
    ("author", false),
    ("otpauth", false),
    ("compassword", false),
    ("", false),
    ("_", false),
];

#[test]
fn c304_table_of_names() {
    assert!(C304_TABLE.len() >= 80, "{} rows", C304_TABLE.len());
    let wrong: Vec<_> = C304_TABLE
        .iter()
        .filter(|(name, flagged)| is_pii_name(name) != *flagged)
        .collect();
    assert!(wrong.is_empty(), "wrong verdicts: {wrong:?}");
}

#[test]
fn c304_one_warning_per_view_with_sorted_unique_names_and_a_hint() {
    let d = check_pii(
        "app.views.Account",
        ["userPassword", "count", "api_key", "userPassword", "apiKey"],
    )
    .expect("a warning");
    assert_eq!(d.id, "djust.C304");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "app.views.Account: enable_state_snapshot=True with PII-like attribute names: \
         apiKey, api_key, userPassword"
    );
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("leading `_`")));
    assert_eq!(check_pii("app.views.Cart", ["items", "classname"]), None);
    assert_eq!(check_pii("app.views.Empty", []), None);
}

#[test]
fn pii_names_scans_keys_at_every_depth() {
    let snap = valid(
        r#"{"user": {"profile": {"ssn": "x", "name": "y"}},
            "list": [[{"jwtToken": 1}], {"nested": {"api-key": 2}}],
            "password": 1, "classname": "c", "values": ["password"]}"#,
    );
    assert_eq!(pii_names(&snap), ["api-key", "jwtToken", "password", "ssn"]);
    let names = pii_names(&snap);
    let d = check_pii("v", names.iter().copied()).expect("a warning");
    assert!(d.message.ends_with("api-key, jwtToken, password, ssn"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn c304_matches_the_token_model_in_every_naming_convention(
        words in prop::collection::vec(
            prop_oneof![
                1 => prop::sample::select(PII_VOCABULARY),
                3 => prop::sample::select(OTHER_WORDS),
            ],
            1..5,
        ),
        style in 0usize..5,
    ) {
        let name = join(&words, style);
        let expected = words.iter().any(|w| PII_VOCABULARY.contains(w))
            || words.windows(2).any(|w| PAIR_VOCABULARY.contains(&(w[0], w[1])));
        prop_assert_eq!(is_pii_name(&name), expected, "{:?}", name);
    }
}

/// Words of the C304 model test that C304 does not flag on their own: pair halves and benign
/// words, some of them near misses.
const OTHER_WORDS: &[&str] = &[
    "api",
    "key",
    "credit",
    "card",
    "number",
    "cc",
    "num",
    "private",
    "auth",
    "header",
    "session",
    "id",
    "user",
    "count",
    "name",
    "items",
    "class",
    "happiness",
    "shipping",
    "tokenizer",
    "missnum",
    "label",
];

/// Words of the C304 model test that C304 flags on their own.
const PII_VOCABULARY: &[&str] = &[
    "password",
    "tokens",
    "secret",
    "ssn",
    "credentials",
    "jwt",
    "otp",
];

/// The adjacent pairs of [`OTHER_WORDS`] that C304 flags.
const PAIR_VOCABULARY: &[(&str, &str)] = &[
    ("api", "key"),
    ("credit", "card"),
    ("card", "number"),
    ("cc", "num"),
    ("cc", "number"),
    ("private", "key"),
    ("auth", "header"),
    ("session", "id"),
    ("session", "key"),
];

/// Joins lowercase words as snake_case, kebab-case, camelCase, PascalCase or SCREAMING_SNAKE.
fn join(words: &[&str], style: usize) -> String {
    let capital = |w: &str| {
        let mut c = w.chars();
        c.next().map_or_else(String::new, |f| {
            f.to_ascii_uppercase().to_string() + c.as_str()
        })
    };
    match style {
        0 => words.join("_"),
        1 => words.join("-"),
        2 => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { (*w).to_owned() } else { capital(w) })
            .collect(),
        3 => words.iter().map(|w| capital(w)).collect(),
        _ => words.join("_").to_ascii_uppercase(),
    }
}
