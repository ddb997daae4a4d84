//! `/o/{slug}/schedules`: bulk actions at set times (see the tenant's
//! `schedules`). The list shows each schedule's next runs and last
//! outcomes, the form to make one (it runs as the member who makes it,
//! checked at each run), and the organisation's time zone, which an Owner
//! sets. A schedule's page shows its runs and pauses, resumes or deletes it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};

use crate::domain::{TimeZoneName, WEEK_DAYS, Weekly};
use crate::rbac::perms;
use crate::tenant::{
    BulkAction, BulkFamily, BulkFilter, NewSchedule, ScheduleRefusal, ScheduleView, Tenant,
};
use crate::web::cloud::{AccountParam, Fallback, connect};
use crate::web::confirm::Confirmation;
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::routing::org_routes;
use crate::web::{flash, redirect, render};

org_routes! {
    fn routes;
    "/schedules" {
        GET  "" => list,
        POST "" => create,
        POST "/time_zone" => set_time_zone,
        GET  "/{schedule_id}" => detail,
        POST "/{schedule_id}/pause" => pause,
        POST "/{schedule_id}/resume" => resume,
        POST "/{schedule_id}/delete" => delete,
    }
}

/// What the create form holds, as typed.
#[derive(Default)]
struct Typed {
    name: String,
    account: String,
    action: String,
    name_prefix: String,
    datacenter: String,
    state: String,
    days: Vec<String>,
    time: String,
}

impl Typed {
    fn from_body(body: &[u8]) -> Self {
        let mut typed = Typed::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "name" => typed.name = value,
                "account" => typed.account = value,
                "action" => typed.action = value,
                "name_prefix" => typed.name_prefix = value,
                "datacenter" => typed.datacenter = value,
                "state" => typed.state = value,
                "days" if typed.days.len() < 7 => typed.days.push(value),
                "time" => typed.time = value,
                _ => {}
            }
        }
        typed
    }

    fn has_day(&self, key: &str) -> bool {
        self.days.iter().any(|d| d == key)
    }

    /// The schedule it describes, or the first thing wrong with it.
    fn checked(&self) -> Result<NewSchedule, String> {
        let name = crate::domain::parse_short_name(
            &self.name,
            "Give the schedule a name, such as “Stop dev servers at night”.",
            80,
        )?;
        let action = BulkAction::parse(&self.action).ok_or("Choose an action.")?;
        // Deleting on a timer is left to a member who reads a dry run first.
        if action == BulkAction::Delete {
            return Err("A schedule does not delete servers: delete them from the servers list, after its dry run.".into());
        }
        if self.name_prefix.chars().count() > 100 || self.datacenter.chars().count() > 100 {
            return Err("Keep the filter's values under 100 characters.".into());
        }
        if !matches!(self.state.as_str(), "" | "POWERED_ON" | "POWERED_OFF") {
            return Err("Choose powered on, powered off or any state.".into());
        }
        let filter = BulkFilter {
            name_prefix: self.name_prefix.clone(),
            datacenter: self.datacenter.clone(),
            state: self.state.clone(),
        };
        if filter.is_empty() {
            return Err(
                "Say which servers: a name prefix, a datacenter or a state (a schedule never \
                 takes every server)."
                    .into(),
            );
        }
        let weekly = Weekly::parse(self.days.iter().map(String::as_str), &self.time)?;
        Ok(NewSchedule {
            name,
            action,
            filter,
            weekly,
        })
    }
}

struct RunLine {
    planned: String,
    outcome: String,
    class: &'static str,
    note: String,
    bulk_run_id: Option<i64>,
}

struct ScheduleLine {
    id: i64,
    name: String,
    what: String,
    when: String,
    author: String,
    state: String,
    paused_reason: String,
    next_runs: Vec<String>,
    runs: Vec<RunLine>,
    may_manage: bool,
}

fn local_time(secs: i64, zone: TimeZoneName) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|t| {
            t.with_timezone(&zone.zone())
                .format("%a %Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_default()
}

fn line(ctx: &OrgCtx, view: &ScheduleView, zone: TimeZoneName) -> ScheduleLine {
    let row = &view.row;
    let what = match (&view.action, &view.filter) {
        (Some(action), Some(filter)) => {
            let mut parts = Vec::new();
            if !filter.name_prefix.is_empty() {
                parts.push(format!("names starting with “{}”", filter.name_prefix));
            }
            if !filter.datacenter.is_empty() {
                parts.push(format!("in {}", filter.datacenter));
            }
            if !filter.state.is_empty() {
                parts.push(filter.state.to_lowercase().replace('_', " "));
            }
            format!(
                "{}: every server {}",
                action.title(BulkFamily::Servers),
                parts.join(", ")
            )
        }
        _ => row.action.clone(),
    };
    ScheduleLine {
        id: row.id,
        name: row.name.clone(),
        what,
        when: view.weekly.map_or_else(String::new, Weekly::describe),
        author: row.author_label.clone(),
        state: row.state.clone(),
        paused_reason: row.paused_reason.clone(),
        next_runs: view
            .next_runs
            .iter()
            .map(|t| local_time(*t, zone))
            .collect(),
        runs: view
            .runs
            .iter()
            .map(|r| RunLine {
                planned: local_time(r.planned_at, zone),
                class: match r.outcome.as_str() {
                    "ran" => "ok",
                    "started" | "skipped" => "warn",
                    _ => "bad",
                },
                outcome: r.outcome.clone(),
                note: r.note.clone(),
                bulk_run_id: r.bulk_run_id,
            })
            .collect(),
        may_manage: row.author_id == Some(ctx.user.id)
            || ctx.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS),
    }
}

struct Choice {
    key: &'static str,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "schedules/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    schedules: Vec<ScheduleLine>,
    zone: &'static str,
    zones: Vec<&'static str>,
    is_owner: bool,
    actions: Vec<Choice>,
    accounts: Vec<(i64, String)>,
    days: Vec<(&'static str, &'static str)>,
    typed: Typed,
    error: Option<String>,
}

async fn list_page(
    ctx: &OrgCtx,
    tenant: &Tenant<'_>,
    status: StatusCode,
    typed: Typed,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let zone = tenant.time_zone().await?;
    let schedules = tenant
        .schedules()
        .await?
        .iter()
        .map(|v| line(ctx, v, zone))
        .collect();
    // The Cloud Panel's accounts this member may see (a handle of a
    // server permission opens only those).
    let accounts = tenant
        .accounts()
        .await?
        .iter()
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let page = ctx.page.clone().with_section("schedules");
    render(
        status,
        &ListPage {
            page: &page,
            schedules,
            zone: zone.name(),
            zones: TimeZoneName::all().collect(),
            is_owner: tenant.is_owner(),
            actions: BulkAction::ALL
                .into_iter()
                .filter(|a| *a != BulkAction::Delete && ctx.can(a.permission(BulkFamily::Servers)))
                .map(|a| Choice {
                    key: a.key(),
                    title: a.title(BulkFamily::Servers),
                })
                .collect(),
            accounts,
            days: WEEK_DAYS.iter().map(|(_, k, n)| (*k, *n)).collect(),
            typed,
            error,
        },
    )
}

async fn list(ctx: OrgCtx) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let typed = Typed {
        days: ["mon", "tue", "wed", "thu", "fri"]
            .map(String::from)
            .to_vec(),
        time: "20:00".into(),
        state: "POWERED_ON".into(),
        ..Typed::default()
    };
    list_page(&ctx, &tenant, StatusCode::OK, typed, None).await
}

async fn create(ctx: OrgCtx, session: Session, body: web::Bytes) -> AppResult<HttpResponse> {
    let typed = Typed::from_body(&body);
    let new = match typed.checked() {
        Ok(new) => new,
        Err(message) => {
            let tenant = ctx.require(perms::SERVERS_SHOW).await?;
            return list_page(
                &ctx,
                &tenant,
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
                Some(message),
            )
            .await;
        }
    };
    // Schedules act on a Cloud Panel account's servers.
    let tenant = ctx
        .require(new.action.permission(BulkFamily::Servers))
        .await?;
    let account = AccountParam::named(typed.account.parse().ok());
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Default).await?;
    let id = tenant.create_schedule(&up.account, &new).await?;
    flash::success(
        &session,
        format!(
            "Schedule “{}” made: {}. It runs as you, with your permissions as they are then.",
            new.name,
            new.weekly.describe()
        ),
    );
    Ok(redirect(&ctx.href(&format!("schedules/{id}"))))
}

async fn set_time_zone(ctx: OrgCtx, session: Session, body: web::Bytes) -> AppResult<HttpResponse> {
    let tenant = ctx.as_member();
    if !tenant.is_owner() {
        tenant
            .deny(
                crate::audit::NewEvent::new(
                    "organisation.set_time_zone",
                    crate::audit::Outcome::Denied,
                )
                .target("organisation", ctx.org().id, &ctx.org().slug)
                .error("only an Owner sets the time zone"),
            )
            .await;
        return Err(
            AppError::Forbidden("Only an Owner sets the organisation's time zone.".into())
                .in_page(&ctx.page),
        );
    }
    let raw = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "time_zone")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match TimeZoneName::parse(&raw) {
        Ok(zone) => {
            tenant.set_time_zone(zone).await?;
            flash::success(&session, format!("Schedules now run in {}.", zone.name()));
        }
        Err(message) => flash::error(&session, message),
    }
    Ok(redirect(&ctx.href("schedules")))
}

#[derive(Template)]
#[template(path = "schedules/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    s: ScheduleLine,
    zone: &'static str,
}

async fn detail(ctx: OrgCtx, path: web::Path<(String, i64)>) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let Some(view) = tenant.schedule(path.into_inner().1).await? else {
        return Err(AppError::NotFound.in_page(&ctx.page));
    };
    let zone = tenant.time_zone().await?;
    let page = ctx.page.clone().with_section("schedules");
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            s: line(&ctx, &view, zone),
            zone: zone.name(),
        },
    )
}

fn after(
    ctx: &OrgCtx,
    session: &Session,
    id: i64,
    outcome: Result<(), ScheduleRefusal>,
    done: &str,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(()) => {
            flash::success(session, done);
            Ok(redirect(&ctx.href(&format!("schedules/{id}"))))
        }
        Err(ScheduleRefusal::NotFound) => Err(AppError::NotFound.in_page(&ctx.page)),
        Err(ScheduleRefusal::NotTheirs) => Err(AppError::Forbidden(
            "Only the member who made this schedule, or one who manages cloud accounts, changes it."
                .into(),
        )
        .in_page(&ctx.page)),
    }
}

async fn pause(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let outcome = tenant.set_schedule_active(id, false).await?;
    after(
        &ctx,
        &session,
        id,
        outcome,
        "Paused: it does not run until resumed.",
    )
}

async fn resume(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let outcome = tenant.set_schedule_active(id, true).await?;
    after(
        &ctx,
        &session,
        id,
        outcome,
        "Resumed: it runs next at its next time.",
    )
}

async fn delete(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    if !form.given() {
        crate::web::confirm::refuse(&session, "delete this schedule");
        return Ok(redirect(&ctx.href(&format!("schedules/{id}"))));
    }
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    match tenant.delete_schedule(id).await? {
        Ok(()) => {
            flash::success(
                &session,
                "Schedule deleted. Its past runs stay in the audit log.",
            );
            Ok(redirect(&ctx.href("schedules")))
        }
        Err(refusal) => after(&ctx, &session, id, Err(refusal), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_field_by_field() {
        let typed = Typed::from_body(
            b"name=Nightly+stop&action=power_off&name_prefix=dev-&days=mon&days=fri&time=20%3A00",
        );
        let new = typed.checked();
        assert!(matches!(&new, Ok(n) if n.weekly.describe() == "Monday, Friday at 20:00"));
        let no_filter = Typed::from_body(b"name=x&action=power_off&days=mon&time=20:00");
        assert!(
            no_filter
                .checked()
                .is_err_and(|m| m.contains("Say which servers"))
        );
        let no_day = Typed::from_body(b"name=x&action=power_off&state=POWERED_ON&time=20:00");
        assert!(
            no_day
                .checked()
                .is_err_and(|m| m.contains("at least one day"))
        );
    }
}
