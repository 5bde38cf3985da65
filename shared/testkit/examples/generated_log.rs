//! Prints a generated fiscal-year log for benchmarks:
//! `cargo run --release -p tm-testkit --example generated_log -- ENTRIES [FY] [SEED]`
//! (weekdays 07:00-23:00 only, so weekends are free for the writes a benchmark adds).

use tm_core::domain::calendar::FiscalCalendar;
use tm_testkit::generator::generate_entries;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(count) = args.first().and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("usage: generated_log ENTRIES [FISCAL-YEAR, e.g. 2025-2026] [SEED]");
        return std::process::ExitCode::FAILURE;
    };
    let label = args.get(1).map_or("2025-2026", String::as_str);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(7);
    let fiscal_year = match FiscalCalendar::default().parse_label(label) {
        Ok(fy) => fy,
        Err(e) => {
            eprintln!("generated_log: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    print!("{}", tm_core::markdown::render_log(label, &generate_entries(seed, &fiscal_year, count)));
    std::process::ExitCode::SUCCESS
}
