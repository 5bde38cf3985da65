//! Issue 18: `GET /v1/changes` against tm-local. A client that replays the feed from the
//! start — in small pages, or live from its last cursor — ends with exactly what the
//! API lists, after a random mix of entry writes, timers, log uploads, project changes
//! and deletes; bad cursors and limits are refused with a code and a way out.

mod support;

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use support::{Api, Server, connect, next_message, signup};

/// The year of the uploaded log: the API writes go to the next one, so an upload (which
/// replaces its year) does not take them away.
const FY: &str = "2024-2025";

/// What a client keeps from the feed.
#[derive(Default)]
struct Replica {
    entries: BTreeMap<String, Value>,
    projects: BTreeSet<String>,
    uploads: BTreeMap<String, String>,
    timer: Option<String>,
    seen: BTreeSet<String>,
    types: BTreeSet<String>,
    cursor: Option<String>,
}

impl Replica {
    async fn catch_up(&mut self, api: &Api<'_>, limit: usize) {
        for _ in 0..10_000 {
            let path = match &self.cursor {
                Some(c) => format!("/v1/changes?since={c}&limit={limit}"),
                None => format!("/v1/changes?limit={limit}"),
            };
            let reply = api.get(&path).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let page = reply.json();
            let changes = page["changes"].as_array().unwrap();
            assert!(changes.len() <= limit);
            for c in changes {
                if !self.seen.insert(c["id"].as_str().unwrap().to_owned()) {
                    continue;
                }
                let kind = c["type"].as_str().unwrap();
                self.types.insert(kind.to_owned());
                match kind {
                    "entry.created" | "entry.updated" => {
                        let entry = c["entry"].clone();
                        assert_eq!(c["entryId"], entry["id"]);
                        self.entries.insert(entry["id"].as_str().unwrap().to_owned(), entry);
                    }
                    "entry.deleted" => {
                        self.entries.remove(c["entryId"].as_str().unwrap());
                    }
                    "timer.started" => self.timer = Some(c["entryId"].as_str().unwrap().to_owned()),
                    "timer.stopped" => self.timer = None,
                    "project.saved" => {
                        self.projects.insert(c["project"]["name"].as_str().unwrap().to_lowercase());
                    }
                    "project.deleted" => {
                        self.projects.remove(&c["projectName"].as_str().unwrap().to_lowercase());
                    }
                    "upload.saved" => {
                        let upload = &c["upload"];
                        self.uploads.insert(
                            upload["id"].as_str().unwrap().to_owned(),
                            upload["status"].as_str().unwrap().to_owned(),
                        );
                    }
                    other => panic!("unknown change type {other}: {c}"),
                }
            }
            self.cursor = Some(page["cursor"].as_str().unwrap().to_owned());
            if page["hasMore"] == json!(false) {
                return;
            }
        }
        panic!("the feed never ended");
    }
}

async fn listed_entries(api: &Api<'_>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/entries?limit=500&cursor={c}"),
            None => "/v1/entries?limit=500".to_owned(),
        };
        let page = api.get(&path).await.json();
        for e in page["entries"].as_array().unwrap() {
            out.insert(e["id"].as_str().unwrap().to_owned(), e.clone());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// A small deterministic generator: a random mix, the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn log_text(days: &[(u32, &str)]) -> String {
    let mut text = format!("# Time Log {FY}\n\n## August 2024\n");
    for (day, task) in days {
        text.push_str(&format!("\n### 2024-08-{day:02}\n\n- **07:00-08:00**: {task} [[Uploaded]]\n"));
    }
    text
}

#[tokio::test]
async fn replaying_the_feed_ends_with_exactly_the_services_data() {
    let server = Server::start("changes-replay");
    let me = signup(&server.base, "replayer", None, &[]).await;
    let other = signup(&server.base, "bystander", None, &[]).await;
    let theirs = other
        .post("/v1/entries", r#"{"date":"2025-07-02","startTime":"09:00","endTime":"10:00","task":"Not yours"}"#)
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);

    let mut rng = Lcg(2026);
    let mut ids: Vec<String> = Vec::new();
    let mut live = Replica::default();
    let mut uploaded: Vec<(u32, &str)> = Vec::new();
    for step in 0..70u64 {
        let day = 1 + rng.below(28);
        let hour = 6 + rng.below(8);
        match rng.below(9) {
            0..=2 => {
                let body = json!({"date": format!("2025-07-{day:02}"), "startTime": format!("{hour:02}:00"),
                    "endTime": format!("{hour:02}:30"), "task": format!("Step {step}"), "project": "Atlas", "tags": ["feed"]});
                let r = me.post("/v1/entries", &body.to_string()).await;
                if r.status == 201 {
                    ids.push(r.json()["id"].as_str().unwrap().to_owned());
                } else {
                    assert_eq!(r.code(), "overlap", "{}", r.text);
                }
            }
            3 if !ids.is_empty() => {
                let id = &ids[rng.below(ids.len() as u64) as usize];
                let r = me
                    .patch(&format!("/v1/entries/{id}"), &json!({"task": format!("Edited at {step}")}).to_string())
                    .await;
                assert!(r.status == 200 || r.status == 404, "{}", r.text);
            }
            4 if !ids.is_empty() => {
                let id = ids.swap_remove(rng.below(ids.len() as u64) as usize);
                let r = me.delete(&format!("/v1/entries/{id}")).await;
                assert!(r.status == 204 || r.status == 404, "{}", r.text);
            }
            5 => {
                let start = json!({"task": format!("Timer {step}"), "date": "2025-07-29", "startTime": "20:00", "project": "Beacon"});
                let r = me.post("/v1/timer/start", &start.to_string()).await;
                if r.status == 201 {
                    ids.push(r.json()["id"].as_str().unwrap().to_owned());
                    if rng.below(2) == 0 {
                        let f = me.post("/v1/timer/finish", r#"{"endTime": "21:00"}"#).await;
                        assert_eq!(f.status, 200, "{}", f.text);
                    }
                }
            }
            6 => {
                // The log of the year, uploaded as a person edits it: a day added, one dropped.
                let day = 1 + (step % 28) as u32;
                uploaded.push((day, "Uploaded work"));
                if uploaded.len() > 3 {
                    uploaded.remove(0);
                }
                let current = me.get(&format!("/v1/logs/{FY}")).await;
                let version =
                    current.headers.get("x-log-version").and_then(|v| v.to_str().ok()).unwrap_or("0").to_owned();
                let mut days = uploaded.clone();
                days.sort();
                days.dedup_by_key(|d| d.0);
                let r = me
                    .put_markdown(&format!("/v1/logs/{FY}?baseVersion={version}&allowDeletes=true"), &log_text(&days))
                    .await;
                assert_eq!(r.status, 200, "{}", r.text);
            }
            7 => {
                let name = format!("Project {}", rng.below(3));
                let r = me
                    .post("/v1/projects", &json!({"name": name, "departmentalGoals": ["Technology"]}).to_string())
                    .await;
                if r.status == 409 {
                    let r = me.delete(&format!("/v1/projects/{}", name.replace(' ', "%20"))).await;
                    assert!(r.status == 204 || r.status == 409, "{}", r.text);
                }
            }
            _ => {
                // A client that keeps reading from its cursor, as a live one does.
                live.catch_up(&me, 4).await;
            }
        }
    }
    live.catch_up(&me, 4).await;
    let mut fresh = Replica::default();
    fresh.catch_up(&me, 1000).await;

    let entries = listed_entries(&me).await;
    let projects: BTreeSet<String> = me.get("/v1/projects?archived=true").await.json()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["owner"].is_null() || p["role"].is_null() || p["owner"] == json!("replayer"))
        .map(|p| p["name"].as_str().unwrap().to_lowercase())
        .collect();
    let timer = me.get("/v1/timer").await.json();
    assert!(entries.len() > 10, "the mix left entries: {}", entries.len());
    for replica in [&live, &fresh] {
        assert_eq!(replica.entries, entries, "the replayed entries are the listed ones, field for field");
        assert_eq!(replica.projects, projects);
        assert_eq!(replica.timer.as_deref(), timer["running"]["id"].as_str());
        for (id, status) in &replica.uploads {
            assert_eq!(me.get(&format!("/v1/uploads/{id}")).await.json()["status"], json!(status), "{id}");
        }
        assert!(
            !replica.entries.values().any(|e| e["task"] == "Not yours"),
            "another person's entry is not in the feed"
        );
    }
    for kind in ["entry.created", "entry.updated", "entry.deleted", "timer.started", "project.saved", "upload.saved"] {
        assert!(fresh.types.contains(kind), "the mix made a {kind}: {:?}", fresh.types);
    }
    // Read on from the end: nothing new, and the same cursor back.
    let end = fresh.cursor.clone().unwrap();
    let again = me.get(&format!("/v1/changes?since={end}")).await.json();
    assert_eq!((again["changes"].as_array().unwrap().len(), again["cursor"].as_str()), (0, Some(end.as_str())));
}

#[tokio::test]
async fn bad_feed_requests_are_refused_with_a_code_and_a_way_out() {
    let server = Server::start("changes-refusals");
    let me = signup(&server.base, "careful-reader", None, &[]).await;
    let empty = me.get("/v1/changes").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    let empty = empty.json();
    assert_eq!((empty["changes"].as_array().unwrap().len(), empty["hasMore"].as_bool()), (0, Some(false)));
    assert!(empty["cursor"].as_str().is_some_and(|c| !c.is_empty()), "an empty feed still gives a cursor: {empty}");
    for (query, code) in [
        ("since=not-a-cursor", "invalid-cursor"),
        ("since=RSMyMDI1", "invalid-cursor"), // base64 of an entry key, not a position
        // A well-formed position ahead of this feed (position 12 of an empty one): reading
        // from it would skip the first twelve changes to come.
        ("since=MDAwMDAwMDAwMDAwMDAwMDAwMTI", "invalid-cursor"),
        ("limit=0", "invalid-limit"),
        ("limit=1001", "invalid-limit"),
        ("limit=ten", "invalid-limit"),
        ("from=2025-07-01", "unknown-parameter"),
    ] {
        let r = me.get(&format!("/v1/changes?{query}")).await;
        assert_eq!((r.status, r.code().as_str()), (400, code), "{query}: {}", r.text);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.len() > 20), "{}", r.text);
    }
    let anonymous = support::call("GET", &format!("{}/v1/changes", server.base), None, None, &[]).await;
    assert_eq!(anonymous.status, 401);
}

/// Issue 18: tm-local's WebSocket sends the changes of the person who opened it as they
/// commit (a timer started elsewhere arrives well within a second), resumes from a
/// cursor, never carries another person's changes, refuses a bad token before the
/// upgrade, and closes with 4003 once an admin disables the person.
#[tokio::test]
async fn the_websocket_pushes_the_persons_own_changes_as_they_commit() {
    let server = Server::start("changes-live");
    let admin = signup(&server.base, "live-admin", Some("live-co"), &["admins"]).await;
    let me = signup(&server.base, "live-watcher", Some("live-co"), &[]).await;
    let early = me
        .post(
            "/v1/entries",
            r#"{"date":"2025-07-01","startTime":"09:00","endTime":"10:00","task":"Before connecting"}"#,
        )
        .await;
    assert_eq!(early.status, 201, "{}", early.text);

    let mut socket = connect(&server, &format!("token={}", me.token)).await.unwrap();
    let ready = next_message(&mut socket, std::time::Duration::from_secs(5)).await.unwrap().unwrap();
    assert_eq!(ready["type"], "ready", "{ready}");
    // Someone else's write sends nothing; the person's own timer arrives at once.
    let theirs = admin.post("/v1/timer/start", r#"{"task":"Admin's timer"}"#).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let sent = std::time::Instant::now();
    let started = me.post("/v1/timer/start", r#"{"task":"Started from tm"}"#).await;
    assert_eq!(started.status, 201, "{}", started.text);
    let pushed = next_message(&mut socket, std::time::Duration::from_secs(1)).await.unwrap().unwrap();
    let waited = sent.elapsed();
    assert_eq!(pushed["type"], "changes", "{pushed}");
    let types: Vec<&str> = pushed["changes"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"timer.started") && types.contains(&"entry.created"), "{types:?}");
    assert!(!pushed.to_string().contains("Before connecting"), "starts from now: {pushed}");
    assert!(!pushed.to_string().contains("Admin's timer"), "another person's change: {pushed}");
    assert_eq!(pushed["changes"][0]["entry"]["task"], "Started from tm");
    eprintln!("timer start to push: {waited:?}");

    // Reconnecting from the first message's cursor sends what happened since.
    let mut again =
        connect(&server, &format!("token={}&since={}", me.token, ready["cursor"].as_str().unwrap())).await.unwrap();
    assert_eq!(next_message(&mut again, std::time::Duration::from_secs(5)).await.unwrap().unwrap()["type"], "ready");
    let caught_up = next_message(&mut again, std::time::Duration::from_secs(5)).await.unwrap().unwrap();
    assert!(caught_up.to_string().contains("Started from tm"), "{caught_up}");

    // Refused before the upgrade, as a request would be.
    for query in ["", "token=not-a-jwt", "since=xyz&token=x", "token=x&other=1"] {
        let refused = connect(&server, query).await;
        assert!(refused.is_err(), "{query}: refused");
    }
    let plain = support::call("GET", &format!("{}/live?token={}", server.base, me.token), None, None, &[]).await;
    assert_eq!((plain.status, plain.code().as_str()), (400, "websocket-required"), "{}", plain.text);
    let bad_since =
        support::call("GET", &format!("{}/live?token={}&since=nope", server.base, me.token), None, None, &[]).await;
    assert_eq!((bad_since.status, bad_since.code().as_str()), (400, "invalid-cursor"), "{}", bad_since.text);

    // Disabled by an admin: the open connection closes at the next change.
    let id = me.get("/v1/me").await.json()["user"].as_str().unwrap().to_owned();
    let disabled = admin.patch(&format!("/v1/admin/users/{id}"), r#"{"disabled": true}"#).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    let closed = loop {
        match next_message(&mut socket, std::time::Duration::from_secs(5)).await {
            Some(Ok(_)) => continue,
            Some(Err(close)) => break close,
            None => panic!("closed without a close frame"),
        }
    };
    assert_eq!(closed.0, 4003, "{closed:?}");
    assert!(closed.1.contains("disabled"), "{closed:?}");
}
