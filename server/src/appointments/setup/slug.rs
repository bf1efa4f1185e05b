//! A booking page's address: made from the business's name, or checked as given.

/// The business's address made from its name: lowercase letters and digits joined by dashes.
pub fn slug_from(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

pub(super) fn valid_slug(slug: &str) -> bool {
    (3..=60).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_made_from_names() {
        assert_eq!(slug_from("Contoso Advisory"), "contoso-advisory");
        assert_eq!(slug_from("  Dr. Müller & Partners! "), "dr-m-ller-partners");
        assert_eq!(slug_from("!!!"), "");
        assert!(valid_slug("contoso-advisory"));
        assert!(!valid_slug("-bad"));
        assert!(!valid_slug("Bad"));
        assert!(!valid_slug("ab"));
    }
}
