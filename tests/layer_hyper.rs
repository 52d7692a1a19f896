//! `MainOnlyLayer` over real hyper 1 on 127.0.0.1 (ephemeral ports): main's first byte before the
//! upstream ends (measured), a slow reader, and a client that disconnects midway.

#![cfg(feature = "tower")]

mod layer_support;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1 as client;
use hyper::server::conn::http1 as server;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use layer_support::{Probe, Scripted, Step, chunks, response, serve, slow_chunks};
use liveshell::main_only::{MainOnlyLayer, MainOnlyOptions};
use liveshell::shell::main_inner;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tower::Layer;

const HTML: (&str, &str) = ("Content-Type", "text/html; charset=utf-8");

/// A hyper server on an ephemeral port serving `steps` through the layer; every connection's
/// task handle is sent on the returned channel, so a test can check it ended without a panic.
async fn start(
    steps: Vec<Step>,
    options: MainOnlyOptions,
    probe: &Probe,
) -> (
    SocketAddr,
    mpsc::UnboundedReceiver<JoinHandle<()>>,
    JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let probe = probe.clone();
    let service = MainOnlyLayer::new(options).layer(serve(move || {
        response(&[HTML], Scripted::new(steps.clone(), &probe))
    }));
    let (connections, handles) = mpsc::unbounded_channel();
    let accept = tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            let service = TowerToHyperService::new(service.clone());
            let connection = tokio::spawn(async move {
                // A client that goes away ends the connection with an error: expected here.
                let _ = server::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
            if connections.send(connection).is_err() {
                return;
            }
        }
    });
    (addr, handles, accept)
}

/// A hyper client connection; abort the returned task to drop the socket.
async fn connect(addr: SocketAddr) -> (client::SendRequest<Empty<Bytes>>, JoinHandle<()>) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (sender, connection) = client::handshake(TokioIo::new(stream)).await.unwrap();
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    (sender, task)
}

fn ask() -> http::Request<Empty<Bytes>> {
    http::Request::get("/")
        .header("X-Djust-Main-Only", "1")
        .header("Host", "127.0.0.1")
        .body(Empty::new())
        .unwrap()
}

#[tokio::test]
async fn the_client_gets_mains_first_byte_before_the_upstream_ends() {
    let head = "<!DOCTYPE html><html><head><title>t</title></head><body><nav>menu</nav><main><h1>First</h1>";
    let mut steps = vec![Step::Data(Bytes::from(head))];
    for i in 0..5 {
        steps.push(Step::Wait(Duration::from_millis(100)));
        steps.push(Step::Data(Bytes::from(format!("<p>part {i}</p>"))));
    }
    steps.push(Step::Wait(Duration::from_millis(100)));
    steps.push(Step::Data(Bytes::from(
        "</main><footer>f</footer></body></html>",
    )));
    let page: String = steps
        .iter()
        .filter_map(|s| match s {
            Step::Data(d) => Some(String::from_utf8(d.to_vec()).unwrap()),
            _ => None,
        })
        .collect();
    let probe = Probe::default();
    let (addr, _connections, _accept) = start(steps, MainOnlyOptions::default(), &probe).await;
    let (mut sender, _client) = connect(addr).await;

    let sent = Instant::now();
    let response = sender.send_request(ask()).await.unwrap();
    let head_at = Instant::now();
    let headers = response.headers().clone();
    let mut body = response.into_body();
    let mut received = Vec::new();
    let mut first_at = None;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            if !data.is_empty() {
                first_at.get_or_insert_with(Instant::now);
            }
            received.extend_from_slice(&data);
        }
    }
    let done_at = Instant::now();
    let first_at = first_at.expect("main has bytes");
    let upstream_end = probe.ended_at().expect("the upstream ended");
    println!(
        "time to head {:?}, to main's first byte {:?}, upstream end {:?}, last byte {:?}",
        head_at - sent,
        first_at - sent,
        upstream_end - sent,
        done_at - sent
    );
    assert_eq!(headers["x-djust-main-only-response"], "1");
    assert!(
        !headers.contains_key("content-length"),
        "streamed: no stale length"
    );
    assert_eq!(received, main_inner(&page).unwrap().as_bytes());
    assert!(
        first_at < upstream_end,
        "main's first byte arrived before the upstream ended"
    );
}

#[tokio::test]
async fn a_slow_reader_gets_every_byte_of_main() {
    let page = format!(
        "<nav>n</nav><main>{}</main><footer>f</footer>",
        "<p>row \u{e9}</p>".repeat(20_000)
    );
    let probe = Probe::default();
    let (addr, _connections, _accept) =
        start(chunks(&page, 4096), MainOnlyOptions::default(), &probe).await;
    let (mut sender, _client) = connect(addr).await;
    let response = sender.send_request(ask()).await.unwrap();
    assert_eq!(response.headers()["x-djust-main-only-response"], "1");
    let mut body = response.into_body();
    let mut received = Vec::new();
    let mut frames = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            received.extend_from_slice(&data);
            frames += 1;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    assert!(frames > 1, "read in several frames");
    assert_eq!(received, main_inner(&page).unwrap().as_bytes());
}

#[tokio::test]
async fn a_client_that_disconnects_midway_drops_the_upstream_without_a_panic() {
    let mut page = String::from("<nav>n</nav><main>");
    page.push_str(&"<p>endless</p>".repeat(300));
    let mut steps = vec![Step::Data(Bytes::from(page))];
    steps.extend(slow_chunks(
        &"<p>more</p>".repeat(400_000),
        4096,
        Duration::from_millis(5),
    ));
    let total: usize = steps
        .iter()
        .map(|s| match s {
            Step::Data(d) => d.len(),
            _ => 0,
        })
        .sum();
    let probe = Probe::default();
    // A small prefix limit, so the head goes out soon whichever MainStream decides.
    let options = MainOnlyOptions::default().prefix_limit(64 * 1024);
    let (addr, mut connections, _accept) = start(steps, options, &probe).await;
    let (mut sender, client) = connect(addr).await;
    let response = sender.send_request(ask()).await.unwrap();
    let mut body = response.into_body();
    let first = body.frame().await.expect("a first frame").unwrap();
    assert!(first.is_data());
    drop(body);
    drop(sender);
    client.abort();

    assert!(
        probe.wait_dropped(Duration::from_secs(10)).await,
        "the upstream body was dropped after the client left"
    );
    assert!(
        probe.bytes() < total,
        "the upstream was not read to its end"
    );
    let connection = connections.recv().await.expect("the connection was served");
    connection.await.expect("the connection task did not panic");
}
