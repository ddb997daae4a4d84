//! A token as both lists show it.

use crate::tenant::{ApiTokenRow, TOKEN_PREFIX};
use crate::web::confirm::ConfirmStep;

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub org_name: String,
    /// `tp_AbC123…`: enough to recognise it, of no use to anyone else.
    pub shown: String,
    pub owner: String,
    pub access: &'static str,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    /// `active`, `expired` or `revoked`.
    pub state: &'static str,
    /// Only for a token still active.
    pub revoke: Option<ConfirmStep>,
}

pub fn format_unix(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

impl TokenView {
    /// `revoke_action`: where its revoke step posts.
    pub fn of(row: &ApiTokenRow, org_name: &str, revoke_action: String, now: i64) -> Self {
        let state = if row.revoked_at.is_some() {
            "revoked"
        } else if row.expires_at <= now {
            "expired"
        } else {
            "active"
        };
        let revoke = (state == "active").then(|| ConfirmStep {
            action: revoke_action,
            verb: "Revoke",
            subject: row.name.clone(),
            button: format!("Yes, revoke {}", row.name),
            consequence:
                "Requests with this token are refused from the next one on. This cannot be undone."
                    .into(),
        });
        Self {
            id: row.id,
            name: row.name.clone(),
            org_name: org_name.to_owned(),
            shown: format!("{TOKEN_PREFIX}{}…", row.prefix),
            owner: format!("{} ({})", row.user_name, row.user_email),
            access: row.access().title(),
            created: format_unix(row.created_at),
            expires: format_unix(row.expires_at),
            last_used: row
                .last_used_at
                .map_or_else(|| "never".to_owned(), format_unix),
            state,
            revoke,
        }
    }
}
