//! Benchmarks of the core over a generated 10 000-entry fiscal-year log.
//! Run: `cargo bench -p tm-core --bench core`. Numbers are recorded in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tm_core::domain::calendar::{FiscalCalendar, Month};
use tm_core::domain::{ProjectCatalog, UNPRODUCTIVE};
use tm_core::markdown::document::render_document;
use tm_core::markdown::{parse_log, render_log};
use tm_core::reports::engine::{ReportEntry, ReportSource};
use tm_core::reports::{Format, Report, ReportOptions, fiscal_year_report, monthly_report};
use tm_testkit::generator::{generate_entries, generated_projects};

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
