//! Property tests of the log format: rendering is lossless, canonical logs are fixed
//! points, and the parser never panics.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use shared::domain::calendar::FiscalCalendar;
use shared::domain::duration::overlaps;
use shared::domain::{ClockTime, Entry};
use shared::generator::generate_entries;
use shared::markdown::log::{canonical_order, parse_log, render_log};

fn text(pattern: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(pattern)
        .unwrap()
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("non-empty after trim", |s| !s.is_empty())
}

fn tag() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9]{2,8}(-[a-z0-9]{1,6}){0,2}").unwrap()
}

fn raw_entry() -> impl Strategy<Value = Entry> {
    (
        0u64..40,
        0u32..1440,
        1u32..900,
        text("[A-Za-z0-9 \\[\\]\\-_.,:#()/]{1,40}"),
        text("[A-Za-z][A-Za-z0-9 ._\\-]{0,24}"),
        proptest::collection::vec(tag(), 0..4),
        proptest::collection::vec(text("[A-Za-z0-9 .,!?\\[\\]\\-:]{1,30}"), 0..3),
    )
        .prop_map(|(day, start, minutes, task, project, mut tags, notes)| {
            tags.dedup();
            let mut unique = Vec::new();
            for t in tags {
                if !unique.contains(&t) {
                    unique.push(t);
                }
            }
            Entry {
                date: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap() + Days::new(day),
                start: ClockTime::from_minutes(start).unwrap(),
                end: ClockTime::from_minutes((start + minutes) % 1440),
                task,
                project,
                tags: unique,
                notes,
            }
        })
}

/// A valid set: overlapping candidates are dropped; optionally one running timer that
/// starts after everything else.
fn valid_entries() -> impl Strategy<Value = Vec<Entry>> {
    (proptest::collection::vec(raw_entry(), 0..40), any::<bool>()).prop_map(|(candidates, with_active)| {
        let mut kept: Vec<Entry> = Vec::new();
        for candidate in candidates {
            if candidate.end == Some(candidate.start) {
                continue;
            }
            if kept.iter().all(|k| !overlaps(k, &candidate)) {
                kept.push(candidate);
            }
        }
        if with_active && let Some(latest) = kept.iter().filter_map(|e| e.end_abs()).max() {
            let day = NaiveDate::from_num_days_from_ce_opt((latest / 1440) as i32).unwrap();
            let mut active = kept[0].clone();
            active.date = day;
            active.start = ClockTime::from_minutes((latest % 1440) as u32).unwrap();
            active.end = None;
            kept.push(active);
        }
        kept
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parse_of_render_gives_back_the_entries(entries in valid_entries()) {
        let text = render_log("2025-2026", &entries);
        let log = parse_log(&text);
        prop_assert!(log.diagnostics.is_empty(), "{:?}\n{}", log.diagnostics, text);
        prop_assert_eq!(log.entries, canonical_order(entries));
    }

    #[test]
    fn render_of_a_canonical_log_gives_back_the_same_bytes(entries in valid_entries()) {
        let canonical = render_log("2025-2026", &entries);
        prop_assert_eq!(render_log("2025-2026", &parse_log(&canonical).entries), canonical);
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(input in any::<String>()) {
        let _ = parse_log(&input);
    }

    #[test]
    fn parser_never_panics_on_log_like_text(input in "([-#*\\[\\] :0-9A-Za-z\\r\\n]|ACTIVE|Notes:|\\*\\*|\\[\\[|\\]\\]){0,400}") {
        let _ = parse_log(&input);
    }

    #[test]
    fn parser_never_panics_on_mutated_real_logs(
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>(), "[-*\\[\\]:# 0-9\\n]{0,6}"), 1..20),
    ) {
        let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
        let mut chars: Vec<char> = render_log("2025-2026", &generate_entries(seed, &fy, 60)).chars().collect();
        for (at, op, c, insert) in edits {
            let i = at.index(chars.len().max(1)).min(chars.len());
            match op {
                0 if i < chars.len() => { chars.remove(i); }
                1 => chars.insert(i, c),
                2 if i < chars.len() => chars[i] = c,
                _ => { for (k, ch) in insert.chars().enumerate() { chars.insert((i + k).min(chars.len()), ch); } }
            }
        }
        let mutated: String = chars.into_iter().collect();
        let log = parse_log(&mutated);
        prop_assert_eq!(log.entries.len(), log.entry_lines.len());
    }
}

#[test]
fn a_generated_year_is_valid_and_canonical() {
    let fy = FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let entries = generate_entries(42, &fy, 10_000);
    let text = render_log(&fy.label(), &entries);
    let log = parse_log(&text);
    assert!(log.diagnostics.is_empty(), "{:?}", &log.diagnostics[..log.diagnostics.len().min(5)]);
    assert_eq!(log.entries.len(), 10_000);
    assert_eq!(render_log(&fy.label(), &log.entries), text);
}
