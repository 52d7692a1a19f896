//! Browser differential test for `liveshell::shell`.
//!
//! `tests/browser/cases.jsonl` holds the hand-written adversarial cases and the seeded generated
//! ones; `tests/browser/expected.jsonl` holds what headless Chromium made of each (recorded by
//! `tests/browser/record.js`, see `tests/browser/README.md`). This test needs no browser: it runs
//! every case through [`split`] and [`main_inner`] and compares with the recording byte for byte.
//!
//! A case may differ from Chromium only if it is in [`DEVIATIONS`], with the reason. The test fails
//! when an unlisted case differs, and also when a listed case no longer differs, so the list stays
//! honest.

use std::collections::HashSet;

use liveshell::shell::{main_inner, split};
use serde::Deserialize;

/// Processing instructions: whatwg/html#12118 (merged 2026-06-25, commit 320c05f) made the tokenizer
/// parse `<?target data?>` into a `ProcessingInstruction` node (serialized `<?target data?>`),
/// except `<?xml ...>`, `<?xml-stylesheet ...>`, `<?>` and targets not starting with an ASCII
/// letter, which stay bogus comments; Chromium ships it since 150. html5ever 0.40.1 still switches
/// from the tag open state to the bogus comment state on `?` (`src/tokenizer/mod.rs`, servo/html5ever#789),
/// so liveshell produces a comment `<!--?target data?-->`.
const PI: &str = "html5ever lags whatwg/html#12118: `<?target data?>` is a processing instruction, not a comment";

/// Chromium caps the parser's DOM depth at 512 (Blink `HTMLConstructionSite`,
/// `kMaximumHTMLParserDOMTreeDepth`): deeper elements are inserted as siblings at depth 512. The
/// standard has no such limit and html5ever follows it (5000 nested elements), so here Chromium is
/// the one that departs from the standard.
const DEPTH: &str = "Chromium caps parser DOM depth at 512, the standard (and html5ever) does not";

/// Cases where liveshell (html5ever) and Chromium 156 legitimately disagree: case id and reason.
const DEVIATIONS: &[(&str, &str)] = &[
    ("comment-bogus-question", PI),
    ("pi-data-questions", PI),
    ("pi-gt-closes", PI),
    ("pi-in-head", PI),
    ("pi-in-main", PI),
    ("pi-in-svg", PI),
    ("pi-in-table", PI),
    ("pi-marker-name", PI),
    ("pi-question-in-target", PI),
    ("pi-uppercase-target", PI),
    (
        "select-selectedcontent-implicit-close",
        "html5ever lags whatwg/html 4ce63af1 (PR #11764, issue #11653): the standard clones a selected \
         option into `<selectedcontent>` whenever an option is popped; html5ever 0.40 calls the sink's \
         hook only on an explicit `</option>` (servo/html5ever#712), here the next `<option>` closes it",
    ),
    ("size-deep-5000", DEPTH),
    ("size-deep-5000-main-at-bottom", DEPTH),
];

/// How many cases `build-cases.js` writes at least: hand-written, then generated.
const MIN_HAND_WRITTEN: usize = 150;
const GENERATED: usize = 200;

#[derive(Deserialize)]
struct Case {
    id: String,
    html: Option<String>,
    recipe: Option<Vec<(String, usize)>>,
}

impl Case {
    /// The page: `html`, or each recipe text repeated its count, concatenated (as `cases-lib.js`).
    fn html(&self) -> String {
        match (&self.html, &self.recipe) {
            (Some(html), None) => html.clone(),
            (None, Some(recipe)) => recipe.iter().map(|(text, n)| text.repeat(*n)).collect(),
            _ => panic!("case {} needs exactly one of `html` and `recipe`", self.id),
        }
    }
}

#[derive(Deserialize)]
struct Expected {
    id: String,
    main: Option<String>,
    shell: Option<String>,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
    let path = format!("{}/tests/browser/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{name} line {}: {e}", i + 1))
        })
        .collect()
}

/// A short description of where two optional strings first differ.
fn describe(what: &str, got: Option<&str>, want: Option<&str>) -> Option<String> {
    if got == want {
        return None;
    }
    let (Some(got), Some(want)) = (got, want) else {
        return Some(format!(
            "  {what}: got {:?}, Chromium {:?}",
            got.map(clip),
            want.map(clip)
        ));
    };
    let at = got
        .bytes()
        .zip(want.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let from = floor_char_boundary(got, at.saturating_sub(60))
        .min(floor_char_boundary(want, at.saturating_sub(60)));
    Some(format!(
        "  {what} differs at byte {at} (lengths {} / {}):\n    liveshell: {:?}\n    Chromium:  {:?}",
        got.len(),
        want.len(),
        clip(&got[from..]),
        clip(&want[from..]),
    ))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn clip(s: &str) -> String {
    let end = floor_char_boundary(s, 160);
    if end < s.len() {
        format!("{}...", &s[..end])
    } else {
        s.to_owned()
    }
}

#[test]
fn every_case_matches_chromium_except_listed_deviations() {
    let cases: Vec<Case> = read_jsonl("cases.jsonl");
    let expected: Vec<Expected> = read_jsonl("expected.jsonl");
    assert_eq!(
        cases.len(),
        expected.len(),
        "cases.jsonl and expected.jsonl differ in length: re-record"
    );
    let generated = cases.iter().filter(|c| c.id.starts_with("gen-")).count();
    assert_eq!(generated, GENERATED, "generated cases");
    assert!(
        cases.len() - generated >= MIN_HAND_WRITTEN,
        "hand-written cases"
    );

    let ids: HashSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
    for (id, _) in DEVIATIONS {
        assert!(ids.contains(id), "deviation {id} names no case");
    }
    let listed: HashSet<&str> = DEVIATIONS.iter().map(|(id, _)| *id).collect();

    let (mut matched, mut deviations) = (0, 0);
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        assert_eq!(
            case.id, want.id,
            "cases.jsonl and expected.jsonl are out of step: re-record"
        );
        let html = case.html();
        let got = split(&html);
        let inner = main_inner(&html);
        let report: Vec<String> = [
            describe(
                "main (split)",
                got.as_ref().map(|s| s.main.as_str()),
                want.main.as_deref(),
            ),
            describe("main (main_inner)", inner.as_deref(), want.main.as_deref()),
            describe(
                "shell",
                got.as_ref().map(|s| s.shell.as_str()),
                want.shell.as_deref(),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        match (report.is_empty(), listed.contains(case.id.as_str())) {
            (true, false) => matched += 1,
            (false, true) => deviations += 1,
            (true, true) => stale.push(case.id.clone()),
            (false, false) => unexpected.push(format!(
                "{} (input {:?})\n{}",
                case.id,
                clip(&html),
                report.join("\n")
            )),
        }
    }
    println!(
        "browser differential: {} cases run ({} hand-written, {generated} generated), {matched} matched, \
         {deviations} listed deviations, {} unexpected mismatches, {} stale deviations",
        cases.len(),
        cases.len() - generated,
        unexpected.len(),
        stale.len(),
    );
    assert!(
        unexpected.is_empty(),
        "{} cases differ from Chromium and are not listed deviations:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed deviations that now match Chromium (remove them): {stale:?}"
    );
}
