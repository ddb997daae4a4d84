//! The "API tokens" section of the profile page: the form that makes a
//! token, the token just made (shown in that one answer, never kept in the
//! session), and the member's tokens in every organisation.

use serde::Deserialize;

use super::view::TokenView;
use crate::app_state::AppState;
use crate::audit::AuditCtx;
use crate::db::users::User;
use crate::tenant::{Actor, TokenAccess};
use crate::web::page::PageCtx;

/// The longest a token may live, and what the form offers first.
pub const MAX_DAYS: i64 = 365;
pub const DEFAULT_DAYS: i64 = 90;

/// The create form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub access: String,
}

/// Each field's message, when the form came back.
#[derive(Debug, Default)]
pub struct TokenErrors {
    pub org: Option<String>,
    pub name: Option<String>,
    pub days: Option<String>,
    pub access: Option<String>,
}

impl TokenErrors {
    pub fn any(&self) -> bool {
        self.org.is_some() || self.name.is_some() || self.days.is_some() || self.access.is_some()
    }
}

/// The form's values, checked: the organisation is checked by the caller
/// against the member's own.
pub struct Checked {
    pub name: String,
    pub days: i64,
    pub access: TokenAccess,
}

impl TokenForm {
    /// The name, days and access, or each field's message.
    pub fn check(&self, errors: &mut TokenErrors) -> Option<Checked> {
        let name = crate::domain::parse_display_name(&self.name, "token name")
            .map_err(|e| errors.name = Some(e))
            .ok();
        let days = self
            .days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d));
        if days.is_none() {
            errors.days = Some(format!("Enter a number of days from 1 to {MAX_DAYS}."));
        }
        let access = TokenAccess::parse(self.access.trim());
        if access.is_none() {
            errors.access = Some("Choose read-only or your role.".into());
        }
        Some(Checked {
            name: name?,
            days: days?,
            access: access?,
        })
    }
}

/// A token just made: shown once, in the answer to the form.
pub struct NewToken {
    pub token: String,
    pub name: String,
    pub org_name: String,
}

pub struct TokenSection {
    /// The member's organisations, as (address, name), for the select.
    pub orgs: Vec<(String, String)>,
    pub rows: Vec<TokenView>,
    pub form: TokenForm,
    pub errors: TokenErrors,
    pub created: Option<NewToken>,
}

impl TokenSection {
    pub fn is_org(&self, slug: &str) -> bool {
        self.form.org == slug
    }

    pub fn days(&self) -> String {
        if self.form.days.is_empty() {
            DEFAULT_DAYS.to_string()
        } else {
            self.form.days.clone()
        }
    }

    /// Read-only unless the role was chosen.
    pub fn role_access(&self) -> bool {
        self.form.access == TokenAccess::Role.key()
    }

    pub fn max_days(&self) -> i64 {
        MAX_DAYS
    }

    /// The section with the member's tokens, showing `form` as typed.
    pub async fn load(
        state: &AppState,
        user: &User,
        page: &PageCtx,
        form: TokenForm,
        errors: TokenErrors,
        created: Option<NewToken>,
    ) -> anyhow::Result<Self> {
        let now = crate::db::now_unix();
        let mut rows = Vec::new();
        for org in page.orgs.iter() {
            let Some(member) = state.door.membership(&org.slug, user.id).await? else {
                continue;
            };
            // Listing records nothing; the actor is there for the handle.
            let (id, email) = (user.id, user.email.clone());
            let actor = Actor::new(Some(org.id), move || AuditCtx {
                actor_id: Some(id),
                actor_label: email.clone(),
                ..AuditCtx::default()
            });
            let tenant = state.door.as_member(&member, &actor);
            for row in tenant.my_api_tokens().await? {
                let action = format!("/profile/api_tokens/{}/{}/revoke", org.slug, row.id);
                rows.push(TokenView::of(&row, &org.name, action, now));
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
        Ok(Self {
            orgs: page
                .orgs
                .iter()
                .map(|o| (o.slug.clone(), o.name.clone()))
                .collect(),
            rows,
            form,
            errors,
            created,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, days: &str, access: &str) -> TokenForm {
        TokenForm {
            org: "acme".into(),
            name: name.into(),
            days: days.into(),
            access: access.into(),
        }
    }

    #[test]
    fn a_good_form_passes_and_each_bad_field_gets_its_message() {
        let mut errors = TokenErrors::default();
        let checked = form(" deploy ", "365", "role").check(&mut errors);
        assert!(!errors.any());
        let checked = checked.unwrap();
        assert_eq!(checked.name, "deploy");
        assert_eq!(checked.days, 365);
        assert_eq!(checked.access, TokenAccess::Role);

        let mut errors = TokenErrors::default();
        assert!(form("", "366", "admin").check(&mut errors).is_none());
        assert!(errors.name.is_some());
        assert!(errors.days.is_some());
        assert!(errors.access.is_some());
        for days in ["0", "-1", "abc", ""] {
            let mut errors = TokenErrors::default();
            assert!(
                form("x", days, "read").check(&mut errors).is_none(),
                "{days}"
            );
            assert!(errors.days.is_some());
        }
    }
}
