//! The half-signed-in state between the password and the second-factor
//! code: the session's short-lived pending marker, set after a correct
//! password and read by the code step.
//!
//! Its own file because both sides use it: the password step
//! ([`crate::web::auth_pages`]) sets it and the code step
//! ([`crate::web::two_factor`]) reads it, while the code step also signs the
//! user in through the password step's helpers.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use crate::db::now_unix;
use crate::web::error::{AppError, AppResult};

/// Session key of the half-signed-in state.
pub(super) const PENDING_KEY: &str = "pending_second_factor";
/// How long the code step waits after the password was accepted.
const PENDING_SECS: i64 = 5 * 60;

#[derive(Serialize, Deserialize)]
pub(super) struct Pending {
    pub(super) user_id: i64,
    until: i64,
    pub(super) next: String,
}

/// After a correct password: a fresh session id that carries only the
/// pending marker.
pub(super) fn await_code(session: &Session, user_id: i64, next: &str) -> AppResult<()> {
    session.renew();
    session.remove("csrf");
    let pending = Pending {
        user_id,
        until: now_unix() + PENDING_SECS,
        next: next.to_owned(),
    };
    session
        .insert(PENDING_KEY, pending)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to store the session: {e}")))
}

pub(super) fn pending(session: &Session) -> Option<Pending> {
    session
        .get::<Pending>(PENDING_KEY)
        .ok()
        .flatten()
        .filter(|p| p.until > now_unix())
}
