//! Ingest benchmark: a generated 10 000-entry fiscal-year log uploaded with
//! `PUT /v1/logs/{fy}` through the Lambda handler, then the same log with one changed
//! line. Prints wall time, the process's peak memory, and DynamoDB write requests.
//!
//!     cargo run --release -p functions --example ingest_bench -- embedded
//!     AWS_ENDPOINT_URL=... cargo run --release -p functions --example ingest_bench -- dynamo
//!
//! `infra/bench/ingest.sh` starts moto and runs both.

use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use tm_aws::dynamo::DynamoStore;
use tm_aws::s3::S3ObjectStore;
use tm_core::domain::calendar::FiscalCalendar;
use tm_core::markdown::render_log;
use tm_embedded::EmbeddedStore;
use tm_service::context::AppContext;
use tm_service::http::routes::route_by_function;
use tm_testkit::generator::generate_entries;

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn put_log(ctx: &AppContext, text: &str, query: &str) -> serde_json::Value {
    let route = route_by_function("logs-put").unwrap();
    let raw = json!({
        "version": "2.0", "routeKey": "PUT /v1/logs/{fy}", "rawPath": "/v1/logs/2025-2026", "rawQueryString": query,
        "headers": {"content-type": "text/markdown"},
        "requestContext": {
            "accountId": "1", "apiId": "api", "domainName": "d", "domainPrefix": "d", "requestId": "r", "stage": "$default",
            "http": {"method": "PUT", "path": "/v1/logs/2025-2026", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "bench"},
            "routeKey": "PUT /v1/logs/{fy}", "time": "28/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": {"sub": "bench", "custom:tenant_id": "bench"}, "scopes": null}},
        },
        "isBase64Encoded": false, "pathParameters": {"fy": "2025-2026"}, "body": text,
    });
    let event = lambda_http::request::from_str(&raw.to_string()).unwrap();
    let response = functions::handle_event(&functions::Service::unscoped(ctx.clone()), route, event).await;
    let body = match response.body() {
        lambda_http::Body::Text(t) => t.clone(),
        _ => String::new(),
    };
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["status"], "applied", "{}", value["message"]);
    value
}

#[tokio::main]
async fn main() {
    let kind = std::env::args().nth(1).unwrap_or_else(|| "embedded".into());
    let mut dynamo = None;
    let ctx = match kind.as_str() {
        "dynamo" => {
            let name = format!("tm-bench-{}", uuid::Uuid::new_v4());
            let store = DynamoStore::from_env(&name).await;
            store.create_table().await.unwrap();
            let objects = S3ObjectStore::from_env(&name).await;
            objects.create_bucket().await.unwrap();
            dynamo = Some(store.clone());
            AppContext::new(Arc::new(store), Arc::new(objects))
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("tm-bench-{}", uuid::Uuid::new_v4()));
            EmbeddedStore::open(&dir).unwrap().context()
        }
    };
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let text = render_log("2025-2026", &generate_entries(42, &fy, 10_000));
    let line = text.lines().find(|l| l.starts_with("- **")).unwrap();
    let changed = text.replacen(line, &line.replacen("**: ", "**: Revised ", 1), 1);
    let writes = |d: &Option<DynamoStore>| d.as_ref().map(|d| d.write_counts()).unwrap_or_default();
    println!("store: {kind}; log: {} bytes, 10000 entries; peak memory before: {:.1} MiB", text.len(), peak_mib());

    let (w0, started) = (writes(&dynamo), Instant::now());
    let first = put_log(&ctx, &text, "").await;
    let (w1, elapsed) = (writes(&dynamo), started.elapsed());
    println!(
        "first upload:       {:>8.1} ms, inserted {}, peak memory {:.1} MiB, DynamoDB write requests {} ({} items)",
        elapsed.as_secs_f64() * 1000.0,
        first["summary"]["inserted"],
        peak_mib(),
        w1.0 - w0.0,
        w1.1 - w0.1
    );
    for round in 0..3 {
        let base = format!("baseVersion={}", first["logVersion"].as_u64().unwrap() + round);
        let body = if round % 2 == 0 { &changed } else { &text };
        let (w0, started) = (writes(&dynamo), Instant::now());
        let report = put_log(&ctx, body, &base).await;
        let (w1, elapsed) = (writes(&dynamo), started.elapsed());
        println!(
            "one changed line:   {:>8.1} ms, updated {}, peak memory {:.1} MiB, DynamoDB write requests {} ({} items)",
            elapsed.as_secs_f64() * 1000.0,
            report["summary"]["updated"],
            peak_mib(),
            w1.0 - w0.0,
            w1.1 - w0.1
        );
    }
    let (w0, started) = (writes(&dynamo), Instant::now());
    let same = put_log(&ctx, &changed, "").await;
    let w1 = writes(&dynamo);
    println!(
        "same file again:    {:>8.1} ms, unchanged {}, DynamoDB write requests {} ({} items)",
        started.elapsed().as_secs_f64() * 1000.0,
        same["summary"]["unchanged"],
        w1.0 - w0.0,
        w1.1 - w0.1
    );
}
