//! docs/rules.md §5: validating a new, changed or finished entry; every finding at once.

use serde_json::json;
use tm_core::domain::validation::{EntryInput, ExistingEntry, ValidationContext, validate_entry};
use tm_core::domain::{ClockTime, Code, Entry, Project, ProjectCatalog, ProjectStatus, Severity};

fn input(date: &str, start: &str, end: Option<&str>, task: &str) -> EntryInput {
    EntryInput {
        date: date.into(),
        start_time: start.into(),
        end_time: end.map(Into::into),
        task: task.into(),
        project: Some("Temporal Mark".into()),
        tags: None,
        notes: None,
    }
}

fn catalog() -> ProjectCatalog {
    ProjectCatalog::new([Project {
        name: "Temporal Mark".into(),
        departmental_goals: vec![],
        strategic_directions: vec![],
        tags: vec![],
        status: ProjectStatus::Active,
        start_date: None,
        summary: String::new(),
        archived: false,
    }])
}

fn stored(date: &str, start: &str, end: Option<&str>, task: &str) -> Entry {
    Entry {
        date: date.parse().unwrap(),
        start: ClockTime::parse(start).unwrap(),
        end: end.map(|e| ClockTime::parse(e).unwrap()),
        task: task.into(),
        project: "Temporal Mark".into(),
        tags: vec![],
        notes: vec![],
    }
}

fn check(input: &EntryInput, existing: &[ExistingEntry<'_>]) -> Vec<(&'static str, Severity, Code)> {
    let projects = catalog();
    let ctx = ValidationContext {
        today: "2025-07-29".parse().unwrap(),
        now: ClockTime::parse("23:59").unwrap(),
        existing,
        replacing: None,
        projects: &projects,
    };
    validate_entry(input, &ctx).issues.iter().map(|i| (i.field, i.severity, i.code)).collect()
}

#[test]
fn a_clean_entry_has_no_findings_and_is_normalised() {
    let projects = catalog();
    let mut good = input("2025-07-29", "09:00", Some("10:30"), "  Wrote the parser  ");
    good.project = Some("temporal MARK".into());
    good.notes = Some("line one\n\n line two ".into());
    let ctx = ValidationContext {
        today: "2025-07-29".parse().unwrap(),
        now: ClockTime::parse("23:59").unwrap(),
        existing: &[],
        replacing: None,
        projects: &projects,
    };
    let result = validate_entry(&good, &ctx);
    assert!(result.issues.is_empty(), "{:?}", result.issues);
    let entry = result.entry.unwrap();
    assert_eq!(entry.task, "Wrote the parser");
    assert_eq!(entry.project, "Temporal Mark");
    assert_eq!(entry.notes, vec!["line one", "line two"]);
    assert_eq!(entry.minutes(), Some(90));
}

#[test]
fn date_errors_and_warnings() {
    assert_eq!(
        check(&input("2025-7-29", "09:00", Some("10:00"), "Some task"), &[]),
        vec![("date", Severity::Error, Code::InvalidDate)]
    );
    assert_eq!(
        check(&input("2025-02-30", "09:00", Some("10:00"), "Some task"), &[]),
        vec![("date", Severity::Error, Code::InvalidDate)]
    );
    // Issue 12: a finished entry on a later day ends in the future: an error, not
    // only the date warning.
    assert_eq!(
        check(&input("2025-07-30", "09:00", Some("10:00"), "Some task"), &[]),
        vec![("date", Severity::Warning, Code::DateInFuture), ("endTime", Severity::Error, Code::EndsInFuture)]
    );
    assert_eq!(
        check(&input("2024-07-28", "09:00", Some("10:00"), "Some task"), &[]),
        vec![("date", Severity::Warning, Code::DateOverAYearAgo)]
    );
    assert!(check(&input("2024-07-29", "09:00", Some("10:00"), "Some task"), &[]).is_empty());
}

#[test]
fn time_errors_and_warnings() {
    let c = check(&input("2025-07-29", "9:00", Some("25:00"), "Some task"), &[]);
    assert_eq!(
        c,
        vec![("startTime", Severity::Error, Code::InvalidTime), ("endTime", Severity::Error, Code::InvalidTime)]
    );
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("09:00"), "Some task"), &[]),
        vec![("endTime", Severity::Error, Code::ZeroDuration)]
    );
    assert_eq!(
        check(&input("2025-07-29", "05:30", Some("06:30"), "Some task"), &[]),
        vec![("startTime", Severity::Warning, Code::OutsideWorkingHours)]
    );
    // 22:00 itself is inside the working day.
    assert!(check(&input("2025-07-29", "21:00", Some("22:00"), "Some task"), &[]).is_empty());
}

#[test]
fn duration_warnings() {
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("09:10"), "Some task"), &[]),
        vec![("endTime", Severity::Warning, Code::ShortDuration)]
    );
    assert!(check(&input("2025-07-29", "09:00", Some("17:00"), "Some task"), &[]).is_empty(), "exactly 8 h is fine");
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("17:01"), "Some task"), &[]),
        vec![("endTime", Severity::Warning, Code::LongDuration)]
    );
    let night = check(&input("2025-07-28", "21:00", Some("01:00"), "Some task"), &[]);
    assert_eq!(
        night,
        vec![
            ("endTime", Severity::Warning, Code::OutsideWorkingHours),
            ("endTime", Severity::Warning, Code::CrossesMidnight)
        ]
    );
}

#[test]
fn task_rules_count_unicode_characters() {
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("10:00"), "   "), &[]),
        vec![("task", Severity::Error, Code::EmptyTask)]
    );
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("10:00"), "a\nb task"), &[]),
        vec![("task", Severity::Error, Code::TaskHasLineBreak)]
    );
    assert!(check(&input("2025-07-29", "09:00", Some("10:00"), &"é".repeat(500)), &[]).is_empty());
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("10:00"), &"é".repeat(501)), &[]),
        vec![("task", Severity::Error, Code::TaskTooLong)]
    );
    assert_eq!(
        check(&input("2025-07-29", "09:00", Some("10:00"), "Fix"), &[]),
        vec![("task", Severity::Warning, Code::ShortTask)]
    );
}

#[test]
fn project_rules() {
    let mut i = input("2025-07-29", "09:00", Some("10:00"), "Some task");
    i.project = Some("x".repeat(101));
    assert_eq!(check(&i, &[]), vec![("project", Severity::Error, Code::InvalidProjectName)]);
    i.project = Some("Bad:Name".into());
    assert_eq!(check(&i, &[]), vec![("project", Severity::Error, Code::InvalidProjectName)]);
    i.project = Some("bad#id/Name".into());
    assert_eq!(check(&i, &[]), vec![("project", Severity::Error, Code::InvalidProjectName)]);
    // A colleague's project is never created by naming it: it must be shared with you.
    i.project = Some("olga/Atlas".into());
    assert_eq!(check(&i, &[]), vec![("project", Severity::Error, Code::UnknownSharedProject)]);
    i.project = Some("Brand New".into());
    assert_eq!(check(&i, &[]), vec![("project", Severity::Info, Code::ProjectCreated)]);
    i.project = None;
    assert!(check(&i, &[]).is_empty(), "no project means Non-Project, which always exists");
}

#[test]
fn tag_rules() {
    let mut i = input("2025-07-29", "09:00", Some("10:00"), "Some task");
    i.tags = Some(json!("docs"));
    assert_eq!(check(&i, &[]), vec![("tags", Severity::Error, Code::InvalidTags)]);
    i.tags = Some(json!(["docs", 3]));
    assert_eq!(check(&i, &[]), vec![("tags", Severity::Error, Code::InvalidTags)]);
    i.tags = Some(json!(["UI Design", "C#"]));
    assert_eq!(
        check(&i, &[]),
        vec![("tags", Severity::Info, Code::TagNormalized), ("tags", Severity::Warning, Code::TagDropped)]
    );
    i.tags = Some(json!((0..11).map(|n| format!("tag{n}")).collect::<Vec<_>>()));
    assert_eq!(check(&i, &[]), vec![("tags", Severity::Warning, Code::TooManyTags)]);
}

#[test]
fn notes_lines_are_limited_per_line() {
    let mut i = input("2025-07-29", "09:00", Some("10:00"), "Some task");
    i.notes = Some(format!("{}\n{}", "a".repeat(1000), "b".repeat(10)));
    assert!(check(&i, &[]).is_empty());
    i.notes = Some(format!("ok\n{}", "a".repeat(1001)));
    assert_eq!(check(&i, &[]), vec![("notes", Severity::Error, Code::NotesTooLong)]);
}

#[test]
fn overlaps_conflict_and_near_entries_warn() {
    let morning = stored("2025-07-29", "09:00", Some("10:30"), "Task 1");
    let night = stored("2025-07-28", "23:00", Some("01:00"), "Deploy");
    let existing = [ExistingEntry { id: "a", entry: &morning }, ExistingEntry { id: "b", entry: &night }];
    let projects = catalog();
    let ctx = ValidationContext {
        today: "2025-07-29".parse().unwrap(),
        now: ClockTime::parse("23:59").unwrap(),
        existing: &existing,
        replacing: None,
        projects: &projects,
    };

    let result = validate_entry(&input("2025-07-29", "10:00", Some("11:30"), "Task 2"), &ctx);
    assert!(result.entry.is_none() && result.only_conflicts());
    assert_eq!(result.issues[0].conflicting_id.as_deref(), Some("a"));
    assert!(result.issues[0].message.contains("09:00-10:30"));

    let across_midnight = validate_entry(&input("2025-07-29", "00:30", Some("02:00"), "Early work"), &ctx);
    assert_eq!(across_midnight.errors().next().unwrap().conflicting_id.as_deref(), Some("b"));

    let touching = validate_entry(&input("2025-07-29", "10:30", Some("11:30"), "Task 2"), &ctx);
    assert!(touching.issues.is_empty(), "{:?}", touching.issues);

    let near = validate_entry(&input("2025-07-29", "10:40", Some("11:30"), "Task 2"), &ctx);
    assert_eq!(near.issues.iter().map(|i| i.code).collect::<Vec<_>>(), vec![Code::Adjacent]);
    assert!(near.entry.is_some());

    // Changing entry "a" itself does not conflict with its old version.
    let change = ValidationContext { replacing: Some("a"), ..ctx };
    assert!(validate_entry(&input("2025-07-29", "09:30", Some("10:30"), "Task 1"), &change).entry.is_some());
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut bad = input("2025-13-01", "9", Some("10:00"), "");
    bad.tags = Some(json!({"a": 1}));
    bad.project = Some("Bad/Name".into());
    let c = check(&bad, &[]);
    let fields: Vec<_> = c.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(fields, vec!["date", "startTime", "task", "project", "tags"]);
    assert!(c.iter().all(|(_, s, _)| *s == Severity::Error));
}

#[test]
fn running_timer_is_validated_without_duration_rules() {
    let running = input("2025-07-29", "13:00", None, "Backend work");
    assert!(check(&running, &[]).is_empty());
    let later = stored("2025-07-29", "14:00", Some("15:00"), "Later entry");
    let existing = [ExistingEntry { id: "x", entry: &later }];
    assert_eq!(check(&running, &existing), vec![("startTime", Severity::Error, Code::Overlap)]);
}

/// Issue 12: a reversed range is not a 23-hour entry, and nothing ends in the future.
#[test]
fn long_ranges_and_future_ends_are_errors() {
    let reversed = check(&input("2025-07-28", "15:00", Some("14:00"), "Some task"), &[]);
    assert_eq!(reversed, vec![("endTime", Severity::Error, Code::RangeTooLong)]);
    let projects = catalog();
    let ctx = ValidationContext {
        today: "2025-07-29".parse().unwrap(),
        now: ClockTime::parse("10:00").unwrap(),
        existing: &[],
        replacing: None,
        projects: &projects,
    };
    let message = &validate_entry(&input("2025-07-28", "15:00", Some("14:00"), "Some task"), &ctx).issues[0].message;
    assert!(message.contains("did you mean") || message.contains("if you meant 14:00-15:00"), "{message}");
    // 22:30-06:30 crosses midnight for 8 hours: fine; 16 hours exactly too.
    assert!(validate_entry(&input("2025-07-27", "22:30", Some("06:30"), "Night shift"), &ctx).entry.is_some());
    assert!(validate_entry(&input("2025-07-27", "06:00", Some("22:00"), "Long day"), &ctx).entry.is_some());
    let future = validate_entry(&input("2025-07-29", "09:00", Some("10:02"), "Some task"), &ctx);
    assert_eq!(future.errors().map(|i| i.code).collect::<Vec<_>>(), vec![Code::EndsInFuture]);
    assert!(
        validate_entry(&input("2025-07-29", "09:00", Some("10:01"), "Some task"), &ctx).entry.is_some(),
        "a minute of slack"
    );
    let overnight = validate_entry(&input("2025-07-28", "23:00", Some("10:30"), "Some task"), &ctx);
    assert_eq!(
        overnight.errors().map(|i| i.code).collect::<Vec<_>>(),
        vec![Code::EndsInFuture],
        "ends tomorrow morning"
    );
}
