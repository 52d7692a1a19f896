//! Typed speculation rules: the JSON of `<script type="speculationrules">` (seed 002).
//!
//! [`SpeculationRules`] serialises with serde to exactly the JSON a browser reads, and parses
//! it back to an equal value. Absent keys stay absent (`Option` / empty `Vec` fields are
//! skipped), unknown keys are refused rather than silently dropped, so a parse-then-serialise
//! keeps every rule. [`LinkRulesBuilder`] writes a list rule for a page's `dj-prefetch` links,
//! applying the same opt-in, guard and dedupe rules as [`IntentPrefetch`](super::IntentPrefetch).
//!
//! # Examples
//!
//! ```
//! use liveshell::prefetch::speculation::{Eagerness, Predicate, Rule, SpeculationRules};
//!
//! let rules = SpeculationRules::default().with_prerender(
//!     Rule::document(Predicate::and([
//!         Predicate::href_matches("/*"),
//!         Predicate::not(Predicate::selector_matches(".no-prerender")),
//!     ]))
//!     .with_eagerness(Eagerness::Moderate),
//! );
//! let json = rules.to_json();
//! assert_eq!(
//!     json,
//!     r#"{"prerender":[{"source":"document","where":{"and":[{"href_matches":"/*"},{"not":{"selector_matches":".no-prerender"}}]},"eagerness":"moderate"}]}"#
//! );
//! assert_eq!(SpeculationRules::from_json(&json).unwrap(), rules);
//! ```

use std::collections::HashSet;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use url::Url;

use super::event::SkipReason;
use super::link::link_key;

/// A `speculationrules` document: the rules for each speculation action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SpeculationRules {
    /// Rules whose URLs are prefetched (the response body only).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "objects"
    )]
    pub prefetch: Vec<Rule>,
    /// Rules whose URLs are prerendered (fetched, rendered and run in a hidden tab).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "objects"
    )]
    pub prerender: Vec<Rule>,
    /// A tag for every rule in the set, sent in `Sec-Speculation-Tags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// Why a speculation-rules text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpeculationError {
    /// The text is not JSON of the speculation-rules shape.
    #[error("invalid speculation rules: {reason}")]
    Invalid {
        /// serde_json's message, with line and column.
        reason: String,
    },
}

impl SpeculationRules {
    /// Rules that prefetch each of `urls` with one list rule.
    ///
    /// This is what a host inserts for [`Action::InsertSpeculationRule`](super::Action::InsertSpeculationRule).
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::prefetch::speculation::SpeculationRules;
    ///
    /// let rules = SpeculationRules::prefetch_urls(["/next/"]);
    /// assert_eq!(rules.to_json(), r#"{"prefetch":[{"source":"list","urls":["/next/"]}]}"#);
    /// ```
    #[must_use]
    pub fn prefetch_urls<I, S>(urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::default().with_prefetch(Rule::list(urls))
    }

    /// Adds a prefetch rule.
    #[must_use]
    pub fn with_prefetch(mut self, rule: Rule) -> Self {
        self.prefetch.push(rule);
        self
    }

    /// Adds a prerender rule.
    #[must_use]
    pub fn with_prerender(mut self, rule: Rule) -> Self {
        self.prerender.push(rule);
        self
    }

    /// Sets the rule set's tag.
    #[must_use]
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Whether there is no rule at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.prefetch.is_empty() && self.prerender.is_empty()
    }

    /// The compact JSON text, as the body of `<script type="speculationrules">` or of an
    /// `application/speculationrules+json` resource.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("speculation rules hold only strings and enums")
    }

    /// A complete `<script type="speculationrules">` element, safe to put in HTML: every `<`
    /// in the JSON is written `\u003c`, so no URL or selector can close the script.
    ///
    /// # Examples
    ///
    /// ```
    /// use liveshell::prefetch::speculation::SpeculationRules;
    ///
    /// let tag = SpeculationRules::prefetch_urls(["/a?</script><b>"]).to_script_element();
    /// assert!(!tag[8..tag.len() - 9].contains("</"));
    /// assert!(tag.starts_with(r#"<script type="speculationrules">{"#));
    /// ```
    #[must_use]
    pub fn to_script_element(&self) -> String {
        format!(
            "<script type=\"speculationrules\">{}</script>",
            self.to_json().replace('<', "\\u003c")
        )
    }

    /// Parses speculation-rules JSON.
    ///
    /// # Errors
    ///
    /// [`SpeculationError::Invalid`] if the text is not JSON, or has a key, value or shape the
    /// types do not know (such as a URL-pattern object in `href_matches`).
    pub fn from_json(text: &str) -> Result<Self, SpeculationError> {
        let invalid = |e: serde_json::Error| SpeculationError::Invalid {
            reason: e.to_string(),
        };
        let object: JsonObject = serde_json::from_str(text).map_err(invalid)?;
        serde_json::from_value(Value::Object(object)).map_err(invalid)
    }
}

/// One speculation rule: a list of URLs or a document-wide predicate, with options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Rule {
    /// `list` (the URLs in `urls`) or `document` (the page's links matching `where`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The URLs of a list rule, relative to the document or the rule set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// The predicate of a document rule.
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Predicate>,
    /// Requirements the browser must meet, or skip the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
    /// The referrer policy of the speculative request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer_policy: Option<ReferrerPolicy>,
    /// When the browser should act.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eagerness: Option<Eagerness>,
    /// What relative `urls` resolve against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_to: Option<RelativeTo>,
    /// The `No-Vary-Search` the responses are expected to carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expects_no_vary_search: Option<String>,
    /// A tag for this rule, sent in `Sec-Speculation-Tags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Where a prerendered page will be shown (`_self`, `_blank`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_hint: Option<String>,
}

impl Rule {
    /// A list rule over `urls`.
    #[must_use]
    pub fn list<I, S>(urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            source: Some(Source::List),
            urls: urls.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// A document rule matching the page's links by `condition`.
    #[must_use]
    pub fn document(condition: Predicate) -> Self {
        Self {
            source: Some(Source::Document),
            condition: Some(condition),
            ..Self::default()
        }
    }

    /// Sets the eagerness.
    #[must_use]
    pub fn with_eagerness(mut self, eagerness: Eagerness) -> Self {
        self.eagerness = Some(eagerness);
        self
    }

    /// Sets the referrer policy.
    #[must_use]
    pub fn with_referrer_policy(mut self, policy: ReferrerPolicy) -> Self {
        self.referrer_policy = Some(policy);
        self
    }

    /// Adds a requirement.
    #[must_use]
    pub fn with_requires(mut self, requirement: Requirement) -> Self {
        self.requires.push(requirement);
        self
    }
}

/// Where a rule's candidate URLs come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The rule's `urls`.
    List,
    /// The document's links, filtered by `where`.
    Document,
}

/// When the browser acts on a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eagerness {
    /// As soon as the rule is seen.
    Immediate,
    /// On a slight sign of intent.
    Eager,
    /// On hover or pointer down (about 200 ms of hover in Chrome).
    Moderate,
    /// On pointer or touch down.
    Conservative,
}

/// What relative URLs and patterns resolve against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelativeTo {
    /// The rule set's URL (an external rules file).
    Ruleset,
    /// The document's base URL.
    Document,
}

/// A requirement a rule places on the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// Cross-origin speculation must hide the client IP (a private prefetch proxy).
    AnonymousClientIpWhenCrossOrigin,
}

/// The referrer policy of a speculative request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferrerPolicy {
    /// `""`: the document's own policy applies.
    #[serde(rename = "")]
    Default,
    /// `no-referrer`: send no `Referer` header.
    NoReferrer,
    /// `no-referrer-when-downgrade`: the full URL, except from HTTPS to HTTP.
    NoReferrerWhenDowngrade,
    /// `same-origin`: the full URL to the same origin, nothing cross-origin.
    SameOrigin,
    /// `origin`: only the origin, always.
    Origin,
    /// `strict-origin`: only the origin, except from HTTPS to HTTP.
    StrictOrigin,
    /// `origin-when-cross-origin`: the full URL to the same origin, the origin cross-origin.
    OriginWhenCrossOrigin,
    /// `strict-origin-when-cross-origin`: as `origin-when-cross-origin`, nothing on a downgrade.
    StrictOriginWhenCrossOrigin,
    /// `unsafe-url`: the full URL, always.
    UnsafeUrl,
}

/// One pattern or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Patterns {
    /// `"pattern"`.
    One(String),
    /// `["pattern", ...]`.
    Many(Vec<String>),
}

/// A document rule's `where` predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "JsonObject", into = "RawPredicate")]
pub enum Predicate {
    /// `{"and": [...]}`: every predicate matches.
    And(Vec<Self>),
    /// `{"or": [...]}`: some predicate matches.
    Or(Vec<Self>),
    /// `{"not": ...}`: the predicate does not match.
    Not(Box<Self>),
    /// `{"href_matches": ..., "relative_to": ...}`: the link's URL matches a URL pattern.
    HrefMatches {
        /// URL pattern strings.
        patterns: Patterns,
        /// What relative patterns resolve against.
        relative_to: Option<RelativeTo>,
    },
    /// `{"selector_matches": ...}`: the link element matches a CSS selector.
    SelectorMatches(Patterns),
}

impl Predicate {
    /// `{"and": [...]}`.
    pub fn and(all: impl IntoIterator<Item = Self>) -> Self {
        Self::And(all.into_iter().collect())
    }

    /// `{"or": [...]}`.
    pub fn or(any: impl IntoIterator<Item = Self>) -> Self {
        Self::Or(any.into_iter().collect())
    }

    /// `{"not": ...}`.
    #[allow(clippy::should_implement_trait)] // it builds a JSON `not`, it does not negate a value
    pub fn not(predicate: Self) -> Self {
        Self::Not(Box::new(predicate))
    }

    /// `{"href_matches": pattern}`.
    pub fn href_matches(pattern: impl Into<String>) -> Self {
        Self::HrefMatches {
            patterns: Patterns::One(pattern.into()),
            relative_to: None,
        }
    }

    /// `{"selector_matches": selector}`.
    pub fn selector_matches(selector: impl Into<String>) -> Self {
        Self::SelectorMatches(Patterns::One(selector.into()))
    }
}

/// A JSON object: serde's derive also reads a struct from an array, which the speculation-rules
/// format does not allow, so every rule set, rule and predicate is first read as an object.
type JsonObject = serde_json::Map<String, Value>;

/// Reads an array of JSON objects, each as a `T`.
fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Vec::<JsonObject>::deserialize(deserializer)?
        .into_iter()
        .map(|object| serde_json::from_value(Value::Object(object)).map_err(D::Error::custom))
        .collect()
}

/// The JSON object form of a predicate: exactly one of the keys, `relative_to` only with
/// `href_matches`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPredicate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    and: Option<Vec<Predicate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    or: Option<Vec<Predicate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Box<Predicate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    href_matches: Option<Patterns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    relative_to: Option<RelativeTo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    selector_matches: Option<Patterns>,
}

impl TryFrom<JsonObject> for Predicate {
    type Error = String;

    fn try_from(object: JsonObject) -> Result<Self, String> {
        let raw: RawPredicate =
            serde_json::from_value(Value::Object(object)).map_err(|e| e.to_string())?;
        let predicate = match raw {
            RawPredicate { and: Some(all), or: None, not: None, href_matches: None, relative_to: None, selector_matches: None } => Self::And(all),
            RawPredicate { and: None, or: Some(any), not: None, href_matches: None, relative_to: None, selector_matches: None } => Self::Or(any),
            RawPredicate { and: None, or: None, not: Some(p), href_matches: None, relative_to: None, selector_matches: None } => Self::Not(p),
            RawPredicate { and: None, or: None, not: None, href_matches: Some(patterns), relative_to, selector_matches: None } => Self::HrefMatches { patterns, relative_to },
            RawPredicate { and: None, or: None, not: None, href_matches: None, relative_to: None, selector_matches: Some(s) } => Self::SelectorMatches(s),
            _ => return Err("a predicate needs exactly one of `and`, `or`, `not`, `href_matches` (with optional `relative_to`) or `selector_matches`".to_owned()),
        };
        Ok(predicate)
    }
}

impl From<Predicate> for RawPredicate {
    fn from(predicate: Predicate) -> Self {
        let mut raw = Self {
            and: None,
            or: None,
            not: None,
            href_matches: None,
            relative_to: None,
            selector_matches: None,
        };
        match predicate {
            Predicate::And(all) => raw.and = Some(all),
            Predicate::Or(any) => raw.or = Some(any),
            Predicate::Not(p) => raw.not = Some(p),
            Predicate::HrefMatches {
                patterns,
                relative_to,
            } => {
                raw.href_matches = Some(patterns);
                raw.relative_to = relative_to;
            }
            Predicate::SelectorMatches(s) => raw.selector_matches = Some(s),
        }
        raw
    }
}

/// Builds a prefetch (or prerender) list rule from a page's links and their `dj-prefetch`
/// attributes, applying [`is_opted_in`](super::is_opted_in), [`guard`](super::guard), the
/// same-document rule and dedupe by key, and remembering every skipped link with its reason.
///
/// # Examples
///
/// ```
/// use liveshell::prefetch::SkipReason;
/// use liveshell::prefetch::speculation::{Eagerness, LinkRulesBuilder};
/// use url::Url;
///
/// let page = Url::parse("http://localhost:8000/orders/").unwrap();
/// let mut links = LinkRulesBuilder::new(&page).with_eagerness(Eagerness::Moderate);
/// links.add("/orders/1042/", Some(""));
/// links.add("/orders/1042/#items", Some(""));
/// links.add("/logout/", Some("false"));
/// assert_eq!(links.skipped()[0].1, SkipReason::AlreadyPrefetched);
/// assert_eq!(links.skipped()[1].1, SkipReason::OptedOut);
/// assert_eq!(
///     links.prefetch_rules().to_json(),
///     r#"{"prefetch":[{"source":"list","urls":["http://localhost:8000/orders/1042/"],"eagerness":"moderate"}]}"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct LinkRulesBuilder {
    page: Url,
    eagerness: Option<Eagerness>,
    urls: Vec<Url>,
    seen: HashSet<Url>,
    skipped: Vec<(String, SkipReason)>,
}

impl LinkRulesBuilder {
    /// A builder for the links of `page`.
    #[must_use]
    pub fn new(page: &Url) -> Self {
        Self {
            page: super::document_key(page),
            eagerness: None,
            urls: Vec::new(),
            seen: HashSet::new(),
            skipped: Vec::new(),
        }
    }

    /// Sets the eagerness of the rule (the browser's default when unset: `immediate` for list
    /// rules).
    #[must_use]
    pub fn with_eagerness(mut self, eagerness: Eagerness) -> Self {
        self.eagerness = Some(eagerness);
        self
    }

    /// Adds one link; returns its key, or why it is skipped (also kept in [`skipped`](Self::skipped)).
    ///
    /// # Errors
    ///
    /// The [`SkipReason`] (not opted in, opted out, guard, same document, duplicate).
    pub fn add(&mut self, href: &str, opt_in: Option<&str>) -> Result<&Url, SkipReason> {
        let verdict = link_key(&self.page, href, opt_in).and_then(|url| {
            if self.seen.insert(url.clone()) {
                Ok(url)
            } else {
                Err(SkipReason::AlreadyPrefetched)
            }
        });
        match verdict {
            Ok(url) => {
                self.urls.push(url);
                Ok(self.urls.last().expect("a URL was just pushed"))
            }
            Err(reason) => {
                self.skipped.push((href.to_owned(), reason.clone()));
                Err(reason)
            }
        }
    }

    /// The links skipped so far, in order, with their reasons.
    #[must_use]
    pub fn skipped(&self) -> &[(String, SkipReason)] {
        &self.skipped
    }

    /// The accepted URLs, in order.
    #[must_use]
    pub fn urls(&self) -> &[Url] {
        &self.urls
    }

    /// Rules prefetching every accepted URL (empty rules when there is none).
    #[must_use]
    pub fn prefetch_rules(&self) -> SpeculationRules {
        match self.rule() {
            Some(rule) => SpeculationRules::default().with_prefetch(rule),
            None => SpeculationRules::default(),
        }
    }

    /// Rules prerendering every accepted URL (empty rules when there is none).
    #[must_use]
    pub fn prerender_rules(&self) -> SpeculationRules {
        match self.rule() {
            Some(rule) => SpeculationRules::default().with_prerender(rule),
            None => SpeculationRules::default(),
        }
    }

    fn rule(&self) -> Option<Rule> {
        if self.urls.is_empty() {
            return None;
        }
        let mut rule = Rule::list(self.urls.iter().map(Url::as_str));
        rule.eagerness = self.eagerness;
        Some(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicate_with_two_keys_is_refused() {
        let text = r#"{"prefetch":[{"where":{"and":[],"or":[]}}]}"#;
        assert!(SpeculationRules::from_json(text).is_err());
    }

    #[test]
    fn unknown_key_is_refused_not_dropped() {
        let text = r#"{"prefetch":[{"urls":["/a"],"eagernes":"eager"}]}"#;
        assert!(matches!(
            SpeculationRules::from_json(text),
            Err(SpeculationError::Invalid { .. })
        ));
    }

    #[test]
    fn empty_referrer_policy_round_trips() {
        let rules = SpeculationRules::prefetch_urls(["/a"]);
        let mut rule = rules.prefetch[0].clone();
        rule.referrer_policy = Some(ReferrerPolicy::Default);
        let json = serde_json::to_string(&rule).expect("serialises");
        assert!(json.contains(r#""referrer_policy":"""#));
        assert_eq!(serde_json::from_str::<Rule>(&json).expect("parses"), rule);
    }
}
