//! The `invitations` table: one-time links that let someone join an organisation.
//!
//! Only the SHA-256 of a token is stored; the token itself is shown once to
//! the inviter. Accepting claims the invitation in the same statement that
//! checks it is still open, so a link works exactly once.

use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};
use sqlx::{Connection, FromRow};

use sqlx::SqliteConnection;

/// How long an invitation link stays valid.
pub const LIFETIME_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, Clone, FromRow)]
pub struct Invitation {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub role_id: i64,
    pub role_name: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_by_label: Option<String>,
}

impl Invitation {
    pub fn state(&self, now: i64) -> InvitationState {
        if self.accepted_at.is_some() {
            InvitationState::Used
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Open
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Used,
    Revoked,
    Expired,
}

/// An invitation found by its token, with what the accept page shows.
#[derive(Debug, Clone, FromRow)]
pub struct FoundInvitation {
    #[sqlx(flatten)]
    pub invitation: Invitation,
    pub org_name: String,
    pub org_slug: String,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const SELECT: &str = "SELECT i.id, i.org_id, i.email, i.role_id, r.name AS role_name, i.expires_at,
        i.accepted_at, i.revoked_at, u.email AS created_by_label
     FROM invitations i
     JOIN roles r ON r.id = i.role_id AND r.org_id = i.org_id
     LEFT JOIN users u ON u.id = i.created_by";

/// Creates an invitation and returns its id and the one-time token.
/// A new invitation's one-time token (only its hash is stored).
pub fn new_token() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 43)
}

pub async fn create(
    db: &mut SqliteConnection,
    org_id: i64,
    email: &str,
    role_id: i64,
    created_by: i64,
    now: i64,
    token: &str,
) -> anyhow::Result<i64> {
    let result = sqlx::query(
        "INSERT INTO invitations (org_id, email, role_id, token_hash, expires_at, created_by)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM roles WHERE org_id = ?1 AND id = ?3)",
    )
    .bind(org_id)
    .bind(email)
    .bind(role_id)
    .bind(hash_token(token))
    .bind(now + LIFETIME_SECS)
    .bind(created_by)
    .execute(&mut *db)
    .await
    .context("Failed to create an invitation")?;
    if result.rows_affected() != 1 {
        anyhow::bail!("the invitation's role is not one of the organisation's");
    }
    Ok(result.last_insert_rowid())
}

/// The organisation's invitations that were not used, newest first (expired ones included, for a while).
pub async fn outstanding(
    db: &mut SqliteConnection,
    org_id: i64,
    now: i64,
) -> anyhow::Result<Vec<Invitation>> {
    sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.org_id = ? AND i.accepted_at IS NULL AND i.revoked_at IS NULL
           AND i.expires_at > ? ORDER BY i.id DESC"
    )))
    .bind(org_id)
    .bind(now - LIFETIME_SECS)
    .fetch_all(&mut *db)
    .await
    .context("Failed to list an organisation's invitations")
}

pub async fn by_id(
    db: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<Invitation>> {
    sqlx::query_as::<_, Invitation>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.org_id = ? AND i.id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to load an invitation")
}

/// Finds an invitation by the token in its link: the token is the only key.
pub async fn by_token(
    db: &mut SqliteConnection,
    token: &str,
) -> anyhow::Result<Option<FoundInvitation>> {
    sqlx::query_as::<_, FoundInvitation>(
        "SELECT i.id, i.org_id, i.email, i.role_id, r.name AS role_name, i.expires_at,
                i.accepted_at, i.revoked_at, u.email AS created_by_label,
                o.name AS org_name, o.slug AS org_slug
         FROM invitations i
         JOIN roles r ON r.id = i.role_id AND r.org_id = i.org_id
         JOIN organisations o ON o.id = i.org_id
         LEFT JOIN users u ON u.id = i.created_by
         WHERE i.token_hash = ?",
    )
    .bind(hash_token(token))
    .fetch_optional(&mut *db)
    .await
    .context("Failed to look up an invitation")
}

/// Revokes an open invitation; false when it was not open.
pub async fn revoke(
    db: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE invitations SET revoked_at = ?3
         WHERE org_id = ?1 AND id = ?2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(id)
    .bind(now)
    .execute(&mut *db)
    .await
    .context("Failed to revoke an invitation")?;
    Ok(result.rows_affected() == 1)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// The user is now a member (their id).
    Joined(i64),
    /// The user was a member already; the invitation is used up, the role unchanged.
    AlreadyMember(i64),
    /// The invitation was used, revoked or expired meanwhile.
    NotOpen,
    /// Someone registered this email meanwhile: sign in instead.
    EmailTaken,
}

/// Claims the invitation inside a transaction; false when it is not open any more.
async fn claim(
    tx: &mut sqlx::SqliteConnection,
    invitation_id: i64,
    user_id: Option<i64>,
    now: i64,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE invitations SET accepted_at = ?2, accepted_by = ?3
         WHERE id = ?1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?2",
    )
    .bind(invitation_id)
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await
    .context("Failed to claim an invitation")?;
    Ok(result.rows_affected() == 1)
}

async fn join(
    tx: &mut sqlx::SqliteConnection,
    invitation: &Invitation,
    user_id: i64,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)
         ON CONFLICT(user_id, org_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(invitation.org_id)
    .bind(invitation.role_id)
    .execute(&mut *tx)
    .await
    .context("Failed to add a member")?;
    Ok(result.rows_affected() == 1)
}

/// An existing account accepts.
pub async fn accept_existing(
    db: &mut SqliteConnection,
    invitation: &Invitation,
    user_id: i64,
    now: i64,
) -> anyhow::Result<Accepted> {
    let mut tx = db
        .begin()
        .await
        .context("Failed to start accepting an invitation")?;
    if !claim(&mut tx, invitation.id, Some(user_id), now).await? {
        return Ok(Accepted::NotOpen);
    }
    let joined = join(&mut tx, invitation, user_id).await?;
    tx.commit()
        .await
        .context("Failed to finish accepting an invitation")?;
    Ok(if joined {
        Accepted::Joined(user_id)
    } else {
        Accepted::AlreadyMember(user_id)
    })
}

/// Someone without an account accepts: the account is created with the
/// invitation's email, the given name and password hash.
pub async fn accept_new_user(
    db: &mut SqliteConnection,
    invitation: &Invitation,
    name: &str,
    password_hash: &str,
    now: i64,
) -> anyhow::Result<Accepted> {
    let mut tx = db
        .begin()
        .await
        .context("Failed to start accepting an invitation")?;
    if !claim(&mut tx, invitation.id, None, now).await? {
        return Ok(Accepted::NotOpen);
    }
    let inserted = sqlx::query(
        "INSERT INTO users (email, name, password_hash, is_instance_admin) VALUES (?, ?, ?, 0)
         ON CONFLICT(email) DO NOTHING",
    )
    .bind(&invitation.email)
    .bind(name)
    .bind(password_hash)
    .execute(&mut *tx)
    .await
    .context("Failed to create the invited user's account")?;
    if inserted.rows_affected() != 1 {
        // Dropping the transaction rolls the claim back: the link still works after signing in.
        return Ok(Accepted::EmailTaken);
    }
    let user_id = inserted.last_insert_rowid();
    sqlx::query("UPDATE invitations SET accepted_by = ? WHERE id = ?")
        .bind(user_id)
        .bind(invitation.id)
        .execute(&mut *tx)
        .await
        .context("Failed to record who accepted an invitation")?;
    join(&mut tx, invitation, user_id).await?;
    tx.commit()
        .await
        .context("Failed to finish accepting an invitation")?;
    Ok(Accepted::Joined(user_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hashed() {
        let h = hash_token("abc");
        assert_eq!(h.len(), 64);
        assert_ne!(h, hash_token("abd"));
    }
}
