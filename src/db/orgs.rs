//! The `organisations` table: tenants, each under `/o/{slug}/`.

use anyhow::Context;
use sqlx::FromRow;

use sqlx::{SqliteConnection, SqliteExecutor};

use crate::domain::{OrgSlug, parse_display_name};
use crate::rbac::BuiltinRole;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// An organisation as the instance admin's list shows it.
#[derive(Debug, Clone, FromRow)]
pub struct OrgSummary {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub members: i64,
    pub created_at: String,
}

pub async fn by_slug<'e>(
    db: impl SqliteExecutor<'e>,
    slug: &str,
) -> anyhow::Result<Option<Organisation>> {
    sqlx::query_as::<_, Organisation>("SELECT id, slug, name FROM organisations WHERE slug = ?")
        .bind(slug)
        .fetch_optional(db)
        .await
        .context("Failed to look up an organisation by its address")
}

pub async fn by_id<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
) -> anyhow::Result<Option<Organisation>> {
    sqlx::query_as::<_, Organisation>("SELECT id, slug, name FROM organisations WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
        .context("Failed to load an organisation")
}

/// Every organisation, for the instance admin.
pub async fn all<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<OrgSummary>> {
    sqlx::query_as::<_, OrgSummary>(
        "SELECT o.id, o.slug, o.name, o.created_at,
                (SELECT COUNT(*) FROM memberships m WHERE m.org_id = o.id) AS members
         FROM organisations o ORDER BY o.name COLLATE NOCASE, o.slug",
    )
    .fetch_all(db)
    .await
    .context("Failed to list organisations")
}

/// The organisations a user belongs to, for the switcher.
pub async fn for_user<'e>(
    db: impl SqliteExecutor<'e>,
    user_id: i64,
) -> anyhow::Result<Vec<Organisation>> {
    sqlx::query_as::<_, Organisation>(
        "SELECT o.id, o.slug, o.name FROM organisations o
         JOIN memberships m ON m.org_id = o.id
         WHERE m.user_id = ? ORDER BY o.name COLLATE NOCASE, o.slug",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .context("Failed to list a user's organisations")
}

/// Creates an organisation with its built-in roles and makes `owner_user_id`
/// its Owner, in one transaction; `Ok(None)` when the slug is taken.
pub async fn create(
    db: &mut SqliteConnection,
    name: &str,
    slug: &OrgSlug,
    owner_user_id: i64,
) -> anyhow::Result<Option<Organisation>> {
    let inserted = sqlx::query(
        "INSERT INTO organisations (slug, name) VALUES (?, ?) ON CONFLICT(slug) DO NOTHING",
    )
    .bind(slug.as_str())
    .bind(name)
    .execute(&mut *db)
    .await
    .context("Failed to create an organisation")?;
    if inserted.rows_affected() != 1 {
        return Ok(None);
    }
    let org_id = inserted.last_insert_rowid();
    let mut owner_role = 0;
    for role in BuiltinRole::ALL {
        let id = sqlx::query(
            "INSERT INTO roles (org_id, name, builtin, permissions) VALUES (?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(role.name())
        .bind(role.key())
        .bind(role.permissions().to_json())
        .execute(&mut *db)
        .await
        .context("Failed to create an organisation's built-in roles")?
        .last_insert_rowid();
        if role == BuiltinRole::Owner {
            owner_role = id;
        }
    }
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(owner_user_id)
        .bind(org_id)
        .bind(owner_role)
        .execute(&mut *db)
        .await
        .context("Failed to make the new organisation's owner a member")?;
    Ok(Some(Organisation {
        id: org_id,
        slug: slug.as_str().to_owned(),
        name: name.to_owned(),
    }))
}

/// For the command line and the demo: creates an organisation with its
/// built-in roles and `owner_user_id` as its Owner.
pub async fn create_organisation_with_owner(
    db: &mut SqliteConnection,
    name: &str,
    slug: &str,
    owner_user_id: i64,
) -> anyhow::Result<Organisation> {
    let slug = OrgSlug::parse(slug).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = parse_display_name(name, "name").map_err(|e| anyhow::anyhow!("{e}"))?;
    create(db, &name, &slug, owner_user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the address `{}` is taken", slug.as_str()))
}

pub async fn rename<'e>(db: impl SqliteExecutor<'e>, id: i64, name: &str) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE organisations SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
    )
    .bind(name)
    .bind(id)
    .execute(db)
    .await
    .context("Failed to rename an organisation")?;
    Ok(result.rows_affected() == 1)
}

/// Deletes an organisation with its roles, members and invitations.
pub async fn delete<'e>(db: impl SqliteExecutor<'e>, id: i64) -> anyhow::Result<bool> {
    let result = sqlx::query("DELETE FROM organisations WHERE id = ?")
        .bind(id)
        .execute(db)
        .await
        .context("Failed to delete an organisation")?;
    Ok(result.rows_affected() == 1)
}
