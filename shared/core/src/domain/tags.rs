//! Tag normalisation, applied identically on API writes, timer start and log ingest.

/// Trim, lower-case, whitespace runs → `-`, drop everything outside `a-z 0-9 -`,
/// collapse repeated `-`, strip leading and trailing `-`.
pub fn normalize_tag(raw: &str) -> String {
    // Most tags are already normal (every canonical log's are): skip the rewrite.
    let trimmed = raw.trim();
    if is_valid_tag(trimmed) {
        return trimmed.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut pending_dash = false;
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        let c = if c.is_whitespace() { '-' } else { c };
        match c {
            '-' => pending_dash = true,
            'a'..='z' | '0'..='9' => {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(c);
            }
            _ => {} // dropped; does not break a run of dashes either
        }
    }
    out
}

/// 2–30 characters of `[a-z0-9]+(-[a-z0-9]+)*`.
pub fn is_valid_tag(tag: &str) -> bool {
    (2..=30).contains(&tag.len())
        && tag.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !tag.starts_with('-')
        && !tag.ends_with('-')
        && !tag.contains("--")
}

/// The result of normalising a list of tags.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct NormalizedTags {
    /// Valid, unique tags in first-seen order.
    pub tags: Vec<String>,
    /// (original, normalised) for each tag that normalisation changed.
    pub changed: Vec<(String, String)>,
    /// Originals dropped because they normalise to nothing valid.
    pub dropped: Vec<String>,
}

pub fn normalize_tags<'a, S: AsRef<str> + ?Sized + 'a>(raw: impl IntoIterator<Item = &'a S>) -> NormalizedTags {
    let mut result = NormalizedTags::default();
    for original in raw.into_iter().map(AsRef::as_ref) {
        let tag = normalize_tag(original);
        if tag.is_empty() && original.trim().is_empty() {
            continue; // an empty element (`[a, , b]`) is nothing, not a mistake
        }
        if !is_valid_tag(&tag) {
            result.dropped.push(original.to_owned());
            continue;
        }
        if tag != original.trim() {
            result.changed.push((original.to_owned(), tag.clone()));
        }
        if !result.tags.contains(&tag) {
            result.tags.push(tag);
        }
    }
    result
}

/// The message of a dropped tag, shared by the log parser and entry validation.
pub fn dropped_tag_message(original: &str) -> String {
    let normalized = normalize_tag(original);
    let became = if normalized.is_empty() { "nothing".to_owned() } else { format!("{normalized:?}") };
    format!(
        "tag {original:?} was dropped: it normalises to {became}, and a tag needs 2-30 characters of a-z, 0-9 and single dashes; rename it, e.g. {:?}",
        suggest_tag(original)
    )
}

fn suggest_tag(original: &str) -> String {
    let tag = normalize_tag(original);
    match tag.len() {
        0 => "topic".to_owned(),
        1 => format!("{tag}-lang"),
        _ => tag.chars().take(30).collect::<String>().trim_end_matches('-').to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_examples_from_spec() {
        for (raw, want) in [
            ("UI Design", "ui-design"),
            ("UI/UX Design!", "uiux-design"),
            ("C++ Programming", "c-programming"),
            ("Node.js Development", "nodejs-development"),
            ("  --Hello   World--  ", "hello-world"),
            ("Web_Dev", "webdev"),
            ("C#", "c"),
            ("日本", ""),
            ("JIRA-123", "jira-123"),
            ("a - b", "a-b"),
        ] {
            assert_eq!(normalize_tag(raw), want, "{raw}");
        }
    }

    #[test]
    fn validity() {
        assert!(is_valid_tag("ui"));
        assert!(is_valid_tag("bug-fix"));
        assert!(is_valid_tag(&"a".repeat(30)));
        for bad in ["c", "", "-a", "a-", "a--b", "Ab", &"a".repeat(31)] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn lists_drop_invalid_empty_and_duplicate_tags() {
        let result = normalize_tags(["UI Design", "ui-design", "C#", "日本", "", "docs", "Docs"]);
        assert_eq!(result.tags, vec!["ui-design", "docs"]);
        assert_eq!(result.dropped, vec!["C#", "日本"]);
        assert_eq!(result.changed, vec![("UI Design".into(), "ui-design".into()), ("Docs".into(), "docs".into())]);
        assert!(dropped_tag_message("C#").contains("\"C#\""));
    }
}
