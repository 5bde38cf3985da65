//! Durations in whole minutes, hour display, gaps, overlaps and adjacency.
//! Totals are always sums of minutes; hours exist only for display.

use super::entry::Entry;
use super::time::{ClockTime, MINUTES_PER_DAY};
use serde::Serialize;

/// `end - start`, plus a day when the end is earlier (midnight crossing). Equal times
/// give 0, which validation rejects before any entry is stored.
pub fn span_minutes(start: ClockTime, end: ClockTime) -> u32 {
    let (s, e) = (start.minutes_since_midnight(), end.minutes_since_midnight());
    if e >= s { e - s } else { e + MINUTES_PER_DAY - s }
}

/// Hours rounded to 2 decimals, for JSON (`hours` beside the exact `minutes`).
pub fn hours_2dp(minutes: u32) -> f64 {
    let hundredths = (u64::from(minutes) * 100 + 30) / 60;
    hundredths as f64 / 100.0
}

/// Hours with 1 decimal for text outputs, rounding halves away from zero on the exact
/// value: 135 → `2.3`, 15 → `0.3`, 9 → `0.2`. Integer arithmetic, so no float drift.
pub fn hours_1dp(minutes: u64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A free span between two entries of a day.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    pub start: ClockTime,
    pub end: ClockTime,
    pub minutes: u32,
}

/// Gaps of one day's entries: sorted by start, a gap wherever the next start is after
/// the latest end so far. None before the first or after the last entry; a running
/// entry ends nothing, so nothing after it is a gap.
pub fn day_gaps(entries: &[&Entry]) -> Vec<Gap> {
    let mut sorted: Vec<&Entry> = entries.to_vec();
    sorted.sort_by_key(|e| e.start);
    let mut gaps = Vec::new();
    // Latest end so far, in minutes from the day's midnight (may exceed a day).
    let mut latest_end: Option<u32> = None;
    for (i, entry) in sorted.iter().enumerate() {
        let start = entry.start.minutes_since_midnight();
        if i > 0 {
            let Some(end) = latest_end else { break };
            if start > end {
                gaps.push(Gap {
                    start: ClockTime::from_minutes(end).expect("end before a later start is within the day"),
                    end: entry.start,
                    minutes: start - end,
                });
            }
        }
        let this_end = entry.minutes().map(|m| start + m);
        latest_end = match (i, latest_end, this_end) {
            (0, _, e) => e,
            (_, Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    gaps
}

/// Do two entries overlap in time (touching is fine)? Running entries are open-ended.
pub fn overlaps(a: &Entry, b: &Entry) -> bool {
    let before = |x: &Entry, y: &Entry| x.end_abs().is_some_and(|end| end <= y.start_abs());
    !before(a, b) && !before(b, a)
}

/// Minutes between two non-overlapping entries (0 when they touch); `None` when they
/// overlap.
pub fn minutes_apart(a: &Entry, b: &Entry) -> Option<i64> {
    let (first, second) = if a.start_abs() <= b.start_abs() { (a, b) } else { (b, a) };
    let end = first.end_abs()?;
    (end <= second.start_abs()).then(|| second.start_abs() - end)
}

/// Overlapping pairs among `entries` (indices into the slice), in O(n log n): each
/// entry that overlaps anything appears in at least one pair, paired with the earlier
/// entry that reaches furthest.
pub fn overlapping_pairs(entries: &[&Entry]) -> Vec<(usize, usize)> {
    // (start, end, index), computed once rather than in every comparison.
    let mut spans: Vec<(i64, Option<i64>, usize)> =
        entries.iter().enumerate().map(|(i, e)| (e.start_abs(), e.end_abs(), i)).collect();
    spans.sort_unstable_by_key(|&(start, _, i)| (start, i));
    let mut pairs = Vec::new();
    // (index, end) of the entry reaching furthest so far; end None = open-ended.
    let mut furthest: Option<(usize, Option<i64>)> = None;
    for &(start, end, i) in &spans {
        if let Some((j, reach)) = furthest {
            if reach.is_none_or(|r| start < r) {
                pairs.push((j, i));
            }
            let further = match (reach, end) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(r), Some(e)) => e > r,
            };
            if further {
                furthest = Some((i, end));
            }
        } else {
            furthest = Some((i, end));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> ClockTime {
        ClockTime::parse(s).unwrap()
    }

    fn entry(date: &str, start: &str, end: Option<&str>) -> Entry {
        Entry {
            date: date.parse().unwrap(),
            start: t(start),
            end: end.map(t),
            task: "Task".into(),
            project: "P".into(),
            tags: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn durations_from_spec() {
        assert_eq!(span_minutes(t("09:00"), t("10:30")), 90);
        assert_eq!(span_minutes(t("23:00"), t("01:00")), 120);
        assert_eq!(span_minutes(t("22:30"), t("06:30")), 480);
    }

    #[test]
    fn hour_display_rounds_halves_away_from_zero() {
        assert_eq!(hours_1dp(135), "2.3");
        assert_eq!(hours_1dp(15), "0.3");
        assert_eq!(hours_1dp(9), "0.2");
        assert_eq!(hours_1dp(3), "0.1");
        assert_eq!(hours_1dp(0), "0.0");
        assert_eq!(hours_1dp(375), "6.3"); // 6.25 h: the original printed 6.249999999999999
        assert_eq!(hours_2dp(20), 0.33);
        assert_eq!(hours_2dp(90), 1.5);
        assert_eq!(hours_2dp(375), 6.25);
    }

    #[test]
    fn gaps_from_spec() {
        let day = [
            entry("2025-07-29", "09:00", Some("10:00")),
            entry("2025-07-29", "13:00", Some("14:00")),
            entry("2025-07-29", "10:30", Some("11:30")),
        ];
        let refs: Vec<&Entry> = day.iter().collect();
        let gaps = day_gaps(&refs);
        assert_eq!(
            gaps,
            vec![
                Gap { start: t("10:00"), end: t("10:30"), minutes: 30 },
                Gap { start: t("11:30"), end: t("13:00"), minutes: 90 },
            ]
        );
    }

    #[test]
    fn gaps_use_the_running_latest_end() {
        let day = [
            entry("2025-07-29", "09:00", Some("12:00")),
            entry("2025-07-29", "10:00", Some("11:00")),
            entry("2025-07-29", "11:30", Some("13:00")),
            entry("2025-07-29", "14:00", None),
            entry("2025-07-29", "15:00", Some("16:00")),
        ];
        let refs: Vec<&Entry> = day.iter().collect();
        let gaps = day_gaps(&refs);
        assert_eq!(gaps, vec![Gap { start: t("13:00"), end: t("14:00"), minutes: 60 }]);
    }

    #[test]
    fn overlaps_touching_and_midnight() {
        let a = entry("2025-07-29", "09:00", Some("10:00"));
        let touching = entry("2025-07-29", "10:00", Some("11:00"));
        assert!(!overlaps(&a, &touching));
        assert_eq!(minutes_apart(&a, &touching), Some(0));
        let night = entry("2025-07-29", "23:00", Some("01:00"));
        let early = entry("2025-07-30", "00:30", Some("02:00"));
        assert!(overlaps(&night, &early));
        assert!(!overlaps(&night, &entry("2025-07-30", "01:00", Some("02:00"))));
        let running = entry("2025-07-29", "13:00", None);
        assert!(overlaps(&running, &entry("2025-07-30", "09:00", Some("10:00"))));
        assert!(!overlaps(&running, &a));
        assert_eq!(minutes_apart(&a, &entry("2025-07-29", "10:10", Some("11:00"))), Some(10));
    }

    #[test]
    fn overlapping_pairs_cover_every_offender() {
        let list = [
            entry("2025-07-29", "09:00", Some("12:00")),
            entry("2025-07-29", "10:00", Some("11:00")),
            entry("2025-07-29", "12:00", Some("13:00")),
            entry("2025-07-28", "23:30", Some("00:30")),
            entry("2025-07-29", "00:15", Some("01:00")),
        ];
        let refs: Vec<&Entry> = list.iter().collect();
        let pairs = overlapping_pairs(&refs);
        assert_eq!(pairs, vec![(3, 4), (0, 1)]);
    }
}
