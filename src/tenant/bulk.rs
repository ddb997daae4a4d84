//! Bulk actions: one action on many servers of a cloud account, chosen by
//! ticking rows or by a filter (name prefix, datacenter, state).
//!
//! - [`CloudAccount::plan_bulk`] is the dry run: from the cached list (no
//!   request of its own when the list is fresh), each chosen server with
//!   what will happen to it or why it is skipped (wrong state, gone or
//!   outside the member's scope, a kind held for approval), and how long
//!   the requests will take with the account's budget and queue as they
//!   stand.
//! - [`CloudAccount::run_bulk`] stores the run and its items, then puts
//!   each item's change in the account's change queue, with its
//!   `requested` and `queued` events, through the client's own checks
//!   (grant, scope): the queue's worker sends them one by one as the
//!   budget allows, checking the member's permission and scope again
//!   before each. An item's outcome is its queued change's.
//! - [`Tenant::cancel_bulk`] takes the items still waiting out of the
//!   queue, each with its `cancelled` event.
//!
//! Nothing here spends the budget blindly: a bulk stop of 30 servers is 30
//! changes in the queue, sent as the budget allows, behind the changes
//! already waiting, while members' reads keep their share.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Tenant;
use super::cloud::CloudAccount;
use super::queue::Enqueued;
use super::store::bulk::{self as store, ItemRow, NewItem, NewRun, RunRow};
use super::store::queue as queue_store;
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::cloudpanel::servers::{PowerAction, PowerMethod, Server, ServerAction};
use crate::cloudpanel::{CloudError, ListQuery};
use crate::rbac::{Permission, perms};

/// The most items one bulk run takes: four minutes of the whole budget.
pub const MAX_ITEMS: usize = 100;

/// What a bulk run does to each server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    PowerOff,
    PowerOn,
    Reboot,
    Snapshot,
    Delete,
}

impl BulkAction {
    pub const ALL: [Self; 5] = [
        Self::PowerOff,
        Self::PowerOn,
        Self::Reboot,
        Self::Snapshot,
        Self::Delete,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::PowerOff => "power_off",
            Self::PowerOn => "power_on",
            Self::Reboot => "reboot",
            Self::Snapshot => "snapshot",
            Self::Delete => "delete",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::PowerOff => "Power off",
            Self::PowerOn => "Power on",
            Self::Reboot => "Reboot",
            Self::Snapshot => "Take a snapshot",
            Self::Delete => "Delete",
        }
    }

    /// The flag a member needs, as for the same change on one server's page.
    pub fn permission(self) -> Permission {
        match self {
            Self::PowerOff => perms::SERVERS_SHUTDOWN,
            Self::PowerOn => perms::SERVERS_START,
            Self::Reboot => perms::SERVERS_RESTART,
            Self::Snapshot => perms::SERVERS_MANAGE_SNAPSHOT,
            Self::Delete => perms::SERVERS_DELETE,
        }
    }

    /// The audit action, the same as the one server's page records.
    pub fn audit_action(self) -> &'static str {
        match self {
            Self::PowerOff => "server.power_off",
            Self::PowerOn => "server.power_on",
            Self::Reboot => "server.reboot",
            Self::Snapshot => "server.snapshot_create",
            Self::Delete => "server.delete",
        }
    }

    /// Why `server` is left out of this action, if it is.
    fn skip_reason(self, server: &Server) -> Option<String> {
        let state = &server.status.state;
        if state.is_transitional() {
            return Some(format!(
                "it is {} now; try again when it has settled",
                state.as_str().to_lowercase().replace('_', " ")
            ));
        }
        match self {
            Self::PowerOff | Self::Reboot if !state.is_running() => {
                Some("it is already powered off".into())
            }
            Self::PowerOn if state.is_running() => Some("it is already powered on".into()),
            Self::Snapshot if server.snapshot.is_some() => Some(
                "it already has a snapshot (the Cloud Panel keeps one per server); delete it first"
                    .into(),
            ),
            _ => None,
        }
    }

    /// The request's details for the audit log, as the server's page records them.
    fn details(self) -> Value {
        match self {
            Self::PowerOff | Self::Reboot => {
                json!({ "action": self.power().map(|a| a.as_str().to_owned()), "method": "SOFTWARE", "recovery_image_id": null })
            }
            Self::PowerOn => {
                json!({ "action": "POWER_ON", "method": null, "recovery_image_id": null })
            }
            Self::Snapshot => Value::Null,
            Self::Delete => json!({ "keep_ip": false }),
        }
    }

    fn power(self) -> Option<PowerAction> {
        match self {
            Self::PowerOff => Some(PowerAction::PowerOff),
            Self::PowerOn => Some(PowerAction::PowerOn),
            Self::Reboot => Some(PowerAction::Reboot),
            Self::Snapshot | Self::Delete => None,
        }
    }
}

/// Everything a filter matches: each part left empty matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub name_prefix: String,
    /// A datacenter's id or its location (`es`, `US`: any case).
    pub datacenter: String,
    /// `POWERED_ON` or `POWERED_OFF`.
    pub state: String,
}

impl Filter {
    fn matches(&self, server: &Server) -> bool {
        server.name.starts_with(&self.name_prefix)
            && (self.datacenter.is_empty()
                || server.datacenter.id == self.datacenter
                || server
                    .datacenter
                    .location
                    .eq_ignore_ascii_case(&self.datacenter)
                || server
                    .datacenter
                    .country_code
                    .eq_ignore_ascii_case(&self.datacenter))
            && (self.state.is_empty() || server.status.state.as_str() == self.state)
    }

    pub fn is_empty(&self) -> bool {
        self.name_prefix.is_empty() && self.datacenter.is_empty() && self.state.is_empty()
    }
}

/// Which servers a bulk action takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Selection {
    /// The rows a member ticked, by id.
    Rows { ids: Vec<String> },
    /// Everything the filter matches when the run starts.
    Filter(Filter),
}

/// One server of a dry run.
#[derive(Debug, Clone)]
pub struct PlanItem {
    pub id: String,
    pub name: String,
    pub state: String,
    pub datacenter: String,
    /// Why it is left out; `None` when the action runs on it.
    pub skip: Option<String>,
}

/// A dry run: what would happen to each server, and how long it would take.
#[derive(Debug, Clone)]
pub struct Plan {
    pub action: BulkAction,
    pub selection: Selection,
    pub items: Vec<PlanItem>,
    /// Changes already waiting in the account's queue, ahead of these.
    pub ahead: u32,
    /// Seconds until the last of these may be sent, from the budget now.
    pub estimate_secs: u64,
    /// How old the list it was made from is, and why, when not fresh.
    pub list_age_secs: u64,
    pub stale_reason: Option<String>,
}

impl Plan {
    /// How many requests the run sends.
    pub fn requests(&self) -> usize {
        self.items.iter().filter(|i| i.skip.is_none()).count()
    }
}

/// A bulk run with its items, as its progress page shows it.
pub struct BulkRun {
    pub run: RunRow,
    pub items: Vec<ItemRow>,
}

impl BulkRun {
    /// Whether any item still waits or is being sent.
    pub fn is_open(&self) -> bool {
        self.run.open_items > 0
    }
}

/// Why a bulk run was not cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelRefusal {
    NotFound,
    /// Only its requester, or a member who manages cloud accounts.
    NotTheirs,
}

impl CloudAccount {
    /// The dry run of `action` on `selection`: from the account's list of
    /// servers as the member may see it (their scope applied), each chosen
    /// server with what will happen to it, and the estimate.
    pub async fn plan_bulk(
        &self,
        action: BulkAction,
        selection: Selection,
    ) -> Result<anyhow::Result<Plan>, CloudError> {
        let fetched = self.client.list_servers_shared(&ListQuery::all()).await?;
        let age = fetched.age().as_secs();
        let stale = fetched
            .stale_reason
            .as_ref()
            .map(|r| r.describe_for(self.client.api_name()));
        Ok(self
            .plan_from(action, selection, &fetched.value, age, stale)
            .await)
    }

    async fn plan_from(
        &self,
        action: BulkAction,
        selection: Selection,
        servers: &[Server],
        list_age_secs: u64,
        stale_reason: Option<String>,
    ) -> anyhow::Result<Plan> {
        let held = {
            let probe = NewEvent::new(action.audit_action(), Outcome::Requested);
            self.approval_needed(&probe).await?
        };
        let item = |s: &Server| PlanItem {
            id: s.id.clone(),
            name: s.name.clone(),
            state: s.status.state.as_str().to_owned(),
            datacenter: s.datacenter.location.clone(),
            skip: match held {
                Some(_) => Some(
                    "this organisation holds this kind of change for a second member's \
                     approval: make it on the server's own page"
                        .into(),
                ),
                None => action.skip_reason(s),
            },
        };
        let mut items: Vec<PlanItem> = match &selection {
            Selection::Rows { ids } => ids
                .iter()
                .map(|id| match servers.iter().find(|s| &s.id == id) {
                    Some(s) => item(s),
                    None => PlanItem {
                        id: id.clone(),
                        name: id.clone(),
                        state: String::new(),
                        datacenter: String::new(),
                        skip: Some("not found, or outside what your role covers".into()),
                    },
                })
                .collect(),
            Selection::Filter(filter) => servers
                .iter()
                .filter(|s| filter.matches(s))
                .map(item)
                .collect(),
        };
        let mut running = 0usize;
        for i in &mut items {
            if i.skip.is_none() {
                running += 1;
                if running > MAX_ITEMS {
                    i.skip = Some(format!("a bulk action takes {MAX_ITEMS} servers at most"));
                }
            }
        }
        let ahead = queue_store::count_waiting(&self.db, self.row.id).await?;
        let requests = u32::try_from(running.min(MAX_ITEMS)).unwrap_or(u32::MAX);
        let estimate_secs = if requests == 0 {
            0
        } else {
            self.wait_for(ahead + requests)
        };
        Ok(Plan {
            action,
            selection,
            items,
            ahead,
            estimate_secs,
            list_age_secs,
            stale_reason,
        })
    }

    /// Starts a bulk run of `plan` (a fresh dry run: the caller makes it
    /// just before): stores it, audited as `bulk.start`, then puts each
    /// item's change in the queue. Returns the run's id.
    pub async fn run_bulk(&self, plan: &Plan, schedule_id: Option<i64>) -> anyhow::Result<i64> {
        let ctx = self.actor.ctx().clone();
        let now = crate::db::now_unix();
        let selection = serde_json::to_string(&plan.selection)?;
        let mut change = LocalChange::begin(&self.db).await?;
        let run_id = store::insert_run(
            change.conn(),
            NewRun {
                org_id: self.row.org_id,
                cloud_account_id: self.row.id,
                family: "servers",
                action: plan.action.key(),
                requester_id: ctx.actor_id,
                requester_label: &ctx.actor_label,
                selection: &selection,
                schedule_id,
                estimate_secs: i64::try_from(plan.estimate_secs).unwrap_or(i64::MAX),
                now,
            },
        )
        .await?;
        for (position, item) in (1i64..).zip(&plan.items) {
            store::insert_item(
                change.conn(),
                NewItem {
                    run_id,
                    position,
                    target_id: &item.id,
                    target_name: &item.name,
                    skipped: item.skip.as_deref(),
                    queue_id: None,
                },
            )
            .await?;
        }
        let skipped: Vec<Value> = plan
            .items
            .iter()
            .filter_map(|i| {
                i.skip
                    .as_ref()
                    .map(|why| json!({ "id": i.id, "name": i.name, "why": why }))
            })
            .collect();
        let event = NewEvent::new("bulk.start", Outcome::Succeeded)
            .target("bulk_run", run_id, plan.action.title())
            .cloud_account(self.row.id)
            .details(json!({
                "action": plan.action.key(),
                "selection": plan.selection,
                "requests": plan.requests(),
                "skipped": skipped,
                "estimate_secs": plan.estimate_secs,
                "schedule_id": schedule_id,
            }));
        change.commit(&ctx, event).await?;

        for (position, item) in (1i64..).zip(&plan.items) {
            if item.skip.is_some() {
                continue;
            }
            let outcome = self.queue_item(plan.action, run_id, item).await?;
            let mut conn = self
                .db
                .acquire()
                .await
                .context("Failed to reach the database")?;
            match outcome {
                Ok(queue_id) => store::set_queue_id(&mut conn, run_id, position, queue_id).await?,
                Err(why) => store::set_skipped(&mut conn, run_id, position, &why).await?,
            }
        }
        Ok(run_id)
    }

    /// Puts one item's change in the queue through the client's checks:
    /// `Ok` with its queue row, or `Err` with why it was not (its
    /// `requested` event then has its outcome).
    async fn queue_item(
        &self,
        action: BulkAction,
        run_id: i64,
        item: &PlanItem,
    ) -> anyhow::Result<Result<i64, String>> {
        let mut details = action.details();
        match &mut details {
            Value::Object(map) => {
                map.insert("bulk_run_id".into(), run_id.into());
            }
            other => *other = json!({ "bulk_run_id": run_id }),
        }
        let event = NewEvent::new(action.audit_action(), Outcome::Requested)
            .target("server", &item.id, &item.name)
            .details(details);
        let pending = self.request(event).await?;
        // Every item waits in the queue, behind what waits already.
        let parking = self.parking();
        parking.arm(true);
        let result = match action.power() {
            Some(power) => {
                let body = ServerAction {
                    method: (power != PowerAction::PowerOn).then_some(PowerMethod::Software),
                    action: power,
                    recovery_mode: None,
                    recovery_image_id: None,
                };
                self.client.server_action(&item.id, &body).await.map(|_| ())
            }
            None if action == BulkAction::Snapshot => self
                .client
                .create_server_snapshot(&item.id)
                .await
                .map(|_| ()),
            None => self.client.delete_server(&item.id, false).await.map(|_| ()),
        };
        let parked = parking.disarm();
        match (result, parked) {
            (Err(CloudError::Queued { .. }), Some(raw)) => {
                match self.enqueue(pending, raw).await? {
                    Enqueued::Queued { id, .. } => Ok(Ok(id)),
                    Enqueued::Full { waiting, .. } => Ok(Err(format!(
                        "the account's queue was full ({waiting} changes waiting)"
                    ))),
                }
            }
            (Err(e), _) => {
                let message = e.user_message_for(self.client.api_name());
                pending
                    .finish(Outcome::Failed, e.status(), Some(message.clone()))
                    .await?;
                Ok(Err(message))
            }
            // Sent at once although the slot parks every change: it was
            // not parked, so record what it did.
            (Ok(()), _) => {
                pending.finish(Outcome::Succeeded, None, None).await?;
                Ok(Err("sent at once".into()))
            }
        }
    }
}

impl Tenant<'_> {
    /// Whether this member sees `run`: a member whose role is limited to
    /// a scope sees only their own runs (another's may name servers
    /// outside the scope).
    fn sees(&self, run: &RunRow) -> bool {
        self.member.scope().is_none() || run.requester_id == Some(self.member.user_id())
    }

    /// One of the organisation's bulk runs with its items.
    pub async fn bulk_run(&self, id: i64) -> anyhow::Result<Option<BulkRun>> {
        let Some(run) = store::get(&self.door.db, self.org_id(), id)
            .await?
            .filter(|r| self.sees(r))
        else {
            return Ok(None);
        };
        let items = store::items(&self.door.db, run.id).await?;
        Ok(Some(BulkRun { run, items }))
    }

    /// The organisation's latest bulk runs, newest first.
    pub async fn bulk_runs(&self, limit: i64) -> anyhow::Result<Vec<RunRow>> {
        let mut runs = store::recent(&self.door.db, self.org_id(), limit).await?;
        runs.retain(|r| self.sees(r));
        Ok(runs)
    }

    /// Cancels a bulk run: its items still waiting leave the queue, each
    /// with its `cancelled` event, and the run's `bulk.cancel` event says
    /// how many. Its requester may, or a member who manages cloud accounts.
    pub async fn cancel_bulk(&self, id: i64) -> anyhow::Result<Result<usize, CancelRefusal>> {
        let Some(run) = self.bulk_run(id).await? else {
            return Ok(Err(CancelRefusal::NotFound));
        };
        let own = run.run.requester_id == Some(self.member.user_id());
        if !own && !self.member.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS) {
            self.deny(
                NewEvent::new("bulk.cancel", Outcome::Denied)
                    .target("bulk_run", id, &run.run.action)
                    .cloud_account(run.run.cloud_account_id)
                    .error("only its requester or a member who manages cloud accounts"),
            )
            .await;
            return Ok(Err(CancelRefusal::NotTheirs));
        }
        let mut cancelled = 0;
        for item in run
            .items
            .iter()
            .filter(|i| i.state.as_deref() == Some("queued"))
        {
            let Some(queue_id) = item.queue_id else {
                continue;
            };
            let Some(row) = self.queued_change(queue_id).await? else {
                continue;
            };
            if matches!(
                self.cancel_queued_row(row, None).await?,
                super::queue::Cancelled::Done(_)
            ) {
                cancelled += 1;
            }
        }
        let mut change = LocalChange::begin(&self.door.db).await?;
        store::cancel(change.conn(), self.org_id(), id, crate::db::now_unix()).await?;
        let event = NewEvent::new("bulk.cancel", Outcome::Succeeded)
            .target("bulk_run", id, &run.run.action)
            .cloud_account(run.run.cloud_account_id)
            .details(json!({ "cancelled": cancelled }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Ok(cancelled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_name_the_pages_flags() {
        for action in BulkAction::ALL {
            assert_eq!(BulkAction::parse(action.key()), Some(action));
            assert!(action.audit_action().starts_with("server."));
        }
        assert_eq!(BulkAction::PowerOff.permission(), perms::SERVERS_SHUTDOWN);
        assert_eq!(BulkAction::parse("format"), None);
    }

    #[test]
    fn a_selection_is_stored_as_tagged_json() {
        let rows = Selection::Rows {
            ids: vec!["A".into()],
        };
        let text = serde_json::to_string(&rows).unwrap_or_default();
        assert_eq!(text, r#"{"by":"rows","ids":["A"]}"#);
        let filter = Selection::Filter(Filter {
            name_prefix: "dev-".into(),
            ..Filter::default()
        });
        let back: Selection =
            serde_json::from_str(&serde_json::to_string(&filter).unwrap_or_default())
                .unwrap_or(rows);
        assert_eq!(back, filter);
    }
}
