//! Tracking on the service from the terminal: the timer, entries added, edited, listed
//! and deleted, days as people say them (relative to the service's today for the
//! account's time zone), durations as h:mm.

use crate::{print_json, remote};
use chrono::{Datelike as _, NaiveDate};
use std::process::ExitCode;
use tm_core::domain::calendar::parse_date;

/// `9:05` or `09:05` as the service's `HH:MM`.
pub fn clock(text: &str) -> Result<String, String> {
    let wrong = || format!("--at {text:?}: give a time as HH:MM, e.g. 09:15");
    let (h, m) = text.trim().split_once(':').ok_or_else(wrong)?;
    let digits = |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return Err(wrong());
    }
    match (h.parse::<u32>(), m.parse::<u32>()) {
        (Ok(h), Ok(m)) if h < 24 && m < 60 => Ok(format!("{h:02}:{m:02}")),
        _ => Err(wrong()),
    }
}

/// A day as a person says it: `today`, `yesterday`, `-2d`, `mon`…`sun` (the latest
/// such day, today included), or `YYYY-MM-DD`; relative to `today`.
pub fn relative_day(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = text.trim().to_lowercase();
    let days = |n: i64| {
        chrono::Duration::try_days(n)
            .and_then(|back| today.checked_sub_signed(back))
            .ok_or_else(|| format!("{text:?} is too far back"))
    };
    match t.as_str() {
        "today" => return Ok(today),
        "yesterday" => return days(1),
        _ => {}
    }
    if let Some(n) = t.strip_prefix('-').and_then(|r| r.strip_suffix('d')).and_then(|n| n.parse::<i64>().ok()) {
        return days(n);
    }
    let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    if let Some(index) = weekdays.iter().position(|d| t.starts_with(d) && t.len() >= 3) {
        let back = (i64::from(today.weekday().num_days_from_monday()) - index as i64).rem_euclid(7);
        return days(back);
    }
    parse_date(&t).map_err(|_| format!("{text:?}: give a day as today, yesterday, -2d, mon…sun or YYYY-MM-DD"))
}

/// Today in the account's time zone, as the service says (`GET /v1/me`).
pub fn service_today(session: &remote::Session) -> Result<NaiveDate, String> {
    let me = remote::get_json(session, "/v1/me").map_err(|e| e.0)?;
    me["today"].as_str().and_then(|d| parse_date(d).ok()).ok_or_else(|| "the service did not say what day it is".into())
}

/// `09:00-10:30` as the service's start and end.
pub fn span(text: &str) -> Result<(String, String), String> {
    let wrong = || format!("{text:?}: give the time as HH:MM-HH:MM, e.g. 09:00-10:30");
    let (start, end) = text.split_once('-').ok_or_else(wrong)?;
    Ok((clock(start).map_err(|_| wrong())?, clock(end).map_err(|_| wrong())?))
}

/// What `tm add` writes besides the times.
pub struct Details<'a> {
    pub task: &'a str,
    pub project: Option<&'a str>,
    pub tags: &'a [String],
    pub notes: Option<&'a str>,
}

pub fn add_entry(
    profile: &str,
    times: &str,
    details: &Details<'_>,
    date: &str,
    json: bool,
) -> Result<ExitCode, String> {
    let (start, end) = span(times)?;
    let session = remote::session(profile).map_err(|e| e.0)?;
    let day = relative_day(date, service_today(&session)?)?;
    let mut body =
        serde_json::json!({"date": day.to_string(), "startTime": start, "endTime": end, "task": details.task});
    if let Some(project) = details.project {
        body["project"] = project.into();
    }
    if !details.tags.is_empty() {
        body["tags"] = details.tags.into();
    }
    if let Some(notes) = details.notes {
        body["notes"] = notes.into();
    }
    let added = remote::call(&session, reqwest::Method::POST, "/v1/entries", Some(&body)).map_err(|e| e.0)?;
    if json {
        print_json(&added);
    } else {
        warn(&added);
        println!(
            "added {} {} {}-{} ({})  id {}",
            describe(&added),
            added["date"].as_str().unwrap_or("?"),
            start,
            end,
            h_mm(added["minutes"].as_i64().unwrap_or(0)),
            added["id"].as_str().unwrap_or("?")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What `tm edit` changes; `None` leaves a field as it is.
#[derive(Default)]
pub struct Changes {
    pub task: Option<String>,
    /// `Some("")` clears it.
    pub project: Option<String>,
    /// Replaces the tags; `clear_tags` removes them all.
    pub tags: Vec<String>,
    pub clear_tags: bool,
    /// `Some("")` clears them.
    pub notes: Option<String>,
    pub date: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

pub fn edit_entry(profile: &str, id: &str, changes: Changes, json: bool) -> Result<ExitCode, String> {
    let mut body = serde_json::Map::new();
    let session = remote::session(profile).map_err(|e| e.0)?;
    if let Some(date) = &changes.date {
        body.insert("date".into(), relative_day(date, service_today(&session)?)?.to_string().into());
    }
    if let Some(start) = &changes.start {
        body.insert("startTime".into(), clock(start)?.into());
    }
    if let Some(end) = &changes.end {
        body.insert("endTime".into(), clock(end)?.into());
    }
    if let Some(task) = changes.task {
        body.insert("task".into(), task.into());
    }
    let or_null = |text: String| if text.is_empty() { serde_json::Value::Null } else { text.into() };
    if let Some(project) = changes.project {
        body.insert("project".into(), or_null(project));
    }
    if changes.clear_tags {
        body.insert("tags".into(), serde_json::Value::Null);
    } else if !changes.tags.is_empty() {
        body.insert("tags".into(), changes.tags.into());
    }
    if let Some(notes) = changes.notes {
        body.insert("notes".into(), or_null(notes));
    }
    if body.is_empty() {
        return Err(format!(
            "nothing to change: give --task, --project, --tag, --no-tags, --notes, --date, --span, --start or --end (tm edit {id} --task \"…\")"
        ));
    }
    let path = format!("/v1/entries/{}", remote::encode(id));
    let edited = remote::call(&session, reqwest::Method::PATCH, &path, Some(&body.into())).map_err(|e| e.0)?;
    if json {
        print_json(&edited);
    } else {
        warn(&edited);
        println!(
            "edited {} {} {}-{} ({})  id {}",
            describe(&edited),
            edited["date"].as_str().unwrap_or("?"),
            edited["startTime"].as_str().unwrap_or("?"),
            edited["endTime"].as_str().unwrap_or("…"),
            h_mm(edited["minutes"].as_i64().unwrap_or(0)),
            edited["id"].as_str().unwrap_or("?")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list_entries(
    profile: &str,
    from: &str,
    to: Option<&str>,
    project: Option<&str>,
    json: bool,
) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let today = service_today(&session)?;
    let from = relative_day(from, today)?;
    let to = match to {
        Some(to) => relative_day(to, today)?,
        None => from,
    };
    let entries = entries_between(&session, from, to, project)?;
    if json {
        print_json(&serde_json::json!({"entries": entries}));
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("no entries {from}{}", if to == from { String::new() } else { format!(" to {to}") });
        return Ok(ExitCode::SUCCESS);
    }
    let mut total = 0;
    for e in &entries {
        total += e["minutes"].as_i64().unwrap_or(0);
        println!(
            "{} {}-{} {:>6}  {}  {}",
            e["date"].as_str().unwrap_or("?"),
            e["startTime"].as_str().unwrap_or("?"),
            e["endTime"].as_str().unwrap_or("…"),
            h_mm(e["minutes"].as_i64().unwrap_or(0)),
            describe(e),
            e["id"].as_str().unwrap_or("?")
        );
    }
    println!("total {} in {} entries", h_mm(total), entries.len());
    Ok(ExitCode::SUCCESS)
}

pub fn remove_entry(profile: &str, id: &str, json: bool) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    remote::call(&session, reqwest::Method::DELETE, &format!("/v1/entries/{}", remote::encode(id)), None)
        .map_err(|e| e.0)?;
    if json {
        print_json(&serde_json::json!({"deleted": id}));
    } else {
        println!("deleted {id}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Minutes as h:mm.
pub fn h_mm(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

pub fn describe(entry: &serde_json::Value) -> String {
    let project = entry["project"].as_str().map(|p| format!(" [{p}]")).unwrap_or_default();
    let tags: Vec<&str> =
        entry["tags"].as_array().map(|t| t.iter().filter_map(|t| t.as_str()).collect()).unwrap_or_default();
    let tags = if tags.is_empty() { String::new() } else { format!(" #{}", tags.join(" #")) };
    format!("{}{project}{tags}", entry["task"].as_str().unwrap_or("?"))
}

/// The service's warnings on a write, one line each on stderr.
pub fn warn(answer: &serde_json::Value) {
    for w in answer["warnings"].as_array().into_iter().flatten() {
        eprintln!("tm: warning: {}", w["message"].as_str().unwrap_or("?"));
    }
}

pub fn timer_start(
    profile: &str,
    task: &str,
    project: Option<&str>,
    tags: &[String],
    at: Option<&str>,
    json: bool,
) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let mut body = serde_json::json!({"task": task});
    if let Some(project) = project {
        body["project"] = project.into();
    }
    if !tags.is_empty() {
        body["tags"] = tags.into();
    }
    if let Some(at) = at {
        body["startTime"] = clock(at)?.into();
    }
    let started = remote::call(&session, reqwest::Method::POST, "/v1/timer/start", Some(&body)).map_err(|e| e.0)?;
    if json {
        print_json(&started);
    } else {
        warn(&started);
        println!("started {} at {}", describe(&started), started["startTime"].as_str().unwrap_or("?"));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn timer_stop(profile: &str, at: Option<&str>, json: bool) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let body = match at {
        Some(at) => serde_json::json!({"endTime": clock(at)?}),
        None => serde_json::json!({}),
    };
    let finished = remote::call(&session, reqwest::Method::POST, "/v1/timer/finish", Some(&body)).map_err(|e| e.0)?;
    if json {
        print_json(&finished);
    } else {
        warn(&finished);
        println!(
            "stopped {} {}-{} ({})",
            describe(&finished),
            finished["startTime"].as_str().unwrap_or("?"),
            finished["endTime"].as_str().unwrap_or("?"),
            h_mm(finished["minutes"].as_i64().unwrap_or(0))
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn timer_status(profile: &str, json: bool) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let timer = remote::get_json(&session, "/v1/timer").map_err(|e| e.0)?;
    if json {
        print_json(&timer);
    } else if timer["running"].is_null() {
        println!("no timer running (tm start \"task\" starts one)");
    } else {
        let running = &timer["running"];
        println!(
            "running: {} since {} {} ({})",
            describe(running),
            running["date"].as_str().unwrap_or("?"),
            running["startTime"].as_str().unwrap_or("?"),
            h_mm(timer["elapsedMinutes"].as_i64().unwrap_or(0))
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn timer_cancel(profile: &str, json: bool) -> Result<ExitCode, String> {
    let session = remote::session(profile).map_err(|e| e.0)?;
    let timer = remote::get_json(&session, "/v1/timer").map_err(|e| e.0)?;
    let Some(id) = timer["running"]["id"].as_str() else {
        return Err("no timer running: nothing to cancel".into());
    };
    remote::call(&session, reqwest::Method::DELETE, &format!("/v1/entries/{id}"), None).map_err(|e| e.0)?;
    if json {
        print_json(&serde_json::json!({"cancelled": timer["running"]}));
    } else {
        println!(
            "cancelled {} (started {})",
            describe(&timer["running"]),
            timer["running"]["startTime"].as_str().unwrap_or("?")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Every entry from `from` to `to` (all pages), optionally of one project.
pub fn entries_between(
    session: &remote::Session,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    project: Option<&str>,
) -> Result<Vec<serde_json::Value>, String> {
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/entries?from={from}&to={to}&limit=500");
        if let Some(project) = project {
            path.push_str(&format!("&project={}", remote::encode(project)));
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", remote::encode(c)));
        }
        let page = remote::get_json(session, &path).map_err(|e| e.0)?;
        entries.extend(page["entries"].as_array().cloned().unwrap_or_default());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(entries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_as_people_say_them() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let day = |t: &str| relative_day(t, wednesday).map(|d| d.to_string());
        assert_eq!(day("today").unwrap(), "2026-12-02");
        assert_eq!(day("Yesterday").unwrap(), "2026-12-01");
        assert_eq!(day("-7d").unwrap(), "2026-11-25");
        assert_eq!(day("mon").unwrap(), "2026-11-30");
        assert_eq!(day("wed").unwrap(), "2026-12-02", "today is the latest Wednesday");
        assert_eq!(day("thursday").unwrap(), "2026-11-26");
        assert_eq!(day("2025-07-29").unwrap(), "2025-07-29");
        assert!(day("someday").unwrap_err().contains("YYYY-MM-DD"));
        assert!(day("-100000000000000000d").unwrap_err().contains("too far back"), "an error, not a panic");
        assert_eq!(clock("9:05").unwrap(), "09:05");
        assert!(clock("9:5").is_err() && clock("24:00").is_err() && clock("noon").is_err());
    }
}
