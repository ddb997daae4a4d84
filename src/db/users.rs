//! The `users` table: people who sign in to the panel.

use anyhow::Context;
use sqlx::{FromRow, SqliteExecutor};

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_instance_admin: bool,
    pub disabled: bool,
    pub created_at: String,
}

const COLUMNS: &str = "id, email, name, password_hash, is_instance_admin, disabled, created_at";

pub async fn by_email<'e>(
    db: impl SqliteExecutor<'e>,
    email: &str,
) -> anyhow::Result<Option<User>> {
    sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE email = ?"
    )))
    .bind(email)
    .fetch_optional(db)
    .await
    .context("Failed to look up a user by email")
}

pub async fn by_id<'e>(db: impl SqliteExecutor<'e>, id: i64) -> anyhow::Result<Option<User>> {
    sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a user")
}

pub async fn all<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<User>> {
    sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users ORDER BY email"
    )))
    .fetch_all(db)
    .await
    .context("Failed to list users")
}

/// Inserts a user; `Ok(None)` when the email is already taken.
pub async fn insert<'e>(
    db: impl SqliteExecutor<'e>,
    email: &str,
    name: &str,
    password_hash: &str,
    is_instance_admin: bool,
) -> anyhow::Result<Option<i64>> {
    let result = sqlx::query(
        "INSERT INTO users (email, name, password_hash, is_instance_admin) VALUES (?, ?, ?, ?)
         ON CONFLICT(email) DO NOTHING",
    )
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(is_instance_admin)
    .execute(db)
    .await
    .context("Failed to create a user")?;
    Ok((result.rows_affected() == 1).then(|| result.last_insert_rowid()))
}

pub async fn set_password<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    password_hash: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE users SET password_hash = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
    )
    .bind(password_hash)
    .bind(id)
    .execute(db)
    .await
    .context("Failed to store a new password")?;
    Ok(())
}

pub async fn set_disabled<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    disabled: bool,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE users SET disabled = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
    )
    .bind(disabled)
    .bind(id)
    .execute(db)
    .await
    .context("Failed to change whether a user is disabled")?;
    Ok(())
}

// Across organisations: for the instance admin's user list.

/// The organisations in which this user is the only Owner: deleting the user
/// would leave them without one.
pub async fn orgs_where_last_owner<'e>(
    db: impl SqliteExecutor<'e>,
    user_id: i64,
) -> anyhow::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT o.name FROM memberships m
         JOIN roles r ON r.id = m.role_id AND r.builtin = 'owner'
         JOIN organisations o ON o.id = m.org_id
         WHERE m.user_id = ?
           AND (SELECT COUNT(*) FROM memberships m1 WHERE m1.org_id = m.org_id AND m1.role_id = m.role_id) <= 1
         ORDER BY o.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .context("Failed to check which organisations a user owns alone")
}

/// Changes a user's display name.
pub async fn rename_user<'e>(
    db: impl SqliteExecutor<'e>,
    user_id: i64,
    name: &str,
) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE users SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
    )
    .bind(name)
    .bind(user_id)
    .execute(db)
    .await
    .context("Failed to rename a user")?;
    Ok(result.rows_affected() == 1)
}

/// Deletes a user; their memberships and sessions go with them.
pub async fn delete_user<'e>(db: impl SqliteExecutor<'e>, user_id: i64) -> anyhow::Result<bool> {
    let result = sqlx::query("DELETE FROM users WHERE id = ?")
        .bind(user_id)
        .execute(db)
        .await
        .context("Failed to delete a user")?;
    Ok(result.rows_affected() == 1)
}

/// How many organisations each user belongs to, for the admin's user list.
pub async fn membership_counts<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<(i64, i64)>> {
    sqlx::query_as::<_, (i64, i64)>("SELECT user_id, COUNT(*) FROM memberships GROUP BY user_id")
        .fetch_all(db)
        .await
        .context("Failed to count memberships")
}
