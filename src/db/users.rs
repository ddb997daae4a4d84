//! The `users` table: people who sign in to the panel.

use anyhow::Context;
use sqlx::FromRow;

use super::Db;

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

pub async fn by_email(db: &Db, email: &str) -> anyhow::Result<Option<User>> {
    sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE email = ?"
    )))
    .bind(email)
    .fetch_optional(db)
    .await
    .context("Failed to look up a user by email")
}

pub async fn by_id(db: &Db, id: i64) -> anyhow::Result<Option<User>> {
    sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a user")
}

pub async fn all(db: &Db) -> anyhow::Result<Vec<User>> {
    sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users ORDER BY email"
    )))
    .fetch_all(db)
    .await
    .context("Failed to list users")
}

/// Inserts a user; `Ok(None)` when the email is already taken.
pub async fn insert(
    db: &Db,
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

pub async fn set_password(db: &Db, id: i64, password_hash: &str) -> anyhow::Result<()> {
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

pub async fn set_disabled(db: &Db, id: i64, disabled: bool) -> anyhow::Result<()> {
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
