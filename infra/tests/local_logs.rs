//! Markdown logs on the local server, as a person would use them: a hand-written log
//! uploaded through a presigned URL, downloaded again unchanged, reported on, edited,
//! and exported and re-imported by a fresh user.

mod support;

use std::io::Read as _;
use support::{Server, call, signup};

const FIXTURE: &str = include_str!("../../tests/fixtures/vault/time-logs/time-log-2025-2026.md");
const PROJECT: &str = include_str!("../../tests/fixtures/vault/projects/website-redesign.md");

#[tokio::test]
async fn a_hand_written_log_uploads_ingests_reports_and_downloads_unchanged() {
    let server = Server::start("logs-roundtrip");
    let alice = signup(&server.base, "alice", None, &[]).await;

    let upload = alice.post("/v1/logs/uploads", r#"{"fileName": "time-log-2025-2026.md"}"#).await;
    assert_eq!(upload.status, 201, "{}", upload.text);
    let upload = upload.json();
    let url = upload["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/local/uploads/", server.base)), "{url}");

    // The presigned URL wants its content type; then it takes the file (no token needed).
    let wrong = call("PUT", url, None, Some(FIXTURE), &[("content-type", "text/plain")]).await;
    assert_eq!((wrong.status, wrong.code()), (403, "signature-mismatch".to_owned()));
    let put = call("PUT", url, None, Some(FIXTURE), &[("content-type", "text/markdown")]).await;
    assert_eq!(put.status, 200, "{}", put.text);

    let report = alice.get(&format!("/v1/uploads/{}", upload["uploadId"].as_str().unwrap())).await.json();
    assert_eq!((report["status"].as_str(), report["summary"]["inserted"].as_u64()), (Some("applied"), Some(10)));
    let log = alice.get("/v1/logs/2025-2026").await;
    assert_eq!((log.status, log.headers["x-log-version"].to_str().unwrap()), (200, "1"));
    assert!(log.headers["content-type"].to_str().unwrap().starts_with("text/markdown"));
    assert_eq!(log.text, FIXTURE, "downloads unchanged");
    let fy = alice.get("/v1/reports/fiscal-year/2025-2026").await.json();
    assert_eq!((fy["summary"]["totalMinutes"].as_u64(), fy["summary"]["totalEntries"].as_u64()), (Some(960), Some(9)));
    let daily = alice.get("/v1/daily/2025-07-29").await.json();
    assert_eq!(daily["entries"][3]["notes"], "Out-of-hours change window\nRolled back once, then succeeded");

    // The same log as people type it (CRLF, unpadded times, no month headers): the same
    // entries, so none is written, but it is the person's document now (issue 12): the
    // download is their file, with the entry lines made canonical.
    let typed = FIXTURE.replace("## July 2025\n\n", "").replace("09:00-10:30", "9:00-10:30").replace('\n', "\r\n");
    let reply = alice.put_markdown("/v1/logs/2025-2026?baseVersion=1", &typed).await;
    let report = reply.json();
    assert_eq!(
        (reply.status, report["logVersion"].as_u64(), report["summary"]["unchanged"].as_u64()),
        (200, Some(2), Some(10))
    );
    let codes: Vec<&str> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"time-not-padded") && codes.contains(&"entry-normalized"), "{report}");
    let as_typed = typed.replace("9:00-10:30", "09:00-10:30");
    assert_eq!(alice.get("/v1/logs/2025-2026").await.text, as_typed);

    // An API write changes the document by its entry's lines; the previous version stays
    // retrievable.
    let added = alice
        .post("/v1/entries", r#"{"date": "2025-08-05", "startTime": "09:00", "endTime": "09:30", "task": "Planning"}"#)
        .await;
    assert_eq!(added.status, 201);
    let log = alice.get("/v1/logs/2025-2026").await;
    assert_eq!(log.headers["x-log-version"].to_str().unwrap(), "3");
    assert!(
        log.text.contains("\r\n\r\n### 2025-08-05\r\n\r\n- **09:00-09:30**: Planning [[Non-Project]]\r\n"),
        "{}",
        log.text
    );
    assert!(!log.text.contains("## July 2025"), "the person's log has no month headings, and gets none");
    assert_eq!(alice.get("/v1/logs/2025-2026?version=1").await.text, FIXTURE);
    assert_eq!(alice.get("/v1/logs/2025-2026?version=2").await.text, as_typed);
    let versions = alice.get("/v1/logs/2025-2026/versions").await.json();
    let listed: Vec<u64> =
        versions["versions"].as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
    assert_eq!(listed, vec![3, 2, 1]);
    let logs = alice.get("/v1/logs").await.json();
    assert_eq!((logs["logs"][0]["version"].as_u64(), logs["logs"][0]["entryCount"].as_u64()), (Some(3), Some(11)));

    // A stale edit is refused; a broken file changes nothing and names every error line.
    let stale = alice.put_markdown("/v1/logs/2025-2026?baseVersion=1", FIXTURE).await;
    assert_eq!((stale.status, stale.json()["status"].as_str()), (409, Some("conflict")));
    let broken = FIXTURE.replace("### 2025-08-04", "### 2025-08-32").replace("**13:00-14:00**", "**13:00-13:00**");
    let rejected = alice.put_markdown("/v1/logs/2025-2026", &broken).await;
    let report = rejected.json();
    let lines: Vec<u64> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!((rejected.status, lines), (422, vec![17, 24]), "{report}");
    assert_eq!(alice.get("/v1/logs/2025-2026").await.headers["x-log-version"].to_str().unwrap(), "3");

    // Bad requests get clear errors.
    assert_eq!(alice.get("/v1/logs/2025").await.code(), "invalid-fiscal-year");
    assert_eq!(alice.get("/v1/logs/2024-2025").await.status, 404);
    assert_eq!(alice.get("/v1/logs/2025-2026?version=9").await.status, 404);
    assert_eq!(alice.post("/v1/logs/uploads", r#"{"fileName": "notes.txt"}"#).await.code(), "invalid-file-name");
    assert_eq!(alice.get("/v1/uploads/nope").await.status, 404);
    assert_eq!(alice.get("/v1/export?format=pdf").await.code(), "invalid-format");
    let empty = alice.put_markdown("/v1/logs/2025-2026", "").await;
    assert_eq!((empty.status, empty.json()["diagnostics"][0]["code"].as_str()), (422, Some("empty-file")));
    let json_log =
        call("PUT", &format!("{}/v1/logs/2025-2026", server.base), Some(&alice.token), Some("{}"), &[]).await;
    assert_eq!(json_log.status, 415);

    // Another user sees none of it.
    let bob = signup(&server.base, "bob", None, &[]).await;
    assert_eq!(bob.get("/v1/logs/2025-2026").await.status, 404);
    assert_eq!(bob.get(&format!("/v1/uploads/{}", upload["uploadId"].as_str().unwrap())).await.status, 404);
}

#[tokio::test]
async fn an_export_re_imports_into_a_fresh_user_with_identical_reports() {
    let server = Server::start("logs-export");
    let erin = signup(&server.base, "erin", None, &[]).await;
    assert_eq!(erin.put_markdown("/v1/projects/Website%20Redesign", PROJECT).await.status, 200);
    assert_eq!(erin.put_markdown("/v1/logs/2025-2026", FIXTURE).await.status, 200);
    let timer =
        erin.post("/v1/timer/start", r#"{"task": "Still going", "date": "2025-08-06", "startTime": "08:00"}"#).await;
    assert_eq!(timer.status, 201);

    let export = erin.get("/v1/export").await;
    assert_eq!(export.headers["content-type"], "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(export.bytes)).unwrap();
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.push((file.name().unwrap().into_owned(), text));
    }
    files.sort_by_key(|(name, _)| !name.starts_with("projects/"));
    let frank = signup(&server.base, "frank", None, &[]).await;
    for (name, text) in &files {
        let path = match name.strip_prefix("projects/").and_then(|n| n.strip_suffix(".md")) {
            Some(project) => format!("/v1/projects/{}", project.replace(' ', "%20")),
            None => format!("/v1/logs/{}", name.trim_start_matches("time-log-").trim_end_matches(".md")),
        };
        let reply = frank.put_markdown(&path, text).await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.text);
    }
    for path in ["/v1/reports/fiscal-year/2025-2026", "/v1/projects", "/v1/timer", "/v1/logs/2025-2026"] {
        let (a, b) = (erin.get(path).await, frank.get(path).await);
        let strip = |text: &str| text.replace("\"elapsedMinutes\"", "").to_owned();
        if path == "/v1/timer" {
            assert_eq!(a.json()["running"]["task"], b.json()["running"]["task"]);
        } else {
            assert_eq!(strip(&a.text), strip(&b.text), "{path}");
        }
    }
    let csv = erin.get("/v1/export?format=csv").await;
    assert!(csv.text.starts_with("date,startTime,endTime,task,project,tags,notes\n"), "{}", csv.text);
    assert!(csv.text.contains("2025-08-06,08:00,[ACTIVE],Still going,Non-Project,,"));
    let json = erin.get("/v1/export?format=json").await.json();
    assert_eq!(json["entries"].as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn renaming_a_project_moves_its_entries_and_re_renders_the_log() {
    let server = Server::start("logs-rename");
    let gina = signup(&server.base, "gina", None, &[]).await;
    assert_eq!(gina.put_markdown("/v1/projects/Website%20Redesign", PROJECT).await.status, 200);
    assert_eq!(gina.put_markdown("/v1/logs/2025-2026", FIXTURE).await.status, 200);
    let before = gina.get("/v1/projects/Website%20Redesign").await.json();

    let renamed = gina.patch("/v1/projects/website%20redesign", r#"{"name": "Website"}"#).await;
    assert_eq!((renamed.status, renamed.json()["name"].as_str()), (200, Some("Website")), "{}", renamed.text);
    let log = gina.get("/v1/logs/2025-2026").await;
    assert_eq!(log.headers["x-log-version"].to_str().unwrap(), "2");
    assert_eq!(log.text, FIXTURE.replace("[[Website Redesign]]", "[[Website]]"));
    let after = gina.get("/v1/projects/Website").await.json();
    assert_eq!(after["totalMinutes"], before["totalMinutes"]);
    assert_eq!(after["project"]["departmentalGoals"], before["project"]["departmentalGoals"], "metadata moved along");
    assert_eq!(gina.get("/v1/projects/Website%20Redesign").await.status, 404);
    assert_eq!(gina.get("/v1/logs/2025-2026?version=1").await.text, FIXTURE, "the old version stays");

    // Names that cannot be taken.
    assert_eq!(gina.patch("/v1/projects/Website", r#"{"name": "Temporal Mark"}"#).await.code(), "project-exists");
    assert_eq!(gina.patch("/v1/projects/Website", r#"{"name": "Non-Project"}"#).await.code(), "conventional-project");
    assert_eq!(gina.patch("/v1/projects/Website", r#"{"name": "a[[b"}"#).await.status, 422);
    assert_eq!(gina.get("/v1/logs/2025-2026").await.headers["x-log-version"].to_str().unwrap(), "2");
}

/// Issue 11: the export's CSV and a report's CSV show formula-like cells as text, while
/// the JSON export and the Markdown log keep the person's text exactly.
#[tokio::test]
async fn csv_exports_and_reports_neutralise_formula_cells() {
    let server = Server::start("csv-injection");
    let eve = signup(&server.base, "eve", None, &[]).await;
    let created = eve
        .post(
            "/v1/entries",
            r#"{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": "=HYPERLINK(\"http://evil\")", "notes": "+1 call"}"#,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let csv = eve.get("/v1/export?format=csv").await.text;
    assert!(csv.contains("2025-07-29,09:00,10:00,\"'=HYPERLINK(\"\"http://evil\"\")\",Non-Project,,'+1 call"), "{csv}");
    let report = eve.get("/v1/reports/range/2025-07-01/2025-07-31?format=csv").await.text;
    assert!(report.contains(",\"'=HYPERLINK(") && !report.contains(",\"=HYPERLINK("), "{report}");
    let json = eve.get("/v1/export?format=json").await.json();
    assert_eq!(json["entries"][0]["task"], "=HYPERLINK(\"http://evil\")");
    let log = eve.get("/v1/logs/2025-2026").await.text;
    assert!(log.contains("- **09:00-10:00**: =HYPERLINK(\"http://evil\") [[Non-Project]]"), "{log}");
}

#[tokio::test]
async fn a_burst_of_writes_is_published_once_after_the_window_and_reads_the_same_before() {
    let server = Server::start_in(support::data_dir("logs-publisher"), &["--publish-window-ms", "1500"]);
    let erin = signup(&server.base, "erin", None, &[]).await;
    assert_eq!(erin.put_markdown("/v1/logs/2025-2026", FIXTURE).await.status, 200);
    for day in 11..=15 {
        let body =
            format!(r#"{{"date": "2025-08-{day}", "startTime": "09:00", "endTime": "09:30", "task": "Standup"}}"#);
        assert_eq!(erin.post("/v1/entries", &body).await.status, 201);
    }
    let listed = |versions: &serde_json::Value| -> Vec<(u64, bool)> {
        let all = versions["versions"].as_array().unwrap();
        all.iter().map(|v| (v["version"].as_u64().unwrap(), v["published"].as_bool().unwrap())).collect()
    };
    // Before the publisher ran: the current version is listed and reads like any other.
    let before = erin.get("/v1/logs/2025-2026/versions").await.json();
    assert_eq!(listed(&before), vec![(6, false), (1, true)], "{before}");
    let latest = erin.get("/v1/logs/2025-2026").await;
    assert_eq!(latest.headers["x-log-version"].to_str().unwrap(), "6");
    assert!(latest.text.contains("### 2025-08-15"), "{}", latest.text);
    assert_eq!(erin.get("/v1/logs/2025-2026?version=6").await.text, latest.text);
    let skipped = erin.get("/v1/logs/2025-2026?version=3").await;
    assert_eq!(skipped.status, 404);
    assert!(skipped.json()["error"]["message"].as_str().unwrap().contains("replaced before it was published"));

    // One publish for the five writes, as a patch against version 1.
    let mut after = before;
    for _ in 0..100 {
        after = erin.get("/v1/logs/2025-2026/versions").await.json();
        if listed(&after)[0].1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(listed(&after), vec![(6, true), (1, true)], "{after}");
    assert!(after["versions"][0]["size"].as_u64().unwrap() < 1000, "{after}");
    assert_eq!(erin.get("/v1/logs/2025-2026?version=6").await.text, latest.text);
    assert_eq!(erin.get("/v1/logs/2025-2026").await.text, latest.text);
}
