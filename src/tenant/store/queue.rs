//! The `change_queue` table: changes waiting for their cloud account's
//! request budget, and the last ones that finished. Pages reach it by
//! organisation id only; the worker, which acts for every organisation,
//! goes by cloud account. The sealed request never leaves this module
//! except opened, through [`open_request`]. Changes of state run on the
//! connection of an audited change, and each moves only from the state it
//! expects, so a cancel and the worker cannot both win.

use anyhow::Context;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

use crate::audit::AuditCtx;
use crate::cloudpanel::RawWrite;
use crate::crypto::{self, KeyRing, QueueSlot, Sealed};

/// A queued change as pages and the worker see it: no sealed bytes.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedRow {
    pub id: i64,
    pub org_id: i64,
    pub cloud_account_id: i64,
    pub user_id: Option<i64>,
    pub actor_label: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub permission: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    /// Redacted JSON, as the audit log has it.
    pub details: String,
    pub correlation_id: String,
    pub state: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub upstream_status: Option<i64>,
    pub error: Option<String>,
}

impl QueuedRow {
    /// Who asked, as the audit log records them, for the events the worker
    /// writes on their behalf.
    pub fn audit_ctx(&self) -> AuditCtx {
        AuditCtx {
            org_id: Some(self.org_id),
            actor_id: self.user_id,
            actor_label: self.actor_label.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            request_id: self.request_id.clone(),
        }
    }

    pub fn details_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null)
    }
}

const COLUMNS: &str = "id, org_id, cloud_account_id, user_id, actor_label, ip, user_agent, \
     request_id, permission, action, target_kind, target_id, target_name, details, \
     correlation_id, state, created_at, started_at, finished_at, upstream_status, error";

/// The states of a change that has not finished.
pub const WAITING: &str = "('queued', 'running')";

/// A change to put in the queue.
pub struct NewQueued<'a> {
    pub org_id: i64,
    pub cloud_account_id: i64,
    pub ctx: &'a AuditCtx,
    pub permission: &'a str,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub target_name: &'a str,
    /// Already redacted.
    pub details: &'a str,
    pub correlation_id: &'a str,
    pub request: &'a RawWrite,
}

/// Changes of the account not finished yet (waiting or being sent).
pub async fn count_waiting<'e>(
    db: impl SqliteExecutor<'e>,
    cloud_account_id: i64,
) -> anyhow::Result<u32> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM change_queue WHERE cloud_account_id = ? AND state IN {WAITING}"
    )))
    .bind(cloud_account_id)
    .fetch_one(db)
    .await
    .context("Failed to count the waiting changes")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Where a waiting change stands: 1 for the next to run (or the one running).
pub async fn position<'e>(
    db: impl SqliteExecutor<'e>,
    cloud_account_id: i64,
    id: i64,
) -> anyhow::Result<u32> {
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM change_queue \
         WHERE cloud_account_id = ? AND state IN {WAITING} AND id <= ?"
    )))
    .bind(cloud_account_id)
    .bind(id)
    .fetch_one(db)
    .await
    .context("Failed to place a change in its queue")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Stores a change with its request sealed for its own row and organisation.
pub async fn insert(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    new: NewQueued<'_>,
) -> anyhow::Result<i64> {
    let plain = serde_json::to_vec(new.request).context("Failed to encode a queued request")?;
    // The row id is part of the associated data, so the row exists before the request is sealed.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO change_queue
             (org_id, cloud_account_id, user_id, actor_label, ip, user_agent, request_id,
              permission, action, target_kind, target_id, target_name, details, correlation_id,
              request_ciphertext, request_nonce, key_id, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'', x'', '', 'queued', ?)
         RETURNING id",
    )
    .bind(new.org_id)
    .bind(new.cloud_account_id)
    .bind(new.ctx.actor_id)
    .bind(&new.ctx.actor_label)
    .bind(&new.ctx.ip)
    .bind(&new.ctx.user_agent)
    .bind(&new.ctx.request_id)
    .bind(new.permission)
    .bind(new.action)
    .bind(new.target_kind)
    .bind(new.target_id)
    .bind(new.target_name)
    .bind(new.details)
    .bind(new.correlation_id)
    .bind(crate::audit::now_text())
    .fetch_one(&mut *conn)
    .await
    .context("Failed to queue a change")?;
    let sealed = crypto::seal_queued(
        keys.sealing_key(),
        QueueSlot {
            org_id: new.org_id,
            queue_id: id,
        },
        &plain,
    )?;
    sqlx::query(
        "UPDATE change_queue SET request_ciphertext = ?, request_nonce = ?, key_id = ?
         WHERE org_id = ? AND id = ?",
    )
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(new.org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("Failed to store a sealed queued request")?;
    Ok(id)
}

/// Opens the request a queued change waits to send.
pub async fn open_request<'e>(
    db: impl SqliteExecutor<'e>,
    keys: &KeyRing,
    row: &QueuedRow,
) -> anyhow::Result<RawWrite> {
    let (ciphertext, nonce, key_id): (Vec<u8>, Vec<u8>, String) = sqlx::query_as(
        "SELECT request_ciphertext, request_nonce, key_id FROM change_queue
         WHERE org_id = ? AND id = ?",
    )
    .bind(row.org_id)
    .bind(row.id)
    .fetch_one(db)
    .await
    .context("Failed to read a queued request")?;
    let plain = crypto::open_queued(
        keys,
        QueueSlot {
            org_id: row.org_id,
            queue_id: row.id,
        },
        &Sealed {
            ciphertext,
            nonce,
            key_id,
        },
    )?;
    serde_json::from_slice(&plain).context("A queued request is not readable")
}

/// One of the organisation's queued changes.
pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<QueuedRow>> {
    sqlx::query_as::<_, QueuedRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM change_queue WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a queued change")
}

/// The organisation's waiting changes, oldest first.
pub async fn waiting<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
) -> anyhow::Result<Vec<QueuedRow>> {
    sqlx::query_as::<_, QueuedRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM change_queue WHERE org_id = ? AND state IN {WAITING} \
         ORDER BY cloud_account_id, id"
    )))
    .bind(org_id)
    .fetch_all(db)
    .await
    .context("Failed to load the waiting changes")
}

/// The account's last finished changes, newest first.
pub async fn finished<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    cloud_account_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<QueuedRow>> {
    sqlx::query_as::<_, QueuedRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM change_queue \
         WHERE org_id = ? AND cloud_account_id = ? AND state NOT IN {WAITING} \
         ORDER BY id DESC LIMIT ?"
    )))
    .bind(org_id)
    .bind(cloud_account_id)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to load the finished changes")
}

/// Takes a waiting change out of the queue; `false` when it is no longer
/// waiting (the worker started it, or it was cancelled already).
pub async fn cancel(conn: &mut SqliteConnection, org_id: i64, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE change_queue SET state = 'cancelled', finished_at = ?,
             request_ciphertext = x'', request_nonce = x''
         WHERE org_id = ? AND id = ? AND state = 'queued'",
    )
    .bind(crate::audit::now_text())
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await
    .context("Failed to cancel a queued change")?;
    Ok(done.rows_affected() == 1)
}

// The worker's queries: across organisations, by cloud account.

/// The cloud accounts with a change waiting to be sent.
pub async fn accounts_with_queued<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT cloud_account_id FROM change_queue WHERE state = 'queued'
         ORDER BY cloud_account_id",
    )
    .fetch_all(db)
    .await
    .context("Failed to find the queues with waiting changes")
}

/// The account's next change to send: its oldest waiting one.
pub async fn head<'e>(
    db: impl SqliteExecutor<'e>,
    cloud_account_id: i64,
) -> anyhow::Result<Option<QueuedRow>> {
    sqlx::query_as::<_, QueuedRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM change_queue WHERE cloud_account_id = ? AND state = 'queued' \
         ORDER BY id LIMIT 1"
    )))
    .bind(cloud_account_id)
    .fetch_optional(db)
    .await
    .context("Failed to load the next queued change")
}

/// Changes that were being sent when the panel stopped.
pub async fn running<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<QueuedRow>> {
    sqlx::query_as::<_, QueuedRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM change_queue WHERE state = 'running' ORDER BY id"
    )))
    .fetch_all(db)
    .await
    .context("Failed to load the changes left running")
}

/// Marks a waiting change as being sent; `false` when it no longer waits.
pub async fn start(conn: &mut SqliteConnection, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE change_queue SET state = 'running', started_at = ?
         WHERE id = ? AND state = 'queued'",
    )
    .bind(crate::audit::now_text())
    .bind(id)
    .execute(conn)
    .await
    .context("Failed to start a queued change")?;
    Ok(done.rows_affected() == 1)
}

/// Puts a change that was not sent after all (the budget was gone by the
/// time it went) back in line, in its place.
pub async fn requeue<'e>(db: impl SqliteExecutor<'e>, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE change_queue SET state = 'queued', started_at = NULL
         WHERE id = ? AND state = 'running'",
    )
    .bind(id)
    .execute(db)
    .await
    .context("Failed to put a change back in its queue")?;
    Ok(done.rows_affected() == 1)
}

/// How a change ended.
pub struct Finish<'a> {
    pub state: &'a str,
    pub upstream_status: Option<u16>,
    pub error: Option<&'a str>,
    pub target_id: &'a str,
    pub target_name: &'a str,
}

/// Ends a change that is in state `from`; `false` when it is not. The
/// sealed request goes with it: a finished change is never sent, so
/// nothing it carried (a password) is kept longer than needed.
pub async fn finish(
    conn: &mut SqliteConnection,
    id: i64,
    from: &str,
    end: &Finish<'_>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE change_queue SET state = ?, finished_at = ?, upstream_status = ?, error = ?,
             request_ciphertext = x'', request_nonce = x'',
             target_id = CASE WHEN ? = '' THEN target_id ELSE ? END,
             target_name = CASE WHEN ? = '' THEN target_name ELSE ? END
         WHERE id = ? AND state = ?",
    )
    .bind(end.state)
    .bind(crate::audit::now_text())
    .bind(end.upstream_status.map(i64::from))
    .bind(end.error)
    .bind(end.target_id)
    .bind(end.target_id)
    .bind(end.target_name)
    .bind(end.target_name)
    .bind(id)
    .bind(from)
    .execute(conn)
    .await
    .context("Failed to finish a queued change")?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct SealedRequest {
    id: i64,
    org_id: i64,
    request_ciphertext: Vec<u8>,
    request_nonce: Vec<u8>,
    key_id: String,
}

/// Re-seals the requests of the changes still waiting under `new_key`
/// (finished ones keep no request); part of a master key rotation.
pub async fn reseal_waiting(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    new_key: &crypto::MasterKey,
) -> anyhow::Result<usize> {
    let rows = sqlx::query_as::<_, SealedRequest>(sqlx::AssertSqlSafe(format!(
        "SELECT id, org_id, request_ciphertext, request_nonce, key_id FROM change_queue
         WHERE state IN {WAITING} AND key_id <> ? AND length(request_ciphertext) > 0
         ORDER BY id"
    )))
    .bind(new_key.id())
    .fetch_all(&mut *conn)
    .await
    .context("Failed to load the sealed queued requests")?;
    let count = rows.len();
    for SealedRequest {
        id,
        org_id,
        request_ciphertext: ciphertext,
        request_nonce: nonce,
        key_id,
    } in rows
    {
        let slot = QueueSlot {
            org_id,
            queue_id: id,
        };
        let plain = crypto::open_queued(
            keys,
            slot,
            &Sealed {
                ciphertext,
                nonce,
                key_id,
            },
        )?;
        let sealed = crypto::seal_queued(new_key, slot, &plain)?;
        sqlx::query(
            "UPDATE change_queue SET request_ciphertext = ?, request_nonce = ?, key_id = ?
             WHERE id = ?",
        )
        .bind(&sealed.ciphertext)
        .bind(&sealed.nonce)
        .bind(&sealed.key_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("Failed to store a re-sealed queued request")?;
    }
    Ok(count)
}
