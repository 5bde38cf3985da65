//! Toggl Track's detailed report, exported as CSV: one row per time entry, dates
//! `YYYY-MM-DD` and times `HH:MM:SS` in the exporting person's time zone, tags
//! comma-separated in one field.

use super::table::Timed;
use super::{Import, parse_iso_date};

pub const COLUMNS: &[&str] = &[
    "User",
    "Email",
    "Client",
    "Project",
    "Task",
    "Description",
    "Billable",
    "Start date",
    "Start time",
    "End date",
    "End time",
    "Duration",
    "Tags",
    "Amount ()",
];

const TOGGL: Timed = Timed {
    what: "Toggl Track detailed report",
    expected: COLUMNS,
    project: "Project",
    client: "Client",
    description: "Description",
    task: "Task",
    tags: "Tags",
    billable: "Billable",
    start_date: "Start date",
    start_time: "Start time",
    end_date: "End date",
    end_time: "End time",
};

/// A Toggl Track detailed report (CSV) as entries.
pub fn toggl(text: &str) -> Result<Import, String> {
    TOGGL.read(text, &parse_iso_date, "YYYY-MM-DD")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount ()\n";

    #[test]
    fn rows_become_entries_with_client_and_billable_as_tags_and_the_task_in_notes() {
        let text = format!(
            "{HEADER}\
             Ada,ada@example.com,Acme Corp,Website,Design,\"Review, then merge\",Yes,2026-01-12,09:00:00,2026-01-12,10:29:40,01:29:40,\"UI Design, c#\",\n\
             Ada,ada@example.com,,,,Late deploy,No,2026-01-12,23:30:00,2026-01-13,00:15:00,00:45:00,,\n\
             Ada,ada@example.com,,Website,Standup,,No,2026-01-13,09:00:00,2026-01-13,09:15:00,00:15:00,,\n"
        );
        let import = toggl(&text).unwrap();
        assert!(import.unmapped.is_empty(), "{:?}", import.unmapped);
        let [review, deploy, standup] = &import.entries[..] else { panic!("{:?}", import.entries) };
        assert_eq!(
            (review.row, review.date.to_string(), review.start.as_str(), review.end.as_str(), review.minutes),
            (2, "2026-01-12".into(), "09:00", "10:30", 90)
        );
        assert_eq!(review.task, "Review, then merge");
        assert_eq!(review.project.as_deref(), Some("Website"));
        assert_eq!(review.tags, ["ui-design", "acme-corp", "billable"]);
        assert_eq!(review.notes, ["Task: Design"]);
        assert_eq!(import.dropped.len(), 1, "c# normalises to a single letter");
        assert!(import.dropped[0].reason.contains("\"c#\""), "{:?}", import.dropped);
        assert_eq!(
            (deploy.date.to_string(), deploy.start.as_str(), deploy.end.as_str(), deploy.project.as_deref()),
            ("2026-01-12".into(), "23:30", "00:15", None),
            "a midnight crossing belongs to its start date"
        );
        assert_eq!((standup.task.as_str(), standup.notes.len()), ("Standup", 0), "no description: the task");
        assert_eq!(
            import.minutes_by_project().into_iter().collect::<Vec<_>>(),
            [("Non-Project", 45), ("Website", 105)]
        );
        assert_eq!(
            import.date_range().map(|(a, b)| (a.to_string(), b.to_string())),
            Some(("2026-01-12".into(), "2026-01-13".into()))
        );
    }

    #[test]
    fn rows_that_cannot_be_entries_say_why_with_their_line() {
        let text = format!(
            "{HEADER}\
             Ada,a@x,,,,No times,No,2026-01-12,,2026-01-12,10:00:00,,,\n\
             Ada,a@x,,,,Bad date,No,01/12/2026,09:00:00,2026-01-12,10:00:00,,,\n\
             Ada,a@x,,,,,No,2026-01-12,11:00:00,2026-01-12,12:00:00,,,\n\
             Ada,a@x,,,,Blink,No,2026-01-12,13:00:05,2026-01-12,13:00:20,,,\n\
             Ada,a@x,,,,Forgot to stop,No,2026-01-12,14:00:00,2026-01-13,16:00:00,,,\n\
             Ada,a@x\n"
        );
        let import = toggl(&text).unwrap();
        assert!(import.entries.is_empty(), "{:?}", import.entries);
        let reasons: Vec<(usize, &str)> = import.unmapped.iter().map(|r| (r.row, r.reason.as_str())).collect();
        assert_eq!(reasons.len(), 6, "{reasons:?}");
        assert_eq!(reasons[0], (2, "it has no Start time"));
        assert!(reasons[1].1.contains("Start date \"01/12/2026\" is not a date (YYYY-MM-DD)"), "{reasons:?}");
        assert!(reasons[2].1.contains("no Description, Task or Project"), "{reasons:?}");
        assert!(reasons[3].1.contains("less than a minute"), "{reasons:?}");
        assert!(reasons[4].1.contains("26 h 00 min"), "{reasons:?}");
        assert_eq!(reasons[5], (7, "it has no Start date"), "a short row");
    }

    #[test]
    fn a_file_of_another_shape_names_the_columns_expected() {
        let harvest = "Date,Client,Project,Project Code,Task,Notes,Hours\n2026-01-12,,P,,T,N,1\n";
        let e = toggl(harvest).unwrap_err();
        assert!(e.contains("is not a Toggl Track detailed report") && e.contains("\"Start date\""), "{e}");
        assert!(e.contains("User,Email,Client,Project,Task,Description"), "{e}");
        assert!(toggl("").unwrap_err().contains("not a Toggl Track detailed report"));
        // A byte-order mark and columns in another order and case are fine.
        let bom = "\u{feff}start DATE,Start time,End date,End time,Description,Project\n2026-01-12,09:00:00,2026-01-12,09:30:00,X,\n";
        assert_eq!(toggl(bom).unwrap().entries.len(), 1);
    }
}
