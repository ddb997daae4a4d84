//! The audit log. (Recording into the database, the hash chain and the
//! audit pages come with the organisations work; until then events go to the log.)

use actix_web::HttpRequest;

use crate::db::users::User;
use crate::startup::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Requested,
    Succeeded,
    Failed,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Denied => "denied",
        }
    }
}

/// A sign-in attempt, successful or not.
pub async fn record_login(
    _state: &AppState,
    _req: &HttpRequest,
    email: &str,
    user: Option<&User>,
    outcome: Outcome,
    reason: &str,
) {
    tracing::info!(target: "audit", action = "auth.sign_in", email, user_id = user.map(|u| u.id), outcome = outcome.as_str(), reason);
}

/// A change a user made to their own account.
pub async fn record_user_event(
    _state: &AppState,
    _req: &HttpRequest,
    user: &User,
    action: &str,
    details: &str,
) {
    tracing::info!(target: "audit", action, user_id = user.id, details);
}

/// `teampanel audit verify`: walks the hash chain.
pub async fn verify_command(_settings: &crate::config::Settings) -> anyhow::Result<()> {
    anyhow::bail!("the audit log is not stored yet")
}
