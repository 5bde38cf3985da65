//! Clockify's detailed report, exported as CSV: one row per time entry. Clockify writes
//! dates as the workspace's date format says (`MM/DD/YYYY` by default; `--date-order
//! dmy` for `DD/MM/YYYY`; `YYYY-MM-DD` is always read) and times on the 12-hour clock
//! (`09:00:00 AM`) or the 24-hour one (`09:00`), as its time format says.

use super::table::Timed;
use super::{DateOrder, Import, parse_iso_date};
use chrono::NaiveDate;

pub const COLUMNS: &[&str] = &[
    "Project",
    "Client",
    "Description",
    "Task",
    "User",
    "Group",
    "Email",
    "Tags",
    "Billable",
    "Start Date",
    "Start Time",
    "End Date",
    "End Time",
    "Duration (h)",
    "Duration (decimal)",
    "Billable Rate (USD)",
    "Billable Amount (USD)",
];

const CLOCKIFY: Timed = Timed {
    what: "Clockify detailed report",
    expected: COLUMNS,
    project: "Project",
    client: "Client",
    description: "Description",
    task: "Task",
    tags: "Tags",
    billable: "Billable",
    start_date: "Start Date",
    start_time: "Start Time",
    end_date: "End Date",
    end_time: "End Time",
};

/// `01/15/2026` (or `15/01/2026`, `15.01.2026`, `15-01-2026` day first), or `2026-01-15`.
fn numeric_date(text: &str, order: DateOrder) -> Option<NaiveDate> {
    if let Some(date) = parse_iso_date(text) {
        return Some(date);
    }
    let parts: Vec<&str> = text.trim().split(['/', '.', '-']).collect();
    let [a, b, year] = parts[..] else { return None };
    let number = |p: &str| (!p.is_empty() && p.len() <= 2).then(|| p.parse::<u32>().ok()).flatten();
    let (month, day) = match order {
        DateOrder::Mdy => (number(a)?, number(b)?),
        DateOrder::Dmy => (number(b)?, number(a)?),
    };
    let year = (year.len() == 4).then(|| year.parse::<i32>().ok()).flatten()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A Clockify detailed report (CSV) as entries.
pub fn clockify(text: &str, order: DateOrder) -> Result<Import, String> {
    let shape = match order {
        DateOrder::Mdy => "MM/DD/YYYY, as --date-order mdy says",
        DateOrder::Dmy => "DD/MM/YYYY, as --date-order dmy says",
    };
    CLOCKIFY.read(text, &|t| numeric_date(t, order), shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)\n";

    #[test]
    fn twelve_and_twenty_four_hour_times_and_either_date_order() {
        let text = format!(
            "{HEADER}\
             Website,Acme,\"Fix login, again\",Backend,Ada,,a@x,\"bug-fix, Auth\",Yes,01/12/2026,09:00:00 AM,01/12/2026,10:30:00 AM,01:30:00,1.50,0,0\n\
             Website,,Night shift,,Ada,,a@x,,No,01/12/2026,11:00:00 PM,01/13/2026,12:30:00 AM,01:30:00,1.50,0,0\n\
             ,,Call,,Ada,,a@x,,No,2026-01-13,14:00,2026-01-13,14:45,00:45:00,0.75,0,0\n"
        );
        let import = clockify(&text, DateOrder::Mdy).unwrap();
        assert!(import.unmapped.is_empty(), "{:?}", import.unmapped);
        let [fix, night, call] = &import.entries[..] else { panic!("{:?}", import.entries) };
        assert_eq!((fix.task.as_str(), fix.start.as_str(), fix.end.as_str()), ("Fix login, again", "09:00", "10:30"));
        assert_eq!(fix.tags, ["bug-fix", "auth", "acme", "billable"]);
        assert_eq!(fix.notes, ["Task: Backend"]);
        assert_eq!(
            (night.date.to_string(), night.start.as_str(), night.end.as_str(), night.minutes),
            ("2026-01-12".into(), "23:00", "00:30", 90)
        );
        assert_eq!((call.date.to_string(), call.minutes, call.project.as_deref()), ("2026-01-13".into(), 45, None));

        let day_first = format!("{HEADER},,Call,,Ada,,a@x,,No,13/01/2026,14:00,13/01/2026,14:45,,,,\n");
        assert!(clockify(&day_first, DateOrder::Mdy).unwrap().unmapped[0].reason.contains("MM/DD/YYYY"));
        assert_eq!(clockify(&day_first, DateOrder::Dmy).unwrap().entries[0].date.to_string(), "2026-01-13");
        assert_eq!(numeric_date("13.01.2026", DateOrder::Dmy).map(|d| d.to_string()), Some("2026-01-13".into()));
        assert_eq!(numeric_date("02/30/2026", DateOrder::Mdy), None);
        assert_eq!(numeric_date("1/2/26", DateOrder::Mdy), None, "a two-digit year is not guessed");
    }

    #[test]
    fn a_toggl_file_is_not_a_clockify_one_when_columns_are_missing() {
        let e = clockify("Project,Description,Start Date,Start Time\n", DateOrder::Mdy).unwrap_err();
        assert!(e.contains("Clockify detailed report") && e.contains("\"End Date\", \"End Time\""), "{e}");
    }
}
