//! Shell stream target: a page fed to `shell::MainStream` in chunks must give exactly
//! `shell::main_inner_with` of the whole page, and say `found` exactly when that is `Some`; a page
//! that is not UTF-8 must end in `StreamError::InvalidUtf8` at the first bad byte.
//!
//! The first two bytes choose the chunking (a seed and a largest chunk size) and the scripting
//! flag; the rest is the page.

use liveshell::shell::{MainStream, ShellOptions, StreamError, main_inner_with};

/// Streams the page in the chunking the header chooses and compares with `main_inner_with`.
pub fn run(data: &[u8]) {
    let [seed, size, page @ ..] = data else {
        return;
    };
    let options = ShellOptions::default()
        .scripting(size & 0x80 == 0)
        .hold_back_limit(usize::MAX);
    let max = usize::from(size & 0x7f) + 1;
    let mut state = u32::from(*seed) | 1;
    let mut stream = MainStream::new(&options);
    let mut out = Vec::new();
    let mut rest = page;
    let mut result = Ok(());
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let len = (state >> 16) as usize % max + 1;
        let (chunk, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        if let Err(err) = stream.push(chunk, &mut out) {
            result = Err(err);
            break;
        }
    }
    let found = result.and_then(|()| stream.finish(&mut out));
    match std::str::from_utf8(page) {
        Ok(html) => {
            let want = main_inner_with(html, &options);
            assert_eq!(found, Ok(want.is_some()), "found");
            assert_eq!(
                String::from_utf8_lossy(&out),
                want.unwrap_or_default(),
                "output"
            );
        }
        Err(err) => {
            let offset = err.valid_up_to() as u64;
            assert_eq!(found, Err(StreamError::InvalidUtf8 { offset }));
        }
    }
}
