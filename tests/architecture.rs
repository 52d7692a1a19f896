//! The crate's shape, checked: no two files of `src/` import each other, directly or round a
//! longer loop (ARCHITECTURE.md, "Invariants"). A parent `mod.rs` declaring and re-exporting
//! its own children is the module tree, not an import, and doc comments and test modules do
//! not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `["a", "b"]`; `src/lib.rs` is `[]`.
fn module_of(src: &Path, file: &Path) -> (Module, bool) {
    let relative = file
        .strip_prefix(src)
        .expect("under src/")
        .with_extension("");
    let mut parts: Module = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let is_dir = matches!(parts.last().map(String::as_str), Some("mod" | "lib"));
    if is_dir {
        parts.pop();
    }
    (parts, is_dir)
}

/// The code of a file before its unit tests, without comment lines.
fn code(text: &str) -> impl Iterator<Item = &str> {
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("//"))
}

/// Every `crate::…`, `super::…` and `self::…` path in `line`, as its segments.
fn paths(line: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    for head in ["crate", "super", "self"] {
        let mut rest = line;
        while let Some(at) = rest.find(&format!("{head}::")) {
            let before = rest[..at].chars().next_back();
            let tail = &rest[at + head.len() + 2..];
            rest = tail;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut segments = Vec::new();
            for piece in tail.split("::") {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let whole = name.len() == piece.len();
                if !name.is_empty() {
                    segments.push(name);
                }
                if !whole {
                    break;
                }
            }
            found.push((head.to_owned(), segments));
        }
    }
    found
}

fn imports() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(&src, f).0).collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let (me, is_dir) = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        let mut deps = BTreeSet::new();
        for line in code(&text) {
            for (head, segments) in paths(line) {
                let mut full: Module = match head.as_str() {
                    "crate" => Vec::new(),
                    "self" if is_dir => me.clone(),
                    _ => me[..me.len().saturating_sub(1)].to_vec(),
                };
                full.extend(segments);
                let target = (1..=full.len())
                    .rev()
                    .map(|k| full[..k].to_vec())
                    .find(|m| modules.contains(m));
                if let Some(target) = target {
                    let own_child =
                        is_dir && target.len() == me.len() + 1 && target.starts_with(&me);
                    if target != me && !own_child {
                        deps.insert(target);
                    }
                }
            }
        }
        edges.insert(me, deps);
    }
    edges
}

/// A loop of imports through `start`, if there is one.
fn loop_through(
    edges: &BTreeMap<Module, BTreeSet<Module>>,
    start: &Module,
    at: &Module,
    path: &mut Vec<Module>,
    seen: &mut BTreeSet<Module>,
) -> bool {
    for next in edges.get(at).into_iter().flatten() {
        if next == start {
            return true;
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if loop_through(edges, start, next, path, seen) {
                return true;
            }
            path.pop();
        }
    }
    false
}

#[test]
fn no_two_files_import_each_other() {
    let edges = imports();
    assert!(edges.len() > 20, "the walk found the crate's files");
    let mut loops = Vec::new();
    for start in edges.keys() {
        let mut path = vec![start.clone()];
        if loop_through(&edges, start, start, &mut path, &mut BTreeSet::new()) {
            let names: Vec<String> = path.iter().map(|m| m.join("::")).collect();
            loops.push(names.join(" -> "));
        }
    }
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

#[test]
fn the_checker_sees_an_import_and_ignores_a_comment() {
    assert_eq!(
        paths("use super::sink::{Document, NodeId};"),
        [("super".to_owned(), vec!["sink".to_owned()])]
    );
    assert_eq!(
        paths("pub(crate) use crate::headers::Vary; notcrate::x"),
        [(
            "crate".to_owned(),
            vec!["headers".to_owned(), "Vary".to_owned()]
        )]
    );
    assert_eq!(
        code("a\n// use crate::b;\nc").collect::<Vec<_>>(),
        ["a", "c"]
    );
}
