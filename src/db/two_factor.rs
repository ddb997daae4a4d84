//! The `user_two_factor` and `two_factor_recovery_codes` tables, and the
//! organisations' "require two-factor sign-in" setting.
//!
//! The TOTP secret is stored sealed (see `crypto::seal_user_secret`);
//! recovery codes only as hashes. Every write here takes a connection so
//! that it commits in the same transaction as its audit event.

use anyhow::Context;
use sqlx::{SqliteConnection, SqliteExecutor};

use super::{Db, now_unix};
use crate::crypto::{self, KeyRing, MasterKey, Sealed};

/// A user's second factor, enrolled or awaiting its first code.
#[derive(Debug, Clone)]
pub struct TwoFactor {
    pub user_id: i64,
    pub sealed: Sealed,
    pub enabled: bool,
    pub last_step: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    user_id: i64,
    secret_ciphertext: Vec<u8>,
    secret_nonce: Vec<u8>,
    key_id: String,
    enabled_at: Option<i64>,
    last_step: Option<i64>,
}

impl From<Row> for TwoFactor {
    fn from(row: Row) -> Self {
        Self {
            user_id: row.user_id,
            sealed: Sealed {
                ciphertext: row.secret_ciphertext,
                nonce: row.secret_nonce,
                key_id: row.key_id,
            },
            enabled: row.enabled_at.is_some(),
            last_step: row.last_step,
        }
    }
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    user_id: i64,
) -> anyhow::Result<Option<TwoFactor>> {
    let row = sqlx::query_as::<_, Row>(
        "SELECT user_id, secret_ciphertext, secret_nonce, key_id, enabled_at, last_step
         FROM user_two_factor WHERE user_id = ?",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
    .context("Failed to load a user's second factor")?;
    Ok(row.map(TwoFactor::from))
}

/// Whether the user signs in with a second factor.
pub async fn is_enabled<'e>(db: impl SqliteExecutor<'e>, user_id: i64) -> anyhow::Result<bool> {
    Ok(get(db, user_id).await?.is_some_and(|t| t.enabled))
}

/// The users who sign in with a second factor, for the admin's list.
pub async fn enabled_user_ids(db: &Db) -> anyhow::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT user_id FROM user_two_factor WHERE enabled_at IS NOT NULL")
        .fetch_all(db)
        .await
        .context("Failed to list the users with a second factor")
}

/// Stores a new secret awaiting its first code, replacing an earlier
/// unfinished enrolment; an enabled factor is left alone (`false`).
pub async fn start_enrolment(
    conn: &mut SqliteConnection,
    user_id: i64,
    sealed: &Sealed,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO user_two_factor (user_id, secret_ciphertext, secret_nonce, key_id, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET
             secret_ciphertext = excluded.secret_ciphertext,
             secret_nonce = excluded.secret_nonce,
             key_id = excluded.key_id,
             created_at = excluded.created_at,
             last_step = NULL
         WHERE enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(now_unix())
    .execute(conn)
    .await
    .context("Failed to store a new second-factor secret")?;
    Ok(result.rows_affected() == 1)
}

/// Turns an enrolment on with the step of its first code and the hashes of
/// fresh recovery codes; `false` when there was no enrolment to finish.
pub async fn enable(
    conn: &mut SqliteConnection,
    user_id: i64,
    step: i64,
    recovery_hashes: &[String],
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE user_two_factor SET enabled_at = ?, last_step = ?
         WHERE user_id = ? AND enabled_at IS NULL",
    )
    .bind(now_unix())
    .bind(step)
    .bind(user_id)
    .execute(&mut *conn)
    .await
    .context("Failed to turn on a second factor")?;
    if result.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM two_factor_recovery_codes WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .context("Failed to drop old recovery codes")?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES (?, ?)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *conn)
            .await
            .context("Failed to store a recovery code")?;
    }
    Ok(true)
}

/// Records `step` as used, only if it is later than the last step used.
/// The comparison happens in the UPDATE, so two requests racing with the
/// same code cannot both pass.
pub async fn accept_step(
    conn: &mut SqliteConnection,
    user_id: i64,
    step: i64,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE user_two_factor SET last_step = ?
         WHERE user_id = ? AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < ?)",
    )
    .bind(step)
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await
    .context("Failed to record a used code")?;
    Ok(result.rows_affected() == 1)
}

/// Spends a recovery code; `false` when it is unknown or already used.
pub async fn use_recovery_code(
    conn: &mut SqliteConnection,
    user_id: i64,
    code_hash: &str,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE two_factor_recovery_codes SET used_at = ?
         WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
    )
    .bind(now_unix())
    .bind(user_id)
    .bind(code_hash)
    .execute(conn)
    .await
    .context("Failed to spend a recovery code")?;
    Ok(result.rows_affected() == 1)
}

/// Recovery codes the user has left.
pub async fn recovery_codes_left<'e>(
    db: impl SqliteExecutor<'e>,
    user_id: i64,
) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM two_factor_recovery_codes WHERE user_id = ? AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
    .context("Failed to count recovery codes")
}

/// Removes a user's second factor and recovery codes; `true` when one was enabled.
pub async fn remove(conn: &mut SqliteConnection, user_id: i64) -> anyhow::Result<bool> {
    let enabled = is_enabled(&mut *conn, user_id).await?;
    sqlx::query("DELETE FROM two_factor_recovery_codes WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .context("Failed to drop recovery codes")?;
    sqlx::query("DELETE FROM user_two_factor WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .context("Failed to remove a second factor")?;
    Ok(enabled)
}

/// Re-seals every stored secret not yet under `new_key` (master key rotation).
pub async fn reseal_all(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    new_key: &MasterKey,
) -> anyhow::Result<usize> {
    let rows = sqlx::query_as::<_, Row>(
        "SELECT user_id, secret_ciphertext, secret_nonce, key_id, enabled_at, last_step
         FROM user_two_factor WHERE key_id <> ? ORDER BY user_id",
    )
    .bind(new_key.id())
    .fetch_all(&mut *conn)
    .await
    .context("Failed to load the sealed second-factor secrets")?;
    let count = rows.len();
    for row in rows.into_iter().map(TwoFactor::from) {
        let secret = crypto::open_user_secret(keys, row.user_id, &row.sealed)?;
        let sealed = crypto::seal_user_secret(new_key, row.user_id, &secret)?;
        sqlx::query(
            "UPDATE user_two_factor SET secret_ciphertext = ?, secret_nonce = ?, key_id = ?
             WHERE user_id = ?",
        )
        .bind(&sealed.ciphertext)
        .bind(&sealed.nonce)
        .bind(&sealed.key_id)
        .bind(row.user_id)
        .execute(&mut *conn)
        .await
        .context("Failed to store a re-sealed second-factor secret")?;
    }
    Ok(count)
}

/// An organisation's requirement and whether a user meets it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrgRequirement {
    pub required: bool,
    pub user_enrolled: bool,
}

impl OrgRequirement {
    pub fn blocks(&self) -> bool {
        self.required && !self.user_enrolled
    }
}

/// The organisation's requirement for one user: one query, as it runs on
/// every organisation page.
pub async fn org_requirement(db: &Db, org_id: i64, user_id: i64) -> anyhow::Result<OrgRequirement> {
    let row: Option<(bool, bool)> = sqlx::query_as(
        "SELECT o.require_two_factor = 1, EXISTS (
                SELECT 1 FROM user_two_factor t WHERE t.user_id = ? AND t.enabled_at IS NOT NULL)
         FROM organisations o WHERE o.id = ?",
    )
    .bind(user_id)
    .bind(org_id)
    .fetch_optional(db)
    .await
    .context("Failed to check an organisation's two-factor requirement")?;
    // An organisation that vanished meanwhile: its pages answer 404 anyway.
    Ok(row
        .map(|(required, user_enrolled)| OrgRequirement {
            required,
            user_enrolled,
        })
        .unwrap_or_default())
}

pub async fn set_org_requires(
    conn: &mut SqliteConnection,
    org_id: i64,
    required: bool,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE organisations SET require_two_factor = ? WHERE id = ?")
        .bind(required)
        .bind(org_id)
        .execute(conn)
        .await
        .context("Failed to change an organisation's two-factor setting")?;
    Ok(())
}
