//! The servers list: search, sort and pages computed in the panel over one
//! cached upstream list, so every member and every refreshing row share a
//! single upstream call per cache period.

use super::server_href;
use super::view::ServerRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::servers::Server;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, Upstream, check_id, chosen_sort, connect,
    fragment, list_in_order,
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
    /// This page's rows, each already rendered (see [`Prepared`]).
    rows: Vec<&'a str>,
    list: ListView,
    accounts: AccountList,
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

/// One server of the list, made once per stored answer of the API, sort
/// order and account, and shared by every member's view of it: what the
/// search looks in, and the row's HTML. Building and rendering two hundred
/// rows on every view was most of the page's time; now a view filters and
/// cuts a page out of rows that are ready.
struct Prepared {
    /// Lower case: name, description, ids, datacenter location and IPs.
    haystack: Vec<String>,
    html: String,
}

/// `q` is already lower case.
fn matches(row: &Prepared, q: &str) -> bool {
    q.is_empty() || row.haystack.iter().any(|field| field.contains(q))
}

fn haystack(server: &Server) -> Vec<String> {
    [
        &server.name,
        &server.description,
        &server.id,
        &server.cloudpanel_id,
        &server.datacenter.location,
    ]
    .into_iter()
    .chain(server.ips.iter().map(|ip| &ip.ip))
    .map(|field| field.to_lowercase())
    .collect()
}

/// Cached keys: each server's key is computed once, not once per comparison.
fn sort_servers(servers: &mut [&Server], sort: &str) {
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

/// Every server's row, in the order `sort` asks for.
fn prepare(
    servers: &[Server],
    sort: &str,
    ctx: &OrgCtx,
    query: &str,
    updating: bool,
) -> Result<Vec<Prepared>, askama::Error> {
    let mut order: Vec<&Server> = servers.iter().collect();
    sort_servers(&mut order, sort);
    order
        .into_iter()
        .map(|server| {
            let row = ServerRow::new(server, server_href(ctx, &server.id), query.to_owned())
                .with_updating(updating);
            Ok(Prepared {
                haystack: haystack(server),
                html: RowFragment { row: &row }.render()?,
            })
        })
        .collect()
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
    let account_id = up.row().id;

    let sort = chosen_sort(&params, SORTS);
    let fetched = up.client().list_servers_shared(&ListQuery::all()).await;
    let query = up.query();
    let prepared = fetched.as_ref().ok().map(|f| {
        // What is derived, and everything it is made of besides the answer
        // itself: the organisation (in the rows' links), the account (in
        // `query`), the order, and whether the rows are marked as updating.
        let updating = if f.updating { "updating" } else { "current" };
        let key = ["servers list", ctx.slug(), &query, sort, updating].join(" ");
        f.derived(&key, |servers| {
            prepare(servers, sort, &ctx, &query, f.updating)
        })
    });
    let prepared: &[Prepared] = match prepared.as_deref() {
        Some(Ok(rows)) => rows,
        Some(Err(e)) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "Failed to render the servers' rows: {e}"
            )));
        }
        None => &[],
    };
    let Loaded {
        notice,
        problem,
        retry_after,
        ..
    } = Loaded::from("the servers", fetched);
    let list_href = ctx.href("servers");
    // Already in order: the list filters and cuts the page.
    let listing = list_in_order(prepared, &params, SORTS, matches, &list_href, account_id);
    let rows = listing.rows.iter().map(|row| row.html.as_str()).collect();

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
            new_href: up.href(&ctx, "servers/new"),
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
