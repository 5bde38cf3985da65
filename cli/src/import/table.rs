//! A tracker's CSV export read by column name, and the shape Toggl and Clockify share:
//! one row per time entry with start and end dates and times.

use super::{Import, Text, date_time, is_yes, span};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A CSV export: its columns by name (any case) and its rows with their lines.
pub(super) struct Table {
    columns: HashMap<String, usize>,
    pub rows: Vec<(usize, Result<csv::StringRecord, String>)>,
}

/// One row, its fields found by column name.
pub(super) struct Row<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The trimmed value of `column`; `None` when the column or the value is missing
    /// or blank.
    pub fn get(&self, column: &str) -> Option<&str> {
        let index = *self.table.columns.get(&column.to_lowercase())?;
        self.record.get(index).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The value of a column the row must have.
    pub fn need(&self, column: &str) -> Result<&str, String> {
        self.get(column).ok_or_else(|| format!("it has no {column}"))
    }
}

impl Table {
    /// Reads `text` as `what` (e.g. "Toggl Track detailed report"); an error names the
    /// columns such a file has when any of `required` is missing from the header.
    pub fn read(text: &str, what: &str, expected: &[&str], required: &[&str]) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| format!("is not a CSV file ({e})"))?.clone();
        let mut columns: HashMap<String, usize> = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            columns.entry(name.trim().to_lowercase()).or_insert(i); // the first of a repeated name
        }
        let missing: Vec<&str> =
            required.iter().copied().filter(|c| !columns.contains_key(&c.to_lowercase())).collect();
        if !missing.is_empty() {
            return Err(format!(
                "is not a {what}: its first line has no column {}; a {what} starts with the columns {}",
                missing.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", "),
                expected.join(",")
            ));
        }
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line() as usize);
                    if record.iter().all(|f| f.trim().is_empty()) {
                        continue; // a blank line (a spreadsheet's trailing one)
                    }
                    rows.push((line, Ok(record.clone())));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    rows.push((line, Err(format!("it cannot be read as CSV ({e})"))));
                    if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                        break; // the reader cannot find the next row after this one
                    }
                }
            }
        }
        Ok(Self { columns, rows })
    }

    pub fn row<'a>(&'a self, record: &'a csv::StringRecord) -> Row<'a> {
        Row { table: self, record }
    }
}

/// The column names of an export with start and end dates and times per row.
pub(super) struct Timed {
    /// e.g. "Toggl Track detailed report"
    pub what: &'static str,
    /// The export's columns, for the error of a file that is not one.
    pub expected: &'static [&'static str],
    pub project: &'static str,
    pub client: &'static str,
    pub description: &'static str,
    pub task: &'static str,
    pub tags: &'static str,
    pub billable: &'static str,
    pub start_date: &'static str,
    pub start_time: &'static str,
    pub end_date: &'static str,
    pub end_time: &'static str,
}

impl Timed {
    /// Reads every row: start and end, task from the description (else the task, else
    /// the project), the client and the billable flag as tags, the task as a notes line.
    pub fn read(
        &self,
        text: &str,
        read_date: &dyn Fn(&str) -> Option<NaiveDate>,
        date_shape: &str,
    ) -> Result<Import, String> {
        let required = [self.project, self.description, self.start_date, self.start_time, self.end_date, self.end_time];
        let table = Table::read(text, self.what, self.expected, &required)?;
        let mut import = Import::default();
        for (line, record) in &table.rows {
            let record = match record {
                Ok(record) => record,
                Err(why) => {
                    import.unmapped(*line, why.clone());
                    continue;
                }
            };
            let row = table.row(record);
            let times = (|| -> Result<_, String> {
                let start = date_time(
                    row.need(self.start_date)?,
                    row.need(self.start_time)?,
                    (self.start_date, self.start_time),
                    read_date,
                    date_shape,
                )?;
                let end = date_time(
                    row.need(self.end_date)?,
                    row.need(self.end_time)?,
                    (self.end_date, self.end_time),
                    read_date,
                    date_shape,
                )?;
                span(start, end)
            })();
            let times = match times {
                Ok(times) => times,
                Err(why) => {
                    import.unmapped(*line, why);
                    continue;
                }
            };
            let mut text = Text { project: row.get(self.project).map(str::to_owned), ..Text::default() };
            let from_description = row.get(self.description).is_some_and(|d| text.task_from(d));
            let task = row.get(self.task);
            if from_description {
                if let Some(task) = task {
                    text.notes.push(format!("Task: {}", super::lines_of(task).join(" ")));
                }
            } else if !task.is_some_and(|t| text.task_from(t)) {
                row.get(self.project).map(|p| text.task_from(p));
            }
            if text.task.is_none() {
                import.unmapped(
                    *line,
                    format!("it has no {}, {} or {} to use as the task", self.description, self.task, self.project),
                );
                continue;
            }
            for tag in row.get(self.tags).unwrap_or_default().split(',') {
                text.add_tag(tag, self.tags, *line, &mut import);
            }
            if let Some(client) = row.get(self.client) {
                text.add_tag(client, self.client, *line, &mut import);
            }
            if row.get(self.billable).is_some_and(is_yes) {
                text.add_tag("billable", self.billable, *line, &mut import);
            }
            import.entries.extend(text.into_entry(*line, times));
        }
        Ok(import)
    }
}
