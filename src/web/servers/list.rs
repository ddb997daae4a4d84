//! The servers list: search, sort and pages computed in the panel over one
//! cached upstream list, so every member and every refreshing row share a
//! single upstream call per cache period.

use super::server_href;
use super::view::ServerRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::servers::Server;
use crate::rbac::perms;
use crate::tenant::CloudAccountRow;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, Upstream, check_id, connect, fragment,
    list,
};
use crate::web::error::{AppError, AppResult};
use crate::web::org::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

/// The sort orders the list offers; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("state", "State"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "servers/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<ServerRow>,
    list: ListView,
    accounts: Vec<CloudAccountRow>,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    /// With `problem`, when the request limit was the cause.
    retry_after: Option<u64>,
    can_create: bool,
    new_href: String,
    list_href: String,
}

#[derive(Template)]
#[template(path = "servers/row.html")]
struct RowFragment<'a> {
    row: &'a ServerRow,
}

/// `q` is already lower case.
fn matches(server: &Server, q: &str) -> bool {
    if q.is_empty() {
        return true;
    }
    [
        &server.name,
        &server.description,
        &server.id,
        &server.cloudpanel_id,
        &server.datacenter.location,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || server.ips.iter().any(|ip| ip.ip.contains(q))
}

/// Cached keys: each server's key is computed once, not once per comparison.
fn sort_servers(servers: &mut Vec<&Server>, sort: &str) {
    match sort {
        "-name" => servers.sort_by_cached_key(|s| std::cmp::Reverse(s.name.to_lowercase())),
        "state" => servers
            .sort_by_cached_key(|s| (s.status.state.as_str().to_owned(), s.name.to_lowercase())),
        "-created" => {
            servers.sort_by_cached_key(|s| std::cmp::Reverse(s.creation_date.to_string()))
        }
        "created" => servers.sort_by_cached_key(|s| s.creation_date.to_string()),
        _ => servers.sort_by_cached_key(|s| s.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up: Upstream = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    // Only this page shows the switcher, so only it loads every account.
    let accounts = tenant.accounts().await?;

    let Loaded {
        items: servers,
        notice,
        problem,
        retry_after,
    } = Loaded::from(
        "the servers",
        up.client().list_servers_shared(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let listing = list(
        &servers,
        &params,
        SORTS,
        matches,
        sort_servers,
        &ctx.href("servers"),
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|s| ServerRow::new(s, server_href(&ctx, &s.id), up.query()))
        .collect();

    let page = ctx.page.clone().with_section("servers");
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            rows,
            list: listing.view,
            account_id,
            accounts,
            notice,
            problem,
            retry_after,
            can_create: ctx.can(perms::SERVERS_CREATE),
            new_href: format!("{}{}", ctx.href("servers/new"), up.query()),
            list_href: ctx.href("servers"),
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
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A server's row as the shared list shows it now, for the refreshing
/// fragments. The whole (cached) list rather than the single server: every
/// refreshing row and status of every member then costs one upstream call per
/// cache period.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<ServerRow> {
    let servers = up
        .client()
        .list_servers_shared(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the servers", &e))?;
    let href = server_href(ctx, id);
    match servers.value.iter().find(|s| s.id == id) {
        // An older list kept because the API failed keeps the row's last
        // state; the row goes on refreshing, more slowly each time.
        Some(server) => {
            Ok(ServerRow::new(server, href, up.query()).with_updating(servers.updating))
        }
        // An older list cannot tell that a server is gone (it may be new):
        // not a fragment, so the script tries again later.
        None if servers.stale => Err(AppError::Upstream(
            "The servers could not be loaded again yet.".into(),
        )),
        None => Ok(ServerRow::removed(id, href, up.query())),
    }
}
