//! `tm import FORMAT FILE`: what a file maps to, printed; without `--dry-run`, each
//! entry posted to `/v1/entries`. An entry the service already holds (a 409 overlap
//! whose conflicting entry has the same date, times and task) counts as already there,
//! so running an import again is safe.

use super::{DateOrder, Format, Import, Mapped, clockify, harvest, timewarrior, toggl};
use crate::track::h_mm;
use crate::{print_json, remote};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use tm_core::domain::calendar::parse_zone;

#[derive(clap::Args)]
#[command(after_help = "Exit status: 0 when every mapped row was imported or was already there (and always with \
                        --dry-run); 1 when the service refused any, or the file cannot be read as FORMAT. Rows that \
                        cannot be mapped are listed (with their line) and not imported; they do not change the exit \
                        status. Running the same import again imports nothing twice.")]
pub struct ImportArgs {
    /// The tracker the file comes from.
    #[arg(value_enum)]
    pub format: Format,
    /// The export: Toggl's or Clockify's detailed report (CSV), Harvest's time report
    /// (CSV), or `timew export` (JSON).
    pub file: PathBuf,
    /// Only print what would be imported and what cannot be mapped; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Timewarrior: the time zone to convert its UTC times to (default: your account's,
    /// from the service).
    #[arg(long)]
    pub tz: Option<String>,
    /// Timewarrior: a tag starting with this names the project (`--project-prefix
    /// project:` makes `project:Website` the project Website); default: no project.
    #[arg(long)]
    pub project_prefix: Option<String>,
    /// Clockify: how its numeric dates are ordered (default mdy, Clockify's
    /// MM/DD/YYYY; YYYY-MM-DD is always read).
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// Harvest: when each day's entries start, placed back to back (HH:MM; default 09:00).
    #[arg(long)]
    pub day_starts: Option<String>,
    /// Print a machine-readable summary.
    #[arg(long)]
    pub json: bool,
}

fn only_for(given: bool, option: &str, format: &str, why: &str) -> Result<(), String> {
    if given { Err(format!("{option} is for {format} exports only: {why}")) } else { Ok(()) }
}

/// Reads the file as `args.format` (asking the service for the account's time zone
/// when a Timewarrior import has no --tz).
fn read(profile: &str, args: &ImportArgs) -> Result<(Import, &'static str), String> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let is = |f: Format| args.format == f;
    let wall_clock = "the other trackers export wall-clock times of the person who exported";
    only_for(args.tz.is_some() && !is(Format::Timewarrior), "--tz", "Timewarrior", wall_clock)?;
    only_for(
        args.project_prefix.is_some() && !is(Format::Timewarrior),
        "--project-prefix",
        "Timewarrior",
        "the other trackers have a Project column",
    )?;
    only_for(
        args.date_order.is_some() && !is(Format::Clockify),
        "--date-order",
        "Clockify",
        "the others write YYYY-MM-DD",
    )?;
    only_for(args.day_starts.is_some() && !is(Format::Harvest), "--day-starts", "Harvest", "the others export times")?;
    let in_file = |e: String| format!("{} {e}", args.file.display());
    let import = match args.format {
        Format::Toggl => (toggl(&text).map_err(in_file)?, "Toggl Track detailed report"),
        Format::Clockify => {
            (clockify(&text, args.date_order.unwrap_or(DateOrder::Mdy)).map_err(in_file)?, "Clockify detailed report")
        }
        Format::Harvest => {
            let start = crate::track::clock(args.day_starts.as_deref().unwrap_or("09:00"))
                .map_err(|_| "--day-starts: give a time as HH:MM, e.g. 08:30".to_owned())?;
            let start = chrono::NaiveTime::parse_from_str(&start, "%H:%M").map_err(|e| e.to_string())?;
            (harvest(&text, start).map_err(in_file)?, "Harvest time report")
        }
        Format::Timewarrior => {
            let zone = match &args.tz {
                Some(zone) => zone.clone(),
                None => {
                    let session = remote::session(profile)
                        .map_err(|e| format!("{e}; or give the time zone of the times with --tz ZONE"))?;
                    let me = remote::get_json(&session, "/v1/me").map_err(|e| e.0)?;
                    me["timeZone"].as_str().ok_or("the service did not say your time zone; give --tz ZONE")?.to_owned()
                }
            };
            let zone = parse_zone(&zone).map_err(|e| e.0)?;
            (timewarrior(&text, &zone, args.project_prefix.as_deref()).map_err(in_file)?, "timew export")
        }
    };
    Ok(import)
}

/// What became of one entry on the service.
enum Outcome {
    Imported { id: String, warnings: Vec<String> },
    AlreadyThere { id: String },
    Refused { code: String, message: String },
}

fn body_of(entry: &Mapped) -> Value {
    let mut body =
        json!({"date": entry.date.to_string(), "startTime": entry.start, "endTime": entry.end, "task": entry.task});
    if let Some(project) = &entry.project {
        body["project"] = project.as_str().into();
    }
    if !entry.tags.is_empty() {
        body["tags"] = entry.tags.clone().into();
    }
    if !entry.notes.is_empty() {
        body["notes"] = entry.notes.join("\n").into();
    }
    body
}

/// The service's refusal: its message, or for a validation failure the problems.
fn refusal(status: u16, answer: &Value) -> Outcome {
    let error = &answer["error"];
    let issues: Vec<&str> = error["details"]["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["severity"] == "error")
        .filter_map(|i| i["message"].as_str())
        .collect();
    let message = if issues.is_empty() {
        error["message"].as_str().map(str::to_owned).unwrap_or_else(|| format!("the service answered {status}"))
    } else {
        issues.join("; ")
    };
    Outcome::Refused { code: error["code"].as_str().unwrap_or("").to_owned(), message }
}

/// The entry the service already holds with the same date, times and task, if a 409
/// overlap names one.
fn same_entry(entry: &Mapped, answer: &Value) -> Option<String> {
    if answer["error"]["code"] != "overlap" {
        return None;
    }
    answer["error"]["details"]["conflicting"].as_array()?.iter().find_map(|c| {
        let same = c["date"].as_str() == Some(&entry.date.to_string())
            && c["startTime"].as_str() == Some(entry.start.as_str())
            && c["endTime"].as_str() == Some(entry.end.as_str())
            && c["task"].as_str().map(str::trim) == Some(entry.task.trim());
        same.then(|| c["id"].as_str().unwrap_or("?").to_owned())
    })
}

fn post(profile: &str, session: &mut remote::Session, entry: &Mapped) -> Result<Outcome, String> {
    let body = body_of(entry);
    let mut refreshed = false;
    loop {
        let sent =
            remote::send(session, reqwest::Method::POST, "/v1/entries", remote::Body::Json(&body)).map_err(|e| e.0)?;
        let (status, answer) = (sent.status.as_u16(), sent.json());
        match status {
            200..=299 => {
                let warnings = answer["warnings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w["message"].as_str().map(str::to_owned))
                    .collect();
                return Ok(Outcome::Imported { id: answer["id"].as_str().unwrap_or("?").to_owned(), warnings });
            }
            // A long import can outlive the ID token: refresh it once and try again.
            401 if !refreshed => {
                refreshed = true;
                *session = remote::session(profile).map_err(|e| e.0)?;
            }
            _ => {
                return Ok(match same_entry(entry, &answer) {
                    Some(id) => Outcome::AlreadyThere { id },
                    None => refusal(status, &answer),
                });
            }
        }
    }
}

fn remarks_json(remarks: &[super::Remark]) -> Value {
    remarks.iter().map(|r| json!({"row": r.row, "reason": r.reason})).collect()
}

pub fn run(profile: &str, args: &ImportArgs) -> Result<ExitCode, String> {
    let (import, what) = read(profile, args)?;
    let row = Import::row_word(args.format);
    let file = args.file.display().to_string();
    let total: u32 = import.entries.iter().map(|e| e.minutes).sum();
    let range = import.date_range();
    if !args.json {
        match range {
            Some((first, last)) => println!(
                "{file} ({what}): {}, {first} to {last}, {} in all",
                crate::plural(import.entries.len(), "entry", "entries"),
                h_mm(i64::from(total))
            ),
            None => println!("{file} ({what}): no entries to import"),
        }
        let projects = import.minutes_by_project();
        let width = projects.keys().map(|p| p.chars().count()).max().unwrap_or(0);
        for (project, minutes) in &projects {
            println!("  {project:<width$}  {:>7}", h_mm(i64::from(*minutes)));
        }
        if !import.unmapped.is_empty() {
            println!("cannot map {}; not imported:", crate::plural(import.unmapped.len(), row, &format!("{row}s")));
            for r in &import.unmapped {
                println!("  {row} {}: {}", r.row, r.reason);
            }
        }
        if !import.dropped.is_empty() {
            println!("left out of imported entries:");
            for r in &import.dropped {
                println!("  {row} {}: {}", r.row, r.reason);
            }
        }
        for remark in &import.remarks {
            println!("note: {remark}");
        }
    }

    let (mut imported, mut already, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    if !args.dry_run && !import.entries.is_empty() {
        let mut session = remote::session(profile).map_err(|e| e.0)?;
        for entry in &import.entries {
            match post(profile, &mut session, entry)? {
                Outcome::Imported { id, warnings } => {
                    if !args.json {
                        for w in &warnings {
                            eprintln!("tm: {row} {}: warning: {w}", entry.row);
                        }
                    }
                    imported.push(json!({"row": entry.row, "id": id, "warnings": warnings}));
                }
                Outcome::AlreadyThere { id } => already.push(json!({"row": entry.row, "id": id})),
                Outcome::Refused { code, message } => {
                    if !args.json {
                        let code = if code.is_empty() { String::new() } else { format!(" ({code})") };
                        println!("  {row} {}: refused: {message}{code}", entry.row);
                    }
                    refused.push(json!({"row": entry.row, "code": code, "message": message}));
                }
            }
        }
    }
    let failed = !refused.is_empty();
    if args.json {
        let entries: Vec<Value> = import
            .entries
            .iter()
            .map(|e| {
                let mut body = body_of(e);
                body["row"] = e.row.into();
                body["minutes"] = e.minutes.into();
                body
            })
            .collect();
        let projects: Vec<Value> = import
            .minutes_by_project()
            .into_iter()
            .map(|(name, minutes)| json!({"name": name, "minutes": minutes, "hours": f64::from(minutes) / 60.0}))
            .collect();
        print_json(&json!({
            "format": what,
            "file": file,
            "dryRun": args.dry_run,
            "count": import.entries.len(),
            "from": range.map(|r| r.0.to_string()),
            "to": range.map(|r| r.1.to_string()),
            "minutes": total,
            "projects": projects,
            "entries": entries,
            "unmapped": remarks_json(&import.unmapped),
            "dropped": remarks_json(&import.dropped),
            "remarks": import.remarks,
            "imported": imported,
            "alreadyThere": already,
            "refused": refused,
        }));
    } else if args.dry_run {
        println!("dry run: nothing was sent to the service (leave out --dry-run to import)");
    } else {
        println!("imported {}, already there {}, refused {}", imported.len(), already.len(), refused.len());
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry() -> Mapped {
        Mapped {
            row: 3,
            date: NaiveDate::from_ymd_opt(2026, 1, 12).unwrap(),
            start: "23:30".into(),
            end: "00:15".into(),
            minutes: 45,
            task: "Deploy".into(),
            project: None,
            tags: vec![],
            notes: vec!["Task: Ops".into(), "second".into()],
        }
    }

    #[test]
    fn bodies_carry_only_what_the_entry_has() {
        let body = body_of(&entry());
        assert_eq!(
            body,
            json!({"date": "2026-01-12", "startTime": "23:30", "endTime": "00:15", "task": "Deploy", "notes": "Task: Ops\nsecond"})
        );
    }

    #[test]
    fn an_overlap_with_the_same_entry_is_already_there_and_other_refusals_say_the_services_words() {
        let conflict = |task: &str, start: &str| {
            json!({"error": {"code": "overlap", "message": "23:30-00:15 on 2026-01-12 overlaps …",
                "details": {"conflicting": [{"id": "e1", "date": "2026-01-12", "startTime": start, "endTime": "00:15", "task": task}]}}})
        };
        assert_eq!(same_entry(&entry(), &conflict("Deploy", "23:30")).as_deref(), Some("e1"));
        assert_eq!(same_entry(&entry(), &conflict("Deploy", "23:00")), None, "other times: a real overlap");
        assert_eq!(same_entry(&entry(), &conflict("Other", "23:30")), None, "another task: a real overlap");
        let Outcome::Refused { code, message } = refusal(409, &conflict("Other", "23:30")) else { panic!() };
        assert_eq!((code.as_str(), message.as_str()), ("overlap", "23:30-00:15 on 2026-01-12 overlaps …"));
        let invalid = json!({"error": {"code": "validation-failed", "message": "the entry has 2 problem(s)",
            "details": {"issues": [{"severity": "error", "message": "task is too long"},
                                   {"severity": "warning", "message": "not this"},
                                   {"severity": "error", "message": "bad project"}]}}});
        let Outcome::Refused { message, .. } = refusal(422, &invalid) else { panic!() };
        assert_eq!(message, "task is too long; bad project");
        let Outcome::Refused { message, .. } = refusal(502, &Value::Null) else { panic!() };
        assert_eq!(message, "the service answered 502");
    }
}
