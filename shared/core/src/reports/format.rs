//! Output formats: JSON (the API's shape), Markdown, CSV (one row per entry) and plain
//! text. Text and Markdown show hours with 1 decimal from exact minutes.

use super::engine::{
    DailyReport, ListedEntry, PeriodKind, PeriodReport, ProjectSummaryReport, TagSummaryReport, group_keys,
};
use super::options::{Format, GroupBy};
use super::spreadsheet::CsvWriter;
use crate::domain::calendar::month_name;
use crate::domain::duration::hours_1dp;
use crate::domain::entry::Entry;
use serde::Serialize;
use std::fmt::Write as _;

/// Any report, ready to be written in any format.
#[derive(Clone, Debug)]
pub enum Report<'a> {
    Period(PeriodReport<'a>),
    Daily(DailyReport),
    Project(ProjectSummaryReport),
    Tag(TagSummaryReport),
}

impl Report<'_> {
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => match self {
                Report::Period(r) => json(r),
                Report::Daily(r) => json(r),
                Report::Project(r) => json(r),
                Report::Tag(r) => json(r),
            },
            Format::Csv => match self {
                Report::Period(r) => period_csv(r),
                Report::Daily(r) => listed_csv(&r.entries),
                Report::Project(r) => listed_csv(&r.recent_entries),
                Report::Tag(r) => listed_csv(&r.entries),
            },
            Format::Markdown => match self {
                Report::Period(r) => period_markdown(r),
                Report::Daily(r) => daily_markdown(r),
                Report::Project(r) => project_markdown(r),
                Report::Tag(r) => tag_markdown(r),
            },
            Format::Text => match self {
                Report::Period(r) => period_text(r),
                Report::Daily(r) => daily_text(r),
                Report::Project(r) => project_text(r),
                Report::Tag(r) => tag_text(r),
            },
        }
    }
}

fn json<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).expect("reports serialise");
    out.push('\n');
    out
}

fn h(minutes: u64) -> String {
    hours_1dp(minutes)
}

fn entries(n: usize) -> String {
    if n == 1 { "1 entry".to_owned() } else { format!("{n} entries") }
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `2025-07-01 to 2025-07-31`, or what stands for a since report that matched nothing.
fn span(r: &PeriodReport<'_>) -> String {
    match &r.period {
        Some(p) => format!("{} to {}", p.start, p.end),
        None => "no matching entry".to_owned(),
    }
}

fn title(r: &PeriodReport<'_>) -> String {
    let team = if r.team { "Team report: " } else { "" };
    let body = match (r.kind, &r.period) {
        (PeriodKind::FiscalYear, _) => format!("Fiscal year {}", r.label.as_deref().unwrap_or("")),
        (PeriodKind::Weekly, _) => format!("Week of {}", span(r)),
        (PeriodKind::Monthly, Some(p)) => {
            use chrono::Datelike;
            format!("{} {}", month_name(p.start.month()), p.start.year())
        }
        (PeriodKind::Range | PeriodKind::Monthly, _) => span(r),
        (PeriodKind::Since, _) => format!("Since \"{}\"", r.text.as_deref().unwrap_or("")),
    };
    format!("{team}{body}")
}

fn overlap_note(r: &PeriodReport<'_>) -> Option<String> {
    r.groups_overlap.then(|| {
        format!(
            "Some projects or entries belong to several {} groups and count in each, so the group totals add up to more than the total.",
            r.group_by.label()
        )
    })
}

fn since_line(r: &PeriodReport<'_>) -> Option<String> {
    let found = r.last_occurrence.as_ref()?;
    Some(match found {
        Some(e) => format!(
            "Last \"{}\": {} {}-{} {} [{}]",
            r.text.as_deref().unwrap_or(""),
            e.date,
            e.start_time,
            e.end_time.map_or("[ACTIVE]".to_owned(), |t| t.to_string()),
            e.task,
            e.project
        ),
        None => format!("No task contains \"{}\".", r.text.as_deref().unwrap_or("")),
    })
}

fn period_text(r: &PeriodReport<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", title(r), span(r));
    if let Some(line) = since_line(r) {
        let _ = writeln!(out, "{line}");
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "Total: {} h in {}, {} projects, {} days with entries",
        h(s.total_minutes),
        entries(s.total_entries),
        s.project_count,
        s.days_with_entries
    );
    if !r.suppressed.is_empty() {
        let _ = writeln!(out, "Left out: {}", r.suppressed.join(", "));
    }
    if let Some(note) = overlap_note(r) {
        let _ = writeln!(out, "Note: {note}");
    }
    for g in &r.groups {
        let _ = writeln!(out, "\n{}: {} h ({}%)", PeriodReport::group_heading(g), h(g.total_minutes), g.share);
        for p in &g.projects {
            let _ = writeln!(out, "  {}: {} h ({}%), {}", p.name, h(p.total_minutes), p.share, entries(p.entry_count));
            for t in &p.top_tasks {
                let _ = writeln!(out, "    - {}: {} h, {}x", t.task, h(t.minutes), t.count);
            }
        }
    }
    out
}

fn period_markdown(r: &PeriodReport<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", title(r));
    let _ = writeln!(out, "{} · grouped by {}\n", span(r), r.group_by.label());
    if let Some(line) = since_line(r) {
        let _ = writeln!(out, "{}\n", md_cell(&line));
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "**Total: {} h** in {} · {} projects · {} days with entries\n",
        h(s.total_minutes),
        entries(s.total_entries),
        s.project_count,
        s.days_with_entries
    );
    if !r.suppressed.is_empty() {
        let _ = writeln!(out, "Left out: {}\n", r.suppressed.join(", "));
    }
    if let Some(note) = overlap_note(r) {
        let _ = writeln!(out, "> {note}\n");
    }
    for g in &r.groups {
        let _ = writeln!(
            out,
            "## {} — {} h ({}%)\n",
            md_cell(&PeriodReport::group_heading(g)),
            h(g.total_minutes),
            g.share
        );
        let _ = writeln!(out, "| Project | Hours | Share | Entries |\n|---|---:|---:|---:|");
        for p in &g.projects {
            let _ =
                writeln!(out, "| {} | {} | {}% | {} |", md_cell(&p.name), h(p.total_minutes), p.share, p.entry_count);
        }
        out.push('\n');
        for p in g.projects.iter().filter(|p| !p.top_tasks.is_empty() || !p.description.is_empty()) {
            let _ = writeln!(out, "### {}\n", md_cell(&p.name));
            if !p.description.is_empty() {
                let _ = writeln!(out, "{}\n", p.description);
            }
            for t in &p.top_tasks {
                let _ = writeln!(out, "- {} — {} h, {}×", md_cell(&t.task), h(t.minutes), t.count);
            }
            if !p.top_tasks.is_empty() {
                out.push('\n');
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The entry columns shared by every CSV output.
fn entry_fields(entry: &Entry, project: &str) -> [String; 8] {
    let minutes = entry.minutes();
    [
        entry.date.to_string(),
        entry.start.to_string(),
        entry.end.map(|t| t.to_string()).unwrap_or_default(),
        minutes.map(|m| m.to_string()).unwrap_or_default(),
        minutes.map(|m| format!("{:.2}", crate::domain::duration::hours_2dp(m))).unwrap_or_default(),
        project.to_owned(),
        entry.task.clone(),
        entry.tags.join("; "),
    ]
}

const ENTRY_HEADER: [&str; 8] = ["date", "startTime", "endTime", "minutes", "hours", "project", "task", "tags"];

fn period_csv(r: &PeriodReport<'_>) -> String {
    let mut w = CsvWriter::new();
    // Grouping by project, user or nothing adds no information beyond the entry columns.
    let group_column = match r.group_by {
        GroupBy::DepartmentalGoal | GroupBy::StrategicDirection | GroupBy::Tag => Some(r.group_by.as_str()),
        GroupBy::Project | GroupBy::User | GroupBy::None => None,
    };
    let mut header: Vec<&str> = Vec::new();
    if r.team {
        header.extend(["user", "userName"]);
    }
    header.extend(ENTRY_HEADER);
    header.push("notes");
    header.extend(group_column);
    w.row(&header);
    for row in &r.rows {
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        if r.team {
            record.push(row.user.to_owned());
            record.push(r.user_names.get(row.user).cloned().unwrap_or_default());
        }
        let project = &r.row_projects[row.project];
        record.extend(entry_fields(row.entry, &project.name));
        record.push(row.entry.notes.join("\n"));
        if group_column.is_some() {
            record.push(group_keys(r.group_by, row.user, row.entry, project).join("; "));
        }
        w.row(&record);
    }
    w.finish()
}

fn listed_csv(entries: &[ListedEntry]) -> String {
    let mut w = CsvWriter::new();
    let team = entries.iter().any(|e| e.user.is_some());
    let mut header: Vec<&str> = Vec::new();
    if team {
        header.push("user");
    }
    header.extend(ENTRY_HEADER);
    header.push("notes");
    w.row(&header);
    for listed in entries {
        let entry: Entry = listed.entry.clone().into();
        let mut record: Vec<String> = Vec::new();
        if team {
            record.push(listed.user.clone().unwrap_or_default());
        }
        record.extend(entry_fields(&entry, &entry.project));
        record.push(entry.notes.join("\n"));
        w.row(&record);
    }
    w.finish()
}

fn entry_text(e: &ListedEntry) -> String {
    let who = e.user.as_deref().map(|u| format!("{u}: ")).unwrap_or_default();
    let range = format!("{}-{}", e.entry.start_time, e.entry.end_time.map_or("[ACTIVE]".to_owned(), |t| t.to_string()));
    let hours = e.entry.minutes.map_or("running".to_owned(), |m| format!("{} h", h(u64::from(m))));
    let tags = if e.entry.tags.is_empty() { String::new() } else { format!(" [{}]", e.entry.tags.join(", ")) };
    format!("{who}{range}  {hours}  {} [[{}]]{tags}", e.entry.task, e.entry.project)
}

fn daily_text(r: &DailyReport) -> String {
    let mut out = String::new();
    let span = match (r.first_start, r.last_end) {
        (Some(a), Some(b)) => format!(", {a} to {b}"),
        _ => String::new(),
    };
    let _ = writeln!(out, "{}: {} h logged, {} h in gaps{span}", r.date, h(r.total_minutes), h(r.gap_minutes));
    for e in &r.entries {
        let _ = writeln!(out, "  {}", entry_text(e));
    }
    for g in &r.gaps {
        let _ = writeln!(out, "  gap {}-{}  {} h", g.start, g.end, h(u64::from(g.minutes)));
    }
    out
}

fn entries_table(out: &mut String, entries: &[ListedEntry]) {
    let team = entries.iter().any(|e| e.user.is_some());
    let _ = writeln!(
        out,
        "| {}Date | Time | Hours | Task | Project | Tags |\n|{}---|---|---:|---|---|---|",
        if team { "User | " } else { "" },
        if team { "---|" } else { "" }
    );
    for e in entries {
        let j = &e.entry;
        let user = e.user.as_deref().map(|u| format!("{} | ", md_cell(u))).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {user}{} | {}-{} | {} | {} | {} | {} |",
            j.date,
            j.start_time,
            j.end_time.map_or("[ACTIVE]".to_owned(), |t| t.to_string()),
            j.minutes.map_or("running".to_owned(), |m| h(u64::from(m))),
            md_cell(&j.task),
            md_cell(&j.project),
            md_cell(&j.tags.join(", "))
        );
    }
}

fn daily_markdown(r: &DailyReport) -> String {
    let mut out = format!("# {}\n\n**{} h** logged · {} h in gaps\n\n", r.date, h(r.total_minutes), h(r.gap_minutes));
    entries_table(&mut out, &r.entries);
    if !r.gaps.is_empty() {
        out.push_str("\n## Gaps\n\n");
        for g in &r.gaps {
            let _ = writeln!(out, "- {}-{} ({} h)", g.start, g.end, h(u64::from(g.minutes)));
        }
    }
    out
}

fn project_header(r: &ProjectSummaryReport) -> Vec<String> {
    let p = &r.project;
    vec![
        format!("Status: {}", p.status),
        format!("Departmental goals: {}", p.departmental_goals.join(", ")),
        format!("Strategic directions: {}", p.strategic_directions.join(", ")),
        format!("Start date: {}", p.start_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into())),
        format!(
            "Total: {} h in {} (average {} h), {} to {}",
            h(r.total_minutes),
            entries(r.entry_count),
            h(r.average_minutes),
            r.first_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            r.last_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
        ),
    ]
}

fn project_text(r: &ProjectSummaryReport) -> String {
    let mut out = format!("{}\n", r.project.name);
    for line in project_header(r) {
        let _ = writeln!(out, "{line}");
    }
    if !r.project.summary.is_empty() {
        let _ = writeln!(out, "\n{}", r.project.summary);
    }
    if !r.hours_by_tag.is_empty() {
        out.push_str("\nHours by tag:\n");
        for t in &r.hours_by_tag {
            let _ = writeln!(out, "  {}: {} h ({})", t.tag, h(t.minutes), entries(t.entry_count));
        }
    }
    out.push_str("\nRecent entries:\n");
    for e in &r.recent_entries {
        let _ = writeln!(out, "  {} {}", e.entry.date, entry_text(e));
    }
    out
}

fn project_markdown(r: &ProjectSummaryReport) -> String {
    let mut out = format!("# {}\n\n", md_cell(&r.project.name));
    for line in project_header(r) {
        let _ = writeln!(out, "- {line}");
    }
    if !r.project.summary.is_empty() {
        let _ = write!(out, "\n## Summary\n\n{}\n", r.project.summary);
    }
    if !r.hours_by_tag.is_empty() {
        out.push_str("\n## Hours by tag\n\n| Tag | Hours | Entries |\n|---|---:|---:|\n");
        for t in &r.hours_by_tag {
            let _ = writeln!(out, "| {} | {} | {} |", t.tag, h(t.minutes), t.entry_count);
        }
    }
    out.push_str("\n## Recent entries\n\n");
    entries_table(&mut out, &r.recent_entries);
    out
}

fn tag_text(r: &TagSummaryReport) -> String {
    let mut out = format!("Tag {}: {} h in {}\n", r.tag, h(r.total_minutes), entries(r.entry_count));
    for p in &r.projects {
        let _ = writeln!(out, "  {}: {} h ({}%), {}", p.name, h(p.minutes), p.share, entries(p.entry_count));
    }
    out.push_str("\nEntries:\n");
    for e in &r.entries {
        let _ = writeln!(out, "  {} {}", e.entry.date, entry_text(e));
    }
    out
}

fn tag_markdown(r: &TagSummaryReport) -> String {
    let mut out = format!(
        "# Tag {}\n\n**{} h** in {}\n\n| Project | Hours | Share | Entries |\n|---|---:|---:|---:|\n",
        r.tag,
        h(r.total_minutes),
        r.entry_count
    );
    for p in &r.projects {
        let _ = writeln!(out, "| {} | {} | {}% | {} |", md_cell(&p.name), h(p.minutes), p.share, p.entry_count);
    }
    out.push_str("\n## Entries\n\n");
    entries_table(&mut out, &r.entries);
    out
}
