//! An axum app whose page is rendered in delayed chunks, served through `MainOnlyLayer` on
//! 127.0.0.1, fetched by a hyper client as a normal navigation and as the instant shell's
//! main-only fetch; prints when the head, main's first byte and the last byte arrive.
//!
//! ```sh
//! cargo run --example axum_stream --features tower
//! ```

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use bytes::Bytes;
use http_body::Frame;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use liveshell::main_only::{MainOnlyLayer, MainOnlyOptions};
use tokio::time::{Instant, Sleep};

/// A page as a template engine streams it: the shell at once, then main's parts as they render.
struct Rendering {
    parts: VecDeque<&'static str>,
    pause: Option<Pin<Box<Sleep>>>,
}

impl Rendering {
    fn page() -> Self {
        Self {
            parts: VecDeque::from([
                "<!DOCTYPE html><html><head><title>Orders</title></head><body><nav>menu</nav>",
                "<main><h1>Orders</h1>",
                "<p>order 1</p>",
                "<p>order 2</p>",
                "<p>order 3</p>",
                "</main><footer>footer</footer></body></html>",
            ]),
            pause: None,
        }
    }
}

impl http_body::Body for Rendering {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(pause) = self.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        // Each part takes 200 ms to render after the one before.
        self.pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(200))));
        Poll::Ready(
            self.parts
                .pop_front()
                .map(|part| Ok(Frame::data(Bytes::from(part)))),
        )
    }
}

async fn orders() -> http::Response<Body> {
    http::Response::builder()
        .header("Content-Type", "text/html; charset=utf-8")
        .body(Body::new(Rendering::page()))
        .expect("static headers")
}

/// One request over a fresh hyper connection, with the timings of its head and body.
async fn fetch(
    addr: std::net::SocketAddr,
    main_only: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut request = http::Request::get("/orders/").header("Host", addr.to_string());
    if main_only {
        request = request.header("X-Djust-Main-Only", "1");
    }
    let start = Instant::now();
    let response = sender
        .send_request(request.body(Empty::<Bytes>::new())?)
        .await?;
    let head = start.elapsed();
    let marker = response
        .headers()
        .contains_key("x-djust-main-only-response");
    let mut body = response.into_body();
    let (mut first, mut bytes) = (None, Vec::new());
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            first.get_or_insert_with(|| start.elapsed());
            bytes.extend_from_slice(&data);
        }
    }
    println!(
        "{:<10} head {head:>9.1?}  first byte {:>9.1?}  last byte {:>9.1?}  trimmed: {marker}\n           {}",
        if main_only { "main-only" } else { "full page" },
        first.unwrap_or_default(),
        start.elapsed(),
        String::from_utf8_lossy(&bytes),
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new()
        .route("/orders/", get(orders))
        .layer(MainOnlyLayer::new(MainOnlyOptions::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    fetch(addr, false).await?;
    fetch(addr, true).await?;
    server.abort();
    Ok(())
}
