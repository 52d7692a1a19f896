//! The main-only middleware as a tower layer (feature `tower`): [`MainOnlyLayer`], its service
//! [`MainOnly`] and response future [`MainOnlyFuture`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::response::Parts;
use http_body::Body;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::OptionsError;

use super::body::{BodyError, MainOnlyBody, trimmed_trailers};
use super::http::apply_edits;
use super::streaming::decide_head_after;
use super::{
    HeadDecision, MainOnlyOptions, PassThroughReason, Request, TrimStep, Trimmer, check_request,
};

/// The main-only middleware for tower, hyper and axum: trims a streamed response to the inner
/// HTML of its `<main>` when the request asks for it.
///
/// Wraps a service whose responses are `http::Response<B>` with `B: http_body::Body<Data =
/// Bytes>`; its responses are `http::Response<MainOnlyBody<B>>`. It decides through
/// [`decide_head`](super::decide_head) and a [`Trimmer`], with the same checks and edits as
/// [`decide_with`](super::decide_with) (the [`Trimmer`] docs list where a head sent before the
/// body's end must differ), and streams:
///
/// 1. A request that does not ask (or is not `GET`), and any response whose head decides (status,
///    type, codings, `charset`), goes through untouched but for `decide`'s edits (the `Vary`
///    member); the body is the upstream body itself.
/// 2. Otherwise the head waits while the body is read through a [`Trimmer`]: every byte is held
///    while it is not certain where `<main>` starts, up to
///    [`MainOnlyOptions::prefix_limit`] (plus the frame that crosses it).
/// 3. Once main is certain, the head goes out with the trim edits (marker, weak `ETag`, digests
///    removed, and no `Content-Length`: the trimmed length is not known yet, and hyper trusts the
///    field) and main's inner HTML follows as it settles. Once main is complete, the upstream body
///    is dropped. A body whose main completes before the head goes out (one frame, or main in the
///    last frames) is sent whole, with `Content-Length`, exactly as `decide` would.
/// 4. No main, the prefix limit, a byte that is not UTF-8 while the head waits: the head goes out
///    with the pass-through edits and the body is the held bytes, then the rest of the upstream
///    body, unmodified.
/// 5. An upstream error, or the stream's hold-back limit or a non-UTF-8 byte after the head went
///    out: the body ends with a [`BodyError`], never a short success. hyper then aborts the
///    response and djust's client reloads the full page.
///
/// The inner service's `poll_ready` is forwarded.
///
/// # Order with compression
///
/// Put compression *outside* (first in a `ServiceBuilder`, or added after this layer on an
/// axum `Router`): it then compresses the trimmed body, and `Vary` lists both
/// `X-Djust-Main-Only` and `Accept-Encoding`. Inside, this layer sees an encoded body and passes
/// it through untouched ([`Encoded`](PassThroughReason::Encoded)): valid, but never trimmed. Note
/// that tower-http's gzip encoder holds small chunks until its buffer fills or the body ends
/// (tower-http issue #292), so over compression main's first bytes reach the client later than
/// they settle.
///
/// # Examples
///
/// ```
/// use liveshell::main_only::{MainOnlyLayer, MainOnlyOptions};
/// use tower::ServiceBuilder;
/// use tower_http::compression::CompressionLayer;
///
/// let page = |_request: http::Request<()>| async {
///     let html = "<nav>n</nav><main>HELLO</main>";
///     let response = http::Response::builder()
///         .header("Content-Type", "text/html")
///         .body(http_body_util::Full::new(bytes::Bytes::from(html)))
///         .unwrap();
///     Ok::<_, std::convert::Infallible>(response)
/// };
/// let _service = ServiceBuilder::new()
///     .layer(CompressionLayer::new()) // outside: compresses the trimmed body
///     .layer(MainOnlyLayer::new(MainOnlyOptions::default()))
///     .service_fn(page);
/// assert!(MainOnlyLayer::try_new(MainOnlyOptions::default().prefix_limit(usize::MAX)).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MainOnlyLayer {
    options: MainOnlyOptions,
}

impl MainOnlyLayer {
    /// A layer that decides with `options`. A [`prefix_limit`](MainOnlyOptions::prefix_limit)
    /// above [`shell::MAX_PAGE_LEN`](crate::shell::MAX_PAGE_LEN) (the only value
    /// [`validate`](MainOnlyOptions::validate) refuses) counts as that limit; use
    /// [`try_new`](Self::try_new) to have it refused instead.
    #[must_use]
    pub fn new(options: MainOnlyOptions) -> Self {
        Self {
            options: usable(options),
        }
    }

    /// A layer that decides with `options`, once they [`validate`](MainOnlyOptions::validate).
    ///
    /// # Errors
    ///
    /// The options' [`validate`](MainOnlyOptions::validate) error.
    pub fn try_new(options: MainOnlyOptions) -> Result<Self, OptionsError> {
        options.validate()?;
        Ok(Self { options })
    }
}

/// `options` with a prefix limit above the largest page counted as that limit.
fn usable(options: MainOnlyOptions) -> MainOnlyOptions {
    let limit = options.prefix_limit_bytes().min(crate::shell::MAX_PAGE_LEN);
    options.prefix_limit(limit)
}

impl<S> Layer<S> for MainOnlyLayer {
    type Service = MainOnly<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MainOnly {
            inner,
            options: self.options,
        }
    }
}

/// The service of [`MainOnlyLayer`]: the inner service with its responses trimmed.
#[derive(Debug, Clone)]
pub struct MainOnly<S> {
    inner: S,
    options: MainOnlyOptions,
}

impl<S> MainOnly<S> {
    /// Wraps `inner`, deciding with `options`, read as [`MainOnlyLayer::new`] reads them.
    #[must_use]
    pub fn new(inner: S, options: MainOnlyOptions) -> Self {
        Self {
            inner,
            options: usable(options),
        }
    }
}

impl<S, ReqBody, B> Service<http::Request<ReqBody>> for MainOnly<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<B>>,
    B: Body<Data = Bytes>,
{
    type Response = http::Response<MainOnlyBody<B>>;
    type Error = S::Error;
    type Future = MainOnlyFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        // Rule 1 is taken now: the request moves into the inner service.
        let verdict = check_request(Request::new(request.method().as_str(), request.headers()));
        MainOnlyFuture {
            inner: self.inner.call(request),
            verdict,
            options: self.options,
            reading: None,
        }
    }
}

pin_project! {
    /// The response future of [`MainOnly`]: the inner service's response, with its head held
    /// while the body decides.
    pub struct MainOnlyFuture<F, B>
    where
        B: Body,
    {
        #[pin]
        inner: F,
        verdict: Result<(), PassThroughReason>,
        options: MainOnlyOptions,
        reading: Option<Reading<B>>,
    }
}

/// A response whose head waits for its body.
struct Reading<B> {
    parts: Parts,
    body: Pin<Box<B>>,
    trimmer: Box<Trimmer>,
}

impl<F, B, E> Future for MainOnlyFuture<F, B>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    B: Body<Data = Bytes>,
{
    type Output = Result<http::Response<MainOnlyBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let Some(reading) = this.reading.as_mut() else {
                let (mut parts, body) = ready!(this.inner.as_mut().poll(cx))?.into_parts();
                match decide_head_after(
                    *this.verdict,
                    parts.status.as_u16(),
                    &parts.headers,
                    this.options,
                ) {
                    HeadDecision::PassThrough { header_edits, .. } => {
                        apply_edits(&mut parts.headers, &header_edits);
                        let body = MainOnlyBody::pass_through(body);
                        return Poll::Ready(Ok(http::Response::from_parts(parts, body)));
                    }
                    HeadDecision::Read(trimmer) => {
                        *this.reading = Some(Reading {
                            parts,
                            body: Box::pin(body),
                            trimmer,
                        });
                        continue;
                    }
                }
            };
            let mut out = Vec::new();
            let (step, trailers) = match ready!(reading.body.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => (reading.trimmer.push(&data, &mut out), None),
                    Err(frame) => (
                        reading.trimmer.finish(&mut out),
                        Some(frame.into_trailers().ok()),
                    ),
                },
                Some(Err(error)) => {
                    let Reading {
                        mut parts,
                        mut trimmer,
                        ..
                    } = this.reading.take().expect("read above");
                    apply_edits(&mut parts.headers, &trimmer.abandon(&mut out));
                    let body = MainOnlyBody::buffered(out, None, Some(BodyError::Upstream(error)));
                    return Poll::Ready(Ok(http::Response::from_parts(parts, body)));
                }
                None => (reading.trimmer.finish(&mut out), Some(None)),
            };
            let step = step.expect("a trimmer fails only after its head went out");
            if step == TrimStep::Hold {
                continue;
            }
            let reading = this.reading.take().expect("read above");
            return Poll::Ready(Ok(respond(reading, step, out, trailers)));
        }
    }
}

/// The response once the trimmer has decided: `out` holds what the step says to send first;
/// `trailers` is `Some` when the upstream body has ended (with its trailers, if any).
fn respond<B>(
    reading: Reading<B>,
    step: TrimStep,
    out: Vec<u8>,
    trailers: Option<Option<http::HeaderMap>>,
) -> http::Response<MainOnlyBody<B>>
where
    B: Body<Data = Bytes>,
{
    let Reading {
        mut parts,
        body,
        trimmer,
    } = reading;
    let body = match (step, trailers) {
        (TrimStep::PassThrough { header_edits, .. }, None) => {
            apply_edits(&mut parts.headers, &header_edits);
            MainOnlyBody::replay(out, body)
        }
        (TrimStep::PassThrough { header_edits, .. }, Some(trailers)) => {
            apply_edits(&mut parts.headers, &header_edits);
            MainOnlyBody::buffered(out, trailers, None)
        }
        (TrimStep::Head { header_edits }, None) => {
            apply_edits(&mut parts.headers, &header_edits);
            MainOnlyBody::trimming(out, trimmer, body)
        }
        (TrimStep::Whole { header_edits }, trailers) => {
            apply_edits(&mut parts.headers, &header_edits);
            MainOnlyBody::buffered(out, trailers.flatten().map(trimmed_trailers), None)
        }
        // The trimmer's first step other than `Hold` is a pass-through or a head; a head at the
        // end of the body is always `Whole`.
        (step, _) => unreachable!("{step:?} before the head went out"),
    };
    http::Response::from_parts(parts, body)
}
