//! Project names: validity, case-insensitive identity, suggestions for unknown names,
//! and the owner-qualified reference `OWNER/Name` by which a member logs time on a
//! colleague's shared project (a project is its owner's, by identity, never by name;
//! `/` cannot appear in a name, so the reference is unambiguous).

pub const MAX_PROJECT_NAME_CHARS: usize = 100;
/// Separates the owner's user id from the project name in a reference.
pub const OWNER_SEPARATOR: char = '/';

/// A project as an entry names it: the caller's own (`owner` None) or a colleague's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProjectRef<'a> {
    pub owner: Option<&'a str>,
    pub name: &'a str,
}

/// Splits `OWNER/Name` (both trimmed); anything without a `/` is a plain name.
pub fn project_ref(text: &str) -> ProjectRef<'_> {
    match text.trim().split_once(OWNER_SEPARATOR) {
        Some((owner, name)) => ProjectRef { owner: Some(owner.trim()), name: name.trim() },
        None => ProjectRef { owner: None, name: text.trim() },
    }
}

/// `OWNER/Name`: how a member's entry names the owner's shared project.
pub fn qualified_name(owner: &str, name: &str) -> String {
    format!("{owner}{OWNER_SEPARATOR}{}", name.trim())
}

/// The reference as `user` should store it: their own project plainly (a reference
/// qualified with their own id is just their project), a colleague's qualified.
pub fn own_view(text: &str, user: &str) -> String {
    match project_ref(text) {
        ProjectRef { owner: Some(owner), name } if owner.eq_ignore_ascii_case(user) => name.to_owned(),
        _ => text.trim().to_owned(),
    }
}

/// `None` when `text` is a valid project reference of an entry: a valid name, or
/// `OWNER/Name` with a valid user id and name.
pub fn project_ref_problem(text: &str) -> Option<String> {
    match project_ref(text) {
        ProjectRef { owner: None, name } => project_name_problem(name),
        ProjectRef { owner: Some(owner), name } => {
            if !super::ids::is_valid_id(owner) {
                return Some(format!(
                    "{text:?} does not name a shared project: write OWNER/Name with the owner's user id \
                     (letters, digits, '_', '-'), e.g. as GET /v1/projects lists it in shared.logAs"
                ));
            }
            project_name_problem(name)
        }
    }
}

/// The identity of a project name: trimmed and lower-cased.
pub fn project_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// `None` when valid; otherwise what is wrong and how to fix it.
pub fn project_name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    // Fast path for the common plain-ASCII name; no allocation.
    if (1..=MAX_PROJECT_NAME_CHARS).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_' | b'.'))
    {
        return None;
    }
    let count = name.chars().count();
    if count == 0 {
        return Some("project name is empty; give a name of 1-100 characters".into());
    }
    if count > MAX_PROJECT_NAME_CHARS {
        return Some(format!("project name has {count} characters; shorten it to at most 100"));
    }
    let bad: String = name.chars().filter(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))).collect();
    if !bad.is_empty() {
        return Some(format!(
            "project name {name:?} contains {bad:?}; use only letters, digits, spaces, '-', '_' and '.'"
        ));
    }
    None
}

/// Up to 3 known names similar to `query`, best first: names that contain the query or
/// are contained in it, then by Levenshtein similarity (whole name or first word) above
/// 0.4. Suggestions keep the display spelling.
pub fn suggest_projects<'a>(query: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let q = project_key(query);
    if q.is_empty() {
        return Vec::new();
    }
    let q_first = q.split_whitespace().next().unwrap_or("");
    let mut scored: Vec<(u8, f64, &str)> = known
        .into_iter()
        .filter_map(|name| {
            let k = project_key(name);
            if k == q {
                return None;
            }
            let k_first = k.split_whitespace().next().unwrap_or("");
            let similarity =
                strsim::normalized_levenshtein(&q, &k).max(strsim::normalized_levenshtein(q_first, k_first));
            if k.contains(&q) || q.contains(&k) {
                return Some((0, similarity, name));
            }
            (similarity > 0.4).then_some((1, similarity, name))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)));
    scored.into_iter().take(3).map(|(_, _, name)| name.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_case_insensitively_first_spelling_wins() {
        use crate::domain::project::{Project, ProjectCatalog};
        let date = "2025-07-01".parse().unwrap();
        let mut catalog = ProjectCatalog::default();
        assert!(catalog.insert(Project::auto_created("Temporal Mark", date)));
        assert!(!catalog.insert(Project::auto_created("  temporal MARK ", date)));
        assert_eq!(catalog.display_name("  temporal MARK "), "Temporal Mark");
        assert_eq!(catalog.get("TEMPORAL MARK").map(|p| p.name.as_str()), Some("Temporal Mark"));
        assert_eq!(project_key(" Web Site "), "web site");
    }

    #[test]
    fn owner_qualified_references() {
        assert_eq!(project_ref(" olga-1 / Atlas "), ProjectRef { owner: Some("olga-1"), name: "Atlas" });
        assert_eq!(project_ref("Atlas"), ProjectRef { owner: None, name: "Atlas" });
        assert_eq!(qualified_name("olga-1", "Atlas"), "olga-1/Atlas");
        assert_eq!(own_view("olga-1/Atlas", "olga-1"), "Atlas");
        assert_eq!(own_view("olga-1/Atlas", "carl"), "olga-1/Atlas");
        assert!(project_ref_problem("olga-1/Atlas").is_none());
        assert!(project_ref_problem("olga#1/Atlas").unwrap().contains("OWNER/Name"));
        assert!(project_ref_problem("olga/At/las").is_some());
        assert!(project_ref_problem("/Atlas").is_some());
        assert!(project_name_problem("olga/Atlas").is_some(), "a project's own name never has a '/'");
        assert_ne!(project_key("olga/Atlas"), project_key("Atlas"), "a colleague's project is another project");
    }

    #[test]
    fn character_rules() {
        assert!(project_name_problem("Website Redesign 2025-2026").is_none());
        assert!(project_name_problem("v1.2_beta").is_none());
        assert!(project_name_problem("Café Überarbeitung").is_none());
        assert!(project_name_problem("a/b").unwrap().contains("\"/\""));
        assert!(project_name_problem("   ").unwrap().contains("empty"));
        assert!(project_name_problem(&"x".repeat(100)).is_none());
        assert!(project_name_problem(&"x".repeat(101)).unwrap().contains("101"));
    }

    #[test]
    fn suggestions_rank_containment_then_similarity() {
        let known = ["Website Redesign", "Temporal Mark", "Security Project", "Web", "Marketing"];
        assert_eq!(suggest_projects("website", known), vec!["Website Redesign", "Web"]);
        assert_eq!(suggest_projects("Temporal Mrak", known), vec!["Temporal Mark"]);
        assert_eq!(suggest_projects("Securty", known), vec!["Security Project"]);
        assert!(suggest_projects("zzzz", known).is_empty());
        assert!(suggest_projects("a", ["b1", "b2", "b3", "ab", "ba", "cab", "abc"]).len() <= 3);
    }
}
