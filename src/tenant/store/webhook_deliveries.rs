//! The `webhook_deliveries` and `webhook_attempts` tables and the router's
//! cursor. A delivery is one audit event for one endpoint (unique, so a
//! restart never makes a second); each try to post it is an attempt. The
//! page's functions take the organisation id; the worker's, named so, reach
//! every organisation's, as the panel's own bookkeeping.

use anyhow::Context;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub org_id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    pub action: String,
    pub public_id: String,
    pub state: String,
    pub attempts: i64,
    /// Unix milliseconds.
    pub next_attempt_at: i64,
    pub first_attempt_at: Option<i64>,
    pub by_hand: bool,
    pub created_at: i64,
}

const COLUMNS: &str = "id, org_id, endpoint_id, event_id, action, public_id, state, attempts, \
     next_attempt_at, first_attempt_at, by_hand, created_at";

#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub result: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub by_hand: bool,
}

/// The endpoint's latest deliveries, newest first.
pub async fn latest<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    endpoint_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<DeliveryRow>> {
    sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE org_id = ? AND endpoint_id = ?
         ORDER BY id DESC LIMIT ?"
    )))
    .bind(org_id)
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to list the webhook deliveries")
}

/// The attempts of the endpoint's deliveries from `from_id` on, oldest first.
pub async fn attempts_since<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    endpoint_id: i64,
    from_id: i64,
) -> anyhow::Result<Vec<AttemptRow>> {
    sqlx::query_as::<_, AttemptRow>(
        "SELECT a.id, a.delivery_id, a.at, a.result, a.http_status, a.error, a.duration_ms,
                a.by_hand
         FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
         WHERE d.org_id = ? AND d.endpoint_id = ? AND d.id >= ?
         ORDER BY a.id",
    )
    .bind(org_id)
    .bind(endpoint_id)
    .bind(from_id)
    .fetch_all(db)
    .await
    .context("Failed to list the webhook attempts")
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<DeliveryRow>> {
    sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a webhook delivery")
}

/// Makes a delivery due now for one attempt by hand; `false` when it is
/// not the organisation's or an attempt is under way.
pub async fn redeliver(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    now_ms: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, by_hand = 1
         WHERE org_id = ? AND id = ? AND state <> 'sending'",
    )
    .bind(now_ms)
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await
    .context("Failed to ask for a redelivery")?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------
// The worker's: every organisation's.

/// The last audit event routed.
pub async fn cursor<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<i64> {
    sqlx::query_scalar::<_, i64>("SELECT last_event_id FROM webhook_cursor WHERE id = 1")
        .fetch_optional(db)
        .await
        .context("Failed to read the webhook cursor")
        .map(Option::unwrap_or_default)
}

/// Moves the cursor from `from` to `to`; `false` when another router moved it first.
pub async fn move_cursor(conn: &mut SqliteConnection, from: i64, to: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO webhook_cursor (id, last_event_id) VALUES (1, ?2)
         ON CONFLICT (id) DO UPDATE SET last_event_id = ?2 WHERE last_event_id = ?1",
    )
    .bind(from)
    .bind(to)
    .execute(conn)
    .await
    .context("Failed to move the webhook cursor")?;
    Ok(done.rows_affected() == 1)
}

/// A delivery the router makes.
pub struct NewDelivery<'a> {
    pub org_id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    pub action: &'a str,
    pub public_id: &'a str,
    pub now_ms: i64,
}

/// Stores a delivery, due now, unless the endpoint has this event already.
pub async fn insert(conn: &mut SqliteConnection, new: &NewDelivery<'_>) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries
             (org_id, endpoint_id, event_id, action, public_id, state, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT (endpoint_id, event_id) DO NOTHING",
    )
    .bind(new.org_id)
    .bind(new.endpoint_id)
    .bind(new.event_id)
    .bind(new.action)
    .bind(new.public_id)
    .bind(new.now_ms)
    .bind(new.now_ms / 1000)
    .execute(conn)
    .await
    .context("Failed to store a webhook delivery")?;
    Ok(done.rows_affected() == 1)
}

/// The longest due delivery of each endpoint with one due by `now_ms`,
/// the longest due first: a busy endpoint's backlog never hides another's.
pub async fn due<'e>(
    db: impl SqliteExecutor<'e>,
    now_ms: i64,
    limit: i64,
) -> anyhow::Result<Vec<DeliveryRow>> {
    sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM (
             SELECT *, ROW_NUMBER() OVER (
                 PARTITION BY endpoint_id ORDER BY next_attempt_at, id) AS place
             FROM webhook_deliveries
             WHERE state = 'pending' AND next_attempt_at <= ?)
         WHERE place = 1
         ORDER BY next_attempt_at, id LIMIT ?"
    )))
    .bind(now_ms)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to list the due webhook deliveries")
}

/// Marks a due delivery `sending` before its call, so a panel stopped
/// mid-call finds it at the next start; `false` when it is no longer due.
pub async fn claim(conn: &mut SqliteConnection, id: i64, now_ms: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries
         SET state = 'sending', attempts = attempts + 1,
             first_attempt_at = COALESCE(first_attempt_at, ?)
         WHERE id = ? AND state = 'pending'",
    )
    .bind(now_ms)
    .bind(id)
    .execute(conn)
    .await
    .context("Failed to claim a webhook delivery")?;
    Ok(done.rows_affected() == 1)
}

/// Every delivery left `sending`: at start-up, those the panel stopped in.
pub async fn sending<'e>(db: impl SqliteExecutor<'e>) -> anyhow::Result<Vec<DeliveryRow>> {
    sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_deliveries WHERE state = 'sending' ORDER BY id"
    )))
    .fetch_all(db)
    .await
    .context("Failed to list the webhook deliveries under way")
}

/// What an attempt came to.
pub struct NewAttempt<'a> {
    pub at_ms: i64,
    pub result: &'a str,
    pub http_status: Option<u16>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
    pub by_hand: bool,
}

/// Records an attempt and the delivery's next state: `pending` again at
/// `next_ms`, or `delivered` / `failed` for good.
pub async fn finish(
    conn: &mut SqliteConnection,
    id: i64,
    attempt: &NewAttempt<'_>,
    state: &str,
    next_ms: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO webhook_attempts
             (delivery_id, at, result, http_status, error, duration_ms, by_hand)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(attempt.at_ms)
    .bind(attempt.result)
    .bind(attempt.http_status)
    .bind(attempt.error)
    .bind(attempt.duration_ms)
    .bind(attempt.by_hand)
    .execute(&mut *conn)
    .await
    .context("Failed to record a webhook attempt")?;
    sqlx::query(
        "UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, by_hand = 0 WHERE id = ?",
    )
    .bind(state)
    .bind(next_ms)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("Failed to update a webhook delivery")?;
    Ok(())
}

/// Removes the deliveries that ended (delivered, or failed for good) and
/// were made before `before` (Unix seconds), with their attempts (by the
/// cascade), across every organisation: the panel's own bookkeeping.
/// Returns how many went.
pub async fn prune_finished(conn: &mut SqliteConnection, before: i64) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM webhook_deliveries
         WHERE state IN ('delivered', 'failed') AND created_at < ?",
    )
    .bind(before)
    .execute(conn)
    .await
    .context("Failed to remove old webhook deliveries")?;
    Ok(done.rows_affected())
}
