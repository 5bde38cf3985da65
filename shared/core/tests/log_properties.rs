//! Property tests of the log format: rendering is lossless, canonical logs are fixed
//! points, and the parser never panics.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use tm_core::domain::calendar::FiscalCalendar;
use tm_core::domain::duration::overlaps;
use tm_core::domain::{ClockTime, Entry};
use tm_core::markdown::document::render_document;
use tm_core::markdown::log::{canonical_order, parse_log, render_log};
use tm_testkit::generator::generate_entries;

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

/// Prose, callouts, task items, comments and headings a person writes between the
/// entries of their log.
fn decoration() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Some prose about the day.".to_owned()),
        Just("> [!note] A callout".to_owned()),
        Just("- [ ] a task item".to_owned()),
        Just("<!-- a comment -->".to_owned()),
        Just("#### A sub-heading".to_owned()),
        Just(String::new()),
        Just("| a | table |".to_owned()),
        Just("focus:: deep work".to_owned()),
    ]
}

/// A canonical log with a person's own lines put between its lines.
fn decorated(entries: &[Entry], extra: &[(prop::sample::Index, String)]) -> String {
    let canonical = render_log("2025-2026", entries);
    let mut lines: Vec<String> = canonical.lines().map(str::to_owned).collect();
    for (at, line) in extra {
        // Never between an entry line and its notes (that would make them orphans).
        let i = at.index(lines.len() + 1);
        if lines.get(i).is_some_and(|l| l.trim_start().starts_with("- Notes:")) {
            continue;
        }
        lines.insert(i, line.clone());
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The person's document always holds exactly the stored entries, whatever it was.
    #[test]
    fn a_document_rendered_with_entries_holds_exactly_those_entries(
        before in valid_entries(),
        after in valid_entries(),
        extra in proptest::collection::vec((any::<prop::sample::Index>(), decoration()), 0..12),
    ) {
        let base = decorated(&before, &extra);
        let text = render_document(&base, "2025-2026", &after);
        let log = parse_log(&text);
        prop_assert!(log.diagnostics.iter().all(|d| !d.is_error()), "{:?}\n{}", log.diagnostics, text);
        prop_assert_eq!(log.entries, canonical_order(after.clone()));
        // Every line the person wrote is still there, in order.
        let theirs: Vec<&str> = base.lines().filter(|l| extra.iter().any(|(_, e)| !e.is_empty() && e == l)).collect();
        let kept: Vec<&str> = text.lines().collect();
        let mut at = 0;
        for line in theirs {
            let found = kept[at..].iter().position(|k| *k == line);
            prop_assert!(found.is_some(), "{line:?} lost:\n{base}\n---\n{text}");
            at += found.unwrap_or(0) + 1;
        }
    }

    /// render ∘ parse is the identity on a person's document whose entry lines are
    /// canonical, whatever else it holds: frontmatter, prose, callouts, comments, the
    /// byte-order mark, and LF, CRLF or CR endings.
    #[test]
    fn render_of_a_parsed_document_gives_back_its_bytes(
        entries in valid_entries(),
        extra in proptest::collection::vec((any::<prop::sample::Index>(), decoration()), 0..12),
        frontmatter in any::<bool>(),
        bom in any::<bool>(),
        ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    ) {
        let mut text = decorated(&entries, &extra);
        if frontmatter {
            text.insert_str(0, "---\ntags: [log]\n- **09:00-10:00**: not an entry [[X]]\n---\n");
        }
        let mut text = text.replace('\n', ending);
        if bom {
            text.insert(0, '\u{feff}');
        }
        let parsed = parse_log(&text);
        prop_assert!(parsed.diagnostics.iter().all(|d| !d.is_error()), "{:?}", parsed.diagnostics);
        prop_assert_eq!(&parsed.entries, &canonical_order(entries.clone()));
        prop_assert_eq!(render_document(&text, "2025-2026", &parsed.entries), text);
    }

    /// On a canonical log, adding entries gives the canonical log of all of them, and
    /// nothing changed gives the same bytes.
    #[test]
    fn adding_to_a_canonical_log_keeps_it_canonical(entries in valid_entries(), split in any::<prop::sample::Index>()) {
        let cut = split.index(entries.len() + 1);
        let (first, _) = entries.split_at(cut);
        let base = render_log("2025-2026", first);
        prop_assert_eq!(render_document(&base, "2025-2026", first), base.clone());
        prop_assert_eq!(render_document(&base, "2025-2026", &entries), render_log("2025-2026", &entries));
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
