//! Prints a generated, valid fiscal-year log (for benchmarks):
//! `generate_log [FY] [ENTRIES] [SEED]`, default `2025-2026 10000 7`.

use tm_core::domain::FiscalCalendar;
use tm_core::markdown::log::render_log;
use tm_testkit::generator::generate_entries;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let label = args.first().map_or("2025-2026", String::as_str);
    let entries: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(7);
    let Ok(fy) = FiscalCalendar::default().parse_label(label) else {
        eprintln!("usage: generate_log [FY like 2025-2026] [ENTRIES] [SEED]");
        std::process::exit(2);
    };
    print!("{}", render_log(label, &generate_entries(seed, &fy, entries)));
}
