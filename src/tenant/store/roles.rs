//! The `roles` table: named permission sets, per organisation.
//!
//! Every function takes the organisation id, so a role id from another
//! organisation finds nothing.

use anyhow::Context;
use sqlx::FromRow;

use crate::rbac::{BuiltinRole, Permission, PermissionSet};
use sqlx::SqliteConnection;

/// A role as the panel uses it. A built-in role's permissions come from
/// [`BuiltinRole::permissions`], not from the stored copy, so they follow the vocabulary.
#[derive(Debug, Clone)]
pub struct RoleRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub builtin: Option<BuiltinRole>,
    pub permissions: PermissionSet,
}

impl RoleRow {
    pub fn is_builtin(&self) -> bool {
        self.builtin.is_some()
    }

    pub fn is_owner(&self) -> bool {
        self.builtin == Some(BuiltinRole::Owner)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(permission)
    }
}

#[derive(FromRow)]
struct RawRole {
    id: i64,
    org_id: i64,
    name: String,
    builtin: Option<String>,
    permissions: String,
}

impl From<RawRole> for RoleRow {
    fn from(raw: RawRole) -> Self {
        let builtin = raw.builtin.as_deref().and_then(BuiltinRole::from_key);
        let permissions = match builtin {
            Some(role) => role.permissions(),
            None => PermissionSet::from_json(&raw.permissions).unwrap_or_else(|e| {
                tracing::error!(role_id = raw.id, error = %e, "a role's permissions are unreadable; it grants nothing");
                PermissionSet::empty()
            }),
        };
        Self {
            id: raw.id,
            org_id: raw.org_id,
            name: raw.name,
            builtin,
            permissions,
        }
    }
}

/// A role with how many members and pending invitations hold it.
#[derive(Debug, Clone)]
pub struct RoleSummary {
    pub role: RoleRow,
    pub members: i64,
    pub pending_invitations: i64,
}

#[derive(FromRow)]
struct RawSummary {
    #[sqlx(flatten)]
    role: RawRole,
    members: i64,
    pending_invitations: i64,
}

const COLUMNS: &str = "r.id, r.org_id, r.name, r.builtin, r.permissions";

/// The organisation's roles: built-in ones first (Owner to Viewer), then custom ones by name.
pub async fn list(
    db: &mut SqliteConnection,
    org_id: i64,
    now: i64,
) -> anyhow::Result<Vec<RoleSummary>> {
    let rows = sqlx::query_as::<_, RawSummary>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS},
            (SELECT COUNT(*) FROM memberships m WHERE m.org_id = r.org_id AND m.role_id = r.id) AS members,
            (SELECT COUNT(*) FROM invitations i WHERE i.org_id = r.org_id AND i.role_id = r.id
               AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?) AS pending_invitations
         FROM roles r WHERE r.org_id = ?
         ORDER BY CASE r.builtin WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'operator' THEN 2
                  WHEN 'viewer' THEN 3 ELSE 4 END, r.name COLLATE NOCASE"
    )))
    .bind(now)
    .bind(org_id)
    .fetch_all(&mut *db)
    .await
    .context("Failed to list an organisation's roles")?;
    Ok(rows
        .into_iter()
        .map(|r| RoleSummary {
            role: r.role.into(),
            members: r.members,
            pending_invitations: r.pending_invitations,
        })
        .collect())
}

pub async fn by_id(
    db: &mut SqliteConnection,
    org_id: i64,
    role_id: i64,
) -> anyhow::Result<Option<RoleRow>> {
    let raw = sqlx::query_as::<_, RawRole>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roles r WHERE r.org_id = ? AND r.id = ?"
    )))
    .bind(org_id)
    .bind(role_id)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to load a role")?;
    Ok(raw.map(Into::into))
}

/// The role a user holds in an organisation, with when the membership ends
/// and what it is limited to; `None` for a non-member.
pub async fn of_member(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
) -> anyhow::Result<Option<Held>> {
    let raw = sqlx::query_as::<_, RawHeld>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, m.expires_at, m.scope FROM roles r
         JOIN memberships m ON m.role_id = r.id AND m.org_id = r.org_id
         WHERE m.org_id = ? AND m.user_id = ?"
    )))
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to load a member's role")?;
    Ok(raw.map(|held| Held {
        role: held.role.into(),
        expires_at: held.expires_at,
        scope: held.scope,
    }))
}

/// A member's role with the membership's end and scope, as stored.
pub struct Held {
    pub role: RoleRow,
    pub expires_at: Option<i64>,
    pub scope: Option<String>,
}

#[derive(FromRow)]
struct RawHeld {
    #[sqlx(flatten)]
    role: RawRole,
    expires_at: Option<i64>,
    scope: Option<String>,
}

/// Creates a custom role; `Ok(None)` when the organisation already has a role of that name.
pub async fn create(
    db: &mut SqliteConnection,
    org_id: i64,
    name: &str,
    permissions: &PermissionSet,
) -> anyhow::Result<Option<i64>> {
    let result = sqlx::query(
        "INSERT INTO roles (org_id, name, permissions) VALUES (?, ?, ?)
         ON CONFLICT(org_id, name) DO NOTHING",
    )
    .bind(org_id)
    .bind(name)
    .bind(permissions.to_json())
    .execute(&mut *db)
    .await
    .context("Failed to create a role")?;
    Ok((result.rows_affected() == 1).then(|| result.last_insert_rowid()))
}

/// A free name for a copy: "Copy of X", "Copy of X (2)", ...
pub async fn free_copy_name(
    db: &mut SqliteConnection,
    org_id: i64,
    name: &str,
) -> anyhow::Result<String> {
    let base: String = format!("Copy of {name}").chars().take(90).collect();
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base} ({n})")
        };
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM roles WHERE org_id = ? AND name = ?")
                .bind(org_id)
                .bind(&candidate)
                .fetch_optional(&mut *db)
                .await
                .context("Failed to check a role name")?;
        if taken.is_none() {
            return Ok(candidate);
        }
    }
    anyhow::bail!("no free name for a copy of the role {name}")
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated,
    NotFound,
    Builtin,
    NameTaken,
}

/// Renames a custom role and replaces its permissions. Built-in roles are fixed.
pub async fn update(
    db: &mut SqliteConnection,
    org_id: i64,
    role_id: i64,
    name: &str,
    permissions: &PermissionSet,
) -> anyhow::Result<UpdateOutcome> {
    let Some(role) = by_id(&mut *db, org_id, role_id).await? else {
        return Ok(UpdateOutcome::NotFound);
    };
    if role.is_builtin() {
        return Ok(UpdateOutcome::Builtin);
    }
    let clash: Option<i64> =
        sqlx::query_scalar("SELECT id FROM roles WHERE org_id = ? AND name = ? AND id <> ?")
            .bind(org_id)
            .bind(name)
            .bind(role_id)
            .fetch_optional(&mut *db)
            .await
            .context("Failed to check a role name")?;
    if clash.is_some() {
        return Ok(UpdateOutcome::NameTaken);
    }
    let result = sqlx::query(
        "UPDATE roles SET name = ?, permissions = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE org_id = ? AND id = ? AND builtin IS NULL",
    )
    .bind(name)
    .bind(permissions.to_json())
    .bind(org_id)
    .bind(role_id)
    .execute(&mut *db)
    .await
    .context("Failed to update a role")?;
    Ok(if result.rows_affected() == 1 {
        UpdateOutcome::Updated
    } else {
        UpdateOutcome::NotFound
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    NotFound,
    Builtin,
    /// Members or pending invitations hold it.
    InUse,
}

/// Deletes a custom role that no member and no pending invitation holds.
pub async fn delete(
    db: &mut SqliteConnection,
    org_id: i64,
    role_id: i64,
    now: i64,
) -> anyhow::Result<DeleteOutcome> {
    let Some(role) = by_id(&mut *db, org_id, role_id).await? else {
        return Ok(DeleteOutcome::NotFound);
    };
    if role.is_builtin() {
        return Ok(DeleteOutcome::Builtin);
    }
    // One statement, so a member given the role meanwhile keeps it.
    let result = sqlx::query(
        "DELETE FROM roles WHERE org_id = ?1 AND id = ?2 AND builtin IS NULL
           AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = ?1 AND role_id = ?2)
           AND NOT EXISTS (SELECT 1 FROM invitations WHERE org_id = ?1 AND role_id = ?2
                           AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?3)",
    )
    .bind(org_id)
    .bind(role_id)
    .bind(now)
    .execute(&mut *db)
    .await
    .context("Failed to delete a role")?;
    Ok(if result.rows_affected() == 1 {
        DeleteOutcome::Deleted
    } else {
        DeleteOutcome::InUse
    })
}
