//! The audit log: every change, local or remote, attempted or refused.
//!
//! One way to record a change:
//! - [`AuditCtx`]: who did it, from where (built once per request).
//! - [`LocalChange`]: a change to the panel's own tables and its event commit
//!   in one SQLite transaction: no event, no change.
//! - [`record()`]: an event that changes nothing by itself (a refusal, a failed
//!   attempt, a sign-in): a [`LocalChange`] with no change in it.
//! - [`begin`] / [`Change::finish`]: a remote change writes one event when
//!   requested, before the call, and one with its outcome, sharing a
//!   correlation id.
//!
//! This file holds what every caller builds (who acted, what happened, with
//! which outcome) and gathers the parts, so every `crate::audit::X` path
//! works whichever part holds `X`:
//! - `record`: writing events, local changes and remote changes;
//! - `chain`: the stored event, its hash, the link to the one before it,
//!   and the walk that verifies the chain;
//! - `redact`: keeping secrets out of an event's details;
//! - `search`: the filters and pages of the audit page, and its export.

mod chain;
mod record;
mod redact;
mod search;

use serde_json::Value;

pub use chain::{AuditRow, ChainBreak, GENESIS_HASH, VerifyReport, verify};
pub use record::{Change, LocalChange, begin, now_text, record};
pub use redact::redact;
pub use search::{Filter, Limit, Scope, actions, after, event, export, parse_time_bound, search};

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

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn clip_opt(text: Option<&str>, max: usize) -> Option<String> {
    text.map(|t| clip(t, max))
}

#[cfg(test)]
mod testing;
