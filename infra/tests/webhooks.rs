//! Issue 18: webhooks from tm-local to a local receiver that checks every signature the
//! way docs/live.md tells a receiver to: a receiver that fails twice and then succeeds
//! gets the event exactly once, with the same id on every try; the delivery log shows
//! each try; an event that keeps failing is dead-lettered and the next one still comes;
//! filters, pings, secret rotation, deletion; and addresses a webhook may not reach.

mod support;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{Api, Server, call, connect, data_dir, next_message, signup};

/// What the receiver saw: every request, and what it answered.
#[derive(Default)]
struct Received {
    requests: Vec<(HeaderMap, String)>,
    /// Statuses to answer, in turn; 200 once they run out.
    script: Vec<u16>,
    /// The secrets a signature may be made with.
    secrets: Vec<String>,
    /// Events accepted (answered 2xx), by id.
    accepted: Vec<String>,
    bad_signatures: usize,
}

/// The documented check: `t` within five minutes, and some `v1` equal to
/// HMAC-SHA256(secret, "{t}.{body}") in hex, compared in constant time.
fn verifies(header: &str, body: &str, secret: &str) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    signatures.iter().any(|sig| {
        let Ok(bytes) =
            (0..sig.len()).step_by(2).map(|i| u8::from_str_radix(&sig[i..i + 2], 16)).collect::<Result<Vec<u8>, _>>()
        else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        mac.verify_slice(&bytes).is_ok()
    })
}

async fn receive(State(state): State<Arc<Mutex<Received>>>, headers: HeaderMap, body: String) -> StatusCode {
    let mut r = state.lock().unwrap();
    let signature = headers.get("temporal-mark-signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    r.requests.push((headers.clone(), body.clone()));
    if !r.secrets.iter().any(|s| verifies(&signature, &body, s)) {
        r.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let status = if r.script.is_empty() { 200 } else { r.script.remove(0) };
    if (200..300).contains(&status) {
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"].as_str().unwrap().to_owned();
        if !r.accepted.contains(&id) {
            r.accepted.push(id);
        }
    }
    StatusCode::from_u16(status).unwrap()
}

async fn receiver() -> (String, Arc<Mutex<Received>>) {
    let state = Arc::new(Mutex::new(Received::default()));
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

/// Waits (at most 10 s) until `done` holds for what was received.
async fn until(state: &Arc<Mutex<Received>>, what: &str, done: impl Fn(&Received) -> bool) {
    for _ in 0..200 {
        if done(&state.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = state.lock().unwrap();
    let bodies: Vec<&String> = r.requests.iter().map(|(_, b)| b).collect();
    panic!("{what}: not within 10 s; received {bodies:?}");
}

async fn create(me: &Api<'_>, url: &str, events: Value) -> Value {
    let r = me.post("/v1/webhooks", &json!({"url": url, "events": events}).to_string()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

fn test_server(name: &str) -> Server {
    Server::start_in(
        data_dir(name),
        &["--allow-loopback-webhooks", "--webhook-first-retry-ms", "150", "--webhook-attempts", "3"],
    )
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_event_once_with_the_same_id() {
    let server = test_server("webhooks-retry");
    let me = signup(&server.base, "hooked", None, &[]).await;
    let other = signup(&server.base, "unhooked", None, &[]).await;
    let (url, state) = receiver().await;
    let hook = create(&me, &url, json!(["entry.created", "timer.started"])).await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 40, "{hook}");
    {
        let mut r = state.lock().unwrap();
        r.secrets.push(secret.clone());
        r.script = vec![500, 503];
    }
    let listed = me.get("/v1/webhooks").await.json();
    assert_eq!(listed["webhooks"][0]["id"], hook["id"]);
    assert!(listed["webhooks"][0].get("secret").is_none(), "the secret is shown once: {listed}");

    let entry = me
        .post("/v1/entries", r#"{"date":"2025-07-29","startTime":"09:00","endTime":"10:00","task":"Hooked work"}"#)
        .await;
    assert_eq!(entry.status, 201, "{}", entry.text);
    let entry_id = entry.json()["id"].as_str().unwrap().to_owned();
    // Not wanted (entry.updated), and another person's: never sent.
    me.patch(&format!("/v1/entries/{entry_id}"), r#"{"task": "Hooked work, edited"}"#).await;
    other
        .post("/v1/entries", r#"{"date":"2025-07-29","startTime":"09:00","endTime":"10:00","task":"Not hooked"}"#)
        .await;
    until(&state, "three tries of the entry", |r| !r.accepted.is_empty()).await;
    {
        let r = state.lock().unwrap();
        assert_eq!(r.bad_signatures, 0);
        assert_eq!(r.requests.len(), 3, "two failures and the success");
        let ids: Vec<String> = r
            .requests
            .iter()
            .map(|(h, _)| h.get("temporal-mark-event-id").unwrap().to_str().unwrap().to_owned())
            .collect();
        assert!(ids.iter().all(|i| *i == ids[0]), "the same id on every try: {ids:?}");
        assert_eq!(r.accepted, vec![ids[0].clone()], "accepted exactly once");
        let body: Value = serde_json::from_str(&r.requests[2].1).unwrap();
        assert_eq!(
            (body["type"].as_str(), body["change"]["entry"]["task"].as_str()),
            (Some("entry.created"), Some("Hooked work"))
        );
        assert_eq!(body["webhookId"], hook["id"]);
        assert!(!r.requests.iter().any(|(_, b)| b.contains("Not hooked") || b.contains("edited")));
    }
    let log = me.get(&format!("/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap())).await.json();
    let outcomes: Vec<(&str, u64)> = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["outcome"].as_str().unwrap(), d["attempt"].as_u64().unwrap()))
        .collect();
    assert_eq!(outcomes, [("delivered", 3), ("retrying", 2), ("retrying", 1)], "{log}");
    assert_eq!(log["deliveries"][1]["status"], 503);

    // A ping: sent at once, answered with the attempt.
    let ping = me.post(&format!("/v1/webhooks/{}/ping", hook["id"].as_str().unwrap()), "{}").await;
    assert_eq!(ping.status, 200, "{}", ping.text);
    assert_eq!((ping.json()["outcome"].as_str(), ping.json()["status"].as_u64()), (Some("delivered"), Some(200)));
    assert!(state.lock().unwrap().requests.last().unwrap().1.contains("webhook.ping"));

    // A rotated secret: both sign for a day, so a receiver that knows either verifies.
    let rotated = me.post(&format!("/v1/webhooks/{}/secret", hook["id"].as_str().unwrap()), "{}").await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let before = state.lock().unwrap().requests.len();
    me.post("/v1/timer/start", r#"{"task": "After the rotation"}"#).await;
    until(&state, "the timer's events", |r| r.requests.len() >= before + 2).await;
    {
        let r = state.lock().unwrap();
        let (headers, body) = &r.requests[before];
        let signature = headers.get("temporal-mark-signature").unwrap().to_str().unwrap();
        assert_eq!(signature.matches("v1=").count(), 2, "{signature}");
        assert!(verifies(signature, body, &new_secret) && verifies(signature, body, &secret));
        let types: Vec<String> = r.requests[before..]
            .iter()
            .map(|(_, b)| serde_json::from_str::<Value>(b).unwrap()["type"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(types, ["entry.created", "timer.started"], "in feed order");
    }

    // Deleted: nothing more is sent.
    let deleted = me.delete(&format!("/v1/webhooks/{}", hook["id"].as_str().unwrap())).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(me.get("/v1/webhooks").await.json()["webhooks"], json!([]));
    let id = hook["id"].as_str().unwrap();
    for gone in [me.get(&format!("/v1/webhooks/{id}/deliveries")).await, me.delete(&format!("/v1/webhooks/{id}")).await]
    {
        assert_eq!((gone.status, gone.code().as_str()), (404, "not-found"), "a deleted webhook is gone: {}", gone.text);
    }
    let after_delete = state.lock().unwrap().requests.len();
    me.post("/v1/entries", r#"{"date":"2025-07-30","startTime":"09:00","endTime":"10:00","task":"After delete"}"#)
        .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(state.lock().unwrap().requests.len(), after_delete);
}

#[tokio::test]
async fn an_event_that_keeps_failing_is_dead_lettered_and_the_next_one_comes() {
    let server = test_server("webhooks-dead-letter");
    let me = signup(&server.base, "unlucky", None, &[]).await;
    let (url, state) = receiver().await;
    let hook = create(&me, &url, json!(null)).await;
    {
        let mut r = state.lock().unwrap();
        r.secrets.push(hook["secret"].as_str().unwrap().to_owned());
        r.script = vec![500, 500, 500];
    }
    me.post("/v1/entries", r#"{"date":"2025-07-29","startTime":"09:00","endTime":"10:00","task":"Never taken"}"#).await;
    me.post("/v1/entries", r#"{"date":"2025-07-29","startTime":"11:00","endTime":"12:00","task":"Taken"}"#).await;
    until(&state, "the second entry", |r| r.requests.iter().any(|(_, b)| b.contains("\"Taken\""))).await;
    let log = me.get(&format!("/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap())).await.json();
    let outcomes: Vec<&str> =
        log["deliveries"].as_array().unwrap().iter().map(|d| d["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["delivered", "dead-lettered", "retrying", "retrying"], "{log}");
    assert_eq!(state.lock().unwrap().accepted.len(), 1);
}

#[tokio::test]
async fn webhooks_refuse_addresses_they_may_not_reach_and_bad_input() {
    // As shipped (and as in AWS): no loopback receivers.
    let server = Server::start("webhooks-ssrf");
    let me = signup(&server.base, "careful-hooker", None, &[]).await;
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "unsafe-url"),
        ("https://localhost/hook", "unsafe-url"),
        ("https://[::1]/hook", "unsafe-url"),
        ("http://169.254.169.254/latest/meta-data/", "unsafe-url"),
        ("https://10.0.0.8/hook", "unsafe-url"),
        ("https://192.168.1.1/hook", "unsafe-url"),
        ("https://[fd00:ec2::254]/", "unsafe-url"),
        ("https://[::ffff:127.0.0.1]/", "unsafe-url"),
        ("ftp://files.example.com/", "invalid-url"),
        ("not a url", "invalid-url"),
        ("https://user:secret@hooks.example.com/", "invalid-url"),
    ] {
        let r = me.post("/v1/webhooks", &json!({"url": url}).to_string()).await;
        assert_eq!((r.status, r.code().as_str()), (422, code), "{url}: {}", r.text);
        assert!(r.json()["error"]["message"].as_str().unwrap().len() > 20);
    }
    let r = me.post("/v1/webhooks", r#"{"url": "https://93.184.216.34/hook", "events": ["entry.made"]}"#).await;
    assert_eq!((r.status, r.code().as_str()), (422, "unknown-event"), "{}", r.text);
    assert!(r.text.contains("entry.created"), "names the types: {}", r.text);
    let r = me.post("/v1/webhooks", r#"{"events": []}"#).await;
    assert_eq!((r.status, r.code().as_str()), (400, "missing-field"), "{}", r.text);
    let r = me.post("/v1/webhooks/nope/ping", "{}").await;
    assert_eq!(r.status, 404, "{}", r.text);
    // With loopback allowed for tests, still nothing private.
    let loose = test_server("webhooks-ssrf-loopback");
    let me = signup(&loose.base, "loose-hooker", None, &[]).await;
    let r = me.post("/v1/webhooks", r#"{"url": "https://10.0.0.8/hook"}"#).await;
    assert_eq!((r.status, r.code().as_str()), (422, "unsafe-url"), "{}", r.text);
    let r = me.post("/v1/webhooks", r#"{"url": "http://127.0.0.1:9/hook"}"#).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn user_id(api: &Api<'_>) -> String {
    api.get("/v1/me").await.json()["user"].as_str().unwrap().to_owned()
}

/// The tasks of the entries a feed, a socket's messages or a webhook's bodies named.
fn tasks_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("\"task\":\"") {
        rest = &rest[i + 8..];
        let end = rest.find('"').unwrap();
        out.insert(rest[..end].to_owned());
    }
    out
}

/// Issue 18: a person receives over every channel — the changes feed, the WebSocket and
/// their webhook — exactly what they may read: their own changes, and their colleagues'
/// entries on the projects shared with them (as the project's summary shows them), never
/// more, across the sharing and tenant matrix: the owner of a shared project, a
/// contributor and a viewer on it, a tenant admin, a person of another tenant, a member
/// removed from the project (who stops receiving it); and a person who is disabled
/// stops receiving at once.
#[tokio::test]
async fn every_channel_carries_exactly_what_a_person_may_read() {
    let server = Server::start_in(
        data_dir("webhooks-matrix"),
        &["--allow-loopback-webhooks", "--webhook-first-retry-ms", "700", "--webhook-attempts", "3"],
    );
    let base = server.base.as_str();
    let olga = signup(base, "olga", Some("acme"), &[]).await;
    let carl = signup(base, "carl", Some("acme"), &[]).await;
    let vera = signup(base, "vera", Some("acme"), &[]).await;
    let tom = signup(base, "tom", Some("acme"), &["admins"]).await;
    let gus = signup(base, "gus", Some("globex"), &[]).await;
    let people: [(&str, &Api<'_>); 5] =
        [("olga", &olga), ("carl", &carl), ("vera", &vera), ("tom", &tom), ("gus", &gus)];
    let olga_id = user_id(&olga).await;
    assert_eq!(olga.post("/v1/projects", r#"{"name": "Atlas"}"#).await.status, 201);
    for (who, role) in [(&carl, "contributor"), (&vera, "viewer")] {
        let path = format!("{base}/v1/projects/Atlas/members/{}", user_id(who).await);
        let body = format!(r#"{{"role": "{role}"}}"#);
        let put = call("PUT", &path, Some(&olga.token), Some(&body), &[("content-type", "application/json")]).await;
        assert_eq!(put.status, 201, "{}", put.text);
    }
    // Every channel of every person, opened before anyone writes.
    let mut sockets = Vec::new();
    let mut receivers = Vec::new();
    for (name, api) in people {
        let mut socket = connect(&server, &format!("token={}", api.token)).await.unwrap();
        assert_eq!(next_message(&mut socket, Duration::from_secs(5)).await.unwrap().unwrap()["type"], "ready");
        sockets.push((name, socket));
        let (url, state) = receiver().await;
        let hook = create(api, &url, json!(null)).await;
        state.lock().unwrap().secrets.push(hook["secret"].as_str().unwrap().to_owned());
        receivers.push((name, state));
    }
    // And each person's feed cursor, read to its end: what follows is what changed since.
    let mut cursors = std::collections::HashMap::new();
    for (name, api) in people {
        let page = api.get("/v1/changes?limit=1000").await.json();
        assert_eq!(page["hasMore"], json!(false));
        cursors.insert(name, page["cursor"].as_str().unwrap().to_owned());
    }
    let entry = |task: &str, project: &str| {
        json!({"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": task, "project": project})
            .to_string()
    };
    let shared = format!("{olga_id}/Atlas");
    assert_eq!(olga.post("/v1/entries", &entry("olga on Atlas", "Atlas")).await.status, 201);
    let on_atlas = carl.post("/v1/entries", &entry("carl on Atlas", &shared)).await;
    assert_eq!(on_atlas.status, 201, "{}", on_atlas.text);
    assert_eq!(vera.post("/v1/entries", &entry("vera own", "Reading")).await.status, 201);
    assert_eq!(tom.post("/v1/entries", &entry("tom own", "Admin")).await.status, 201);
    assert_eq!(gus.post("/v1/entries", &entry("gus elsewhere", "Atlas")).await.status, 201);
    // Carl leaves Atlas; what he writes next is his alone, and Olga's next Atlas entry is not his.
    let carl_id = user_id(&carl).await;
    assert_eq!(olga.delete(&format!("/v1/projects/Atlas/members/{carl_id}")).await.status, 204);
    let after = json!({"date": "2025-07-31", "startTime": "09:00", "endTime": "10:00", "task": "carl after leaving", "project": "Own"});
    assert_eq!(carl.post("/v1/entries", &after.to_string()).await.status, 201);
    let later = json!({"date": "2025-07-30", "startTime": "09:00", "endTime": "10:00", "task": "olga later", "project": "Atlas"});
    assert_eq!(olga.post("/v1/entries", &later.to_string()).await.status, 201);

    let sets = |table: &[(&'static str, &[&str])]| -> std::collections::HashMap<&'static str, BTreeSet<String>> {
        table.iter().map(|(who, tasks)| (*who, tasks.iter().map(|t| t.to_string()).collect())).collect()
    };
    // Read now, from the start: what each may read now. Carl's entry on Atlas stays
    // Atlas's (a former member's time counts); Carl himself no longer reads Atlas.
    let own = sets(&[
        ("olga", &["olga on Atlas", "olga later", "carl on Atlas"]),
        ("carl", &["carl on Atlas", "carl after leaving"]),
        ("vera", &["vera own", "olga on Atlas", "olga later", "carl on Atlas"]),
        ("tom", &["tom own"]),
        ("gus", &["gus elsewhere"]),
    ]);
    // Live, as it happened: Carl may have been sent Olga's first Atlas entry while he was
    // a member (if his channel read it before he was removed) — never anything more.
    let live = sets(&[
        ("olga", &["olga on Atlas", "olga later", "carl on Atlas"]),
        ("carl", &["carl on Atlas", "carl after leaving", "olga on Atlas"]),
        ("vera", &["vera own", "olga on Atlas", "olga later", "carl on Atlas"]),
        ("tom", &["tom own"]),
        ("gus", &["gus elsewhere"]),
    ]);
    // The feed, from each one's cursor. (Read from the start, it has a person's own
    // changes only: colleagues' come from the moment their project became visible.)
    for (name, api) in people {
        let feed = api.get(&format!("/v1/changes?limit=1000&since={}", cursors[name])).await;
        assert_eq!(feed.status, 200, "{}", feed.text);
        assert_eq!(tasks_in(&feed.text), own[name], "{name}'s feed");
        let fresh = api.get("/v1/changes?limit=1000").await;
        assert!(
            tasks_in(&fresh.text).iter().all(|t| t.starts_with(name)),
            "{name}'s feed from the start: {}",
            fresh.text
        );
        if name == "vera" {
            let answer = feed.json();
            let shared: Vec<&Value> = answer["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["entry"]["task"] == "carl on Atlas")
                .collect();
            assert_eq!(shared[0]["user"], json!(carl_id), "a colleague's change says whose: {}", shared[0]);
        }
    }
    // The WebSocket: everything pushed until quiet.
    for (name, socket) in &mut sockets {
        let mut pushed = String::new();
        while let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_millis(400), next_message(socket, Duration::from_secs(5))).await
        {
            pushed.push_str(&message.to_string());
        }
        let got = tasks_in(&pushed);
        assert!(own[*name].is_subset(&got) && got.is_subset(&live[*name]), "{name}'s socket: {got:?}");
    }
    // The webhooks.
    for (name, state) in &receivers {
        until(state, "the webhook's deliveries", |r| {
            let bodies: String = r.requests.iter().map(|(_, b)| b.clone()).collect();
            own[*name].is_subset(&tasks_in(&bodies))
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let bodies: String = state.lock().unwrap().requests.iter().map(|(_, b)| b.clone()).collect();
        let got = tasks_in(&bodies);
        assert!(own[*name].is_subset(&got) && got.is_subset(&live[*name]), "{name}'s webhook: {got:?}");
    }

    // Disabled: Vera's failing delivery is not tried again, and her socket closes.
    let (_, vera_state) = &receivers[2];
    vera_state.lock().unwrap().script = vec![500, 500, 500];
    let before = vera_state.lock().unwrap().requests.len();
    let again = json!({"date": "2025-07-31", "startTime": "09:00", "endTime": "10:00", "task": "vera again", "project": "Reading"});
    assert_eq!(vera.post("/v1/entries", &again.to_string()).await.status, 201);
    until(vera_state, "the first try", |r| r.requests.len() > before).await;
    let vera_id = user_id(&vera).await;
    let disabled = tom.patch(&format!("/v1/admin/users/{vera_id}"), r#"{"disabled": true}"#).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(vera_state.lock().unwrap().requests.len(), before + 1, "no retry once she is disabled");
    let (_, vera_socket) = &mut sockets[2];
    let closed = loop {
        match next_message(vera_socket, Duration::from_secs(5)).await {
            Some(Ok(_)) => continue,
            Some(Err(close)) => break close,
            None => panic!("closed without a close frame"),
        }
    };
    assert_eq!(closed.0, 4003);
}

/// The types of the changes in a feed page, a socket's messages or webhook bodies.
fn types_of(changes: &[Value]) -> Vec<String> {
    changes.iter().map(|c| c["type"].as_str().unwrap().to_owned()).collect()
}

async fn feed_since(api: &Api<'_>, cursor: &str) -> Vec<Value> {
    let page = api.get(&format!("/v1/changes?limit=1000&since={cursor}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    page.json()["changes"].as_array().unwrap().clone()
}

async fn listed(api: &Api<'_>) -> Vec<String> {
    let list = api.get("/v1/webhooks").await.json();
    list["webhooks"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
}

async fn feed_end(api: &Api<'_>) -> String {
    api.get("/v1/changes?limit=1000").await.json()["cursor"].as_str().unwrap().to_owned()
}

/// Issue 18: the tenant's records in the feed, to exactly who may read them — settings
/// to their person; the tenant's settings and directory to everyone of the tenant; a
/// shared project's members to its owner and members (and to one removed, once); team
/// reports to administrators — and a tenant-wide webhook that administrators make and
/// manage, which sends the tenant's changes signed like any other.
#[tokio::test]
async fn the_tenants_records_reach_who_may_read_them_and_its_webhook() {
    let server = test_server("webhooks-tenant");
    let base = server.base.as_str();
    let tom = signup(base, "tom", Some("acme"), &["admins"]).await;
    let ann = signup(base, "ann", Some("acme"), &["admins"]).await;
    let olga = signup(base, "olga", Some("acme"), &[]).await;
    let carl = signup(base, "carl", Some("acme"), &[]).await;
    let gus = signup(base, "gus", Some("globex"), &[]).await;
    let carl_id = user_id(&carl).await;

    // Only administrators make tenant-wide webhooks, of the tenant's change types.
    let (url, state) = receiver().await;
    let refused = olga.post("/v1/webhooks", &json!({"url": url, "scope": "tenant"}).to_string()).await;
    assert_eq!((refused.status, refused.code().as_str()), (403, "admin-only"), "{}", refused.text);
    let wrong = tom
        .post("/v1/webhooks", &json!({"url": url, "scope": "tenant", "events": ["entry.created"]}).to_string())
        .await;
    assert_eq!((wrong.status, wrong.code().as_str()), (422, "event-not-in-scope"), "{}", wrong.text);
    assert!(wrong.text.contains("person.saved"), "says which types there are: {}", wrong.text);
    let odd = tom.post("/v1/webhooks", &json!({"url": url, "scope": "team"}).to_string()).await;
    assert_eq!((odd.status, odd.code().as_str()), (422, "invalid-scope"), "{}", odd.text);
    let made = tom.post("/v1/webhooks", &json!({"url": url, "scope": "tenant"}).to_string()).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let hook = made.json();
    assert_eq!((&hook["scope"], &hook["createdBy"]), (&json!("tenant"), &json!(user_id(&tom).await)));
    state.lock().unwrap().secrets.push(hook["secret"].as_str().unwrap().to_owned());
    let hook_id = hook["id"].as_str().unwrap().to_owned();
    // Any administrator of the tenant sees it; nobody else does.
    assert_eq!(listed(&ann).await, std::slice::from_ref(&hook_id));
    assert!(listed(&olga).await.is_empty() && listed(&gus).await.is_empty());
    assert_eq!(olga.get(&format!("/v1/webhooks/{hook_id}/deliveries")).await.status, 404);

    let cursors = [feed_end(&tom).await, feed_end(&olga).await, feed_end(&carl).await, feed_end(&gus).await];
    // Olga shares Atlas with Carl, then removes him and changes her own settings.
    assert_eq!(olga.post("/v1/projects", r#"{"name": "Atlas"}"#).await.status, 201);
    let member = |api: &Api<'_>, method: &str, who: &str| {
        let (path, token) = (format!("{base}/v1/projects/Atlas/members/{who}"), api.token.clone());
        let method = method.to_owned();
        async move {
            let body = (method == "PUT").then_some(r#"{"role": "contributor"}"#);
            call(&method, &path, Some(&token), body, &[("content-type", "application/json")]).await
        }
    };
    assert_eq!(member(&olga, "PUT", &carl_id).await.status, 201);
    let ann_id = user_id(&ann).await;
    assert_eq!(member(&olga, "PUT", &ann_id).await.status, 201);
    assert_eq!(olga.patch("/v1/me", r#"{"timeZone": "Europe/Vienna"}"#).await.status, 200);
    assert_eq!(member(&olga, "DELETE", &carl_id).await.status, 204);
    let tom_id = user_id(&tom).await;
    assert_eq!(member(&olga, "PUT", &tom_id).await.status, 201);
    // Olga edits Atlas's record: its members (now Tom, not Carl) read it with the project
    // (from the first read that sees Atlas shared with them, docs/live.md).
    let tom_member = tom.get(&format!("/v1/changes?limit=1000&since={}", cursors[0])).await.json()["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let edited = olga.patch("/v1/projects/Atlas", r#"{"summary": "The atlas of everything"}"#).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    // Tom changes the tenant's fiscal year and renames Carl; Ann renames herself.
    assert_eq!(tom.patch("/v1/me", r#"{"fiscalYearStartMonth": 1}"#).await.status, 200);
    let renamed = tom.patch(&format!("/v1/admin/users/{carl_id}"), r#"{"name": "Carl Cruz"}"#).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    // The schedule's reports: Tom's weekly, and the team's summary for administrators.
    let week =
        json!({"date": "2026-11-10", "startTime": "09:00", "endTime": "10:00", "task": "Plan", "project": "Ops"});
    assert_eq!(tom.post("/v1/entries", &week.to_string()).await.status, 201);
    let run = call("POST", &format!("{base}/local/reports/run?cadence=weekly&date=2026-11-10"), None, None, &[]).await;
    assert_eq!(run.status, 200, "{}", run.text);

    let [tom_cursor, olga_cursor, carl_cursor, gus_cursor] = &cursors;
    let olga_feed = feed_since(&olga, olga_cursor).await;
    let carl_feed = feed_since(&carl, carl_cursor).await;
    let tom_feed = feed_since(&tom, tom_cursor).await;
    let members_of = |c: &Value| -> Vec<String> {
        let mut members: Vec<String> =
            c["share"]["members"].as_array().unwrap().iter().map(|m| m["user"].as_str().unwrap().to_owned()).collect();
        members.sort();
        members
    };
    let both = |a: &String, b: &String| {
        let mut v = vec![a.clone(), b.clone()];
        v.sort();
        v
    };
    let shares = |feed: &[Value]| -> Vec<Vec<String>> {
        feed.iter().filter(|c| c["type"] == "share.saved").map(members_of).collect()
    };
    assert_eq!(
        shares(&olga_feed),
        [vec![carl_id.clone()], both(&ann_id, &carl_id), vec![ann_id.clone()], both(&ann_id, &tom_id)],
        "the owner: every change of her project's members"
    );
    assert_eq!(
        shares(&carl_feed),
        [vec![carl_id.clone()], both(&ann_id, &carl_id), vec![]],
        "Carl: added, Ann added, then that he was removed (not who stays), then no more"
    );
    assert_eq!(shares(&tom_feed), [both(&ann_id, &tom_id)], "Tom: from when he is a member");
    let olga_id = user_id(&olga).await;
    let records = |feed: &[Value]| -> Vec<(Value, Value)> {
        let saved = feed.iter().filter(|c| c["type"] == "project.saved" && c["project"]["name"] == "Atlas");
        saved.map(|c| (c["user"].clone(), c["project"]["summary"].clone())).collect()
    };
    let tom_since = feed_since(&tom, &tom_member).await;
    assert_eq!(records(&tom_since), [(json!(olga_id), json!("The atlas of everything"))], "{:?}", types_of(&tom_since));
    assert!(records(&carl_feed).is_empty(), "Carl left before the edit");
    assert_eq!(records(&olga_feed).last().unwrap().0, Value::Null, "her own change names nobody");
    let settings: Vec<&Value> = olga_feed.iter().filter(|c| c["type"] == "settings.updated").collect();
    assert_eq!(settings.len(), 1, "{olga_feed:?}");
    assert_eq!(settings[0]["settings"]["timeZone"], "Europe/Vienna");
    for (name, feed) in [("olga", &olga_feed), ("carl", &carl_feed), ("tom", &tom_feed)] {
        let tenant: Vec<&Value> = feed.iter().filter(|c| c["type"] == "tenant.updated").collect();
        assert_eq!(tenant.len(), 1, "{name}: {:?}", types_of(feed));
        assert_eq!(tenant[0]["tenant"]["fiscalYearStartMonth"], 1);
        let renamed: Vec<&Value> = feed.iter().filter(|c| c["type"] == "person.saved").collect();
        assert_eq!(renamed.len(), 1, "{name}: {:?}", types_of(feed));
        assert_eq!(
            (&renamed[0]["person"]["id"], &renamed[0]["person"]["name"]),
            (&json!(carl_id), &json!("Carl Cruz"))
        );
        assert!(feed.iter().all(|c| c["type"] != "settings.updated" || name == "olga"), "{name}: another's settings");
    }
    let reports = |feed: &[Value]| -> Vec<String> {
        feed.iter()
            .filter(|c| c["type"] == "report.generated")
            .map(|c| c["report"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut tom_reports = reports(&tom_feed);
    tom_reports.sort();
    assert_eq!(tom_reports, ["team-weekly-2026-11-09", "weekly-2026-11-09"], "{:?}", types_of(&tom_feed));
    assert!(reports(&olga_feed).iter().all(|r| !r.starts_with("team-")), "team summaries are administrators'");
    let link = tom_feed.iter().find(|c| c["type"] == "report.generated").unwrap()["report"]["links"]["json"].clone();
    assert_eq!(tom.get(link.as_str().unwrap()).await.status, 200, "the change links the report");
    // Another tenant's records: none (his own weekly report only).
    let gus_feed = feed_since(&gus, gus_cursor).await;
    assert!(gus_feed.iter().all(|c| c["type"] == "report.generated"), "{:?}", types_of(&gus_feed));
    assert!(reports(&gus_feed).iter().all(|r| !r.starts_with("team-")));

    // The tenant-wide webhook: the tenant's changes as Tom reads them, nothing of anyone's own.
    until(&state, "the tenant's changes", |r| {
        let bodies: String = r.requests.iter().map(|(_, b)| b.clone()).collect();
        bodies.contains("tenant.updated") && bodies.contains("Carl Cruz") && bodies.contains("team-weekly-2026-11-09")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (bad_signatures, sent): (usize, Vec<Value>) = {
        let r = state.lock().unwrap();
        (
            r.bad_signatures,
            r.requests.iter().map(|(_, b)| serde_json::from_str::<Value>(b).unwrap()["change"].clone()).collect(),
        )
    };
    assert_eq!(bad_signatures, 0);
    let kinds: BTreeSet<String> = types_of(&sent).into_iter().collect();
    let allowed: BTreeSet<String> =
        ["tenant.updated", "person.saved", "share.saved", "report.generated"].iter().map(|s| s.to_string()).collect();
    assert!(kinds.is_subset(&allowed), "{kinds:?}");
    assert_eq!(shares(&sent), [both(&ann_id, &tom_id)], "shares Tom stands on only");
    assert!(!reports(&sent).contains(&"weekly-2026-11-09".to_owned()), "not Tom's own report");
    let deliveries = ann.get(&format!("/v1/webhooks/{hook_id}/deliveries")).await;
    assert_eq!(deliveries.status, 200, "{}", deliveries.text);
    assert_eq!(deliveries.json()["deliveries"].as_array().unwrap().len(), sent.len());
    // Another administrator may remove it.
    assert_eq!(ann.delete(&format!("/v1/webhooks/{hook_id}")).await.status, 204);
    assert!(listed(&tom).await.is_empty());
}
