//! The audit log: every change, local or remote, attempted or refused.
//!
//! One way to record a change:
//! - [`AuditCtx`]: who did it, from where (built once per request).
//! - [`LocalChange`]: a change to the panel's own tables and its event commit
//!   in one SQLite transaction: no event, no change.
//! - [`record`]: an event that changes nothing by itself (a refusal, a failed
//!   attempt, a sign-in): a [`LocalChange`] with no change in it.
//! - [`begin`] / [`Change::finish`]: a remote change writes one event when
//!   requested, before the call, and one with its outcome, sharing a
//!   correlation id.

use anyhow::Context;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use crate::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Requested,
    Succeeded,
    Failed,
    Denied,
    /// The account's request budget was spent: the change waits in its queue.
    Queued,
    /// A queued change was taken out of the queue before it ran.
    Cancelled,
    /// The panel stopped while sending a queued change; it is not sent again.
    Abandoned,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Denied => "denied",
            Self::Queued => "queued",
            Self::Cancelled => "cancelled",
            Self::Abandoned => "abandoned",
        }
    }
}

/// Who acted, and from where.
#[derive(Debug, Clone, Default)]
pub struct AuditCtx {
    /// `None` for installation-wide events (sign-ins, users, organisations).
    pub org_id: Option<i64>,
    pub actor_id: Option<i64>,
    /// The actor's email, or what was typed for a failed sign-in.
    pub actor_label: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl AuditCtx {
    /// The same actor, acting in an organisation.
    pub fn in_org(&self, org_id: i64) -> Self {
        Self {
            org_id: Some(org_id),
            ..self.clone()
        }
    }
}

/// What happened to what. `details` must already be free of secrets.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// e.g. `server.power_off`, `member.invite`, `auth.sign_in`
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    pub cloud_account_id: Option<i64>,
    pub details: Value,
    pub outcome: Outcome,
    pub upstream_status: Option<u16>,
    pub error: Option<String>,
    /// Shared by the `requested` event and its outcome.
    pub correlation_id: Option<String>,
}

impl NewEvent {
    pub fn new(action: &str, outcome: Outcome) -> Self {
        Self {
            action: action.to_owned(),
            target_kind: String::new(),
            target_id: String::new(),
            target_name: String::new(),
            cloud_account_id: None,
            details: Value::Null,
            outcome,
            upstream_status: None,
            error: None,
            correlation_id: None,
        }
    }

    pub fn target(mut self, kind: &str, id: impl ToString, name: &str) -> Self {
        self.target_kind = kind.to_owned();
        self.target_id = id.to_string();
        self.target_name = name.to_owned();
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }

    pub fn cloud_account(mut self, id: i64) -> Self {
        self.cloud_account_id = Some(id);
        self
    }
}

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event, as read back from `audit_events`.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub org_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    pub cloud_account_id: Option<i64>,
    /// Redacted JSON text, exactly as hashed.
    pub details: String,
    pub outcome: String,
    pub upstream_status: Option<i64>,
    pub error: Option<String>,
    pub correlation_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str = "id, at, org_id, actor_id, actor_label, ip, user_agent, request_id, action, \
     target_kind, target_id, target_name, cloud_account_id, details, outcome, upstream_status, \
     error, correlation_id, prev_hash, hash";

impl AuditRow {
    /// The bytes the hash covers: every field except the hashes themselves,
    /// as a JSON array in a fixed order (arrays have no key-order ambiguity).
    pub fn canonical(&self) -> Vec<u8> {
        let fields = serde_json::json!([
            "teampanel-audit-v1",
            self.id,
            self.at,
            self.org_id,
            self.actor_id,
            self.actor_label,
            self.ip,
            self.user_agent,
            self.request_id,
            self.action,
            self.target_kind,
            self.target_id,
            self.target_name,
            self.cloud_account_id,
            self.details,
            self.outcome,
            self.upstream_status,
            self.error,
            self.correlation_id,
        ]);
        // Serialising a `Value` cannot fail.
        serde_json::to_vec(&fields).unwrap_or_default()
    }

    /// SHA-256(prev_hash || canonical), hex; `prev_hash` as its hex text.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        hasher.update(self.canonical());
        hex::encode(hasher.finalize())
    }

    /// The details as JSON, for display and export.
    pub fn details_json(&self) -> Value {
        serde_json::from_str(&self.details).unwrap_or(Value::Null)
    }
}

/// Whether a JSON key names something secret; such keys never reach the log.
fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "token",
        "password",
        "passwd",
        "passphrase",
        "secret",
        "credential",
        "authorization",
        "cookie",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // `key`, `api_key`, `apiKey`, `master-key`, `privatekey`; not `keys` (lists of ids).
    lower.ends_with("key")
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "key")
}

/// Drops every object key that names a secret, at any depth. A yes/no
/// under such a key (`password_set`) says only whether one was given, and stays.
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, v)| v.is_boolean() || !is_secret_key(k))
                .map(|(k, v)| (k, redact(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn clip_opt(text: Option<&str>, max: usize) -> Option<String> {
    text.map(|t| clip(t, max))
}

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

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub id: i64,
    pub reason: String,
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub events: u64,
    pub last_id: Option<i64>,
    pub last_hash: Option<String>,
    pub broken: Option<ChainBreak>,
}

/// Walks the whole chain in id order and stops at the first event whose
/// link or hash does not match.
pub async fn verify(db: &Db) -> anyhow::Result<VerifyReport> {
    const BATCH: i64 = 1000;
    let mut report = VerifyReport::default();
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut after = 0_i64;
    loop {
        let rows: Vec<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE id > ? ORDER BY id LIMIT ?"
        )))
        .bind(after)
        .bind(BATCH)
        .fetch_all(db)
        .await
        .context("Failed to read the audit log")?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            if row.prev_hash != prev_hash {
                report.broken = Some(ChainBreak {
                    id: row.id,
                    reason: "its previous-hash does not match the event before it \
                             (an event was removed, inserted or reordered)"
                        .into(),
                });
                return Ok(report);
            }
            if row.compute_hash() != row.hash {
                report.broken = Some(ChainBreak {
                    id: row.id,
                    reason: "its content does not match its hash (the event was edited)".into(),
                });
                return Ok(report);
            }
            report.events += 1;
            report.last_id = Some(row.id);
            prev_hash = row.hash;
        }
    }
    report.last_hash = report.last_id.map(|_| prev_hash);
    Ok(report)
}

/// Which events a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One organisation's events.
    Organisation(i64),
    /// Events that belong to no organisation (instance admins only).
    Installation,
}

/// The page's filters; every field is optional. Times are stored-format bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Part of the actor's label, or their user id.
    pub actor: Option<String>,
    /// An action (`server.power_off`) or a family (`server`).
    pub action: Option<String>,
    /// Part of the target's name, or its id or kind.
    pub target: Option<String>,
    pub outcome: Option<Outcome>,
    pub cloud_account_id: Option<i64>,
    /// Inclusive lower bound, stored format.
    pub from: Option<String>,
    /// Inclusive upper bound, stored format.
    pub to: Option<String>,
}

impl Outcome {
    pub const ALL: [Self; 7] = [
        Self::Requested,
        Self::Succeeded,
        Self::Failed,
        Self::Denied,
        Self::Queued,
        Self::Cancelled,
        Self::Abandoned,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// Parses `2024-05-01` or `2024-05-01T12:30` (a datetime-local input, taken as
/// UTC) into a stored-format bound; `end` makes it cover the whole day/minute.
pub fn parse_time_bound(raw: &str, end: bool) -> Result<String, String> {
    let raw = raw.trim();
    if let Ok(date) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = if end { "23:59:59.999" } else { "00:00:00.000" };
        return Ok(format!("{}T{time}Z", date.format("%Y-%m-%d")));
    }
    for (format, has_seconds) in [
        ("%Y-%m-%dT%H:%M", false),
        ("%Y-%m-%d %H:%M", false),
        ("%Y-%m-%dT%H:%M:%S", true),
        ("%Y-%m-%d %H:%M:%S", true),
    ] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(raw, format) {
            let rest = match (has_seconds, end) {
                (false, false) => ":00.000",
                (false, true) => ":59.999",
                (true, false) => ".000",
                (true, true) => ".999",
            };
            let shown = if has_seconds {
                "%Y-%m-%dT%H:%M:%S"
            } else {
                "%Y-%m-%dT%H:%M"
            };
            return Ok(format!("{}{rest}Z", at.format(shown)));
        }
    }
    Err(format!(
        "`{}` is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)",
        clip(raw, 40)
    ))
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

enum Bind {
    Int(i64),
    Text(String),
}

fn where_clause(scope: Scope, filter: &Filter) -> (String, Vec<Bind>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    match scope {
        Scope::Organisation(id) => {
            clauses.push("org_id = ?".to_owned());
            binds.push(Bind::Int(id));
        }
        Scope::Installation => clauses.push("org_id IS NULL".to_owned()),
    }
    if let Some(actor) = &filter.actor {
        if let Ok(id) = actor.parse::<i64>() {
            clauses.push("(actor_id = ? OR actor_label LIKE ? ESCAPE '\\')".to_owned());
            binds.push(Bind::Int(id));
        } else {
            clauses.push("actor_label LIKE ? ESCAPE '\\'".to_owned());
        }
        binds.push(Bind::Text(like_pattern(actor)));
    }
    if let Some(action) = &filter.action {
        let family = action.trim_end_matches(['.', '*']);
        clauses.push("(action = ? OR action LIKE ? ESCAPE '\\')".to_owned());
        binds.push(Bind::Text(action.clone()));
        let escaped = family
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        binds.push(Bind::Text(format!("{escaped}.%")));
    }
    if let Some(target) = &filter.target {
        clauses.push(
            "(target_id = ? OR target_kind = ? OR target_name LIKE ? ESCAPE '\\')".to_owned(),
        );
        binds.push(Bind::Text(target.clone()));
        binds.push(Bind::Text(target.clone()));
        binds.push(Bind::Text(like_pattern(target)));
    }
    if let Some(outcome) = filter.outcome {
        clauses.push("outcome = ?".to_owned());
        binds.push(Bind::Text(outcome.as_str().to_owned()));
    }
    if let Some(account) = filter.cloud_account_id {
        clauses.push("cloud_account_id = ?".to_owned());
        binds.push(Bind::Int(account));
    }
    if let Some(from) = &filter.from {
        clauses.push("at >= ?".to_owned());
        binds.push(Bind::Text(from.clone()));
    }
    if let Some(to) = &filter.to {
        clauses.push("at <= ?".to_owned());
        binds.push(Bind::Text(to.clone()));
    }
    (clauses.join(" AND "), binds)
}

fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments> {
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
        };
    }
    query
}

/// One page of matching events, newest first, and how many match in all.
pub async fn search(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> anyhow::Result<(Vec<AuditRow>, i64)> {
    let (clause, binds) = where_clause(scope, filter);
    let (total,): (i64,) = bind_all(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_events WHERE {clause}"
        ))),
        binds,
    )
    .fetch_one(db)
    .await
    .context("Failed to count the audit events")?;
    let (clause, binds) = where_clause(scope, filter);
    let mut query = bind_all(
        sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE {clause} ORDER BY id DESC LIMIT ? OFFSET ?"
        ))),
        binds,
    );
    query = query.bind(limit.max(1)).bind(offset.max(0));
    let rows = query
        .fetch_all(db)
        .await
        .context("Failed to load the audit events")?;
    Ok((rows, total))
}

/// Every matching event (newest first, at most `max`), for export.
pub async fn export(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    max: i64,
) -> anyhow::Result<Vec<AuditRow>> {
    Ok(search(db, scope, filter, 0, max).await?.0)
}

/// The actions recorded in a scope, for the filter's suggestions.
pub async fn actions(db: &Db, scope: Scope) -> anyhow::Result<Vec<String>> {
    let (clause, binds) = where_clause(scope, &Filter::default());
    let rows: Vec<(String,)> = bind_all(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT action FROM audit_events WHERE {clause} ORDER BY action LIMIT 500"
        ))),
        binds,
    )
    .fetch_all(db)
    .await
    .context("Failed to list the audited actions")?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn test_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::connect(&dir.path().join("t.db")).await.unwrap();
        (dir, db)
    }

    fn ctx(org_id: Option<i64>, label: &str) -> AuditCtx {
        AuditCtx {
            org_id,
            actor_id: Some(7),
            actor_label: label.into(),
            ip: Some("127.0.0.1".into()),
            user_agent: Some("test".into()),
            request_id: Some("req-1".into()),
        }
    }

    #[tokio::test]
    async fn a_busy_log_verifies_and_an_edited_row_is_found() {
        let (_dir, db) = test_db().await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let event = NewEvent::new("server.power_off", Outcome::Succeeded).target(
                    "server",
                    i,
                    &format!("web-{i}"),
                );
                record(&db, &ctx(Some(1 + i % 2), "ada@example.org"), event)
                    .await
                    .unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let report = verify(&db).await.unwrap();
        assert_eq!(report.events, 40);
        assert_eq!(report.broken, None);

        sqlx::query("DROP TRIGGER audit_events_no_update")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_events SET actor_label = 'mallory' WHERE id = 17")
            .execute(&db)
            .await
            .unwrap();
        let report = verify(&db).await.unwrap();
        assert_eq!(report.broken.map(|b| b.id), Some(17));
        assert_eq!(report.events, 16);
    }

    #[tokio::test]
    async fn the_table_refuses_update_and_delete() {
        let (_dir, db) = test_db().await;
        record(
            &db,
            &ctx(None, "a"),
            NewEvent::new("auth.sign_in", Outcome::Succeeded),
        )
        .await
        .unwrap();
        let update = sqlx::query("UPDATE audit_events SET action = 'x'")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = sqlx::query("DELETE FROM audit_events")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(delete.to_string().contains("append-only"), "{delete}");
    }

    #[tokio::test]
    async fn a_removed_row_breaks_the_link_of_the_next() {
        let (_dir, db) = test_db().await;
        for _ in 0..3 {
            record(
                &db,
                &ctx(None, "a"),
                NewEvent::new("user.create", Outcome::Succeeded),
            )
            .await
            .unwrap();
        }
        sqlx::query("DROP TRIGGER audit_events_no_delete")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_events WHERE id = 2")
            .execute(&db)
            .await
            .unwrap();
        let broken = verify(&db).await.unwrap().broken.unwrap();
        assert_eq!(broken.id, 3);
        assert!(broken.reason.contains("previous"));
    }

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

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let details = serde_json::json!({
            "name": "prod",
            "api_token": "t0ps3cret",
            "apiKey": "k",
            "nested": {"password": "p", "keep": 1, "client_secret": "s", "ssh_keys": [1, 2]},
            "list": [{"Authorization": "Bearer x", "id": 5}],
            "password_set": true,
        });
        let redacted = redact(details);
        let text = redacted.to_string();
        for secret in ["t0ps3cret", "\"k\"", "\"p\"", "\"s\"", "Bearer"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(redacted["name"], "prod");
        assert_eq!(redacted["nested"]["keep"], 1);
        assert_eq!(redacted["nested"]["ssh_keys"], serde_json::json!([1, 2]));
        assert_eq!(redacted["list"][0]["id"], 5);
        assert_eq!(
            redacted["password_set"], true,
            "whether one was set is no secret"
        );
    }

    #[tokio::test]
    async fn filters_combine_and_never_cross_organisations() {
        let (_dir, db) = test_db().await;
        record(
            &db,
            &ctx(Some(1), "ada@example.org"),
            NewEvent::new("server.power_off", Outcome::Succeeded)
                .target("server", "s1", "web-1")
                .cloud_account(4),
        )
        .await
        .unwrap();
        record(
            &db,
            &ctx(Some(1), "bob@example.org"),
            NewEvent::new("server.power_on", Outcome::Denied).target("server", "s2", "db_1"),
        )
        .await
        .unwrap();
        record(
            &db,
            &ctx(Some(2), "ada@example.org"),
            NewEvent::new("server.power_off", Outcome::Succeeded),
        )
        .await
        .unwrap();
        record(
            &db,
            &ctx(None, "ada@example.org"),
            NewEvent::new("auth.sign_in", Outcome::Succeeded),
        )
        .await
        .unwrap();

        let count = |scope, filter: Filter| {
            let db = db.clone();
            async move { search(&db, scope, &filter, 0, 100).await.unwrap().1 }
        };
        let org1 = Scope::Organisation(1);
        assert_eq!(count(org1, Filter::default()).await, 2);
        assert_eq!(count(Scope::Installation, Filter::default()).await, 1);
        let by_actor = Filter {
            actor: Some("ADA".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1, by_actor).await, 1);
        let by_family = Filter {
            action: Some("server".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1, by_family).await, 2);
        let exact = Filter {
            action: Some("server.power_on".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1, exact).await, 1);
        // `_` is a literal, not a wildcard.
        let target = Filter {
            target: Some("b_1".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1, target).await, 1);
        let outcome = Filter {
            outcome: Some(Outcome::Denied),
            ..Filter::default()
        };
        assert_eq!(count(org1, outcome).await, 1);
        let account = Filter {
            cloud_account_id: Some(4),
            ..Filter::default()
        };
        assert_eq!(count(org1, account).await, 1);
        let future = Filter {
            from: Some(parse_time_bound("2999-01-01", false).unwrap()),
            ..Filter::default()
        };
        assert_eq!(count(org1, future).await, 0);
        let past = Filter {
            to: Some(parse_time_bound("2999-01-01T00:00", true).unwrap()),
            ..Filter::default()
        };
        assert_eq!(count(org1, past).await, 2);
        let (page, total) = search(&db, org1, &Filter::default(), 1, 1).await.unwrap();
        assert_eq!((page.len(), total), (1, 2));
        assert_eq!(page[0].actor_label, "ada@example.org");
    }

    #[test]
    fn time_bounds_parse() {
        assert_eq!(
            parse_time_bound("2024-05-01", false).unwrap(),
            "2024-05-01T00:00:00.000Z"
        );
        assert_eq!(
            parse_time_bound("2024-05-01", true).unwrap(),
            "2024-05-01T23:59:59.999Z"
        );
        assert_eq!(
            parse_time_bound("2024-05-01T12:30", true).unwrap(),
            "2024-05-01T12:30:59.999Z"
        );
        assert_eq!(
            parse_time_bound("2024-05-01 12:30:15", false).unwrap(),
            "2024-05-01T12:30:15.000Z"
        );
        assert!(parse_time_bound("yesterday", false).is_err());
        assert!(parse_time_bound("2024-13-01", false).is_err());
    }
}
