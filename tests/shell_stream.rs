//! `shell::MainStream` against `shell::main_inner_with`: for every page and every chunking, the
//! concatenated output equals `main_inner` byte for byte and `finish` says whether it is `Some`.
//!
//! The pages are every case of `tests/browser/cases.jsonl` (every cut point into two chunks and
//! byte by byte for the small ones, seeded random chunkings for all), the corpus pages of
//! `benches/data`, and a proptest over pages built from tricky pieces cut at random points.

use liveshell::shell::{MainStream, ShellOptions, StreamError, StreamState, main_inner_with};
use proptest::prelude::*;
use serde::Deserialize;

#[path = "browser/cases.rs"]
mod cases;
use cases::{Case, read_jsonl};

/// Cases up to this size are cut at every byte offset and fed byte by byte.
const SMALL: usize = 600;

/// Streams `page` cut at `cuts` (increasing offsets) and returns the output and `found`, checking
/// on the way that the states only move forward and that nothing is output while `Seeking`.
fn stream(page: &[u8], cuts: &[usize], options: &ShellOptions) -> (Vec<u8>, bool) {
    let mut stream = MainStream::new(options);
    let mut out = Vec::new();
    let mut from = 0;
    let mut last = StreamState::Seeking;
    for &cut in cuts.iter().chain(std::iter::once(&page.len())) {
        let before = out.len();
        let state = stream
            .push(&page[from..cut], &mut out)
            .unwrap_or_else(|e| panic!("push at {from}..{cut}: {e}"));
        assert!(
            rank(state) >= rank(last),
            "state went back: {last:?} -> {state:?}"
        );
        if state == StreamState::Seeking {
            assert_eq!(out.len(), before, "output while seeking");
        }
        last = state;
        from = cut;
    }
    let found = stream.finish(&mut out).expect("finish");
    (out, found)
}

fn rank(state: StreamState) -> u8 {
    match state {
        StreamState::Seeking => 0,
        StreamState::InMain => 1,
        StreamState::Done => 2,
    }
}

/// Options whose hold-back limit never binds, so that every page streams.
fn unlimited(scripting: bool) -> ShellOptions {
    ShellOptions::default()
        .scripting(scripting)
        .hold_back_limit(usize::MAX)
}

/// Panics unless streaming `page` cut at `cuts` gives `main_inner_with(page)`.
fn check(id: &str, page: &str, cuts: &[usize], options: &ShellOptions) {
    let want = main_inner_with(page, options);
    let (out, found) = stream(page.as_bytes(), cuts, options);
    assert_eq!(found, want.is_some(), "{id}: found, cuts {cuts:?}");
    let want = want.unwrap_or_default();
    if out != want.as_bytes() {
        let at = out
            .iter()
            .zip(want.as_bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let from = at.saturating_sub(80);
        let clip = |b: &[u8]| {
            String::from_utf8_lossy(&b[from.min(b.len())..(at + 80).min(b.len())]).into_owned()
        };
        let shown: Vec<usize> = cuts.iter().copied().take(12).collect();
        panic!(
            "{id}: {} cuts (first {shown:?}), lengths {} / {}, first difference at {at}\n  stream:     {:?}\n  main_inner: {:?}",
            cuts.len(),
            out.len(),
            want.len(),
            clip(&out),
            clip(want.as_bytes()),
        );
    }
}

/// A small seeded generator (xorshift64*), so the random chunkings are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Increasing cut points in `0..len`, with chunks of 1 to `max` bytes.
    fn cuts(&mut self, len: usize, max: usize) -> Vec<usize> {
        let mut cuts = Vec::new();
        let mut at = 0;
        loop {
            at += 1 + (self.next() % max as u64) as usize;
            if at >= len {
                return cuts;
            }
            cuts.push(at);
        }
    }
}

#[derive(Deserialize)]
struct Recorded {
    id: String,
}

fn browser_cases() -> Vec<(Case, String)> {
    read_jsonl::<Case>("cases.jsonl")
        .into_iter()
        .map(|case| {
            let html = case.html();
            (case, html)
        })
        .collect()
}

#[test]
fn small_browser_cases_at_every_cut_point_and_byte_by_byte() {
    let scripting_off: Vec<String> = read_jsonl::<Recorded>("expected-scripting-off.jsonl")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let (mut pages, mut runs) = (0, 0);
    for (case, html) in browser_cases() {
        if html.len() > SMALL {
            continue;
        }
        pages += 1;
        let mut settings = vec![true];
        if scripting_off.contains(&case.id) {
            settings.push(false);
        }
        for scripting in settings {
            let options = unlimited(scripting);
            for cut in 0..=html.len() {
                check(&case.id, &html, &[cut], &options);
            }
            let every: Vec<usize> = (1..html.len()).collect();
            check(&case.id, &html, &every, &options);
            runs += html.len() + 2;
        }
    }
    println!("{pages} small browser cases, {runs} chunkings, all equal to main_inner");
    assert!(pages > 500, "only {pages} small cases");
}

#[test]
fn every_browser_case_at_random_chunkings() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let (mut pages, mut runs) = (0, 0);
    for (case, html) in browser_cases() {
        pages += 1;
        // Byte-sized chunks for the smaller pages (the larger ones are hundreds of kilobytes).
        let sizes: &[usize] = if html.len() <= 8192 {
            &[1, 3, 16, 64, 700, 4096]
        } else {
            &[64, 700, 4096, 16384]
        };
        for &max in sizes {
            let cuts = rng.cuts(html.len(), max);
            check(&case.id, &html, &cuts, &unlimited(true));
            runs += 1;
        }
    }
    println!("{pages} browser cases, {runs} random chunkings, all equal to main_inner");
}

#[test]
fn corpus_pages_in_4k_and_random_chunks() {
    let dir = format!("{}/benches/data", env!("CARGO_MANIFEST_DIR"));
    let mut rng = Rng(0x5eed_cafe_f00d_0002);
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).expect("benches/data") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).expect("corpus page");
        let id = path.display().to_string();
        let fixed: Vec<usize> = (4096..html.len()).step_by(4096).collect();
        check(&id, &html, &fixed, &unlimited(true));
        for max in [7, 1000, 16384] {
            let cuts = rng.cuts(html.len(), max);
            check(&id, &html, &cuts, &unlimited(true));
        }
        pages += 1;
    }
    assert!(pages >= 10, "only {pages} corpus pages");
}

#[test]
fn hold_back_limit_is_a_typed_error_and_appends_nothing_wrong() {
    let page = format!("<main><b>{}</b></main>", "x".repeat(10_000));
    let options = ShellOptions::default().hold_back_limit(1000);
    let mut stream = MainStream::new(&options);
    let mut out = Vec::new();
    let mut result = Ok(StreamState::Seeking);
    for chunk in page.as_bytes().chunks(100) {
        result = stream.push(chunk, &mut out);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(StreamError::HoldBackLimit { limit: 1000 }));
    let want = main_inner_with(&page, &options).expect("main");
    assert!(
        want.as_bytes().starts_with(&out),
        "a wrong byte before the error"
    );
}

const PIECES: &[&str] = &[
    "<main>",
    "</main>",
    "<main class='a&amp;b'>",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<i>",
    "<table>",
    "<td>",
    "</table>",
    "<template>",
    "</template>",
    "<svg>",
    "</svg>",
    "<math><annotation-xml encoding='text/html'>",
    "<mi>",
    "</math>",
    "<script>",
    "</script",
    "</script>",
    "<!--",
    "-->",
    "<textarea>",
    "</textarea>",
    "<select>",
    "<option>",
    "<selectedcontent>",
    "<frameset>",
    "&amp;",
    "&am",
    "&notin;",
    "\r\n",
    "\r",
    "\u{e9}",
    "\u{1f600}",
    "\0",
    "x y",
    "<pre>\n",
    "<li>",
    "<ul>",
    "<br/>",
    "<![CDATA[c]]>",
    "<?pi x?>",
    "<!DOCTYPE html>",
];

fn page() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn stream_equals_main_inner(page in page(), seeds in prop::collection::vec(any::<u64>(), 0..8)) {
        let mut cuts: Vec<usize> = seeds
            .iter()
            .map(|s| if page.is_empty() { 0 } else { (*s % page.len() as u64) as usize })
            .collect();
        cuts.sort_unstable();
        check("proptest", &page, &cuts, &unlimited(true));
    }
}
