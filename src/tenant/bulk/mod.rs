//! Bulk actions: one action on many objects of a cloud account (a Cloud
//! Panel account's servers, storages, public IPs, private networks or
//! VPNs; an E2E account's nodes), chosen by ticking rows or by a filter (name prefix, datacenter,
//! state).
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

mod action;
mod target;

pub use action::{BulkAction, BulkFamily};
pub use target::Filter;
use target::Target;

use super::Tenant;
use super::cloud::CloudAccount;
use super::queue::Enqueued;
use super::store::bulk::{self as store, ItemRow, NewItem, NewRun, RunRow};
use super::store::queue as queue_store;
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::cloudpanel::e2e::NodeAction;
use crate::cloudpanel::servers::{PowerAction, PowerMethod, ServerAction};
use crate::cloudpanel::{CloudError, ListQuery};
use crate::rbac::perms;

/// The most items one bulk run takes: four minutes of the whole budget.
pub const MAX_ITEMS: usize = 100;

/// Which objects a bulk action takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Selection {
    /// The rows a member ticked, by id.
    Rows { ids: Vec<String> },
    /// Everything the filter matches when the run starts.
    Filter(Filter),
}

/// One object of a dry run.
#[derive(Debug, Clone)]
pub struct PlanItem {
    pub id: String,
    pub name: String,
    pub state: String,
    pub datacenter: String,
    /// Why it is left out; `None` when the action runs on it.
    pub skip: Option<String>,
    /// What a delete's audit event records of it.
    delete_details: Value,
}

/// A dry run: what would happen to each object, and how long it would take.
#[derive(Debug, Clone)]
pub struct Plan {
    pub family: BulkFamily,
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
    /// The dry run of `action` on `selection` of `family`: from the
    /// account's list of the family as the member may see it (their scope
    /// applied), each chosen object with what will happen to it, and the
    /// estimate. A family of another provider, or an action the family
    /// does not take, is refused.
    pub async fn plan_bulk(
        &self,
        family: BulkFamily,
        action: BulkAction,
        selection: Selection,
    ) -> Result<anyhow::Result<Plan>, CloudError> {
        if family.provider() != self.provider || !family.actions().contains(&action) {
            return Ok(Err(anyhow::anyhow!(
                "{} is not a bulk action on this account's {}",
                action.key(),
                family.many()
            )));
        }
        let api = self.client.api_name();
        let all = ListQuery::all();
        // Each family's list, read into targets, with its age and why it is stale.
        macro_rules! targets {
            ($list:expr, $target:expr) => {{
                let fetched = $list.await?;
                let targets: Vec<Target> = fetched.value.iter().map($target).collect();
                (targets, fetched.age(), fetched.stale_reason)
            }};
        }
        // A Cloud Panel object that is only deleted.
        macro_rules! resources {
            ($list:expr) => {
                targets!($list, |o| Target::of_resource(
                    &o.id,
                    &o.name,
                    &o.state,
                    &o.datacenter,
                    o.delete_details()
                ))
            };
        }
        let client = &self.client;
        let (targets, age, stale) = match family {
            BulkFamily::Servers => targets!(client.list_servers_shared(&all), Target::of_server),
            BulkFamily::E2eNodes => targets!(client.list_nodes(), Target::of_node),
            BulkFamily::BlockStorages => resources!(client.list_block_storages(&all)),
            BulkFamily::SharedStorages => resources!(client.list_shared_storages(&all)),
            // An address is its own name, as its page and the JSON API say.
            BulkFamily::PublicIps => targets!(client.list_public_ips(&all), |ip| {
                Target::of_resource(
                    &ip.id,
                    &ip.ip,
                    &ip.state,
                    &ip.datacenter,
                    ip.delete_details(),
                )
            }),
            BulkFamily::PrivateNetworks => resources!(client.list_private_networks(&all)),
            BulkFamily::Vpns => resources!(client.list_vpns(&all)),
        };
        let stale = stale.as_ref().map(|r| r.describe_for(api));
        Ok(self
            .plan_from(family, action, selection, &targets, age.as_secs(), stale)
            .await)
    }

    async fn plan_from(
        &self,
        family: BulkFamily,
        action: BulkAction,
        selection: Selection,
        targets: &[Target],
        list_age_secs: u64,
        stale_reason: Option<String>,
    ) -> anyhow::Result<Plan> {
        let held = {
            let probe = NewEvent::new(action.audit_action(family), Outcome::Requested);
            self.approval_needed(&probe).await?
        };
        let item = |t: &Target| PlanItem {
            id: t.id.clone(),
            name: t.name.clone(),
            state: t.state.clone(),
            datacenter: t.datacenter.clone(),
            skip: match held {
                Some(_) => Some(format!(
                    "this organisation holds this kind of change for a second member's \
                     approval: make it on the {}'s own page",
                    family.one()
                )),
                None => action.skip_reason(family, t),
            },
            delete_details: t.delete_details.clone(),
        };
        let mut items: Vec<PlanItem> = match &selection {
            Selection::Rows { ids } => ids
                .iter()
                .map(|id| match targets.iter().find(|t| &t.id == id) {
                    Some(t) => item(t),
                    None => PlanItem {
                        id: id.clone(),
                        name: id.clone(),
                        state: String::new(),
                        datacenter: String::new(),
                        skip: Some("not found, or outside what your role covers".into()),
                        delete_details: Value::Null,
                    },
                })
                .collect(),
            Selection::Filter(filter) => targets
                .iter()
                .filter(|t| filter.matches(t))
                .map(item)
                .collect(),
        };
        let mut running = 0usize;
        for i in &mut items {
            if i.skip.is_none() {
                running += 1;
                if running > MAX_ITEMS {
                    i.skip = Some(format!(
                        "a bulk action takes {MAX_ITEMS} {} at most",
                        family.many()
                    ));
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
            family,
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
                family: plan.family.key(),
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
            .target("bulk_run", run_id, plan.action.title(plan.family))
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
            let outcome = self.queue_item(plan, run_id, item).await?;
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
        plan: &Plan,
        run_id: i64,
        item: &PlanItem,
    ) -> anyhow::Result<Result<i64, String>> {
        let (family, action) = (plan.family, plan.action);
        let image_name = saved_image_name(&item.name, chrono::Utc::now());
        let mut details = match (family, action) {
            (_, BulkAction::Delete) => item.delete_details.clone(),
            (BulkFamily::E2eNodes, BulkAction::Snapshot) => json!({ "image_name": image_name }),
            (BulkFamily::E2eNodes, _) => json!({ "type": node_action(action).key() }),
            _ => server_details(action),
        };
        match &mut details {
            Value::Object(map) => {
                map.insert("bulk_run_id".into(), run_id.into());
            }
            other => *other = json!({ "bulk_run_id": run_id }),
        }
        let event = NewEvent::new(action.audit_action(family), Outcome::Requested)
            .target(family.kind(), &item.id, &item.name)
            .details(details);
        let pending = self.request(event).await?;
        // Every item waits in the queue, behind what waits already.
        let parking = self.parking();
        parking.arm(true);
        let id = item.id.as_str();
        let result = match (family, action) {
            (BulkFamily::Servers, BulkAction::Snapshot) => {
                self.client.create_server_snapshot(id).await.map(|_| ())
            }
            (BulkFamily::Servers, BulkAction::Delete) => {
                self.client.delete_server(id, false).await.map(|_| ())
            }
            (BulkFamily::Servers, _) => {
                let power = server_power(action);
                let body = ServerAction {
                    method: (power != PowerAction::PowerOn).then_some(PowerMethod::Software),
                    action: power,
                    recovery_mode: None,
                    recovery_image_id: None,
                };
                self.client.server_action(id, &body).await.map(|_| ())
            }
            (BulkFamily::E2eNodes, BulkAction::Delete) => self.client.delete_node(id).await,
            (BulkFamily::E2eNodes, BulkAction::Snapshot) => {
                self.client
                    .node_action(id, NodeAction::SaveImages, Some(&image_name))
                    .await
            }
            (BulkFamily::E2eNodes, _) => {
                self.client.node_action(id, node_action(action), None).await
            }
            // Only deleted: `plan_bulk` refused any other action.
            (BulkFamily::BlockStorages, _) => {
                self.client.delete_block_storage(id).await.map(|_| ())
            }
            (BulkFamily::SharedStorages, _) => {
                self.client.delete_shared_storage(id).await.map(|_| ())
            }
            (BulkFamily::PublicIps, _) => self.client.delete_public_ip(id).await.map(|_| ()),
            (BulkFamily::PrivateNetworks, _) => {
                self.client.delete_private_network(id).await.map(|_| ())
            }
            (BulkFamily::Vpns, _) => self.client.delete_vpn(id).await.map(|_| ()),
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

/// A power action's Cloud Panel word (a snapshot or delete is not one).
fn server_power(action: BulkAction) -> PowerAction {
    match action {
        BulkAction::PowerOn => PowerAction::PowerOn,
        BulkAction::Reboot => PowerAction::Reboot,
        BulkAction::PowerOff | BulkAction::Snapshot | BulkAction::Delete => PowerAction::PowerOff,
    }
}

/// A server change's details for the audit log, as the server's page
/// records them.
fn server_details(action: BulkAction) -> Value {
    match action {
        BulkAction::PowerOff | BulkAction::Reboot => {
            json!({ "action": server_power(action).as_str(), "method": "SOFTWARE", "recovery_image_id": null })
        }
        BulkAction::PowerOn => {
            json!({ "action": "POWER_ON", "method": null, "recovery_image_id": null })
        }
        BulkAction::Snapshot => Value::Null,
        BulkAction::Delete => json!({ "keep_ip": false }),
    }
}

/// A power action's E2E word.
fn node_action(action: BulkAction) -> NodeAction {
    match action {
        BulkAction::PowerOn => NodeAction::PowerOn,
        BulkAction::Reboot => NodeAction::Reboot,
        BulkAction::Snapshot => NodeAction::SaveImages,
        BulkAction::PowerOff | BulkAction::Delete => NodeAction::PowerOff,
    }
}

/// The name a bulk run gives a node's saved image: the node's name and
/// the minute, in the letters E2E takes (at most 64).
fn saved_image_name(node: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let base: String = node
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(48)
        .collect();
    let base = if base.is_empty() { "node" } else { &base };
    format!("{base}-{}", at.format("%Y%m%d-%H%M"))
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
    fn a_saved_image_is_named_after_its_node_and_the_minute() {
        let at = chrono::DateTime::from_timestamp(1_765_000_000, 0).unwrap_or_default();
        assert_eq!(saved_image_name("web 1", at), "web1-20251206-0546");
        assert_eq!(saved_image_name("ü", at), "node-20251206-0546");
        assert!(saved_image_name(&"x".repeat(90), at).len() <= 64);
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
