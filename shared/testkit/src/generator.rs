//! Deterministic, realistic logs for tests and benchmarks: work days of a fiscal year,
//! several projects with goals and tags, notes, breaks, and a few midnight crossings.
//! The same seed always gives the same entries.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use tm_core::domain::calendar::FiscalYear;
use tm_core::domain::entry::{Entry, NON_PROJECT, UNPRODUCTIVE};
use tm_core::domain::project::{Project, ProjectStatus};
use tm_core::domain::time::ClockTime;

/// SplitMix64: a tiny, well-known generator whose output never changes between
/// versions (unlike `rand`'s StdRng), so generated logs are stable fixtures.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct ProjectSpec {
    name: &'static str,
    goals: &'static [&'static str],
    directions: &'static [&'static str],
    tags: &'static [&'static str],
    tasks: &'static [&'static str],
    weight: u64,
}

const PROJECTS: &[ProjectSpec] = &[
    ProjectSpec {
        name: "Temporal Mark",
        goals: &["Technology"],
        directions: &["DigitalTransformation"],
        tags: &["development", "documentation", "bug-fix", "testing"],
        tasks: &[
            "Implemented report engine",
            "Fixed issue [JIRA-{n}] in parser",
            "Updated user documentation",
            "Reviewed pull request #{n}",
            "Array[{n}] was null in parser",
        ],
        weight: 30,
    },
    ProjectSpec {
        name: "Website Redesign",
        goals: &["Marketing", "Technology"],
        directions: &["CustomerEngagement", "DigitalTransformation"],
        tags: &["design", "ui", "web"],
        tasks: &[
            "Designed landing page",
            "Built navigation component",
            "Usability test session {n}",
            "Updated [[Component]] docs",
        ],
        weight: 25,
    },
    ProjectSpec {
        name: "Security Project",
        goals: &["Operations"],
        directions: &["RiskManagement"],
        tags: &["security", "auth", "audit"],
        tasks: &["Rotated service credentials", "Reviewed access logs", "Threat model workshop - part {n}"],
        weight: 15,
    },
    ProjectSpec {
        name: "Customer Support",
        goals: &["Customers"],
        directions: &["CustomerEngagement"],
        tags: &["support", "email"],
        tasks: &["Answered support tickets", "Call with customer #{n}", "Triaged incoming bugs"],
        weight: 10,
    },
    ProjectSpec {
        name: NON_PROJECT,
        goals: &[],
        directions: &[],
        tags: &["admin", "meeting", "email"],
        tasks: &["Email and planning", "Team standup", "One-on-one with manager", "Timesheets"],
        weight: 12,
    },
    ProjectSpec {
        name: UNPRODUCTIVE,
        goals: &[],
        directions: &[],
        tags: &["break"],
        tasks: &["Lunch break", "Coffee break"],
        weight: 8,
    },
];

const NOTES: &[&str] = &[
    "Discussed next steps with the team",
    "Blocked on review; follow up tomorrow",
    "Added tests for the edge cases",
    "See ticket for details",
    "Pairing session, went well",
];

/// The projects the generator logs time on (the conventional ones are left to be
/// created implicitly, as in a real vault).
pub fn generated_projects(fiscal_year: &FiscalYear) -> Vec<Project> {
    PROJECTS
        .iter()
        .filter(|p| !p.goals.is_empty())
        .enumerate()
        .map(|(i, p)| Project {
            name: p.name.to_owned(),
            departmental_goals: p.goals.iter().map(|s| s.to_string()).collect(),
            strategic_directions: p.directions.iter().map(|s| s.to_string()).collect(),
            tags: p.tags.iter().map(|s| s.to_string()).collect(),
            status: if i == 3 { ProjectStatus::OnHold } else { ProjectStatus::Active },
            start_date: Some(fiscal_year.start() + Days::new(i as u64 * 14)),
            summary: format!("Work on {}.\n\nTracked since the start of the fiscal year.", p.name),
            archived: false,
        })
        .collect()
}

/// More entries than this in a year fill every day, in 5-minute entries with few
/// breaks (benchmarks of 50 000-entry years); up to it, only work days.
const DENSE_ABOVE: usize = 20_000;

/// About `target` entries spread over the work days (Mon–Fri) of `fiscal_year`, valid
/// and free of overlaps. Days fill from 07:00 and end by 23:00, so 02:00-06:00 is
/// always free; every 37th day ends with a midnight crossing. Above [`DENSE_ABOVE`]
/// entries, weekends are filled too (up to about 55 000).
pub fn generate_entries(seed: u64, fiscal_year: &FiscalYear, target: usize) -> Vec<Entry> {
    let mut rng = SplitMix64::new(seed);
    let dense = target > DENSE_ABOVE;
    let days: Vec<NaiveDate> = fiscal_year
        .start()
        .iter_days()
        .take_while(|d| *d <= fiscal_year.end())
        .filter(|d| dense || !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let per_day = target.div_ceil(days.len()).max(1);
    // 07:00-22:00 shared out between the day's entries.
    let slot = (15 * 60 / per_day as u32).max(if dense { 5 } else { 10 });
    let total_weight: u64 = PROJECTS.iter().map(|p| p.weight).sum();
    let mut entries = Vec::with_capacity(target + days.len() / 30);
    for (day_index, &date) in days.iter().enumerate() {
        let mut cursor = 7 * 60 + (rng.below(4) as u32) * 5;
        for _ in 0..per_day {
            if entries.len() >= target {
                return entries;
            }
            let duration = (slot / 2 + rng.below(u64::from(slot / 2 + 1)) as u32).max(5) / 5 * 5;
            let duration = duration.max(5);
            if cursor + duration >= 23 * 60 {
                break;
            }
            let mut roll = rng.below(total_weight);
            let spec = PROJECTS
                .iter()
                .find(|p| {
                    if roll < p.weight {
                        true
                    } else {
                        roll -= p.weight;
                        false
                    }
                })
                .expect("weights cover the roll");
            let task = rng.pick(spec.tasks).replace("{n}", &(100 + rng.below(900)).to_string());
            let mut tags: Vec<String> = Vec::new();
            for _ in 0..rng.below(3) {
                let tag = rng.pick(spec.tags).to_string();
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            let notes = match rng.below(10) {
                0 => vec![rng.pick(NOTES).to_string()],
                1 => vec![rng.pick(NOTES).to_string(), rng.pick(NOTES).to_string()],
                _ => Vec::new(),
            };
            entries.push(Entry {
                date,
                start: ClockTime::from_minutes(cursor).expect("cursor stays within the day"),
                end: ClockTime::from_minutes(cursor + duration),
                task,
                project: spec.name.to_owned(),
                tags,
                notes,
            });
            // Back to back, or a short break.
            cursor +=
                duration + if rng.chance(if dense { 90 } else { 60 }) { 0 } else { 5 * (1 + rng.below(4) as u32) };
        }
        if day_index % 37 == 36 && entries.len() < target && cursor <= 23 * 60 {
            entries.push(Entry {
                date,
                start: ClockTime::new(23, 0).expect("valid"),
                end: ClockTime::new(1, 0),
                task: "Production deployment".into(),
                project: "Security Project".into(),
                tags: vec!["deployment".into()],
                notes: vec!["Out-of-hours change window".into()],
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use tm_core::domain::calendar::FiscalCalendar;

    #[test]
    fn generation_is_deterministic_and_sized() {
        let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
        let a = generate_entries(7, &fy, 2000);
        let b = generate_entries(7, &fy, 2000);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2000);
        assert!(a.iter().all(|e| fy.contains(e.date)));
        assert!(a.iter().any(|e| e.crosses_midnight()));
        assert_ne!(a, generate_entries(8, &fy, 2000));
    }
}
