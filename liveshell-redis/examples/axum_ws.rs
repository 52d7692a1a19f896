//! An axum WebSocket handler that consults the fleet's replay guard before applying an event.
//!
//! Each text frame is a stamped event as liveshell's `Outbox` sends it:
//! `{"clientId": "tab-1", "seq": 7, "payload": {...}}`. The handler applies it only when the
//! guard answers `Fresh`, and acknowledges the client's contiguous high-water mark so its
//! outbox can forget what the fleet has. Any guard error drops the event unapplied (fail
//! closed); the client keeps it and replays it on its next connection.
//!
//! ```sh
//! redis-server --port 6379 --save "" &
//! cargo run -p liveshell-redis --example axum_ws      # listens on 127.0.0.1:3000/ws
//! ```

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use liveshell::reconnect::{Stamped, Verdict};
use liveshell_redis::{GuardError, GuardOptions, RedisReplayGuard};

/// What every connection shares: the guard (one multiplexed Redis connection per server).
#[derive(Clone)]
struct App {
    guard: Arc<RedisReplayGuard>,
}

async fn ws(upgrade: WebSocketUpgrade, State(app): State<App>) -> Response {
    upgrade.on_upgrade(move |socket| session(socket, app))
}

async fn session(mut socket: WebSocket, app: App) {
    while let Some(Ok(message)) = socket.recv().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(event) = serde_json::from_str::<Stamped<serde_json::Value>>(&text) else {
            continue; // not a stamped event
        };
        match app.guard.check(&event.client_id, event.seq).await {
            Ok(Verdict::Fresh) => apply(&event.payload),
            Ok(Verdict::Duplicate) => {} // a replay of what some server already applied
            Err(GuardError::StateLost) => {
                // Redis lost the marks (restarted empty). Refuse until an operator, or a policy
                // here, accepts the loss with `guard.recover()`.
                eprintln!("replay state lost; refusing events until recovered");
                continue;
            }
            Err(error) => {
                eprintln!("replay guard unavailable, event not applied: {error}");
                continue;
            }
        }
        if let Ok(Some(acked)) = app.guard.acked(&event.client_id).await {
            let ack = serde_json::json!({"type": "ack", "clientId": event.client_id, "seq": acked});
            if socket
                .send(Message::Text(ack.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// The application's handler for one event, called at most once per `(clientId, seq)`.
fn apply(payload: &serde_json::Value) {
    println!("applying {payload}");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let guard =
        RedisReplayGuard::connect("redis://127.0.0.1:6379/", GuardOptions::default()).await?;
    let app = Router::new().route("/ws", get(ws)).with_state(App {
        guard: Arc::new(guard),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
