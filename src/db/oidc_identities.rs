//! The `oidc_identities` table: which identity provider account (issuer and
//! subject) signs in as which panel user.

use anyhow::Context;
use sqlx::SqliteExecutor;

/// A password hash that never verifies (not a PHC string): the user of an
/// account the provider created signs in only through the provider.
pub const NO_PASSWORD: &str = "!oidc: no password";

/// The panel user a provider account is linked to.
pub async fn user_for<'e>(
    db: impl SqliteExecutor<'e>,
    issuer: &str,
    subject: &str,
) -> anyhow::Result<Option<i64>> {
    sqlx::query_scalar("SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?")
        .bind(issuer)
        .bind(subject)
        .fetch_optional(db)
        .await
        .context("Failed to look up a provider account")
}

/// Links a provider account to a user; `false` when it was already linked.
pub async fn link<'e>(
    db: impl SqliteExecutor<'e>,
    issuer: &str,
    subject: &str,
    user_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO oidc_identities (issuer, subject, user_id, linked_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await
    .context("Failed to link a provider account")?;
    Ok(result.rows_affected() == 1)
}
