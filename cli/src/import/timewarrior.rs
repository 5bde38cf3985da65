//! Timewarrior's `timew export`: a JSON array of intervals
//! `{"id", "start": "20260101T090000Z", "end", "tags": [...], "annotation"}` in UTC. An
//! interval without `end` is the running one.

use super::{Import, Text, span};
use chrono::{NaiveDateTime, TimeZone};
use serde_json::Value;

const SHAPE: &str =
    "a JSON array of intervals {\"id\", \"start\": \"20260101T090000Z\", \"end\", \"tags\", \"annotation\"}";

fn instant<Z: TimeZone>(text: &str, zone: &Z) -> Option<NaiveDateTime> {
    let utc = NaiveDateTime::parse_from_str(text.trim(), "%Y%m%dT%H%M%SZ").ok()?;
    Some(zone.from_utc_datetime(&utc).naive_local())
}

/// A `timew export` as entries in `zone`; with `project_prefix`, a tag starting with it
/// names the project (`project:Website` with `project:`).
pub fn timewarrior<Z: TimeZone>(text: &str, zone: &Z, project_prefix: Option<&str>) -> Result<Import, String> {
    let intervals: Vec<Value> = match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
        Ok(Value::Array(items)) => items,
        Ok(_) => return Err(format!("is not a timew export: it is JSON, but not {SHAPE}")),
        Err(e) => return Err(format!("is not a timew export ({e}); timew export writes {SHAPE}")),
    };
    let mut import = Import::default();
    for (index, interval) in intervals.iter().enumerate() {
        let row = index + 1;
        if !interval.is_object() {
            import.unmapped(row, "it is not an interval object");
            continue;
        }
        let Some(start_text) = interval["start"].as_str() else {
            import.unmapped(row, "it has no start");
            continue;
        };
        let Some(start) = instant(start_text, zone) else {
            import.unmapped(row, format!("start {start_text:?} is not a timew time (YYYYMMDDTHHMMSSZ)"));
            continue;
        };
        let end = match interval["end"].as_str() {
            None => {
                import.unmapped(
                    row,
                    format!(
                        "it is still running (since {}, no end); stop it and export again",
                        start.format("%Y-%m-%d %H:%M")
                    ),
                );
                continue;
            }
            Some(text) => match instant(text, zone) {
                Some(end) => end,
                None => {
                    import.unmapped(row, format!("end {text:?} is not a timew time (YYYYMMDDTHHMMSSZ)"));
                    continue;
                }
            },
        };
        let times = match span(start, end) {
            Ok(times) => times,
            Err(why) => {
                import.unmapped(row, why);
                continue;
            }
        };
        let mut tags: Vec<&str> = interval["tags"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut text = Text::default();
        if let Some(prefix) = project_prefix.filter(|p| !p.is_empty())
            && let Some(at) = tags.iter().position(|t| t.starts_with(prefix) && !t[prefix.len()..].trim().is_empty())
        {
            text.project = Some(tags.remove(at)[prefix.len()..].trim().to_owned());
        }
        let annotated = interval["annotation"].as_str().is_some_and(|a| text.task_from(a));
        if !annotated {
            match tags.iter().position(|t| !t.trim().is_empty()) {
                Some(first) => {
                    text.task_from(tags.remove(first));
                }
                None => {
                    import.unmapped(row, "it has no annotation and no tag to use as the task");
                    continue;
                }
            }
        }
        for tag in tags {
            text.add_tag(tag, "tags", row, &mut import);
        }
        import.entries.extend(text.into_entry(row, times));
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tm_core::domain::calendar::parse_zone;

    #[test]
    fn intervals_in_the_persons_zone_with_the_annotation_or_first_tag_as_task() {
        let text = r#"[
            {"id":4,"start":"20260112T080000Z","end":"20260112T093000Z","tags":["Deep Work","project:Website","docs"],"annotation":"Write the guide"},
            {"id":3,"start":"20260112T223000Z","end":"20260112T233010Z","tags":["Reading"]},
            {"id":2,"start":"20260113T080000Z","end":"20260113T081500Z","tags":["project:Website"]},
            {"id":1,"start":"20260113T090000Z","tags":["running"]}
        ]"#;
        let berlin = parse_zone("Europe/Berlin").unwrap();
        let import = timewarrior(text, &berlin, Some("project:")).unwrap();
        let [guide, reading] = &import.entries[..] else { panic!("{:?} {:?}", import.entries, import.unmapped) };
        assert_eq!(
            (guide.start.as_str(), guide.end.as_str(), guide.task.as_str()),
            ("09:00", "10:30", "Write the guide")
        );
        assert_eq!(
            (guide.project.as_deref(), guide.tags.as_slice()),
            (Some("Website"), &["deep-work".to_owned(), "docs".to_owned()][..])
        );
        assert_eq!(
            (reading.date.to_string(), reading.start.as_str(), reading.end.as_str(), reading.task.as_str()),
            ("2026-01-12".into(), "23:30", "00:30", "Reading"),
            "UTC 22:30 is 23:30 in Berlin and crosses midnight there"
        );
        assert!(reading.tags.is_empty());
        let reasons: Vec<(usize, &str)> = import.unmapped.iter().map(|r| (r.row, r.reason.as_str())).collect();
        assert_eq!(reasons[0], (3, "it has no annotation and no tag to use as the task"));
        assert_eq!(reasons[1].0, 4);
        assert!(reasons[1].1.contains("still running (since 2026-01-13 10:00"), "{reasons:?}");

        // Without a prefix the project tag is an ordinary (first) tag.
        let plain = timewarrior(text, &chrono::Utc, None).unwrap();
        assert_eq!(plain.entries[2].task, "project:Website");
        assert_eq!(plain.entries[0].tags, ["deep-work", "projectwebsite", "docs"]);
        assert_eq!(plain.entries[0].project, None);
    }

    #[test]
    fn what_is_not_an_export_or_not_an_interval_says_so() {
        let e = timewarrior("{\"start\": 1}", &chrono::Utc, None).unwrap_err();
        assert!(e.contains("not a timew export") && e.contains("JSON array"), "{e}");
        assert!(timewarrior("Date,Project\n", &chrono::Utc, None).unwrap_err().contains("not a timew export"));
        let odd = timewarrior(
            r#"[1, {"end":"20260112T093000Z"}, {"start":"2026-01-12 09:00","end":"20260112T093000Z"},
               {"start":"20260112T090000Z","end":"soon","tags":["x"]},
               {"start":"20260112T090000Z","end":"20260112T090010Z","tags":["Blink"]}]"#,
            &chrono::Utc,
            None,
        )
        .unwrap();
        assert!(odd.entries.is_empty());
        let reasons: Vec<&str> = odd.unmapped.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons[..2], ["it is not an interval object", "it has no start"]);
        assert!(reasons[2].starts_with("start \"2026-01-12 09:00\" is not a timew time"), "{reasons:?}");
        assert!(reasons[3].starts_with("end \"soon\""), "{reasons:?}");
        assert!(reasons[4].contains("less than a minute"), "{reasons:?}");
        assert_eq!(timewarrior("[]", &chrono::Utc, None).unwrap(), Import::default());
    }
}
