//! docs/rules.md §2: project files and project rules.

use tm_core::domain::project::{GENERAL, ProjectCatalog};
use tm_core::domain::{Code, Entry, Project, ProjectStatus, Severity};
use tm_core::markdown::{parse_project_file, render_project_file};

const RULES_EXAMPLE: &str = "---
project: Website Redesign 2025-2026
departmentalGoal: [Marketing, Technology]
strategicDirection: [CustomerEngagement, DigitalTransformation]
tags: [design, ui, web]
status: Active
startDate: 2025-07-01
---

## Summary

Redesign the company website to improve user experience.
";

#[test]
fn spec_example() {
    let parsed = parse_project_file(RULES_EXAMPLE);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let p = parsed.project.unwrap();
    assert_eq!(p.name, "Website Redesign 2025-2026");
    assert_eq!(p.departmental_goals, vec!["Marketing", "Technology"]);
    assert_eq!(p.strategic_directions, vec!["CustomerEngagement", "DigitalTransformation"]);
    assert_eq!(p.tags, vec!["design", "ui", "web"]);
    assert_eq!(p.status, ProjectStatus::Active);
    assert_eq!(p.start_date.unwrap().to_string(), "2025-07-01");
    assert_eq!(p.summary, "Redesign the company website to improve user experience.");
}

#[test]
fn plural_spellings_scalars_quoted_dates_and_crlf() {
    let text = "---\r\nprojectName: Security Project\r\ndepartmentalGoals: Operations\r\nstrategicDirections:\r\n  - RiskManagement\r\n  - Compliance\r\ntags: Security Audit\r\nstatus: On Hold\r\nstartDate: \"2025-08-15\"\r\n---\r\n";
    let p = parse_project_file(text).project.unwrap();
    assert_eq!(p.name, "Security Project");
    assert_eq!(p.departmental_goals, vec!["Operations"]);
    assert_eq!(p.strategic_directions, vec!["RiskManagement", "Compliance"]);
    assert_eq!(p.tags, vec!["security-audit"]);
    assert_eq!(p.status, ProjectStatus::OnHold);
    assert_eq!(p.start_date.unwrap().to_string(), "2025-08-15");
    assert_eq!(p.summary, "");
}

#[test]
fn summary_reads_every_paragraph_up_to_the_next_heading_else_the_field() {
    let text = "---\nproject: P\nsummary: from the field\n---\n\n## Summary\n\nFirst paragraph\nstill first.\n\nSecond paragraph.\n\n## Notes\n\nNot the summary.\n";
    assert_eq!(parse_project_file(text).project.unwrap().summary, "First paragraph\nstill first.\n\nSecond paragraph.");
    let field_only = "---\nproject: P\nsummary: from the field\n---\n\nSome text.\n";
    assert_eq!(parse_project_file(field_only).project.unwrap().summary, "from the field");
}

#[test]
fn statuses_and_defaults() {
    for (status, want) in [
        ("Completed", ProjectStatus::Completed),
        ("Cancelled", ProjectStatus::Cancelled),
        ("active", ProjectStatus::Active),
    ] {
        let text = format!("---\nproject: P\nstatus: {status}\n---\n");
        assert_eq!(parse_project_file(&text).project.unwrap().status, want);
    }
    assert_eq!(parse_project_file("---\nproject: P\n---\n").project.unwrap().status, ProjectStatus::Active);
}

#[test]
fn errors_name_the_line_and_the_fix() {
    let bad = parse_project_file("---\nproject: P\nstatus: Paused\nstartDate: 2025-02-30\n---\n");
    assert!(bad.project.is_none());
    let found: Vec<_> = bad.diagnostics.iter().map(|d| (d.line, d.severity, d.code)).collect();
    assert_eq!(found, vec![(3, Severity::Error, Code::InvalidStatus), (4, Severity::Error, Code::InvalidStartDate)]);
    assert!(bad.diagnostics[0].message.contains("On Hold"));

    let missing = parse_project_file("---\nstatus: Active\n---\n");
    assert_eq!(missing.diagnostics[0].code, Code::MissingProjectName);
    let no_frontmatter = parse_project_file("# Just a note\n");
    assert_eq!(no_frontmatter.diagnostics[0].code, Code::InvalidFrontmatter);
    let unclosed = parse_project_file("---\nproject: P\n");
    assert_eq!(unclosed.diagnostics[0].code, Code::InvalidFrontmatter);
    let broken_yaml = parse_project_file("---\nproject: [unclosed\n---\n");
    assert_eq!(broken_yaml.diagnostics[0].code, Code::InvalidFrontmatter);
    let bad_name = parse_project_file("---\nproject: a/b\n---\n");
    assert_eq!(bad_name.diagnostics[0].code, Code::InvalidProjectName);
}

#[test]
fn rendering_round_trips() {
    let project = Project {
        name: "Website: Redesign".replace(':', ""),
        departmental_goals: vec!["Marketing".into(), "Technology, Ops".into()],
        strategic_directions: vec![],
        tags: vec!["ui".into(), "web".into()],
        status: ProjectStatus::OnHold,
        start_date: Some("2025-07-01".parse().unwrap()),
        summary: "Line one: with colon.\n\nSecond paragraph.".into(),
        archived: false,
    };
    let text = render_project_file(&project);
    let parsed = parse_project_file(&text);
    assert!(parsed.diagnostics.is_empty(), "{:?}\n{text}", parsed.diagnostics);
    assert_eq!(parsed.project.unwrap(), project);
    let spec = parse_project_file(RULES_EXAMPLE).project.unwrap();
    assert_eq!(parse_project_file(&render_project_file(&spec)).project.unwrap(), spec);
}

#[test]
fn referenced_projects_are_created_once_matched_case_insensitively() {
    let spec = parse_project_file(RULES_EXAMPLE).project.unwrap();
    let mut catalog = ProjectCatalog::new([spec]);
    let entry = |date: &str, project: &str| Entry {
        date: date.parse().unwrap(),
        start: tm_core::domain::ClockTime::new(9, 0).unwrap(),
        end: tm_core::domain::ClockTime::new(10, 0),
        task: "Task".into(),
        project: project.into(),
        tags: vec![],
        notes: vec![],
    };
    let entries = [
        entry("2025-07-03", "temporal mark"),
        entry("2025-07-02", "Temporal Mark"),
        entry("2025-07-04", "WEBSITE REDESIGN 2025-2026"),
    ];
    let created = catalog.add_missing_from(&entries);
    assert_eq!(created, vec!["temporal mark"]);
    let auto = catalog.get("TEMPORAL MARK").unwrap();
    assert_eq!(auto.start_date.unwrap().to_string(), "2025-07-02");
    assert_eq!(
        (auto.departmental_goals.clone(), auto.strategic_directions.clone()),
        (vec![GENERAL.to_string()], vec![GENERAL.to_string()])
    );
    assert_eq!(auto.status, ProjectStatus::Active);
    assert!(auto.tags.is_empty());
    assert_eq!(catalog.display_name("website redesign 2025-2026"), "Website Redesign 2025-2026");
}

#[test]
fn a_log_naming_an_undefined_project_gets_an_info_at_its_first_line() {
    use tm_core::markdown::log::{create_referenced_projects, parse_log};
    let log = parse_log(
        "### 2025-07-29\n- **09:00-10:00**: Task one [[Known]]\n- **10:00-11:00**: Task two [[new thing]]\n- **11:00-12:00**: Again [[New Thing]]\n",
    );
    let mut catalog = ProjectCatalog::new([Project {
        name: "Known".into(),
        ..Project::auto_created("Known", "2025-01-01".parse().unwrap())
    }]);
    let refs: Vec<&Entry> = log.entries.iter().collect();
    let infos = create_referenced_projects(&refs, &log.entry_lines, &mut catalog);
    assert_eq!(infos.len(), 1);
    let (index, d) = &infos[0];
    assert_eq!((*index, d.line, d.severity, d.code), (1, 3, Severity::Info, Code::ProjectCreated));
    assert!(d.message.contains("\"new thing\""), "{}", d.message);
    assert_eq!(catalog.get("NEW THING").unwrap().start_date.unwrap().to_string(), "2025-07-29");
}

/// Issue 12: a project file keeps the keys the service does not read and everything
/// after its frontmatter; a change through the API touches only what it changes.
#[test]
fn unknown_keys_and_the_body_are_kept() {
    use tm_core::markdown::project_file::render_project_file_over;
    let source = "---\nproject: Website Redesign\nowner: Dana\ndepartmentalGoals: [Marketing]\ncolor: \"#ff8800\"\nstatus: Active\n---\n\n## Summary\n\nRedesign the site.\n\n## Links\n\n- [[Design system]]\n- https://example.com/board\n";
    let project = parse_project_file(source).project.unwrap();
    assert_eq!(render_project_file_over(source, &project), source, "unchanged: byte for byte");
    let mut changed = project.clone();
    changed.summary = "Redesign the site and the shop.".into();
    changed.status = tm_core::domain::ProjectStatus::OnHold;
    let out = render_project_file_over(source, &changed);
    assert!(
        out.contains("owner: Dana") && out.contains("color: '#ff8800'") || out.contains("color: \"#ff8800\""),
        "{out}"
    );
    assert!(out.contains("departmentalGoals:"), "the file's own spelling stays: {out}");
    assert!(out.contains("status: On Hold"), "{out}");
    assert!(out.contains("## Summary\n\nRedesign the site and the shop.\n\n## Links\n\n- [[Design system]]\n- https://example.com/board\n"), "{out}");
    assert_eq!(parse_project_file(&out).project.unwrap(), changed, "and it reads back as the project");
}
