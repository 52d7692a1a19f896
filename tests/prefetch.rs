//! Integration tests of `liveshell::prefetch` over the public API: djust's vectors P1-P13
//! with liveshell's answers, the ten rules of issue 5 at their boundaries, speculation rules,
//! `Sec-Purpose` recognition and the bundle planner.

mod common;

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;

use common::{drive, ms, t0};
use liveshell::OptionsError;
use liveshell::prefetch::speculation::{
    Eagerness, LinkRulesBuilder, Predicate, ReferrerPolicy, Requirement, Rule, SpeculationRules,
};
use liveshell::prefetch::{
    Action, FetchId, GuardError, IntentPrefetch, LinkId, PrefetchError, PrefetchEvent,
    PrefetchOptions, SkipReason, SpeculationKind, Transports, is_speculative, plan_bundles,
    speculation_kind,
};
use url::Url;

const PAGE: &str = "http://localhost:8000/";
const A: LinkId = LinkId(1);
const B: LinkId = LinkId(2);
const C: LinkId = LinkId(3);
const ON: Option<&str> = Some("");

fn machine(transports: Transports) -> IntentPrefetch {
    let config = PrefetchOptions::default().transports(transports);
    IntentPrefetch::new(PAGE, config).expect("valid page")
}

fn fetch_only() -> IntentPrefetch {
    machine(Transports::none().with_fetch(true))
}

fn actions(p: &mut IntentPrefetch) -> Vec<Action> {
    std::iter::from_fn(|| p.poll_action()).collect()
}

fn skips(p: &mut IntentPrefetch) -> Vec<(LinkId, SkipReason)> {
    std::iter::from_fn(|| p.poll_event())
        .filter_map(|e| match e {
            PrefetchEvent::Skipped { link, reason, .. } => Some((link, reason)),
            _ => None,
        })
        .collect()
}

/// The URLs every prefetch action (of any transport) asked for, in order.
fn prefetched_urls(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::InsertSpeculationRule { url }
            | Action::InjectLinkPrefetch { url }
            | Action::StartFetch { url, .. } => Some(url.to_string()),
            _ => None,
        })
        .collect()
}

fn started(actions: &[Action]) -> Vec<FetchId> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::StartFetch { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

// ---- djust's vectors, liveshell's answers ----

#[test]
fn p1_hover_prefetches_after_65_ms_not_before() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/about/", ON);
    assert!(actions(&mut p).is_empty());
    assert_eq!(p.poll_timeout(), Some(t + ms(65)));
    p.handle_timeout(t + ms(64));
    assert!(actions(&mut p).is_empty());
    p.handle_timeout(t + ms(85));
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/about/"]
    );
    assert!(p.is_prefetched(&Url::parse("http://localhost:8000/about/").expect("url")));
}

#[test]
fn p2_leave_within_debounce_cancels_and_reports_left_early() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/cancel/", ON);
    p.handle_pointer_leave(t + ms(30), A);
    drive(&mut p, t + ms(85), |_, _| {});
    assert!(actions(&mut p).is_empty());
    assert_eq!(skips(&mut p), [(A, SkipReason::LeftEarly)]);
    assert_eq!(p.poll_timeout(), None);
}

#[test]
fn p3_second_hover_of_a_prefetched_url_is_skipped() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/dup/", ON);
    drive(&mut p, t + ms(85), |_, _| {});
    p.handle_pointer_leave(t + ms(90), A);
    p.handle_pointer_enter(t + ms(100), A, "/dup/", ON);
    assert_eq!(skips(&mut p), [(A, SkipReason::AlreadyPrefetched)]);
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 1);
}

#[test]
fn p4_touch_prefetches_at_once() {
    let mut p = machine(Transports::default());
    p.handle_touch_start(t0(), A, "/touch/", ON);
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/touch/"]
    );
}

#[test]
fn p5_opt_out_is_honoured_on_hover_and_touch() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/logout/", Some("false"));
    p.handle_touch_start(t, B, "/logout/", Some("False"));
    drive(&mut p, t + ms(100), |_, _| {});
    assert!(actions(&mut p).is_empty());
    assert_eq!(
        skips(&mut p),
        [(A, SkipReason::OptedOut), (B, SkipReason::OptedOut)]
    );
}

#[test]
fn p6_entering_a_child_does_not_restart_and_only_the_links_own_leave_cancels() {
    // The host reports enter/leave for the link itself; pointer moves over a child <span>
    // at most repeat an enter for the link, which changes nothing.
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/a#x", ON);
    p.handle_pointer_enter(t + ms(10), A, "/a#x", ON);
    drive(&mut p, t + ms(100), |_, _| {});
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/a"]
    );
}

#[test]
fn p7_fragments_share_one_key_so_three_links_give_one_prefetch() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_touch_start(t, A, "/a#x", ON);
    p.handle_touch_start(t, B, "/a#y", ON);
    p.handle_touch_start(t, C, "/a", ON);
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/a"]
    );
    assert_eq!(
        skips(&mut p),
        [
            (B, SkipReason::AlreadyPrefetched),
            (C, SkipReason::AlreadyPrefetched)
        ]
    );
}

#[test]
fn p8_touch_during_a_pending_hover_gives_one_request() {
    let t = t0();
    let mut p = fetch_only();
    p.handle_pointer_enter(t, A, "/t/", ON);
    p.handle_touch_start(t + ms(20), A, "/t/", ON);
    drive(&mut p, t + ms(100), |_, _| {});
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/t/"]
    );
    assert_eq!(p.poll_timeout(), None);
}

#[test]
fn p9_leaving_while_the_fetch_is_in_flight_aborts_it_and_the_url_is_eligible_again() {
    let t = t0();
    let mut p = fetch_only();
    p.handle_pointer_enter(t, A, "/slow/", ON);
    drive(&mut p, t + ms(100), |_, _| {});
    let first = actions(&mut p);
    let id = started(&first)[0];
    p.handle_pointer_leave(t + ms(100), A);
    assert_eq!(actions(&mut p), [Action::AbortFetch { id }]);
    assert_eq!(p.in_flight(), 0);
    // A late completion of the aborted fetch is ignored.
    p.handle_fetch_done(t + ms(120), id, true);
    p.handle_touch_start(t + ms(130), A, "/slow/", ON);
    let again = actions(&mut p);
    assert_eq!(prefetched_urls(&again), ["http://localhost:8000/slow/"]);
    assert_ne!(started(&again)[0], id);
}

#[test]
fn p10_two_links_with_one_href_entered_within_65_ms_give_one_request() {
    let t = t0();
    let mut p = fetch_only();
    p.handle_pointer_enter(t, A, "/same/", ON);
    p.handle_pointer_enter(t + ms(20), B, "/same/", ON);
    drive(&mut p, t + ms(100), |_, _| {});
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 1);
    assert_eq!(skips(&mut p), [(B, SkipReason::InFlight)]);
}

#[test]
fn p11_second_enter_does_not_restart_the_timer() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/x/", ON);
    p.handle_pointer_enter(t + ms(40), A, "/x/", ON);
    assert_eq!(p.poll_timeout(), Some(t + ms(65)));
    p.handle_timeout(t + ms(65));
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 1);
}

#[test]
fn p12_djust_eligibility_table_with_liveshells_answers() {
    // (href, dj-prefetch value, djust's answer, liveshell's answer)
    let rows: [(&str, Option<&str>, bool, bool); 10] = [
        ("javascript:alert(1)", ON, false, false),
        ("data:text/html,hi", ON, false, false),
        ("blob:http://localhost:8000/abc", ON, true, false),
        ("", ON, true, false),
        ("#top", ON, true, false),
        ("   ", ON, false, false), // "no href": the host has nothing better to pass
        ("//evil.com/x", ON, false, false),
        ("/p1/", Some(""), true, true),
        ("/p2/", Some("FALSE"), true, false),
        ("/p3/", Some("0"), true, true),
    ];
    for (i, (href, opt_in, _djust, expected)) in rows.into_iter().enumerate() {
        let mut p = machine(Transports::default());
        p.handle_touch_start(t0(), LinkId(i as u64), href, opt_in);
        let got = !actions(&mut p).is_empty();
        assert_eq!(got, expected, "{href:?} {opt_in:?}");
    }
    let mut p = machine(Transports::default());
    p.handle_touch_start(t0(), A, "blob:http://localhost:8000/abc", ON);
    p.handle_touch_start(t0(), B, "#top", ON);
    assert_eq!(
        skips(&mut p),
        [
            (
                A,
                SkipReason::Guard(GuardError::Scheme {
                    scheme: "blob".into()
                })
            ),
            (B, SkipReason::SameDocument)
        ]
    );
}

#[test]
fn p13_clear_forgets_prefetched_urls() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_touch_start(t, A, "/a/", ON);
    p.clear(t);
    p.handle_touch_start(t, A, "/a/", ON);
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 2);
}

// ---- the rules at their boundaries ----

#[test]
fn missing_attribute_is_not_opted_in() {
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t0(), A, "/a/", None);
    assert_eq!(skips(&mut p), [(A, SkipReason::NotOptedIn)]);
    assert_eq!(p.poll_timeout(), None);
}

#[test]
fn deadline_fires_at_exactly_the_hover_delay_and_time_going_backwards_is_harmless() {
    let t = t0() + ms(1000);
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/a/", ON);
    p.handle_timeout(t - ms(500));
    p.handle_timeout(t + ms(64));
    assert!(actions(&mut p).is_empty());
    p.handle_pointer_enter(t - ms(900), B, "/b/", ON); // a stuttering clock
    assert_eq!(p.poll_timeout(), Some(t - ms(900) + ms(65)));
    p.handle_timeout(t + ms(65));
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 2);
}

#[test]
fn configured_hover_delay_is_used() {
    let t = t0();
    let config = PrefetchOptions::default().hover_delay(ms(200));
    let mut p = IntentPrefetch::new(PAGE, config).expect("valid");
    p.handle_pointer_enter(t, A, "/a/", ON);
    assert_eq!(p.poll_timeout(), Some(t + ms(200)));
}

#[test]
fn save_data_blocks_everything_and_cancels_pending_hovers() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_pointer_enter(t, A, "/a/", ON);
    p.set_save_data(t + ms(10), true);
    assert_eq!(p.poll_timeout(), None);
    p.handle_touch_start(t + ms(20), B, "/b/", ON);
    drive(&mut p, t + ms(100), |_, _| {});
    assert!(actions(&mut p).is_empty());
    assert_eq!(
        skips(&mut p),
        [(A, SkipReason::SaveData), (B, SkipReason::SaveData)]
    );
    p.set_save_data(t + ms(200), false);
    p.handle_touch_start(t + ms(210), B, "/b/", ON);
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 1);
}

#[test]
fn save_data_from_the_config_applies_from_the_start() {
    let config = PrefetchOptions::default().save_data(true);
    let mut p = IntentPrefetch::new(PAGE, config).expect("valid");
    assert!(p.is_save_data());
    p.handle_touch_start(t0(), A, "/a/", ON);
    assert!(actions(&mut p).is_empty());
}

#[test]
fn transport_preference_is_speculation_rules_then_link_then_fetch() {
    let url = Url::parse("http://localhost:8000/a/").expect("url");
    let mut p = machine(Transports::default());
    p.handle_touch_start(t0(), A, "/a/", ON);
    assert_eq!(
        actions(&mut p),
        [Action::InsertSpeculationRule { url: url.clone() }]
    );
    let mut p = machine(Transports::none().with_link_prefetch(true).with_fetch(true));
    p.handle_touch_start(t0(), A, "/a/", ON);
    assert_eq!(actions(&mut p), [Action::InjectLinkPrefetch { url }]);
    let mut p = fetch_only();
    p.handle_touch_start(t0(), A, "/a/", ON);
    assert!(matches!(&actions(&mut p)[..], [Action::StartFetch { .. }]));
}

#[test]
fn failed_fetch_makes_the_url_eligible_again_and_success_does_not() {
    let t = t0();
    let mut p = fetch_only();
    p.handle_touch_start(t, A, "/a/", ON);
    let id = started(&actions(&mut p))[0];
    p.handle_fetch_done(t + ms(5), id, false);
    p.handle_touch_start(t + ms(6), A, "/a/", ON);
    let id = started(&actions(&mut p))[0];
    p.handle_fetch_done(t + ms(7), id, true);
    p.handle_touch_start(t + ms(8), A, "/a/", ON);
    assert!(actions(&mut p).is_empty());
    let events: Vec<_> = std::iter::from_fn(|| p.poll_event()).collect();
    assert!(events.contains(&PrefetchEvent::FetchDone { id, ok: true }));
}

#[test]
fn leaving_another_link_with_the_same_url_does_not_abort_the_fetch() {
    let t = t0();
    let mut p = fetch_only();
    p.handle_touch_start(t, A, "/a/", ON);
    let _ = actions(&mut p);
    p.handle_pointer_enter(t, B, "/a/", ON);
    p.handle_pointer_leave(t + ms(100), B);
    assert!(actions(&mut p).is_empty());
    assert_eq!(p.in_flight(), 1);
}

#[test]
fn navigation_cancels_timers_aborts_fetches_forgets_urls_and_adopts_the_page() {
    let t = t0();
    let mut p = fetch_only();
    p.handle_touch_start(t, A, "/a/", ON);
    let id = started(&actions(&mut p))[0];
    p.handle_pointer_enter(t, B, "/b/", ON);
    p.handle_navigation(t + ms(10), "/a/")
        .expect("same-origin path");
    assert_eq!(actions(&mut p), [Action::AbortFetch { id }]);
    assert_eq!(skips(&mut p), [(B, SkipReason::Navigated)]);
    assert_eq!(p.poll_timeout(), None);
    assert_eq!(p.page_url().as_str(), "http://localhost:8000/a/");
    // The new page is the current document; the old page is not.
    p.handle_touch_start(t + ms(20), A, "/a/#top", ON);
    p.handle_touch_start(t + ms(20), B, "/", ON);
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/"]
    );
    assert_eq!(skips(&mut p), [(A, SkipReason::SameDocument)]);
}

#[test]
fn navigation_to_a_non_http_url_still_clears_but_keeps_the_page() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_touch_start(t, A, "/a/", ON);
    let err = p.handle_navigation(t, "javascript:void(0)").unwrap_err();
    assert_eq!(
        err,
        PrefetchError::PageScheme {
            scheme: "javascript".into()
        }
    );
    assert_eq!(p.page_url().as_str(), PAGE);
    assert!(!p.is_prefetched(&Url::parse("http://localhost:8000/a/").expect("url")));
}

#[test]
fn in_flight_cap_is_never_exceeded_and_the_url_stays_eligible() {
    let t = t0();
    let config = PrefetchOptions::default()
        .transports(Transports::none().with_fetch(true))
        .max_in_flight(NonZeroUsize::new(1).expect("1"));
    let mut p = IntentPrefetch::new(PAGE, config).expect("valid");
    p.handle_touch_start(t, A, "/a/", ON);
    p.handle_touch_start(t, B, "/b/", ON);
    assert_eq!(p.in_flight(), 1);
    assert_eq!(skips(&mut p), [(B, SkipReason::InFlightCap)]);
    let id = started(&actions(&mut p))[0];
    p.handle_fetch_done(t, id, true);
    p.handle_touch_start(t, B, "/b/", ON);
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/b/"]
    );
}

#[test]
fn per_page_budget_is_never_exceeded_and_resets_on_navigation() {
    let t = t0();
    let config = PrefetchOptions::default().max_per_page(NonZeroUsize::new(2).expect("2"));
    let mut p = IntentPrefetch::new(PAGE, config).expect("valid");
    for (i, href) in ["/1", "/2", "/3"].into_iter().enumerate() {
        p.handle_touch_start(t, LinkId(i as u64), href, ON);
    }
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 2);
    assert_eq!(skips(&mut p), [(LinkId(2), SkipReason::PageBudget)]);
    assert_eq!(p.started_on_page(), 2);
    p.handle_navigation(t, "/1").expect("valid");
    p.handle_touch_start(t, C, "/3", ON);
    assert_eq!(prefetched_urls(&actions(&mut p)).len(), 1);
}

#[test]
fn focus_is_off_by_default_and_acts_as_a_hover_when_on() {
    let t = t0();
    let mut p = machine(Transports::default());
    p.handle_focus(t, A, "/a/", ON);
    assert_eq!(skips(&mut p), [(A, SkipReason::FocusDisabled)]);
    let config = PrefetchOptions::default().focus(true);
    let mut p = IntentPrefetch::new(PAGE, config).expect("valid");
    p.handle_focus(t, A, "/a/", ON);
    p.handle_blur(t + ms(10), A);
    p.handle_focus(t + ms(20), B, "/b/", ON);
    drive(&mut p, t + ms(100), |_, _| {});
    assert_eq!(
        prefetched_urls(&actions(&mut p)),
        ["http://localhost:8000/b/"]
    );
}

#[test]
fn constructor_rejects_bad_pages_and_empty_transports() {
    let bad = IntentPrefetch::new("not a url", PrefetchOptions::default());
    assert!(matches!(bad, Err(PrefetchError::PageUrl { .. })));
    let none = PrefetchOptions::default().transports(Transports::none());
    assert!(matches!(
        IntentPrefetch::new(PAGE, none).unwrap_err(),
        PrefetchError::Options(OptionsError::Invalid {
            option: "transports",
            ..
        })
    ));
}

#[test]
fn public_types_are_send_sync_and_small() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<IntentPrefetch>();
    assert_send_sync::<Action>();
    assert_send_sync::<PrefetchEvent>();
    assert_send_sync::<SpeculationRules>();
    assert!(std::mem::size_of::<Action>() <= 112);
    assert!(std::mem::size_of::<PrefetchEvent>() <= 136);
}

// ---- speculation rules ----

const MDN_EXAMPLE: &str = r#"{
    "prerender": [
      {
        "where": {
          "and": [
            { "href_matches": "/*" },
            { "not": { "href_matches": "/logout" } },
            { "not": { "href_matches": "/*\\?*(^|&)add-to-cart=*" } },
            { "not": { "selector_matches": ".no-prerender" } },
            { "not": { "selector_matches": "[rel~=nofollow]" } }
          ]
        }
      }
    ],
    "prefetch": [
      {
        "urls": ["next.html", "next2.html"],
        "requires": ["anonymous-client-ip-when-cross-origin"],
        "referrer_policy": "no-referrer"
      }
    ]
  }"#;

#[test]
fn seed_002_example_parses_and_serialises_to_the_same_json() {
    let rules = SpeculationRules::from_json(MDN_EXAMPLE).expect("the seed's example");
    let original: serde_json::Value = serde_json::from_str(MDN_EXAMPLE).expect("json");
    let again: serde_json::Value = serde_json::from_str(&rules.to_json()).expect("json");
    assert_eq!(again, original);
    assert_eq!(
        rules.prefetch[0].requires,
        [Requirement::AnonymousClientIpWhenCrossOrigin]
    );
    assert_eq!(
        rules.prefetch[0].referrer_policy,
        Some(ReferrerPolicy::NoReferrer)
    );
}

#[test]
fn typed_rules_serialise_to_the_exact_json_and_round_trip() {
    let rules = SpeculationRules::default()
        .with_prefetch(Rule::list(["/next.html"]).with_eagerness(Eagerness::Immediate))
        .with_prerender(
            Rule::document(Predicate::or([
                Predicate::href_matches("/orders/*"),
                Predicate::selector_matches("a[dj-prefetch]"),
            ]))
            .with_eagerness(Eagerness::Conservative)
            .with_referrer_policy(ReferrerPolicy::StrictOriginWhenCrossOrigin),
        )
        .with_tag("liveshell");
    let json = rules.to_json();
    assert_eq!(
        json,
        concat!(
            r#"{"prefetch":[{"source":"list","urls":["/next.html"],"eagerness":"immediate"}],"#,
            r#""prerender":[{"source":"document","where":{"or":[{"href_matches":"/orders/*"},"#,
            r#"{"selector_matches":"a[dj-prefetch]"}]},"referrer_policy":"strict-origin-when-cross-origin","#,
            r#""eagerness":"conservative"}],"tag":"liveshell"}"#
        )
    );
    assert_eq!(
        SpeculationRules::from_json(&json).expect("round trip"),
        rules
    );
}

#[test]
fn href_matches_keeps_relative_to_and_pattern_lists() {
    let text = r#"{"prefetch":[{"source":"document","where":{"href_matches":["/a/*","/b/*"],"relative_to":"document"}}]}"#;
    let rules = SpeculationRules::from_json(text).expect("valid");
    assert_eq!(rules.to_json(), text);
}

#[test]
fn invalid_rules_are_errors_not_panics() {
    for text in [
        "",
        "[]",
        r#"{"prefetch":{}}"#,
        r#"{"prefetch":[{"eagerness":"sometimes"}]}"#,
        r#"{"prefetch":[{"where":{}}]}"#,
        r#"{"prefetch":[{"where":{"selector_matches":"a","relative_to":"document"}}]}"#,
        r#"{"prefetch":[{"where":{"href_matches":{"pathname":"/a"}}}]}"#,
        r#"{"prefetch":[],"prefetchh":[]}"#,
        r#"{"prefetch":[["list",["/a"]]]}"#,
        r#"{"prefetch":[{"where":[["/a"]]}]}"#,
        r#"{"prefetch":[{"where":{"not":[{"href_matches":"/a"}]}}]}"#,
    ] {
        assert!(SpeculationRules::from_json(text).is_err(), "{text}");
    }
}

#[test]
fn builder_lists_the_pages_opt_in_links_once_each() {
    let page = Url::parse("http://localhost:8000/orders/").expect("url");
    let mut links = LinkRulesBuilder::new(&page);
    let hrefs = [
        ("/", ON),
        ("/orders/", ON),
        ("/logout/", Some("false")),
        ("/orders/1042/", ON),
        ("/orders/1043/", ON),
        ("/orders/1042/#lines", ON),
        ("https://evil.example/", ON),
        ("/about/", None),
    ];
    for (href, opt_in) in hrefs {
        let _ = links.add(href, opt_in);
    }
    let reasons: Vec<_> = links.skipped().iter().map(|(_, r)| r.clone()).collect();
    assert_eq!(reasons.len(), 5);
    assert_eq!(reasons[0], SkipReason::SameDocument);
    assert_eq!(
        links.prefetch_rules().prefetch[0].urls,
        [
            "http://localhost:8000/",
            "http://localhost:8000/orders/1042/",
            "http://localhost:8000/orders/1043/"
        ]
    );
    assert!(links.prerender_rules().prefetch.is_empty());
    assert!(LinkRulesBuilder::new(&page).prefetch_rules().is_empty());
}

// ---- Sec-Purpose ----

#[test]
fn sec_purpose_values_are_read_as_structured_field_lists() {
    let cases: [(&str, Option<SpeculationKind>); 12] = [
        ("prefetch", Some(SpeculationKind::Prefetch)),
        ("prefetch;prerender", Some(SpeculationKind::Prerender)),
        ("prefetch; prerender", Some(SpeculationKind::Prerender)),
        (
            "prefetch;anonymous-client-ip",
            Some(SpeculationKind::Prefetch),
        ),
        ("  prefetch  ", Some(SpeculationKind::Prefetch)),
        ("other, prefetch", Some(SpeculationKind::Prefetch)),
        ("Prefetch", None), // tokens are case-sensitive
        ("\"prefetch\"", None),
        ("(prefetch)", None),
        ("prefetch,", None),
        ("prefetch;prerender=", None),
        ("prerender", None),
    ];
    for (value, expected) in cases {
        assert_eq!(
            speculation_kind([("Sec-Purpose", value)]),
            expected,
            "{value:?}"
        );
    }
}

#[test]
fn legacy_headers_are_recognised() {
    for (name, value) in [
        ("Purpose", "prefetch"),
        ("X-Purpose", "preview"),
        ("X-Moz", "prefetch"),
        ("X-Sec-Purpose", "prefetch"),
        ("purpose", "Prefetch"),
    ] {
        assert!(is_speculative([(name, value)]), "{name}: {value}");
    }
    assert!(!is_speculative([("X-Purpose", "prefetch")]));
    assert!(!is_speculative([("Purpose", "prerender")]));
    let none: [(&str, &str); 0] = [];
    assert!(!is_speculative(none));
}

#[cfg(feature = "http")]
#[test]
fn an_http_header_map_works_as_is() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "sec-purpose",
        http::HeaderValue::from_static("prefetch;prerender"),
    );
    assert_eq!(speculation_kind(&headers), Some(SpeculationKind::Prerender));
}

// ---- bundle planning ----

#[test]
fn plan_bundles_follows_seed_003_waterfall_example() {
    // A imports B, B imports C: all three are requested up front, in that order.
    let graph = HashMap::from([("a.js", vec!["b.js"]), ("b.js", vec!["c.js"])]);
    assert_eq!(
        plan_bundles(&graph, &["a.js"], &HashSet::new()),
        ["a.js", "b.js", "c.js"]
    );
    assert_eq!(
        plan_bundles(&graph, &["a.js"], &HashSet::from(["a.js", "c.js"])),
        ["b.js"]
    );
}
