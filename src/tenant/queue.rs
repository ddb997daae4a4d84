//! The change queue behind the door (issue 22): a change that finds its
//! cloud account's request budget spent waits here instead of being turned
//! away, and one worker sends it when the budget allows.
//!
//! - [`CloudAccount::enqueue`]: a change the client parked goes in the
//!   queue, and its `queued` event commits with the row.
//! - The worker ([`Door::drain_queue`]): per account, the oldest waiting
//!   change is checked again as a request would be (membership, the
//!   permission it was checked with, the account), marked `running` and
//!   committed before it is sent, and finished with its outcome. A change
//!   left `running` by a panel that stopped is `abandoned` at the next
//!   start ([`Door::recover_queue`]): never sent twice.
//! - Pages: the queue per account ([`Tenant::queue`]), cancelling a waiting
//!   change ([`Tenant::cancel_queued`]) and the overview's line
//!   ([`Tenant::queue_summary`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::cloud::{CloudAccount, OpenError};
use super::queue_core::QueueCore;
use super::store::queue::{self as store, Finish, NewQueued, QueuedRow};
use super::{Door, Grant, NotGranted, Tenant};
use crate::audit::{self, LocalChange, NewEvent, Outcome};
use crate::cloudpanel::{AccountClient, BudgetSnapshot, CloudError, Parked, RawWrite};
use crate::rbac::Permission;
use crate::rbac::perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS as MANAGE;

pub use store::QueuedRow as QueuedChange;

/// Finished changes the queue page shows per account.
const FINISHED_SHOWN: i64 = 20;

/// Seconds until the change at `position` (1 = next) may be sent, from the
/// account's budget: now while the window has room for it, else after the
/// reset plus as many whole windows as the changes before it fill.
fn estimate_wait(position: u32, budget: Option<BudgetSnapshot>, window: Duration) -> u64 {
    let Some(b) = budget else {
        // No request yet this process: the account's budget is whole.
        return 0;
    };
    if position <= b.remaining {
        return 0;
    }
    let reset = b.resets_in.as_secs() + u64::from(b.resets_in.subsec_nanos() > 0);
    let windows = u64::from((position - b.remaining - 1) / b.limit.max(1));
    (reset + windows * window.as_secs()).max(1)
}

/// Where a change went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    Queued {
        id: i64,
        position: u32,
        wait_secs: u64,
    },
    /// The account's queue is full: the change is recorded `failed`.
    Full { waiting: u32, retry_after_secs: u64 },
}

/// The audit event of a queued change's outcome: the change's own action,
/// target and details, under its correlation id.
pub(super) fn event_of(row: &QueuedRow, outcome: Outcome) -> NewEvent {
    let mut event = NewEvent::new(&row.action, outcome)
        .target(&row.target_kind, &row.target_id, &row.target_name)
        .cloud_account(row.cloud_account_id)
        .details(row.details_json());
    event.correlation_id = Some(row.correlation_id.clone());
    event
}

impl CloudAccount {
    /// The client's parking slot, armed by the audited path of a change.
    pub fn parking(&self) -> &Parked {
        &self.parked
    }

    /// Whether changes of this account wait: a new one goes behind them.
    pub async fn has_waiting(&self) -> anyhow::Result<bool> {
        Ok(store::count_waiting(&self.db, self.row.id).await? > 0)
    }

    /// Seconds until the change at `position` in the account's queue may
    /// be sent, with the budget as it stands.
    pub(super) fn wait_for(&self, position: u32) -> u64 {
        estimate_wait(position, Some(self.client.budget()), self.queue.window)
    }

    /// Puts a change the client parked in the account's queue, its request
    /// sealed, and records `queued` under the change's correlation id in the
    /// same transaction. A full queue records the change `failed` instead.
    pub async fn enqueue(&self, pending: audit::Change, raw: RawWrite) -> anyhow::Result<Enqueued> {
        let mut change = LocalChange::begin(&self.db).await?;
        let waiting = store::count_waiting(change.conn(), self.row.id).await?;
        if waiting >= self.queue.max {
            // Nothing stored: the transaction rolls back before the outcome is recorded.
            drop(change);
            let retry_after_secs = self.wait_for(1).max(1);
            let full = CloudError::QueueFull {
                waiting,
                retry_after_secs,
            };
            pending
                .finish(Outcome::Failed, None, Some(full.user_message()))
                .await?;
            tracing::info!(
                account_id = self.row.id,
                waiting,
                "a change was refused: the account's queue is full"
            );
            return Ok(Enqueued::Full {
                waiting,
                retry_after_secs,
            });
        }
        let event = pending.event();
        let details = serde_json::to_string(&audit::redact(event.details.clone()))?;
        let permission = self.permission.key();
        let id = store::insert(
            change.conn(),
            &self.keys,
            NewQueued {
                org_id: self.row.org_id,
                cloud_account_id: self.row.id,
                ctx: pending.ctx(),
                permission: &permission,
                action: &event.action,
                target_kind: &event.target_kind,
                target_id: &event.target_id,
                target_name: &event.target_name,
                details: &details,
                correlation_id: pending.correlation_id(),
                request: &raw,
            },
        )
        .await?;
        let position = store::position(change.conn(), self.row.id, id).await?;
        let mut queued = event.clone();
        queued.outcome = Outcome::Queued;
        change.commit(pending.ctx(), queued).await?;
        self.queue.notify.notify_one();
        Ok(Enqueued::Queued {
            id,
            position,
            wait_secs: self.wait_for(position),
        })
    }
}

/// One cloud account's queue as the queue page shows it.
pub struct AccountQueue {
    pub account_id: i64,
    pub account_name: String,
    pub budget: Option<BudgetSnapshot>,
    /// Oldest first, with their place in line and estimated wait.
    pub waiting: Vec<(QueuedRow, u32, u64)>,
    /// The last finished ones, newest first.
    pub finished: Vec<QueuedRow>,
}

/// The overview's line for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSummary {
    pub waiting: u32,
    /// The estimated wait of the last waiting change.
    pub last_wait_secs: u64,
}

/// Why a cancel did not happen.
#[derive(Debug, Clone)]
pub enum Cancelled {
    Done(Box<QueuedRow>),
    /// It ran, is running or was cancelled meanwhile.
    NotWaiting(Box<QueuedRow>),
    NotFound,
}

impl Tenant<'_> {
    /// A queued change of the organisation; `None` for another
    /// organisation's or an unknown id (one answer).
    pub async fn queued_change(&self, id: i64) -> anyhow::Result<Option<QueuedRow>> {
        store::get(&self.door.db, self.org_id(), id).await
    }

    /// Every cloud account's queue: what waits, with its place and wait, and
    /// the last finished changes. Any member may see it.
    pub async fn queue(&self) -> anyhow::Result<Vec<AccountQueue>> {
        let accounts = self.door.accounts(self.org_id()).await?;
        let mut waiting = store::waiting(&self.door.db, self.org_id()).await?;
        let mut out = Vec::with_capacity(accounts.len());
        for account in accounts.iter() {
            let budget = self.door.cloud.budget(account.id);
            let mine: Vec<QueuedRow> = {
                let (mine, rest) = waiting
                    .into_iter()
                    .partition(|r| r.cloud_account_id == account.id);
                waiting = rest;
                mine
            };
            let waiting_rows = mine
                .into_iter()
                .zip(1u32..)
                .map(|(row, position)| {
                    let wait = estimate_wait(position, budget, self.door.queue.window);
                    (row, position, wait)
                })
                .collect();
            let finished =
                store::finished(&self.door.db, self.org_id(), account.id, FINISHED_SHOWN).await?;
            out.push(AccountQueue {
                account_id: account.id,
                account_name: account.name.clone(),
                budget,
                waiting: waiting_rows,
                finished,
            });
        }
        Ok(out)
    }

    /// Per cloud account: how many changes wait and when the last runs.
    pub async fn queue_summary(&self) -> anyhow::Result<Vec<(i64, QueueSummary)>> {
        let waiting = store::waiting(&self.door.db, self.org_id()).await?;
        let accounts = self.door.accounts(self.org_id()).await?;
        Ok(accounts
            .iter()
            .map(|account| {
                let n = u32::try_from(
                    waiting
                        .iter()
                        .filter(|r| r.cloud_account_id == account.id)
                        .count(),
                )
                .unwrap_or(u32::MAX);
                let last_wait_secs = if n == 0 {
                    0
                } else {
                    estimate_wait(
                        n,
                        self.door.cloud.budget(account.id),
                        self.door.queue.window,
                    )
                };
                (
                    account.id,
                    QueueSummary {
                        waiting: n,
                        last_wait_secs,
                    },
                )
            })
            .collect())
    }

    /// Takes a waiting change out of the queue, recording `cancelled` in
    /// the same transaction. Its author may, through any handle; anyone
    /// else needs a handle granted `organisation.manage_cloud_accounts`.
    /// Only a change still waiting is cancelled: the statement itself
    /// checks, so it cannot race the worker.
    pub async fn cancel_queued(&self, id: i64) -> anyhow::Result<Cancelled> {
        self.cancel_queued_via(id, None).await
    }

    /// [`Self::cancel_queued`], by a script: its event names the API token
    /// it came with, by id.
    pub async fn cancel_queued_via(
        &self,
        id: i64,
        api_access_id: Option<i64>,
    ) -> anyhow::Result<Cancelled> {
        let Some(row) = self.queued_change(id).await? else {
            return Ok(Cancelled::NotFound);
        };
        let own = row.user_id == Some(self.member.user_id());
        if !own && self.grant != Grant::Permission(MANAGE) {
            return Err(NotGranted {
                granted: self.grant.describe(),
                needed: MANAGE.key(),
            }
            .into());
        }
        self.cancel_queued_row(row, api_access_id).await
    }

    /// Cancels a waiting change whose cancelling the caller has allowed,
    /// with its `cancelled` event by this member.
    pub(super) async fn cancel_queued_row(
        &self,
        row: QueuedRow,
        api_access_id: Option<i64>,
    ) -> anyhow::Result<Cancelled> {
        let id = row.id;
        let own = row.user_id == Some(self.member.user_id());
        let mut change = LocalChange::begin(&self.door.db).await?;
        if !store::cancel(change.conn(), self.org_id(), id).await? {
            return Ok(Cancelled::NotWaiting(Box::new(row)));
        }
        let mut event = event_of(&row, Outcome::Cancelled);
        if !own {
            event = event.details(serde_json::json!({
                "queued_by": row.actor_label,
                "change": row.details_json(),
            }));
        }
        if let Some(access) = api_access_id {
            match &mut event.details {
                serde_json::Value::Object(map) => {
                    map.insert("api_access_id".into(), access.into());
                }
                details => *details = serde_json::json!({ "api_access_id": access }),
            }
        }
        change.commit(self.actor.ctx(), event).await?;
        Ok(Cancelled::Done(Box::new(row)))
    }
}

/// An account whose queue one task is sending; released when dropped.
pub struct DrainClaim {
    core: Arc<QueueCore>,
    account_id: i64,
}

impl Drop for DrainClaim {
    fn drop(&mut self) {
        self.core.draining().remove(&self.account_id);
    }
}

/// Why a queued change may no longer be sent.
struct Refusal(String);

impl Door {
    /// Changes left `running` when the panel stopped become `abandoned`,
    /// each with its event: whether they reached the API is unknown, so
    /// they are never sent again. Runs once, before the worker starts.
    pub async fn recover_queue(&self) -> anyhow::Result<usize> {
        let rows = store::running(&self.db).await?;
        let mut abandoned = 0;
        for row in rows {
            let error = "the panel stopped while sending this change; it was not sent again";
            let mut change = LocalChange::begin(&self.db).await?;
            let end = Finish {
                state: "abandoned",
                upstream_status: None,
                error: Some(error),
                target_id: "",
                target_name: "",
            };
            if !store::finish(change.conn(), row.id, "running", &end).await? {
                continue;
            }
            change
                .commit(
                    &row.audit_ctx(),
                    event_of(&row, Outcome::Abandoned).error(error),
                )
                .await?;
            abandoned += 1;
        }
        Ok(abandoned)
    }

    /// The cloud accounts with a change waiting.
    pub async fn queued_accounts(&self) -> anyhow::Result<Vec<i64>> {
        store::accounts_with_queued(&self.db).await
    }

    /// Claims an account's queue for one task; `None` while another sends it.
    pub fn claim_queue(&self, account_id: i64) -> Option<DrainClaim> {
        if !self.queue.draining().insert(account_id) {
            return None;
        }
        Some(DrainClaim {
            core: self.queue.clone(),
            account_id,
        })
    }

    /// Waits until a change is queued or `tick` passes.
    pub async fn queue_wait(&self, tick: Duration) {
        let _ = tokio::time::timeout(tick, self.queue.notify.notified()).await;
    }

    /// Stops the worker: no further change is started.
    pub fn stop_queue(&self) {
        self.queue.stopped.store(true, Ordering::SeqCst);
        self.queue.notify.notify_one();
    }

    pub fn queue_stopped(&self) -> bool {
        self.queue.stopped.load(Ordering::SeqCst)
    }

    /// Sends the account's waiting changes in order, one at a time, while
    /// its budget allows; returns when it has nothing to send or no budget.
    pub async fn drain_queue(&self, claim: &DrainClaim) -> anyhow::Result<()> {
        let account_id = claim.account_id;
        while !self.queue_stopped() {
            let Some(row) = store::head(&self.db, account_id).await? else {
                return Ok(());
            };
            let client = match self.recheck(&row).await? {
                Ok(client) => client,
                Err(Refusal(why)) => {
                    self.drop_queued(&row, &why).await?;
                    continue;
                }
            };
            // The next change waits for the budget; the tick comes back for it.
            if client.budget().remaining == 0 {
                return Ok(());
            }
            let raw = match store::open_request(&self.db, &self.keys, &row).await {
                Ok(raw) => raw,
                Err(e) => {
                    tracing::error!(queue_id = row.id, error = ?e, "a queued change could not be opened");
                    let end = Finish {
                        state: "failed",
                        upstream_status: None,
                        error: Some(
                            "the panel could not open the stored request (was the master key replaced?); nothing was sent",
                        ),
                        target_id: "",
                        target_name: "",
                    };
                    self.finish_queued(&row, "queued", &end, Outcome::Failed)
                        .await?;
                    continue;
                }
            };
            // The object is between states (the change before this one is
            // still under way): the API would refuse the change now, so it
            // waits for the state to settle, for a while at most.
            if !waited_past_settle_limit(&row) && client.target_busy(&raw).await {
                return Ok(());
            }
            // Committed before anything is sent: a panel that stops from
            // here on leaves the change `running`, and it is not sent again.
            {
                let mut conn = self.conn().await?;
                if !store::start(&mut conn, row.id).await? {
                    // Cancelled meanwhile.
                    continue;
                }
            }
            match client.send_raw(&raw).await {
                // Refused for the budget, by the panel or by the API's 429:
                // nothing was done, so it goes back to its place in line.
                Err(CloudError::RateLimited { .. }) => {
                    store::requeue(&self.db, row.id).await?;
                    return Ok(());
                }
                Ok(answer) => {
                    let (id, name) = named(&answer);
                    let end = Finish {
                        state: "succeeded",
                        upstream_status: None,
                        error: None,
                        target_id: &id,
                        target_name: &name,
                    };
                    self.finish_queued(&row, "running", &end, Outcome::Succeeded)
                        .await?;
                }
                Err(e) => {
                    tracing::info!(queue_id = row.id, action = %row.action, error = %e, "a queued change failed upstream");
                    let message = e.user_message_for(client.api_name());
                    let end = Finish {
                        state: "failed",
                        upstream_status: e.status(),
                        error: Some(&message),
                        target_id: "",
                        target_name: "",
                    };
                    self.finish_queued(&row, "running", &end, Outcome::Failed)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Ends a change in state `from` with its audit event, in one transaction.
    async fn finish_queued(
        &self,
        row: &QueuedRow,
        from: &str,
        end: &Finish<'_>,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        let mut change = LocalChange::begin(&self.db).await?;
        if !store::finish(change.conn(), row.id, from, end).await? {
            return Ok(());
        }
        let mut event = event_of(row, outcome);
        if !end.target_id.is_empty() {
            event.target_id = end.target_id.to_owned();
        }
        if !end.target_name.is_empty() {
            event.target_name = end.target_name.to_owned();
        }
        event.upstream_status = end.upstream_status;
        event.error = end.error.map(str::to_owned);
        change.commit(&row.audit_ctx(), event).await
    }

    /// A change its author may no longer make, or whose account is gone:
    /// `dropped`, recorded as `denied`, never sent.
    async fn drop_queued(&self, row: &QueuedRow, why: &str) -> anyhow::Result<()> {
        tracing::info!(queue_id = row.id, action = %row.action, why, "a queued change was dropped");
        let error = format!("not sent: {why}");
        let end = Finish {
            state: "dropped",
            upstream_status: None,
            error: Some(&error),
            target_id: "",
            target_name: "",
        };
        self.finish_queued(row, "queued", &end, Outcome::Denied)
            .await
    }

    /// Checks a queued change again as its request was checked: the
    /// organisation and the member's membership (an enabled user), the
    /// permission it was checked with in their role today, then the account
    /// opened the way [`Tenant::cloud`] opens it, its client granted that
    /// permission only.
    async fn recheck(&self, row: &QueuedRow) -> anyhow::Result<Result<AccountClient, Refusal>> {
        let refuse = |why: String| Ok(Err(Refusal(why)));
        let Some(org) = crate::db::orgs::by_id(&self.db, row.org_id).await? else {
            return refuse("the organisation no longer exists".into());
        };
        let Some(user_id) = row.user_id else {
            return refuse("it was queued by no member".into());
        };
        let enabled = crate::db::users::by_id(&self.db, user_id)
            .await?
            .is_some_and(|u| !u.disabled);
        if !enabled {
            return refuse(format!("{} can no longer sign in", row.actor_label));
        }
        let Some(member) = self.membership(&org.slug, user_id).await? else {
            return refuse(format!(
                "{} is no longer a member of {}",
                row.actor_label, org.name
            ));
        };
        let Ok(permission) = Permission::parse(&row.permission) else {
            return refuse(format!("the permission {} is unknown", row.permission));
        };
        if permission.group() == "organisation" || !member.can(permission) {
            return refuse(format!(
                "the role {} of {} no longer has {}",
                member.role().name,
                row.actor_label,
                permission.key()
            ));
        }
        let provider = super::cloud::provider_of(permission);
        let scope = member.scope();
        match self
            .open_cloud(org.id, Some(row.cloud_account_id), Some(provider), scope)
            .await
        {
            // Granted the change's recorded permission and limited to the
            // member's scope as it is now, as `Tenant::cloud` does: the
            // change is checked against both again when it is sent.
            Ok(opened) => {
                let client = opened.client.granted(&permission.key());
                Ok(Ok(match scope {
                    Some(scope) => client.scoped(crate::cloudpanel::ScopeGuard {
                        scope: scope.clone(),
                        witness: None,
                    }),
                    None => client,
                }))
            }
            Err(OpenError::NotFound | OpenError::NoAccount { .. }) => {
                refuse("the cloud account no longer exists".into())
            }
            Err(OpenError::UnknownProvider(kind)) => refuse(format!(
                "the cloud account is of a kind ({kind}) this panel cannot open"
            )),
            Err(e @ OpenError::OtherProvider { .. }) => refuse(e.to_string()),
            Err(OpenError::Failed(e)) => Err(e),
        }
    }
}

/// How long a change waits for its object to settle at most: past it, it
/// is sent and the API says whether it can be done (an object stuck between
/// states must not hold the account's queue for ever).
const SETTLE_LIMIT: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Whether the change has waited past [`SETTLE_LIMIT`] (or its time cannot
/// be read, which holds nothing).
fn waited_past_settle_limit(row: &QueuedRow) -> bool {
    chrono::DateTime::parse_from_rfc3339(&row.created_at).map_or(true, |created| {
        chrono::Utc::now().signed_duration_since(created) > SETTLE_LIMIT
    })
}

/// The object an answer names, for the outcome's target.
fn named(answer: &Value) -> (String, String) {
    let text = |key: &str| {
        answer
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (text("id"), text("name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(limit: u32, remaining: u32, resets_in: u64) -> Option<BudgetSnapshot> {
        Some(BudgetSnapshot {
            limit,
            remaining,
            resets_in: Duration::from_secs(resets_in),
            from_headers: true,
        })
    }

    #[test]
    fn a_change_runs_now_while_the_window_has_room_and_after_the_resets_beyond() {
        let window = Duration::from_secs(60);
        assert_eq!(estimate_wait(1, None, window), 0);
        assert_eq!(estimate_wait(2, budget(25, 3, 40), window), 0);
        assert_eq!(estimate_wait(3, budget(25, 3, 40), window), 0);
        assert_eq!(estimate_wait(4, budget(25, 3, 40), window), 40);
        assert_eq!(estimate_wait(28, budget(25, 3, 40), window), 40);
        assert_eq!(estimate_wait(29, budget(25, 3, 40), window), 100);
        assert_eq!(estimate_wait(1, budget(25, 0, 0), window), 1);
    }

    #[test]
    fn the_outcome_names_what_the_answer_names() {
        let answer = serde_json::json!({ "id": "AB12", "name": "web-1", "status": {} });
        assert_eq!(named(&answer), ("AB12".to_owned(), "web-1".to_owned()));
        assert_eq!(
            named(&serde_json::json!([1, 2])),
            (String::new(), String::new())
        );
    }
}
