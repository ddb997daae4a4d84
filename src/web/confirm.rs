//! The confirm step of a destructive action that can be undone or redone
//! (detach, remove, delete a snapshot): the page shows the action behind a
//! disclosure whose form carries `confirm=yes`; a POST without it changes
//! nothing. Irreversible actions (delete, reinstall, restore) ask for the
//! resource's name instead, checked by their handlers.

use serde::Deserialize;

/// The form field and value the confirm step posts.
pub const FIELD: &str = "confirm";
pub const YES: &str = "yes";

/// A form that carries nothing but the confirmation (and the CSRF token,
/// checked by the middleware).
#[derive(Debug, Default, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    confirm: String,
}

impl Confirmation {
    pub fn given(&self) -> bool {
        is_yes(&self.confirm)
    }
}

/// True for the confirm step's value, for forms that carry more fields.
pub fn is_yes(value: &str) -> bool {
    value == YES
}

/// The message for a POST that lacks the confirmation.
pub fn missing(what: &str) -> String {
    format!("Confirm {what} with its “Yes” button. Nothing was changed.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        assert!(is_yes("yes"));
        assert!(!is_yes(""));
        assert!(!is_yes("YES "));
        assert!(!Confirmation::default().given());
    }
}
