//! Benchmarks of the domain core over a generated 10 000-entry fiscal-year log.
//! Run: `cargo bench -p shared --bench domain`. Numbers are recorded in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use shared::domain::calendar::{FiscalCalendar, Month};
use shared::domain::{ProjectCatalog, UNPRODUCTIVE};
use shared::generator::{generate_entries, generated_projects};
use shared::jobs::ingest::{IngestContext, plan_ingest};
use shared::markdown::document::render_document;
use shared::markdown::{parse_log, render_log};
use shared::reports::engine::{ReportEntry, ReportSource};
use shared::reports::{Format, Report, ReportOptions, fiscal_year_report, monthly_report};
use shared::store::StoredEntry;
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let entries = generate_entries(42, &fy, 10_000);
    let text = render_log(&fy.label(), &entries);
    let catalog = ProjectCatalog::new(generated_projects(&fy));
    let rows: Vec<ReportEntry<'_>> = entries.iter().map(|entry| ReportEntry::new("u", entry)).collect();
    let suppressed = [UNPRODUCTIVE.to_owned()];
    let src = ReportSource { entries: &rows, projects: &catalog, default_suppressed: &suppressed, team: false };
    let options = ReportOptions::default();

    c.bench_function("parse+validate 10k-entry log", |b| b.iter(|| parse_log(black_box(&text))));
    c.bench_function("render 10k-entry log", |b| b.iter(|| render_log(black_box("2025-2026"), black_box(&entries))));
    c.bench_function("fiscal-year report, 10k entries", |b| {
        b.iter(|| fiscal_year_report(&fy, black_box(&src), &options).unwrap())
    });
    c.bench_function("fiscal-year report as JSON, 10k entries", |b| {
        b.iter(|| Report::Period(fiscal_year_report(&fy, black_box(&src), &options).unwrap()).render(Format::Json))
    });
    // Ingest plan: the stored year against the same log with one changed line.
    let now = chrono::Utc::now();
    let stored: Vec<StoredEntry> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| StoredEntry { id: format!("e{i}"), entry: e.clone(), created_at: now, updated_at: now })
        .collect();
    let target = &entries[5_000];
    let line = format!("- **{}**: {} [[{}]]", target.range_label(), target.task, target.project);
    let edited = text.replacen(
        &line,
        &format!("- **{}**: {} (edited) [[{}]]", target.range_label(), target.task, target.project),
        1,
    );
    let ingest = IngestContext {
        fiscal_year: &fy,
        current: &stored,
        neighbours: &[],
        running_timer: None,
        now,
        user: "u1",
        colleague_shares: &Default::default(),
        allow_deletes: false,
        local_now: ("2999-12-31".parse().unwrap(), shared::domain::ClockTime::parse("23:59").unwrap()),
    };
    c.bench_function("ingest plan, 10k-entry log, one changed line", |b| {
        b.iter(|| {
            let plan = plan_ingest(black_box(&edited), &ingest, |_| "new".to_owned());
            assert_eq!(plan.writes(), 1);
            plan
        })
    });
    // The person's document on every API write: the year's log with their own lines
    // (frontmatter, and a line of prose after every day's entries), one entry added.
    let mut document = String::from("---\ntags: [log]\n---\n");
    for line in text.lines() {
        document.push_str(line);
        document.push('\n');
        if line.starts_with("### ") {
            document.push_str("> [!note] planned: focus on one thing\n");
        }
    }
    let mut added = entries.clone();
    let mut new_entry = entries[5_000].clone();
    new_entry.task = "Added through the API".to_owned();
    new_entry.date = new_entry.date.succ_opt().unwrap();
    added.push(new_entry);
    c.bench_function("render document, 10k-entry Obsidian log, one added entry", |b| {
        b.iter(|| render_document(black_box(&document), "2025-2026", black_box(&added)))
    });
    let month = Month::parse("2025-10").unwrap();
    c.bench_function("monthly report, 10k entries", |b| {
        b.iter(|| monthly_report(month, black_box(&src), &options).unwrap())
    });
}

criterion_group! {
    name = domain;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(domain);
