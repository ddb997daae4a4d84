//! Names people type: an organisation's address and display names.

/// The address segment of an organisation: 2 to 40 lowercase letters,
/// digits and single hyphens, starting and ending with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err("Enter a short name for the address (for example `acme`).".into());
        }
        if slug.len() < 2 || slug.len() > 40 {
            return Err("The address name needs 2 to 40 characters.".into());
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(
                "The address name may contain only lowercase letters, digits and hyphens.".into(),
            );
        }
        if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
            return Err(
                "The address name must start and end with a letter or digit, with single hyphens between."
                    .into(),
            );
        }
        Ok(Self(slug.to_owned()))
    }

    /// A suggestion from a display name: `Acme GmbH` -> `acme-gmbh`.
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-').chars().take(40).collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name for an organisation, a role or a person: trimmed, 1 to 100 characters, no control characters.
pub fn parse_display_name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    if name.chars().count() > 100 {
        return Err(format!("The {what} may have at most 100 characters."));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("The {what} may not contain control characters."));
    }
    Ok(name.to_owned())
}

/// A short name of something the panel keeps (a cloud account, a webhook
/// endpoint, a schedule): trimmed, 1 to `max` characters, no control
/// characters; `empty` says what to enter when nothing was.
pub fn parse_short_name(raw: &str, empty: &str, max: usize) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(empty.to_owned());
    }
    if name.chars().count() > max {
        return Err(format!("The name may have at most {max} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("The name may not contain control characters.".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        assert_eq!(OrgSlug::parse(" acme-2 ").unwrap().as_str(), "acme-2");
        for bad in [
            "",
            "a",
            "Acme",
            "acme corp",
            "-acme",
            "acme-",
            "ac--me",
            "ä-corp",
        ] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
        assert!(OrgSlug::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn slugs_are_suggested_from_names() {
        assert_eq!(OrgSlug::suggest("Acme GmbH & Co."), "acme-gmbh-co");
        assert_eq!(OrgSlug::suggest("  Über  "), "ber");
    }

    #[test]
    fn display_names_are_checked() {
        assert_eq!(parse_display_name("  Acme ", "name").unwrap(), "Acme");
        assert!(parse_display_name("  ", "name").is_err());
        assert!(parse_display_name("a\u{7}", "name").is_err());
        assert!(parse_display_name(&"x".repeat(101), "name").is_err());
    }
}
