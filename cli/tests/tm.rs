//! The `tm` binary as a user runs it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vault() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/vault")
}

fn tm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tm"))
        .args(args)
        .env_remove("TM_TIMEZONE")
        .env_remove("TM_FY_START_MONTH")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A scratch folder of this test binary's own, with the given files.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn log_path() -> String {
    vault().join("time-logs/time-log-2025-2026.md").display().to_string()
}

#[test]
fn check_passes_a_good_log() {
    let o = tm(&["check", &log_path()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "10 entries, 0 errors, 0 warnings");
    let folder = tm(&["check", &vault().join("time-logs").display().to_string()]);
    assert_eq!(stdout(&folder).trim(), "10 entries, 0 errors, 0 warnings", "a folder means its .md files");
    let missing = tm(&["check", "/nonexistent/log.md"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read /nonexistent/log.md"), "{}", stderr(&missing));
}

#[test]
fn check_reports_errors_with_file_and_line_and_exits_1() {
    let dir = scratch(
        "check-errors",
        &[(
            "log.md",
            "# Time Log 2025-2026\n\n### 2025-07-29\n\n- **09:00-10:30**: Task 1 [[P]]\n- **10:00-11:30**: Task 2 [[P]]\n- **9:00-9:30**: Early [[P]]\n### 2025-02-30\n",
        )],
    );
    let file = dir.join("log.md").display().to_string();
    let o = tm(&["check", &file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains(&format!("{file}:6: error overlap: 10:00-11:30 overlaps 09:00-10:30")), "{out}");
    assert!(out.contains(&format!("{file}:7: warning time-not-padded")), "{out}");
    assert!(out.contains(&format!("{file}:8: error invalid-date-header")), "{out}");
}

#[test]
fn check_json_has_entries_and_diagnostics() {
    let dir = scratch(
        "check-json",
        &[(
            "log.md",
            "### 2025-07-29\n- **09:00-[ACTIVE]**: Running [[Proj]] [UI Design]\n  - Notes: a\n  - Notes: b\n",
        )],
    );
    let o = tm(&["check", "--json", &dir.join("log.md").display().to_string()]);
    assert!(o.status.success());
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let e = &j["entries"][0];
    assert_eq!(e["date"], "2025-07-29");
    assert_eq!(e["startTime"], "09:00");
    assert_eq!(e["endTime"], Value::Null);
    assert_eq!(e["minutes"], Value::Null);
    assert_eq!(e["hours"], Value::Null);
    assert_eq!(e["task"], "Running");
    assert_eq!(e["project"], "Proj");
    assert_eq!(e["tags"], serde_json::json!(["ui-design"]));
    assert_eq!(e["notes"], "a\nb");
    let d = &j["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["severity"].as_str(), d["code"].as_str()),
        (Some(2), Some("info"), Some("tag-normalized"))
    );
    assert!(d["message"].as_str().unwrap().contains("ui-design"));
}

#[test]
fn check_of_several_files_finds_overlaps_and_timers_across_them() {
    let dir = scratch(
        "check-many",
        &[
            ("a.md", "### 2026-06-30\n- **23:00-01:00**: Late [[P]]\n- **23:30-[ACTIVE]**: x [[P]]\n"),
            ("b.md", "### 2026-07-01\n- **00:30-02:00**: Early [[P]]\n- **09:00-[ACTIVE]**: Second timer [[P]]\n"),
        ],
    );
    let (a, b) = (dir.join("a.md").display().to_string(), dir.join("b.md").display().to_string());
    let o = tm(&["check", "--json", &a, &b]);
    assert_eq!(o.status.code(), Some(1));
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found: Vec<(String, u64, String)> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(found.contains(&("b.md".into(), 2, "overlap".into())), "{found:?}");
    assert!(found.contains(&("a.md".into(), 2, "overlap".into())), "{found:?}");
    assert!(found.contains(&("b.md".into(), 3, "multiple-active".into())), "{found:?}");
}

#[test]
fn render_makes_entry_lines_canonical_and_keeps_the_rest() {
    let fixture = std::fs::read_to_string(log_path()).unwrap();
    let o = tm(&["render", &log_path()]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), fixture, "the fixture is canonical");

    let dir = scratch(
        "render",
        &[(
            "messy.md",
            "Some prose\r\n### 2025-07-30   \r\n- **9:00-10:00**: B [[p]]   [UI Design]\r\n\r\n### 2025-07-29\r\n- **13:00-14:00**: A\r\n",
        )],
    );
    let o = tm(&["render", &dir.join("messy.md").display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Issue 12: the person's lines, headings, order and line endings stay.
    assert_eq!(
        stdout(&o),
        "Some prose\r\n### 2025-07-30   \r\n- **09:00-10:00**: B [[p]] [ui-design]\r\n\r\n### 2025-07-29\r\n- **13:00-14:00**: A [[Non-Project]]\r\n"
    );
}

#[test]
fn render_refuses_a_log_with_errors_and_prints_nothing() {
    let dir = scratch("render-bad", &[("bad.md", "### 2025-07-29\n- **09:00-09:00**: Nothing [[P]]\n")]);
    let o = tm(&["render", &dir.join("bad.md").display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("zero-duration"), "{}", stderr(&o));
}

fn report(args: &[&str]) -> Output {
    let v = vault().display().to_string();
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend(["--dir", &v]);
    tm(&all)
}

#[test]
fn every_report_kind_runs_in_every_format() {
    let kinds: &[&[&str]] = &[
        &["daily", "2025-07-29"],
        &["project", "Temporal Mark"],
        &["tag", "ui"],
        &["fiscal-year", "2025-2026"],
        &["range", "2025-07-28", "2025-07-29"],
        &["weekly", "2025-07-29"],
        &["monthly", "2025-07"],
        &["since", "documentation"],
    ];
    for kind in kinds {
        for format in ["json", "markdown", "csv", "text"] {
            let mut args = kind.to_vec();
            args.extend(["--format", format]);
            let o = report(&args);
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            assert!(!stdout(&o).is_empty(), "{args:?}");
            if format == "json" {
                serde_json::from_str::<Value>(&stdout(&o)).unwrap();
            }
        }
    }
}

#[test]
fn fiscal_year_report_json_and_options() {
    let o = report(&["fiscal-year", "2025-2026", "--format", "json"]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["kind"], "fiscal-year");
    // 17 h logged, 45 min of it Unproductive (suppressed by default).
    assert_eq!(j["summary"]["totalMinutes"], 960);
    assert_eq!(j["suppressed"], serde_json::json!(["Unproductive"]));
    assert_eq!(j["groupsOverlap"], true);

    let o = report(&[
        "fiscal-year",
        "2025-2026",
        "--format",
        "json",
        "--suppress",
        "",
        "--group-by",
        "tag",
        "--top-tasks",
        "all",
        "--sort",
        "alpha",
    ]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["summary"]["totalMinutes"], 1005);
    assert_eq!(j["groupBy"], "tag");
    assert_eq!(j["groups"][0]["key"], "audit");

    let o = report(&["monthly", "2025-08", "--format", "csv", "--group-by", "departmentalGoal"]);
    let csv = stdout(&o);
    assert!(csv.contains("2025-08-04,09:00,12:00,180,3.00,Website Redesign,Built navigation component,ui; development,,Marketing; Technology"), "{csv}");
}

#[test]
fn bad_report_input_gets_a_clear_error() {
    let o = report(&["fiscal-year", "2025-2027"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("YYYY-YYYY"), "{}", stderr(&o));
    let o = report(&["weekly", "2025-07-29", "--format", "pdf"]);
    assert!(stderr(&o).contains("json, markdown, csv, text"), "{}", stderr(&o));
    let o = report(&["monthly", "2025-7"]);
    assert!(stderr(&o).contains("YYYY-MM"), "{}", stderr(&o));
    let o = report(&["project", "Temporal Mrak"]);
    assert!(stderr(&o).contains("did you mean \"Temporal Mark\""), "{}", stderr(&o));
    let o = tm(&["report", "daily", "2025-07-29", "--dir", "/nonexistent"]);
    assert!(stderr(&o).contains("time-logs/"), "{}", stderr(&o));
}

#[test]
fn reports_refuse_a_vault_with_errors() {
    let dir = scratch(
        "bad-vault",
        &[("time-logs/log.md", "### 2025-07-29\n- **09:00-10:00**: A [[P]]\n- **09:30-10:30**: B [[P]]\n")],
    );
    let o = tm(&["report", "daily", "2025-07-29", "--dir", &dir.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error overlap"), "{}", stderr(&o));
}

#[test]
fn tag_normalize() {
    let o = tm(&["tag", "normalize", "UI Design", "Node.js Development"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "ui-design\nnodejs-development\n");
    let o = tm(&["tag", "normalize", "C#"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("\"C#\""));
}

#[test]
fn check_with_projects_names_undefined_projects() {
    let projects = vault().join("projects").display().to_string();
    let dir = scratch(
        "check-projects",
        &[(
            "log.md",
            "### 2025-07-29\n- **09:00-10:00**: Docs [[Temporal Mark]]\n- **10:00-11:00**: Brand new work [[Skunkworks]]\n",
        )],
    );
    let o = tm(&["check", "--projects", &projects, &dir.join("log.md").display().to_string()]);
    assert!(o.status.success(), "an info is not an error");
    let out = stdout(&o);
    assert!(out.contains(":3: info project-created: project \"Skunkworks\""), "{out}");
    assert!(!out.contains("Temporal Mark\" has no project file"), "{out}");
}

/// Issue 12: `tm check` runs the service's rules, so the pre-commit hook stops what an
/// upload would refuse: entries outside the file's fiscal year, reversed ranges, ends in
/// the future, over-long tasks; and what it passes, the service accepts (tested against
/// the service's planner in `shared/tests/ingest_plan.rs`).
#[test]
fn check_refuses_what_the_service_refuses() {
    let dir = scratch(
        "check-service-rules",
        &[
            ("time-log-2025-2026.md", "# Time Log 2025-2026\n\n### 2026-07-01\n\n- **09:00-10:00**: Next year [[P]]\n"),
            ("reversed.md", "### 2025-07-29\n\n- **15:00-14:00**: Backwards [[P]]\n"),
            ("future.md", "### 2999-07-29\n\n- **09:00-10:00**: Planned [[P]]\n"),
            ("long.md", &format!("### 2025-07-29\n\n- **09:00-10:00**: {} [[P]]\n", "x".repeat(501))),
            ("fine.md", "### 2025-07-29\n\n- **09:00-10:00**: Fine [[P]]\n\t- Notes: a tabbed note\n"),
        ],
    );
    let check = |file: &str| {
        let o = tm(&["check", "--json", &dir.join(file).display().to_string()]);
        let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let codes: Vec<String> = out["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect();
        (o.status.code(), codes)
    };
    assert_eq!(check("time-log-2025-2026.md"), (Some(1), vec!["outside-fiscal-year".to_owned()]));
    assert_eq!(check("reversed.md"), (Some(1), vec!["range-too-long".to_owned()]));
    assert_eq!(check("future.md"), (Some(1), vec!["ends-in-future".to_owned()]));
    assert_eq!(check("long.md"), (Some(1), vec!["task-too-long".to_owned()]));
    assert_eq!(check("fine.md"), (Some(0), vec![]));
    // The tabbed note is the entry's note; `check` says how the service stores the line,
    // as the upload report does.
    let fine = tm(&["check", &dir.join("fine.md").display().to_string()]);
    assert!(
        stdout(&fine).contains("fine.md:4: info entry-normalized: this line is stored as:   - Notes: a tabbed note"),
        "{}",
        stdout(&fine)
    );
    let o = tm(&["check", "--fy-start-month", "1", &dir.join("time-log-2025-2026.md").display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("fiscal years start in January), e.g. 2025-2025"), "{}", stderr(&o));
}

/// A report reads only the files of the fiscal years its period touches (and the
/// neighbouring days'): an old year's broken file does not stop this year's report,
/// while an entry crossing midnight into the period from the year before still counts
/// in its overlap checks.
#[test]
fn a_report_reads_only_the_fiscal_years_of_its_period() {
    let this_year = "# Time Log 2025-2026\n\n### 2025-07-01\n\n- **00:30-01:00**: Early [[Ops]]\n";
    let broken = "# Time Log 2023-2024\n\n### 2023-08-32\n\n- **09:00-08:00**: Broken [[Ops]]\n";
    let last_year = "# Time Log 2024-2025\n\n### 2025-06-30\n\n- **23:00-01:00**: Deploy [[Ops]]\n";
    let dir = scratch(
        "report-period",
        &[
            ("time-logs/time-log-2025-2026.md", this_year),
            ("time-logs/time-log-2023-2024.md", broken),
            ("time-logs/time-log-2024-2025.md", "# Time Log 2024-2025\n"),
        ],
    );
    let dir_text = dir.display().to_string();
    let out = tm(&["report", "--dir", &dir_text, "--format", "json", "monthly", "2025-08"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = tm(&["report", "--dir", &dir_text, "--format", "json", "fiscal-year", "2025-2026"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(serde_json::from_str::<Value>(&stdout(&out)).unwrap()["summary"]["totalMinutes"], 30);
    // The whole-vault kinds still read everything, so they still refuse the broken year.
    let tag = tm(&["report", "--dir", &dir_text, "tag", "x"]);
    assert!(!tag.status.success() && stderr(&tag).contains("2023-2024"), "{}", stderr(&tag));

    // The day before the period is read: its midnight crossing overlaps the first entry.
    std::fs::write(dir.join("time-logs/time-log-2024-2025.md"), last_year).unwrap();
    let out = tm(&["report", "--dir", &dir_text, "fiscal-year", "2025-2026"]);
    assert!(!out.status.success() && stderr(&out).contains("overlap"), "{}", stderr(&out));
}
