//! How people's names are shown and searched (shared by every feature that lists clients).

/// Joins the name parts people see: "First Middle Last Suffix" (or a placeholder).
pub fn display_name(
    first: Option<&str>,
    middle: Option<&str>,
    last: Option<&str>,
    suffix: Option<&str>,
) -> String {
    let parts: Vec<&str> = [first, middle, last, suffix]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        "(name not collected)".to_string()
    } else {
        parts.join(" ")
    }
}

/// Splits a search into lower-case name prefixes, escaping LIKE's wildcards.
pub fn search_terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .take(4)
        .map(|t| {
            t.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_present_parts() {
        assert_eq!(
            display_name(Some("Ana"), None, Some("Ruiz"), Some("Jr.")),
            "Ana Ruiz Jr."
        );
        assert_eq!(display_name(None, None, None, None), "(name not collected)");
    }

    #[test]
    fn search_terms_escape_like_wildcards() {
        assert_eq!(search_terms("Ruiz, Ana"), vec!["ruiz", "ana"]);
        assert_eq!(search_terms("50%_off\\"), vec!["50\\%\\_off\\\\"]);
        assert!(search_terms("   ").is_empty());
    }
}
