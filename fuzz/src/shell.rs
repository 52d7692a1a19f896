//! Shell target: any bytes, read as UTF-8 with replacement characters, split without panicking,
//! and `main_inner` agrees with `split`.

use liveshell::shell::{main_inner, split};

/// Splits arbitrary text and checks `main_inner(x) == split(x).map(|s| s.main)`.
pub fn run(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let whole = split(&html);
    assert_eq!(main_inner(&html), whole.map(|s| s.main));
}
