//! How a processing instruction travels from the tokenizer to the sink.
//!
//! html5ever's tree builder has no token for one, so it goes through as a comment (the standard
//! places both alike in every insertion mode) whose data is NUL, the target, NUL and the data.
//! Comment data from the tokenizer never holds a NUL, and a target never does, so the sink tells
//! them apart with [`decode`]. Both sides import this file; it imports neither.

use html5ever::tendril::StrTendril;

/// The comment that carries the processing instruction `<?target data>`.
pub(super) fn encode(target: &str, data: &str) -> StrTendril {
    let mut comment =
        StrTendril::with_capacity(u32::try_from(target.len() + data.len() + 2).unwrap_or(0));
    comment.push_char('\0');
    comment.push_slice(target);
    comment.push_char('\0');
    comment.push_slice(data);
    comment
}

/// The target and data of a comment made by [`encode`]; `None` for any other comment.
pub(super) fn decode(comment: &str) -> Option<(&str, &str)> {
    comment.strip_prefix('\0')?.split_once('\0')
}
