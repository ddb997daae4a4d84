//! The confirm step of a destructive action that needs no typed name
//! (removing a member or an IP, leaving, detaching, withdrawing an
//! invitation, deleting a snapshot): one pattern that works without JavaScript.
//!
//! The page shows a `<details class="confirm">` whose summary ("Remove…")
//! opens the step; inside, a form carries the hidden field `confirm=yes` and
//! a danger button that names the target ("Yes, remove Alice"). The handler
//! takes a [`Confirmation`] and refuses a POST without `confirm=yes` with
//! [`refuse`]: nothing changes, nothing is audited, a flash says so, and the
//! user is sent back. Actions that cannot be undone by hand (deleting a role,
//! a cloud account) ask for the typed name instead.
//!
//! Template: `templates/partials/confirm_step.html`, with a [`ConfirmStep`]
//! named `step` and the page context `page` in scope.

use actix_session::Session;
use serde::Deserialize;

use crate::web::flash;

/// The form field of the confirm step and its only accepted value.
pub const FIELD: &str = "confirm";
pub const YES: &str = "yes";

/// What the template shows for one confirm step.
pub struct ConfirmStep {
    /// Where the form posts.
    pub action: String,
    /// The summary's verb: "Remove" (shown as "Remove…").
    pub verb: &'static str,
    /// What it acts on, for the summary's hidden text and the button: "Alice".
    pub subject: String,
    /// The danger button: "Yes, remove Alice".
    pub button: String,
    /// What follows, shown above the button; empty for none.
    pub consequence: String,
}

/// The confirm field of a posted form.
#[derive(Debug, Default, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    confirm: String,
}

impl Confirmation {
    /// True only for `confirm=yes`.
    pub fn given(&self) -> bool {
        is_yes(&self.confirm)
    }
}

/// The form of an irreversible action: the object's name, typed again
/// (checked with `web::cloud::check_typed_name`).
#[derive(Debug, Default, Deserialize)]
pub struct TypedName {
    #[serde(default)]
    pub confirm_name: String,
}

/// True only for `confirm=yes`, for forms that carry more fields.
pub fn is_yes(value: &str) -> bool {
    value == YES
}

/// The refusal of an unconfirmed POST: a flash error naming what was not
/// confirmed (`remove Alice`). The caller redirects back.
pub fn refuse(session: &Session, what: &str) {
    flash::error(session, refusal(what));
}

/// The message of that refusal, for handlers that answer it themselves.
pub fn refusal(what: &str) -> String {
    format!("Confirm that you want to {what}. Nothing was changed.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(confirm: &str) -> Confirmation {
        Confirmation {
            confirm: confirm.to_owned(),
        }
    }

    #[test]
    fn only_yes_confirms() {
        assert!(form(YES).given());
        for other in ["", "YES", "no", "Alice", " yes"] {
            assert!(!form(other).given(), "{other:?}");
        }
        assert!(!Confirmation::default().given());
    }

    #[test]
    fn the_refusal_says_nothing_changed() {
        assert_eq!(
            refusal("remove Alice"),
            "Confirm that you want to remove Alice. Nothing was changed."
        );
    }
}
