//! The response body of [`MainOnlyLayer`](super::MainOnlyLayer) (feature `tower`): the upstream
//! body passed through, replayed after it was held, or trimmed to main's inner HTML as it settles.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use super::{DIGEST_FIELDS, TrimError, TrimStep, Trimmer};

/// Why a [`MainOnlyBody`] ends with an error instead of its last frame.
///
/// Either way the client must not take the body for complete: hyper aborts the response (HTTP/1:
/// closes the connection before the last chunk; HTTP/2: resets the stream), and djust's client
/// reloads the full page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError<E> {
    /// The upstream body failed; the error is its own.
    #[error("the upstream body failed")]
    Upstream(#[source] E),
    /// The trimmed body cannot be completed after its head went out.
    #[error(transparent)]
    Trim(#[from] TrimError),
}

pin_project! {
    /// The response body of [`MainOnlyLayer`](super::MainOnlyLayer).
    ///
    /// A `Send` enum of states, like tower-http's `CompressionBody`:
    /// - **pass-through**: the upstream body itself, frame for frame (every response whose head
    ///   decides; nothing allocated);
    /// - **replay**: the bytes held while `<main>` was sought, then the rest of the upstream body
    ///   unmodified (no main in the prefix limit, not UTF-8);
    /// - **trimming**: main's inner HTML as it settles; the upstream body is dropped once main is
    ///   complete;
    /// - **buffered**: a body decided at its end (a whole trim, or a pass-through of a body that
    ///   ended while held), sent as one frame and its trailers.
    ///
    /// Trailers are forwarded whenever the upstream body is read to its end; those of a trimmed
    /// body lose the digest fields (`Content-MD5`, `Digest`, `Repr-Digest`), which describe the
    /// full page. An upstream error, or a [`TrimError`] after the head went out, ends the body with
    /// a [`BodyError`], never with a short success.
    pub struct MainOnlyBody<B>
    where
        B: Body,
    {
        #[pin]
        state: State<B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<B>
    where
        B: Body,
    {
        PassThrough {
            #[pin]
            body: B,
        },
        Replay {
            held: Option<Bytes>,
            body: Pin<Box<B>>,
        },
        Trimming {
            trimmer: Box<Trimmer>,
            // `None` once main is complete, the body ended, or it failed.
            body: Option<Pin<Box<B>>>,
            pending: Option<Bytes>,
            trailers: Option<HeaderMap>,
        },
        Buffered {
            data: Option<Bytes>,
            trailers: Option<HeaderMap>,
            error: Option<BodyError<B::Error>>,
        },
    }
}

impl<B: Body> MainOnlyBody<B> {
    /// The upstream body, untouched.
    pub(super) fn pass_through(body: B) -> Self {
        Self {
            state: State::PassThrough { body },
        }
    }

    /// The held bytes, then the rest of the upstream body.
    pub(super) fn replay(held: Vec<u8>, body: Pin<Box<B>>) -> Self {
        Self {
            state: State::Replay {
                held: non_empty(held),
                body,
            },
        }
    }

    /// Main's inner HTML from `first` on, as the trimmer settles it from the rest of `body`.
    pub(super) fn trimming(first: Vec<u8>, trimmer: Box<Trimmer>, body: Pin<Box<B>>) -> Self {
        Self {
            state: State::Trimming {
                trimmer,
                body: Some(body),
                pending: non_empty(first),
                trailers: None,
            },
        }
    }

    /// A body complete in memory: `data`, then `trailers` or `error`.
    pub(super) fn buffered(
        data: Vec<u8>,
        trailers: Option<HeaderMap>,
        error: Option<BodyError<B::Error>>,
    ) -> Self {
        Self {
            state: State::Buffered {
                data: non_empty(data),
                trailers,
                error,
            },
        }
    }
}

/// A data frame's bytes, or none for an empty buffer (an empty data frame is legal but useless).
fn non_empty(bytes: Vec<u8>) -> Option<Bytes> {
    (!bytes.is_empty()).then(|| Bytes::from(bytes))
}

/// The trailers of a trimmed body: the digest fields describe the full page, so they go.
pub(super) fn trimmed_trailers(mut trailers: HeaderMap) -> HeaderMap {
    for name in DIGEST_FIELDS {
        trailers.remove(name);
    }
    trailers
}

impl<B> Body for MainOnlyBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = BodyError<B::Error>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.project().state.project() {
            StateProj::PassThrough { body } => body
                .poll_frame(cx)
                .map(|frame| frame.map(|frame| frame.map_err(BodyError::Upstream))),
            StateProj::Replay { held, body } => match held.take() {
                Some(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
                None => body
                    .as_mut()
                    .poll_frame(cx)
                    .map(|frame| frame.map(|frame| frame.map_err(BodyError::Upstream))),
            },
            StateProj::Trimming {
                trimmer,
                body,
                pending,
                trailers,
            } => poll_trimming(cx, trimmer, body, pending, trailers),
            StateProj::Buffered {
                data,
                trailers,
                error,
            } => Poll::Ready(if let Some(data) = data.take() {
                Some(Ok(Frame::data(data)))
            } else if let Some(error) = error.take() {
                Some(Err(error))
            } else {
                trailers
                    .take()
                    .map(|trailers| Ok(Frame::trailers(trailers)))
            }),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.state {
            State::PassThrough { body } => body.is_end_stream(),
            State::Replay { held, body } => held.is_none() && body.is_end_stream(),
            State::Trimming {
                body,
                pending,
                trailers,
                ..
            } => body.is_none() && pending.is_none() && trailers.is_none(),
            State::Buffered {
                data,
                trailers,
                error,
            } => data.is_none() && trailers.is_none() && error.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.state {
            State::PassThrough { body } => body.size_hint(),
            State::Replay { held, body } => {
                let held = held.as_ref().map_or(0, |held| held.len() as u64);
                let rest = body.size_hint();
                let mut hint = SizeHint::new();
                hint.set_lower(rest.lower().saturating_add(held));
                if let Some(upper) = rest.upper().and_then(|upper| upper.checked_add(held)) {
                    hint.set_upper(upper);
                }
                hint
            }
            State::Trimming { body, pending, .. } => {
                let pending = pending.as_ref().map_or(0, |pending| pending.len() as u64);
                // Main's inner HTML is a serialisation: it can be longer than the bytes still to
                // come, so only a finished trim knows its length.
                if body.is_none() {
                    SizeHint::with_exact(pending)
                } else {
                    let mut hint = SizeHint::new();
                    hint.set_lower(pending);
                    hint
                }
            }
            State::Buffered { data, .. } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |data| data.len() as u64))
            }
        }
    }
}

/// What polling a [`MainOnlyBody`] for a frame gives.
type FramePoll<E> = Poll<Option<Result<Frame<Bytes>, BodyError<E>>>>;

/// One poll of a trimmed body: send what settled, else read one upstream frame and trim it.
/// Reads upstream only when nothing is pending, so at most one upstream frame is in memory beyond
/// what the stream holds back.
fn poll_trimming<B>(
    cx: &mut Context<'_>,
    trimmer: &mut Trimmer,
    body: &mut Option<Pin<Box<B>>>,
    pending: &mut Option<Bytes>,
    trailers: &mut Option<HeaderMap>,
) -> FramePoll<B::Error>
where
    B: Body<Data = Bytes>,
{
    loop {
        if let Some(data) = pending.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        let Some(upstream) = body.as_mut() else {
            return Poll::Ready(
                trailers
                    .take()
                    .map(|trailers| Ok(Frame::trailers(trailers))),
            );
        };
        let mut out = Vec::new();
        let step = match ready!(upstream.as_mut().poll_frame(cx)) {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => trimmer.push(&data, &mut out),
                Err(frame) => {
                    *trailers = frame.into_trailers().ok().map(trimmed_trailers);
                    *body = None;
                    trimmer.finish(&mut out)
                }
            },
            Some(Err(error)) => {
                *body = None;
                return Poll::Ready(Some(Err(BodyError::Upstream(error))));
            }
            None => {
                *body = None;
                trimmer.finish(&mut out)
            }
        };
        match step {
            Ok(TrimStep::More) => {}
            // After a head the trimmer steps only `More` or `End`: main is complete, and the rest
            // of the upstream body is never read.
            Ok(_) => *body = None,
            Err(error) => {
                *body = None;
                *trailers = None;
                return Poll::Ready(Some(Err(error.into())));
            }
        }
        *pending = non_empty(out);
    }
}
