//! The running timer (docs/rules.md §7) as pure functions: what a start or a finish request
//! becomes, before it is validated like any other entry. Storage enforces "one timer
//! per user" atomically; this module decides what the entry is.

use super::diagnostic::{Code, Severity};
use super::entry::Entry;
use super::time::{ClockTime, MINUTES_PER_DAY};
use super::validation::{EntryInput, Issue, MAX_ENTRY_MINUTES};
use chrono::{Datelike, NaiveDate};

/// A timer start as a client sends it. Date and start default to now in the user's zone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimerStart {
    pub task: String,
    pub project: Option<String>,
    pub tags: Option<serde_json::Value>,
    pub notes: Option<String>,
    pub date: Option<String>,
    pub start_time: Option<String>,
}

/// A timer finish: end time defaults to now; notes are appended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimerFinish {
    pub end_time: Option<String>,
    pub notes: Option<String>,
}

/// The running entry to validate for a start; `now` is the user's local date and minute.
pub fn start_input(start: &TimerStart, now: (NaiveDate, ClockTime)) -> EntryInput {
    EntryInput {
        date: start.date.clone().unwrap_or_else(|| now.0.to_string()),
        start_time: start.start_time.clone().unwrap_or_else(|| now.1.to_string()),
        end_time: None,
        task: start.task.clone(),
        project: start.project.clone(),
        tags: start.tags.clone(),
        notes: start.notes.clone(),
    }
}

fn day_start(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) * i64::from(MINUTES_PER_DAY)
}

fn finish_error(code: Code, message: String) -> Issue {
    Issue { field: "endTime", severity: Severity::Error, code, message, conflicting_id: None }
}

/// The finished entry to validate. Task, project and tags stay exactly as started. An
/// explicit end earlier than the start means the next day; with no end, "now" is used,
/// so a timer started on an earlier date crosses midnight. Over 16 hours is an error.
pub fn finish_input(running: &Entry, finish: &TimerFinish, now: (NaiveDate, ClockTime)) -> Result<EntryInput, Issue> {
    let start = running.start_abs();
    let now_abs = day_start(now.0) + i64::from(now.1.minutes_since_midnight());
    let (end, end_abs) = match finish.end_time.as_deref() {
        Some(text) => {
            let end = ClockTime::parse(text.trim()).map_err(|_| {
                finish_error(Code::InvalidTime, format!("endTime {text:?} is not a valid HH:MM time; write e.g. 17:30"))
            })?;
            let same_day = day_start(running.date) + i64::from(end.minutes_since_midnight());
            (end, if same_day > start { same_day } else { same_day + i64::from(MINUTES_PER_DAY) })
        }
        None => (now.1, now_abs),
    };
    let span = end_abs - start;
    if span <= 0 {
        return Err(finish_error(
            Code::ZeroDuration,
            format!(
                "the timer started at {} on {}, and it is {} on {} now; give an endTime after the start",
                running.start, running.date, now.1, now.0
            ),
        ));
    }
    // An end still to come is refused as such by validation (`ends-in-future`).
    if span > i64::from(MAX_ENTRY_MINUTES) && end_abs <= now_abs + 1 {
        // A forgotten timer: say so in its own terms, not as a reversed range.
        let code = if span >= i64::from(MINUTES_PER_DAY) { Code::DurationOverADay } else { Code::RangeTooLong };
        return Err(finish_error(
            code,
            format!(
                "the timer has run since {} {} ({} hours); an entry lasts at most 16 hours, so give an endTime on {} or the next day, or delete the entry and log the time as separate entries",
                running.date,
                running.start,
                span / 60,
                running.date
            ),
        ));
    }
    let mut input = EntryInput::from_entry(running);
    input.end_time = Some(end.to_string());
    if let Some(extra) = finish.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let mut notes = running.notes.clone();
        match notes.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(extra);
            }
            None => notes.push(extra.to_owned()),
        }
        input.notes = Some(notes.join("\n"));
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> ClockTime {
        ClockTime::parse(s).unwrap()
    }

    fn running(date: &str, start: &str) -> Entry {
        Entry {
            date: date.parse().unwrap(),
            start: t(start),
            end: None,
            task: "Deploy - phase 2 [[x]]".into(),
            project: "Website".into(),
            tags: vec!["ops".into()],
            notes: vec!["started".into()],
        }
    }

    fn now(date: &str, time: &str) -> (NaiveDate, ClockTime) {
        (date.parse().unwrap(), t(time))
    }

    #[test]
    fn start_defaults_to_now_in_the_users_zone() {
        let req = TimerStart { task: "Backend work".into(), ..Default::default() };
        let input = start_input(&req, now("2025-07-29", "13:05"));
        assert_eq!((input.date.as_str(), input.start_time.as_str(), input.end_time), ("2025-07-29", "13:05", None));
        let explicit = TimerStart { date: Some("2025-07-28".into()), start_time: Some("09:00".into()), ..req };
        let input = start_input(&explicit, now("2025-07-29", "13:05"));
        assert_eq!((input.date.as_str(), input.start_time.as_str()), ("2025-07-28", "09:00"));
    }

    #[test]
    fn finish_keeps_task_project_tags_and_appends_notes() {
        let input = finish_input(
            &running("2025-07-29", "13:00"),
            &TimerFinish { end_time: None, notes: Some("done".into()) },
            now("2025-07-29", "15:30"),
        )
        .unwrap();
        assert_eq!(input.task, "Deploy - phase 2 [[x]]");
        assert_eq!(input.project.as_deref(), Some("Website"));
        assert_eq!(input.tags, Some(serde_json::json!(["ops"])));
        assert_eq!(input.end_time.as_deref(), Some("15:30"));
        assert_eq!(input.notes.as_deref(), Some("started done"));
    }

    #[test]
    fn finish_on_a_later_date_crosses_midnight_up_to_16_hours() {
        let r = running("2025-07-29", "22:00");
        let input = finish_input(&r, &TimerFinish::default(), now("2025-07-30", "01:15")).unwrap();
        assert_eq!((input.date.as_str(), input.end_time.as_deref()), ("2025-07-29", Some("01:15")));
        let explicit =
            finish_input(&r, &TimerFinish { end_time: Some("00:30".into()), notes: None }, now("2025-07-30", "09:00"));
        assert_eq!(explicit.unwrap().end_time.as_deref(), Some("00:30"));
        let too_long = finish_input(&r, &TimerFinish::default(), now("2025-07-30", "22:00")).unwrap_err();
        assert_eq!(too_long.code, Code::DurationOverADay);
        let days_later = finish_input(&r, &TimerFinish::default(), now("2025-08-02", "09:00")).unwrap_err();
        assert_eq!(days_later.code, Code::DurationOverADay);
        // Forgotten overnight: 17 hours is over the limit of one entry, and the message
        // speaks of the timer, not of a reversed range.
        let forgotten = finish_input(&r, &TimerFinish::default(), now("2025-07-30", "15:00")).unwrap_err();
        assert_eq!(forgotten.code, Code::RangeTooLong);
        assert!(
            forgotten.message.contains("the timer has run since 2025-07-29 22:00 (17 hours)"),
            "{}",
            forgotten.message
        );
        assert!(finish_input(&r, &TimerFinish::default(), now("2025-07-30", "14:00")).is_ok());
    }

    #[test]
    fn finish_errors_are_clear() {
        let r = running("2025-07-29", "13:00");
        let bad =
            finish_input(&r, &TimerFinish { end_time: Some("5pm".into()), notes: None }, now("2025-07-29", "17:00"));
        assert_eq!(bad.unwrap_err().code, Code::InvalidTime);
        let before = finish_input(&r, &TimerFinish::default(), now("2025-07-29", "12:00")).unwrap_err();
        assert_eq!(before.code, Code::ZeroDuration);
        assert!(before.message.contains("13:00"));
    }
}
