//! Projects and the catalog that reports and validation look them up in.

use super::entry::{Entry, NON_PROJECT, UNPRODUCTIVE};
use super::names::project_key;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// Goal and direction given to projects created implicitly by an entry.
pub const GENERAL: &str = "General";

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProjectStatus {
    #[default]
    Active,
    Completed,
    #[serde(rename = "On Hold")]
    OnHold,
    Cancelled,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 4] = [Self::Active, Self::Completed, Self::OnHold, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Completed => "Completed",
            Self::OnHold => "On Hold",
            Self::Cancelled => "Cancelled",
        }
    }
}

impl fmt::Display for ProjectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProjectStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("status {s:?} is not one of Active, Completed, On Hold, Cancelled"))
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub name: String,
    pub departmental_goals: Vec<String>,
    pub strategic_directions: Vec<String>,
    pub tags: Vec<String>,
    pub status: ProjectStatus,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub start_date: Option<NaiveDate>,
    pub summary: String,
    /// Put away: left out of the project list (`?archived=true` shows it); its entries
    /// and reports stay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

impl Project {
    /// A project referenced by an entry but not defined anywhere.
    pub fn auto_created(name: &str, first_date: NaiveDate) -> Self {
        Self {
            name: name.trim().to_owned(),
            departmental_goals: vec![GENERAL.to_owned()],
            strategic_directions: vec![GENERAL.to_owned()],
            tags: Vec::new(),
            status: ProjectStatus::Active,
            start_date: Some(first_date),
            summary: String::new(),
            archived: false,
        }
    }
}

/// Projects by case-insensitive name; the first spelling registered is the display one.
#[derive(Clone, Debug, Default)]
pub struct ProjectCatalog {
    by_key: HashMap<String, Project>,
}

impl ProjectCatalog {
    pub fn new(projects: impl IntoIterator<Item = Project>) -> Self {
        let mut catalog = Self::default();
        for project in projects {
            catalog.insert(project);
        }
        catalog
    }

    /// Adds a project unless one with the same key exists (first one wins).
    pub fn insert(&mut self, project: Project) -> bool {
        let key = project_key(&project.name);
        if self.by_key.contains_key(&key) {
            return false;
        }
        self.by_key.insert(key, project);
        true
    }

    pub fn get(&self, name: &str) -> Option<&Project> {
        self.by_key.get(&project_key(name))
    }

    pub fn display_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.get(name).map(|p| p.name.as_str()).unwrap_or_else(|| name.trim())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_key.values().map(|p| p.name.as_str())
    }

    pub fn projects(&self) -> impl Iterator<Item = &Project> {
        self.by_key.values()
    }

    /// Creates every project the entries reference but the catalog lacks (start date =
    /// first entry's date). Returns the names created, for `project-created` infos.
    /// The conventional projects are created the same way when used.
    pub fn add_missing_from<'a>(&mut self, entries: impl IntoIterator<Item = &'a Entry>) -> Vec<String> {
        let mut first_dates: HashMap<String, (String, NaiveDate)> = HashMap::new();
        // Entries repeat a few spellings many times; look each spelling up once.
        // Spelling → its key when the catalog lacks it.
        let mut missing_by_spelling: HashMap<&str, Option<String>> = HashMap::new();
        for entry in entries {
            let missing = missing_by_spelling.entry(entry.project.as_str()).or_insert_with(|| {
                let key = project_key(&entry.project);
                (!self.by_key.contains_key(&key)).then_some(key)
            });
            let Some(key) = missing else { continue };
            let slot = first_dates.entry(key.clone()).or_insert_with(|| (entry.project.trim().to_owned(), entry.date));
            slot.1 = slot.1.min(entry.date);
        }
        let mut created: Vec<String> = Vec::new();
        let mut pending: Vec<_> = first_dates.into_values().collect();
        pending.sort();
        for (name, date) in pending {
            self.insert(Project::auto_created(&name, date));
            created.push(name);
        }
        created
    }
}

/// Whether `name` is one of the conventional projects every user has.
pub fn is_conventional(name: &str) -> bool {
    let key = project_key(name);
    key == project_key(NON_PROJECT) || key == project_key(UNPRODUCTIVE)
}
