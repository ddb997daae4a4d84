//! The `bulk_runs` and `bulk_items` tables: a bulk action's plan as it was
//! run, and which queued change is each item's. An item's outcome is read
//! from its change's row in `change_queue`, so the run and the queue never
//! disagree.

use anyhow::Context;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

/// A bulk run as the pages show it.
#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    pub id: i64,
    pub org_id: i64,
    pub cloud_account_id: i64,
    pub family: String,
    pub action: String,
    pub requester_id: Option<i64>,
    pub requester_label: String,
    pub selection: String,
    pub schedule_id: Option<i64>,
    pub estimate_secs: i64,
    pub state: String,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
    /// Items whose change still waits or is being sent.
    pub open_items: i64,
    pub total_items: i64,
}

const RUN_COLUMNS: &str = "r.id, r.org_id, r.cloud_account_id, r.family, r.action, r.requester_id, \
     r.requester_label, r.selection, r.schedule_id, r.estimate_secs, r.state, r.created_at, \
     r.cancelled_at, \
     (SELECT COUNT(*) FROM bulk_items i JOIN change_queue q ON q.id = i.queue_id \
      WHERE i.run_id = r.id AND q.state IN ('queued', 'running')) AS open_items, \
     (SELECT COUNT(*) FROM bulk_items i WHERE i.run_id = r.id) AS total_items";

/// One item with its change's state.
#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub position: i64,
    pub target_id: String,
    pub target_name: String,
    pub skipped: Option<String>,
    pub queue_id: Option<i64>,
    /// The change's state in the queue (`queued`, `running`, `succeeded`, …).
    pub state: Option<String>,
    pub error: Option<String>,
}

pub struct NewRun<'a> {
    pub org_id: i64,
    pub cloud_account_id: i64,
    pub family: &'a str,
    pub action: &'a str,
    pub requester_id: Option<i64>,
    pub requester_label: &'a str,
    pub selection: &'a str,
    pub schedule_id: Option<i64>,
    pub estimate_secs: i64,
    pub now: i64,
}

pub async fn insert_run(conn: &mut SqliteConnection, new: NewRun<'_>) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO bulk_runs (org_id, cloud_account_id, family, action, requester_id,
             requester_label, selection, schedule_id, estimate_secs, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?) RETURNING id",
    )
    .bind(new.org_id)
    .bind(new.cloud_account_id)
    .bind(new.family)
    .bind(new.action)
    .bind(new.requester_id)
    .bind(new.requester_label)
    .bind(new.selection)
    .bind(new.schedule_id)
    .bind(new.estimate_secs)
    .bind(new.now)
    .fetch_one(&mut *conn)
    .await
    .context("Failed to store a bulk run")
}

pub struct NewItem<'a> {
    pub run_id: i64,
    pub position: i64,
    pub target_id: &'a str,
    pub target_name: &'a str,
    pub skipped: Option<&'a str>,
    pub queue_id: Option<i64>,
}

pub async fn insert_item(conn: &mut SqliteConnection, item: NewItem<'_>) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO bulk_items (run_id, position, target_id, target_name, skipped, queue_id)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(item.run_id)
    .bind(item.position)
    .bind(item.target_id)
    .bind(item.target_name)
    .bind(item.skipped)
    .bind(item.queue_id)
    .execute(&mut *conn)
    .await
    .context("Failed to store a bulk run's item")?;
    Ok(())
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<RunRow>> {
    sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM bulk_runs r WHERE r.org_id = ? AND r.id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a bulk run")
}

/// The organisation's latest runs, newest first.
pub async fn recent<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<RunRow>> {
    sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM bulk_runs r WHERE r.org_id = ? ORDER BY r.id DESC LIMIT ?"
    )))
    .bind(org_id)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to load the bulk runs")
}

/// A run's items in order, each with its change's state.
pub async fn items<'e>(db: impl SqliteExecutor<'e>, run_id: i64) -> anyhow::Result<Vec<ItemRow>> {
    sqlx::query_as::<_, ItemRow>(
        "SELECT i.position, i.target_id, i.target_name, i.skipped, i.queue_id,
                q.state, q.error
         FROM bulk_items i LEFT JOIN change_queue q ON q.id = i.queue_id
         WHERE i.run_id = ? ORDER BY i.position",
    )
    .bind(run_id)
    .fetch_all(db)
    .await
    .context("Failed to load a bulk run's items")
}

/// Marks a run cancelled; `false` when it already was.
pub async fn cancel(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE bulk_runs SET state = 'cancelled', cancelled_at = ?
         WHERE org_id = ? AND id = ? AND state = 'running'",
    )
    .bind(now)
    .bind(org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("Failed to cancel a bulk run")?;
    Ok(done.rows_affected() == 1)
}

/// An item's change went in the queue as `queue_id`.
pub async fn set_queue_id(
    conn: &mut SqliteConnection,
    run_id: i64,
    position: i64,
    queue_id: i64,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE bulk_items SET queue_id = ? WHERE run_id = ? AND position = ?")
        .bind(queue_id)
        .bind(run_id)
        .bind(position)
        .execute(&mut *conn)
        .await
        .context("Failed to link a bulk item to its change")?;
    Ok(())
}

/// An item could not be queued after all: why.
pub async fn set_skipped(
    conn: &mut SqliteConnection,
    run_id: i64,
    position: i64,
    why: &str,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE bulk_items SET skipped = ? WHERE run_id = ? AND position = ?")
        .bind(why)
        .bind(run_id)
        .bind(position)
        .execute(&mut *conn)
        .await
        .context("Failed to mark a bulk item skipped")?;
    Ok(())
}
