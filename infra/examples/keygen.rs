//! How long the local issuer's first start waits for its RSA key: `RUNS` keys made with
//! one searching thread, then with one per core (what `SigningKey::generate` does),
//! alternating so both see the same machine. Prints the median, p90 and worst of each.
//!
//! `cargo run -p tm-local --example keygen` (the dev profile optimises the RSA crates,
//! so this is what `cargo run -p tm-local` pays on a first start).

use std::time::{Duration, Instant};
use tm_local::auth::keys::SigningKey;

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    println!("{name:>22}: median {:7.0} ms  p90 {:7.0} ms  worst {:7.0} ms", at(0.5), at(0.9), at(1.0));
}

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let (mut one, mut all) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        SigningKey::generate_with("bench", 1).unwrap();
        one.push(start.elapsed());
        let start = Instant::now();
        SigningKey::generate_with("bench", cores).unwrap();
        all.push(start.elapsed());
        // Let the searches that lost finish before the next measurement.
        std::thread::sleep(Duration::from_secs(3));
    }
    println!("{runs} keys each (RSA 2048):");
    summary("1 searching thread", one);
    summary(&format!("{cores} searching threads"), all);
}
