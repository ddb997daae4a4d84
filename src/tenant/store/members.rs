//! The `memberships` table: who belongs to which organisation, with which role.
//!
//! Every function takes the organisation id. Changes that could leave an
//! organisation without an Owner are refused inside the SQL statement itself,
//! so two concurrent demotions cannot both pass.

use anyhow::Context;
use sqlx::FromRow;

use sqlx::SqliteConnection;

#[derive(Debug, Clone, FromRow)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    pub role_id: i64,
    pub role_name: String,
    pub role_builtin: Option<String>,
    pub joined_at: String,
    /// When the membership ends (Unix seconds); `None`: never.
    pub expires_at: Option<i64>,
    /// What the role is limited to, as stored (see [`crate::cloudpanel::Scope`]);
    /// `None`: the whole organisation.
    pub scope: Option<String>,
}

impl Member {
    pub fn is_owner(&self) -> bool {
        self.role_builtin.as_deref() == Some("owner")
    }
}

const SELECT: &str =
    "SELECT u.id AS user_id, u.email, u.name, u.disabled, r.id AS role_id, r.name AS role_name,
        r.builtin AS role_builtin, m.created_at AS joined_at, m.expires_at, m.scope
     FROM memberships m
     JOIN users u ON u.id = m.user_id
     JOIN roles r ON r.id = m.role_id AND r.org_id = m.org_id";

pub async fn list(db: &mut SqliteConnection, org_id: i64) -> anyhow::Result<Vec<Member>> {
    sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE m.org_id = ? ORDER BY u.name COLLATE NOCASE, u.email"
    )))
    .bind(org_id)
    .fetch_all(&mut *db)
    .await
    .context("Failed to list an organisation's members")
}

pub async fn get(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
) -> anyhow::Result<Option<Member>> {
    sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE m.org_id = ? AND m.user_id = ?"
    )))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to load a member")
}

pub async fn by_email(
    db: &mut SqliteConnection,
    org_id: i64,
    email: &str,
) -> anyhow::Result<Option<Member>> {
    sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE m.org_id = ? AND u.email = ?"
    )))
    .bind(org_id)
    .bind(email)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to look up a member by email")
}

#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    Done,
    NotFound,
    /// The organisation would have no Owner left.
    LastOwner,
}

/// Only counts as "the last Owner" when the member holds the Owner role and
/// no one else holds it for good (an Owner whose access ends does not keep
/// the organisation owned).
const IS_LAST_OWNER: &str =
    "(m0.role_id = (SELECT id FROM roles WHERE org_id = ?1 AND builtin = 'owner')
      AND NOT EXISTS (SELECT 1 FROM memberships m1 WHERE m1.org_id = ?1 AND m1.role_id = m0.role_id
                      AND m1.user_id != m0.user_id AND m1.expires_at IS NULL))";

/// Gives a member another role of the same organisation.
pub async fn set_role(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
    role_id: i64,
) -> anyhow::Result<Change> {
    let result = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE memberships AS m0 SET role_id = ?3,
             -- An Owner's role is never limited (see `set_scope`).
             scope = CASE WHEN EXISTS (SELECT 1 FROM roles
                 WHERE org_id = ?1 AND id = ?3 AND builtin = 'owner') THEN NULL ELSE m0.scope END
         WHERE m0.org_id = ?1 AND m0.user_id = ?2
           AND EXISTS (SELECT 1 FROM roles WHERE org_id = ?1 AND id = ?3)
           AND (m0.role_id = ?3 OR NOT {IS_LAST_OWNER})"
    )))
    .bind(org_id)
    .bind(user_id)
    .bind(role_id)
    .execute(&mut *db)
    .await
    .context("Failed to change a member's role")?;
    if result.rows_affected() == 1 {
        return Ok(Change::Done);
    }
    why_not(&mut *db, org_id, user_id).await
}

/// Removes a member from an organisation (their account stays).
pub async fn remove(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
) -> anyhow::Result<Change> {
    let result = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM memberships AS m0
         WHERE m0.org_id = ?1 AND m0.user_id = ?2 AND NOT {IS_LAST_OWNER}"
    )))
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *db)
    .await
    .context("Failed to remove a member")?;
    if result.rows_affected() == 1 {
        return Ok(Change::Done);
    }
    why_not(&mut *db, org_id, user_id).await
}

/// Sets when a membership ends (`None`: never). The last Owner's never
/// ends: an organisation always keeps an Owner for good.
pub async fn set_expiry(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
    expires_at: Option<i64>,
) -> anyhow::Result<Change> {
    let result = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE memberships AS m0 SET expires_at = ?3
         WHERE m0.org_id = ?1 AND m0.user_id = ?2 AND (?3 IS NULL OR NOT {IS_LAST_OWNER})"
    )))
    .bind(org_id)
    .bind(user_id)
    .bind(expires_at)
    .execute(&mut *db)
    .await
    .context("Failed to set when a membership ends")?;
    if result.rows_affected() == 1 {
        return Ok(Change::Done);
    }
    why_not(&mut *db, org_id, user_id).await
}

/// Sets what a member's role is limited to (`None`: nothing). An Owner's
/// role is never limited: an organisation keeps someone who sees all of it.
pub async fn set_scope(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
    scope: Option<&str>,
) -> anyhow::Result<Change> {
    let result = sqlx::query(
        "UPDATE memberships SET scope = ?3
         WHERE org_id = ?1 AND user_id = ?2 AND (?3 IS NULL OR NOT EXISTS (
             SELECT 1 FROM roles r WHERE r.id = memberships.role_id AND r.builtin = 'owner'))",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(scope)
    .execute(&mut *db)
    .await
    .context("Failed to set a member's scope")?;
    if result.rows_affected() == 1 {
        return Ok(Change::Done);
    }
    why_not(&mut *db, org_id, user_id).await
}

/// A membership whose end has passed, for the sweep that removes it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ended {
    pub org_id: i64,
    pub user_id: i64,
    pub email: String,
    pub role_name: String,
    pub expires_at: i64,
}

/// Every membership whose end is at or before `now`, in every organisation.
pub async fn ended(db: &mut SqliteConnection, now: i64) -> anyhow::Result<Vec<Ended>> {
    sqlx::query_as::<_, Ended>(
        "SELECT m.org_id, m.user_id, u.email, r.name AS role_name, m.expires_at
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         JOIN roles r ON r.id = m.role_id AND r.org_id = m.org_id
         WHERE m.expires_at IS NOT NULL AND m.expires_at <= ?",
    )
    .bind(now)
    .fetch_all(&mut *db)
    .await
    .context("Failed to find ended memberships")
}

/// Removes an ended membership; `false` when it is gone or was extended meanwhile.
pub async fn remove_ended(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "DELETE FROM memberships WHERE org_id = ? AND user_id = ? AND expires_at IS NOT NULL AND expires_at <= ?",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *db)
    .await
    .context("Failed to remove an ended membership")?;
    Ok(result.rows_affected() == 1)
}

async fn why_not(db: &mut SqliteConnection, org_id: i64, user_id: i64) -> anyhow::Result<Change> {
    Ok(match get(&mut *db, org_id, user_id).await? {
        Some(member) if member.is_owner() => Change::LastOwner,
        _ => Change::NotFound,
    })
}
