//! `GET /live?token=…[&since=…]`: the real-time channel as a WebSocket (docs/live.md).
//! The token goes in the query because a browser's WebSocket cannot send headers (as
//! with API Gateway's WebSocket `$connect`); request logs never carry the query. The
//! connection is refused before the upgrade as a request would be (401, 403, 400), and
//! closed when its token expires (4001) or the person is disabled or removed (4003).

use crate::server::AppState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tm_service::auth::Principal;
use tm_service::handlers::live::{ClientMessage, LiveSession};
use tm_service::http::ApiError;

/// A ping this often keeps proxies from closing an idle connection.
const PING_EVERY: Duration = Duration::from_secs(25);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveQuery {
    token: Option<String>,
    since: Option<String>,
}

pub async fn live(
    State(state): State<Arc<AppState>>,
    query: Result<Query<LiveQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    async {
        let Query(query) = query
            .map_err(|e| ApiError::bad_request("unknown-parameter", format!("{e}; /live takes token and since")))?;
        let token = query.token.filter(|t| !t.is_empty()).ok_or_else(|| {
            ApiError::unauthorized(
                "pass your ID token as ?token=…: a browser's WebSocket cannot send an Authorization header",
            )
        })?;
        let claims = state.verifier.verify(&token).await.map_err(|e| ApiError::unauthorized(e.0))?;
        let principal = Principal::from_claims(&claims).map_err(|e| ApiError::unauthorized(e.0))?;
        let session = LiveSession::open(&state.ctx, &principal, query.since.as_deref()).await?;
        let upgrade = upgrade.map_err(|_| {
            ApiError::bad_request("websocket-required", "open /live as a WebSocket (Upgrade: websocket)")
        })?;
        let expires = claims.get("exp").and_then(serde_json::Value::as_u64).unwrap_or(0);
        Ok::<_, ApiError>(upgrade.on_upgrade(move |socket| serve(state, session, expires, socket)))
    }
    .await
    .unwrap_or_else(|e| e.into_api_response().into_response())
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

async fn serve(state: Arc<AppState>, mut session: LiveSession, expires: u64, mut socket: WebSocket) {
    let mut writes = state.store.writes();
    if socket.send(Message::Text(session.ready().to_json().into())).await.is_err() {
        return;
    }
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let expiry = tokio::time::sleep(Duration::from_secs(expires.saturating_sub(now)));
    tokio::pin!(expiry);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    // The feed is read at the start and after each write, never for a client's frames.
    let mut due = true;
    loop {
        if due {
            due = false;
            match session.next(&state.ctx).await {
                Ok(Some(message)) => {
                    if socket.send(Message::Text(message.to_json().into())).await.is_err() {
                        return;
                    }
                }
                Ok(None) => {}
                Err(e) if e.status == 403 => {
                    let _ = socket.send(close(4003, &e.message)).await;
                    return;
                }
                Err(e) => {
                    tracing::warn!(code = %e.code, "live: the feed could not be read; trying again at the next write")
                }
            }
        }
        tokio::select! {
            changed = writes.changed() => {
                if changed.is_err() {
                    return;
                }
                due = true;
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                // As API Gateway's `ready` route answers: where the connection stands.
                Some(Ok(Message::Text(text))) => {
                    if let Some(ClientMessage::Ready) = ClientMessage::parse(&text)
                        && socket.send(Message::Text(session.ready().to_json().into())).await.is_err()
                    {
                        return;
                    }
                }
                Some(Ok(_)) => {} // pings are answered by the socket; nothing else is expected
            },
            _ = &mut expiry => {
                let _ = socket.send(close(4001, "the token expired; connect again with a fresh one")).await;
                return;
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
}
