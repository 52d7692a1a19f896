//! The decision for a streamed body: decided from the head where the rules allow, else by reading
//! the body through [`MainStream`] until `<main>` is certain.

use crate::shell::{MainStream, ShellOptions, StreamError, StreamState};

use super::{
    HeaderEdits, Headers, MainOnlyOptions, PassThroughReason, Request, TrimHeaders, check_coding,
    check_request, check_status_and_type, head_content_type, missing_main, needs_vary, trim_edits,
    vary_edits,
};

/// What the head of a response with a streamed body decides: [`decide_head`]'s answer.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "the pass-through is the common answer and carries its edits inline, as Decision does; the trimmer is boxed"
)]
#[must_use = "a pass-through's header edits must be applied; a trimmer must be fed the body"]
pub enum HeadDecision {
    /// The head alone decides: send the body as it comes, with these edits (at most `Vary`).
    PassThrough {
        /// Why the body is not trimmed.
        reason: PassThroughReason,
        /// The header edits to apply anyway.
        header_edits: HeaderEdits,
    },
    /// Only the body can decide: hold the head, feed the body to the [`Trimmer`].
    Read(Box<Trimmer>),
}

/// Decides what the main-only middleware does with a response whose body is still to come.
///
/// Applies [`decide_with`](super::decide_with)'s rules that need no body bytes, in the same order
/// and through the same functions: the request (rule 1), status and type (rule 2), codings and
/// `charset` (rule 3). When they all hold, the body decides the rest, and a [`Trimmer`] reads it.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{decide_head, HeadDecision, MainOnlyOptions, Request, TrimStep};
///
/// let head = decide_head(
///     Request::new("GET", &[("X-Djust-Main-Only", "1")]),
///     200,
///     &[("Content-Type", "text/html")],
///     &MainOnlyOptions::default(),
/// );
/// let HeadDecision::Read(mut trimmer) = head else { unreachable!() };
/// let mut out = Vec::new();
/// let mut steps = Vec::new();
/// for chunk in ["<nav>n</nav><ma", "in>HEL", "LO</main><footer>"] {
///     steps.push(trimmer.push(chunk.as_bytes(), &mut out).unwrap());
/// }
/// steps.push(trimmer.finish(&mut out).unwrap());
/// assert_eq!(out, b"HELLO");
/// assert!(matches!(steps.last(), Some(TrimStep::End | TrimStep::Whole { .. })));
/// ```
pub fn decide_head<RH, SH>(
    request: Request<'_, RH>,
    status: u16,
    headers: &SH,
    options: &MainOnlyOptions,
) -> HeadDecision
where
    RH: Headers + ?Sized,
    SH: Headers + ?Sized,
{
    decide_head_after(check_request(request), status, headers, options)
}

/// [`decide_head`] with the request's verdict already taken (the layer takes it before the
/// request moves into the inner service).
pub(super) fn decide_head_after<SH: Headers + ?Sized>(
    request: Result<(), PassThroughReason>,
    status: u16,
    headers: &SH,
    options: &MainOnlyOptions,
) -> HeadDecision {
    let content_type = head_content_type(status, headers);
    let vary = needs_vary(content_type, headers);
    let checked = request
        .and_then(|()| check_status_and_type(status, content_type))
        .and_then(|charset_is_utf8| check_coding(headers, charset_is_utf8));
    match checked {
        Ok(()) => HeadDecision::Read(Box::new(Trimmer {
            stream: MainStream::new(&ShellOptions::default()),
            held: Vec::new(),
            main: Vec::new(),
            phase: Phase::Holding,
            options: *options,
            vary,
            fields: Some(TrimHeaders::read(headers)),
        })),
        Err(reason) => HeadDecision::PassThrough {
            reason,
            header_edits: vary_edits(vary),
        },
    }
}

/// What the host does after a [`Trimmer::push`] or [`Trimmer::finish`].
///
/// The first step other than `Hold` carries the head's edits and is the only one that does;
/// `More` and `End` follow only a `Head`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a step says whether the head goes out and whether to read on"]
pub enum TrimStep {
    /// Nothing can be sent yet: keep the head, read the next chunk.
    Hold,
    /// The body passes through: send the head with these edits, then `out` (every byte pushed so
    /// far), then the rest of the body unmodified. Push no more.
    PassThrough {
        /// Why the body is not trimmed.
        reason: PassThroughReason,
        /// The header edits to apply (at most `Vary`).
        header_edits: HeaderEdits,
    },
    /// Trim, streaming: send the head with these edits (`Content-Length` removed, since the
    /// length is not known yet) and `out` as the start of main's inner HTML; push on.
    Head {
        /// The trim edits of rule 4, but for `Content-Length`.
        header_edits: HeaderEdits,
    },
    /// Trim, complete: send the head with these edits (`Content-Length` set) and `out` as the
    /// whole body. Read no more.
    Whole {
        /// The trim edits of rule 4, exactly as [`decide_with`](super::decide_with) makes them.
        header_edits: HeaderEdits,
    },
    /// After a `Head`: `out` gained the bytes of main that settled (maybe none); push on.
    More,
    /// After a `Head`: `out` has the last of main. Read no more: drop the body.
    End,
}

/// Why a trimmed body cannot be completed after its head went out.
///
/// The head promised main's inner HTML; the only honest end is an error (hyper then aborts the
/// response, and djust's client reloads the full page), never a short success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrimError {
    /// The stream failed after the head went out: its hold-back limit, or a byte that is not
    /// UTF-8.
    #[error("the main stream failed after the head was sent")]
    Stream(#[from] StreamError),
    /// The stream reported main as certain, then did not find it at the end.
    #[error("main was reported certain but not found at the end of the body")]
    MainLost,
}

/// Where the trimmer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Seeking `<main>`: every byte is held, the head waits.
    Holding,
    /// The head went out with the trim edits; main's bytes flow.
    Trimming,
    /// Decided and complete (pass-through, whole trim, end or error): nothing more to do.
    Finished,
}

/// The Sans-IO reader of a streamed body for the main-only decision.
///
/// Made by [`decide_head`] when the head alone cannot decide. It holds every byte pushed while
/// `<main>` is not yet certain (at most [`MainOnlyOptions::prefix_limit`] plus the chunk that
/// crosses it), so a pass-through can still send them unmodified; once main is certain it lets
/// the head go out with the trim edits and passes on main's inner HTML as it settles.
///
/// # Drive loop
///
/// 1. For each chunk of the body, call [`push`](Self::push); on end of body, call
///    [`finish`](Self::finish). Both append what may be sent to `out`.
/// 2. Act on the [`TrimStep`]: `Hold` (read on), `PassThrough` (head with its edits, `out`, then
///    the rest of the body as it comes), `Head` (head, `out`, read on), `Whole` (head with
///    `Content-Length`, `out`, done), `More` (send `out`, read on), `End` (send `out`, drop the
///    body).
/// 3. An error after a `Head` means the body cannot be completed: end it with an error.
///
/// Once finished, further calls append nothing and return [`TrimStep::End`].
///
/// # Differences from [`decide_with`](super::decide_with)
///
/// Where every byte of the page is pushed before main's end is certain (a body of one frame, or
/// main ending in the last one), the decision and the bytes are exactly `decide_with`'s. Where the
/// head goes out earlier:
/// - the bytes after main's end are not read, so a non-UTF-8 byte there does not prevent a trim;
/// - a non-UTF-8 byte inside main, or the stream's hold-back limit, ends with a [`TrimError`];
/// - `Content-Length` is removed instead of set;
/// - a page that does not show main within the prefix limit passes through as
///   [`PrefixLimit`](PassThroughReason::PrefixLimit).
#[derive(Debug)]
pub struct Trimmer {
    stream: MainStream,
    /// Every byte pushed while holding.
    held: Vec<u8>,
    /// Main's bytes settled while holding.
    main: Vec<u8>,
    phase: Phase,
    options: MainOnlyOptions,
    vary: bool,
    /// Taken when the trim edits are made.
    fields: Option<TrimHeaders>,
}

impl Trimmer {
    /// Feeds the next chunk of the body; appends to `out` what may be sent now.
    ///
    /// # Errors
    ///
    /// After a [`TrimStep::Head`] only: see [`TrimError`]. Before it, every failure is a
    /// [`TrimStep::PassThrough`].
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<TrimStep, TrimError> {
        match self.phase {
            Phase::Finished => Ok(TrimStep::End),
            Phase::Trimming => self.push_trimming(chunk, out),
            Phase::Holding => {
                self.held.extend_from_slice(chunk);
                let state = match self.stream.push(chunk, &mut self.main) {
                    Ok(state) => state,
                    Err(error) => return Ok(self.pass_through(held_reason(&error), out)),
                };
                match state {
                    StreamState::Seeking if self.held.len() > self.options.prefix_limit => {
                        Ok(self.pass_through(PassThroughReason::PrefixLimit, out))
                    }
                    StreamState::Seeking => Ok(TrimStep::Hold),
                    StreamState::InMain => Ok(self.head(out)),
                    StreamState::Done => Ok(self.whole(out)),
                }
            }
        }
    }

    /// Ends the body; appends to `out` what is left to send.
    ///
    /// # Errors
    ///
    /// After a [`TrimStep::Head`] only: see [`TrimError`].
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<TrimStep, TrimError> {
        match self.phase {
            Phase::Finished => Ok(TrimStep::End),
            Phase::Trimming => {
                self.phase = Phase::Finished;
                match self.stream.finish(out)? {
                    true => Ok(TrimStep::End),
                    false => Err(TrimError::MainLost),
                }
            }
            Phase::Holding => match self.stream.finish(&mut self.main) {
                Ok(true) => Ok(self.whole(out)),
                Ok(false) => match missing_main(&self.options) {
                    Ok(()) => {
                        self.main.clear();
                        Ok(self.whole(out))
                    }
                    Err(reason) => Ok(self.pass_through(reason, out)),
                },
                Err(error) => Ok(self.pass_through(held_reason(&error), out)),
            },
        }
    }

    /// Gives up on a body that failed before the head went out: appends every byte pushed so far
    /// to `out` and returns the pass-through's header edits (at most `Vary`), for the head the host
    /// sends before it ends the body with the failure. Returns no edits once a head went out.
    pub fn abandon(&mut self, out: &mut Vec<u8>) -> HeaderEdits {
        match self.phase {
            Phase::Holding => self.release(out),
            Phase::Trimming | Phase::Finished => {
                self.phase = Phase::Finished;
                HeaderEdits::default()
            }
        }
    }

    /// Whether the decision is made and complete: nothing more will be appended.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    fn push_trimming(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<TrimStep, TrimError> {
        match self.stream.push(chunk, out) {
            Ok(StreamState::Done) => {
                self.phase = Phase::Finished;
                Ok(TrimStep::End)
            }
            Ok(StreamState::Seeking | StreamState::InMain) => Ok(TrimStep::More),
            Err(error) => {
                self.phase = Phase::Finished;
                Err(error.into())
            }
        }
    }

    fn pass_through(&mut self, reason: PassThroughReason, out: &mut Vec<u8>) -> TrimStep {
        TrimStep::PassThrough {
            reason,
            header_edits: self.release(out),
        }
    }

    /// Finishes holding without a trim: the held bytes go to `out`; returns the pass-through edits.
    fn release(&mut self, out: &mut Vec<u8>) -> HeaderEdits {
        self.phase = Phase::Finished;
        out.append(&mut self.held);
        self.main = Vec::new();
        vary_edits(self.vary)
    }

    fn head(&mut self, out: &mut Vec<u8>) -> TrimStep {
        self.phase = Phase::Trimming;
        self.held = Vec::new();
        out.append(&mut self.main);
        TrimStep::Head {
            header_edits: self.trim_edits(None),
        }
    }

    fn whole(&mut self, out: &mut Vec<u8>) -> TrimStep {
        self.phase = Phase::Finished;
        self.held = Vec::new();
        let len = self.main.len();
        out.append(&mut self.main);
        TrimStep::Whole {
            header_edits: self.trim_edits(Some(len)),
        }
    }

    fn trim_edits(&mut self, len: Option<usize>) -> HeaderEdits {
        let fields = self
            .fields
            .take()
            .expect("the trim edits are made once, when the head goes out");
        trim_edits(self.vary, fields, len)
    }
}

/// Why a stream error while the head is held makes the body pass through: a byte that is not
/// UTF-8 is rule 3's [`NotUtf8`](PassThroughReason::NotUtf8); the hold-back limit means main is
/// not certain within what may be held, as [`PrefixLimit`](PassThroughReason::PrefixLimit).
fn held_reason(error: &StreamError) -> PassThroughReason {
    match error {
        StreamError::InvalidUtf8 { .. } => PassThroughReason::NotUtf8,
        // `Finished` cannot happen here (the trimmer stops calling the stream once it finishes),
        // and whatever the stream cannot do is safely a pass-through.
        StreamError::HoldBackLimit { .. } | StreamError::Finished => PassThroughReason::PrefixLimit,
    }
}

#[cfg(test)]
#[path = "streaming_tests.rs"]
mod tests;
