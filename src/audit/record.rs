//! Writing events: a local change committed with its event, an event on its
//! own, and a remote change's `requested` event and outcome. Every write goes
//! through `append`, which links the event to the chain under one lock.

use anyhow::Context;
use sqlx::SqliteConnection;

use super::chain::{AuditRow, COLUMNS, GENESIS_HASH};
use super::redact::redact;
use super::{AuditCtx, NewEvent, Outcome, clip, clip_opt};
use crate::db::Db;

/// The current instant in the stored format (fixed width, UTC, milliseconds).
pub fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Serialises appends in this process; `BEGIN IMMEDIATE` does it across
/// processes. Two events never claim the same predecessor.
static APPEND: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A change to the panel's own tables, open in a write transaction. It only
/// commits together with its audit event ([`LocalChange::commit`]); dropped
/// without that, it rolls back, so a change never outlives a missing event.
pub struct LocalChange {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    // Held until the commit: the event's predecessor cannot change meanwhile.
    _append: tokio::sync::MutexGuard<'static, ()>,
}

impl LocalChange {
    /// Starts a write transaction (other writers wait for it).
    pub async fn begin(db: &Db) -> anyhow::Result<Self> {
        let append = APPEND.lock().await;
        let tx = db
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("Failed to start a change")?;
        Ok(Self {
            tx,
            _append: append,
        })
    }

    /// The connection the change's statements run on.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Appends an event of the same change before its last (a decision
    /// that also puts a change in the queue records both): they commit, or
    /// roll back, together.
    pub async fn also(&mut self, ctx: &AuditCtx, event: NewEvent) -> anyhow::Result<()> {
        log_event(ctx, &event);
        append(&mut self.tx, ctx, event).await
    }

    /// Appends the event and commits the change with it.
    pub async fn commit(mut self, ctx: &AuditCtx, event: NewEvent) -> anyhow::Result<()> {
        log_event(ctx, &event);
        append(&mut self.tx, ctx, event).await?;
        self.tx
            .commit()
            .await
            .context("Failed to commit a change with its audit event")?;
        // Before the answer goes out, not when the connection is back in the pool.
        crate::db::cache::committed();
        Ok(())
    }
}

fn log_event(ctx: &AuditCtx, event: &NewEvent) {
    tracing::info!(
        target: "audit",
        action = %event.action,
        actor = %ctx.actor_label,
        org_id = ctx.org_id,
        target_kind = %event.target_kind,
        target_id = %event.target_id,
        outcome = event.outcome.as_str(),
    );
}

/// Appends one event that changes nothing by itself (a refusal, a failed
/// attempt, a sign-in). The caller decides whether it may go on without it.
pub async fn record(db: &Db, ctx: &AuditCtx, event: NewEvent) -> anyhow::Result<()> {
    LocalChange::begin(db).await?.commit(ctx, event).await
}

/// Writes the event as the chain's next link, inside the caller's transaction.
async fn append(
    conn: &mut SqliteConnection,
    ctx: &AuditCtx,
    event: NewEvent,
) -> anyhow::Result<()> {
    let details = serde_json::to_string(&redact(event.details))
        .context("Failed to serialise the audit details")?;
    let mut row = AuditRow {
        id: 0,
        at: String::new(),
        org_id: ctx.org_id,
        actor_id: ctx.actor_id,
        actor_label: clip(&ctx.actor_label, 254),
        ip: clip_opt(ctx.ip.as_deref(), 64),
        user_agent: clip_opt(ctx.user_agent.as_deref(), 200),
        request_id: clip_opt(ctx.request_id.as_deref(), 64),
        action: clip(&event.action, 100),
        target_kind: clip(&event.target_kind, 100),
        target_id: clip(&event.target_id, 200),
        target_name: clip(&event.target_name, 200),
        cloud_account_id: event.cloud_account_id,
        details,
        outcome: event.outcome.as_str().to_owned(),
        upstream_status: event.upstream_status.map(i64::from),
        error: clip_opt(event.error.as_deref(), 1000),
        correlation_id: clip_opt(event.correlation_id.as_deref(), 64),
        prev_hash: String::new(),
        hash: String::new(),
    };
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await
            .context("Failed to read the last audit event")?;
    let (last_id, prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    row.id = last_id + 1;
    row.at = now_text();
    row.prev_hash = prev_hash;
    row.hash = row.compute_hash();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO audit_events ({COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )))
    .bind(row.id)
    .bind(&row.at)
    .bind(row.org_id)
    .bind(row.actor_id)
    .bind(&row.actor_label)
    .bind(&row.ip)
    .bind(&row.user_agent)
    .bind(&row.request_id)
    .bind(&row.action)
    .bind(&row.target_kind)
    .bind(&row.target_id)
    .bind(&row.target_name)
    .bind(row.cloud_account_id)
    .bind(&row.details)
    .bind(&row.outcome)
    .bind(row.upstream_status)
    .bind(&row.error)
    .bind(&row.correlation_id)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await
    .context("Failed to store an audit event")?;
    crate::metrics::audit_event_written();
    Ok(())
}

/// A remote change in flight: its `requested` event is on record.
pub struct Change {
    db: Db,
    ctx: AuditCtx,
    event: NewEvent,
}

/// Records the `requested` event of a remote change; nothing may go upstream
/// unless this succeeded.
pub async fn begin(db: &Db, ctx: &AuditCtx, mut event: NewEvent) -> anyhow::Result<Change> {
    use rand::Rng;
    event.outcome = Outcome::Requested;
    event.correlation_id = Some(format!("{:032x}", rand::rng().random::<u128>()));
    record(db, ctx, event.clone()).await?;
    Ok(Change {
        db: db.clone(),
        ctx: ctx.clone(),
        event,
    })
}

impl Change {
    /// Records the outcome, with the correlation id of the request.
    pub async fn finish(
        self,
        outcome: Outcome,
        upstream_status: Option<u16>,
        error: Option<String>,
    ) -> anyhow::Result<()> {
        let mut event = self.event;
        event.outcome = outcome;
        event.upstream_status = upstream_status;
        event.error = error;
        record(&self.db, &self.ctx, event).await
    }

    /// Records the outcome naming the target as the API's answer named it
    /// (the request may only have known its id), or another target
    /// altogether (a clone's outcome names the copy).
    pub async fn finish_with_target(
        mut self,
        outcome: Outcome,
        target: Option<(&str, &str)>,
    ) -> anyhow::Result<()> {
        if let Some((id, name)) = target {
            if !id.is_empty() {
                self.event.target_id = id.to_owned();
            }
            if !name.is_empty() {
                self.event.target_name = name.to_owned();
            }
        }
        self.finish(outcome, None, None).await
    }

    /// The correlation id shared by the request and its outcome.
    pub fn correlation_id(&self) -> &str {
        self.event.correlation_id.as_deref().unwrap_or_default()
    }

    /// The `requested` event, for a later outcome written elsewhere (the
    /// change queue records `queued` with the row it inserts).
    pub fn event(&self) -> &NewEvent {
        &self.event
    }

    /// Who asked, and from where.
    pub fn ctx(&self) -> &AuditCtx {
        &self.ctx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testing::{ctx, test_db};
    use crate::audit::{Filter, Scope, search};

    #[tokio::test]
    async fn begin_and_finish_share_a_correlation_id() {
        let (_dir, db) = test_db().await;
        let change = begin(
            &db,
            &ctx(Some(3), "ada"),
            NewEvent::new("server.power_off", Outcome::Requested).cloud_account(9),
        )
        .await
        .unwrap();
        change
            .finish(Outcome::Failed, Some(503), Some("unavailable".into()))
            .await
            .unwrap();
        let (rows, total) = search(&db, Scope::Organisation(3), &Filter::default(), 0, 10)
            .await
            .unwrap();
        assert_eq!(total, 2);
        assert_eq!(rows[0].outcome, "failed");
        assert_eq!(rows[0].upstream_status, Some(503));
        assert_eq!(rows[1].outcome, "requested");
        assert!(rows[0].correlation_id.is_some());
        assert_eq!(rows[0].correlation_id, rows[1].correlation_id);
        assert_eq!(rows[0].cloud_account_id, Some(9));
    }
}
