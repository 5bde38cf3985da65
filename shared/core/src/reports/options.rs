//! Report options (docs/rules.md §8) and output formats, parsed from user text with errors that
//! name the allowed values.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A refused option: which one and why, naming what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    pub option: &'static str,
    pub message: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OptionError {}

fn refuse(option: &'static str, got: &str, allowed: &str) -> OptionError {
    OptionError { option, message: format!("{option} {got:?} is not supported; use one of: {allowed}") }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum GroupBy {
    Project,
    DepartmentalGoal,
    StrategicDirection,
    Tag,
    User,
    None,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::DepartmentalGoal => "departmentalGoal",
            Self::StrategicDirection => "strategicDirection",
            Self::Tag => "tag",
            Self::User => "user",
            Self::None => "none",
        }
    }

    /// Human label, e.g. "departmental goal".
    pub fn label(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::DepartmentalGoal => "departmental goal",
            Self::StrategicDirection => "strategic direction",
            Self::Tag => "tag",
            Self::User => "user",
            Self::None => "nothing",
        }
    }
}

impl FromStr for GroupBy {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        let folded: String = s.trim().chars().filter(|c| *c != '-' && *c != '_').collect::<String>().to_lowercase();
        Ok(match folded.as_str() {
            "project" => Self::Project,
            "departmentalgoal" | "departmentalgoals" | "goal" => Self::DepartmentalGoal,
            "strategicdirection" | "strategicdirections" | "direction" => Self::StrategicDirection,
            "tag" | "tags" => Self::Tag,
            "user" => Self::User,
            "none" => Self::None,
            _ => return Err(refuse("groupBy", s, "project, departmentalGoal, strategicDirection, tag, user, none")),
        })
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum SortBy {
    /// Descending hours (default).
    #[default]
    Hours,
    Alpha,
    /// Project start date, oldest first.
    Date,
}

impl FromStr for SortBy {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        match s.trim().to_lowercase().as_str() {
            "hours" => Ok(Self::Hours),
            "alpha" => Ok(Self::Alpha),
            "date" => Ok(Self::Date),
            _ => Err(refuse("sort", s, "hours, alpha, date")),
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum TopTasks {
    Count(usize),
    All,
}

impl Default for TopTasks {
    fn default() -> Self {
        Self::Count(3)
    }
}

impl TopTasks {
    pub fn limit(self) -> usize {
        match self {
            Self::Count(n) => n,
            Self::All => usize::MAX,
        }
    }
}

impl FromStr for TopTasks {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        s.parse::<usize>().map(Self::Count).map_err(|_| OptionError {
            option: "topTasks",
            message: format!("topTasks {s:?} is not supported; use a whole number (0 = none) or all"),
        })
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum Format {
    #[default]
    Json,
    Markdown,
    Csv,
    Text,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    /// The first format an `Accept` header names; `None` when it names none of ours
    /// (including `*/*`), so the caller falls back to JSON.
    pub fn from_accept(accept: &str) -> Option<Self> {
        accept.split(',').find_map(|part| match part.split(';').next().unwrap_or("").trim() {
            "application/json" => Some(Self::Json),
            "text/markdown" | "text/x-markdown" => Some(Self::Markdown),
            "text/csv" => Some(Self::Csv),
            "text/plain" => Some(Self::Text),
            _ => None,
        })
    }
}

impl FromStr for Format {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        match s.trim().to_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "markdown" | "md" => Ok(Self::Markdown),
            "csv" => Ok(Self::Csv),
            "text" | "txt" => Ok(Self::Text),
            _ => Err(refuse("format", s, "json, markdown, csv, text")),
        }
    }
}

/// Options common to period reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// `None`: the report kind's default.
    pub group_by: Option<GroupBy>,
    pub sort: SortBy,
    pub top_tasks: TopTasks,
    /// `None`: the user's default suppressed projects (fiscal-year and since reports).
    pub suppress: Option<Vec<String>>,
}

/// Splits a `suppress` value (`A,B` or repeated) into project names.
pub fn parse_suppress<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values.into_iter().flat_map(|v| v.split(',')).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_errors_name_allowed_values() {
        assert_eq!("departmentalGoal".parse::<GroupBy>().unwrap(), GroupBy::DepartmentalGoal);
        assert_eq!("strategic-direction".parse::<GroupBy>().unwrap(), GroupBy::StrategicDirection);
        assert!("colour".parse::<GroupBy>().unwrap_err().message.contains("departmentalGoal"));
        assert_eq!("alpha".parse::<SortBy>().unwrap(), SortBy::Alpha);
        assert!("size".parse::<SortBy>().is_err());
        assert_eq!("all".parse::<TopTasks>().unwrap(), TopTasks::All);
        assert_eq!("0".parse::<TopTasks>().unwrap(), TopTasks::Count(0));
        assert!("-1".parse::<TopTasks>().is_err());
        let e = "pdf".parse::<Format>().unwrap_err();
        assert_eq!(e.message, "format \"pdf\" is not supported; use one of: json, markdown, csv, text");
        assert_eq!(Format::from_accept("text/csv;q=0.9, */*"), Some(Format::Csv));
        assert_eq!(Format::from_accept("*/*"), None);
        assert_eq!(parse_suppress(["Unproductive, Non-Project", "X"]), vec!["Unproductive", "Non-Project", "X"]);
    }
}
