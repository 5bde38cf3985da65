//! docs/rules.md §8: reports over entries and projects given as input.

use serde_json::Value;
use tm_core::domain::calendar::{FiscalCalendar, Month};
use tm_core::domain::{ClockTime, Entry, Project, ProjectCatalog, ProjectStatus};
use tm_core::reports::engine::{Page, ReportEntry, ReportError, ReportSource};
use tm_core::reports::{
    Format, GroupBy, Report, ReportOptions, SortBy, TopTasks, daily_report, fiscal_year_report, monthly_report,
    project_summary, range_report, since_report, tag_summary, weekly_report,
};

fn entry(date: &str, start: &str, end: Option<&str>, task: &str, project: &str, tags: &[&str]) -> Entry {
    Entry {
        date: date.parse().unwrap(),
        start: ClockTime::parse(start).unwrap(),
        end: end.map(|e| ClockTime::parse(e).unwrap()),
        task: task.into(),
        project: project.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        notes: vec![],
    }
}

fn project(name: &str, goals: &[&str], start: &str) -> Project {
    Project {
        name: name.into(),
        departmental_goals: goals.iter().map(|s| s.to_string()).collect(),
        strategic_directions: vec![],
        tags: vec![],
        status: ProjectStatus::Active,
        start_date: Some(start.parse().unwrap()),
        summary: format!("About {name}."),
        archived: false,
    }
}

fn entries() -> Vec<Entry> {
    vec![
        entry("2025-07-28", "09:00", Some("10:30"), "Wrote parser", "Temporal Mark", &["development"]),
        entry("2025-07-28", "10:30", Some("11:00"), "Wrote parser", "temporal mark", &["development", "testing"]),
        entry("2025-07-28", "11:00", Some("12:00"), "Lunch", "Unproductive", &[]),
        entry("2025-07-29", "09:00", Some("11:15"), "Landing page", "Website", &["design"]),
        entry("2025-07-29", "13:00", Some("13:09"), "Email, \"urgent\"", "Non-Project", &[]),
        entry("2025-07-29", "23:00", Some("01:00"), "Deploy release", "Website", &["ops"]),
        entry("2025-07-30", "09:00", None, "Still running", "Website", &[]),
        entry("2025-06-30", "09:00", Some("10:00"), "Last year", "Temporal Mark", &[]),
    ]
}

fn catalog() -> ProjectCatalog {
    ProjectCatalog::new([
        project("Temporal Mark", &["Technology"], "2025-01-01"),
        project("Website", &["Marketing", "Technology"], "2024-06-01"),
    ])
}

struct Fixture {
    entries: Vec<Entry>,
    catalog: ProjectCatalog,
    suppressed: Vec<String>,
}

impl Fixture {
    fn new() -> Self {
        Self { entries: entries(), catalog: catalog(), suppressed: vec!["Unproductive".into()] }
    }
    fn rows(&self) -> Vec<ReportEntry<'_>> {
        self.entries.iter().map(|e| ReportEntry::new("alice", e)).collect()
    }
}

fn src<'a>(f: &'a Fixture, rows: &'a [ReportEntry<'a>]) -> ReportSource<'a> {
    ReportSource { entries: rows, projects: &f.catalog, default_suppressed: &f.suppressed, team: false }
}

fn as_json(report: Report<'_>) -> Value {
    serde_json::from_str(&report.render(Format::Json)).unwrap()
}

#[test]
fn fiscal_year_report_has_the_shared_shape_and_spec_rules() {
    let f = Fixture::new();
    let rows = f.rows();
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let report = fiscal_year_report(&fy, &src(&f, &rows), &ReportOptions::default()).unwrap();
    let j = as_json(Report::Period(report));
    assert_eq!(j["kind"], "fiscal-year");
    assert_eq!(j["period"]["start"], "2025-07-01");
    assert_eq!(j["period"]["end"], "2026-06-30");
    assert_eq!(j["groupBy"], "departmentalGoal");
    // Unproductive suppressed; the running entry and last FY's entry are not counted.
    // 90 + 30 + 135 + 9 + 120 = 384 minutes.
    assert_eq!(j["summary"]["totalMinutes"], 384);
    assert_eq!(j["summary"]["totalHours"], 6.4);
    assert_eq!(j["summary"]["totalEntries"], 5);
    assert_eq!(j["summary"]["projectCount"], 3);
    assert_eq!(j["summary"]["daysWithEntries"], 2);
    assert_eq!(j["suppressed"], serde_json::json!(["Unproductive"]));
    // Website has two goals: it is in both groups, and the output says totals overlap.
    assert_eq!(j["groupsOverlap"], true);
    let keys: Vec<&str> = j["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, vec!["General", "Marketing", "Technology"], "Non-Project is created with goal General");
    let tech = &j["groups"][2];
    assert_eq!(tech["totalMinutes"], 375);
    let names: Vec<&str> = tech["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Website", "Temporal Mark"], "sorted by hours, display spelling kept");
    let tm = &tech["projects"][1];
    assert_eq!(tm["totalMinutes"], 120);
    assert_eq!(tm["entryCount"], 2);
    assert_eq!(tm["share"], 31.3, "percent of the report total after suppression");
    assert_eq!(tm["description"], "About Temporal Mark.");
    assert_eq!(
        tm["topTasks"][0],
        serde_json::json!({"task": "Wrote parser", "minutes": 120, "hours": 2.0, "count": 2, "dates": ["2025-07-28"]})
    );
}

#[test]
fn suppression_grouping_sorting_and_top_tasks_options() {
    let f = Fixture::new();
    let rows = f.rows();
    let s = src(&f, &rows);
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();

    let everything = ReportOptions { suppress: Some(vec![]), group_by: Some(GroupBy::None), ..Default::default() };
    let r = fiscal_year_report(&fy, &s, &everything).unwrap();
    assert_eq!(r.summary.total_minutes, 444);
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.groups[0].key, "All");
    assert!(!r.groups_overlap);

    let by_tag = ReportOptions { group_by: Some(GroupBy::Tag), ..Default::default() };
    let r = fiscal_year_report(&fy, &s, &by_tag).unwrap();
    let keys: Vec<_> = r.groups.iter().map(|g| (g.key.as_str(), g.total_minutes)).collect();
    // Entry tags, not project tags; untagged entries land in Uncategorized.
    assert_eq!(keys, vec![("design", 135), ("development", 120), ("ops", 120), ("testing", 30), ("Uncategorized", 9)]);
    assert!(r.groups_overlap);

    let alpha = ReportOptions {
        group_by: Some(GroupBy::Project),
        sort: SortBy::Alpha,
        top_tasks: TopTasks::Count(0),
        suppress: Some(vec!["website".into()]),
    };
    let r = fiscal_year_report(&fy, &s, &alpha).unwrap();
    assert_eq!(
        r.groups.iter().map(|g| g.key.as_str()).collect::<Vec<_>>(),
        vec!["Non-Project", "Temporal Mark", "Unproductive"]
    );
    assert!(r.groups.iter().all(|g| g.projects[0].top_tasks.is_empty()));
    assert_eq!(r.summary.total_minutes, 189);

    let by_date = ReportOptions {
        group_by: Some(GroupBy::None),
        sort: SortBy::Date,
        top_tasks: TopTasks::All,
        ..Default::default()
    };
    let r = fiscal_year_report(&fy, &s, &by_date).unwrap();
    let names: Vec<_> = r.groups[0].projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Website", "Temporal Mark", "Non-Project"]);
    assert_eq!(r.groups[0].projects[0].top_tasks.len(), 2);

    let user = ReportOptions { group_by: Some(GroupBy::User), ..Default::default() };
    let err = fiscal_year_report(&fy, &s, &user).unwrap_err();
    assert_eq!(err.code(), "invalid-option");
}

#[test]
fn range_weekly_monthly_and_empty_reports() {
    let f = Fixture::new();
    let rows = f.rows();
    let s = src(&f, &rows);
    let r = range_report("2025-07-29".parse().unwrap(), "2025-07-29".parse().unwrap(), &s, &ReportOptions::default())
        .unwrap();
    assert_eq!((r.summary.total_minutes, r.summary.days_with_entries, r.group_by), (264, 1, GroupBy::Project));
    assert!(
        range_report("2025-07-30".parse().unwrap(), "2025-07-29".parse().unwrap(), &s, &ReportOptions::default())
            .is_err()
    );

    // Week of Tuesday 2025-07-29 is Mon 07-28 .. Sun 08-03; Unproductive is included
    // in weekly reports unless suppressed.
    let w = weekly_report("2025-07-29".parse().unwrap(), &s, &ReportOptions::default()).unwrap();
    let p = w.period.unwrap();
    assert_eq!((p.start.to_string(), p.end.to_string()), ("2025-07-28".into(), "2025-08-03".into()));
    assert_eq!(w.summary.total_minutes, 444);

    let m = monthly_report(Month::parse("2025-06").unwrap(), &s, &ReportOptions::default()).unwrap();
    assert_eq!(m.summary.total_minutes, 60);
    let empty = monthly_report(Month::parse("2024-01").unwrap(), &s, &ReportOptions::default()).unwrap();
    assert_eq!((empty.summary.total_minutes, empty.groups.len()), (0, 0));
    let text = Report::Period(empty).render(Format::Text);
    assert!(text.contains("Total: 0.0 h in 0 entries"), "{text}");
}

#[test]
fn since_report_starts_after_the_last_matching_entry() {
    let f = Fixture::new();
    let rows = f.rows();
    let s = src(&f, &rows);
    let r = since_report("WROTE parser", &s, &ReportOptions::default()).unwrap();
    // After 2025-07-28 11:00: Lunch (suppressed), Landing page, Email, Deploy.
    assert_eq!(r.summary.total_minutes, 264);
    let j = as_json(Report::Period(r));
    assert_eq!(j["kind"], "since");
    assert_eq!(j["lastOccurrence"]["startTime"], "10:30");
    assert_eq!(j["lastOccurrence"]["task"], "Wrote parser");
    assert_eq!(j["groups"][0]["key"], "Website");

    let literal = since_report("Wrote*", &s, &ReportOptions::default()).unwrap();
    let j = as_json(Report::Period(literal));
    assert_eq!(j["lastOccurrence"], Value::Null, "no wildcards");
    assert_eq!(j["summary"]["totalMinutes"], 0);
    // Issue 12: no match is no period, never the year -262143.
    assert_eq!(j["period"], Value::Null);
    for format in [Format::Text, Format::Markdown, Format::Csv] {
        let out =
            Report::Period(since_report("nothing like this", &s, &ReportOptions::default()).unwrap()).render(format);
        assert!(!out.contains("-262143") && !out.contains("+262142"), "{format:?}: {out}");
    }
    let text =
        Report::Period(since_report("nothing like this", &s, &ReportOptions::default()).unwrap()).render(Format::Text);
    assert!(text.starts_with("Since \"nothing like this\" (no matching entry)"), "{text}");
}

#[test]
fn daily_report_lists_entries_gaps_and_totals() {
    let f = Fixture::new();
    let rows = f.rows();
    let d = daily_report("2025-07-29".parse().unwrap(), &src(&f, &rows));
    let j = as_json(Report::Daily(d));
    assert_eq!(j["date"], "2025-07-29");
    assert_eq!(j["totalMinutes"], 264);
    assert_eq!(j["gapMinutes"], 105 + 591);
    assert_eq!(j["gaps"][0], serde_json::json!({"start": "11:15", "end": "13:00", "minutes": 105}));
    assert_eq!(j["firstStart"], "09:00");
    assert_eq!(j["lastEnd"], "01:00");
    assert_eq!(j["entries"][2]["endTime"], "01:00");
    assert_eq!(j["entries"][2]["minutes"], 120);
    let running = as_json(Report::Daily(daily_report("2025-07-30".parse().unwrap(), &src(&f, &rows))));
    assert_eq!(running["entries"][0]["endTime"], Value::Null);
    assert_eq!(running["totalMinutes"], 0);
}

#[test]
fn project_and_tag_summaries() {
    let f = Fixture::new();
    let rows = f.rows();
    let s = src(&f, &rows);
    let p = project_summary("temporal MARK", &s, Page { offset: 0, limit: 2 }).unwrap();
    assert_eq!(p.project.name, "Temporal Mark");
    assert_eq!((p.total_minutes, p.entry_count, p.average_minutes), (180, 3, 60));
    assert_eq!(
        (p.first_date.unwrap().to_string(), p.last_date.unwrap().to_string()),
        ("2025-06-30".into(), "2025-07-28".into())
    );
    assert_eq!(p.recent_entries.len(), 2);
    assert_eq!(p.recent_entries[0].entry.start_time.to_string(), "10:30", "newest first");
    assert_eq!(p.next_offset, Some(2));
    assert_eq!(p.hours_by_tag[0].tag, "development");
    assert_eq!(p.hours_by_tag[0].minutes, 120);

    match project_summary("Websit", &s, Page::default()).unwrap_err() {
        ReportError::UnknownProject { suggestions, .. } => assert_eq!(suggestions, vec!["Website"]),
        other => panic!("{other:?}"),
    }

    let t = tag_summary("Development", &s).unwrap();
    assert_eq!((t.tag.as_str(), t.total_minutes, t.entry_count), ("development", 120, 2));
    assert_eq!(t.projects[0].name, "Temporal Mark", "display spelling");
    assert_eq!(tag_summary("C#", &s).unwrap_err().code(), "invalid-tag");
}

#[test]
fn team_reports_group_by_user() {
    let f = Fixture::new();
    let mut rows = f.rows();
    let bob = entry("2025-07-29", "09:00", Some("10:00"), "Review", "Website", &[]);
    rows.push(ReportEntry::new("bob", &bob));
    let s = ReportSource { team: true, ..src(&f, &rows) };
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let r =
        fiscal_year_report(&fy, &s, &ReportOptions { group_by: Some(GroupBy::User), ..Default::default() }).unwrap();
    let mut r = r;
    let keys: Vec<_> = r.groups.iter().map(|g| (g.key.as_str(), g.total_minutes)).collect();
    assert_eq!(keys, vec![("alice", 384), ("bob", 60)]);
    // Names from the directory go next to the ids; someone without one keeps the id.
    r.name_users(&[("bob".to_owned(), "Bob Builder".to_owned())].into());
    let named: Vec<_> = r.groups.iter().map(|g| g.name.as_deref()).collect();
    assert_eq!(named, [None, Some("Bob Builder")]);
    let report = Report::Period(r);
    let csv = report.render(Format::Csv);
    assert!(csv.starts_with("user,userName,date,"), "{csv}");
    assert!(csv.lines().any(|l| l == "bob,Bob Builder,2025-07-29,09:00,10:00,60,1.00,Website,Review,,"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("alice,,2025-07-")), "{csv}");
    let md = report.render(Format::Markdown);
    assert!(md.contains("## Bob Builder (bob) — 1.0 h") && md.contains("## alice — "), "{md}");
    assert!(report.render(Format::Text).contains("\nBob Builder (bob): 1.0 h"));
    let json: serde_json::Value = serde_json::from_str(&report.render(Format::Json)).unwrap();
    assert_eq!((&json["groups"][1]["name"], json["groups"][0].get("name")), (&serde_json::json!("Bob Builder"), None));
}

#[test]
fn csv_has_one_row_per_entry_with_every_group_and_quoting() {
    let f = Fixture::new();
    let rows = f.rows();
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let r = fiscal_year_report(&fy, &src(&f, &rows), &ReportOptions::default()).unwrap();
    let csv = Report::Period(r).render(Format::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "date,startTime,endTime,minutes,hours,project,task,tags,notes,departmentalGoal");
    assert_eq!(lines.len(), 6, "header + 5 counted entries, no duplicates for multi-goal projects");
    assert!(lines.contains(&"2025-07-29,09:00,11:15,135,2.25,Website,Landing page,design,,Marketing; Technology"));
    assert!(lines.contains(&"2025-07-29,13:00,13:09,9,0.15,Non-Project,\"Email, \"\"urgent\"\"\",,,General"));
}

#[test]
fn text_and_markdown_show_one_decimal_hours_and_the_overlap_note() {
    let f = Fixture::new();
    let rows = f.rows();
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let r = fiscal_year_report(&fy, &src(&f, &rows), &ReportOptions::default()).unwrap();
    let report = Report::Period(r);
    let text = report.render(Format::Text);
    assert!(text.contains("Total: 6.4 h in 5 entries, 3 projects, 2 days with entries"), "{text}");
    assert!(text.contains("Landing page: 2.3 h, 1x"), "135 min → 2.3: {text}");
    assert!(text.contains("Email, \"urgent\": 0.2 h, 1x"), "9 min → 0.2: {text}");
    assert!(text.contains("add up to more than the total"));
    let md = report.render(Format::Markdown);
    assert!(md.starts_with("# Fiscal year 2025-2026\n"), "{md}");
    assert!(md.contains("| Website | 4.3 | 66.4% | 2 |"), "{md}");
    assert!(md.contains("> Some projects or entries belong to several departmental goal groups"));
}

/// Issue 11: every CSV cell a spreadsheet would run as a formula is shown as text
/// (prefixed with `'`), in period, team, daily and summary CSVs alike; JSON and
/// Markdown keep the text exactly.
#[test]
fn csv_cells_that_look_like_formulas_are_neutralised_and_other_formats_unchanged() {
    let f = Fixture::new();
    let mut rows = f.rows();
    let evil = Entry {
        notes: vec!["@SUM(1)".into()],
        ..entry("2025-07-29", "15:00", Some("16:00"), "=HYPERLINK(\"http://evil\",\"x\")", "Website", &[])
    };
    let minus = entry("2025-07-29", "16:00", Some("16:30"), "-2+3 budget", "Website", &[]);
    rows.push(ReportEntry::new("+mallory", &evil));
    rows.push(ReportEntry::new("alice", &minus));
    let s = ReportSource { team: true, ..src(&f, &rows) };
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let mut r = fiscal_year_report(&fy, &s, &ReportOptions::default()).unwrap();
    r.name_users(&[("+mallory".to_owned(), "=Mallory".to_owned())].into());
    let report = Report::Period(r);
    let csv = report.render(Format::Csv);
    assert!(
        csv.lines().any(|l| l.starts_with("'+mallory,'=Mallory,2025-07-29,15:00,16:00,60,1.00,Website,\"'=HYPERLINK(")
            && l.contains(",'@SUM(1),")),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.contains(",'-2+3 budget,")), "{csv}");
    assert!(!csv.lines().any(|l| l.contains(",=") || l.contains(",@") || l.contains(",+")), "{csv}");
    let json = report.render(Format::Json);
    assert!(json.contains(r#""task": "=HYPERLINK(\"http://evil\",\"x\")""#), "{json}");
    assert!(report.render(Format::Markdown).contains("=HYPERLINK(\"http://evil\",\"x\")"));

    let day = daily_report("2025-07-29".parse().unwrap(), &src(&f, &rows));
    let csv = Report::Daily(day).render(Format::Csv);
    assert!(csv.contains(",\"'=HYPERLINK(") && !csv.contains(",\"=HYPERLINK("), "{csv}");
}
