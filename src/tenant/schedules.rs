//! Schedules: a bulk action (see [`super::bulk`]) on everything a filter
//! matches, at set times in the organisation's time zone (an Owner sets
//! it).
//!
//! A schedule runs as the member who made it: at each run the door checks
//! their membership, the action's flag and their scope again, and a run
//! they may no longer make pauses the schedule with why
//! (`schedule.pause`). Each planned run is claimed by moving the next run
//! on in the same transaction that records it, so it starts at most once,
//! whatever stops the panel. After downtime, a run missed by less than the
//! grace period runs once at start; an older one is recorded as missed.
//! A run does not start while the schedule's previous run still has
//! changes waiting in the queue (runs never overlap): it is recorded as
//! skipped. Every run, skip, miss and pause is an audit event.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::bulk::{BulkAction, BulkFamily, Filter, Selection};
use super::cloud::CloudAccount;
use super::store::accounts::Provider;
use super::store::schedules::{self as store, NewSchedule as NewRow, RunRow, ScheduleRow};
use super::{Actor, Door, Tenant};
use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::domain::{TimeZoneName, Weekly};
use crate::rbac::perms;

pub use store::RunRow as ScheduleRun;

/// How many planned runs a page shows ahead.
const NEXT_SHOWN: usize = 3;

/// How many missed runs one sweep records for a schedule at most.
const MISSED_RECORDED: usize = 20;

/// A new schedule as its form gives it.
pub struct NewSchedule {
    pub name: String,
    pub action: BulkAction,
    pub filter: Filter,
    pub weekly: Weekly,
}

/// A schedule as its pages show it.
pub struct ScheduleView {
    pub row: ScheduleRow,
    pub action: Option<BulkAction>,
    pub filter: Option<Filter>,
    pub weekly: Option<Weekly>,
    /// The next planned runs (Unix seconds), soonest first.
    pub next_runs: Vec<i64>,
    pub runs: Vec<RunRow>,
}

/// Why a change to a schedule was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleRefusal {
    NotFound,
    /// Only its author, or a member who manages cloud accounts.
    NotTheirs,
}

fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn filter_of(row: &ScheduleRow) -> Option<Filter> {
    match serde_json::from_str::<Selection>(&row.selection).ok()? {
        Selection::Filter(filter) => Some(filter),
        Selection::Rows { .. } => None,
    }
}

fn schedule_event(row: &ScheduleRow, action: &str, outcome: Outcome) -> NewEvent {
    NewEvent::new(action, outcome)
        .target("schedule", row.id, &row.name)
        .cloud_account(row.cloud_account_id)
}

/// Who acts when the panel itself records a step of a schedule.
fn panel_ctx(org_id: i64) -> AuditCtx {
    AuditCtx {
        org_id: Some(org_id),
        actor_id: None,
        actor_label: "schedule".into(),
        ip: None,
        user_agent: None,
        request_id: None,
    }
}

/// The organisation's zone: UTC when the stored name is not one the panel
/// knows (it was checked when set).
async fn zone_of(door: &Door, org_id: i64) -> anyhow::Result<TimeZoneName> {
    let name = store::time_zone(&door.db, org_id).await?;
    Ok(TimeZoneName::parse(&name).unwrap_or_else(|_| {
        tracing::warn!(org_id, zone = %name, "an organisation's time zone is unknown; UTC is used");
        TimeZoneName::UTC
    }))
}

impl Tenant<'_> {
    /// The organisation's time zone, in which schedules run.
    pub async fn time_zone(&self) -> anyhow::Result<TimeZoneName> {
        zone_of(self.door, self.org_id()).await
    }

    /// An Owner sets the time zone, audited as `organisation.set_time_zone`;
    /// every active schedule's next run moves to the new zone's time.
    pub async fn set_time_zone(&self, zone: TimeZoneName) -> anyhow::Result<()> {
        if !self.is_owner() {
            return Err(super::NotGranted {
                granted: self.member.role().name.clone(),
                needed: "the Owner role".into(),
            }
            .into());
        }
        let before = self.time_zone().await?;
        let schedules = store::list(&self.door.db, self.org_id()).await?;
        let now = Utc::now();
        let mut change = LocalChange::begin(&self.door.db).await?;
        store::set_time_zone(change.conn(), self.org_id(), zone.name()).await?;
        for row in schedules.iter().filter(|r| r.state == "active") {
            if let Some(next) = Weekly::from_stored(row.days, row.minute_of_day)
                .and_then(|w| w.next_after(now, zone.zone()))
            {
                store::set_state(
                    change.conn(),
                    self.org_id(),
                    row.id,
                    "active",
                    "",
                    Some(next.timestamp()),
                )
                .await?;
            }
        }
        let event = NewEvent::new("organisation.set_time_zone", Outcome::Succeeded)
            .target("organisation", self.org_id(), &self.org().slug)
            .details(json!({ "time_zone": zone.name(), "previous": before.name() }));
        change.commit(self.actor.ctx(), event).await
    }

    async fn view(&self, row: ScheduleRow) -> anyhow::Result<ScheduleView> {
        let zone = self.time_zone().await?;
        let weekly = Weekly::from_stored(row.days, row.minute_of_day);
        let mut next_runs = Vec::with_capacity(NEXT_SHOWN);
        if row.state == "active" {
            let mut at = Some(instant(row.next_run_at));
            next_runs.push(row.next_run_at);
            while next_runs.len() < NEXT_SHOWN {
                at = at.and_then(|t| weekly.and_then(|w| w.next_after(t, zone.zone())));
                match at {
                    Some(t) => next_runs.push(t.timestamp()),
                    None => break,
                }
            }
        }
        let runs = store::runs(&self.door.db, row.id, 10).await?;
        Ok(ScheduleView {
            action: BulkAction::parse(&row.action),
            filter: filter_of(&row),
            weekly,
            next_runs,
            runs,
            row,
        })
    }

    /// The organisation's schedules with their next and last runs.
    pub async fn schedules(&self) -> anyhow::Result<Vec<ScheduleView>> {
        let mut out = Vec::new();
        for row in store::list(&self.door.db, self.org_id()).await? {
            // A member limited to a scope sees their own schedules only:
            // another's filter may reach servers outside the scope.
            if self.member.scope().is_some() && row.author_id != Some(self.member.user_id()) {
                continue;
            }
            out.push(self.view(row).await?);
        }
        Ok(out)
    }

    pub async fn schedule(&self, id: i64) -> anyhow::Result<Option<ScheduleView>> {
        match store::get(&self.door.db, self.org_id(), id).await? {
            Some(row)
                if self.member.scope().is_none()
                    || row.author_id == Some(self.member.user_id()) =>
            {
                Ok(Some(self.view(row).await?))
            }
            _ => Ok(None),
        }
    }

    /// Makes a schedule on `account` (opened through a handle granted the
    /// action's flag), audited as `schedule.create`. It runs as this member.
    pub async fn create_schedule(
        &self,
        account: &CloudAccount,
        new: &NewSchedule,
    ) -> anyhow::Result<i64> {
        self.needs(new.action.permission(BulkFamily::powered(account.provider)))?;
        let zone = self.time_zone().await?;
        let now = Utc::now();
        let next = new
            .weekly
            .next_after(now, zone.zone())
            .ok_or_else(|| anyhow::anyhow!("a schedule's next run could not be worked out"))?;
        let selection = serde_json::to_string(&Selection::Filter(new.filter.clone()))?;
        let ctx = self.actor.ctx();
        let mut change = LocalChange::begin(&self.door.db).await?;
        let id = store::insert(
            change.conn(),
            NewRow {
                org_id: self.org_id(),
                cloud_account_id: account.row.id,
                name: &new.name,
                action: new.action.key(),
                selection: &selection,
                days: new.weekly.days_mask(),
                minute_of_day: new.weekly.minute_of_day(),
                author_id: self.member.user_id(),
                author_label: &ctx.actor_label,
                next_run_at: next.timestamp(),
                now: now.timestamp(),
            },
        )
        .await?;
        let event = NewEvent::new("schedule.create", Outcome::Succeeded)
            .target("schedule", id, &new.name)
            .cloud_account(account.row.id)
            .details(json!({
                "action": new.action.key(),
                "filter": new.filter,
                "when": new.weekly.describe(),
                "time_zone": zone.name(),
            }));
        change.commit(ctx, event).await?;
        Ok(id)
    }

    /// Whether this member may pause, resume or delete `row`.
    fn may_manage(&self, row: &ScheduleRow) -> bool {
        row.author_id == Some(self.member.user_id())
            || self.member.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
    }

    async fn managed(
        &self,
        id: i64,
        action: &str,
    ) -> anyhow::Result<Result<ScheduleRow, ScheduleRefusal>> {
        let Some(view) = self.schedule(id).await? else {
            return Ok(Err(ScheduleRefusal::NotFound));
        };
        if !self.may_manage(&view.row) {
            self.deny(
                schedule_event(&view.row, action, Outcome::Denied)
                    .error("only its author or a member who manages cloud accounts"),
            )
            .await;
            return Ok(Err(ScheduleRefusal::NotTheirs));
        }
        Ok(Ok(view.row))
    }

    /// Pauses (`resume` false) or resumes a schedule: a resumed one runs
    /// next at its next time from now. Audited `schedule.pause` / `schedule.resume`.
    pub async fn set_schedule_active(
        &self,
        id: i64,
        resume: bool,
    ) -> anyhow::Result<Result<(), ScheduleRefusal>> {
        let action = if resume {
            "schedule.resume"
        } else {
            "schedule.pause"
        };
        let row = match self.managed(id, action).await? {
            Ok(row) => row,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let next = if resume {
            let zone = self.time_zone().await?;
            Weekly::from_stored(row.days, row.minute_of_day)
                .and_then(|w| w.next_after(Utc::now(), zone.zone()))
                .map(|t| t.timestamp())
        } else {
            None
        };
        let (state, reason) = if resume {
            ("active", String::new())
        } else {
            (
                "paused",
                format!("paused by {}", self.actor.ctx().actor_label),
            )
        };
        let mut change = LocalChange::begin(&self.door.db).await?;
        store::set_state(change.conn(), self.org_id(), id, state, &reason, next).await?;
        change
            .commit(
                self.actor.ctx(),
                schedule_event(&row, action, Outcome::Succeeded),
            )
            .await?;
        Ok(Ok(()))
    }

    /// Deletes a schedule, audited as `schedule.delete`; its bulk runs stay.
    pub async fn delete_schedule(&self, id: i64) -> anyhow::Result<Result<(), ScheduleRefusal>> {
        let row = match self.managed(id, "schedule.delete").await? {
            Ok(row) => row,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let mut change = LocalChange::begin(&self.door.db).await?;
        store::delete(change.conn(), self.org_id(), id).await?;
        change
            .commit(
                self.actor.ctx(),
                schedule_event(&row, "schedule.delete", Outcome::Succeeded),
            )
            .await?;
        Ok(Ok(()))
    }
}

/// What came of one due schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    Ran {
        bulk_run_id: i64,
    },
    Failed(String),
    Missed(usize),
    Skipped,
    Paused(String),
    /// Another worker claimed it first.
    Taken,
}

impl Door {
    /// Runs every schedule whose time has come (`now`: Unix seconds): one
    /// missed by more than `grace_secs` is recorded as missed instead. The
    /// worker calls it every few seconds and at start-up.
    pub async fn run_due_schedules(&self, now: i64, grace_secs: i64) -> anyhow::Result<Vec<Due>> {
        let mut done = Vec::new();
        for row in store::due(&self.db, now).await? {
            let outcome = self.run_due(&row, now, grace_secs).await?;
            tracing::info!(schedule_id = row.id, ?outcome, "a schedule came due");
            done.push(outcome);
        }
        Ok(done)
    }

    async fn run_due(&self, row: &ScheduleRow, now: i64, grace_secs: i64) -> anyhow::Result<Due> {
        let zone = zone_of(self, row.org_id).await?;
        let (Some(weekly), Some(action), Some(filter)) = (
            Weekly::from_stored(row.days, row.minute_of_day),
            BulkAction::parse(&row.action),
            filter_of(row),
        ) else {
            return self
                .pause_schedule(row, row.next_run_at, "its stored settings cannot be read")
                .await;
        };
        let planned = row.next_run_at;
        let Some(next) = weekly.next_after(instant(now), zone.zone()) else {
            return self
                .pause_schedule(row, planned, "its next time cannot be worked out")
                .await;
        };
        let next = next.timestamp();
        let ctx = panel_ctx(row.org_id);

        // Missed while the panel was down, past the grace period: each
        // missed time is recorded, none runs.
        if now - planned > grace_secs {
            let mut missed = vec![planned];
            let mut at = instant(planned);
            while missed.len() < MISSED_RECORDED {
                match weekly.next_after(at, zone.zone()) {
                    Some(t) if t.timestamp() <= now - grace_secs => {
                        missed.push(t.timestamp());
                        at = t;
                    }
                    _ => break,
                }
            }
            let mut change = LocalChange::begin(&self.db).await?;
            if !store::claim(change.conn(), row.id, planned, next).await? {
                return Ok(Due::Taken);
            }
            for at in &missed {
                store::insert_run(
                    change.conn(),
                    row,
                    *at,
                    "missed",
                    "the panel was not running",
                    now,
                )
                .await?;
            }
            let event = schedule_event(row, "schedule.missed", Outcome::Failed)
                .details(json!({ "missed": missed, "grace_secs": grace_secs }))
                .error("the panel was not running at the planned time");
            change.commit(&ctx, event).await?;
            return Ok(Due::Missed(missed.len()));
        }

        // Runs never overlap.
        if store::still_running(&self.db, row.id).await? {
            let mut change = LocalChange::begin(&self.db).await?;
            if !store::claim(change.conn(), row.id, planned, next).await? {
                return Ok(Due::Taken);
            }
            let why = "the previous run still has changes waiting";
            store::insert_run(change.conn(), row, planned, "skipped", why, now).await?;
            let event = schedule_event(row, "schedule.skip", Outcome::Failed)
                .details(json!({ "planned_at": planned }))
                .error(why);
            change.commit(&ctx, event).await?;
            return Ok(Due::Skipped);
        }

        // Claimed and recorded as started before anything is sent.
        let mut change = LocalChange::begin(&self.db).await?;
        if !store::claim(change.conn(), row.id, planned, next).await? {
            return Ok(Due::Taken);
        }
        let run_id = store::insert_run(change.conn(), row, planned, "started", "", now).await?;
        change
            .commit(
                &ctx,
                schedule_event(row, "schedule.run", Outcome::Requested)
                    .details(json!({ "planned_at": planned, "run_id": run_id })),
            )
            .await?;

        // As its author, checked now.
        let opened = self.open_as_author(row).await?;
        let (membership, actor) = match opened {
            Ok(opened) => opened,
            Err(why) => return self.pause_after_start(row, run_id, &why).await,
        };
        // The account's provider says which family the action takes; an
        // account gone since is refused by the opening below.
        let family = self
            .accounts(row.org_id)
            .await?
            .iter()
            .find(|a| a.id == row.cloud_account_id)
            .and_then(|a| Provider::parse(&a.provider))
            .map_or(BulkFamily::Servers, BulkFamily::powered);
        let tenant = match self
            .require(
                &membership,
                &actor,
                action.permission(family),
                || json!({ "schedule_id": row.id }),
            )
            .await
        {
            Ok(tenant) => tenant,
            Err(refused) => {
                let why = format!(
                    "the role {} of {} no longer has {}",
                    refused.role_name, row.author_label, refused.permission
                );
                return self.pause_after_start(row, run_id, &why).await;
            }
        };
        let account = match tenant.cloud(Some(row.cloud_account_id)).await {
            Ok(account) => account,
            Err(e) => {
                let why = format!(
                    "its cloud account cannot be opened for {}: {e}",
                    row.author_label
                );
                return self.pause_after_start(row, run_id, &why).await;
            }
        };
        let (outcome, note, bulk_run_id, due) = match account
            .plan_bulk(family, action, Selection::Filter(filter))
            .await
        {
            Err(e) => {
                let why = format!(
                    "the servers could not be read: {}",
                    e.user_message_for(account.client.api_name())
                );
                ("failed", why.clone(), None, Due::Failed(why))
            }
            Ok(plan) => {
                let plan = plan?;
                let bulk = account.run_bulk(&plan, Some(row.id)).await?;
                let note = format!(
                    "{} changes queued, {} skipped",
                    plan.requests(),
                    plan.items.len() - plan.requests()
                );
                ("ran", note, Some(bulk), Due::Ran { bulk_run_id: bulk })
            }
        };
        let mut change = LocalChange::begin(&self.db).await?;
        store::finish_run(change.conn(), run_id, outcome, &note, bulk_run_id).await?;
        let mut event = schedule_event(
            row,
            "schedule.run",
            if outcome == "ran" {
                Outcome::Succeeded
            } else {
                Outcome::Failed
            },
        )
        .details(json!({ "planned_at": planned, "run_id": run_id, "bulk_run_id": bulk_run_id, "note": note }));
        if outcome != "ran" {
            event = event.error(note.clone());
        }
        change.commit(actor.ctx(), event).await?;
        Ok(due)
    }

    /// The author's membership and an actor in their name, or why the
    /// schedule may not run as them.
    async fn open_as_author(
        &self,
        row: &ScheduleRow,
    ) -> anyhow::Result<Result<(super::Membership, Actor), String>> {
        let Some(author_id) = row.author_id else {
            return Ok(Err(format!("{} is no longer a user", row.author_label)));
        };
        let enabled = crate::db::users::by_id(&self.db, author_id)
            .await?
            .is_some_and(|u| !u.disabled);
        if !enabled {
            return Ok(Err(format!("{} can no longer sign in", row.author_label)));
        }
        let Some(org) = crate::db::orgs::by_id(&self.db, row.org_id).await? else {
            return Ok(Err("the organisation no longer exists".into()));
        };
        let Some(membership) = self.membership(&org.slug, author_id).await? else {
            return Ok(Err(format!(
                "{} is no longer a member of {}",
                row.author_label, org.name
            )));
        };
        let label = format!("{} (schedule “{}”)", row.author_label, row.name);
        let org_id = row.org_id;
        let actor = Actor::new(Some(org_id), move || AuditCtx {
            org_id: Some(org_id),
            actor_id: Some(author_id),
            actor_label: label.clone(),
            ip: None,
            user_agent: None,
            request_id: None,
        });
        Ok(Ok((membership, actor)))
    }

    /// Pauses a schedule before its run was claimed (its settings cannot
    /// be read): the planned run is recorded as paused.
    async fn pause_schedule(
        &self,
        row: &ScheduleRow,
        planned: i64,
        why: &str,
    ) -> anyhow::Result<Due> {
        let now = crate::db::now_unix();
        let mut change = LocalChange::begin(&self.db).await?;
        store::set_state(change.conn(), row.org_id, row.id, "paused", why, None).await?;
        store::insert_run(change.conn(), row, planned, "paused", why, now).await?;
        let event = schedule_event(row, "schedule.pause", Outcome::Failed).error(why);
        change.commit(&panel_ctx(row.org_id), event).await?;
        Ok(Due::Paused(why.to_owned()))
    }

    /// Pauses a schedule whose run started but may not go on as its author.
    async fn pause_after_start(
        &self,
        row: &ScheduleRow,
        run_id: i64,
        why: &str,
    ) -> anyhow::Result<Due> {
        let mut change = LocalChange::begin(&self.db).await?;
        store::set_state(change.conn(), row.org_id, row.id, "paused", why, None).await?;
        store::finish_run(change.conn(), run_id, "paused", why, None).await?;
        let event = schedule_event(row, "schedule.pause", Outcome::Failed).error(why);
        change.commit(&panel_ctx(row.org_id), event).await?;
        Ok(Due::Paused(why.to_owned()))
    }
}
