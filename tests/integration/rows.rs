//! Reading and arranging an organisation's rows directly in SQL, for tests
//! only: the panel itself reaches them through its tenant handle, whose
//! queries are private. These mirror what the pages would show.

use sqlx::SqlitePool;
use teampanel::config::Secret;
use teampanel::crypto::{KeyRing, Sealed, TokenSlot};
use teampanel::db::orgs::Organisation;
use teampanel::rbac::{BuiltinRole, PermissionSet};
use teampanel::tenant::{CloudAccountRow, Member, RoleRow};

const ACCOUNT_COLUMNS: &str = "id, org_id, name, base_url, token_last4, provider, project_id, location, is_default, \
     verified_at, created_at, updated_at";

fn role_row(row: (i64, i64, String, Option<String>, String)) -> RoleRow {
    let (id, org_id, name, builtin, permissions) = row;
    let builtin = builtin.as_deref().and_then(BuiltinRole::from_key);
    let permissions = match builtin {
        Some(role) => role.permissions(),
        None => PermissionSet::from_json(&permissions).unwrap_or_else(|_| PermissionSet::empty()),
    };
    RoleRow {
        id,
        org_id,
        name,
        builtin,
        permissions,
    }
}

pub async fn builtin_role(
    db: &SqlitePool,
    org_id: i64,
    role: BuiltinRole,
) -> anyhow::Result<Option<RoleRow>> {
    let row = sqlx::query_as(
        "SELECT id, org_id, name, builtin, permissions FROM roles WHERE org_id = ? AND builtin = ?",
    )
    .bind(org_id)
    .bind(role.key())
    .fetch_optional(db)
    .await?;
    Ok(row.map(role_row))
}

pub async fn role(db: &SqlitePool, org_id: i64, id: i64) -> anyhow::Result<Option<RoleRow>> {
    let row = sqlx::query_as(
        "SELECT id, org_id, name, builtin, permissions FROM roles WHERE org_id = ? AND id = ?",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(role_row))
}

pub async fn create_role(
    db: &SqlitePool,
    org_id: i64,
    name: &str,
    permissions: &PermissionSet,
) -> anyhow::Result<Option<i64>> {
    let id = sqlx::query_scalar(
        "INSERT INTO roles (org_id, name, permissions) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(permissions.to_json())
    .fetch_optional(db)
    .await?;
    Ok(id)
}

pub async fn member(db: &SqlitePool, org_id: i64, user_id: i64) -> anyhow::Result<Option<Member>> {
    Ok(sqlx::query_as::<_, Member>(
        "SELECT u.id AS user_id, u.email, u.name, u.disabled, r.id AS role_id, r.name AS role_name,
            r.builtin AS role_builtin, m.created_at AS joined_at, m.expires_at, m.scope
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         JOIN roles r ON r.id = m.role_id AND r.org_id = m.org_id
         WHERE m.org_id = ? AND m.user_id = ?",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?)
}

/// An invitation stored as the members page stores it; returns its id and token.
pub async fn create_invitation(
    db: &SqlitePool,
    org_id: i64,
    email: &str,
    role_id: i64,
    created_by: i64,
    now: i64,
) -> anyhow::Result<(i64, String)> {
    use sha2::Digest;
    let token = format!("test-invitation-{org_id}-{role_id}-{now}-{email}");
    let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    let id = sqlx::query_scalar(
        "INSERT INTO invitations (org_id, email, role_id, token_hash, expires_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(email)
    .bind(role_id)
    .bind(hash)
    .bind(now + 7 * 24 * 3600)
    .bind(created_by)
    .fetch_one(db)
    .await?;
    Ok((id, token))
}

pub async fn accounts(db: &SqlitePool, org_id: i64) -> anyhow::Result<Vec<CloudAccountRow>> {
    Ok(
        sqlx::query_as::<_, CloudAccountRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM cloud_accounts WHERE org_id = ?
         ORDER BY is_default DESC, name COLLATE NOCASE, id"
        )))
        .bind(org_id)
        .fetch_all(db)
        .await?,
    )
}

pub async fn account(
    db: &SqlitePool,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<CloudAccountRow>> {
    Ok(accounts(db, org_id).await?.into_iter().find(|a| a.id == id))
}

pub async fn default_account(
    db: &SqlitePool,
    org_id: i64,
) -> anyhow::Result<Option<CloudAccountRow>> {
    Ok(accounts(db, org_id)
        .await?
        .into_iter()
        .find(|a| a.is_default))
}

/// Opens a stored token as the panel does: with the key ring and the
/// associated data of its own row.
pub async fn open_token(
    db: &SqlitePool,
    keys: &KeyRing,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<Secret>> {
    let row: Option<(Vec<u8>, Vec<u8>, String)> = sqlx::query_as(
        "SELECT token_ciphertext, token_nonce, key_id FROM cloud_accounts
         WHERE org_id = ? AND id = ?",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some((ciphertext, nonce, key_id)) = row else {
        return Ok(None);
    };
    let sealed = Sealed {
        ciphertext,
        nonce,
        key_id,
    };
    let slot = TokenSlot {
        org_id,
        account_id: id,
    };
    teampanel::crypto::open(keys, slot, &sealed).map(Some)
}

/// The key ring a running panel holds.
pub fn keys(app: &crate::helpers::TestApp) -> KeyRing {
    KeyRing::load(&app.state.master_key, &app.settings).expect("the key ring loads")
}

/// An organisation with its built-in roles and `owner` as Owner.
pub async fn create_org(
    db: &SqlitePool,
    name: &str,
    slug: &str,
    owner: i64,
) -> anyhow::Result<Organisation> {
    let mut conn = db.acquire().await?;
    teampanel::db::orgs::create_organisation_with_owner(&mut conn, name, slug, owner).await
}

/// An invitation's email and when it was withdrawn (None: still open).
pub async fn invitation(
    db: &SqlitePool,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<(String, Option<i64>)>> {
    Ok(
        sqlx::query_as("SELECT email, revoked_at FROM invitations WHERE org_id = ? AND id = ?")
            .bind(org_id)
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// The organisation's audit events as (action, outcome, target name), oldest first.
pub async fn audit_events(
    db: &SqlitePool,
    org_id: i64,
) -> anyhow::Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT action, outcome, target_name FROM audit_events WHERE org_id = ? ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?)
}
