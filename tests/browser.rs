//! Browser differential test for `liveshell::shell`.
//!
//! `tests/browser/cases.jsonl` holds the hand-written adversarial cases and the seeded generated
//! ones; `tests/browser/expected.jsonl` holds what headless Chromium made of each (recorded by
//! `tests/browser/record.js`, see `tests/browser/README.md`). This test needs no browser: it runs
//! every case through `shell::split` and `shell::main_inner` and compares with the recording byte
//! for byte. `expected-scripting-off.jsonl` holds the cases with a `noscript` tag recorded with
//! JavaScript disabled; they run through `split_with`/`main_inner_with` with scripting off.
//!
//! A case may differ from Chromium only if it is in [`DEVIATIONS`], with its cause, and only in the
//! way that cause explains. The test fails when an unlisted case differs, when a listed case differs
//! in any other way, and when a listed case no longer differs, so the list stays honest.

use std::collections::{HashMap, HashSet};

use liveshell::shell::{ShellOptions, Split, main_inner, main_inner_with, split, split_with};
use serde::Deserialize;

#[path = "browser/cases.rs"]
mod cases;
use cases::{Case, read_jsonl};

/// Why a listed case may differ from Chromium. Each cause also says exactly which difference it
/// explains, so a listed case still fails if liveshell differs from Chromium in any other way.
#[derive(Clone, Copy, Debug)]
enum Cause {
    /// whatwg/html commit 4ce63af1 (PR #11764, issue #11653) runs "maybe clone an option into
    /// selectedcontent" whenever an option is popped off the stack of open elements. html5ever 0.40
    /// calls the sink's `maybe_clone_an_option_into_selectedcontent` only for an explicit
    /// `</option>` end tag (servo/html5ever#712), so an option closed implicitly (by the next
    /// `<option>`, `</select>` or EOF) is never cloned.
    /// Explains: the outputs are equal once the content of every `<selectedcontent>` is removed.
    SelectedContentOnPop,
    /// Chromium caps the parser's DOM depth at 512 (Blink `HTMLConstructionSite`,
    /// `kMaximumHTMLParserDOMTreeDepth`): deeper elements are appended as siblings at depth 512. The
    /// standard has no such limit; html5ever follows it and nests all 5000 levels, so here Chromium
    /// is the one that departs from the standard.
    /// Explains: the outputs hold the same bytes, in a different order.
    ChromiumDepthCap,
    /// The standard processes whitespace in the "after body" and "after after body" insertion
    /// modes "using the rules for the in body insertion mode", which first reconstructs the active
    /// formatting elements; html5ever does. Blink's `HTMLTreeBuilder::ProcessCharacterBuffer`
    /// (`kAfterBodyMode`, `kAfterAfterBodyMode`) inserts that whitespace without reconstructing, so
    /// Chromium omits the `<b>` around the `\n` after `</body>` in `<main><b>x</main></body>\n`.
    /// Explains: the outputs are equal once every formatting element tag is removed.
    ChromiumAfterBodyWhitespace,
    /// In the "in table" insertion mode the standard ignores a `form` start tag "if there is a
    /// template element on the stack of open elements, or if the form element pointer is not null";
    /// html5ever does. Blink's `ProcessStartTagForInTable` instead inserts (and pops) the form when
    /// parsing template contents (`IsFormElementPointerNonNull() && !IsParsingTemplateContents()`
    /// is its only reason to ignore), so Chromium has an extra empty `<form>` in the table.
    /// Explains: the outputs are equal once Chromium's `<form ...></form>` are removed.
    ChromiumFormInTemplateTable,
    /// A `template` start tag sets the frameset-ok flag to "not ok", and the standard never sets it
    /// back; html5ever follows it, so a later `<frameset>` in the body is ignored. Blink's
    /// `DefaultForAfterHead` (the body implied by content after the head) sets `frameset_ok_ = true`
    /// again, so after `<head><template></template></head><main></main>` Chromium lets a
    /// `<frameset>` replace the body, main included.
    /// Explains: Chromium has no main element (and liveshell has one).
    ChromiumFramesetOkAfterHead,
    /// The standard fills only a select's *enabled selectedcontent*: the first `selectedcontent`
    /// descendant in tree order ("maybe clone an option into selectedcontent"), and liveshell
    /// does. whatwg/html#12263 ("Clone into all descendant selectedcontent elements", still open)
    /// would keep every descendant `selectedcontent` up to date; Chromium ships that since 150
    /// (chromestatus 5863985044914176), ahead of the standard.
    /// Explains: the outputs are equal once the content of every `<selectedcontent>` is removed,
    /// and each of liveshell's `selectedcontent` holds either what Chromium's holds or nothing.
    ChromiumSelectedContentAll,
    /// html5ever defect: the standard's "has an element in scope" list includes MathML
    /// `annotation-xml`; html5ever 0.40.1 (`src/tree_builder/tag_sets.rs`, `default_scope`) lacks
    /// it, so a `<p>` outside the `math` is found in button scope and closed from inside an
    /// `annotation-xml` HTML integration point.
    /// Explains: with `<annotation-xml encoding="text/html">` ... `</annotation-xml>` replaced by
    /// `<mtext>` ... `</mtext>` (also in the default scope, also an integration point where these
    /// tags are HTML, and handled right by html5ever) in the page and in Chromium's outputs, they
    /// are equal.
    Html5everAnnotationXmlScope,
    /// html5ever defect: "in table body", a caption/col/colgroup/tbody/tfoot/thead start tag (or
    /// `</table>`) is ignored only if no tbody, thead or tfoot is in table scope; html5ever 0.40.1
    /// (`src/tree_builder/rules.rs`, `InTableBody`) checks `table_outer` (table, tbody, tfoot):
    /// `thead` is missing, which shows in template contents (no table element there).
    /// Explains: with `thead` renamed to `tfoot` (which the standard treats identically in tree
    /// construction) in the page and in Chromium's outputs, they are equal.
    Html5everTheadInTableBody,
}

impl Cause {
    fn reason(self) -> &'static str {
        match self {
            Self::SelectedContentOnPop => {
                "html5ever lags whatwg/html 4ce63af1: an implicitly closed option is cloned into <selectedcontent>"
            }
            Self::ChromiumDepthCap => {
                "Chromium caps parser DOM depth at 512; the standard and html5ever do not"
            }
            Self::ChromiumAfterBodyWhitespace => {
                "Chromium does not reconstruct formatting elements for whitespace after </body>; the standard does"
            }
            Self::ChromiumFormInTemplateTable => {
                "Chromium inserts a <form> in a table inside template contents; the standard ignores it"
            }
            Self::ChromiumFramesetOkAfterHead => {
                "Chromium resets frameset-ok at the implied <body>, so <frameset> replaces a body after <template> in head"
            }
            Self::ChromiumSelectedContentAll => {
                "Chromium fills every <selectedcontent> (whatwg/html#12263, open); the standard fills the first"
            }
            Self::Html5everAnnotationXmlScope => {
                "html5ever defect: MathML annotation-xml missing from the default scope"
            }
            Self::Html5everTheadInTableBody => {
                "html5ever defect: \"in table body\" checks table/tbody/tfoot instead of tbody/thead/tfoot"
            }
        }
    }

    /// For an html5ever defect: a rewrite of a page into one the defect does not touch and that
    /// the standard parses into the same tree, up to the same rewrite of the serialization.
    fn rewrite(self) -> Option<fn(&str) -> String> {
        match self {
            Self::Html5everAnnotationXmlScope => Some(|s| {
                s.replace("<annotation-xml encoding=\"text/html\">", "<mtext>")
                    .replace("</annotation-xml>", "</mtext>")
            }),
            Self::Html5everTheadInTableBody => Some(|s| s.replace("thead", "tfoot")),
            _ => None,
        }
    }

    /// Whether this cause accounts for the whole difference between liveshell and Chromium
    /// (`None`: no main element).
    fn explains(self, got: Option<&str>, want: Option<&str>) -> bool {
        match (got, want) {
            (Some(got), Some(want)) => self.explains_text(got, want),
            // Only this cause removes the main element: Chromium replaces the body by the frameset.
            (Some(_), None) => matches!(self, Self::ChromiumFramesetOkAfterHead),
            (got, want) => got == want,
        }
    }

    /// Whether this cause accounts for the whole difference between two serializations.
    fn explains_text(self, got: &str, want: &str) -> bool {
        match self {
            Self::ChromiumFramesetOkAfterHead => false,
            // Judged on the rewritten page, in `compare`.
            Self::Html5everAnnotationXmlScope | Self::Html5everTheadInTableBody => false,
            Self::ChromiumSelectedContentAll => {
                let (ours, theirs) = (
                    contents(got, "<selectedcontent", "</selectedcontent>"),
                    contents(want, "<selectedcontent", "</selectedcontent>"),
                );
                emptied(got, "<selectedcontent", "</selectedcontent>")
                    == emptied(want, "<selectedcontent", "</selectedcontent>")
                    && ours.len() == theirs.len()
                    && ours
                        .iter()
                        .zip(&theirs)
                        .all(|(o, t)| o.is_empty() || o == t)
            }
            Self::SelectedContentOnPop => {
                emptied(got, "<selectedcontent", "</selectedcontent>")
                    == emptied(want, "<selectedcontent", "</selectedcontent>")
            }
            Self::ChromiumDepthCap => {
                let (mut a, mut b) = (got.as_bytes().to_vec(), want.as_bytes().to_vec());
                a.sort_unstable();
                b.sort_unstable();
                a == b
            }
            Self::ChromiumAfterBodyWhitespace => {
                without_formatting_tags(got) == without_formatting_tags(want)
            }
            Self::ChromiumFormInTemplateTable => got == without(want, "<form", "</form>"),
        }
    }
}

/// `s` without the start and end tags of the formatting elements (HTML "list of active formatting
/// elements" kinds); attribute values never hold `>` since the serializer escapes it.
fn without_formatting_tags(s: &str) -> String {
    const FORMATTING: [&str; 14] = [
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
        "u",
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at + 1..];
        let name = tag.strip_prefix('/').unwrap_or(tag);
        let end = name.find([' ', '>']).unwrap_or(name.len());
        if FORMATTING.contains(&&name[..end]) {
            rest = tag.find('>').map_or("", |e| &tag[e + 1..]);
        } else {
            out.push('<');
            rest = tag;
        }
    }
    out.push_str(rest);
    out
}

/// `s` without every span that starts with `open` and ends with the next `close` (inclusive).
fn without(s: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(open) {
        out.push_str(&rest[..at]);
        let after = &rest[at + open.len()..];
        rest = after
            .find(close)
            .map_or("", |end| &after[end + close.len()..]);
    }
    out.push_str(rest);
    out
}

/// The byte ranges of the content between every start tag beginning with `open` and the next
/// `close` (empty when there is no `close`), in order.
fn content_spans(s: &str, open: &str, close: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = s[from..].find(open).map(|at| from + at) {
        let tag_end = s[at..].find('>').map_or(s.len(), |e| at + e + 1);
        let end = s[tag_end..].find(close).map_or(tag_end, |e| tag_end + e);
        spans.push(tag_end..end);
        from = end;
    }
    spans
}

/// The content between every start tag beginning with `open` and the next `close`, in order.
fn contents<'a>(s: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    content_spans(s, open, close)
        .into_iter()
        .map(|span| &s[span])
        .collect()
}

/// `s` with the content between every start tag beginning with `open` and the next `close` removed.
fn emptied(s: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for span in content_spans(s, open, close) {
        out.push_str(&s[from..span.start]);
        from = span.end;
    }
    out.push_str(&s[from..]);
    out
}

/// Cases where liveshell (html5ever) and Chromium 156 legitimately disagree, with the cause.
const DEVIATIONS: &[(&str, Cause)] = &[
    (
        "aaa-whitespace-after-body",
        Cause::ChromiumAfterBodyWhitespace,
    ),
    (
        "aaa-whitespace-after-html",
        Cause::ChromiumAfterBodyWhitespace,
    ),
    (
        "foreign-annotation-xml-scope-div",
        Cause::Html5everAnnotationXmlScope,
    ),
    (
        "foreign-annotation-xml-scope-p",
        Cause::Html5everAnnotationXmlScope,
    ),
    (
        "frameset-after-template-implied-head",
        Cause::ChromiumFramesetOkAfterHead,
    ),
    (
        "frameset-after-template-in-head",
        Cause::ChromiumFramesetOkAfterHead,
    ),
    (
        "select-selectedcontent-implicit-close",
        Cause::SelectedContentOnPop,
    ),
    (
        "select-selectedcontent-two",
        Cause::ChromiumSelectedContentAll,
    ),
    (
        "template-thead-cell-caption",
        Cause::Html5everTheadInTableBody,
    ),
    (
        "template-thead-then-tbody",
        Cause::Html5everTheadInTableBody,
    ),
    ("template-form-in-table", Cause::ChromiumFormInTemplateTable),
    (
        "template-form-in-table-in-head",
        Cause::ChromiumFormInTemplateTable,
    ),
    ("size-deep-5000", Cause::ChromiumDepthCap),
    ("size-deep-5000-main-at-bottom", Cause::ChromiumDepthCap),
];

/// Cases of the scripting-off run (JavaScript disabled in Chromium, `ShellOptions::scripting(false)`
/// here) that legitimately differ, with the cause.
const DEVIATIONS_SCRIPTING_OFF: &[(&str, Cause)] = &[];

/// How many cases `build-cases.js` writes: at least this many hand-written, then the smaller real
/// pages of `benches/data` (ids `page-`), then exactly this many generated ones (ids `gen-`).
const MIN_HAND_WRITTEN: usize = 150;
const GENERATED: usize = 200;

#[derive(Deserialize)]
struct Expected {
    id: String,
    main: Option<String>,
    shell: Option<String>,
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

/// Runs the cases that `expected` records (in its order) through `split` and `main_inner` and
/// compares with the recording; panics with every difference the deviation list does not
/// explain, and with every listed deviation that no longer differs. Prints a summary line first.
fn compare(
    label: &str,
    cases: &[Case],
    expected: &[Expected],
    split: &dyn Fn(&str) -> Option<Split>,
    main_inner: &dyn Fn(&str) -> Option<String>,
    deviation_list: &[(&str, Cause)],
) {
    let by_id: HashMap<&str, &Case> = cases.iter().map(|c| (c.id.as_str(), c)).collect();
    for (id, _) in deviation_list {
        assert!(by_id.contains_key(id), "deviation {id} names no case");
    }
    let (mut matched, mut deviations) = (0, 0);
    let mut unexpected = Vec::new();
    let mut unexplained = Vec::new();
    let mut stale = Vec::new();
    for want in expected {
        let case = by_id
            .get(want.id.as_str())
            .unwrap_or_else(|| panic!("recording {} names no case: re-record", want.id));
        let html = case.html();
        let got = split(&html);
        let inner = main_inner(&html);
        let got_main = got.as_ref().map(|s| s.main.as_str());
        let got_shell = got.as_ref().map(|s| s.shell.as_str());
        let report: Vec<String> = [
            describe("main (split)", got_main, want.main.as_deref()),
            describe("main (main_inner)", inner.as_deref(), want.main.as_deref()),
            describe("shell", got_shell, want.shell.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let cause = deviation_list
            .iter()
            .find(|(id, _)| *id == case.id)
            .map(|(_, cause)| *cause);
        match (report.is_empty(), cause) {
            (true, None) => matched += 1,
            (true, Some(_)) => stale.push(case.id.clone()),
            (false, None) => unexpected.push(format!(
                "{} (input {:?})\n{}",
                case.id,
                clip(&html),
                report.join("\n")
            )),
            (false, Some(cause)) => {
                let explained = match cause.rewrite() {
                    // The defect explains the difference if liveshell agrees with Chromium on a
                    // page the defect does not touch.
                    Some(rewrite) => {
                        let page = rewrite(&html);
                        let want_main = want.main.as_deref().map(rewrite);
                        let want_shell = want.shell.as_deref().map(rewrite);
                        let got = split(&page);
                        main_inner(&page) == want_main
                            && got.as_ref().map(|s| &s.main) == want_main.as_ref()
                            && got.as_ref().map(|s| &s.shell) == want_shell.as_ref()
                    }
                    None => {
                        cause.explains(got_main, want.main.as_deref())
                            && cause.explains(inner.as_deref(), want.main.as_deref())
                            && cause.explains(got_shell, want.shell.as_deref())
                    }
                };
                if explained {
                    deviations += 1;
                } else {
                    unexplained.push(format!(
                        "{} ({}):\n{}",
                        case.id,
                        cause.reason(),
                        report.join("\n")
                    ));
                }
            }
        }
    }
    println!(
        "browser differential ({label}): {} cases run, {matched} matched, {deviations} listed deviations, \
         {} unexpected mismatches, {} listed but differing otherwise, {} stale deviations",
        expected.len(),
        unexpected.len(),
        unexplained.len(),
        stale.len(),
    );
    assert!(
        unexpected.is_empty(),
        "{} cases differ from Chromium and are not listed deviations:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        unexplained.is_empty(),
        "{} listed deviations differ from Chromium beyond their cause:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed deviations that now match Chromium (remove them): {stale:?}"
    );
}

#[test]
fn every_case_matches_chromium_except_listed_deviations() {
    let cases: Vec<Case> = read_jsonl("cases.jsonl");
    let expected: Vec<Expected> = read_jsonl("expected.jsonl");
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let recorded: Vec<&str> = expected.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids, recorded,
        "cases.jsonl and expected.jsonl are out of step: re-record"
    );
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "case ids are unique"
    );
    let generated = cases.iter().filter(|c| c.id.starts_with("gen-")).count();
    let pages = cases.iter().filter(|c| c.id.starts_with("page-")).count();
    let hand_written = cases.len() - generated - pages;
    assert_eq!(generated, GENERATED, "generated cases");
    assert!(hand_written >= MIN_HAND_WRITTEN, "hand-written cases");

    println!(
        "browser differential: {hand_written} hand-written, {pages} real pages (benches/data) and \
         {generated} generated cases"
    );
    compare(
        "scripting on",
        &cases,
        &expected,
        &split,
        &main_inner,
        DEVIATIONS,
    );
}

#[test]
fn noscript_cases_match_chromium_with_scripting_off() {
    let cases: Vec<Case> = read_jsonl("cases.jsonl");
    let expected: Vec<Expected> = read_jsonl("expected-scripting-off.jsonl");
    let with_noscript: Vec<&str> = cases
        .iter()
        .filter(|c| c.html().to_ascii_lowercase().contains("<noscript"))
        .map(|c| c.id.as_str())
        .collect();
    let recorded: Vec<&str> = expected.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        with_noscript, recorded,
        "expected-scripting-off.jsonl is out of step: re-record"
    );

    let options = ShellOptions::default().scripting(false);
    compare(
        "scripting off",
        &cases,
        &expected,
        &|html| split_with(html, &options),
        &|html| main_inner_with(html, &options),
        DEVIATIONS_SCRIPTING_OFF,
    );
}

#[test]
fn deviation_causes_explain_only_their_own_difference() {
    let sc = Cause::SelectedContentOnPop;
    assert!(sc.explains_text(
        "<selectedcontent></selectedcontent>x",
        "<selectedcontent>A<b>B</b></selectedcontent>x"
    ));
    assert!(!sc.explains_text(
        "<selectedcontent></selectedcontent>",
        "<selectedcontent id=a>A</selectedcontent>"
    ));
    let depth = Cause::ChromiumDepthCap;
    assert!(depth.explains_text("<i><i></i></i>", "<i></i><i></i>"));
    assert!(!depth.explains_text("<i><i></i></i>", "<i></i><b></b>"));
    let ws = Cause::ChromiumAfterBodyWhitespace;
    assert!(ws.explains_text(
        "<main></main><b class=\"x\">\n</b><i>\n</i>",
        "<main></main>\n\n"
    ));
    assert!(!ws.explains_text("<main></main><b>\n</b>", "<main></main>\n\n"));
    assert!(!ws.explains_text("<main></main><div>\n</div>", "<main></main>\n"));
    let form = Cause::ChromiumFormInTemplateTable;
    assert!(form.explains_text("<table></table>", "<table><form id=\"f\"></form></table>"));
    assert!(!form.explains_text("<table></table>", "<table><form></form><tr></tr></table>"));
    let frameset = Cause::ChromiumFramesetOkAfterHead;
    assert!(frameset.explains(Some("x"), None));
    assert!(!frameset.explains(Some("x"), Some("y")));
    let sc = Cause::SelectedContentOnPop;
    assert!(!sc.explains(Some("x"), None));
    assert!(sc.explains(None, None));
    let all = Cause::ChromiumSelectedContentAll;
    assert!(all.explains_text(
        "<selectedcontent id=\"a\">A</selectedcontent><selectedcontent id=\"b\"></selectedcontent>",
        "<selectedcontent id=\"a\">A</selectedcontent><selectedcontent id=\"b\">A</selectedcontent>"
    ));
    assert!(!all.explains_text(
        "<selectedcontent>B</selectedcontent><selectedcontent></selectedcontent>",
        "<selectedcontent>A</selectedcontent><selectedcontent>A</selectedcontent>"
    ));
    assert!(!all.explains_text(
        "<selectedcontent></selectedcontent>x",
        "<selectedcontent>A</selectedcontent>y"
    ));
    // The html5ever defects are judged on a rewritten page, never on the text alone.
    let scope = Cause::Html5everAnnotationXmlScope;
    assert!(!scope.explains_text("a", "a"));
    let rewrite = scope
        .rewrite()
        .expect("an html5ever defect rewrites the page");
    assert_eq!(
        rewrite("<annotation-xml encoding=\"text/html\"><p></annotation-xml>"),
        "<mtext><p></mtext>"
    );
    let thead = Cause::Html5everTheadInTableBody
        .rewrite()
        .expect("rewrites");
    assert_eq!(thead("<thead></thead>"), "<tfoot></tfoot>");
    assert!(Cause::SelectedContentOnPop.rewrite().is_none());
}
