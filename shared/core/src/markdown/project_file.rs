//! Project files: Markdown with YAML frontmatter (docs/rules.md §2). YAML is read and written by
//! `serde_yaml_ng`; this module only maps its values to a [`Project`].

use crate::domain::calendar::parse_date;
use crate::domain::diagnostic::{Code, Diagnostic, has_errors};
use crate::domain::names::project_name_problem;
use crate::domain::project::{Project, ProjectStatus};
use crate::domain::tags::{dropped_tag_message, normalize_tags};
use serde::Serialize;
use serde_yaml_ng::{Mapping, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedProject {
    /// Present when there is no error.
    pub project: Option<Project>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The frontmatter keys, each with its accepted spellings.
const NAME_KEYS: [&str; 2] = ["project", "projectName"];
const GOAL_KEYS: [&str; 2] = ["departmentalGoal", "departmentalGoals"];
const DIRECTION_KEYS: [&str; 2] = ["strategicDirection", "strategicDirections"];

pub fn parse_project_file(text: &str) -> ParsedProject {
    let text = text.replace("\r\n", "\n");
    let mut diagnostics = Vec::new();
    let fail = |diagnostics: Vec<Diagnostic>| ParsedProject { project: None, diagnostics };
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        diagnostics.push(Diagnostic::error(
            1,
            Code::InvalidFrontmatter,
            "a project file starts with a `---` line, then YAML frontmatter (`project: Name`), then `---`",
        ));
        return fail(diagnostics);
    }
    let Some(close) = lines.iter().skip(1).position(|l| l.trim_end() == "---").map(|p| p + 1) else {
        diagnostics.push(Diagnostic::error(
            1,
            Code::InvalidFrontmatter,
            "frontmatter is not closed; add a `---` line after it",
        ));
        return fail(diagnostics);
    };
    let yaml = lines[1..close].join("\n");
    let mapping = match serde_yaml_ng::from_str::<Value>(&yaml) {
        Ok(Value::Mapping(m)) => m,
        Ok(Value::Null) => Mapping::new(),
        Ok(_) => {
            diagnostics.push(Diagnostic::error(2, Code::InvalidFrontmatter, "frontmatter must be `key: value` lines"));
            return fail(diagnostics);
        }
        Err(e) => {
            let line = e.location().map_or(2, |l| l.line() + 1);
            diagnostics.push(Diagnostic::error(
                line,
                Code::InvalidFrontmatter,
                format!("frontmatter is not valid YAML: {e}"),
            ));
            return fail(diagnostics);
        }
    };
    // 1-based line of a key, for diagnostics.
    let key_line = |keys: &[&str]| {
        lines[1..close]
            .iter()
            .position(|l| {
                keys.iter().any(|k| l.trim_start().strip_prefix(k).is_some_and(|r| r.trim_start().starts_with(':')))
            })
            .map_or(1, |p| p + 2)
    };
    let field = |keys: &[&str]| keys.iter().find_map(|k| mapping.get(*k)).filter(|v| !v.is_null());

    let name = match field(&NAME_KEYS).map(scalar_text) {
        Some(Some(name)) if !name.trim().is_empty() => {
            if let Some(problem) = project_name_problem(&name) {
                diagnostics.push(Diagnostic::error(key_line(&NAME_KEYS), Code::InvalidProjectName, problem));
            }
            name.trim().to_owned()
        }
        _ => {
            diagnostics.push(Diagnostic::error(
                key_line(&NAME_KEYS),
                Code::MissingProjectName,
                "frontmatter has no project name; add `project: Your Project`",
            ));
            String::new()
        }
    };
    let list = |keys: &[&str], diagnostics: &mut Vec<Diagnostic>| -> Vec<String> {
        match field(keys) {
            None => Vec::new(),
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|item| {
                    let text = scalar_text(item);
                    if text.is_none() {
                        diagnostics.push(Diagnostic::error(
                            key_line(keys),
                            Code::InvalidFrontmatter,
                            format!("`{}` must list plain values, e.g. [Marketing, Technology]", keys[0]),
                        ));
                    }
                    text
                })
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            Some(value) => match scalar_text(value) {
                Some(text) if !text.trim().is_empty() => vec![text.trim().to_owned()],
                Some(_) => Vec::new(),
                None => {
                    diagnostics.push(Diagnostic::error(
                        key_line(keys),
                        Code::InvalidFrontmatter,
                        format!("`{}` must be a value or a list, e.g. [Marketing, Technology]", keys[0]),
                    ));
                    Vec::new()
                }
            },
        }
    };
    let departmental_goals = list(&GOAL_KEYS, &mut diagnostics);
    let strategic_directions = list(&DIRECTION_KEYS, &mut diagnostics);
    let raw_tags = list(&["tags"], &mut diagnostics);
    let normalized = normalize_tags(&raw_tags);
    for (original, tag) in &normalized.changed {
        diagnostics.push(Diagnostic::info(
            key_line(&["tags"]),
            Code::TagNormalized,
            format!("tag {original:?} is read as {tag:?}"),
        ));
    }
    for original in &normalized.dropped {
        diagnostics.push(Diagnostic::warning(key_line(&["tags"]), Code::TagDropped, dropped_tag_message(original)));
    }

    let status = match field(&["status"]).map(scalar_text) {
        None => ProjectStatus::Active,
        Some(Some(text)) => text.parse().unwrap_or_else(|problem: String| {
            diagnostics.push(Diagnostic::error(key_line(&["status"]), Code::InvalidStatus, problem));
            ProjectStatus::Active
        }),
        Some(None) => {
            diagnostics.push(Diagnostic::error(
                key_line(&["status"]),
                Code::InvalidStatus,
                "status must be one of Active, Completed, On Hold, Cancelled",
            ));
            ProjectStatus::Active
        }
    };
    let start_date = match field(&["startDate"]).map(scalar_text) {
        None => None,
        Some(Some(text)) => match parse_date(text.trim()) {
            Ok(date) => Some(date),
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    key_line(&["startDate"]),
                    Code::InvalidStartDate,
                    format!("startDate: {e}"),
                ));
                None
            }
        },
        Some(None) => {
            diagnostics.push(Diagnostic::error(
                key_line(&["startDate"]),
                Code::InvalidStartDate,
                "startDate must be a date YYYY-MM-DD",
            ));
            None
        }
    };
    let summary = summary_section(&lines[close + 1..])
        .or_else(|| field(&["summary"]).and_then(scalar_text).map(|s| s.trim().to_owned()))
        .unwrap_or_default();

    diagnostics.sort_by_key(|d| d.line);
    let project = (!has_errors(&diagnostics)).then_some(Project {
        name,
        departmental_goals,
        strategic_directions,
        tags: normalized.tags,
        status,
        start_date,
        summary,
        archived: field(&["archived"]).and_then(Value::as_bool).unwrap_or(false),
    });
    ParsedProject { project, diagnostics }
}

/// A YAML scalar as text (numbers and booleans too); `None` for lists and maps.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(tagged) => scalar_text(&tagged.value),
        _ => None,
    }
}

/// The paragraphs under `## Summary` up to the next heading, if any text is there.
fn summary_section(body: &[&str]) -> Option<String> {
    let start = body.iter().position(|l| l.trim_end().eq_ignore_ascii_case("## summary"))?;
    let section: Vec<&str> = body[start + 1..].iter().take_while(|l| !l.starts_with('#')).copied().collect();
    let text = section.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Frontmatter<'a> {
    project: &'a str,
    departmental_goal: &'a [String],
    strategic_direction: &'a [String],
    tags: &'a [String],
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    archived: bool,
}

/// A project file for `project`; parsing it gives the same project back.
pub fn render_project_file(project: &Project) -> String {
    let frontmatter = Frontmatter {
        project: &project.name,
        departmental_goal: &project.departmental_goals,
        strategic_direction: &project.strategic_directions,
        tags: &project.tags,
        status: project.status.as_str(),
        start_date: project.start_date.map(|d| d.to_string()),
        archived: project.archived,
    };
    let yaml = serde_yaml_ng::to_string(&frontmatter).expect("plain strings and lists always serialise");
    let mut out = format!("---\n{yaml}---\n");
    if !project.summary.is_empty() {
        out.push_str("\n## Summary\n\n");
        out.push_str(&project.summary);
        out.push('\n');
    }
    out
}

/// The person's project file `source` made to describe `project`: unchanged when it
/// already does (byte for byte); otherwise its frontmatter keys the service reads are
/// set (in the spelling and place the file used), every other key and everything after
/// the frontmatter are kept, and only the `## Summary` section's text is replaced.
pub fn render_project_file_over(source: &str, project: &Project) -> String {
    if parse_project_file(source).project.as_ref() == Some(project) {
        return source.to_owned();
    }
    let text = source.replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let close = (lines.first().map(|l| l.trim_end()) == Some("---"))
        .then(|| lines.iter().skip(1).position(|l| l.trim_end() == "---").map(|p| p + 1))
        .flatten();
    let Some(close) = close else { return render_project_file(project) };
    let mut mapping = match serde_yaml_ng::from_str::<Value>(&lines[1..close].join("\n")) {
        Ok(Value::Mapping(m)) => m,
        _ => Mapping::new(),
    };
    let list = |items: &[String]| Value::Sequence(items.iter().map(|i| Value::String(i.clone())).collect());
    let mut set = |keys: &[&str], value: Option<Value>| {
        let spelling = keys.iter().find(|k| mapping.contains_key(**k)).copied().unwrap_or(keys[0]);
        for other in keys.iter().filter(|k| **k != spelling) {
            mapping.remove(*other);
        }
        match value {
            Some(v) => {
                mapping.insert(Value::String(spelling.to_owned()), v);
            }
            None => {
                mapping.remove(spelling);
            }
        }
    };
    set(&NAME_KEYS, Some(Value::String(project.name.clone())));
    set(&GOAL_KEYS, Some(list(&project.departmental_goals)));
    set(&DIRECTION_KEYS, Some(list(&project.strategic_directions)));
    set(&["tags"], Some(list(&project.tags)));
    set(&["status"], Some(Value::String(project.status.as_str().to_owned())));
    set(&["startDate"], project.start_date.map(|d| Value::String(d.to_string())));
    set(&["archived"], project.archived.then_some(Value::Bool(true)));
    let body: Vec<&str> = lines[close + 1..].to_vec();
    let summary_in_body = body.iter().position(|l| l.trim_end().eq_ignore_ascii_case("## summary"));
    let mut body_text = body.join("\n");
    match summary_in_body {
        Some(start) => {
            // Replace the section's text, up to the next heading.
            let end = body[start + 1..].iter().position(|l| l.starts_with('#')).map_or(body.len(), |p| start + 1 + p);
            let mut rebuilt: Vec<String> = body[..=start].iter().map(|s| s.to_string()).collect();
            rebuilt.push(String::new());
            if !project.summary.is_empty() {
                rebuilt.push(project.summary.clone());
                rebuilt.push(String::new());
            }
            rebuilt.extend(body[end..].iter().map(|s| s.to_string()));
            body_text = rebuilt.join("\n");
        }
        None if mapping.contains_key("summary") => {
            mapping.insert(Value::String("summary".into()), Value::String(project.summary.clone()));
        }
        None if !project.summary.is_empty() => {
            if !body_text.ends_with('\n') && !body_text.is_empty() {
                body_text.push('\n');
            }
            body_text.push_str(&format!("\n## Summary\n\n{}\n", project.summary));
        }
        None => {}
    }
    let yaml = serde_yaml_ng::to_string(&Value::Mapping(mapping)).expect("YAML values always serialise");
    format!("---\n{yaml}---\n{body_text}")
}
