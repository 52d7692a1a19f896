//! The browser cases (`cases.jsonl`) and their recordings, read by `tests/browser.rs` and
//! `tests/shell_stream.rs`.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Case {
    pub id: String,
    html: Option<String>,
    recipe: Option<Vec<(String, usize)>>,
    file: Option<String>,
}

impl Case {
    /// The page, as `cases-lib.js` builds it: `html`; or each recipe text repeated its count,
    /// concatenated; or the repository file `file`.
    pub fn html(&self) -> String {
        match (&self.html, &self.recipe, &self.file) {
            (Some(html), None, None) => html.clone(),
            (None, Some(recipe), None) => recipe.iter().map(|(text, n)| text.repeat(*n)).collect(),
            (None, None, Some(file)) => {
                let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
            }
            _ => panic!(
                "case {} needs exactly one of `html`, `recipe` and `file`",
                self.id
            ),
        }
    }
}

/// Reads every line of `tests/browser/{name}` as JSON.
pub fn read_jsonl<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
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
