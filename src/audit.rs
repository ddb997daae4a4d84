//! The audit log: every change, local or remote, attempted or refused.
//!
//! Public API (stable; the bodies are completed with the audit storage):
//! - [`AuditCtx`]: who did it, from where (built once per request).
//! - [`record`]: one event (local changes, sign-ins, denials).
//! - [`begin`] / [`Change::finish`]: a remote change writes one event when
//!   requested and one with its outcome, sharing a correlation id.

use actix_web::{HttpMessage, HttpRequest};
use serde_json::Value;

use crate::db::Db;
use crate::db::users::User;
use crate::startup::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Requested,
    Succeeded,
    Failed,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Denied => "denied",
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
    pub fn from_request(req: &HttpRequest, org_id: Option<i64>, user: Option<&User>) -> Self {
        Self {
            org_id,
            actor_id: user.map(|u| u.id),
            actor_label: user.map(|u| u.email.clone()).unwrap_or_default(),
            ip: req.peer_addr().map(|a| a.ip().to_string()),
            user_agent: req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(200).collect()),
            request_id: req
                .extensions()
                .get::<crate::web::middleware::RequestId>()
                .map(|r| r.0.clone()),
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

/// Appends one event. Failing to audit is logged, and reported to the caller,
/// which decides whether the action may go on.
pub async fn record(_db: &Db, ctx: &AuditCtx, event: NewEvent) -> anyhow::Result<()> {
    tracing::info!(
        target: "audit",
        action = %event.action,
        actor = %ctx.actor_label,
        org_id = ctx.org_id,
        target_kind = %event.target_kind,
        target_id = %event.target_id,
        outcome = event.outcome.as_str(),
    );
    Ok(())
}

/// A remote change in flight: its `requested` event is on record.
pub struct Change {
    ctx: AuditCtx,
    event: NewEvent,
}

/// Records the `requested` event of a remote change.
pub async fn begin(db: &Db, ctx: &AuditCtx, mut event: NewEvent) -> anyhow::Result<Change> {
    use rand::Rng;
    event.outcome = Outcome::Requested;
    event.correlation_id = Some(format!("{:032x}", rand::rng().random::<u128>()));
    record(db, ctx, event.clone()).await?;
    Ok(Change {
        ctx: ctx.clone(),
        event,
    })
}

impl Change {
    /// Records the outcome, with the correlation id of the request.
    pub async fn finish(
        self,
        db: &Db,
        outcome: Outcome,
        upstream_status: Option<u16>,
        error: Option<String>,
    ) -> anyhow::Result<()> {
        let mut event = self.event;
        event.outcome = outcome;
        event.upstream_status = upstream_status;
        event.error = error;
        record(db, &self.ctx, event).await
    }
}

/// A sign-in attempt, successful or not.
pub async fn record_login(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    user: Option<&User>,
    outcome: Outcome,
    reason: &str,
) {
    let mut ctx = AuditCtx::from_request(req, None, user);
    if user.is_none() {
        ctx.actor_label = email.chars().take(254).collect();
    }
    let mut event = NewEvent::new("auth.sign_in", outcome);
    if let Some(user) = user {
        event = event.target("user", user.id, &user.email);
    }
    if !reason.is_empty() {
        event = event.error(reason);
    }
    if let Err(e) = record(&state.db, &ctx, event).await {
        tracing::error!(error = ?e, "failed to audit a sign-in");
    }
}

/// A change a user made to their own account.
pub async fn record_user_event(
    state: &AppState,
    req: &HttpRequest,
    user: &User,
    action: &str,
    details: Value,
) {
    let ctx = AuditCtx::from_request(req, None, Some(user));
    let event = NewEvent::new(action, Outcome::Succeeded)
        .target("user", user.id, &user.email)
        .details(details);
    if let Err(e) = record(&state.db, &ctx, event).await {
        tracing::error!(error = ?e, "failed to audit an account change");
    }
}

/// `teampanel audit verify`: walks the hash chain.
pub async fn verify_command(_settings: &crate::config::Settings) -> anyhow::Result<()> {
    anyhow::bail!("the audit log is not stored yet")
}
