//! The `webhook_endpoints` table: where an organisation's deliveries go,
//! what they subscribe to, and the signing secret, sealed (it is needed in
//! clear to sign, so it cannot be a hash). Every function but the
//! installation-wide ones named so takes the organisation id.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

use crate::config::Secret;
use crate::crypto::{self, KeyRing, MasterKey, Sealed};

/// What every secret starts with, so secret scanners can find a leaked one.
const SECRET_PREFIX: &str = "whsec_";

#[derive(Debug, Clone, FromRow)]
pub struct EndpointRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub url: String,
    pub url_set_by_admin: bool,
    /// JSON array of family keys.
    pub families: String,
    /// JSON array of outcomes.
    pub outcomes: String,
    pub enabled: bool,
    pub after_event_id: i64,
    pub created_label: String,
    pub created_at: i64,
}

const COLUMNS: &str = "id, org_id, name, url, url_set_by_admin, families, outcomes, enabled, \
     after_event_id, created_label, created_at";

/// An endpoint as a form sets it.
pub struct Fields<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub url_set_by_admin: bool,
    pub families: &'a str,
    pub outcomes: &'a str,
    pub enabled: bool,
}

/// A new secret: `whsec_` and 32 random bytes, url-safe base64.
fn generate_secret() -> Secret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

pub async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
) -> anyhow::Result<Vec<EndpointRow>> {
    sqlx::query_as::<_, EndpointRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE org_id = ? ORDER BY name, id"
    )))
    .bind(org_id)
    .fetch_all(db)
    .await
    .context("Failed to list the webhook endpoints")
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<EndpointRow>> {
    sqlx::query_as::<_, EndpointRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a webhook endpoint")
}

/// Stores a new endpoint with a new secret sealed for its own row; returns
/// its id and the secret, once. It receives only events after the newest
/// one now in the log.
pub async fn insert(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    org_id: i64,
    fields: &Fields<'_>,
    created_by: Option<i64>,
    created_label: &str,
    now: i64,
) -> anyhow::Result<(i64, Secret)> {
    // The row id is part of the associated data, so the row exists before the secret is sealed.
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO webhook_endpoints
             (org_id, name, url, url_set_by_admin, families, outcomes, enabled,
              secret_ciphertext, secret_nonce, key_id, after_event_id,
              created_by, created_label, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, x'', x'', '',
                 (SELECT COALESCE(MAX(id), 0) FROM audit_events), ?, ?, ?)
         RETURNING id",
    )
    .bind(org_id)
    .bind(fields.name)
    .bind(fields.url)
    .bind(fields.url_set_by_admin)
    .bind(fields.families)
    .bind(fields.outcomes)
    .bind(fields.enabled)
    .bind(created_by)
    .bind(created_label)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .context("Failed to store a webhook endpoint")?;
    let secret = store_new_secret(conn, keys.sealing_key(), org_id, id).await?;
    Ok((id, secret))
}

/// Seals a new secret for the endpoint and stores it; the old one stops
/// working with the commit.
pub async fn rotate_secret(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Secret> {
    store_new_secret(conn, keys.sealing_key(), org_id, id).await
}

async fn store_new_secret(
    conn: &mut SqliteConnection,
    key: &MasterKey,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Secret> {
    let secret = generate_secret();
    let sealed = crypto::seal_webhook_secret(key, org_id, id, secret.expose())?;
    store_sealed(conn, org_id, id, &sealed).await?;
    Ok(secret)
}

async fn store_sealed(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    sealed: &Sealed,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE webhook_endpoints SET secret_ciphertext = ?, secret_nonce = ?, key_id = ?
         WHERE org_id = ? AND id = ?",
    )
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await
    .context("Failed to store a webhook secret")?;
    Ok(())
}

/// Saves the form's fields; `false` when the endpoint is not the organisation's.
pub async fn update(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    fields: &Fields<'_>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints
         SET name = ?, url = ?, url_set_by_admin = ?, families = ?, outcomes = ?, enabled = ?
         WHERE org_id = ? AND id = ?",
    )
    .bind(fields.name)
    .bind(fields.url)
    .bind(fields.url_set_by_admin)
    .bind(fields.families)
    .bind(fields.outcomes)
    .bind(fields.enabled)
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await
    .context("Failed to save a webhook endpoint")?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the endpoint with its deliveries and their attempts.
pub async fn delete(conn: &mut SqliteConnection, org_id: i64, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = ? AND id = ?")
        .bind(org_id)
        .bind(id)
        .execute(conn)
        .await
        .context("Failed to delete a webhook endpoint")?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct SealedRow {
    id: i64,
    org_id: i64,
    secret_ciphertext: Vec<u8>,
    secret_nonce: Vec<u8>,
    key_id: String,
}

impl SealedRow {
    fn sealed(self) -> Sealed {
        Sealed {
            ciphertext: self.secret_ciphertext,
            nonce: self.secret_nonce,
            key_id: self.key_id,
        }
    }
}

/// The endpoint's secret, opened to sign a delivery.
pub async fn open_secret<'e>(
    db: impl SqliteExecutor<'e>,
    keys: &KeyRing,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<Secret>> {
    let row = sqlx::query_as::<_, SealedRow>(
        "SELECT id, org_id, secret_ciphertext, secret_nonce, key_id FROM webhook_endpoints
         WHERE org_id = ? AND id = ?",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a webhook secret")?;
    row.map(|row| crypto::open_webhook_secret(keys, org_id, id, &row.sealed()))
        .transpose()
}

/// Installation-wide: re-seals every endpoint's secret under `new_key`;
/// part of a master key rotation, run from the command line.
pub async fn reseal_all(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    new_key: &MasterKey,
) -> anyhow::Result<usize> {
    let rows = sqlx::query_as::<_, SealedRow>(
        "SELECT id, org_id, secret_ciphertext, secret_nonce, key_id FROM webhook_endpoints
         WHERE key_id <> ? ORDER BY id",
    )
    .bind(new_key.id())
    .fetch_all(&mut *conn)
    .await
    .context("Failed to load the sealed webhook secrets")?;
    let count = rows.len();
    for row in rows {
        let (org_id, id) = (row.org_id, row.id);
        let secret = crypto::open_webhook_secret(keys, org_id, id, &row.sealed())?;
        let sealed = crypto::seal_webhook_secret(new_key, org_id, id, secret.expose())?;
        store_sealed(conn, org_id, id, &sealed).await?;
    }
    Ok(count)
}

/// Installation-wide, for the worker that routes the audit log: every
/// enabled endpoint, whatever its organisation.
pub async fn all_enabled<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<EndpointRow>> {
    sqlx::query_as::<_, EndpointRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE enabled = 1 ORDER BY id"
    )))
    .fetch_all(db)
    .await
    .context("Failed to list the enabled webhook endpoints")
}
