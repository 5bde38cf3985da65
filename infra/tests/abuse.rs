//! What an attacker tried (issue 11), against the real `tm-local` over HTTP: crafted
//! cursors, foreign redirect URIs, password guessing, and uploads that dodge the API's
//! rules. Each case failed before its fix.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::time::Instant;
use support::{Server, signup};

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn crafted_cursors_are_refused_at_once() {
    let server = Server::start("abuse-cursors");
    let mallory = signup(&server.base, "mallory", Some("acme"), &[]).await;
    let (from, to) = ("2026-01-01", "2026-12-31");
    // The month inside the cursor once made one request walk every month since year 1.
    let crafted = [
        json!({"from": from, "to": to, "month": "0001-01-01", "after": "0001-01-01T00:00:00.000Z#x"}),
        json!({"from": from, "to": to, "month": "2026-03-01", "after": "2027-01-01T00:00:00.000Z#x"}),
        json!({"from": "2025-01-01", "to": to, "month": "2026-03-01", "after": "2026-03-02T00:00:00.000Z#x"}),
        json!({"month": "2026-03-01", "after": "2026-03-02T00:00:00.000Z#x"}),
    ];
    for cursor in crafted {
        let started = Instant::now();
        let reply = mallory.get(&format!("/v1/audit?from={from}&to={to}&cursor={}", b64(&cursor))).await;
        assert_eq!((reply.status, reply.code()), (400, "invalid-cursor".to_owned()), "{cursor}: {}", reply.text);
        assert!(started.elapsed().as_secs() < 5, "refused at once");
    }
    let good = json!({"from": from, "to": to, "month": "2026-03-01", "after": "2026-03-02T00:00:00.000Z#x"});
    let reply = mallory.get(&format!("/v1/audit?from={from}&to={to}&cursor={}", b64(&good))).await;
    assert_eq!(reply.status, 200, "a well-formed cursor of this listing: {}", reply.text);

    let entry_key = |key: &str| URL_SAFE_NO_PAD.encode(key);
    for key in ["E#", "E#0000-01-01T00:00#x", "E#2025-07-29T09:00#a#U#b", "TIMER", "PROFILE"] {
        let reply = mallory.get(&format!("/v1/entries?cursor={}", entry_key(key))).await;
        assert_eq!((reply.status, reply.code()), (400, "invalid-cursor".to_owned()), "{key}");
    }
    let offset = URL_SAFE_NO_PAD.encode("offset:99999999999");
    mallory.post("/v1/projects", r#"{"name": "Atlas"}"#).await;
    let reply = mallory.get(&format!("/v1/projects/Atlas?cursor={offset}")).await;
    assert_eq!((reply.status, reply.code()), (400, "invalid-cursor".to_owned()), "{}", reply.text);
}
