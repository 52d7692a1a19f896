//! Shell target: any bytes, read as UTF-8 with replacement characters, split without panicking,
//! and `main_inner` agrees with `split`. Under cargo-fuzz, liveshell's tokenizer must also give
//! the same tokens as html5ever's (the library's unit tests run that check on this corpus too).

use liveshell::shell::{main_inner, split};

/// Splits arbitrary text and checks `main_inner(x) == split(x).map(|s| s.main)`.
pub fn run(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let whole = split(&html);
    assert_eq!(main_inner(&html), whole.map(|s| s.main));
    #[cfg(fuzzing)]
    if let Err(diff) = liveshell::shell::fuzz_tokenizers_agree(&html) {
        panic!("{diff}");
    }
}
