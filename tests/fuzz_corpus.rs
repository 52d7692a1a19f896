//! Replays every committed fuzz corpus input through its target's body on stable Rust.
//!
//! The bodies live in `fuzz/src/`, shared with the cargo-fuzz targets, so a crash found by the
//! fuzzer and added to `fuzz/corpus/<target>/` stays a regression test here.

#[path = "../fuzz/src/lib.rs"]
mod bodies;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

const FUZZ_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");

fn names_in(dir: &Path, strip: Option<&str>) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter_map(|name| match strip {
            Some(ext) => name.strip_suffix(ext).map(str::to_owned),
            None => Some(name),
        })
        .collect()
}

#[test]
fn every_target_has_a_body_and_a_corpus() {
    let bodies: BTreeSet<String> = bodies::TARGETS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    let root = Path::new(FUZZ_DIR);
    assert_eq!(names_in(&root.join("fuzz_targets"), Some(".rs")), bodies);
    assert_eq!(names_in(&root.join("corpus"), None), bodies);
}

#[test]
fn every_corpus_input_replays_without_panic() {
    let mut replayed = 0;
    for (name, run) in bodies::TARGETS {
        let dir = Path::new(FUZZ_DIR).join("corpus").join(name);
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus/{name} is empty");
        for file in files {
            let data = fs::read(&file).expect("corpus file");
            run(&data);
            replayed += 1;
        }
    }
    println!("replayed {replayed} corpus inputs");
}
