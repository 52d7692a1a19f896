//! [`MainStream`]: main's inner HTML from a page that arrives in chunks.
//!
//! The stream reads the page's bytes chunk by chunk and appends to the caller's buffer the bytes of
//! main's `innerHTML` that no later input can change; the concatenation of everything it appends,
//! once [`MainStream::finish`] has run, equals [`main_inner_with`](super::main_inner_with) of the
//! whole page, byte for byte, however the page was cut (inside a UTF-8 sequence, a tag, a character
//! reference, a CR LF).
//!
//! What the stream holds back, and why, is documented on [`MainStream`] (this module is
//! private).
//!
//! # Examples
//!
//! ```
//! use liveshell::shell::{MainStream, ShellOptions, StreamState};
//! let page = "<nav>N</nav><main>caf\u{e9} &amp; bar</main><footer>F</footer>";
//! let mut stream = MainStream::new(&ShellOptions::default());
//! let mut out = Vec::new();
//! for chunk in page.as_bytes().chunks(5) {
//!     let state: StreamState = stream.push(chunk, &mut out)?;
//!     if state == StreamState::Done {
//!         break;
//!     }
//! }
//! assert!(stream.finish(&mut out)?);
//! assert_eq!(out, "caf\u{e9} &amp; bar".as_bytes());
//! # Ok::<(), liveshell::shell::StreamError>(())
//! ```

use std::borrow::Cow;

use html5ever::interface::TreeSink;
use html5ever::local_name;
use html5ever::tree_builder::TreeBuilder;

use super::checkpoint::{Checkpoint, Watch, held_elements, unsettles};
use super::options::{ShellOptions, tree_builder_opts};
use super::parse::{find_main, plan};
use super::repair::undo;
use super::serialize::{FROZEN, OPEN, REPLAYED, serialize_settled};
use super::sink::sink_for;
use super::tokenizer::tokenize_segment;

/// Where a [`MainStream`] is in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamState {
    /// The first `main` element in tree order is not certain yet: nothing has been appended.
    Seeking,
    /// The main element is certain and its content is being appended as it settles.
    InMain,
    /// All of main's inner HTML has been appended; the rest of the page cannot change it, and the
    /// caller may stop reading (and still calls [`MainStream::finish`], which appends nothing).
    Done,
}

/// Why a [`MainStream`] cannot go on. After any error the stream is finished: every later call
/// returns [`StreamError::Finished`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The stream would have to hold back more than the options' hold-back limit.
    #[error("main stream would hold back more than its limit of {limit} bytes")]
    HoldBackLimit {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The page is not UTF-8: an invalid byte sequence starts at `offset` (from the start of the
    /// page), or the page ends inside a sequence (`offset` is then where it starts).
    #[error("page is not UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// The offset of the first byte of the invalid or cut-off sequence.
        offset: u64,
    },
    /// [`MainStream::push`] or [`MainStream::finish`] was called after `finish` or after an error.
    #[error("main stream already finished")]
    Finished,
}

/// Main's inner HTML from a page read in chunks.
///
/// Everything it appends, once [`finish`](Self::finish) has run, equals
/// [`main_inner_with`](super::main_inner_with) of the whole page, byte for byte, however the page
/// was cut. `MainStream` is `Send + 'static`, so it can live in an async body across `.await`
/// points.
///
/// # What is held back
///
/// The stream runs the same tokenizer, tree builder (html5ever's), tree and serializer as
/// [`main_inner_with`](super::main_inner_with). A tree builder cannot be kept between chunks
/// (html5ever's strings are `!Send`), so the stream keeps the input since its last *checkpoint*: a
/// point where a short replay of synthetic tokens brings a fresh tree builder into exactly the
/// state it had there (see `checkpoint.rs`: in the head, or in the body with only a chain of
/// ordinary elements open). Each chunk is parsed, with that replay in front, up to its last `<`
/// (or to its end, when it ends with `>`); what is settled is appended; and if that point is a
/// checkpoint, the input before it is dropped.
///
/// Settled means that no later input can change it. The stream stays [`StreamState::Seeking`]
/// while an earlier main element is still possible (a table is open: foster parenting inserts
/// before it) or the body may still be replaced (frameset-ok is not yet "not ok"). In main it stops
/// before the first node that may still change: an open formatting element (the adoption agency
/// algorithm may restructure it and everything after it), an open table (foster parenting), an
/// open template (its contents) or select (its `selectedcontent`); and it writes no end tag of an
/// open element. The input held back grows with what can still change: the part of the page since
/// the last checkpoint. Past the hold-back limit `push` fails with
/// [`StreamError::HoldBackLimit`]; it never appends a wrong byte.
///
/// # Examples
///
/// ```
/// use liveshell::shell::{MainStream, ShellOptions, StreamError};
/// let mut stream = MainStream::new(&ShellOptions::default().hold_back_limit(8));
/// let mut out = Vec::new();
/// // An open `<b>` may still be restructured by the adoption agency algorithm: held back.
/// let err = stream.push(b"<main><b>more than eight bytes", &mut out).unwrap_err();
/// assert_eq!(err, StreamError::HoldBackLimit { limit: 8 });
/// assert!(out.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct MainStream {
    options: ShellOptions,
    /// The page since the checkpoint, preprocessed (newlines normalized, no byte order mark).
    held: String,
    /// The start of a UTF-8 sequence (or of a byte order mark) cut off by the last chunk.
    carry: Vec<u8>,
    /// How many bytes of the page were read.
    read: u64,
    /// Whether the page's first bytes (a byte order mark or not) are still to come.
    at_start: bool,
    /// Whether the last character read was a CR (so a LF right after it is dropped).
    after_cr: bool,
    /// Where the tree builder's state can be replayed from.
    checkpoint: Checkpoint,
    /// Bytes of main's inner HTML appended since the checkpoint.
    emitted: usize,
    /// Where the last parse of `held` stopped (at its last `<`) and how long `held` was then.
    parsed_to: usize,
    parsed_len: usize,
    state: StreamState,
    finished: bool,
}

/// A byte order mark in UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl MainStream {
    /// A stream that parses with `options` (scripting flag, hold-back limit).
    #[must_use]
    pub fn new(options: &ShellOptions) -> Self {
        Self {
            options: options.clone(),
            held: String::new(),
            carry: Vec::new(),
            read: 0,
            at_start: true,
            after_cr: false,
            checkpoint: Checkpoint::start(),
            emitted: 0,
            parsed_to: 0,
            parsed_len: 0,
            state: StreamState::Seeking,
            finished: false,
        }
    }

    /// Reads the next `chunk` of the page and appends to `out` the bytes of main's inner HTML that
    /// it settles. Once the state is [`StreamState::Done`], later chunks are not read.
    ///
    /// # Errors
    ///
    /// [`StreamError::HoldBackLimit`] if the stream would hold back more than the limit,
    /// [`StreamError::InvalidUtf8`] if the page is not UTF-8, [`StreamError::Finished`] after
    /// `finish` or an earlier error. On an error nothing is appended.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<StreamState, StreamError> {
        if self.finished {
            return Err(StreamError::Finished);
        }
        if self.state == StreamState::Done {
            return Ok(StreamState::Done);
        }
        if let Err(err) = self.read_chunk(chunk) {
            self.finished = true;
            return Err(err);
        }
        self.parse(out, false);
        if self.held.len() > self.options.hold_back {
            self.finished = true;
            return Err(StreamError::HoldBackLimit {
                limit: self.options.hold_back,
            });
        }
        Ok(self.state)
    }

    /// Ends the page: appends the rest of main's inner HTML to `out` and returns whether the page
    /// has a main element (`false`: nothing was appended, ever).
    ///
    /// # Errors
    ///
    /// [`StreamError::InvalidUtf8`] if the page ends inside a UTF-8 sequence,
    /// [`StreamError::Finished`] after an earlier `finish` or error.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<bool, StreamError> {
        if self.finished {
            return Err(StreamError::Finished);
        }
        self.finished = true;
        if self.state != StreamState::Done {
            if !self.carry.is_empty() {
                // The start of a byte order mark, or of a UTF-8 sequence, and nothing after it.
                let offset = self.read - self.carry.len() as u64;
                return Err(StreamError::InvalidUtf8 { offset });
            }
            self.parse(out, true);
        }
        self.held = String::new();
        Ok(self.state != StreamState::Seeking)
    }

    /// Decodes `chunk` (with the bytes carried over from the last one) onto `held`.
    fn read_chunk(&mut self, chunk: &[u8]) -> Result<(), StreamError> {
        let mut base = self.read - self.carry.len() as u64;
        self.read += chunk.len() as u64;
        let joined: Cow<'_, [u8]> = if self.carry.is_empty() {
            Cow::Borrowed(chunk)
        } else {
            let mut joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(chunk);
            Cow::Owned(joined)
        };
        let mut bytes = &joined[..];
        if self.at_start {
            if bytes.len() < BOM.len() && BOM.starts_with(bytes) {
                self.carry = bytes.to_vec();
                return Ok(());
            }
            if let Some(rest) = bytes.strip_prefix(BOM) {
                bytes = rest;
                base += BOM.len() as u64;
            }
            self.at_start = false;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) if err.error_len().is_none() => {
                let (valid, rest) = bytes.split_at(err.valid_up_to());
                self.carry = rest.to_vec();
                // Valid by construction: `from_utf8` checked it.
                std::str::from_utf8(valid).unwrap_or_default()
            }
            Err(err) => {
                return Err(StreamError::InvalidUtf8 {
                    offset: base + err.valid_up_to() as u64,
                });
            }
        };
        let text = match text.strip_prefix('\n') {
            Some(rest) if self.after_cr => rest,
            _ => text,
        };
        if let Some(&last) = text.as_bytes().last() {
            self.after_cr = last == b'\r';
        }
        if text.contains('\r') {
            self.held
                .push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
        } else {
            self.held.push_str(text);
        }
        Ok(())
    }

    /// Parses the held input (all of it if `complete`, else up to its last `<` or a final `>`) from
    /// the checkpoint, appends what is settled, and moves the checkpoint up if it can.
    fn parse(&mut self, out: &mut Vec<u8>, complete: bool) {
        let cut = if complete {
            self.held.len()
        } else {
            // Without a new checkpoint the held input is parsed again from the last one: only
            // once it has grown by a quarter (and 4 KiB), so that each byte is parsed a bounded
            // number of times (at most about five).
            let due = self.parsed_len + (self.parsed_len / 4).max(4096);
            if self.parsed_len > 0 && self.held.len() < due {
                return;
            }
            // Up to the last `<`, where every token before it is whole; or to the end when the
            // input ends with `>`: nothing can be cut there (a tag or comment is whole at its
            // `>`, a `>` in text ends any character reference), so `</main>` at a chunk's end
            // closes main now.
            let end = if self.held.ends_with('>') {
                Some(self.held.len())
            } else {
                self.held.rfind('<')
            };
            match end {
                Some(cut) if cut > self.parsed_to => cut,
                _ => return,
            }
        };
        self.parsed_to = cut;
        self.parsed_len = self.held.len();
        let input = &self.held[..cut];
        let builder = TreeBuilder::new(sink_for(input), tree_builder_opts(&self.options));
        let watch = Watch::new(&builder, self.checkpoint.flags);
        let (replay_repairs, replayed) = self.checkpoint.replay(&watch);
        let (repairs, clean) = tokenize_segment(input, &watch, complete);
        let flags = watch.flags();
        let held = if complete {
            Vec::new()
        } else {
            held_elements(&builder)
        };
        let next = if complete {
            None
        } else {
            Checkpoint::capture(&builder, &held, flags, clean, self.options.scripting)
        };
        let mut doc = builder.sink.finish();
        undo(&mut doc, replay_repairs.union(repairs));
        let Some(main) = find_main(&doc) else {
            if let Some(next) = next {
                self.move_checkpoint(cut, next);
            }
            return;
        };
        if self.state == StreamState::Seeking {
            let table_open = held
                .iter()
                .any(|&id| doc.nodes[id].is_html(&local_name!("table")));
            if complete || (flags.frameset_not_ok && !table_open) {
                self.state = StreamState::InMain;
            } else {
                return;
            }
        }
        let mut marks = vec![0u8; doc.nodes.len()];
        // Nothing is held at the end of the page (`held` is empty then): all is settled. The
        // head and form pointers, last, do not hold their elements open: off the stack of open
        // elements, nothing is inserted into them.
        let mut open = &held[..];
        for pointer in [local_name!("form"), local_name!("head")] {
            if let Some((&last, rest)) = open.split_last() {
                if doc.nodes[last].is_html(&pointer) {
                    open = rest;
                }
            }
        }
        let mut frozen = false;
        for &id in open {
            let node = &doc.nodes[id];
            frozen = frozen || unsettles(node.ns, &node.local);
            marks[id.index()] |= if frozen { OPEN | FROZEN } else { OPEN };
        }
        for &id in &replayed {
            marks[id.index()] |= REPLAYED;
        }
        let mut settled = String::new();
        let done = serialize_settled(
            &mut settled,
            &doc,
            main,
            false,
            &plan(&self.options, main),
            &marks,
        );
        debug_assert!(settled.len() >= self.emitted, "settled output shrank");
        let new = settled.as_bytes().get(self.emitted..).unwrap_or_default();
        out.extend_from_slice(new);
        self.emitted = settled.len();
        if done {
            self.state = StreamState::Done;
            self.held = String::new();
        } else if let Some(next) = next {
            self.move_checkpoint(cut, next);
        }
    }

    /// Drops the input before `cut`, which `next` stands for.
    fn move_checkpoint(&mut self, cut: usize, next: Checkpoint) {
        self.held.drain(..cut);
        self.parsed_to = 0;
        self.parsed_len = 0;
        self.emitted = 0;
        self.checkpoint = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send + 'static>() {}

    #[test]
    fn main_stream_is_send_and_static() {
        assert_send::<MainStream>();
        assert_send::<StreamError>();
    }

    #[test]
    fn utf8_cut_across_chunks_is_joined() {
        let page = "<main>\u{e9}\u{1f600}</main>".as_bytes();
        for cut in 0..=page.len() {
            let mut stream = MainStream::new(&ShellOptions::default());
            let mut out = Vec::new();
            stream.push(&page[..cut], &mut out).unwrap();
            stream.push(&page[cut..], &mut out).unwrap();
            assert!(stream.finish(&mut out).unwrap());
            assert_eq!(out, "\u{e9}\u{1f600}".as_bytes());
        }
    }

    #[test]
    fn invalid_utf8_is_a_typed_error_with_its_offset() {
        let mut stream = MainStream::new(&ShellOptions::default());
        let mut out = Vec::new();
        stream.push(b"<main>ab", &mut out).unwrap();
        assert_eq!(
            stream.push(b"c\xff", &mut out),
            Err(StreamError::InvalidUtf8 { offset: 9 })
        );
        assert_eq!(stream.finish(&mut out), Err(StreamError::Finished));

        let mut stream = MainStream::new(&ShellOptions::default());
        stream.push(b"<main>\xe2\x82", &mut out).unwrap();
        assert_eq!(
            stream.finish(&mut out),
            Err(StreamError::InvalidUtf8 { offset: 6 })
        );
        assert!(out.is_empty());
    }

    #[test]
    fn once_done_later_input_is_not_read_so_a_bad_byte_there_goes_unseen() {
        let mut stream = MainStream::new(&ShellOptions::default());
        let mut out = Vec::new();
        assert_eq!(
            stream.push(b"<main>a</main><p>", &mut out),
            Ok(StreamState::Done)
        );
        assert_eq!(stream.push(b"\xff", &mut out), Ok(StreamState::Done));
        assert_eq!(stream.push(b"\xe2\x82", &mut out), Ok(StreamState::Done));
        assert_eq!(stream.finish(&mut out), Ok(true));
        assert_eq!(out, b"a");
    }

    #[test]
    fn calls_after_finish_are_errors() {
        let mut stream = MainStream::new(&ShellOptions::default());
        let mut out = Vec::new();
        assert!(!stream.finish(&mut out).unwrap());
        assert_eq!(stream.push(b"x", &mut out), Err(StreamError::Finished));
        assert_eq!(stream.finish(&mut out), Err(StreamError::Finished));
    }
}
