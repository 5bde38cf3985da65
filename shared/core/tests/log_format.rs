//! docs/rules.md §1: the time-log Markdown format, rule by rule.

use tm_core::domain::{Code, Entry, Severity};
use tm_core::markdown::log::{parse_log, render_log, split_body};

fn codes(log: &tm_core::markdown::ParsedLog) -> Vec<(usize, Severity, Code)> {
    log.diagnostics.iter().map(|d| (d.line, d.severity, d.code)).collect()
}

const RULES_EXAMPLE: &str = "# Time Log 2025-2026

## July 2025

### 2025-07-29

- **09:00-10:30**: Updated user documentation [[Temporal Mark]] [documentation, writing]
  - Notes: Added a section on manual editing
- **10:30-12:00**: Fixed issue [JIRA-123] in auth [[Security Project]] [bug-fix, auth]
- **13:00-[ACTIVE]**: Backend work [[Website Redesign]] [development]
";

#[test]
fn spec_example_parses_and_is_canonical() {
    let log = parse_log(RULES_EXAMPLE);
    assert!(log.diagnostics.is_empty(), "{:?}", log.diagnostics);
    assert_eq!(log.title.as_deref(), Some("Time Log 2025-2026"));
    assert_eq!(log.entries.len(), 3);
    assert_eq!(log.entry_lines, vec![7, 9, 10]);
    let first = &log.entries[0];
    assert_eq!(first.date.to_string(), "2025-07-29");
    assert_eq!(first.task, "Updated user documentation");
    assert_eq!(first.project, "Temporal Mark");
    assert_eq!(first.tags, vec!["documentation", "writing"]);
    assert_eq!(first.notes, vec!["Added a section on manual editing"]);
    assert_eq!(first.minutes(), Some(90));
    assert_eq!(log.entries[1].task, "Fixed issue [JIRA-123] in auth");
    assert!(log.entries[2].is_active());
    assert_eq!(render_log("2025-2026", &log.entries), RULES_EXAMPLE);
}

#[test]
fn body_split_examples_from_spec() {
    // body, task, project, tags, inline notes
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let cases: &[Case] = &[
        ("Task [[Proj]] [a, b]", "Task", Some("Proj"), Some("a, b"), None),
        ("Task [[Proj]]", "Task", Some("Proj"), None, None),
        ("Fixed issue [JIRA-123]", "Fixed issue", None, Some("JIRA-123"), None),
        ("Task [a] [b]", "Task [a]", None, Some("b"), None),
        (
            "Updated [[Component]] docs [[Documentation]] [docs]",
            "Updated [[Component]] docs",
            Some("Documentation"),
            Some("docs"),
            None,
        ),
        (
            "Array[0] was null in parser [[Temporal Mark]] [bug-fix]",
            "Array[0] was null in parser",
            Some("Temporal Mark"),
            Some("bug-fix"),
            None,
        ),
        ("email and prep[[Non-Project]]", "email and prep", Some("Non-Project"), None, None),
        ("[[Proj]]", "", Some("Proj"), None, None),
        ("Task [[Proj]] [t] - wrapped up", "Task", Some("Proj"), Some("t"), Some("wrapped up")),
        ("Call - Bob about - things", "Call - Bob about - things", None, None, None),
        ("Task [[P]] - notes with [x] - inside", "Task", Some("P"), None, Some("notes with [x] - inside")),
    ];
    for &(body, task, project, tags, notes) in cases {
        let parts = split_body(body);
        assert_eq!((parts.task, parts.project, parts.tags, parts.inline_notes), (task, project, tags, notes), "{body}");
    }
}

fn one_day(lines: &str) -> String {
    format!("# Time Log 2025-2026\n\n### 2025-07-29\n\n{lines}")
}

#[test]
fn entry_lines_resolve_tasks_projects_tags_and_notes() {
    let log = parse_log(&one_day(
        "- **09:00-10:00**: Fixed issue [JIRA-123]\n- **10:00-11:00**: [[Proj]]\n- **11:00-12:00**: email and prep[[Non-Project]]\n- **12:00-13:00**: Task [[Proj]] [t] - wrapped up\n",
    ));
    let e = &log.entries;
    assert_eq!(
        (e[0].task.as_str(), e[0].project.as_str(), e[0].tags.clone()),
        ("Fixed issue", "Non-Project", vec!["jira-123".to_string()])
    );
    assert_eq!((e[1].task.as_str(), e[1].project.as_str()), ("Proj", "Proj"));
    assert_eq!((e[2].task.as_str(), e[2].project.as_str()), ("email and prep", "Non-Project"));
    assert_eq!(e[3].notes, vec!["wrapped up"]);
    // JIRA-123 was lower-cased: an info, not a problem; `t` is too short to be a tag.
    assert_eq!(codes(&log), vec![(5, Severity::Info, Code::TagNormalized), (8, Severity::Warning, Code::TagDropped)]);
}

#[test]
fn date_headers_allow_trailing_whitespace_and_reject_impossible_dates() {
    let log = parse_log(
        "### 2025-07-29   \n- **09:00-10:00**: Task one [[P]]\n### 2025-02-30\n- **09:00-10:00**: skipped [[P]]\n### 2025-13-01\n### 2025-7-1\n### Notes about the week\n",
    );
    assert_eq!(log.entries.len(), 1);
    assert_eq!(
        codes(&log),
        vec![
            (3, Severity::Error, Code::InvalidDateHeader),
            (5, Severity::Error, Code::InvalidDateHeader),
            (6, Severity::Error, Code::InvalidDateHeader),
        ]
    );
    assert!(log.diagnostics[0].message.contains("2025-02-30"));
}

#[test]
fn times_out_of_range_are_errors_and_unpadded_times_are_normalised() {
    let log = parse_log(&one_day(
        "- **25:00-26:00**: Late [[P]]\n- **09:60-10:00**: Odd [[P]]\n- **9:00-9:30**: Early start [[P]]\n",
    ));
    assert_eq!(log.entries.len(), 1);
    assert_eq!(log.entries[0].start.to_string(), "09:00");
    assert_eq!(log.entries[0].end.unwrap().to_string(), "09:30");
    let c = codes(&log);
    assert_eq!(&c[..2], &[(5, Severity::Error, Code::InvalidTime), (5, Severity::Error, Code::InvalidTime)]);
    assert_eq!(c[2], (6, Severity::Error, Code::InvalidTime));
    assert_eq!(c[3], (7, Severity::Warning, Code::TimeNotPadded));
    assert!(
        log.diagnostics[3].message.contains("- **09:00-09:30**: Early start [[P]]"),
        "{}",
        log.diagnostics[3].message
    );
}

#[test]
fn crlf_parses_like_lf() {
    let crlf = RULES_EXAMPLE.replace('\n', "\r\n");
    let (a, b) = (parse_log(RULES_EXAMPLE), parse_log(&crlf));
    assert_eq!(a.entries, b.entries);
    assert_eq!(a.diagnostics, b.diagnostics);
}

#[test]
fn midnight_crossing_belongs_to_start_date_and_overlaps_next_morning() {
    let log = parse_log(
        "### 2025-07-29\n- **23:00-01:00**: Deploy [[P]]\n### 2025-07-30\n- **00:30-02:00**: Early [[P]]\n- **02:00-03:00**: Later [[P]]\n",
    );
    assert_eq!(log.entries[0].date.to_string(), "2025-07-29");
    assert_eq!(log.entries[0].minutes(), Some(120));
    assert_eq!(codes(&log), vec![(2, Severity::Error, Code::Overlap), (4, Severity::Error, Code::Overlap)]);
}

#[test]
fn end_equal_to_start_is_an_error() {
    let log = parse_log(&one_day("- **09:00-09:00**: Nothing [[P]]\n"));
    assert_eq!(codes(&log), vec![(5, Severity::Error, Code::ZeroDuration)]);
    assert!(log.entries.is_empty());
}

#[test]
fn overlaps_and_duplicates_are_errors_on_both_lines_touching_is_fine() {
    let log = parse_log(&one_day(
        "- **09:00-10:30**: Task 1 [[P]]\n- **10:00-11:30**: Task 2 [[P]]\n- **11:30-12:00**: Touching [[P]]\n- **13:00-14:00**: Same [[P]]\n- **13:00-14:00**: Same [[P]]\n",
    ));
    assert_eq!(
        codes(&log),
        vec![
            (5, Severity::Error, Code::Overlap),
            (6, Severity::Error, Code::Overlap),
            (8, Severity::Error, Code::Overlap),
            (9, Severity::Error, Code::Overlap),
        ]
    );
    let line6 = log.diagnostics.iter().find(|d| d.line == 6).unwrap();
    assert_eq!(
        line6.to_string().split(';').next().unwrap(),
        "line 6: error overlap: 10:00-11:30 overlaps 09:00-10:30 (Task 1), line 5 of 2025-07-29"
    );
    assert!(log.diagnostics.iter().find(|d| d.line == 9).unwrap().message.contains("duplicates"));
}

#[test]
fn at_most_one_active_entry() {
    let log = parse_log("### 2025-07-29\n- **09:00-[ACTIVE]**: One [[P]]\n### 2025-07-30\n- **[ACTIVE]**: no\n");
    assert!(log.diagnostics.is_empty(), "{:?}", log.diagnostics);
    let two =
        parse_log("### 2025-07-29\n- **09:00-[ACTIVE]**: One [[P]]\n### 2025-07-28\n- **09:00-[ACTIVE]**: Two [[P]]\n");
    let c: Vec<_> = codes(&two).into_iter().filter(|c| c.2 == Code::MultipleActive).collect();
    assert_eq!(c, vec![(2, Severity::Error, Code::MultipleActive), (4, Severity::Error, Code::MultipleActive)]);
}

#[test]
fn entry_before_first_date_header_is_an_error() {
    let log =
        parse_log("# Time Log\n- **09:00-10:00**: Too early [[P]]\n### 2025-07-29\n- **09:00-10:00**: Fine [[P]]\n");
    assert_eq!(codes(&log), vec![(2, Severity::Error, Code::EntryBeforeDateHeader)]);
    assert_eq!(log.entries.len(), 1);
}

#[test]
fn notes_lines_belong_only_to_the_entry_directly_above() {
    let log = parse_log(&one_day(
        "- **09:00-10:00**: Task one [[P]]\n  - Notes: first\n  - Notes: second\n\n  - Notes: orphan after blank\n- **10:00-11:00**: Task two [[P]]\n    - Notes: four spaces\n\t- Notes: a tab\n- **11:00-12:00**: Task three [[P]]\n- Notes: not indented\n",
    ));
    assert_eq!(log.entries[0].notes, vec!["first", "second"]);
    // Issue 12: any indentation of spaces or tabs under an entry is its notes.
    assert_eq!(log.entries[1].notes, vec!["four spaces", "a tab"]);
    assert!(log.entries[2].notes.is_empty());
    assert_eq!(
        codes(&log),
        vec![(9, Severity::Warning, Code::OrphanNotes), (14, Severity::Warning, Code::OrphanNotes)]
    );
    let orphan_first = parse_log("  - Notes: nothing above\n");
    assert_eq!(codes(&orphan_first), vec![(1, Severity::Warning, Code::OrphanNotes)]);
}

#[test]
fn malformed_entry_lines_are_errors_not_silently_dropped() {
    let log = parse_log(&one_day(
        "- **09:00 10:00**: no dash\n- **09:00-10:00** missing colon\n- **09:00-10:00**:   \n- **Bold** prose is fine\n",
    ));
    assert_eq!(
        codes(&log),
        vec![
            (5, Severity::Error, Code::MalformedEntry),
            (6, Severity::Error, Code::MalformedEntry),
            (7, Severity::Error, Code::EmptyTask),
        ]
    );
}

#[test]
fn time_ranges_not_in_the_entry_form_are_flagged_not_counted_silently() {
    let log = parse_log(&one_day(
        "- 09:00-10:30 Write the guide [[Docs]]\n* **9:00 - 10:00** Standup\n- 9:30–10:00 en dash\n- 10:00 call with Bob\n- Met at 10:00-ish\n  - 11:00-12:00 indented item\n",
    ));
    assert!(log.entries.is_empty());
    assert_eq!(
        codes(&log),
        vec![
            (5, Severity::Warning, Code::EntryLikeText),
            (6, Severity::Warning, Code::EntryLikeText),
            (7, Severity::Warning, Code::EntryLikeText),
            (10, Severity::Warning, Code::EntryLikeText),
        ]
    );
    // Before the first day it is prose about something else, not a lost entry.
    assert!(parse_log("- 09:00-10:00 agenda\n").diagnostics.is_empty());
}

#[test]
fn invalid_tags_and_project_names() {
    let log = parse_log(&one_day(
        "- **09:00-10:00**: Task one [[Bad:Name]]\n- **10:00-11:00**: Task two [[P]] [C#, UI Design]\n",
    ));
    assert_eq!(
        codes(&log),
        vec![
            (5, Severity::Error, Code::InvalidProjectName),
            (6, Severity::Info, Code::TagNormalized),
            (6, Severity::Warning, Code::TagDropped),
        ]
    );
    assert_eq!(log.entries[0].tags, vec!["ui-design"]);
    assert!(log.diagnostics[2].message.contains("C#"));
}

#[test]
fn rendering_orders_sections_and_entries() {
    let entry = |date: &str, start: &str, end: &str, task: &str| Entry {
        date: date.parse().unwrap(),
        start: start.parse_clock(),
        end: Some(end.parse_clock()),
        task: task.into(),
        project: "P".into(),
        tags: vec![],
        notes: vec![],
    };
    trait ParseClock {
        fn parse_clock(&self) -> tm_core::domain::ClockTime;
    }
    impl ParseClock for str {
        fn parse_clock(&self) -> tm_core::domain::ClockTime {
            tm_core::domain::ClockTime::parse(self).unwrap()
        }
    }
    let text = render_log(
        "2025-2026",
        &[
            entry("2025-08-01", "09:00", "10:00", "C"),
            entry("2025-07-29", "11:00", "12:00", "B"),
            entry("2025-07-29", "09:00", "10:00", "A"),
        ],
    );
    assert_eq!(
        text,
        "# Time Log 2025-2026\n\n## July 2025\n\n### 2025-07-29\n\n- **09:00-10:00**: A [[P]]\n- **11:00-12:00**: B [[P]]\n\n## August 2025\n\n### 2025-08-01\n\n- **09:00-10:00**: C [[P]]\n"
    );
    assert_eq!(render_log("2025-2026", &[]), "# Time Log 2025-2026\n");
}

/// Issue 11: a log is held to the API's rules, so nothing an upload stores is beyond
/// what the API can read, edit, export and import again.
#[test]
fn uploads_follow_the_api_rules_for_tasks_notes_tags_and_years() {
    let long_task = "x".repeat(501);
    let long_note = "n".repeat(1001);
    let text = format!(
        "# Time Log 2025-2026\n\n### 2025-07-29\n\n- **09:00-10:00**: {long_task} [[P]]\n- **10:00-11:00**: Fine [[P]]\n  - Notes: {long_note}\n- **11:00-12:00**: Inline [[P]] [t] - {long_note}\n- **12:00-13:00**: Tagged [[P]] [a1, a2, a3, a4, a5, a6, a7, a8, a9, b1, b2]\n\n### 0000-07-01\n\n- **09:00-10:00**: Year zero [[P]]\n"
    );
    let log = parse_log(&text);
    let found = codes(&log);
    assert!(found.contains(&(5, Severity::Error, Code::TaskTooLong)), "{found:?}");
    assert!(found.contains(&(7, Severity::Error, Code::NotesTooLong)), "{found:?}");
    assert!(found.contains(&(8, Severity::Error, Code::NotesTooLong)), "{found:?}");
    assert!(found.contains(&(9, Severity::Warning, Code::TooManyTags)), "{found:?}");
    assert!(found.contains(&(11, Severity::Error, Code::InvalidDateHeader)), "{found:?}");
    let year = log.diagnostics.iter().find(|d| d.line == 11).unwrap();
    assert!(year.message.contains("1900-2999"), "{}", year.message);
    // Only the valid entries remain; the long-notes one is refused whole.
    let tasks: Vec<&str> = log.entries.iter().map(|e| e.task.as_str()).collect();
    assert_eq!(tasks, ["Tagged"]);
    assert_eq!(log.entries[0].tags.len(), 11, "a warning, as in the API");
    let ok = format!("# Time Log 2025-2026\n\n### 2025-07-29\n\n- **09:00-10:00**: {} [[P]]\n", "x".repeat(500));
    assert!(!parse_log(&ok).has_errors(), "500 characters is the limit, as in the API");
}
