//! The `approval_kinds` and `approval_requests` tables: which kinds of
//! change an organisation holds for a second member's approval, and the
//! changes held. The sealed request leaves this module only opened, through
//! [`open_request`]. Each change of state moves only from the states it
//! expects, on the connection of an audited change, so two members deciding
//! at once, or a decision and the expiry sweep, cannot both win.

use anyhow::Context;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

use crate::audit::AuditCtx;
use crate::crypto::{self, KeyRing, Sealed};

/// A held change as pages see it: no sealed bytes.
#[derive(Debug, Clone, FromRow)]
pub struct HeldRow {
    pub id: i64,
    pub org_id: i64,
    /// `None` for a change of the panel's own tables about no account.
    pub cloud_account_id: Option<i64>,
    pub kind: String,
    pub requester_id: Option<i64>,
    pub requester_label: String,
    pub permission: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    /// Redacted JSON, as the audit log has it.
    pub details: String,
    pub reason: String,
    pub state: String,
    pub decided_by: Option<i64>,
    pub decided_label: Option<String>,
    pub decided_at: Option<i64>,
    pub note: String,
    pub queue_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl HeldRow {
    pub fn details_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null)
    }

    /// Whether it still waits for its requester (draft) or a decision.
    pub fn is_open(&self) -> bool {
        matches!(self.state.as_str(), "draft" | "pending")
    }
}

const COLUMNS: &str = "id, org_id, cloud_account_id, kind, requester_id, requester_label, \
     permission, action, target_kind, target_id, target_name, details, reason, state, \
     decided_by, decided_label, decided_at, note, queue_id, created_at, expires_at";

/// The kinds of change the organisation holds for approval.
pub async fn kinds<'e>(db: impl SqliteExecutor<'e>, org_id: i64) -> anyhow::Result<Vec<String>> {
    sqlx::query_scalar("SELECT kind FROM approval_kinds WHERE org_id = ? ORDER BY kind")
        .bind(org_id)
        .fetch_all(db)
        .await
        .context("Failed to load the kinds of change held for approval")
}

/// Replaces the kinds of change the organisation holds for approval.
pub async fn set_kinds(
    conn: &mut SqliteConnection,
    org_id: i64,
    kinds: &[&str],
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM approval_kinds WHERE org_id = ?")
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("Failed to clear the kinds held for approval")?;
    for kind in kinds {
        sqlx::query("INSERT INTO approval_kinds (org_id, kind) VALUES (?, ?)")
            .bind(org_id)
            .bind(kind)
            .execute(&mut *conn)
            .await
            .context("Failed to store a kind held for approval")?;
    }
    Ok(())
}

/// A change to hold.
pub struct NewHeld<'a> {
    pub org_id: i64,
    pub cloud_account_id: Option<i64>,
    pub kind: &'a str,
    pub ctx: &'a AuditCtx,
    pub permission: &'a str,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub target_name: &'a str,
    /// Already redacted.
    pub details: &'a str,
    /// What is sealed: the API call, or the panel's own change, as JSON.
    pub request: &'a [u8],
    pub now: i64,
    pub expires_at: i64,
}

/// Holds a change as a draft (its requester has not said why yet).
pub async fn insert(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    new: NewHeld<'_>,
) -> anyhow::Result<i64> {
    // The row id is part of the associated data, so the row exists before the request is sealed.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO approval_requests
             (org_id, cloud_account_id, kind, requester_id, requester_label, permission, action,
              target_kind, target_id, target_name, details, request_ciphertext, request_nonce,
              key_id, state, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'', x'', '', 'draft', ?, ?)
         RETURNING id",
    )
    .bind(new.org_id)
    .bind(new.cloud_account_id)
    .bind(new.kind)
    .bind(new.ctx.actor_id)
    .bind(&new.ctx.actor_label)
    .bind(new.permission)
    .bind(new.action)
    .bind(new.target_kind)
    .bind(new.target_id)
    .bind(new.target_name)
    .bind(new.details)
    .bind(new.now)
    .bind(new.expires_at)
    .fetch_one(&mut *conn)
    .await
    .context("Failed to hold a change for approval")?;
    let sealed = crypto::seal_held(keys.sealing_key(), new.org_id, id, new.request)?;
    sqlx::query(
        "UPDATE approval_requests SET request_ciphertext = ?, request_nonce = ?, key_id = ?
         WHERE org_id = ? AND id = ?",
    )
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(new.org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("Failed to store a sealed held request")?;
    Ok(id)
}

/// Opens what a held change would do: the JSON it was sealed from.
pub async fn open_request<'e>(
    db: impl SqliteExecutor<'e>,
    keys: &KeyRing,
    row: &HeldRow,
) -> anyhow::Result<Vec<u8>> {
    let (ciphertext, nonce, key_id): (Vec<u8>, Vec<u8>, String) = sqlx::query_as(
        "SELECT request_ciphertext, request_nonce, key_id FROM approval_requests
         WHERE org_id = ? AND id = ?",
    )
    .bind(row.org_id)
    .bind(row.id)
    .fetch_one(db)
    .await
    .context("Failed to read a held request")?;
    crypto::open_held(
        keys,
        row.org_id,
        row.id,
        &Sealed {
            ciphertext,
            nonce,
            key_id,
        },
    )
}

/// One of the organisation's held changes.
pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<HeldRow>> {
    sqlx::query_as::<_, HeldRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approval_requests WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a held change")
}

/// The organisation's open held changes, oldest first, then the last
/// `decided` ones, newest first.
pub async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    decided: i64,
) -> anyhow::Result<Vec<HeldRow>> {
    sqlx::query_as::<_, HeldRow>(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM (SELECT {COLUMNS} FROM approval_requests
             WHERE org_id = ?1 AND state IN ('draft', 'pending') ORDER BY id)
         UNION ALL
         SELECT * FROM (SELECT {COLUMNS} FROM approval_requests
             WHERE org_id = ?1 AND state NOT IN ('draft', 'pending') ORDER BY id DESC LIMIT ?2)"
    )))
    .bind(org_id)
    .bind(decided)
    .fetch_all(db)
    .await
    .context("Failed to load the held changes")
}

/// A request waiting for a decision, as the header's badge counts it.
#[derive(Debug, Clone, FromRow)]
pub struct Pending {
    pub kind: String,
    pub requester_id: Option<i64>,
    pub cloud_account_id: Option<i64>,
    pub target_name: String,
}

/// The organisation's changes waiting for a decision.
pub async fn pending<'e>(db: impl SqliteExecutor<'e>, org_id: i64) -> anyhow::Result<Vec<Pending>> {
    sqlx::query_as(
        "SELECT kind, requester_id, cloud_account_id, target_name FROM approval_requests
         WHERE org_id = ? AND state = 'pending' ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(db)
    .await
    .context("Failed to load the changes waiting for approval")
}

/// The requester asks: draft → pending, with the reason and the time limit.
pub async fn ask(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    requester_id: i64,
    reason: &str,
    expires_at: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE approval_requests SET state = 'pending', reason = ?, expires_at = ?
         WHERE org_id = ? AND id = ? AND requester_id = ? AND state = 'draft'",
    )
    .bind(reason)
    .bind(expires_at)
    .bind(org_id)
    .bind(id)
    .bind(requester_id)
    .execute(&mut *conn)
    .await
    .context("Failed to ask for an approval")?;
    Ok(done.rows_affected() == 1)
}

/// A decision: pending → `state` (approved, rejected), by whom, with a note.
pub struct Decision<'a> {
    pub state: &'a str,
    pub by_id: i64,
    pub by_label: &'a str,
    pub note: &'a str,
    pub now: i64,
}

/// Decides a pending change that has not expired; `false` when it is no
/// longer pending (decided, cancelled or expired meanwhile).
pub async fn decide(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    d: Decision<'_>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE approval_requests
         SET state = ?, decided_by = ?, decided_label = ?, note = ?, decided_at = ?
         WHERE org_id = ? AND id = ? AND state = 'pending' AND expires_at > ?",
    )
    .bind(d.state)
    .bind(d.by_id)
    .bind(d.by_label)
    .bind(d.note)
    .bind(d.now)
    .bind(org_id)
    .bind(id)
    .bind(d.now)
    .execute(&mut *conn)
    .await
    .context("Failed to decide on a held change")?;
    Ok(done.rows_affected() == 1)
}

/// The change queue's row of an approved change.
pub async fn set_queue_id(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    queue_id: i64,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE approval_requests SET queue_id = ? WHERE org_id = ? AND id = ?")
        .bind(queue_id)
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("Failed to link a held change to the queue")?;
    Ok(())
}

/// Ends an open change as `state` (cancelled, expired), noting why; `false`
/// when it was no longer open.
pub async fn end(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    state: &str,
    note: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE approval_requests SET state = ?, note = ?, decided_at = ?
         WHERE org_id = ? AND id = ? AND state IN ('draft', 'pending')",
    )
    .bind(state)
    .bind(note)
    .bind(now)
    .bind(org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("Failed to end a held change")?;
    Ok(done.rows_affected() == 1)
}

/// Open changes whose time limit has passed, in every organisation.
pub async fn past_limit<'e>(db: impl SqliteExecutor<'e>, now: i64) -> anyhow::Result<Vec<HeldRow>> {
    sqlx::query_as::<_, HeldRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approval_requests
         WHERE state IN ('draft', 'pending') AND expires_at <= ? ORDER BY id"
    )))
    .bind(now)
    .fetch_all(db)
    .await
    .context("Failed to load the held changes past their time")
}

/// A member's open changes in one organisation.
pub async fn open_of<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    user_id: i64,
) -> anyhow::Result<Vec<HeldRow>> {
    sqlx::query_as::<_, HeldRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approval_requests
         WHERE org_id = ? AND requester_id = ? AND state IN ('draft', 'pending') ORDER BY id"
    )))
    .bind(org_id)
    .bind(user_id)
    .fetch_all(db)
    .await
    .context("Failed to load a member's held changes")
}
