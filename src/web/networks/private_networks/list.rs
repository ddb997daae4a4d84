//! The private networks list: search, sort and pages computed in the panel
//! over one cached upstream list; rows in a transition refresh themselves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::NetworkRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::networks::PrivateNetwork;
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
    ("servers", "Most servers first"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "private_networks/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<NetworkRow>,
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
#[template(path = "private_networks/row.html")]
struct RowFragment<'a> {
    row: &'a NetworkRow,
}

/// `q` is already lower case.
fn matches(network: &PrivateNetwork, q: &str) -> bool {
    [
        &network.name,
        &network.description,
        &network.id,
        &network.cloudpanel_id,
        &network.network_address,
        &network.datacenter.location,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || network
            .servers
            .iter()
            .any(|s| s.name.to_lowercase().contains(q))
}

fn sort(networks: &mut Vec<&PrivateNetwork>, key: &str) {
    match key {
        "-name" => networks.sort_by_cached_key(|n| std::cmp::Reverse(n.name.to_lowercase())),
        "state" => {
            networks.sort_by_cached_key(|n| (n.state.as_str().to_owned(), n.name.to_lowercase()))
        }
        "servers" => networks
            .sort_by_cached_key(|n| (std::cmp::Reverse(n.servers.len()), n.name.to_lowercase())),
        "-created" => {
            networks.sort_by_cached_key(|n| std::cmp::Reverse(n.creation_date.to_string()))
        }
        "created" => networks.sort_by_cached_key(|n| n.creation_date.to_string()),
        _ => networks.sort_by_cached_key(|n| n.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::PRIVATE_NETWORK_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from(
        "the private networks",
        up.client().list_private_networks(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("private_networks");
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
        .map(|n| NetworkRow::new(n, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("private_networks");
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
            can_create: ctx.can(perms::PRIVATE_NETWORK_CREATE),
            new_href: up.href(&ctx, "private_networks/new"),
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
    let tenant = ctx.require(perms::PRIVATE_NETWORK_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A network's row as the shared (cached) list shows it now: every
/// refreshing row of every member costs one upstream call per cache period.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<NetworkRow> {
    let networks = up
        .client()
        .list_private_networks(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the private networks", &e))?;
    Ok(match networks.value.iter().find(|n| n.id == id) {
        Some(network) => NetworkRow::new(network, ctx, up),
        None => NetworkRow::removed(id, ctx, up),
    })
}
