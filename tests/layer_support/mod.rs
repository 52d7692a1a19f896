//! Shared by the layer tests: a scripted upstream body that records what was pulled from it and
//! whether it was dropped, and the services that serve it.

#![allow(dead_code, reason = "each test file uses its own part of the support")]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// One step of a scripted body.
#[derive(Debug, Clone)]
pub enum Step {
    /// A data frame.
    Data(Bytes),
    /// Wait this long before the next step.
    Wait(Duration),
    /// A trailers frame (the end).
    Trailers(HeaderMap),
    /// An error frame.
    Fail,
    /// Never another frame.
    Stall,
}

/// Data frames of `page` cut every `size` bytes.
pub fn chunks(page: &str, size: usize) -> Vec<Step> {
    page.as_bytes()
        .chunks(size)
        .map(|chunk| Step::Data(Bytes::copy_from_slice(chunk)))
        .collect()
}

/// Data frames of `page` cut every `size` bytes, with `wait` between them.
pub fn slow_chunks(page: &str, size: usize, wait: Duration) -> Vec<Step> {
    let mut steps = Vec::new();
    for chunk in page.as_bytes().chunks(size) {
        if !steps.is_empty() {
            steps.push(Step::Wait(wait));
        }
        steps.push(Step::Data(Bytes::copy_from_slice(chunk)));
    }
    steps
}

/// What the test can see of a scripted body from outside.
#[derive(Debug, Clone, Default)]
pub struct Probe(Arc<ProbeState>);

#[derive(Debug, Default)]
struct ProbeState {
    dropped: AtomicBool,
    frames: AtomicUsize,
    bytes: AtomicUsize,
    ended_at: Mutex<Option<Instant>>,
    dropped_notify: tokio::sync::Notify,
}

impl Probe {
    /// Whether the body was dropped.
    pub fn dropped(&self) -> bool {
        self.0.dropped.load(Ordering::SeqCst)
    }

    /// Waits until the body is dropped; false after `within`.
    pub async fn wait_dropped(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while !self.dropped() {
            let notified = self.0.dropped_notify.notified();
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.dropped();
            }
        }
        true
    }

    /// How many frames were pulled.
    pub fn frames(&self) -> usize {
        self.0.frames.load(Ordering::SeqCst)
    }

    /// How many data bytes were pulled.
    pub fn bytes(&self) -> usize {
        self.0.bytes.load(Ordering::SeqCst)
    }

    /// When the body produced its end (its last frame or `None`), if it did.
    pub fn ended_at(&self) -> Option<Instant> {
        *self.0.ended_at.lock().unwrap()
    }
}

/// An upstream body that plays its steps.
#[derive(Debug)]
pub struct Scripted {
    steps: VecDeque<Step>,
    sleep: Option<Pin<Box<Sleep>>>,
    hint: Option<u64>,
    probe: Probe,
}

impl Scripted {
    pub fn new(steps: Vec<Step>, probe: &Probe) -> Self {
        Self {
            steps: steps.into(),
            sleep: None,
            hint: None,
            probe: probe.clone(),
        }
    }

    /// Reports an exact size hint (a body with a known length).
    pub fn exact(mut self) -> Self {
        let len = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Data(data) => data.len() as u64,
                _ => 0,
            })
            .sum();
        self.hint = Some(len);
        self
    }

    fn end(&self) {
        self.probe
            .0
            .ended_at
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.probe.0.dropped.store(true, Ordering::SeqCst);
        self.probe.0.dropped_notify.notify_waiters();
    }
}

impl Body for Scripted {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        loop {
            if let Some(sleep) = self.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.sleep = None;
            }
            let Some(step) = self.steps.pop_front() else {
                self.end();
                return Poll::Ready(None);
            };
            match step {
                Step::Wait(wait) => self.sleep = Some(Box::pin(tokio::time::sleep(wait))),
                Step::Stall => {
                    self.steps.push_front(Step::Stall);
                    return Poll::Pending;
                }
                Step::Data(data) => {
                    self.probe.0.frames.fetch_add(1, Ordering::SeqCst);
                    self.probe.0.bytes.fetch_add(data.len(), Ordering::SeqCst);
                    if self.steps.is_empty() {
                        self.end();
                    }
                    if let Some(hint) = self.hint.as_mut() {
                        *hint -= data.len() as u64;
                    }
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Step::Trailers(trailers) => {
                    self.probe.0.frames.fetch_add(1, Ordering::SeqCst);
                    self.end();
                    return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
                }
                Step::Fail => {
                    self.end();
                    return Poll::Ready(Some(Err(io::Error::other("upstream failed"))));
                }
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.hint.map_or_else(SizeHint::new, SizeHint::with_exact)
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty()
    }
}

/// A response with these headers and a scripted body.
pub fn response(headers: &[(&str, &str)], body: Scripted) -> http::Response<Scripted> {
    let mut response = http::Response::new(body);
    for (name, value) in headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    response
}

/// A service that answers every request with one scripted response (built per call).
pub fn serve<R, F>(
    make: F,
) -> impl tower::Service<
    http::Request<R>,
    Response = http::Response<Scripted>,
    Error = Infallible,
    Future = std::future::Ready<Result<http::Response<Scripted>, Infallible>>,
> + Clone
where
    F: Fn() -> http::Response<Scripted> + Clone,
{
    tower::service_fn(move |_request: http::Request<R>| std::future::ready(Ok(make())))
}

/// A main-only request for `/`.
pub fn ask() -> http::Request<()> {
    http::Request::get("/")
        .header("X-Djust-Main-Only", "1")
        .body(())
        .unwrap()
}

/// A plain request for `/`.
pub fn plain() -> http::Request<()> {
    http::Request::get("/").body(()).unwrap()
}
