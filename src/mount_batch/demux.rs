//! The client side of a reply: what happened to each requested view.

use std::collections::HashMap;

use serde_json::Value;

use super::wire::Reply;

/// What a reply says about one target.
///
/// [`outcomes`] gives one per requested target first (`Mounted`, `Failed`, `Redirect`,
/// `RedirectIgnored` or `Missing`), then one report per reply entry it did not use
/// (`Unrequested`, `Duplicate`, `Malformed`), and the page's own redirects (`Redirect` or
/// `RedirectIgnored` under the target `""`; see [`outcomes`]).
///
/// The whole result holds at most one [`Redirect`](Self::Redirect): follow it, wherever it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The view was rendered; its frame is in [`Reply::views`].
    Mounted,
    /// The view failed to mount; reset the element's lazy markers so it can be retried.
    ///
    /// The machine-readable code liveshell's server adds beside the text is in the reply's
    /// [`Failure::code`](super::Failure::code) (djust's server sends none).
    Failed {
        /// The server's error text.
        error: String,
    },
    /// The view's mount (or, under the target `""`, the page) asked for this redirect, the first
    /// one in the reply: follow it.
    Redirect {
        /// Where to go.
        to: String,
    },
    /// The view asked for a redirect too, but an earlier one in the reply won: do not follow it.
    RedirectIgnored {
        /// Where it asked to go.
        to: String,
    },
    /// Requested, but the reply says nothing about it: the view is *not* hydrated.
    Missing,
    /// Report: an entry for a target that was never requested; it was not applied.
    Unrequested,
    /// Report: a further entry for a target an earlier entry already decided; it was not applied.
    Duplicate,
    /// Report: an entry without a string `target_id`, or a `navigate` without a string `to`.
    Malformed,
}

/// Sorts a reply into one outcome per requested target, then reports on everything else.
///
/// The result starts with one `(target_id, outcome)` per distinct target in `pending`, in
/// `pending` order. A target's entries rank `navigate` over `failed` over `views` (djust's
/// server lets a redirect win over an error or a frame). Only the first redirect in the reply
/// is a [`Outcome::Redirect`]; later ones are [`Outcome::RedirectIgnored`]. A target the reply
/// does not mention is [`Outcome::Missing`].
///
/// After those come the reports, in `navigate`, `failed`, `views` order: entries for targets
/// not in `pending` ([`Outcome::Unrequested`]), further entries for an already decided target
/// ([`Outcome::Duplicate`]), and unusable entries ([`Outcome::Malformed`], named by their
/// `target_id` when it is a string and by `""` otherwise).
///
/// A `navigate` entry with no target (no `target_id`, `null` or `""`) names no view, so no
/// pending target can claim it, unless `""` itself is pending: it is the page's redirect, and
/// djust's client follows it like any other (every `navigate` entry with a string `to`). So does
/// liveshell: it is reported as `("", Redirect)`, or `("", RedirectIgnored)` when an earlier
/// redirect won, and it wins over later ones. A redirect for a target that *is* named but was
/// never requested stays [`Outcome::Unrequested`] and is not followed.
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::{outcomes, Outcome, ReplyBuilder};
/// use serde_json::json;
///
/// let mut reply = ReplyBuilder::new("s");
/// reply.mounted("cart", json!({"html": "<span>3</span>"}));
/// reply.redirect("account", "app.views.Account", "/login");
/// reply.mounted("stranger", json!({"html": ""}));
/// let got = outcomes(&reply.finish(), &["cart", "account", "ads"]);
/// assert_eq!(got, vec![
///     ("cart".to_string(), Outcome::Mounted),
///     ("account".to_string(), Outcome::Redirect { to: "/login".into() }),
///     ("ads".to_string(), Outcome::Missing),
///     ("stranger".to_string(), Outcome::Unrequested),
/// ]);
/// ```
#[must_use]
pub fn outcomes(reply: &Reply, pending: &[&str]) -> Vec<(String, Outcome)> {
    let mut decided: HashMap<&str, Option<Outcome>> = HashMap::with_capacity(pending.len());
    let mut order = Vec::with_capacity(pending.len());
    for &target in pending {
        if decided.insert(target, None).is_none() {
            order.push(target);
        }
    }
    let mut reports = Vec::new();
    let mut redirected = false;
    let mut decide = |target: Option<&str>, outcome: Option<Outcome>| {
        let Some(target) = target else {
            reports.push((String::new(), Outcome::Malformed));
            return;
        };
        let report = match (decided.get_mut(target), outcome) {
            (_, None) => Outcome::Malformed,
            // Only `navigate` entries give a redirect; one naming no view is the page's.
            (None, Some(Outcome::Redirect { to })) if target.is_empty() => {
                first_wins(&mut redirected, to)
            }
            (None, Some(_)) => Outcome::Unrequested,
            (Some(Some(_)), Some(_)) => Outcome::Duplicate,
            (Some(slot @ None), Some(outcome)) => {
                let outcome = match outcome {
                    Outcome::Redirect { to } => first_wins(&mut redirected, to),
                    other => other,
                };
                *slot = Some(outcome);
                return;
            }
        };
        reports.push((target.to_owned(), report));
    };
    for nav in reply.navigate() {
        let to = nav.get("to").and_then(Value::as_str);
        // No `target_id` (or `null`) names no view, as `""` does.
        let target = match nav.get("target_id") {
            None | Some(Value::Null) => Some(""),
            Some(target) => target.as_str(),
        };
        decide(target, to.map(|to| Outcome::Redirect { to: to.to_owned() }));
    }
    for failure in reply.failed() {
        decide(
            Some(&failure.target_id),
            Some(Outcome::Failed {
                error: failure.error.clone(),
            }),
        );
    }
    for view in reply.views() {
        decide(target_of(view), Some(Outcome::Mounted));
    }
    let mut result: Vec<(String, Outcome)> = order
        .into_iter()
        .map(|target| {
            let outcome = decided.remove(target).flatten().unwrap_or(Outcome::Missing);
            (target.to_owned(), outcome)
        })
        .collect();
    result.extend(reports);
    result
}

/// The first redirect of a reply is followed, every later one ignored.
fn first_wins(redirected: &mut bool, to: String) -> Outcome {
    if std::mem::replace(redirected, true) {
        Outcome::RedirectIgnored { to }
    } else {
        Outcome::Redirect { to }
    }
}

/// Whether a server error frame's text means "this server does not take `mount_batch`": it names
/// `mount_batch` or says "unknown message type" (djust's client test,
/// `/mount_batch|unknown\s+message\s+type/i`). Then call
/// [`MountBatcher::handle_batch_rejected`](super::MountBatcher::handle_batch_rejected).
///
/// # Examples
///
/// ```
/// use liveshell::mount_batch::is_batch_rejection;
///
/// assert!(is_batch_rejection("mount_batch: 'views' must be a list"));
/// assert!(is_batch_rejection("Unknown  message\ttype: mount_batch"));
/// assert!(!is_batch_rejection("Message too large (70000 bytes)"));
/// ```
#[must_use]
pub fn is_batch_rejection(error: &str) -> bool {
    let lower = error.to_ascii_lowercase();
    if lower.contains("mount_batch") {
        return true;
    }
    lower.match_indices("unknown").any(|(at, word)| {
        let rest = &lower[at + word.len()..];
        let Some(rest) = strip_space(rest).and_then(|r| r.strip_prefix("message")) else {
            return false;
        };
        strip_space(rest).is_some_and(|r| r.starts_with("type"))
    })
}

/// `text` without its leading whitespace, if it had at least one whitespace character.
fn strip_space(text: &str) -> Option<&str> {
    let rest = text.trim_start();
    (rest.len() < text.len()).then_some(rest)
}

fn target_of(entry: &Value) -> Option<&str> {
    entry.get("target_id").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mount_batch::ReplyBuilder;

    #[test]
    fn batch_rejection_text_matches_djusts_fallback_pattern() {
        assert!(is_batch_rejection("Error handling MOUNT_BATCH"));
        assert!(is_batch_rejection("unknown message type"));
        assert!(!is_batch_rejection("unknown messagetype"));
        assert!(!is_batch_rejection("unknown message"));
        assert!(!is_batch_rejection("unknown view"));
        assert!(!is_batch_rejection(""));
    }

    #[test]
    fn only_the_first_redirect_is_followed() {
        let mut b = ReplyBuilder::new("s");
        b.redirect("a", "v", "/one").redirect("b", "v", "/two");
        let got = outcomes(&b.finish(), &["a", "b"]);
        assert_eq!(got[0].1, Outcome::Redirect { to: "/one".into() });
        assert_eq!(got[1].1, Outcome::RedirectIgnored { to: "/two".into() });
    }

    #[test]
    fn a_redirect_for_an_unrequested_target_is_reported_not_followed() {
        let mut b = ReplyBuilder::new("s");
        b.redirect("x", "v", "/evil").redirect("a", "v", "/ok");
        let got = outcomes(&b.finish(), &["a"]);
        assert_eq!(
            got,
            vec![
                ("a".into(), Outcome::Redirect { to: "/ok".into() }),
                ("x".into(), Outcome::Unrequested),
            ]
        );
    }

    #[test]
    fn a_second_entry_for_a_target_is_a_duplicate_and_the_first_decides() {
        let mut b = ReplyBuilder::new("s");
        b.mounted("a", json!({})).failed("a", "v", "boom");
        let got = outcomes(&b.finish(), &["a"]);
        assert_eq!(
            got,
            vec![
                (
                    "a".into(),
                    Outcome::Failed {
                        error: "boom".into()
                    }
                ),
                ("a".into(), Outcome::Duplicate),
            ]
        );
    }

    #[test]
    fn entries_without_a_target_or_a_destination_are_malformed() {
        let reply: Reply = serde_json::from_value(json!({
            "type": "mount_batch", "session_id": "s",
            "views": [{"html": "x"}, 7],
            "navigate": [{"target_id": "a"}],
        }))
        .unwrap();
        let got = outcomes(&reply, &["a"]);
        assert_eq!(
            got,
            vec![
                ("a".into(), Outcome::Missing),
                ("a".into(), Outcome::Malformed),
                (String::new(), Outcome::Malformed),
                (String::new(), Outcome::Malformed),
            ]
        );
    }

    #[test]
    fn a_target_listed_twice_in_pending_gets_one_outcome() {
        let got = outcomes(&ReplyBuilder::new("s").finish(), &["a", "a"]);
        assert_eq!(got, vec![("a".into(), Outcome::Missing)]);
    }

    fn reply_with_navigate(navigate: Value) -> Reply {
        serde_json::from_value(json!({
            "type": "mount_batch", "session_id": "s", "views": [], "failed": [],
            "navigate": navigate,
        }))
        .unwrap()
    }

    #[test]
    fn a_redirect_naming_no_view_is_the_pages_and_is_followed_as_djusts_client_does() {
        for nav in [
            json!({"type": "navigate", "to": "/login"}),
            json!({"type": "navigate", "to": "/login", "target_id": null}),
            json!({"type": "navigate", "to": "/login", "target_id": ""}),
        ] {
            let got = outcomes(&reply_with_navigate(json!([nav])), &["a"]);
            assert_eq!(
                got,
                vec![
                    ("a".into(), Outcome::Missing),
                    (
                        String::new(),
                        Outcome::Redirect {
                            to: "/login".into()
                        }
                    ),
                ],
                "{nav}"
            );
        }
    }

    #[test]
    fn the_pages_redirect_takes_its_turn_in_first_redirect_wins() {
        let reply = reply_with_navigate(json!([
            {"to": "/first"},
            {"to": "/second", "target_id": "a"},
            {"to": "/third", "target_id": ""},
        ]));
        assert_eq!(
            outcomes(&reply, &["a"]),
            vec![
                (
                    "a".into(),
                    Outcome::RedirectIgnored {
                        to: "/second".into()
                    }
                ),
                (
                    String::new(),
                    Outcome::Redirect {
                        to: "/first".into()
                    }
                ),
                (
                    String::new(),
                    Outcome::RedirectIgnored {
                        to: "/third".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_pending_id_less_view_claims_the_redirect_naming_no_view() {
        let reply = reply_with_navigate(json!([{"to": "/login"}]));
        assert_eq!(
            outcomes(&reply, &[""]),
            vec![(
                String::new(),
                Outcome::Redirect {
                    to: "/login".into()
                }
            )]
        );
    }

    #[test]
    fn a_redirect_without_a_string_destination_or_with_a_non_string_target_is_malformed() {
        let reply = reply_with_navigate(json!([{"target_id": ""}, {"to": "/x", "target_id": 7}]));
        assert_eq!(
            outcomes(&reply, &[]),
            vec![
                (String::new(), Outcome::Malformed),
                (String::new(), Outcome::Malformed),
            ]
        );
    }
}
