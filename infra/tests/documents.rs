//! Issue 12: a person's log stays their document. An Obsidian-style log (frontmatter,
//! callouts, Dataview fields, checklists, embeds, tables, comments, code, headings of
//! every level, trailing whitespace) uploads and downloads byte for byte, with LF, CRLF
//! or CR-only line endings; API writes change exactly the lines of their entry; a file
//! that would take most of a year away is refused.

mod support;

use serde_json::{Value, json};
use support::{Api, Server, call, signup};

const CORPUS: &str = include_str!("../../tests/fixtures/obsidian/time-log-2025-2026.md");
const FY: &str = "2025-2026";

async fn upload(api: &Api<'_>, text: &str, query: &str) -> support::Reply {
    api.put_markdown(&format!("/v1/logs/{FY}{query}"), text).await
}

async fn download(api: &Api<'_>) -> String {
    let reply = api.get(&format!("/v1/logs/{FY}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

/// The lines only in `before` and only in `after` (a plain line diff, in order).
fn line_diff(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.split('\n').collect(), after.split('\n').collect());
    // Longest common subsequence, enough for files of a few hundred lines.
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut removed, mut added) = (0, 0, Vec::new(), Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            removed.push(a[i].to_owned());
            i += 1;
        } else {
            added.push(b[j].to_owned());
            j += 1;
        }
    }
    removed.extend(a[i..].iter().map(|s| s.to_string()));
    added.extend(b[j..].iter().map(|s| s.to_string()));
    (removed, added)
}

#[tokio::test]
async fn an_obsidian_log_comes_back_byte_for_byte_with_any_line_endings() {
    let server = Server::start("documents-identity");
    for (name, text) in [
        ("lf", CORPUS.to_owned()),
        ("crlf", CORPUS.replace('\n', "\r\n")),
        ("cr", CORPUS.replace('\n', "\r")),
        ("bom", format!("\u{feff}{CORPUS}")),
    ] {
        let me = signup(&server.base, &format!("writer-{name}"), None, &[]).await;
        let report = upload(&me, &text, "").await;
        assert_eq!(report.status, 200, "{name}: {}", report.text);
        let report = report.json();
        assert_eq!(
            report["summary"]["inserted"], 5,
            "{name}: five entries, not the commented or quoted ones: {report}"
        );
        let notes = me.get("/v1/daily/2025-08-04").await.json();
        assert_eq!(notes["entries"][0]["notes"], "Roadmap for Q1\nAgreed on milestones", "{name}");
        assert_eq!(download(&me).await, text, "{name}: the download is the upload");
        // The same file again writes nothing, and still downloads the same.
        let again = upload(&me, &text, "").await.json();
        assert_eq!(
            (again["summary"]["unchanged"].as_u64(), again["logVersion"].as_u64()),
            (Some(5), Some(1)),
            "{name}"
        );
        assert_eq!(download(&me).await, text, "{name}");
    }
}

#[tokio::test]
async fn api_writes_change_exactly_the_lines_of_their_entry() {
    let server = Server::start("documents-writes");
    let me = signup(&server.base, "editor", None, &[]).await;
    assert_eq!(upload(&me, CORPUS, "").await.status, 200);
    let mut before = download(&me).await;
    let post = |date: &str, start: &str, end: &str, task: &str| {
        json!({"date": date, "startTime": start, "endTime": end, "task": task, "project": "Website Redesign"})
            .to_string()
    };
    let mut step = async |what: &str, reply: support::Reply, removed: &[&str], added: &[&str]| {
        assert!(reply.status < 300, "{what}: {}", reply.text);
        let after = download(&me).await;
        let diff = line_diff(&before, &after);
        let expected = (
            removed.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            added.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        assert_eq!(diff, expected, "{what}:\n{after}");
        before = after;
        reply
    };

    let added = step(
        "add to a day",
        me.post("/v1/entries", &post("2025-07-28", "12:00", "12:30", "Review copy")).await,
        &[],
        &["- **12:00-12:30**: Review copy [[Website Redesign]]"],
    )
    .await;
    let id = added.json()["id"].as_str().unwrap().to_owned();
    step(
        "edit it",
        me.patch(&format!("/v1/entries/{id}"), r#"{"task": "Reviewed the copy", "notes": "with Sam"}"#).await,
        &["- **12:00-12:30**: Review copy [[Website Redesign]]"],
        &["- **12:00-12:30**: Reviewed the copy [[Website Redesign]]", "  - Notes: with Sam"],
    )
    .await;
    step(
        "a new day in its month",
        me.post("/v1/entries", &post("2025-07-30", "09:00", "10:00", "Wireframes")).await,
        &[],
        &["### 2025-07-30", "", "- **09:00-10:00**: Wireframes [[Website Redesign]]", ""],
    )
    .await;
    step(
        "a new month before the closing notes",
        me.post("/v1/entries", &post("2025-09-01", "09:00", "10:00", "Launch")).await,
        &[],
        &["## September 2025", "", "### 2025-09-01", "", "- **09:00-10:00**: Launch [[Website Redesign]]", ""],
    )
    .await;
    let email = me.get("/v1/entries?from=2025-07-29&to=2025-07-29").await.json()["entries"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(
        "delete",
        me.delete(&format!("/v1/entries/{email}")).await,
        &["- **13:00-13:30**: Email [[Non-Project]]"],
        &[],
    )
    .await;
    let text = download(&me).await;
    for kept in [
        "---\ntitle: Time Log 2025-2026",
        "> [!note] How I log",
        "mood:: 🙂",
        "- [ ] follow up",
        "| standup | team |",
        "<!--\n- **08:00-09:00**: A commented-out entry",
        "```text",
        "Nothing logged; a workshop.\t",
        "### 2025-07-29   ",
    ] {
        assert!(text.contains(kept), "{kept:?} is kept:\n{text}");
    }
    assert!(text.contains("\n## September 2025\n\n### 2025-09-01\n\n- **09:00-10:00**: Launch [[Website Redesign]]\n\n## Notes for next year"));
}

#[tokio::test]
async fn a_file_that_would_take_most_of_a_year_away_is_refused_unless_allowed() {
    let server = Server::start("documents-safety");
    let me = signup(&server.base, "careful", None, &[]).await;
    assert_eq!(upload(&me, CORPUS, "").await.status, 200);
    // A file saved with CR-only endings reads as lines (not "title only")...
    let cr = CORPUS.replace('\n', "\r");
    assert_eq!(upload(&me, &cr, "").await.json()["summary"]["unchanged"], 5);
    // ...and one that really has no entries is refused instead of emptying the year.
    let title_only = "# Time Log 2025-2026\n";
    let refused = upload(&me, title_only, "").await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let diagnostic = &refused.json()["diagnostics"][0];
    assert_eq!(diagnostic["code"], "would-delete-most");
    assert!(diagnostic["message"].as_str().unwrap().contains("5 of the 5"), "{diagnostic}");
    let kept = me.get("/v1/entries?from=2025-07-01&to=2026-06-30").await.json();
    assert_eq!(kept["entries"].as_array().unwrap().len(), 5, "nothing was deleted");
    // Most, not all: 4 of 5 gone is refused too; one of five is fine.
    let one_left: String =
        CORPUS.split_inclusive('\n').filter(|l| !l.contains("**09:00-1") && !l.contains("**13:00")).collect();
    assert_eq!(upload(&me, &one_left, "").await.json()["diagnostics"][0]["code"], "would-delete-most");
    let one_gone = CORPUS.replace("- **13:00-13:30**: Email [[Non-Project]]\n", "");
    assert_eq!(upload(&me, &one_gone, "").await.json()["summary"]["deleted"], 1);
    // Asked for, it is done.
    let allowed = upload(&me, title_only, "?allowDeletes=true").await;
    assert_eq!((allowed.status, allowed.json()["summary"]["deleted"].as_u64()), (200, Some(4)), "{}", allowed.text);
    assert_eq!(download(&me).await, title_only);
    assert_eq!(upload(&me, title_only, "?allowDeletes=maybe").await.code(), "invalid-query");
}

/// Issue 17: an editor checks the log as the person types. The check answers what an
/// upload would do, line by line, and stores nothing.
#[tokio::test]
async fn a_check_says_what_an_upload_would_do_and_changes_nothing() {
    let server = Server::start("documents-check");
    let me = signup(&server.base, "checker", None, &[]).await;
    let check = |text: String, query: &'static str| {
        let me = &me;
        async move { me.post_markdown(&format!("/v1/logs/{FY}/check{query}"), &text).await }
    };
    let first = check(CORPUS.to_owned(), "").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let report = first.json();
    assert_eq!((report["status"].as_str(), report["logVersion"].as_u64()), (Some("ok"), Some(0)), "{report}");
    assert_eq!(report["summary"]["inserted"], 5);
    assert_eq!(me.get(&format!("/v1/logs/{FY}")).await.status, 404, "a check stores no log");
    assert_eq!(me.get("/v1/entries?from=2025-07-01&to=2026-06-30").await.json()["entries"], json!([]));

    assert_eq!(upload(&me, CORPUS, "").await.status, 200);
    let versions = me.get(&format!("/v1/logs/{FY}/versions")).await.text;
    // A mistake is named at its line, as the upload would name it.
    let line = CORPUS.lines().position(|l| l.contains("**13:00-13:30**")).unwrap() + 1;
    let broken = CORPUS.replace("**13:00-13:30**", "**13:00-12:30**");
    let rejected = check(broken.clone(), "?baseVersion=1").await.json();
    assert_eq!(rejected["status"], "rejected", "{rejected}");
    assert_eq!(rejected["summary"], Value::Null);
    let error = rejected["diagnostics"].as_array().unwrap().iter().find(|d| d["severity"] == "error").unwrap();
    assert_eq!((error["line"].as_u64(), error["code"].as_str()), (Some(line as u64), Some("range-too-long")));
    assert_eq!(rejected["diagnostics"], upload(&me, &broken, "").await.json()["diagnostics"], "the upload's own");
    // One changed line is one update; a stale base version is the conflict an upload would be.
    let edited = CORPUS.replace("Email [[Non-Project]]", "Email triage [[Non-Project]]");
    let one = check(edited.clone(), "?baseVersion=1").await.json();
    assert_eq!((one["status"].as_str(), one["summary"]["updated"].as_u64()), (Some("ok"), Some(1)), "{one}");
    let stale = check(edited, "?baseVersion=0").await.json();
    assert_eq!(stale["status"], "conflict");
    assert!(stale["message"].as_str().unwrap().contains("baseVersion 1"), "{stale}");
    // Most of the year away: said before any upload, unless allowed.
    let title_only = "# Time Log 2025-2026\n".to_owned();
    assert_eq!(check(title_only.clone(), "").await.json()["diagnostics"][0]["code"], "would-delete-most");
    assert_eq!(check(title_only, "?allowDeletes=true").await.json()["summary"]["deleted"], 5);
    // Nothing of this changed the log.
    assert_eq!(download(&me).await, CORPUS);
    assert_eq!(me.get(&format!("/v1/logs/{FY}/versions")).await.text, versions);
    let json_body = call(
        "POST",
        &format!("{}/v1/logs/{FY}/check", server.base),
        Some(&me.token),
        Some("{}"),
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!((json_body.status, json_body.code()), (415, "unsupported-media-type".to_owned()));
}

#[tokio::test]
async fn the_upload_report_says_which_entry_lines_were_normalised() {
    let server = Server::start("documents-normalised");
    let me = signup(&server.base, "untidy", None, &[]).await;
    let text = "# Time Log 2025-2026\n\n## July 2025\n\n### 2025-07-29\n\n- **9:00-10:00**: Spaced  task   [[Website Redesign]]   [UI Design]\n\t- Notes: tabbed note\n- **10:00-11:00**: Tidy [[Website Redesign]]\n";
    let report = upload(&me, text, "").await.json();
    let normalised: Vec<(u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "entry-normalized")
        .map(|d| (d["line"].as_u64().unwrap(), d["message"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        normalised,
        vec![
            (7, "this line is stored as: - **09:00-10:00**: Spaced  task [[Website Redesign]] [ui-design]".to_owned()),
            (8, "this line is stored as:   - Notes: tabbed note".to_owned()),
        ],
        "{report}"
    );
    let log = download(&me).await;
    assert!(log.contains("- **09:00-10:00**: Spaced  task [[Website Redesign]] [ui-design]\n  - Notes: tabbed note\n- **10:00-11:00**: Tidy"), "{log}");
}

/// Issue 12: the earlier year's upload once missed an overlap with the next year's first
/// entry (its last day's midnight crossing), and stored 80 minutes for 60.
#[tokio::test]
async fn an_overlap_across_the_fiscal_year_boundary_is_found_on_upload() {
    let server = Server::start("documents-boundary");
    let me = signup(&server.base, "night-owl", None, &[]).await;
    let next = "# Time Log 2026-2027\n\n## July 2026\n\n### 2026-07-01\n\n- **00:00-01:00**: Early deploy [[Ops]]\n";
    assert_eq!(me.put_markdown("/v1/logs/2026-2027", next).await.status, 200);
    let earlier = "# Time Log 2025-2026\n\n## June 2026\n\n### 2026-06-30\n\n- **23:30-00:20**: Late deploy [[Ops]]\n";
    let refused = me.put_markdown("/v1/logs/2025-2026", earlier).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let diagnostic = &refused.json()["diagnostics"][0];
    assert_eq!((diagnostic["code"].as_str(), diagnostic["line"].as_u64()), (Some("overlap"), Some(7)), "{diagnostic}");
    assert!(diagnostic["message"].as_str().unwrap().contains("Early deploy"), "{diagnostic}");
    // A reversed range is refused too, with the swap suggested, in a file as in the API.
    let reversed = "# Time Log 2025-2026\n\n## June 2026\n\n### 2026-06-29\n\n- **15:00-14:00**: Backwards [[Ops]]\n";
    let refused = me.put_markdown("/v1/logs/2025-2026", reversed).await.json();
    assert_eq!(refused["diagnostics"][0]["code"], "range-too-long");
    assert!(refused["diagnostics"][0]["message"].as_str().unwrap().contains("if you meant 14:00-15:00"));
    let api = me
        .post("/v1/entries", r#"{"date": "2026-06-29", "startTime": "15:00", "endTime": "14:00", "task": "Backwards"}"#)
        .await;
    assert_eq!(api.status, 422, "{}", api.text);
    assert!(api.text.contains("range-too-long"));
    // Nothing ends in the future: not in a file, not by the API, not a finished timer.
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    let future =
        serde_json::json!({"date": tomorrow, "startTime": "09:00", "endTime": "10:00", "task": "Planned work"});
    let refused = me.post("/v1/entries", &future.to_string()).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("ends-in-future"), "{}", refused.text);
    assert_eq!(me.post("/v1/timer/start", r#"{"task": "Running now"}"#).await.status, 201);
    // Ten minutes from now (past midnight, the next day's time: still ten minutes on).
    let in_ten_minutes = (chrono::Utc::now() + chrono::Duration::minutes(10)).format("%H:%M").to_string();
    let later = serde_json::json!({ "endTime": in_ten_minutes });
    let finish = me.post("/v1/timer/finish", &later.to_string()).await;
    assert_eq!(finish.status, 422, "{}", finish.text);
    assert!(finish.text.contains("ends-in-future"), "{}", finish.text);
    assert_eq!(me.get("/v1/timer").await.json()["running"]["task"], "Running now", "the timer still runs");
}

fn exported_file(zip_bytes: &[u8], name: &str) -> String {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.to_vec())).unwrap();
    let mut file = archive.by_name(name).unwrap_or_else(|_| panic!("{name} in the export"));
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

/// Issue 12: a project file keeps its other frontmatter keys and everything after the
/// frontmatter; the export gives it back, and an API edit changes only what it edits.
#[tokio::test]
async fn a_project_file_keeps_what_the_service_does_not_read() {
    let server = Server::start("documents-project-files");
    let me = signup(&server.base, "planner", None, &[]).await;
    let file = "---\nproject: Website Redesign\nowner: Dana\ndepartmentalGoals: [Marketing]\nstatus: Active\nstartDate: 2025-07-01\n---\n\n## Summary\n\nRedesign the site.\n\n## Links\n\n- [[Design system]]\n";
    let reply = me.put_markdown("/v1/projects/Website%20Redesign", file).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let export = me.get("/v1/export").await;
    assert_eq!(exported_file(&export.bytes, "projects/Website Redesign.md"), file, "byte for byte");
    assert_eq!(
        me.patch("/v1/projects/Website%20Redesign", r#"{"summary": "Redesign the site and the shop."}"#).await.status,
        200
    );
    let export = me.get("/v1/export").await;
    let text = exported_file(&export.bytes, "projects/Website Redesign.md");
    assert!(text.contains("owner: Dana") && text.contains("departmentalGoals:"), "{text}");
    assert!(
        text.contains("## Summary\n\nRedesign the site and the shop.\n\n## Links\n\n- [[Design system]]\n"),
        "{text}"
    );
}

/// Issue 12: a typo in an entry's project once made a project that could never go.
/// Projects can be merged into another (entries move in one unit, the log follows,
/// the audit records it), deleted when empty, and archived.
#[tokio::test]
async fn a_typo_project_is_merged_deleted_or_archived() {
    let server = Server::start("documents-projects");
    let me = signup(&server.base, "typist", None, &[]).await;
    assert_eq!(upload(&me, CORPUS, "").await.status, 200);
    let typo = json!({"date": "2025-07-29", "startTime": "14:00", "endTime": "15:00", "task": "Mockups", "project": "Webiste Redesign"});
    assert_eq!(me.post("/v1/entries", &typo.to_string()).await.status, 201);
    let before = download(&me).await;
    assert!(before.contains("- **14:00-15:00**: Mockups [[Webiste Redesign]]"));

    let refused = me.delete("/v1/projects/Webiste%20Redesign").await;
    assert_eq!((refused.status, refused.code().as_str()), (409, "project-has-entries"), "{}", refused.text);
    let merged = me.post("/v1/projects/Webiste%20Redesign/merge", r#"{"into": "website redesign"}"#).await;
    assert_eq!(merged.status, 200, "{}", merged.text);
    assert_eq!(merged.json()["entriesMoved"], 1);
    let after = download(&me).await;
    assert_eq!(
        line_diff(&before, &after),
        (
            vec!["- **14:00-15:00**: Mockups [[Webiste Redesign]]".to_owned()],
            vec!["- **14:00-15:00**: Mockups [[Website Redesign]]".to_owned()]
        )
    );
    assert_eq!(me.get("/v1/projects/Webiste%20Redesign").await.status, 404, "the typo is gone");
    let audit = me.get("/v1/audit").await.json();
    assert!(audit["records"].as_array().unwrap().iter().any(|r| r["action"] == "project.merge"), "{audit}");
    let unknown = me.post("/v1/projects/Security%20Project/merge", r#"{"into": "Securty"}"#).await;
    assert_eq!((unknown.status, unknown.code().as_str()), (422, "unknown-project"));

    assert_eq!(me.post("/v1/projects", r#"{"name": "Never Used"}"#).await.status, 201);
    assert_eq!(me.delete("/v1/projects/Never%20Used").await.status, 204);
    assert_eq!(me.delete("/v1/projects/Never%20Used").await.status, 404);
    assert_eq!(me.delete("/v1/projects/Non-Project").await.code(), "conventional-project");
    // Also before anything was logged to it (no record of it yet), in any case.
    let never = me.delete("/v1/projects/unproductive").await;
    assert_eq!((never.status, never.code().as_str()), (422, "conventional-project"), "{}", never.text);
    let merged = me.post("/v1/projects/Unproductive/merge", r#"{"into": "Security Project"}"#).await;
    assert_eq!(merged.code(), "conventional-project", "{}", merged.text);

    let archived = me.patch("/v1/projects/Security%20Project", r#"{"archived": true}"#).await;
    assert_eq!((archived.status, archived.json()["archived"].as_bool()), (200, Some(true)), "{}", archived.text);
    let names = |v: serde_json::Value| -> Vec<String> {
        v["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!names(me.get("/v1/projects").await.json()).contains(&"Security Project".to_owned()));
    assert!(names(me.get("/v1/projects?archived=true").await.json()).contains(&"Security Project".to_owned()));
    let fy = me.get("/v1/reports/fiscal-year/2025-2026").await.json();
    assert!(fy.to_string().contains("Security Project"), "its time still counts");
}
