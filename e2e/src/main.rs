//! The e2e host: the site of [`site`] behind liveshell's main-only trimming, djust's real client,
//! a service worker (liveshell's or djust's), a WebSocket at djust's `/ws/live/` and the
//! `/__e2e/` endpoints the Playwright suite reads.
//!
//! ```text
//! e2e-host --djust-static DIR --worker liveshell|djust [--sw-dist DIR] [--corpus DIR]
//! ```
//!
//! Binds 127.0.0.1 on an ephemeral port and prints `listening http://127.0.0.1:PORT` on stdout.

mod site;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use liveshell::main_only::{MainOnlyLayer, MainOnlyOptions};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use site::Visit;

/// Which service worker `/static/djust/service-worker.js` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Worker {
    Liveshell,
    Djust,
}

/// One request the host saw.
#[derive(Debug, Clone, Serialize)]
struct Seen {
    seq: usize,
    /// Milliseconds since the host started.
    at_ms: f64,
    method: String,
    /// Path and query.
    path: String,
    main_only: Option<String>,
    sec_purpose: Option<String>,
    /// `liveshell::prefetch::is_speculative` of the request's headers.
    is_speculative: bool,
    sec_fetch_mode: Option<String>,
    sec_fetch_dest: Option<String>,
    service_worker: Option<String>,
}

struct Host {
    started: Instant,
    worker: Worker,
    djust_static: PathBuf,
    sw_dist: PathBuf,
    corpus: Option<PathBuf>,
    seen: Mutex<Vec<Seen>>,
    /// Text frames received on `/ws/live/`, in order.
    ws_frames: Mutex<Vec<String>>,
    /// The layout version pages render (bumped by `POST /__e2e/layout?v=N`).
    layout: AtomicU32,
    /// Whether `/ws/live/` accepts upgrades; turning it off also closes the open sockets.
    ws_accept: watch::Sender<bool>,
}

type Shared = Arc<Host>;

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap_or("<bytes>"))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Records every request outside `/__e2e/`.
async fn record(State(host): State<Shared>, request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or("/".to_owned(), ToString::to_string);
    if !path.starts_with("/__e2e/") {
        let headers = request.headers();
        let mut seen = host.seen.lock().expect("request log");
        let seq = seen.len();
        seen.push(Seen {
            seq,
            at_ms: host.started.elapsed().as_secs_f64() * 1000.0,
            method: request.method().to_string(),
            path,
            main_only: header_text(headers, "x-djust-main-only"),
            sec_purpose: header_text(headers, "sec-purpose"),
            is_speculative: liveshell::prefetch::is_speculative(headers),
            sec_fetch_mode: header_text(headers, "sec-fetch-mode"),
            sec_fetch_dest: header_text(headers, "sec-fetch-dest"),
            service_worker: header_text(headers, "service-worker"),
        });
    }
    next.run(request).await
}

/// The per-request latency: the `latency_ms` query parameter or the `X-E2E-Latency-Ms` header.
async fn latency(request: Request, next: Next) -> Response {
    let from_query = Visit::from_query(request.uri().query()).latency_ms;
    let from_header = request
        .headers()
        .get("x-e2e-latency-ms")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let ms = from_query.max(from_header);
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    next.run(request).await
}

async fn page(State(host): State<Shared>, request: Request) -> Response {
    let mut visit = Visit::from_query(request.uri().query());
    visit.layout = host.layout.load(Ordering::Relaxed);
    match site::page(request.uri().path(), &visit) {
        Some(html) => html_response(html),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// A page as a streamed body in 16 KiB frames, as a template rendered chunk by chunk would send
/// it: `MainOnlyLayer` trims it as it streams.
fn html_response(html: String) -> Response {
    let bytes = axum::body::Bytes::from(html);
    let frames: Vec<Result<axum::body::Bytes, std::convert::Infallible>> = (0..bytes.len())
        .step_by(PAGE_FRAME)
        .map(|at| Ok(bytes.slice(at..bytes.len().min(at + PAGE_FRAME))))
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(futures_util::stream::iter(frames)),
    )
        .into_response()
}

/// The frame size of a streamed page.
const PAGE_FRAME: usize = 16 * 1024;

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    }
}

/// A file under `root`; `rel` must not climb out of it. Served `no-cache` with an `ETag` (length
/// and modification time), so the browser's update checks of a worker and its imported scripts
/// revalidate with a 304, as from a real static server.
async fn file(root: &Path, rel: &str, if_none_match: Option<&HeaderValue>) -> Response {
    if rel.split('/').any(|part| part == ".." || part.is_empty()) {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    }
    let path = root.join(rel);
    let Ok(meta) = tokio::fs::metadata(&path).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = format!("\"{:x}-{modified:x}\"", meta.len());
    let headers = [
        (header::CONTENT_TYPE, content_type(&path).to_owned()),
        (header::CACHE_CONTROL, "no-cache".to_owned()),
        (header::ETAG, etag.clone()),
    ];
    if if_none_match.is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => (headers, bytes).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `/static/djust/*`: djust's client, and the worker chosen at start with the files it loads.
async fn static_djust(
    State(host): State<Shared>,
    UrlPath(rel): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let tag = headers.get(header::IF_NONE_MATCH);
    let mut response = match (rel.as_str(), host.worker) {
        ("service-worker.js", Worker::Djust) => file(&host.djust_static, &rel, tag).await,
        (_, Worker::Liveshell) if rel != "client.js" => file(&host.sw_dist, &rel, tag).await,
        _ => file(&host.djust_static, &rel, tag).await,
    };
    if rel == "service-worker.js" {
        response
            .headers_mut()
            .insert("service-worker-allowed", HeaderValue::from_static("/"));
    }
    response
}

async fn corpus(State(host): State<Shared>, UrlPath(name): UrlPath<String>) -> Response {
    match &host.corpus {
        Some(dir) => file(dir, &name, None).await,
        None => (StatusCode::NOT_FOUND, "no corpus").into_response(),
    }
}

async fn corpus_list(State(host): State<Shared>) -> Json<Vec<String>> {
    let mut names = Vec::new();
    if let Some(dir) = &host.corpus
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        names = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".html"))
            .collect();
    }
    names.sort();
    Json(names)
}

async fn ws_live(State(host): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    if !*host.ws_accept.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "sockets off").into_response();
    }
    upgrade.on_upgrade(move |socket| serve_socket(host, socket))
}

async fn serve_socket(host: Shared, mut socket: WebSocket) {
    let mut accept = host.ws_accept.subscribe();
    loop {
        tokio::select! {
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) => {
                    host.ws_frames.lock().expect("frames").push(text.to_string());
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
            changed = accept.changed() => {
                if changed.is_err() || !*accept.borrow() {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct Accept {
    accept: u8,
}

async fn ws_control(State(host): State<Shared>, Query(q): Query<Accept>) -> StatusCode {
    host.ws_accept.send_replace(q.accept == 1);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Layout {
    v: u32,
}

async fn layout(State(host): State<Shared>, Query(q): Query<Layout>) -> StatusCode {
    host.layout.store(q.v, Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

async fn ws_frames(State(host): State<Shared>) -> Json<Vec<String>> {
    Json(host.ws_frames.lock().expect("frames").clone())
}

async fn ws_frames_clear(State(host): State<Shared>) -> StatusCode {
    host.ws_frames.lock().expect("frames").clear();
    StatusCode::NO_CONTENT
}

async fn requests(State(host): State<Shared>) -> Json<Vec<Seen>> {
    Json(host.seen.lock().expect("request log").clone())
}

async fn requests_clear(State(host): State<Shared>) -> StatusCode {
    host.seen.lock().expect("request log").clear();
    StatusCode::NO_CONTENT
}

async fn info(State(host): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "worker": host.worker,
        "hard": site::HARD,
        "sections": site::SECTIONS,
    }))
}

fn binary(content_type: &'static str, body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}

fn router(host: Shared) -> Router {
    let pages = Router::new()
        .route("/", get(page))
        .route("/{section}/{n}/", get(page))
        .layer(MainOnlyLayer::new(MainOnlyOptions::default()))
        .layer(middleware::from_fn(latency));
    Router::new()
        .merge(pages)
        .route(
            "/files/report.pdf",
            get(|| async { binary("application/pdf", site::pdf()) }),
        )
        .route(
            "/api/data.json",
            get(|| async { binary("application/json", site::json()) }),
        )
        .route("/static/djust/{*rel}", get(static_djust))
        .route("/corpus/{name}", get(corpus))
        .route("/ws/live/", get(ws_live))
        .route("/__e2e/info", get(info))
        .route("/__e2e/corpus", get(corpus_list))
        .route("/__e2e/requests", get(requests).delete(requests_clear))
        .route("/__e2e/ws", axum::routing::post(ws_control))
        .route("/__e2e/layout", axum::routing::post(layout))
        .route("/__e2e/ws/frames", get(ws_frames).delete(ws_frames_clear))
        .layer(middleware::from_fn_with_state(host.clone(), record))
        .with_state(host)
}

struct Args {
    worker: Worker,
    djust_static: PathBuf,
    sw_dist: PathBuf,
    corpus: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut worker = None;
    let mut djust_static = None;
    let mut sw_dist = PathBuf::from("../sw/dist");
    let mut corpus = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--worker" => {
                worker = Some(match value.as_str() {
                    "liveshell" => Worker::Liveshell,
                    "djust" => Worker::Djust,
                    other => return Err(format!("unknown worker {other}")),
                });
            }
            "--djust-static" => djust_static = Some(PathBuf::from(value)),
            "--sw-dist" => sw_dist = PathBuf::from(value),
            "--corpus" => corpus = Some(PathBuf::from(value)),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let djust_static = djust_static.ok_or("--djust-static DIR is required")?;
    if !djust_static.join("client.js").is_file() {
        return Err(format!("no client.js in {}", djust_static.display()));
    }
    let worker = worker.ok_or("--worker liveshell|djust is required")?;
    if worker == Worker::Liveshell && !sw_dist.join("service-worker.js").is_file() {
        return Err(format!("no service-worker.js in {}", sw_dist.display()));
    }
    Ok(Args {
        worker,
        djust_static,
        sw_dist,
        corpus,
    })
}

#[tokio::main(worker_threads = 2)]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("e2e-host: {message}");
            std::process::exit(2);
        }
    };
    #[expect(
        clippy::disallowed_methods,
        reason = "the host is I/O, not the Sans-IO core: it timestamps the requests it logs"
    )]
    let started = Instant::now();
    let host = Arc::new(Host {
        started,
        worker: args.worker,
        djust_static: args.djust_static,
        sw_dist: args.sw_dist,
        corpus: args.corpus,
        seen: Mutex::new(Vec::new()),
        ws_frames: Mutex::new(Vec::new()),
        ws_accept: watch::Sender::new(true),
        layout: AtomicU32::new(1),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    println!("listening http://{addr}");
    axum::serve(listener, router(host))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .expect("serve");
}
