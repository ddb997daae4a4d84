//! The public IPs list: search, sort and pages computed in the panel over
//! one cached upstream list; rows in a transition refresh themselves.

use std::net::IpAddr;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::IpRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::networks::PublicIp;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::Loaded;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Upstream, check_id, connect, fragment, list,
};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The sort orders the list offers; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("ip", "Address"),
    ("assigned", "Assigned to"),
    ("state", "State"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "public_ips/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<IpRow>,
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
#[template(path = "public_ips/row.html")]
struct RowFragment<'a> {
    row: &'a IpRow,
}

/// `q` is already lower case.
fn matches(ip: &PublicIp, q: &str) -> bool {
    let assigned = ip
        .assigned_to
        .as_ref()
        .map(|a| a.name.to_lowercase())
        .unwrap_or_default();
    ip.ip.to_lowercase().contains(q)
        || ip.id.to_lowercase().contains(q)
        || assigned.contains(q)
        || ip
            .reverse_dns
            .as_deref()
            .is_some_and(|d| d.to_lowercase().contains(q))
        || ip.datacenter.location.to_lowercase().contains(q)
}

/// Addresses in numeric order; anything unreadable after them, as text.
fn address_key(ip: &PublicIp) -> (bool, Option<IpAddr>, String) {
    let parsed: Option<IpAddr> = ip.ip.parse().ok();
    (parsed.is_none(), parsed, ip.ip.clone())
}

fn sort(ips: &mut Vec<&PublicIp>, key: &str) {
    match key {
        "assigned" => ips.sort_by_cached_key(|ip| {
            (
                ip.assigned_to.is_none(),
                ip.assigned_to
                    .as_ref()
                    .map(|a| a.name.to_lowercase())
                    .unwrap_or_default(),
                address_key(ip),
            )
        }),
        "state" => ips.sort_by_cached_key(|ip| (ip.state.as_str().to_owned(), address_key(ip))),
        "-created" => ips.sort_by_cached_key(|ip| std::cmp::Reverse(ip.creation_date.to_string())),
        "created" => ips.sort_by_cached_key(|ip| ip.creation_date.to_string()),
        _ => ips.sort_by_cached_key(|ip| address_key(ip)),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::PUBLIC_IPS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from(
        "the public IPs",
        up.client().list_public_ips(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("public_ips");
    let listing = list(
        &loaded.items,
        &params,
        SORTS,
        matches,
        sort,
        &list_href,
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|ip| IpRow::new(ip, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("public_ips");
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            rows,
            list: listing.view,
            accounts,
            account_id,
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
            can_create: ctx.can(perms::PUBLIC_IPS_CREATE),
            new_href: up.href(&ctx, "public_ips/new"),
            list_href,
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
    let tenant = ctx.require(perms::PUBLIC_IPS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// An IP's row as the shared (cached) list shows it now.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<IpRow> {
    let ips = up
        .client()
        .list_public_ips(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the public IPs", &e))?;
    Ok(match ips.value.iter().find(|ip| ip.id == id) {
        Some(ip) => IpRow::new(ip, ctx, up),
        None => IpRow::removed(id, ctx, up),
    })
}
