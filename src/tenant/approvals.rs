//! Two-person approval: an Owner chooses which kinds of change need a
//! second member's approval ([`ApprovalKind`]). Such a change is not sent:
//! the audited path of a change ([`CloudAccount::hold`]) keeps the request
//! the client would have sent, sealed, as a draft; its requester says why
//! and asks; another member holding the kind's approve flag approves or
//! rejects it (nobody decides on their own request, not even an Owner).
//!
//! An approval puts the change in the account's change queue in the same
//! transaction, as the member who asked: the queue's worker checks their
//! membership, permission and scope again and sends it once (a panel
//! killed between the approval and the call finds it `running` at the next
//! start and abandons it, never sending it twice). A request not decided
//! within its time limit expires ([`Door::expire_approvals`]); one whose
//! requester's access ends is cancelled. Every step is an audit event.

use std::sync::Arc;

use serde_json::{Value, json};

use anyhow::Context;

use super::cloud::CloudAccount;
use super::panel_changes::PanelChange;
use super::store::approvals::{self as store, Decision, HeldRow, NewHeld};
use super::store::queue::{self as queue_store, NewQueued};
use super::{Door, Tenant};
use crate::audit::{self, AuditCtx, LocalChange, NewEvent, Outcome};
use crate::cloudpanel::RawWrite;
use crate::rbac::{Permission, perms};

pub use store::HeldRow as HeldChange;

/// How long a request waits for a decision (and a draft for its reason).
pub const TIME_LIMIT_SECS: i64 = 24 * 3600;

/// The kinds of change an organisation may hold for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalKind {
    /// Deleting anything (any family's `.delete`).
    Delete,
    Reinstall,
    SnapshotRestore,
    /// A firewall rule open to every source.
    FirewallOpen,
    /// Replacing a cloud account's token (a change of the panel's own
    /// tables: see [`super::panel_changes`]).
    AccountToken,
    /// Who has access: invitations, members' roles, removals, ends and
    /// scopes, and what a role allows.
    PanelAccess,
}

impl ApprovalKind {
    pub const ALL: [Self; 6] = [
        Self::Delete,
        Self::Reinstall,
        Self::SnapshotRestore,
        Self::FirewallOpen,
        Self::AccountToken,
        Self::PanelAccess,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Reinstall => "reinstall",
            Self::SnapshotRestore => "snapshot_restore",
            Self::FirewallOpen => "firewall_open",
            Self::AccountToken => "account_token",
            Self::PanelAccess => "panel_access",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// In words, for the settings and the requests.
    pub fn title(self) -> &'static str {
        match self {
            Self::Delete => "Deleting anything (a server, a storage, a policy, a key, …)",
            Self::Reinstall => "Reinstalling a server or an E2E node",
            Self::SnapshotRestore => "Restoring a server's snapshot",
            Self::FirewallOpen => "A firewall rule open to every source",
            Self::AccountToken => "Replacing a cloud account's token",
            Self::PanelAccess => {
                "Changing who has access: invitations, members' roles, removals, ends and \
                 scopes, and what a role allows"
            }
        }
    }

    /// The flag a member needs to approve or reject it.
    pub fn permission(self) -> Permission {
        match self {
            Self::Delete => perms::ORGANISATION_APPROVE_DELETES,
            Self::Reinstall => perms::ORGANISATION_APPROVE_REINSTALLS,
            Self::SnapshotRestore => perms::ORGANISATION_APPROVE_RESTORES,
            Self::FirewallOpen => perms::ORGANISATION_APPROVE_OPEN_RULES,
            Self::AccountToken => perms::ORGANISATION_APPROVE_TOKEN_CHANGES,
            Self::PanelAccess => perms::ORGANISATION_APPROVE_ACCESS_CHANGES,
        }
    }

    /// Whether it is a change of the panel's own tables, made in the
    /// approval's transaction, rather than an API call sent by the queue.
    pub fn is_local(self) -> bool {
        matches!(self, Self::AccountToken | Self::PanelAccess)
    }

    /// The kind of a change of the panel's own tables.
    pub fn of_panel(change: &PanelChange) -> Self {
        match change {
            PanelChange::AccountToken { .. } => Self::AccountToken,
            _ => Self::PanelAccess,
        }
    }

    /// The kind of a change, from its audit action and details (the same
    /// for a page and the JSON API, which record the same actions).
    pub fn of(action: &str, details: &Value) -> Option<Self> {
        if action.ends_with(".delete") {
            return Some(Self::Delete);
        }
        if action.ends_with(".reinstall") {
            return Some(Self::Reinstall);
        }
        if action == "server.snapshot_restore" {
            return Some(Self::SnapshotRestore);
        }
        let adds_rules = matches!(
            action,
            "firewall_policy.create" | "firewall_policy.rule_add"
        );
        let open = details
            .get("rules")
            .and_then(Value::as_array)
            .is_some_and(|rules| rules.iter().any(|r| is_open(r.get("source"))));
        (adds_rules && open).then_some(Self::FirewallOpen)
    }
}

/// Whether a rule's source lets every address in: none given (the API then
/// allows all), or the whole IPv4 or IPv6 space.
fn is_open(source: Option<&Value>) -> bool {
    match source {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => matches!(
            s.trim(),
            "" | "0.0.0.0" | "0.0.0.0/0" | "::" | "::/0" | "*" | "any"
        ),
        Some(_) => false,
    }
}

/// Who acts in the audit log when the panel itself ends a request.
fn panel_ctx(org_id: i64, label: &str) -> AuditCtx {
    AuditCtx {
        org_id: Some(org_id),
        actor_id: None,
        actor_label: label.to_owned(),
        ip: None,
        user_agent: None,
        request_id: None,
    }
}

/// The request's own words for the audit log's details.
fn described(row: &HeldRow) -> Value {
    json!({
        "approval_id": row.id,
        "kind": row.kind,
        "action": row.action,
        "requester": row.requester_label,
        "reason": row.reason,
        "change": row.details_json(),
    })
}

fn event_about(row: &HeldRow, action: &str) -> NewEvent {
    let event = NewEvent::new(action, Outcome::Succeeded)
        .target(&row.target_kind, &row.target_id, &row.target_name)
        .details(described(row));
    match row.cloud_account_id {
        Some(account) => event.cloud_account(account),
        None => event,
    }
}

/// Who acts when an approved change runs: the member who asked.
fn requester_ctx(row: &HeldRow) -> AuditCtx {
    AuditCtx {
        org_id: Some(row.org_id),
        actor_id: row.requester_id,
        actor_label: row.requester_label.clone(),
        ip: None,
        user_agent: None,
        request_id: None,
    }
}

/// The change's own details with the approval that let it run.
fn with_approval(row: &HeldRow, approved_by: &str) -> Value {
    let approved_by = Value::from(approved_by);
    match row.details_json() {
        Value::Object(mut map) => {
            map.insert("approval_id".into(), Value::from(row.id));
            map.insert("approved_by".into(), approved_by);
            Value::Object(map)
        }
        Value::Null => json!({ "approval_id": row.id, "approved_by": approved_by }),
        other => json!({ "approval_id": row.id, "approved_by": approved_by, "change": other }),
    }
}

/// What an approval led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approved {
    /// The API call waits in its account's queue as this row.
    Queued(i64),
    /// The panel's own change was made, as the member who asked.
    Made,
    /// The panel's own change could not be made (why): its event says so.
    NotMade(String),
}

impl CloudAccount {
    /// The kind of approval a change needs in this organisation, if its
    /// kind is one the organisation holds.
    pub async fn approval_needed(&self, event: &NewEvent) -> anyhow::Result<Option<ApprovalKind>> {
        let Some(kind) = ApprovalKind::of(&event.action, &event.details) else {
            return Ok(None);
        };
        let held = store::kinds(&self.db, self.row.org_id).await?;
        Ok(held.iter().any(|k| k == kind.key()).then_some(kind))
    }

    /// Keeps a change the client parked (nothing was sent) as a draft
    /// request for approval, with its `approval.hold` event; returns its id.
    pub async fn hold(
        &self,
        kind: ApprovalKind,
        event: &NewEvent,
        raw: &RawWrite,
    ) -> anyhow::Result<i64> {
        let ctx = self.actor.ctx();
        let now = crate::db::now_unix();
        // A deletion's event names only the id: the request names the object.
        let target_name = match event.target_name.as_str() {
            "" => self.client.object_name(&raw.path).await.unwrap_or_default(),
            name => name.to_owned(),
        };
        let details = serde_json::to_string(&audit::redact(event.details.clone()))?;
        let permission = self.permission.key();
        let request = serde_json::to_vec(raw).context("Failed to encode a held request")?;
        let mut change = LocalChange::begin(&self.db).await?;
        let id = store::insert(
            change.conn(),
            &self.keys,
            NewHeld {
                org_id: self.row.org_id,
                cloud_account_id: Some(self.row.id),
                kind: kind.key(),
                ctx,
                permission: &permission,
                action: &event.action,
                target_kind: &event.target_kind,
                target_id: &event.target_id,
                target_name: &target_name,
                details: &details,
                request: &request,
                now,
                expires_at: now + TIME_LIMIT_SECS,
            },
        )
        .await?;
        let held = NewEvent::new("approval.hold", Outcome::Succeeded)
            .target(&event.target_kind, &event.target_id, &target_name)
            .cloud_account(self.row.id)
            .details(json!({
                "approval_id": id,
                "kind": kind.key(),
                "action": event.action,
                "change": audit::redact(event.details.clone()),
            }));
        change.commit(ctx, held).await?;
        tracing::info!(approval_id = id, action = %event.action, "a change is held for approval");
        Ok(id)
    }
}

/// Why a step on a request was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    /// It is not (or no longer) in the state the step needs.
    NotOpen(String),
    /// Nobody decides on their own request.
    OwnRequest,
    /// The member lacks the kind's approve flag.
    NoFlag(Permission),
    /// Only the requester says why, or withdraws.
    NotRequester,
}

impl Tenant<'_> {
    /// The kinds the organisation holds for approval.
    pub async fn approval_kinds(&self) -> anyhow::Result<Vec<ApprovalKind>> {
        let keys = store::kinds(&self.door.db, self.org_id()).await?;
        Ok(keys.iter().filter_map(|k| ApprovalKind::parse(k)).collect())
    }

    /// Whether the member is one of the organisation's Owners: they choose
    /// what needs approval.
    pub fn is_owner(&self) -> bool {
        self.member.role().is_owner()
    }

    /// An Owner chooses the kinds held for approval, audited as
    /// `approval.settings` with the kinds before and after.
    pub async fn set_approval_kinds(&self, kinds: &[ApprovalKind]) -> anyhow::Result<()> {
        if !self.is_owner() {
            return Err(super::NotGranted {
                granted: self.member.role().name.clone(),
                needed: "the Owner role".into(),
            }
            .into());
        }
        let before: Vec<String> = store::kinds(&self.door.db, self.org_id()).await?;
        let keys: Vec<&str> = kinds.iter().map(|k| k.key()).collect();
        let mut change = LocalChange::begin(&self.door.db).await?;
        store::set_kinds(change.conn(), self.org_id(), &keys).await?;
        let event = NewEvent::new("approval.settings", Outcome::Succeeded)
            .target("organisation", self.org_id(), &self.org().slug)
            .details(json!({ "kinds": keys, "previous": before }));
        change.commit(self.actor.ctx(), event).await
    }

    /// Whether this member sees a request: their own, or, for a member
    /// limited to a scope, another's only when its object is inside the
    /// scope (another's may name objects outside it). One they do not see
    /// is not found, so they cannot decide it either.
    fn sees_request(&self, requester: Option<i64>, account: Option<i64>, name: &str) -> bool {
        requester == Some(self.member.user_id())
            || self
                .member
                .scope()
                .is_none_or(|scope| scope.covers_record(account, name))
    }

    /// The organisation's open requests, then the last decided ones, as
    /// this member may see them.
    pub async fn held_changes(&self) -> anyhow::Result<Vec<HeldRow>> {
        let mut rows = store::list(&self.door.db, self.org_id(), 30).await?;
        rows.retain(|r| self.sees_request(r.requester_id, r.cloud_account_id, &r.target_name));
        Ok(rows)
    }

    pub async fn held_change(&self, id: i64) -> anyhow::Result<Option<HeldRow>> {
        Ok(store::get(&self.door.db, self.org_id(), id)
            .await?
            .filter(|r| self.sees_request(r.requester_id, r.cloud_account_id, &r.target_name)))
    }

    /// How many requests wait for a decision this member may take: for the
    /// menu's badge.
    pub async fn approvals_waiting_for_me(&self) -> anyhow::Result<usize> {
        let me = self.member.user_id();
        let cache = &self.door.cached.pending_approvals;
        let pending = match cache.get(&self.org_id()) {
            Some(pending) => pending,
            None => {
                let generation = crate::db::cache::generation();
                let pending: Arc<[_]> = store::pending(&self.door.db, self.org_id()).await?.into();
                cache.put(self.org_id(), pending.clone(), generation);
                pending
            }
        };
        Ok(pending
            .iter()
            .filter(|p| {
                p.requester_id != Some(me)
                    && ApprovalKind::parse(&p.kind).is_some_and(|k| self.member.can(k.permission()))
                    && self.sees_request(p.requester_id, p.cloud_account_id, &p.target_name)
            })
            .count())
    }

    /// The requester says why and asks: the request waits for a decision
    /// for [`TIME_LIMIT_SECS`], audited as `approval.ask`.
    pub async fn ask_approval(&self, id: i64, reason: &str) -> anyhow::Result<Result<(), Refusal>> {
        let Some(row) = self.held_change(id).await? else {
            return Ok(Err(Refusal::NotFound));
        };
        if row.requester_id != Some(self.member.user_id()) {
            return Ok(Err(Refusal::NotRequester));
        }
        let expires_at = crate::db::now_unix() + TIME_LIMIT_SECS;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let asked = store::ask(
            change.conn(),
            self.org_id(),
            id,
            self.member.user_id(),
            reason,
            expires_at,
        )
        .await?;
        if !asked {
            return Ok(Err(Refusal::NotOpen(row.state)));
        }
        let mut row = row;
        row.reason = reason.to_owned();
        let event = event_about(&row, "approval.ask");
        change.commit(self.actor.ctx(), event).await?;
        Ok(Ok(()))
    }

    /// The requester withdraws a draft or a pending request.
    pub async fn withdraw_approval(&self, id: i64) -> anyhow::Result<Result<(), Refusal>> {
        let Some(row) = self.held_change(id).await? else {
            return Ok(Err(Refusal::NotFound));
        };
        if row.requester_id != Some(self.member.user_id()) {
            return Ok(Err(Refusal::NotRequester));
        }
        let mut change = LocalChange::begin(&self.door.db).await?;
        let now = crate::db::now_unix();
        if !store::end(
            change.conn(),
            self.org_id(),
            id,
            "cancelled",
            "withdrawn",
            now,
        )
        .await?
        {
            return Ok(Err(Refusal::NotOpen(row.state)));
        }
        change
            .commit(self.actor.ctx(), event_about(&row, "approval.cancel"))
            .await?;
        Ok(Ok(()))
    }

    /// Whether this member may decide on `row`.
    fn may_decide(&self, row: &HeldRow) -> Result<ApprovalKind, Refusal> {
        if row.requester_id == Some(self.member.user_id()) {
            return Err(Refusal::OwnRequest);
        }
        // A kind this build does not know cannot be checked: refused.
        let kind = ApprovalKind::parse(&row.kind)
            .ok_or(Refusal::NoFlag(perms::ORGANISATION_APPROVE_DELETES))?;
        if !self.member.can(kind.permission()) {
            return Err(Refusal::NoFlag(kind.permission()));
        }
        Ok(kind)
    }

    /// Opens a decision on request `id` (`state`: approved or rejected):
    /// the request, the transaction holding the decision, and its event
    /// (`approval.approve` or `approval.reject`, with the note). A member
    /// who may not decide is refused with a `denied` event.
    async fn decision(
        &self,
        id: i64,
        state: &str,
        note: &str,
    ) -> anyhow::Result<Result<(HeldRow, LocalChange, NewEvent), Refusal>> {
        let Some(row) = self.held_change(id).await? else {
            return Ok(Err(Refusal::NotFound));
        };
        if let Err(refusal) = self.may_decide(&row) {
            self.deny_decision(&row, &refusal).await;
            return Ok(Err(refusal));
        }
        let mut change = LocalChange::begin(&self.door.db).await?;
        let decided = store::decide(
            change.conn(),
            self.org_id(),
            id,
            Decision {
                state,
                by_id: self.member.user_id(),
                by_label: &self.actor.ctx().actor_label,
                note,
                now: crate::db::now_unix(),
            },
        )
        .await?;
        if !decided {
            return Ok(Err(Refusal::NotOpen(row.state)));
        }
        let action = if state == "approved" {
            "approval.approve"
        } else {
            "approval.reject"
        };
        let mut event = event_about(&row, action);
        event.details["note"] = Value::from(note);
        Ok(Ok((row, change, event)))
    }

    /// Another member rejects a pending request, audited as `approval.reject`.
    pub async fn reject_approval(
        &self,
        id: i64,
        note: &str,
    ) -> anyhow::Result<Result<(), Refusal>> {
        let (_, change, event) = match self.decision(id, "rejected", note).await? {
            Ok(opened) => opened,
            Err(refusal) => return Ok(Err(refusal)),
        };
        change.commit(self.actor.ctx(), event).await?;
        Ok(Ok(()))
    }

    /// Another member approves a pending request: in one transaction it is
    /// marked approved (`approval.approve`) and the change goes ahead as the
    /// member who asked. An API call goes in the account's queue, with its
    /// `requested` and `queued` events in their name (the queue's worker
    /// checks them again when it sends it); a change of the panel's own
    /// tables is made at once, after their role is checked again, with its
    /// event, succeeded or failed, in their name.
    pub async fn approve(&self, id: i64, note: &str) -> anyhow::Result<Result<Approved, Refusal>> {
        let (row, mut change, approved) = match self.decision(id, "approved", note).await? {
            Ok(opened) => opened,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let sealed = store::open_request(change.conn(), &self.door.keys, &row).await?;
        change.also(self.actor.ctx(), approved).await?;
        let approved_by = self.actor.ctx().actor_label.clone();
        let local = ApprovalKind::parse(&row.kind).is_some_and(ApprovalKind::is_local);
        let outcome = match (local, row.cloud_account_id) {
            (true, _) => {
                let panel: PanelChange = serde_json::from_slice(&sealed)
                    .context("A held panel change is not readable")?;
                self.make_approved(&row, change, &panel, &approved_by)
                    .await?
            }
            (false, Some(account)) => {
                let raw: RawWrite =
                    serde_json::from_slice(&sealed).context("A held request is not readable")?;
                let queue_id = self
                    .queue_approved(&row, change, account, &raw, &approved_by)
                    .await?;
                Approved::Queued(queue_id)
            }
            (false, None) => anyhow::bail!("held API call {id} names no cloud account"),
        };
        Ok(Ok(outcome))
    }

    /// An approved API call goes in its account's queue in the requester's
    /// name, committed with the approval.
    async fn queue_approved(
        &self,
        row: &HeldRow,
        mut change: LocalChange,
        account: i64,
        raw: &RawWrite,
        approved_by: &str,
    ) -> anyhow::Result<i64> {
        let requester = requester_ctx(row);
        let details = with_approval(row, approved_by);
        let correlation_id = {
            use rand::Rng;
            format!("{:032x}", rand::rng().random::<u128>())
        };
        let mut requested = NewEvent::new(&row.action, Outcome::Requested)
            .target(&row.target_kind, &row.target_id, &row.target_name)
            .cloud_account(account)
            .details(details.clone());
        requested.correlation_id = Some(correlation_id.clone());
        let details_text = serde_json::to_string(&audit::redact(details))?;
        let queue_id = queue_store::insert(
            change.conn(),
            &self.door.keys,
            NewQueued {
                org_id: row.org_id,
                cloud_account_id: account,
                ctx: &requester,
                permission: &row.permission,
                action: &row.action,
                target_kind: &row.target_kind,
                target_id: &row.target_id,
                target_name: &row.target_name,
                details: &details_text,
                correlation_id: &correlation_id,
                request: raw,
            },
        )
        .await?;
        store::set_queue_id(change.conn(), row.org_id, row.id, queue_id).await?;
        change.also(&requester, requested.clone()).await?;
        let mut queued = requested;
        queued.outcome = Outcome::Queued;
        change.commit(&requester, queued).await?;
        self.door.queue.notify.notify_one();
        tracing::info!(
            approval_id = row.id,
            queue_id,
            "an approved change waits in the queue"
        );
        Ok(queue_id)
    }

    /// An approved change of the panel's own tables is made in the
    /// approval's transaction as the member who asked, once their
    /// membership and role are checked again: its event succeeded, or
    /// failed with why (the approval stands either way).
    async fn make_approved(
        &self,
        row: &HeldRow,
        mut change: LocalChange,
        panel: &PanelChange,
        approved_by: &str,
    ) -> anyhow::Result<Approved> {
        let requester = requester_ctx(row);
        let mut event = panel.event();
        event.details = with_approval(row, approved_by);
        let now = crate::db::now_unix();
        let allowed = match row.requester_id {
            None => Err(format!("{} is no longer a user", row.requester_label)),
            Some(user_id) => match self.door.membership(&self.org().slug, user_id).await? {
                None => Err(format!(
                    "{} is no longer a member of {}",
                    row.requester_label,
                    self.org().name
                )),
                Some(member) => {
                    let role = member.role();
                    panel
                        .allowed_for(change.conn(), row.org_id, &role.permissions, &role.name)
                        .await?
                }
            },
        };
        let made = match allowed {
            Ok(()) => {
                let by = row.requester_id.unwrap_or_default();
                panel
                    .apply(change.conn(), &self.door.keys, row.org_id, by, now)
                    .await?
            }
            Err(why) => Err(why),
        };
        let outcome = match made {
            Ok(()) => Approved::Made,
            Err(why) => {
                event = event.error(format!("not made: {why}"));
                event.outcome = Outcome::Failed;
                Approved::NotMade(why)
            }
        };
        change.commit(&requester, event).await?;
        if let (Approved::Made, Some(account)) = (&outcome, row.cloud_account_id) {
            // A new token may open another account: its budget and cache start afresh.
            self.door.cloud.forget_account(account);
        }
        tracing::info!(
            approval_id = row.id,
            ?outcome,
            "an approved panel change was run"
        );
        Ok(outcome)
    }

    /// The one-time token of an invitation this member asked for and
    /// another approved, while the invitation is open: its link is shown
    /// to them on the request's page, as it would have been at once.
    pub async fn approved_invitation_token(&self, row: &HeldRow) -> anyhow::Result<Option<String>> {
        let mine = row.requester_id == Some(self.member.user_id());
        if !mine || row.state != "approved" || row.action != "member.invite" {
            return Ok(None);
        }
        let mut conn = self.door.conn().await?;
        let sealed = store::open_request(&mut *conn, &self.door.keys, row).await?;
        let Ok(PanelChange::Invite { token, .. }) = serde_json::from_slice(&sealed) else {
            return Ok(None);
        };
        let open = super::store::invitations::by_token(&mut conn, &token)
            .await?
            .is_some_and(|found| {
                found.invitation.org_id == self.org_id()
                    && found.invitation.state(crate::db::now_unix())
                        == super::store::invitations::InvitationState::Open
            });
        Ok(open.then_some(token))
    }

    /// A decision the member may not take is a `denied` event.
    async fn deny_decision(&self, row: &HeldRow, refusal: &Refusal) {
        let why = match refusal {
            Refusal::OwnRequest => "nobody decides on their own request".to_owned(),
            Refusal::NoFlag(p) => format!("the role {} lacks {p}", self.member.role().name),
            other => format!("{other:?}"),
        };
        self.deny(event_about(row, "approval.decide").error(why))
            .await;
    }
}

impl Door {
    /// Ends every draft and pending request past its time limit as
    /// `expired` (`approval.expire`); returns how many.
    pub async fn expire_approvals(&self, now: i64) -> anyhow::Result<usize> {
        let past = store::past_limit(&self.db, now).await?;
        let mut count = 0;
        for row in &past {
            let mut change = LocalChange::begin(&self.db).await?;
            if !store::end(
                change.conn(),
                row.org_id,
                row.id,
                "expired",
                "time limit",
                now,
            )
            .await?
            {
                continue;
            }
            change
                .commit(
                    &panel_ctx(row.org_id, "approval time limit"),
                    event_about(row, "approval.expire"),
                )
                .await?;
            count += 1;
        }
        Ok(count)
    }

    /// A member whose access ended: their open requests end as cancelled.
    pub(super) async fn cancel_requests_of(&self, org_id: i64, user_id: i64) -> anyhow::Result<()> {
        let open = store::open_of(&self.db, org_id, user_id).await?;
        let now = crate::db::now_unix();
        for row in &open {
            let reason = "the member's access to the organisation ended";
            let mut change = LocalChange::begin(&self.db).await?;
            if !store::end(change.conn(), org_id, row.id, "cancelled", reason, now).await? {
                continue;
            }
            let mut event = event_about(row, "approval.cancel");
            event.details["note"] = Value::from(reason);
            change
                .commit(&panel_ctx(org_id, "access expiry"), event)
                .await?;
        }
        Ok(())
    }
}

impl Tenant<'_> {
    /// Keeps `change` as a request for approval when the organisation
    /// holds its kind: an `Err` of [`HeldBack`] then, and nothing changed.
    /// `Ok` when it may be made at once.
    pub(super) async fn held_back(&self, change: &PanelChange) -> anyhow::Result<()> {
        let kind = ApprovalKind::of_panel(change);
        let held = store::kinds(&self.door.db, self.org_id()).await?;
        if !held.iter().any(|k| k == kind.key()) {
            return Ok(());
        }
        let event = change.event();
        let ctx = self.actor.ctx();
        let now = crate::db::now_unix();
        let details = serde_json::to_string(&audit::redact(event.details.clone()))?;
        let plain = serde_json::to_vec(change)?;
        let mut local = LocalChange::begin(&self.door.db).await?;
        let id = store::insert(
            local.conn(),
            &self.door.keys,
            NewHeld {
                org_id: self.org_id(),
                cloud_account_id: change.cloud_account(),
                kind: kind.key(),
                ctx,
                permission: &change.permission().key(),
                action: &event.action,
                target_kind: &event.target_kind,
                target_id: &event.target_id,
                target_name: &event.target_name,
                details: &details,
                request: &plain,
                now,
                expires_at: now + TIME_LIMIT_SECS,
            },
        )
        .await?;
        let mut hold = NewEvent::new("approval.hold", Outcome::Succeeded)
            .target(&event.target_kind, &event.target_id, &event.target_name)
            .details(json!({
                "approval_id": id,
                "kind": kind.key(),
                "action": event.action,
                "change": audit::redact(event.details.clone()),
            }));
        if let Some(account) = change.cloud_account() {
            hold = hold.cloud_account(account);
        }
        local.commit(ctx, hold).await?;
        tracing::info!(approval_id = id, action = %event.action, "a panel change is held for approval");
        Err(super::panel_changes::HeldBack {
            approval_id: id,
            href: format!("/o/{}/approvals/{id}", self.org().slug),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_action_and_rule_source() {
        let none = Value::Null;
        assert_eq!(
            ApprovalKind::of("server.delete", &none),
            Some(ApprovalKind::Delete)
        );
        assert_eq!(
            ApprovalKind::of("e2e_node.delete", &none),
            Some(ApprovalKind::Delete)
        );
        assert_eq!(ApprovalKind::of("server.snapshot_delete", &none), None);
        assert_eq!(
            ApprovalKind::of("e2e_node.reinstall", &none),
            Some(ApprovalKind::Reinstall)
        );
        assert_eq!(
            ApprovalKind::of("server.snapshot_restore", &none),
            Some(ApprovalKind::SnapshotRestore)
        );
        let open = json!({"rules": [{"source": "10.0.0.0/8"}, {"source": "0.0.0.0"}]});
        let closed = json!({"rules": [{"source": "10.0.0.0/8"}]});
        assert_eq!(
            ApprovalKind::of("firewall_policy.rule_add", &open),
            Some(ApprovalKind::FirewallOpen)
        );
        assert_eq!(ApprovalKind::of("firewall_policy.rule_add", &closed), None);
        assert_eq!(
            ApprovalKind::of("firewall_policy.create", &json!({"rules": [{}]})),
            Some(ApprovalKind::FirewallOpen)
        );
        assert_eq!(ApprovalKind::of("server.rename", &open), None);
        for kind in ApprovalKind::ALL {
            assert_eq!(ApprovalKind::parse(kind.key()), Some(kind));
        }
    }
}
