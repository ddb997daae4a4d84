//! The one door to an organisation's data.
//!
//! A member's [`Membership`] is loaded by [`Door::membership`]; passing a
//! permission check with [`Door::require`] yields a [`Tenant`] handle bound
//! to that organisation and to the permission checked. The handle is the
//! only way to the organisation's rows (cloud accounts, members, roles,
//! invitations, audit log) and to its cloud accounts' clients: the queries
//! live in the private `store` module, so a page cannot call them with a
//! bare pool and an id. Each method checks that the handle's permission is
//! the one it needs and refuses otherwise (fail closed), and every change it
//! makes commits together with its audit event.
//!
//! The few callers that need to cross organisations (the command line, the
//! invitation link, which comes before membership) use [`unguarded`].

mod accounts;
mod actor;
mod api_tokens;
mod approvals;
mod audit_log;
mod bulk;
mod cloud;
mod expiry;
mod members;
mod monitoring_alerts;
mod oidc_groups;
mod panel_changes;
mod queue;
mod queue_core;
mod roles;
mod schedules;
mod store;
pub mod unguarded;
mod webhooks;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::audit::{self, NewEvent, Outcome};
use crate::cloudpanel::{CloudPanel, Scope, SecretToken};
use crate::crypto::KeyRing;
use crate::db::Db;
use crate::db::cache::{self, Cached};
use crate::db::orgs::{self, Organisation};
use crate::rbac::{Permission, PermissionSet};

pub use actor::Actor;
pub use api_tokens::{Revoked as TokenRevoked, TokenUse};
pub use approvals::{
    ApprovalKind, Approved, HeldChange, Refusal as ApprovalRefusal,
    TIME_LIMIT_SECS as APPROVAL_TIME_LIMIT_SECS,
};
pub use bulk::{
    BulkAction, BulkFamily, BulkRun, CancelRefusal as BulkCancelRefusal, Filter as BulkFilter,
    MAX_ITEMS as BULK_MAX_ITEMS, Plan as BulkPlan, PlanItem as BulkPlanItem,
    Selection as BulkSelection,
};
pub use cloud::{CloudAccount, OpenError};
pub use oidc_groups::{GROUP_PREFIX, GroupSync, parse_groups, sync_group_memberships};
pub use panel_changes::HeldBack;
pub use queue::{AccountQueue, Cancelled, DrainClaim, Enqueued, QueueSummary, QueuedChange};
pub use schedules::{Due as ScheduleDue, NewSchedule, ScheduleRefusal, ScheduleRun, ScheduleView};
pub use store::accounts::{CloudAccountRow, Credentials, NameTaken, Provider};
pub use store::api_tokens::{
    Access as TokenAccess, ApiTokenRow, TOKEN_PREFIX, hash_token as hash_api_token,
};
pub use store::bulk::{ItemRow as BulkItem, RunRow as BulkRunRow};
pub use store::invitations::{
    Accepted, FoundInvitation, Invitation, InvitationState,
    LIFETIME_SECS as INVITATION_LIFETIME_SECS,
};
pub use store::members::{Change as MemberChange, Member};
pub use store::roles::{DeleteOutcome, RoleRow, RoleSummary, UpdateOutcome};
pub use store::webhook_deliveries::{AttemptRow as WebhookAttempt, DeliveryRow as WebhookDelivery};
pub use store::webhooks::EndpointRow as WebhookEndpoint;
pub use webhooks::{
    ALL_FAMILIES as WEBHOOK_ALL_FAMILIES, DeliveryLog as WebhookDeliveryLog, EndpointInput,
    FAMILY_GROUPS as WEBHOOK_FAMILY_GROUPS, FamilyChoice, Filter as WebhookFilter,
    FilterErrors as WebhookFilterErrors, OUTCOMES as WEBHOOK_OUTCOMES, Redelivery, WebhookClaim,
    WebhookSender,
};

/// An organisation's cloud accounts, the default first, as the cache holds
/// them: handing them out copies no row.
pub type AccountList = Arc<[Arc<CloudAccountRow>]>;

/// What the handles need: the database, the keys that open sealed tokens
/// and the Cloud Panel client. Built once at start-up.
pub struct Door {
    db: Db,
    keys: KeyRing,
    cloud: CloudPanel,
    /// The change queue's shared parts: its limit, and what wakes its worker.
    queue: Arc<queue_core::QueueCore>,
    /// The webhook worker's shared parts: endpoints in flight, and what
    /// wakes it for a redelivery.
    webhooks: Arc<webhooks::WebhookCore>,
    /// Rows every organisation page reads, kept between requests; any write
    /// to memberships, roles, organisations or cloud accounts outdates them
    /// at once (see [`crate::db::cache`]), so a changed role or a removed
    /// member applies to the very next request.
    cached: Remembered,
}

#[derive(Default)]
struct Remembered {
    /// By organisation address and user.
    memberships: Cached<(String, i64), Membership>,
    /// By organisation: its cloud accounts, the default first; shared, as
    /// every cloud page reads them.
    accounts: Cached<i64, AccountList>,
    /// By cloud account: its opened token.
    tokens: Cached<i64, SecretToken>,
    /// By the SHA-256 of an API token: the token and its organisation's
    /// address (every API request looks its token up).
    api_tokens: Cached<String, store::api_tokens::FoundToken>,
    /// By organisation: its requests waiting for a decision (id, kind,
    /// requester), which every page of a member who may decide counts.
    pending_approvals: Cached<i64, Arc<[store::approvals::Pending]>>,
}

/// A user's membership of one organisation: made only by [`Door::membership`].
/// Shared, not copied: every page of the member reads the same cached one.
#[derive(Debug, Clone)]
pub struct Membership(std::sync::Arc<Held>);

#[derive(Debug)]
struct Held {
    org: Organisation,
    role: RoleRow,
    user_id: i64,
    /// When the membership ends (Unix seconds); `None`: never.
    expires_at: Option<i64>,
    /// What the role is limited to; `None`: the whole organisation.
    scope: Option<Arc<Scope>>,
}

impl Membership {
    pub fn org(&self) -> &Organisation {
        &self.0.org
    }

    pub fn role(&self) -> &RoleRow {
        &self.0.role
    }

    pub fn user_id(&self) -> i64 {
        self.0.user_id
    }

    /// When the membership ends (Unix seconds), if it was given an end.
    pub fn expires_at(&self) -> Option<i64> {
        self.0.expires_at
    }

    /// What the member's role is limited to, if anything.
    pub fn scope(&self) -> Option<&Scope> {
        self.0.scope.as_deref()
    }

    /// Whether it has ended by `now`: then it opens nothing.
    fn ended(&self, now: i64) -> bool {
        self.0.expires_at.is_some_and(|end| end <= now)
    }

    /// Whether the member holds a permission: for hiding what they may not do.
    pub fn can(&self, permission: Permission) -> bool {
        self.0.role.can(permission)
    }
}

/// A refused permission check; its `denied` event is on record (or its
/// failure to record was logged: the answer is a refusal either way).
#[derive(Debug, Clone)]
pub struct Refused {
    pub permission: Permission,
    pub role_name: String,
}

/// A handle was asked for something its permission does not cover: a
/// mistake in the page, refused rather than guessed at.
#[derive(Debug, Clone, thiserror::Error)]
#[error("this request was granted {granted}, which does not allow {needed}")]
pub struct NotGranted {
    pub granted: String,
    pub needed: String,
}

/// What a handle was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    /// Only what every member may see: the member list, the roles, which
    /// cloud accounts exist.
    Member,
    Permission(Permission),
}

impl Grant {
    fn describe(self) -> String {
        match self {
            Self::Member => "membership only".to_owned(),
            Self::Permission(p) => p.key(),
        }
    }
}

impl Door {
    /// `change_queue_max`: how many changes may wait per cloud account.
    pub fn new(db: Db, keys: KeyRing, cloud: CloudPanel, change_queue_max: u32) -> Self {
        let queue = Arc::new(queue_core::QueueCore::new(
            change_queue_max,
            cloud.settings().rate_window,
        ));
        Self {
            db,
            keys,
            cloud,
            queue,
            webhooks: Arc::default(),
            cached: Remembered::default(),
        }
    }

    /// The user's membership of the organisation at `slug`; `None` when the
    /// organisation does not exist or the user is not a member (one answer,
    /// so existence does not leak).
    pub async fn membership(&self, slug: &str, user_id: i64) -> anyhow::Result<Option<Membership>> {
        let key = (slug.to_owned(), user_id);
        // A membership whose end has passed opens nothing from that moment,
        // cached or not, before the sweep removes it.
        let now = crate::db::now_unix();
        if let Some(member) = self.cached.memberships.get(&key) {
            return Ok(Some(member).filter(|m| !m.ended(now)));
        }
        let generation = cache::generation();
        let Some(org) = orgs::by_slug(&self.db, slug).await? else {
            return Ok(None);
        };
        let mut conn = self.conn().await?;
        let Some(held) = store::roles::of_member(&mut conn, org.id, user_id).await? else {
            return Ok(None);
        };
        // A scope that cannot be read opens nothing, rather than everything.
        let scope = match held.scope.as_deref().map(serde_json::from_str::<Scope>) {
            None => None,
            Some(Ok(scope)) => Some(Arc::new(scope)).filter(|s| s.is_limited()),
            Some(Err(e)) => {
                tracing::error!(org_id = org.id, user_id, error = %e, "a member's scope could not be read; the membership opens nothing");
                return Ok(None);
            }
        };
        let member = Some(Membership(Arc::new(Held {
            org,
            role: held.role,
            user_id,
            expires_at: held.expires_at,
            scope,
        })));
        if let Some(member) = &member {
            self.cached.memberships.put(key, member.clone(), generation);
        }
        Ok(member.filter(|m| !m.ended(now)))
    }

    /// The organisation's cloud accounts, the default first.
    async fn accounts(&self, org_id: i64) -> anyhow::Result<AccountList> {
        if let Some(accounts) = self.cached.accounts.get(&org_id) {
            return Ok(accounts);
        }
        let generation = cache::generation();
        let accounts: AccountList = store::accounts::list(&self.db, org_id)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        self.cached
            .accounts
            .put(org_id, accounts.clone(), generation);
        Ok(accounts)
    }

    /// The opened token of one of the organisation's cloud accounts.
    async fn token(&self, org_id: i64, account_id: i64) -> anyhow::Result<Option<SecretToken>> {
        if let Some(token) = self.cached.tokens.get(&account_id) {
            return Ok(Some(token));
        }
        let generation = cache::generation();
        let Some(opened) =
            store::accounts::open_token(&self.db, &self.keys, org_id, account_id).await?
        else {
            return Ok(None);
        };
        let token = SecretToken::new(opened.expose());
        self.cached
            .tokens
            .put(account_id, token.clone(), generation);
        Ok(Some(token))
    }

    /// Checks a permission. Passed: a handle bound to the organisation and
    /// the permission. Refused: a `denied` event naming `attempt` (what was
    /// asked for, such as the method and path).
    pub async fn require<'a>(
        &'a self,
        member: &'a Membership,
        actor: &Actor,
        permission: Permission,
        attempt: impl FnOnce() -> Value,
    ) -> Result<Tenant<'a>, Refused> {
        let tenant = Tenant {
            door: self,
            member,
            actor: actor.in_org(member.org().id),
            grant: Grant::Permission(permission),
        };
        if member.can(permission) {
            return Ok(tenant);
        }
        let mut details = json!({ "permission": permission.key(), "role": member.role().name });
        if let (Value::Object(into), Value::Object(from)) = (&mut details, attempt()) {
            into.extend(from);
        }
        tenant
            .deny(
                NewEvent::new(&permission.key(), Outcome::Denied)
                    .target("organisation", member.org().id, &member.org().slug)
                    .details(details)
                    .error(format!(
                        "the role {} lacks {permission}",
                        member.role().name
                    )),
            )
            .await;
        Err(Refused {
            permission,
            role_name: member.role().name.clone(),
        })
    }

    /// A handle for what every member may see.
    pub fn as_member<'a>(&'a self, member: &'a Membership, actor: &Actor) -> Tenant<'a> {
        Tenant {
            door: self,
            member,
            actor: actor.in_org(member.org().id),
            grant: Grant::Member,
        }
    }

    async fn conn(&self) -> anyhow::Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        use anyhow::Context;
        self.db
            .acquire()
            .await
            .context("Failed to reach the database")
    }
}

/// One organisation, reached through one passed permission check.
pub struct Tenant<'a> {
    door: &'a Door,
    member: &'a Membership,
    /// Who acts, with the organisation set.
    actor: Actor,
    grant: Grant,
}

impl Tenant<'_> {
    pub fn org(&self) -> &Organisation {
        self.member.org()
    }

    fn org_id(&self) -> i64 {
        self.member.org().id
    }

    /// Fails closed unless this handle was granted `permission`.
    fn needs(&self, permission: Permission) -> anyhow::Result<()> {
        self.needs_one(|| permission.key(), |p| p == permission)
    }

    /// Fails closed unless this handle was granted a permission that
    /// `allows` accepts; `needed` names them for the log.
    fn needs_one(
        &self,
        needed: impl FnOnce() -> String,
        allows: impl Fn(Permission) -> bool,
    ) -> anyhow::Result<()> {
        match self.grant {
            Grant::Permission(p) if allows(p) => Ok(()),
            other => Err(NotGranted {
                granted: other.describe(),
                needed: needed(),
            }
            .into()),
        }
    }

    /// Whether the member's own role holds every permission of `set`: no one
    /// hands out, or takes away, more than they hold.
    pub fn may_grant(&self, set: &PermissionSet) -> bool {
        set.missing_from(&self.member.role().permissions).is_empty()
    }

    /// The permissions of `set` the member's role lacks, as keys.
    pub fn missing(&self, set: &PermissionSet) -> Vec<String> {
        set.missing_from(&self.member.role().permissions)
            .iter()
            .map(|p| p.key())
            .collect()
    }

    /// Records a refusal. Refusing does not depend on the record: a failure
    /// to write it is logged and the request is refused all the same.
    pub async fn deny(&self, mut event: NewEvent) {
        event.outcome = Outcome::Denied;
        tracing::info!(
            org_id = self.org_id(),
            action = %event.action,
            "request refused"
        );
        if let Err(e) = audit::record(&self.door.db, self.actor.ctx(), event).await {
            tracing::error!(error = ?e, "failed to audit a refused request");
        }
    }

    /// Records an attempt that changed nothing (a token the Cloud Panel did
    /// not accept). Without its record, the caller reports an error.
    pub async fn record_attempt(&self, mut event: NewEvent) -> anyhow::Result<()> {
        event.outcome = Outcome::Failed;
        audit::record(&self.door.db, self.actor.ctx(), event).await
    }
}
