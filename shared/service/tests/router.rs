//! The API's router as any deployment serves it: what the edge layer and the per-route
//! layers answer before and around a handler.

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use tm_embedded::EmbeddedStore;
use tm_service::api::Edge;
use tm_service::auth::Principal;
use tm_service::http::ApiError;
use tm_service::http::routes::{ROUTES, Route};
use tower::ServiceExt;

/// Every request comes from one verified user.
struct OneUser;

#[async_trait]
impl Edge for OneUser {
    async fn principal(&self, parts: &Parts) -> Result<Principal, ApiError> {
        if !parts.headers.contains_key("authorization") {
            return Err(ApiError::unauthorized("send a bearer token"));
        }
        let claims = json!({"sub": "router-user", "custom:tenant_id": "acme", "token_use": "id"});
        Principal::from_claims(claims.as_object().unwrap()).map_err(|e| ApiError::unauthorized(e.0))
    }
}

fn app(dir: &std::path::Path) -> Router {
    let store = EmbeddedStore::open(dir).unwrap();
    let routes: Vec<&'static Route> = ROUTES.iter().collect();
    tm_service::api::router(&routes, store.context(), Arc::new(OneUser), Router::new(), None)
}

async fn send(app: &Router, method: &str, path: &str, body: Vec<u8>) -> (Response<Body>, Value) {
    let (response, bytes) = send_raw(app, method, path, "application/json", body).await;
    (response, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn send_raw(
    app: &Router,
    method: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (Response<Body>, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", "Bearer test")
        .header("content-type", content_type)
        .header("x-request-id", "my-request")
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (Response::from_parts(parts, Body::empty()), bytes.to_vec())
}

#[tokio::test]
async fn the_router_answers_misses_and_limits_in_json_and_keeps_the_request_id() {
    let dir = std::env::temp_dir().join(format!("tm-router-{}", uuid::Uuid::new_v4()));
    let app = app(&dir);

    let entry = json!({"date": "2025-07-29", "startTime": "09:00", "endTime": "10:30", "task": "Routing", "project": "Café Déjà Vu"});
    let (created, body) = send(&app, "POST", "/v1/entries", entry.to_string().into_bytes()).await;
    assert_eq!(created.status(), 201, "{body}");
    assert_eq!(created.headers()["x-request-id"], "my-request", "the caller's request id comes back");

    // Path parameters arrive decoded; a trailing slash is the same route.
    let (summary, body) = send(&app, "GET", "/v1/projects/Caf%C3%A9%20D%C3%A9j%C3%A0%20Vu", Vec::new()).await;
    assert_eq!((summary.status().as_u16(), body["totalMinutes"].as_u64()), (200, Some(90)), "{body}");
    let (weekly, body) = send(&app, "GET", "/v1/reports/weekly/2025-07-29/", Vec::new()).await;
    assert_eq!(weekly.status(), 200, "{body}");

    let (missing, body) = send(&app, "GET", "/v1/nothing", Vec::new()).await;
    assert_eq!((missing.status().as_u16(), body["error"]["code"].as_str()), (404, Some("not-found")));
    let (wrong, body) = send(&app, "PUT", "/v1/entries/some-id", Vec::new()).await;
    assert_eq!((wrong.status().as_u16(), body["error"]["code"].as_str()), (405, Some("method-not-allowed")));
    assert_eq!(wrong.headers()["allow"], "GET, HEAD, PATCH, DELETE");
    assert!(body["error"]["message"].as_str().unwrap().contains("PATCH"), "{body}");

    // 1 MB for JSON, 5 MB for a whole log file; both answered before any handler runs.
    let big = format!(r#"{{"task": "{}"}}"#, "x".repeat(1024 * 1024 + 1));
    let (refused, body) = send(&app, "POST", "/v1/entries", big.into_bytes()).await;
    assert_eq!((refused.status().as_u16(), body["error"]["code"].as_str()), (413, Some("payload-too-large")));
    let log = "x".repeat(2 * 1024 * 1024);
    let (taken, body) = send(&app, "PUT", "/v1/logs/2025-2026", log.into_bytes()).await;
    assert_ne!(taken.status(), 413, "a 2 MB log is within the file limit: {body}");
    let log = "x".repeat(5 * 1024 * 1024 + 1);
    let (refused, body) = send(&app, "PUT", "/v1/logs/2025-2026", log.into_bytes()).await;
    assert_eq!(refused.status(), 413);
    assert!(body["error"]["message"].as_str().unwrap().contains("5 MB"), "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn every_published_log_version_reads_back_exactly_while_storing_only_what_changed() {
    let dir = std::env::temp_dir().join(format!("tm-versions-{}", uuid::Uuid::new_v4()));
    let app = app(&dir);
    let path = "/v1/logs/2025-2026";
    // A person's own file first (CRLF, their own heading), then API writes into it.
    let mut log = String::from("# My year\r\n\r\nNotes I keep.\r\n\r\n");
    for day in 1..=28 {
        log.push_str(&format!("### 2025-08-{day:02}\r\n\r\n- **09:00-10:00**: Work {day} [[Ops]]\r\n\r\n"));
    }
    let (put, body) = send_raw(&app, "PUT", path, "text/markdown", log.into_bytes()).await;
    assert_eq!(put.status(), 200, "{}", String::from_utf8_lossy(&body));
    let mut texts = vec![String::from_utf8(send_raw(&app, "GET", path, "text/markdown", Vec::new()).await.1).unwrap()];
    for n in 0..40 {
        let entry = if n % 3 == 2 {
            json!({"date": format!("2025-09-{:02}", n / 3 + 1), "startTime": "11:00", "endTime": "11:30", "task": format!("Review {n}")})
        } else {
            json!({"date": format!("2025-09-{:02}", n / 3 + 1), "startTime": format!("{:02}:00", 13 + n % 3), "endTime": format!("{:02}:45", 13 + n % 3), "task": format!("Task {n} ünïcode"), "tags": ["x"]})
        };
        let (created, body) = send(&app, "POST", "/v1/entries", entry.to_string().into_bytes()).await;
        assert_eq!(created.status(), 201, "{body}");
        texts.push(String::from_utf8(send_raw(&app, "GET", path, "text/markdown", Vec::new()).await.1).unwrap());
    }
    let (_, versions) = send(&app, "GET", &format!("{path}/versions"), Vec::new()).await;
    let listed = versions["versions"].as_array().unwrap();
    assert_eq!(listed.len(), 41, "{versions}");
    for (i, expected) in texts.iter().enumerate() {
        let version = i + 1;
        let (read, text) =
            send_raw(&app, "GET", &format!("{path}?version={version}"), "text/markdown", Vec::new()).await;
        assert_eq!(read.status(), 200);
        assert_eq!(&String::from_utf8(text).unwrap(), expected, "version {version} reads back as it was");
    }
    // Each version after the first full copy stores a patch of a few hundred bytes, with a
    // full copy again after 32 of them.
    let size = |v: u64| listed.iter().find(|l| l["version"] == v).unwrap()["size"].as_u64().unwrap();
    let full = size(1);
    assert!(full > 1000, "{versions}");
    for version in (2..=32).chain(34..=41) {
        assert!(size(version) < 400, "version {version} stores {} bytes: {versions}", size(version));
    }
    assert!(size(33) > full, "a full copy again: {versions}");
    assert!(listed.iter().all(|l| l["published"] == true));
    let _ = std::fs::remove_dir_all(&dir);
}
