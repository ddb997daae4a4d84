//! The `schedules` and `schedule_runs` tables, and an organisation's time
//! zone. A run is claimed by moving `next_run_at` on from the value it was
//! read with, so two workers (or a worker and a restart) never start the
//! same planned run twice.

use anyhow::Context;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

#[derive(Debug, Clone, FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub org_id: i64,
    pub cloud_account_id: i64,
    pub name: String,
    pub action: String,
    pub selection: String,
    pub days: i64,
    pub minute_of_day: i64,
    pub author_id: Option<i64>,
    pub author_label: String,
    pub state: String,
    pub paused_reason: String,
    pub next_run_at: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "id, org_id, cloud_account_id, name, action, selection, days, minute_of_day, \
     author_id, author_label, state, paused_reason, next_run_at, created_at";

#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    pub id: i64,
    pub schedule_id: i64,
    pub planned_at: i64,
    pub outcome: String,
    pub note: String,
    pub bulk_run_id: Option<i64>,
    pub at: i64,
}

pub async fn time_zone<'e>(db: impl SqliteExecutor<'e>, org_id: i64) -> anyhow::Result<String> {
    sqlx::query_scalar("SELECT time_zone FROM organisations WHERE id = ?")
        .bind(org_id)
        .fetch_one(db)
        .await
        .context("Failed to read the organisation's time zone")
}

pub async fn set_time_zone(
    conn: &mut SqliteConnection,
    org_id: i64,
    zone: &str,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE organisations SET time_zone = ? WHERE id = ?")
        .bind(zone)
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("Failed to set the organisation's time zone")?;
    Ok(())
}

pub struct NewSchedule<'a> {
    pub org_id: i64,
    pub cloud_account_id: i64,
    pub name: &'a str,
    pub action: &'a str,
    pub selection: &'a str,
    pub days: i64,
    pub minute_of_day: i64,
    pub author_id: i64,
    pub author_label: &'a str,
    pub next_run_at: i64,
    pub now: i64,
}

pub async fn insert(conn: &mut SqliteConnection, new: NewSchedule<'_>) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO schedules (org_id, cloud_account_id, name, action, selection, days,
             minute_of_day, author_id, author_label, state, next_run_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
    )
    .bind(new.org_id)
    .bind(new.cloud_account_id)
    .bind(new.name)
    .bind(new.action)
    .bind(new.selection)
    .bind(new.days)
    .bind(new.minute_of_day)
    .bind(new.author_id)
    .bind(new.author_label)
    .bind(new.next_run_at)
    .bind(new.now)
    .fetch_one(&mut *conn)
    .await
    .context("Failed to store a schedule")
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<ScheduleRow>> {
    sqlx::query_as::<_, ScheduleRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM schedules WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a schedule")
}

pub async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
) -> anyhow::Result<Vec<ScheduleRow>> {
    sqlx::query_as::<_, ScheduleRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM schedules WHERE org_id = ? ORDER BY id"
    )))
    .bind(org_id)
    .fetch_all(db)
    .await
    .context("Failed to load the schedules")
}

/// Active schedules whose next run is due, in every organisation.
pub async fn due<'e>(db: impl SqliteExecutor<'e>, now: i64) -> anyhow::Result<Vec<ScheduleRow>> {
    sqlx::query_as::<_, ScheduleRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM schedules WHERE state = 'active' AND next_run_at <= ?
         ORDER BY next_run_at, id"
    )))
    .bind(now)
    .fetch_all(db)
    .await
    .context("Failed to load the schedules due")
}

/// Moves the next run from `planned` to `next`; `false` when another
/// worker did first (or the schedule changed meanwhile).
pub async fn claim(
    conn: &mut SqliteConnection,
    id: i64,
    planned: i64,
    next: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE schedules SET next_run_at = ? WHERE id = ? AND next_run_at = ? AND state = 'active'",
    )
    .bind(next)
    .bind(id)
    .bind(planned)
    .execute(&mut *conn)
    .await
    .context("Failed to claim a schedule's run")?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_run(
    conn: &mut SqliteConnection,
    row: &ScheduleRow,
    planned_at: i64,
    outcome: &str,
    note: &str,
    now: i64,
) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO schedule_runs (schedule_id, org_id, planned_at, outcome, note, at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(row.id)
    .bind(row.org_id)
    .bind(planned_at)
    .bind(outcome)
    .bind(note)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .context("Failed to record a schedule's run")
}

pub async fn finish_run(
    conn: &mut SqliteConnection,
    run_id: i64,
    outcome: &str,
    note: &str,
    bulk_run_id: Option<i64>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE schedule_runs SET outcome = ?, note = ?, bulk_run_id = ? WHERE id = ?")
        .bind(outcome)
        .bind(note)
        .bind(bulk_run_id)
        .bind(run_id)
        .execute(&mut *conn)
        .await
        .context("Failed to record a schedule run's outcome")?;
    Ok(())
}

/// A schedule's latest runs, newest first.
pub async fn runs<'e>(
    db: impl SqliteExecutor<'e>,
    schedule_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<RunRow>> {
    sqlx::query_as::<_, RunRow>(
        "SELECT id, schedule_id, planned_at, outcome, note, bulk_run_id, at FROM schedule_runs
         WHERE schedule_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(schedule_id)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to load a schedule's runs")
}

/// Whether the schedule's last bulk run still has changes waiting or
/// being sent: the next one does not start over it.
pub async fn still_running<'e>(
    db: impl SqliteExecutor<'e>,
    schedule_id: i64,
) -> anyhow::Result<bool> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bulk_runs r
         JOIN bulk_items i ON i.run_id = r.id
         JOIN change_queue q ON q.id = i.queue_id
         WHERE r.schedule_id = ? AND q.state IN ('queued', 'running')",
    )
    .bind(schedule_id)
    .fetch_one(db)
    .await
    .context("Failed to check a schedule's last run")?;
    Ok(open > 0)
}

/// Pauses (`reason`) or resumes (with its next run) a schedule.
pub async fn set_state(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    state: &str,
    reason: &str,
    next_run_at: Option<i64>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE schedules SET state = ?, paused_reason = ?,
             next_run_at = COALESCE(?, next_run_at)
         WHERE org_id = ? AND id = ?",
    )
    .bind(state)
    .bind(reason)
    .bind(next_run_at)
    .bind(org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("Failed to change a schedule's state")?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(conn: &mut SqliteConnection, org_id: i64, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM schedules WHERE org_id = ? AND id = ?")
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("Failed to delete a schedule")?;
    Ok(done.rows_affected() == 1)
}
