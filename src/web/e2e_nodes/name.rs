//! The name of an E2E node or saved image, as E2E takes it: 1 to 64
//! letters, digits, `-`, `_` or `.`. Parsed before anything is sent, so a
//! bad name is a message beside its field, never a round trip.

/// A name E2E accepts for a node or a saved image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct E2eName(String);

impl E2eName {
    pub const MAX_LEN: usize = 64;

    /// `what` names the field in the messages: "node name", "image name".
    pub fn parse(raw: &str, what: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(format!("Enter a {what}."));
        }
        let len = name.chars().count();
        if len > Self::MAX_LEN {
            return Err(format!(
                "The {what} may have at most {} characters; this one has {len}.",
                Self::MAX_LEN
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(format!("The {what} may not contain control characters."));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "The {what} may contain only letters, digits, “-”, “_” and “.” (no spaces)."
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_e2e_takes_are_accepted() {
        assert_eq!(
            E2eName::parse(" web-2.a_b ", "node name").unwrap().as_str(),
            "web-2.a_b"
        );
        assert!(E2eName::parse(&"x".repeat(64), "node name").is_ok());
    }

    #[test]
    fn every_bad_name_says_why() {
        let err = |raw: &str| E2eName::parse(raw, "node name").unwrap_err();
        assert_eq!(err("  "), "Enter a node name.");
        assert!(err(&"x".repeat(65)).contains("at most 64"));
        assert!(err("a\u{7}b").contains("control characters"));
        assert!(err("has space").contains("only letters"));
        assert!(err("ümlaut").contains("only letters"));
        assert!(err("a/b").contains("only letters"));
    }
}
