//! [`MainStream`]: main's inner HTML from a page that arrives in chunks.
//!
//! The stream reads the page's bytes chunk by chunk and appends to the caller's buffer the bytes of
//! main's `innerHTML` that no later input can change; the concatenation of everything it appends,
//! once [`MainStream::finish`] has run, equals [`main_inner_with`] of the whole page, byte for byte,
//! however the page was cut (inside a UTF-8 sequence, a tag, a character reference, a CR LF).
//!
//! This version holds the whole page until [`MainStream::finish`] (capped by the options'
//! hold-back limit) and then runs the same parser as [`main_inner_with`].
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
//!     assert_ne!(state, StreamState::Done, "this version settles nothing before the end");
//! }
//! assert!(stream.finish(&mut out)?);
//! assert_eq!(out, "caf\u{e9} &amp; bar".as_bytes());
//! # Ok::<(), liveshell::shell::StreamError>(())
//! ```

use super::{ShellOptions, main_inner_with};

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

/// Main's inner HTML from a page read in chunks (see the [module docs](self)).
///
/// `MainStream` is `Send + 'static`, so it can live in an async body across `.await` points.
///
/// # Examples
///
/// ```
/// use liveshell::shell::{MainStream, ShellOptions, StreamError};
/// let mut stream = MainStream::new(&ShellOptions::default().hold_back_limit(8));
/// let mut out = Vec::new();
/// let err = stream.push(b"<main>more than eight bytes</main>", &mut out).unwrap_err();
/// assert_eq!(err, StreamError::HoldBackLimit { limit: 8 });
/// assert!(out.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct MainStream {
    options: ShellOptions,
    /// The page so far.
    held: Vec<u8>,
    /// `held[..checked]` is valid UTF-8; the rest is at most the start of one sequence.
    checked: usize,
    finished: bool,
}

impl MainStream {
    /// A stream that parses with `options` (scripting flag, hold-back limit).
    #[must_use]
    pub fn new(options: &ShellOptions) -> Self {
        Self {
            options: options.clone(),
            held: Vec::new(),
            checked: 0,
            finished: false,
        }
    }

    /// Reads the next `chunk` of the page and appends to `out` the bytes of main's inner HTML that
    /// it settles.
    ///
    /// # Errors
    ///
    /// [`StreamError::HoldBackLimit`] if the stream would hold back more than the limit,
    /// [`StreamError::InvalidUtf8`] if the page is not UTF-8, [`StreamError::Finished`] after
    /// `finish` or an earlier error. On an error nothing is appended.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<StreamState, StreamError> {
        let _ = out;
        if self.finished {
            return Err(StreamError::Finished);
        }
        if self.held.len() + chunk.len() > self.options.hold_back {
            self.finished = true;
            return Err(StreamError::HoldBackLimit {
                limit: self.options.hold_back,
            });
        }
        self.held.extend_from_slice(chunk);
        if let Err(err) = std::str::from_utf8(&self.held[self.checked..]) {
            let at = self.checked + err.valid_up_to();
            if err.error_len().is_some() {
                self.finished = true;
                return Err(StreamError::InvalidUtf8 { offset: at as u64 });
            }
            self.checked = at;
        } else {
            self.checked = self.held.len();
        }
        Ok(StreamState::Seeking)
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
        let held = std::mem::take(&mut self.held);
        let page = std::str::from_utf8(&held).map_err(|err| StreamError::InvalidUtf8 {
            offset: err.valid_up_to() as u64,
        })?;
        match main_inner_with(page, &self.options) {
            Some(main) => {
                out.extend_from_slice(main.as_bytes());
                Ok(true)
            }
            None => Ok(false),
        }
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
    fn calls_after_finish_are_errors() {
        let mut stream = MainStream::new(&ShellOptions::default());
        let mut out = Vec::new();
        assert!(!stream.finish(&mut out).unwrap());
        assert_eq!(stream.push(b"x", &mut out), Err(StreamError::Finished));
        assert_eq!(stream.finish(&mut out), Err(StreamError::Finished));
    }
}
