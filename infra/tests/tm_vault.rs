//! `tm sync DIR` and `tm migrate DIR` against tm-local: a folder and the service kept in
//! step (pull, push, a conflict kept beside the person's file, the safety net), and a
//! generated single-user folder moved into an account with the same reports after.

mod support;

use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;
use support::{Api, Server, tm};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn signed_in<'a>(base: &'a str, config: &Path, email: &str) -> Api<'a> {
    let api = support::signup(base, email, None, &[]).await;
    let login = tm(config, &["login", "--url", base, "--username", email], "correct horse battery\n");
    assert!(login.ok, "{}", login.stderr);
    api
}

fn tasks(entries: &Value) -> Vec<String> {
    let mut tasks: Vec<String> =
        entries["entries"].as_array().unwrap().iter().map(|e| e["task"].as_str().unwrap().to_owned()).collect();
    tasks.sort();
    tasks
}

/// Pull, push, a conflict, its resolution, the safety net, a project file, dry runs.
#[tokio::test]
async fn tm_sync_keeps_a_folder_and_the_service_in_step_and_never_overwrites_a_change() {
    let server = Server::start_as_shipped("tm-sync", &["--report-interval-minutes", "0", "--publish-window-ms", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-sync-config");
    let vault = support::data_dir("tm-sync-vault");
    let api = signed_in(base, &config, "ada@example.com").await;
    let sync = |args: &[&str]| {
        let mut all = vec!["sync", vault.to_str().unwrap()];
        all.extend_from_slice(args);
        tm(&config, &all, "")
    };
    for (day, span, task) in [
        ("2025-09-01", "09:00-10:00", "Plan"),
        ("2025-09-01", "10:00-11:00", "Build"),
        ("2025-09-02", "09:00-12:00", "Ship"),
    ] {
        let added = tm(&config, &["add", span, task, "-p", "Docs", "--date", day], "");
        assert!(added.ok, "{} {}", added.stdout, added.stderr);
    }

    // An empty folder: the service's log comes down.
    let dry = sync(&["--dry-run"]);
    assert!(
        dry.ok && dry.stdout.contains("would be pulled") && dry.stdout.contains("dry run"),
        "{} {}",
        dry.stdout,
        dry.stderr
    );
    assert!(!vault.join("time-logs").exists() && !vault.join(".tm-sync.json").exists(), "a dry run writes nothing");
    let first = sync(&[]);
    assert!(first.ok && first.stdout.contains("pulled     time-logs/time-log-2025-2026.md"), "{}", first.stdout);
    let log = vault.join("time-logs/time-log-2025-2026.md");
    let service = api.get("/v1/logs/2025-2026").await.text;
    assert_eq!(read(&log), service, "the folder has the service's document");
    let again = sync(&[]);
    assert!(again.ok && again.stdout.contains("0 changed"), "{}", again.stdout);

    // Changed here: pushed over the version it came from; the entries follow.
    std::fs::write(&log, read(&log).replace("Build", "Built the index")).unwrap();
    let dry = sync(&["--dry-run"]);
    assert!(dry.stdout.contains("would be pushed"), "{}", dry.stdout);
    assert_eq!(tasks(&api.get("/v1/entries?from=2025-09-01&to=2025-09-02").await.json()), ["Build", "Plan", "Ship"]);
    let pushed = sync(&["--json"]);
    assert!(pushed.ok, "{}", pushed.stdout);
    let report: Value = serde_json::from_str(&pushed.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    assert!(
        files.iter().any(|f| f["file"] == "time-logs/time-log-2025-2026.md" && f["action"] == "pushed"),
        "{report}"
    );
    assert_eq!(
        tasks(&api.get("/v1/entries?from=2025-09-01&to=2025-09-02").await.json()),
        ["Built the index", "Plan", "Ship"]
    );

    // Changed on the service: pulled.
    assert!(tm(&config, &["add", "13:00-14:00", "Review", "-p", "Docs", "--date", "2025-09-02"], "").ok);
    let pulled = sync(&[]);
    assert!(pulled.ok && pulled.stdout.contains("pulled"), "{}", pulled.stdout);
    assert!(read(&log).contains("Review [[Docs]]"));

    // Changed on both sides: the person's file stays as they wrote it, the service's
    // version is written beside it, and nothing on the service changes.
    assert!(tm(&config, &["add", "15:00-16:00", "From the web", "-p", "Docs", "--date", "2025-09-02"], "").ok);
    let mine = read(&log).replace("Ship", "Shipped 1.0");
    std::fs::write(&log, &mine).unwrap();
    let conflict = sync(&[]);
    assert!(!conflict.ok && conflict.stdout.contains("conflict"), "exit 1 and says so: {}", conflict.stdout);
    assert_eq!(read(&log), mine, "the person's file is untouched");
    let copies: Vec<_> = std::fs::read_dir(vault.join("conflicts")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(copies.len(), 1);
    let theirs = read(&copies[0]);
    assert!(theirs.contains("From the web") && !theirs.contains("Shipped 1.0"), "{theirs}");
    assert!(conflict.stdout.contains(copies[0].file_name().unwrap().to_str().unwrap()), "{}", conflict.stdout);
    let on_service = tasks(&api.get("/v1/entries?from=2025-09-01&to=2025-09-02").await.json());
    assert!(on_service.contains(&"Ship".to_owned()) && on_service.contains(&"From the web".to_owned()));
    let waiting = sync(&[]);
    assert!(!waiting.ok && waiting.stdout.contains("waiting"), "{}", waiting.stdout);
    // Merged by hand (the service's version with the person's edit), the copy deleted:
    // the next run pushes the merge.
    std::fs::write(&log, theirs.replace("Ship", "Shipped 1.0")).unwrap();
    std::fs::remove_file(&copies[0]).unwrap();
    let merged = sync(&[]);
    assert!(merged.ok && merged.stdout.contains("pushed"), "{}", merged.stdout);
    let on_service = tasks(&api.get("/v1/entries?from=2025-09-01&to=2025-09-02").await.json());
    assert_eq!(on_service, ["Built the index", "From the web", "Plan", "Review", "Shipped 1.0"]);

    // A broken save that drops most entries is refused by the service's safety net; the
    // file stays, the service keeps every entry.
    let title_only = "# Time Log 2025-2026\n\n### 2025-09-01\n\n- **09:00-10:00**: Plan [[Docs]]\n";
    std::fs::write(&log, title_only).unwrap();
    let refused = sync(&[]);
    assert!(
        !refused.ok && refused.stdout.contains("refused") && refused.stdout.contains("--allow-deletes"),
        "{}",
        refused.stdout
    );
    assert_eq!(read(&log), title_only);
    assert_eq!(
        api.get("/v1/entries?from=2025-09-01&to=2025-09-02").await.json()["entries"].as_array().unwrap().len(),
        5
    );
    // A file with an error: every diagnostic with its line.
    std::fs::write(&log, format!("{title_only}- **25:00-26:00**: Nonsense\n")).unwrap();
    let broken = sync(&["--allow-deletes"]);
    assert!(!broken.ok && broken.stdout.contains("time-logs/time-log-2025-2026.md:6:"), "{}", broken.stdout);
    // Said on purpose: the deletes go through.
    std::fs::write(&log, title_only).unwrap();
    let allowed = sync(&["--allow-deletes"]);
    assert!(allowed.ok && allowed.stdout.contains("4 deleted"), "{}", allowed.stdout);
    assert_eq!(tasks(&api.get("/v1/entries?from=2025-09-01&to=2025-09-02").await.json()), ["Plan"]);

    // A project file written here goes up; its name comes from its frontmatter.
    let projects = vault.join("projects");
    std::fs::create_dir_all(&projects).unwrap();
    std::fs::write(
        projects.join("client-work.md"),
        "---\nproject: Client Work\nstatus: Active\ntags: [billable]\n---\n\n## Summary\n\nFor Acme.\n",
    )
    .unwrap();
    let project = sync(&[]);
    assert!(project.ok && project.stdout.contains("pushed     projects/client-work.md"), "{}", project.stdout);
    let listed = api.get("/v1/projects").await.json().to_string();
    assert!(listed.contains("Client Work"), "{listed}");
    let steady = sync(&[]);
    assert!(steady.ok && steady.stdout.contains("0 changed"), "{}", steady.stdout);

    // Another account's folder is refused rather than mixed up.
    let other = support::data_dir("tm-sync-other-config");
    let _bob = signed_in(base, &other, "bob@example.com").await;
    let mixed = tm(&other, &["sync", vault.to_str().unwrap()], "");
    assert!(!mixed.ok && mixed.stderr.contains("another account"), "{}", mixed.stderr);
}

/// A single-user folder as the original tool kept it, two fiscal years of work.
fn generate_single_user_folder(dir: &Path) -> usize {
    let projects = [
        ("website-redesign", "Website Redesign", "Marketing", "design"),
        ("temporal-mark", "Temporal Mark", "Technology", "rust"),
        ("security-review", "Security Review", "Operations", "audit"),
    ];
    std::fs::create_dir_all(dir.join("projects")).unwrap();
    std::fs::create_dir_all(dir.join("time-logs")).unwrap();
    for (file, name, goal, tag) in projects {
        std::fs::write(
            dir.join(format!("projects/{file}.md")),
            format!(
                "---\nproject: {name}\ndepartmentalGoal: [{goal}]\nstrategicDirection: [Growth]\ntags: [{tag}]\nstatus: Active\nstartDate: 2023-07-01\n---\n\n## Summary\n\n{name}, migrated.\n"
            ),
        )
        .unwrap();
    }
    let mut count = 0;
    for (label, first) in [("2023-2024", (2023, 7, 3)), ("2024-2025", (2024, 7, 1))] {
        let mut text = format!("# Time Log {label}\n\nKept by hand since {}.\n", first.0);
        let start = chrono::NaiveDate::from_ymd_opt(first.0, first.1, first.2).unwrap();
        let mut month = 0;
        for week in 0..40u32 {
            for weekday in 0..4u32 {
                let day = start + chrono::Days::new(u64::from(week * 7 + weekday));
                if chrono::Datelike::month(&day) != month {
                    month = chrono::Datelike::month(&day);
                    write!(text, "\n## {}\n", day.format("%B %Y")).unwrap();
                }
                write!(text, "\n### {day}\n\n").unwrap();
                let (_, a, _, tag_a) = projects[(week + weekday) as usize % 3];
                let (_, b, _, _) = projects[(week + weekday + 1) as usize % 3];
                writeln!(text, "- **09:00-10:30**: Worked on {a} part {week} [[{a}]] [{tag_a}]").unwrap();
                writeln!(text, "  - Notes: week {week}, day {weekday}").unwrap();
                writeln!(text, "- **10:30-11:00**: Standup [[Non-Project]] [meeting]").unwrap();
                writeln!(text, "- **11:00-12:15**: Reviewed {b} [[{b}]]").unwrap();
                writeln!(text, "- **12:15-13:00**: Lunch [[Unproductive]]").unwrap();
                count += 4;
                if weekday == 3 && week % 5 == 0 {
                    writeln!(text, "- **23:00-00:30**: Night release [[{a}]] [deployment]").unwrap();
                    count += 1;
                }
            }
        }
        std::fs::write(dir.join(format!("time-logs/time-log-{label}.md")), text).unwrap();
    }
    count
}

/// A generated single-user folder: checked first (a broken one uploads nothing, every
/// problem listed with its file and line), then migrated with the same reports as the
/// offline `tm report` of the folder; a second run changes nothing.
#[tokio::test]
async fn tm_migrate_moves_a_single_user_folder_in_with_the_same_reports() {
    let server = Server::start_as_shipped("tm-migrate", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-migrate-config");
    let folder = support::data_dir("tm-migrate-folder");
    let api = signed_in(base, &config, "ada@example.com").await;
    let entries = generate_single_user_folder(&folder);
    let dir = folder.to_str().unwrap();

    // Broken: two problems in two places, both listed; nothing uploaded.
    let broken = support::data_dir("tm-migrate-broken");
    generate_single_user_folder(&broken);
    let log = broken.join("time-logs/time-log-2024-2025.md");
    let text = read(&log).replacen("- **10:30-11:00**: Standup", "- **10:00-11:00**: Standup", 1);
    std::fs::write(&log, text.replacen("- **12:15-13:00**", "- **12:15-1300**", 1)).unwrap();
    std::fs::write(broken.join("time-logs/notes.md"), "# Notes\n").unwrap();
    let refused = tm(&config, &["migrate", broken.to_str().unwrap()], "");
    assert!(!refused.ok && refused.stderr.contains("nothing was uploaded"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("time-log-2024-2025.md:") && refused.stderr.contains("notes.md:1:"),
        "{}",
        refused.stderr
    );
    let lines = refused.stderr.lines().filter(|l| l.contains("time-log-2024-2025.md:")).count();
    assert!(lines >= 2, "the overlap and the bad line, each with its line: {}", refused.stderr);
    assert_eq!(api.get("/v1/logs").await.json()["logs"].as_array().unwrap().len(), 0);

    let dry = tm(&config, &["migrate", dir, "--dry-run"], "");
    assert!(dry.ok && dry.stdout.contains(&format!("({entries} entries): no errors")), "{}", dry.stdout);
    assert_eq!(api.get("/v1/logs").await.json()["logs"].as_array().unwrap().len(), 0, "a dry run uploads nothing");

    let migrated = tm(&config, &["migrate", dir, "--json"], "");
    assert!(migrated.ok, "{} {}", migrated.stdout, migrated.stderr);
    let summary: Value = serde_json::from_str(&migrated.stdout).unwrap();
    assert_eq!((summary["files"].as_u64(), summary["entries"].as_u64()), (Some(5), Some(entries as u64)));
    assert_eq!(summary["matches"], true, "{summary}");
    assert_eq!(summary["years"].as_array().unwrap().len(), 2);

    // The service's reports are the folder's: every fiscal year, by project and by goal.
    for fy in ["2023-2024", "2024-2025"] {
        for group in ["project", "departmentalGoal", "tag"] {
            let report = |place: &[&str]| {
                let mut args = vec!["report", "fiscal-year", fy, "--format", "json", "--group-by", group];
                args.extend_from_slice(place);
                let run = tm(&config, &args, "");
                assert!(run.ok, "{}", run.stderr);
                let report: Value = serde_json::from_str(&run.stdout).unwrap();
                // Hours and counts per group and project (the metadata is the same files').
                let groups: Vec<Value> = report["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| {
                        let projects: Vec<Value> = g["projects"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| serde_json::json!([p["name"], p["totalMinutes"], p["entryCount"], p["topTasks"]]))
                            .collect();
                        serde_json::json!([g["key"], g["totalMinutes"], projects])
                    })
                    .collect();
                (report["summary"].clone(), groups)
            };
            let offline = report(&["--dir", dir]);
            assert_eq!(report(&["--remote"]), offline, "{fy} by {group}");
            assert!(offline.0["totalEntries"].as_u64().unwrap() > 100 && offline.1.len() >= 3);
        }
    }
    let projects = api.get("/v1/projects").await.json().to_string();
    assert!(projects.contains("Security Review") && projects.contains("Operations"), "{projects}");

    // Again: the same files, nothing new on the service.
    let versions = api.get("/v1/logs").await.json();
    let rerun = tm(&config, &["migrate", dir], "");
    assert!(rerun.ok && rerun.stdout.contains("✓ matches"), "{} {}", rerun.stdout, rerun.stderr);
    let after = api.get("/v1/logs").await.json();
    let versions_of =
        |v: &Value| v["logs"].as_array().unwrap().iter().map(|l| l["version"].clone()).collect::<Vec<_>>();
    assert_eq!(versions_of(&after), versions_of(&versions), "a re-run writes nothing");
    // The folder now syncs from where the migration left it.
    let sync = tm(&config, &["sync", dir], "");
    assert!(sync.ok && !sync.stdout.contains("conflict"), "{}", sync.stdout);
    assert!(!folder.join("conflicts").exists());
}
