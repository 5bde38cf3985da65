//! Project names: validity, case-insensitive identity, suggestions for unknown names.

pub const MAX_PROJECT_NAME_CHARS: usize = 100;

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
