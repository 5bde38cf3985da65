//! docs/rules.md §10: planning the ingest of a fiscal year's log — all or nothing, diff-based,
//! idempotent.

use chrono::{DateTime, Utc};
use tm_core::domain::calendar::FiscalCalendar;
use tm_core::domain::{ClockTime, Code, Entry, FiscalYear, Severity};
use tm_core::markdown::render_log;
use tm_service::jobs::ingest::{IngestContext, IngestPlan, plan_ingest};
use tm_service::store::StoredEntry;
use tm_testkit::generator::generate_entries;

fn fy() -> FiscalYear {
    FiscalCalendar::default().parse_label("2025-2026").unwrap()
}

fn now() -> DateTime<Utc> {
    "2026-01-15T12:00:00Z".parse().unwrap()
}

fn ids() -> impl FnMut(&tm_core::domain::Entry) -> String {
    let mut n = 0;
    move |_| {
        n += 1;
        format!("new-{n}")
    }
}

fn plan(text: &str, current: &[StoredEntry], neighbours: &[StoredEntry], timer: Option<&StoredEntry>) -> IngestPlan {
    let fy = fy();
    let ctx = IngestContext {
        fiscal_year: &fy,
        current,
        neighbours,
        running_timer: timer,
        now: now(),
        user: "u1",
        colleague_shares: &Default::default(),
        allow_deletes: false,
        local_now: ("2999-12-31".parse().unwrap(), tm_core::domain::ClockTime::parse("23:59").unwrap()),
    };
    plan_ingest(text, &ctx, ids())
}

/// The stored state after applying a plan to `current`.
fn apply(current: &[StoredEntry], plan: &IngestPlan) -> Vec<StoredEntry> {
    let mut next: Vec<StoredEntry> = current.iter().filter(|s| !plan.deletes.contains(&s.id)).cloned().collect();
    for update in &plan.updates {
        let slot = next.iter_mut().find(|s| s.id == update.id).unwrap();
        *slot = update.clone();
    }
    next.extend(plan.inserts.iter().cloned());
    next
}

const LOG: &str = "# Time Log 2025-2026

## July 2025

### 2025-07-29

- **09:00-10:30**: Updated user documentation [[Temporal Mark]] [documentation]
- **10:30-12:00**: Fixed issue [JIRA-123] in auth [[Security Project]] [bug-fix]
- **13:00-[ACTIVE]**: Backend work [[Website Redesign]] [development]
";

#[test]
fn a_first_ingest_inserts_everything_and_starts_the_timer() {
    let p = plan(LOG, &[], &[], None);
    assert!(!p.is_rejected(), "{:?}", p.diagnostics);
    assert_eq!((p.inserts.len(), p.updates.len(), p.deletes.len(), p.unchanged), (3, 0, 0, 0));
    let active = p.inserts.iter().find(|s| s.entry.is_active()).unwrap();
    assert_eq!(p.timer, Some(Some(active.id.clone())));
}

#[test]
fn the_same_log_again_writes_nothing() {
    let first = plan(LOG, &[], &[], None);
    let stored = apply(&[], &first);
    let timer = stored.iter().find(|s| s.entry.is_active()).cloned();
    let again = plan(LOG, &stored, &[], timer.as_ref());
    assert_eq!((again.writes(), again.unchanged), (0, 3));
    assert_eq!(again.timer, Some(timer.map(|t| t.id)), "the timer stays the same entry");
}

#[test]
fn one_changed_line_writes_one_entry_keeping_its_id() {
    let stored = apply(&[], &plan(LOG, &[], &[], None));
    let edited = LOG.replace("Fixed issue [JIRA-123] in auth", "Fixed issue [JIRA-123] in the auth service");
    let p = plan(&edited, &stored, &[], None);
    assert_eq!((p.updates.len(), p.inserts.len(), p.deletes.len(), p.unchanged), (1, 0, 0, 2));
    let before = stored.iter().find(|s| s.entry.task.starts_with("Fixed issue")).unwrap();
    assert_eq!(p.updates[0].id, before.id);
    assert_eq!(p.updates[0].created_at, before.created_at);

    let moved = LOG.replace("**10:30-12:00**", "**10:45-12:00**");
    let p = plan(&moved, &stored, &[], None);
    assert_eq!(
        (p.updates.len(), p.inserts.len(), p.deletes.len()),
        (1, 0, 0),
        "a new start on the same day is an update"
    );

    let removed = LOG.replace("- **10:30-12:00**: Fixed issue [JIRA-123] in auth [[Security Project]] [bug-fix]\n", "");
    let p = plan(&removed, &stored, &[], None);
    assert_eq!((p.deletes.len(), p.writes()), (1, 1));

    // Before the running timer (anything after it would overlap the open-ended entry).
    let added = format!("{LOG}\n### 2025-07-28\n\n- **09:00-10:00**: Planning [[Temporal Mark]]\n");
    let p = plan(&added, &stored, &[], None);
    assert_eq!((p.inserts.len(), p.writes()), (1, 1));
}

#[test]
fn a_log_with_errors_changes_nothing_and_lists_every_problem() {
    let stored = apply(&[], &plan(LOG, &[], &[], None));
    let broken = "# Time Log 2025-2026\n\n### 2025-02-30\n\n- **09:00-10:00**: A [[P]]\n### 2025-07-29\n- **25:00-26:00**: B [[P]]\n- **09:00-10:00**: C [[P]]\n- **09:30-10:30**: D [[P]]\n### 2024-07-29\n- **09:00-10:00**: Last year [[P]]\n";
    let p = plan(broken, &stored, &[], None);
    assert!(p.is_rejected());
    assert_eq!(p.writes(), 0);
    assert_eq!(p.timer, None);
    let errors: Vec<(usize, Code)> =
        p.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| (d.line, d.code)).collect();
    assert_eq!(
        errors,
        vec![
            (3, Code::InvalidDateHeader),
            (7, Code::InvalidTime),
            (7, Code::InvalidTime),
            (8, Code::Overlap),
            (9, Code::Overlap),
            (11, Code::OutsideFiscalYear),
        ]
    );
}

fn stored(id: &str, date: &str, start: &str, end: Option<&str>) -> StoredEntry {
    StoredEntry {
        id: id.into(),
        entry: Entry {
            date: date.parse().unwrap(),
            start: ClockTime::parse(start).unwrap(),
            end: end.map(|e| ClockTime::parse(e).unwrap()),
            task: "Elsewhere".into(),
            project: "P".into(),
            tags: vec![],
            notes: vec![],
        },
        created_at: now(),
        updated_at: now(),
    }
}

#[test]
fn other_years_and_the_timer_are_respected() {
    // A midnight crossing on the last day of the previous year.
    let night = stored("n", "2025-06-30", "23:00", Some("01:00"));
    let early = "### 2025-07-01\n- **00:30-02:00**: Early work [[P]]\n";
    let p = plan(early, &[], std::slice::from_ref(&night), None);
    assert_eq!(p.diagnostics.iter().map(|d| (d.line, d.code)).collect::<Vec<_>>(), vec![(2, Code::Overlap)]);

    // A timer running in another year's log.
    let other_timer = stored("t", "2025-06-30", "09:00", None);
    let p = plan(LOG, &[], std::slice::from_ref(&other_timer), Some(&other_timer));
    assert!(p.diagnostics.iter().any(|d| d.code == Code::MultipleActive && d.line == 9), "{:?}", p.diagnostics);

    // The timer of this year, ended in the file.
    let current = apply(&[], &plan(LOG, &[], &[], None));
    let timer = current.iter().find(|s| s.entry.is_active()).unwrap().clone();
    let finished = LOG.replace("13:00-[ACTIVE]", "13:00-17:00");
    let p = plan(&finished, &current, &[], Some(&timer));
    assert_eq!((p.timer.clone(), p.updates.len()), (Some(None), 1));
    assert_eq!(p.updates[0].id, timer.id);
}

#[test]
fn a_wrong_title_is_a_warning() {
    let p = plan(&LOG.replace("# Time Log 2025-2026", "# My hours"), &[], &[], None);
    assert!(!p.is_rejected());
    assert_eq!(
        p.diagnostics.iter().map(|d| (d.line, d.severity, d.code)).collect::<Vec<_>>(),
        vec![(1, Severity::Warning, Code::TitleMismatch)]
    );
}

#[test]
fn a_10000_entry_log_with_one_changed_line_writes_one_entry() {
    let fy = fy();
    let entries = generate_entries(3, &fy, 10_000);
    let text = render_log(&fy.label(), &entries);
    let current = apply(&[], &plan(&text, &[], &[], None));
    assert_eq!(current.len(), 10_000);
    let target = &entries[5_000];
    let line = format!("- **{}**: {} [[{}]]", target.range_label(), target.task, target.project);
    assert!(text.contains(&line));
    let edited = text.replacen(
        &line,
        &format!("- **{}**: {} (edited) [[{}]]", target.range_label(), target.task, target.project),
        1,
    );
    let p = plan(&edited, &current, &[], None);
    assert!(!p.is_rejected(), "{:?}", &p.diagnostics[..p.diagnostics.len().min(3)]);
    assert_eq!((p.writes(), p.unchanged), (1, 9_999));
}

/// Issue 12: one validation everywhere. The service's planner and `tm check`'s rules
/// (`parse_log` plus `check_log_file`) accept and refuse the same files.
#[test]
fn the_service_and_tm_check_agree_on_every_file() {
    let head = "# Time Log 2025-2026\n\n### 2025-07-29\n\n";
    let files = [
        format!("{head}- **09:00-10:00**: Fine [[P]]\n"),
        format!("{head}- **09:00-10:00**: Fine [[P]]\n\t- Notes: tab\n    - Notes: spaces\n"),
        format!("{head}- **15:00-14:00**: Reversed [[P]]\n"),
        format!("{head}- **09:00-10:00**: {} [[P]]\n", "x".repeat(501)),
        format!("{head}- **09:00-10:00**: Fine [[P]]\n  - Notes: {}\n", "n".repeat(1001)),
        "# Time Log 2025-2026\n\n### 2026-07-01\n\n- **09:00-10:00**: Next year [[P]]\n".to_owned(),
        "# Time Log 2025-2026\n\n### 0000-07-01\n\n- **09:00-10:00**: Year zero [[P]]\n".to_owned(),
        format!("{head}- **09:00-10:00**: A [[P]]\n- **09:30-10:30**: B [[P]]\n"),
        format!("{head}- **09:00-[ACTIVE]**: A [[P]]\n- **11:00-[ACTIVE]**: B [[P]]\n"),
        "# Time Log 2025-2026\n\n### 2026-01-16\n\n- **09:00-10:00**: Ends after now [[P]]\n".to_owned(),
        format!("{head}- **09:00-10:00**: Bad [[a:b]]\n"),
        "---\nkey: value\n---\n# Time Log 2025-2026\r### 2025-07-29\r- **09:00-10:00**: CR only [[P]]\r".to_owned(),
    ];
    let fy = fy();
    let local_now = ("2026-01-15".parse().unwrap(), ClockTime::parse("12:00").unwrap());
    for text in &files {
        let ctx = IngestContext {
            fiscal_year: &fy,
            current: &[],
            neighbours: &[],
            running_timer: None,
            now: now(),
            user: "u1",
            colleague_shares: &Default::default(),
            allow_deletes: false,
            local_now,
        };
        let service = plan_ingest(text, &ctx, ids()).is_rejected();
        let log = tm_core::markdown::parse_log(text);
        let checked = tm_core::markdown::log::check_log_file(&log, Some(&fy), local_now);
        let tm = log.has_errors() || checked.iter().any(|d| d.is_error());
        assert_eq!(service, tm, "they disagree on:\n{text}");
    }
}
