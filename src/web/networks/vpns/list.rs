//! The VPNs list: search, sort and pages computed in the panel over one
//! cached upstream list; rows in a transition refresh themselves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::VpnRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::networks::Vpn;
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
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("state", "State"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "vpns/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<VpnRow>,
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
#[template(path = "vpns/row.html")]
struct RowFragment<'a> {
    row: &'a VpnRow,
}

/// `q` is already lower case.
fn matches(vpn: &Vpn, q: &str) -> bool {
    [
        &vpn.name,
        &vpn.description,
        &vpn.id,
        &vpn.cloudpanel_id,
        &vpn.datacenter.location,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || vpn.ips.iter().any(|ip| ip.contains(q))
}

fn sort(vpns: &mut Vec<&Vpn>, key: &str) {
    match key {
        "-name" => vpns.sort_by_cached_key(|v| std::cmp::Reverse(v.name.to_lowercase())),
        "state" => {
            vpns.sort_by_cached_key(|v| (v.state.as_str().to_owned(), v.name.to_lowercase()))
        }
        "-created" => vpns.sort_by_cached_key(|v| std::cmp::Reverse(v.creation_date.to_string())),
        "created" => vpns.sort_by_cached_key(|v| v.creation_date.to_string()),
        _ => vpns.sort_by_cached_key(|v| v.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::VPN_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from("the VPNs", up.client().list_vpns(&ListQuery::all()).await);
    let account_id = up.row().id;
    let list_href = ctx.href("vpns");
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
        .map(|v| VpnRow::new(v, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("vpns");
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
            can_create: ctx.can(perms::VPN_CREATE),
            new_href: up.href(&ctx, "vpns/new"),
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
    let tenant = ctx.require(perms::VPN_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A VPN's row as the shared (cached) list shows it now.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<VpnRow> {
    let vpns = up
        .client()
        .list_vpns(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the VPNs", &e))?;
    Ok(match vpns.value.iter().find(|v| v.id == id) {
        Some(vpn) => VpnRow::new(vpn, ctx, up),
        None => VpnRow::removed(id, ctx, up),
    })
}
