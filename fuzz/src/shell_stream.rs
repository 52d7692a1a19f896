//! Shell stream target: a page fed to `shell::MainStream` in chunks must give exactly
//! `shell::main_inner_with` of the whole page, and say `found` exactly when that is `Some`; a page
//! that is not UTF-8 must end in `StreamError::InvalidUtf8` at the first bad byte, unless the
//! stream was `Done` before it (later input is then not read, and the output is main's inner HTML
//! in the page up to the bad byte).
//!
//! The first two bytes choose the chunking (a seed and a largest chunk size) and the scripting
//! flag; the rest is the page.

use liveshell::shell::{MainStream, ShellOptions, StreamError, StreamState, main_inner_with};

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
    let mut done = false;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let len = (state >> 16) as usize % max + 1;
        let (chunk, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        match stream.push(chunk, &mut out) {
            Ok(state) => done |= state == StreamState::Done,
            Err(err) => {
                result = Err(err);
                break;
            }
        }
    }
    let found = result.and_then(|()| stream.finish(&mut out));
    let (html, invalid) = match std::str::from_utf8(page) {
        Ok(html) => (html, None),
        Err(err) => (
            std::str::from_utf8(&page[..err.valid_up_to()]).unwrap_or_default(),
            Some(err.valid_up_to() as u64),
        ),
    };
    match invalid {
        // Once `Done`, later input is not read: a bad byte after main's end may go unseen, and
        // the output is then main's inner HTML in the page up to that byte.
        Some(offset) if !done => {
            assert_eq!(found, Err(StreamError::InvalidUtf8 { offset }));
        }
        _ => {
            let want = main_inner_with(html, &options);
            assert_eq!(found, Ok(want.is_some()), "found");
            assert_eq!(
                String::from_utf8_lossy(&out),
                want.unwrap_or_default(),
                "output"
            );
        }
    }
}
