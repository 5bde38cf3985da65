//! Harvest's time report, exported as CSV: one row per time entry with a `Date`
//! (`YYYY-MM-DD`) and `Hours` (decimal, `1.5`, or `1:30`), but no start or end. Each
//! day's entries are placed back to back from a start time, in the file's order.

use super::table::Table;
use super::{Import, Text, is_yes, parse_iso_date, span};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::HashMap;

pub const COLUMNS: &[&str] = &[
    "Date",
    "Client",
    "Project",
    "Project Code",
    "Task",
    "Notes",
    "Hours",
    "Hours Rounded",
    "Billable?",
    "Invoiced?",
    "Approved?",
    "First Name",
    "Last Name",
    "Roles",
    "Employee?",
    "Billable Rate",
    "Billable Amount",
    "Cost Rate",
    "Cost Amount",
    "Currency",
    "External Reference URL",
];

/// Hours as `1.5`, `1,5` or `1:30`, in whole minutes (rounded).
fn minutes_of(hours: &str) -> Option<i64> {
    let t = hours.trim();
    if let Some((h, m)) = t.split_once(':') {
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || m.len() != 2 || !digits(m) {
            return None;
        }
        let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
        return (m < 60).then_some(h * 60 + m);
    }
    let value: f64 = t.replace(',', ".").parse().ok()?;
    (value.is_finite() && (0.0..10_000.0).contains(&value)).then(|| (value * 60.0).round() as i64)
}

/// A Harvest time report (CSV) as entries, each day's placed back to back from
/// `day_starts`.
pub fn harvest(text: &str, day_starts: NaiveTime) -> Result<Import, String> {
    let table = Table::read(text, "Harvest time report", COLUMNS, &["Date", "Project", "Task", "Notes", "Hours"])?;
    let mut import = Import::default();
    let mut next_start: HashMap<NaiveDate, NaiveDateTime> = HashMap::new();
    for (line, record) in &table.rows {
        let line = *line;
        let record = match record {
            Ok(record) => record,
            Err(why) => {
                import.unmapped(line, why.clone());
                continue;
            }
        };
        let row = table.row(record);
        let placed = (|| -> Result<_, String> {
            let date = row.need("Date")?;
            let date = parse_iso_date(date).ok_or_else(|| format!("Date {date:?} is not a date (YYYY-MM-DD)"))?;
            let hours = row.need("Hours")?;
            let minutes =
                minutes_of(hours).ok_or_else(|| format!("Hours {hours:?} is not a number of hours (1.5 or 1:30)"))?;
            if minutes < 1 {
                return Err(format!("it lasts less than a minute (Hours {hours})"));
            }
            let start = *next_start.get(&date).unwrap_or(&date.and_time(day_starts));
            if start.date() != date {
                return Err(format!(
                    "the day's hours before it run past midnight when placed from {}; give an earlier --day-starts",
                    day_starts.format("%H:%M")
                ));
            }
            Ok((date, start, span(start, start + chrono::Duration::minutes(minutes))?))
        })();
        let (date, start, times) = match placed {
            Ok(placed) => placed,
            Err(why) => {
                import.unmapped(line, why);
                continue;
            }
        };
        let mut text = Text { project: row.get("Project").map(str::to_owned), ..Text::default() };
        if !row.get("Notes").is_some_and(|n| text.task_from(n)) {
            row.get("Task").map(|t| text.task_from(t));
        }
        if text.task.is_none() {
            import.unmapped(line, "it has no Notes or Task to use as the task");
            continue;
        }
        next_start.insert(date, start + chrono::Duration::minutes(i64::from(times.minutes)));
        for column in ["Client", "Task"] {
            if let Some(value) = row.get(column) {
                text.add_tag(value, column, line, &mut import);
            }
        }
        if row.get("Billable?").is_some_and(is_yes) {
            text.add_tag("billable", "Billable?", line, &mut import);
        }
        import.entries.extend(text.into_entry(line, times));
    }
    if !import.entries.is_empty() {
        import.remarks.push(format!(
            "Harvest records hours, not times: each day's entries are placed back to back from {} in the file's order (--day-starts)",
            day_starts.format("%H:%M")
        ));
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,External Reference URL\n";

    fn nine() -> NaiveTime {
        NaiveTime::from_hms_opt(9, 0, 0).unwrap()
    }

    #[test]
    fn a_days_entries_are_placed_back_to_back_from_the_day_start() {
        let text = format!(
            "{HEADER}\
             2026-01-12,Acme,Website,W1,Design,\"Mockups, round two\nwith the client\",1.5,1.5,Yes,No,No,Ada,Lovelace,,Yes,100,150,50,75,USD,\n\
             2026-01-12,,Internal,,Meetings,,0.25,0.25,No,No,No,Ada,Lovelace,,Yes,0,0,0,0,USD,\n\
             2026-01-13,,Internal,,Admin,Invoices,1:05,1.08,No,No,No,Ada,Lovelace,,Yes,0,0,0,0,USD,\n\
             2026-01-12,,Internal,,Admin,Email,0.5,0.5,No,No,No,Ada,Lovelace,,Yes,0,0,0,0,USD,\n"
        );
        let import = harvest(&text, nine()).unwrap();
        assert!(import.unmapped.is_empty(), "{:?}", import.unmapped);
        let spans: Vec<(String, &str, &str, &str)> = import
            .entries
            .iter()
            .map(|e| (e.date.to_string(), e.start.as_str(), e.end.as_str(), e.task.as_str()))
            .collect();
        assert_eq!(
            spans,
            [
                ("2026-01-12".into(), "09:00", "10:30", "Mockups, round two"),
                ("2026-01-12".into(), "10:30", "10:45", "Meetings"),
                ("2026-01-13".into(), "09:00", "10:05", "Invoices"),
                ("2026-01-12".into(), "10:45", "11:15", "Email"),
            ]
        );
        let mockups = &import.entries[0];
        assert_eq!(mockups.row, 2);
        assert_eq!(
            (mockups.project.as_deref(), mockups.notes.as_slice()),
            (Some("Website"), &["with the client".to_owned()][..])
        );
        assert_eq!(mockups.tags, ["acme", "design", "billable"]);
        assert_eq!(import.entries[3].row, 6, "the quoted line break makes the notes two lines");
        assert!(import.remarks[0].contains("back to back from 09:00"), "{:?}", import.remarks);
    }

    #[test]
    fn hours_that_cannot_be_placed_are_reported() {
        let text = "Date,Project,Task,Notes,Hours\n\
             2026-01-12,P,T,Long day,14\n\
             2026-01-12,P,T,Overtime,2\n\
             2026-01-12,P,T,After midnight,1\n\
             2026-01-13,P,T,Nothing,0\n\
             2026-01-13,P,T,Many,17\n\
             2026-01-13,P,T,Words,an hour\n\
             13/01/2026,P,T,Bad date,1\n\
             2026-01-13,P,,,1\n\
             2026-01-13,P,T,,\n";
        let import = harvest(text, nine()).unwrap();
        let placed: Vec<(&str, &str)> = import.entries.iter().map(|e| (e.start.as_str(), e.end.as_str())).collect();
        assert_eq!(placed, [("09:00", "23:00"), ("23:00", "01:00")], "the second crosses midnight");
        let reasons: Vec<&str> = import.unmapped.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("run past midnight"), "{reasons:?}");
        assert!(reasons[1].contains("less than a minute"), "{reasons:?}");
        assert!(reasons[2].contains("17 h 00 min"), "{reasons:?}");
        assert!(reasons[3].contains("Hours \"an hour\""), "{reasons:?}");
        assert!(reasons[4].contains("Date \"13/01/2026\""), "{reasons:?}");
        assert_eq!(reasons[5], "it has no Notes or Task to use as the task");
        assert_eq!(reasons[6], "it has no Hours");
        assert_eq!(import.unmapped.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(minutes_of("1,25"), Some(75));
        assert_eq!(minutes_of("-1"), None);
    }

    #[test]
    fn a_toggl_file_is_not_a_harvest_one() {
        let e = harvest("User,Email,Client,Project,Task,Description,Start date\n", nine()).unwrap_err();
        assert!(e.contains("not a Harvest time report") && e.contains("\"Date\", \"Notes\", \"Hours\""), "{e}");
    }
}
