//! Benchmark of the ingest plan over a generated 10 000-entry fiscal-year log.
//! Run: `cargo bench -p tm-service --bench ingest`. Numbers are in docs/benchmarks.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tm_core::domain::calendar::FiscalCalendar;
use tm_core::markdown::render_log;
use tm_service::jobs::ingest::{IngestContext, plan_ingest};
use tm_service::store::StoredEntry;
use tm_testkit::generator::generate_entries;

fn benches(c: &mut Criterion) {
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let entries = generate_entries(42, &fy, 10_000);
    let text = render_log(&fy.label(), &entries);
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
        local_now: ("2999-12-31".parse().unwrap(), tm_core::domain::ClockTime::parse("23:59").unwrap()),
    };
    c.bench_function("ingest plan, 10k-entry log, one changed line", |b| {
        b.iter(|| {
            let plan = plan_ingest(black_box(&edited), &ingest, |_| "new".to_owned());
            assert_eq!(plan.writes(), 1);
            plan
        })
    });
}

criterion_group! {
    name = ingest;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(ingest);
