//! The load balancers list: search, sort and pages computed in the panel
//! over one cached upstream list, shared by every member and refreshing row.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::BalancerRow;
use super::{SECTION, balancer_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::networks::LoadBalancer;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, Upstream, check_id, connect, fragment,
    list,
};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The sort orders the list offers; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("state", "State"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "load_balancers/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<BalancerRow>,
    list: ListView,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    can_create: bool,
    new_href: String,
    list_href: String,
}

#[derive(Template)]
#[template(path = "load_balancers/row.html")]
struct RowFragment<'a> {
    row: &'a BalancerRow,
}

/// `q` is already lower case.
fn matches(lb: &LoadBalancer, q: &str) -> bool {
    [
        &lb.name,
        &lb.description,
        &lb.id,
        &lb.cloudpanel_id,
        &lb.datacenter.location,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || lb.ip.as_deref().is_some_and(|ip| ip.contains(q))
        || lb
            .server_ips
            .iter()
            .any(|ip| ip.ip.contains(q) || ip.server_name.to_lowercase().contains(q))
}

fn sort_balancers(balancers: &mut Vec<&LoadBalancer>, sort: &str) {
    match sort {
        "-name" => balancers.sort_by_cached_key(|p| std::cmp::Reverse(p.name.to_lowercase())),
        "state" => {
            balancers.sort_by_cached_key(|p| (p.state.as_str().to_owned(), p.name.to_lowercase()))
        }
        "-created" => {
            balancers.sort_by_cached_key(|p| std::cmp::Reverse(p.creation_date.to_string()))
        }
        "created" => balancers.sort_by_cached_key(|p| p.creation_date.to_string()),
        _ => balancers.sort_by_cached_key(|p| p.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::LOAD_BALANCERS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;

    let Loaded {
        items: balancers,
        notice,
        problem,
        retry_after,
    } = Loaded::from(
        "the load balancers",
        up.client().list_load_balancers(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let listing = list(
        &balancers,
        &params,
        SORTS,
        matches,
        sort_balancers,
        &ctx.href("load_balancers"),
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|p| BalancerRow::new(p, balancer_href(&ctx, &p.id), up.query()))
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            rows,
            list: listing.view,
            accounts,
            account_id,
            notice,
            problem,
            retry_after,
            can_create: ctx.can(perms::LOAD_BALANCERS_CREATE),
            new_href: up.href(&ctx, "load_balancers/new"),
            list_href: ctx.href("load_balancers"),
        },
    )
}

/// One row, for a row in a transitional state that refreshes itself.
pub async fn row(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::LOAD_BALANCERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A balancer's row as the shared (cached) list shows it now: every
/// refreshing row and status of every member costs one upstream call per
/// cache period.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<BalancerRow> {
    let balancers = up
        .client()
        .list_load_balancers(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the load balancers", &e))?;
    let href = balancer_href(ctx, id);
    Ok(match balancers.value.iter().find(|p| p.id == id) {
        Some(lb) => BalancerRow::new(lb, href, up.query()),
        None => BalancerRow::removed(id, href, up.query()),
    })
}
