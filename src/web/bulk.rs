//! `/o/{slug}/bulk`: one action on many servers or E2E nodes (see
//! [`crate::tenant`]'s `bulk`). A list posts the choice (its family, ticked
//! rows or a filter) to the dry run; the dry run's page lists what will
//! happen to each object and the estimate, and runs it (a delete only with
//! the count typed); the run's page follows each item's change through the
//! queue, refreshing itself until none waits, and cancels what still waits.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::rbac::perms;
use crate::tenant::{
    BulkAction, BulkCancelRefusal, BulkFamily, BulkFilter, BulkPlan, BulkRun, BulkSelection, Tenant,
};
use crate::web::cloud::{AccountParam, Fallback, connect, fragment};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::routing::org_routes;
use crate::web::{flash, redirect, render};

org_routes! {
    fn routes;
    "/bulk" {
        GET  "" => list,
        POST "/plan" => plan,
        POST "/run" => run,
        GET  "/{run_id}" => detail,
        GET  "/{run_id}/progress" => progress,
        POST "/{run_id}/cancel" => cancel,
    }
}

/// How many ids one form may carry (more than a run takes, so the dry run
/// can say so).
const MAX_IDS: usize = 500;

/// The choice as posted by a list or the dry run's page.
struct Choice {
    family: BulkFamily,
    action: Option<BulkAction>,
    selection: BulkSelection,
    /// The count typed to confirm a delete.
    confirm_count: String,
}

/// Reads the form: repeated `ids` are the ticked rows (serde's form
/// decoding takes one value per key, so the body is read as pairs).
fn choice(body: &[u8]) -> Result<Choice, String> {
    let mut action = None;
    let mut family = BulkFamily::Servers;
    let mut by = String::new();
    let mut ids = Vec::new();
    let mut filter = BulkFilter::default();
    let mut confirm_count = String::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        let value = value.trim().to_owned();
        match key.as_ref() {
            "action" => action = BulkAction::parse(&value),
            "family" => {
                family = BulkFamily::parse(&value)
                    .ok_or("That is not a list the panel takes bulk actions on.")?;
            }
            "by" => by = value,
            "ids" if !value.is_empty() => {
                if ids.len() >= MAX_IDS {
                    return Err(format!("Choose at most {MAX_IDS} rows."));
                }
                if value.len() > 64 || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    return Err("A chosen row is not an id the panel knows.".into());
                }
                if !ids.contains(&value) {
                    ids.push(value);
                }
            }
            "name_prefix" => filter.name_prefix = value,
            "datacenter" => filter.datacenter = value,
            "state" => filter.state = value,
            "confirm_count" => confirm_count = value,
            _ => {}
        }
    }
    if filter.name_prefix.chars().count() > 100 || filter.datacenter.chars().count() > 100 {
        return Err("Keep the filter's values under 100 characters.".into());
    }
    if !matches!(filter.state.as_str(), "" | "POWERED_ON" | "POWERED_OFF") {
        return Err("Choose powered on, powered off or any state.".into());
    }
    if !filter.state.is_empty() && !family.has_power() {
        return Err(format!("{} are not powered on or off.", family.title()));
    }
    if let Some(a) = action
        && !family.actions().contains(&a)
    {
        return Err(format!(
            "{} is not an action the panel takes on {}.",
            a.title(family),
            family.many()
        ));
    }
    let selection = match by.as_str() {
        "filter" => {
            if filter.is_empty() {
                return Err(format!(
                    "Say which {}: a name prefix, a datacenter or a state (or tick rows).",
                    family.many()
                ));
            }
            BulkSelection::Filter(filter)
        }
        _ => {
            if ids.is_empty() {
                return Err(format!(
                    "Tick the {} to act on, or choose “every one matching”.",
                    family.many()
                ));
            }
            BulkSelection::Rows { ids }
        }
    };
    Ok(Choice {
        family,
        action,
        selection,
        confirm_count,
    })
}

/// The posted choice with its action, or the family's list to go back
/// to with why not.
fn chosen(body: &[u8]) -> Result<(Choice, BulkAction), (BulkFamily, String)> {
    let family = url::form_urlencoded::parse(body)
        .find(|(key, _)| key == "family")
        .and_then(|(_, value)| BulkFamily::parse(value.trim()))
        .unwrap_or(BulkFamily::Servers);
    let choice = choice(body).map_err(|message| (family, message))?;
    match choice.action {
        Some(action) => Ok((choice, action)),
        None => Err((choice.family, "Choose an action.".into())),
    }
}

/// A plan's row as the page shows it.
struct ItemView {
    name: String,
    id: String,
    state: String,
    datacenter: String,
    skip: String,
}

#[derive(Template)]
#[template(path = "bulk/plan.html")]
struct PlanPage<'a> {
    page: &'a PageCtx,
    family_key: &'static str,
    /// The list's title, for the way back.
    family_title: &'static str,
    one: &'static str,
    /// "Server", "Public IP": the table's column.
    one_title: String,
    many: &'static str,
    action_key: &'static str,
    action_title: &'static str,
    is_delete: bool,
    account_name: String,
    run_href: String,
    back_href: String,
    items: Vec<ItemView>,
    runs: usize,
    skipped: usize,
    ahead: u32,
    estimate: String,
    stale: Option<String>,
    /// Hidden fields that carry the choice to the run.
    by: &'static str,
    ids: Vec<String>,
    filter: BulkFilter,
}

/// "about 75 s", "about 2 min 10 s", "now".
fn duration_words(secs: u64) -> String {
    match secs {
        0 => "at once".into(),
        1..=89 => format!("about {secs} s"),
        _ => format!("about {} min {} s", secs / 60, secs % 60),
    }
}

/// The account the choice acts on, opened under the action's flag for
/// the family: so a servers' action never opens an E2E account.
async fn open<'a>(
    ctx: &'a OrgCtx,
    session: &Session,
    account: &AccountParam,
    family: BulkFamily,
    action: BulkAction,
) -> AppResult<(Tenant<'a>, crate::web::cloud::Upstream)> {
    let tenant = ctx.require(action.permission(family)).await?;
    let up = connect(ctx, &tenant, session, account, Fallback::Default).await?;
    Ok((tenant, up))
}

/// The family's list to go back to with a message.
fn back(
    ctx: &OrgCtx,
    session: &Session,
    account: &AccountParam,
    family: BulkFamily,
    message: String,
) -> HttpResponse {
    flash::error(session, message);
    redirect(&[ctx.href(family.key()), account.query()].concat())
}

async fn dry_run(
    up: &crate::web::cloud::Upstream,
    choice: &Choice,
    action: BulkAction,
) -> AppResult<BulkPlan> {
    match up
        .account
        .plan_bulk(choice.family, action, choice.selection.clone())
        .await
    {
        Ok(plan) => Ok(plan?),
        Err(e) => Err(AppError::cloud_from(
            &format!("the {}", choice.family.many()),
            &e,
            up.api_name(),
        )),
    }
}

/// A posted choice, planned from the list as it is now: what the dry
/// run's page shows, and what a run runs.
struct Planned<'a> {
    /// Held while the page is made, as every handler holds its handle.
    _tenant: Tenant<'a>,
    up: crate::web::cloud::Upstream,
    choice: Choice,
    action: BulkAction,
    plan: BulkPlan,
}

/// Reads the form, opens the account under the action's flag and makes
/// the dry run: `Ok(Err(_))` is the way back to the list with why the
/// form could not be used.
async fn planned<'a>(
    ctx: &'a OrgCtx,
    session: &Session,
    account: &AccountParam,
    body: &[u8],
) -> AppResult<Result<Planned<'a>, HttpResponse>> {
    let (choice, action) = match chosen(body) {
        Ok(c) => c,
        Err((family, message)) => return Ok(Err(back(ctx, session, account, family, message))),
    };
    let (tenant, up) = open(ctx, session, account, choice.family, action).await?;
    let plan = dry_run(&up, &choice, action)
        .await
        .map_err(|e| e.in_page(&ctx.page))?;
    Ok(Ok(Planned {
        _tenant: tenant,
        up,
        choice,
        action,
        plan,
    }))
}

async fn plan(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let Planned {
        _tenant,
        up,
        choice,
        action,
        plan,
    } = match planned(&ctx, &session, &account, &body).await? {
        Ok(planned) => planned,
        Err(back) => return Ok(back),
    };
    let family = choice.family;
    let (by, ids, filter) = match &plan.selection {
        BulkSelection::Rows { ids } => ("rows", ids.clone(), BulkFilter::default()),
        BulkSelection::Filter(f) => ("filter", Vec::new(), f.clone()),
    };
    let runs = plan.requests();
    let page = ctx.page.clone().with_section(family.key());
    render(
        StatusCode::OK,
        &PlanPage {
            page: &page,
            family_key: family.key(),
            family_title: family.title(),
            one: family.one(),
            one_title: family.one_title(),
            many: family.many(),
            action_key: action.key(),
            action_title: action.title(family),
            is_delete: action == BulkAction::Delete,
            account_name: up.account.row.name.clone(),
            run_href: up.href(&ctx, "bulk/run"),
            back_href: up.href(&ctx, family.key()),
            skipped: plan.items.len() - runs,
            items: plan
                .items
                .iter()
                .map(|i| ItemView {
                    name: i.name.clone(),
                    id: i.id.clone(),
                    state: i.state.to_lowercase().replace('_', " "),
                    datacenter: i.datacenter.clone(),
                    skip: i.skip.clone().unwrap_or_default(),
                })
                .collect(),
            runs,
            ahead: plan.ahead,
            estimate: duration_words(plan.estimate_secs),
            stale: plan.stale_reason.clone().map(|why| {
                format!(
                    "Made from the list as it was {} s ago: {why}.",
                    plan.list_age_secs
                )
            }),
            by,
            ids,
            filter,
        },
    )
}

async fn run(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    // Planned again: the list may have moved since the dry run was shown.
    let Planned {
        _tenant,
        up,
        choice,
        action,
        plan,
    } = match planned(&ctx, &session, &account, &body).await? {
        Ok(planned) => planned,
        Err(back) => return Ok(back),
    };
    let family = choice.family;
    let runs = plan.requests();
    if runs == 0 {
        return Ok(back(
            &ctx,
            &session,
            &account,
            family,
            format!(
                "Nothing to do: every chosen {} is skipped now.",
                family.one()
            ),
        ));
    }
    if action == BulkAction::Delete && choice.confirm_count != runs.to_string() {
        return Ok(back(
            &ctx,
            &session,
            &account,
            family,
            format!(
                "Nothing was deleted: type the number of {} to delete ({runs}) to confirm. \
                 Run the dry run again to see them.",
                family.many()
            ),
        ));
    }
    let id = up.account.run_bulk(&plan, None).await?;
    flash::success(
        &session,
        format!(
            "{}: {runs} change{} in the queue, sent as the budget allows.",
            action.title(family),
            if runs == 1 { "" } else { "s" }
        ),
    );
    Ok(redirect(&ctx.href(&format!("bulk/{id}"))))
}

/// A run's item as its page shows it.
struct ItemOutcome {
    position: i64,
    name: String,
    outcome: String,
    class: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "bulk/progress.html")]
struct Progress {
    slug: String,
    /// "Server", "Node": the items' column.
    object_title: String,
    id: i64,
    open: bool,
    items: Vec<ItemOutcome>,
    summary: String,
}

#[derive(Template)]
#[template(path = "bulk/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    title: String,
    requester: String,
    started: String,
    estimate: String,
    cancelled: bool,
    may_cancel: bool,
    id: i64,
    /// The progress card, drawn as its fragment is (escaped there).
    progress_html: String,
}

fn outcome_of(item: &crate::tenant::BulkItem) -> (String, &'static str, String) {
    if let Some(why) = &item.skipped {
        return ("skipped".into(), "muted", why.clone());
    }
    let detail = item.error.clone().unwrap_or_default();
    match item.state.as_deref() {
        Some("queued") => ("waiting".into(), "warn", detail),
        Some("running") => ("sending".into(), "warn", detail),
        Some("succeeded") => ("done".into(), "ok", detail),
        Some(other) => (other.to_owned(), "bad", detail),
        None => ("not started".into(), "bad", detail),
    }
}

fn progress_of(ctx: &OrgCtx, run: &BulkRun, family: BulkFamily) -> Progress {
    let items: Vec<ItemOutcome> = run
        .items
        .iter()
        .map(|i| {
            let (outcome, class, detail) = outcome_of(i);
            ItemOutcome {
                position: i.position,
                name: i.target_name.clone(),
                outcome,
                class,
                detail,
            }
        })
        .collect();
    let count = |o: &str| items.iter().filter(|i| i.outcome == o).count();
    let summary = format!(
        "{} done, {} waiting, {} skipped, {} failed or cancelled, of {}",
        count("done"),
        count("waiting") + count("sending"),
        count("skipped"),
        items.len() - count("done") - count("waiting") - count("sending") - count("skipped"),
        items.len()
    );
    Progress {
        slug: ctx.slug().to_owned(),
        object_title: family.one_title(),
        id: run.run.id,
        open: run.is_open(),
        items,
        summary,
    }
}

fn time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// The handle for the runs' pages: a member who may see servers, or E2E
/// nodes. Without either, the servers' refusal (audited as `denied`).
async fn viewer(ctx: &OrgCtx) -> AppResult<Tenant<'_>> {
    let flag = BulkFamily::ALL
        .into_iter()
        .map(BulkFamily::show)
        .find(|flag| ctx.can(*flag))
        .unwrap_or(perms::SERVERS_SHOW);
    ctx.require(flag).await
}

/// A run's family, when this member may see that family's list.
fn family_seen(ctx: &OrgCtx, run: &crate::tenant::BulkRunRow) -> Option<BulkFamily> {
    BulkFamily::parse(&run.family).filter(|f| ctx.can(f.show()))
}

/// The run's title: "Power off: bulk run 4".
fn title_of(run: &crate::tenant::BulkRunRow, family: BulkFamily) -> &'static str {
    BulkAction::parse(&run.action).map_or("Bulk action", |a| a.title(family))
}

/// A run of a family the member may see; another's is not found.
async fn load(ctx: &OrgCtx, tenant: &Tenant<'_>, id: i64) -> AppResult<(BulkRun, BulkFamily)> {
    tenant
        .bulk_run(id)
        .await?
        .and_then(|run| family_seen(ctx, &run.run).map(|family| (run, family)))
        .ok_or_else(|| AppError::NotFound.in_page(&ctx.page))
}

async fn detail(ctx: OrgCtx, path: web::Path<(String, i64)>) -> AppResult<HttpResponse> {
    let tenant = viewer(&ctx).await?;
    let (run, family) = load(&ctx, &tenant, path.into_inner().1).await?;
    let title = title_of(&run.run, family);
    let page = ctx.page.clone().with_section(family.key());
    let own = run.run.requester_id == Some(ctx.user.id);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            title: format!("{title}: bulk run {}", run.run.id),
            requester: run.run.requester_label.clone(),
            started: time(run.run.created_at),
            estimate: duration_words(u64::try_from(run.run.estimate_secs).unwrap_or(0)),
            cancelled: run.run.state == "cancelled",
            may_cancel: run.is_open()
                && (own || ctx.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)),
            id: run.run.id,
            progress_html: progress_of(&ctx, &run, family)
                .render()
                .map_err(|e| AppError::Internal(e.into()))?,
        },
    )
}

async fn progress(ctx: OrgCtx, path: web::Path<(String, i64)>) -> AppResult<HttpResponse> {
    let tenant = viewer(&ctx).await?;
    let (run, family) = load(&ctx, &tenant, path.into_inner().1).await?;
    fragment(&progress_of(&ctx, &run, family))
}

async fn cancel(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let tenant = viewer(&ctx).await?;
    load(&ctx, &tenant, id).await?;
    match tenant.cancel_bulk(id).await? {
        Ok(n) => flash::success(
            &session,
            format!(
                "Cancelled: {n} waiting change{} left the queue.",
                if n == 1 { "" } else { "s" }
            ),
        ),
        Err(BulkCancelRefusal::NotFound) => return Err(AppError::NotFound.in_page(&ctx.page)),
        Err(BulkCancelRefusal::NotTheirs) => {
            return Err(AppError::Forbidden(
                "Only the member who started it, or one who manages cloud accounts, cancels it."
                    .into(),
            )
            .in_page(&ctx.page));
        }
    }
    Ok(redirect(&ctx.href(&format!("bulk/{id}"))))
}

struct RunLine {
    id: i64,
    title: &'static str,
    /// "Servers", "E2E nodes".
    family: &'static str,
    requester: String,
    started: String,
    state: String,
}

#[derive(Template)]
#[template(path = "bulk/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    runs: Vec<RunLine>,
}

async fn list(ctx: OrgCtx) -> AppResult<HttpResponse> {
    let tenant = viewer(&ctx).await?;
    let runs = tenant
        .bulk_runs(50)
        .await?
        .into_iter()
        .filter_map(|r| family_seen(&ctx, &r).map(|family| (r, family)))
        .map(|(r, family)| RunLine {
            id: r.id,
            title: title_of(&r, family),
            family: family.title(),
            requester: r.requester_label.clone(),
            started: time(r.created_at),
            state: if r.state == "cancelled" {
                "cancelled".into()
            } else if r.open_items > 0 {
                format!("{} of {} waiting", r.open_items, r.total_items)
            } else {
                "finished".into()
            },
        })
        .collect();
    let page = ctx.page.clone().with_section("servers");
    render(StatusCode::OK, &ListPage { page: &page, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_ticked_rows_and_filters_and_refuses_the_rest() {
        let rows = choice(b"action=power_off&by=rows&ids=A1&ids=B2&ids=A1").ok();
        assert!(matches!(
            rows.map(|c| c.selection),
            Some(BulkSelection::Rows { ids }) if ids == ["A1", "B2"]
        ));
        let filter = choice(b"action=reboot&by=filter&name_prefix=dev-&state=POWERED_ON").ok();
        assert!(matches!(
            filter.map(|c| c.selection),
            Some(BulkSelection::Filter(f)) if f.name_prefix == "dev-"
        ));
        assert!(choice(b"action=reboot&by=rows").is_err());
        assert!(choice(b"action=reboot&by=filter").is_err());
        assert!(choice(b"action=reboot&by=rows&ids=%3Cscript%3E").is_err());
        assert!(choice(b"action=reboot&by=filter&state=MELTING").is_err());
        assert_eq!(duration_words(75), "about 75 s");
        assert_eq!(duration_words(130), "about 2 min 10 s");
    }
}
