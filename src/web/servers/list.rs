//! The servers list: search, sort and pages computed in the panel over one
//! cached upstream list, so every member and every refreshing row share a
//! single upstream call per cache period.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::ServerRow;
use super::{AccountParam, Fallback, Upstream, check_id, connect, server_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::servers::Server;
use crate::rbac::perms;
use crate::tenant::CloudAccountRow;
use crate::web::error::AppResult;
use crate::web::org::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

pub const PER_PAGE: usize = 25;

#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    account: Option<String>,
}

/// The sort orders the list offers.
const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("state", "State"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

pub struct SortOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "servers/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<ServerRow>,
    total: usize,
    matching: usize,
    q: &'a str,
    sorts: Vec<SortOption>,
    page_no: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// This very view again: same search, sort, page and account.
    refresh_href: String,
    /// The search cleared, the sort kept.
    clear_href: String,
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

/// The list's address with its search, sort, page and account, so paging and
/// "Refresh" keep what the user chose.
fn list_href(ctx: &OrgCtx, account: i64, q: &str, sort: &str, page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("account", &account.to_string());
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    if !sort.is_empty() && sort != "name" {
        query.append_pair("sort", sort);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    format!("{}?{}", ctx.href("servers"), query.finish())
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let params = params.into_inner();
    // A page number or account that is not a number is ignored, never an error page.
    let requested_account = params
        .account
        .as_deref()
        .and_then(|a| a.parse::<i64>().ok());
    let named = AccountParam::named(requested_account);
    let up: Upstream = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    // Only this page shows the switcher, so only it loads every account.
    let accounts = tenant.accounts().await?;
    let q = params.q.trim().chars().take(100).collect::<String>();
    let sort = if SORTS.iter().any(|(k, _)| *k == params.sort) {
        params.sort.as_str()
    } else {
        "name"
    };
    let page_no = params
        .page
        .as_deref()
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);

    let (servers, notice, problem, retry_after) =
        match up.client().list_servers_shared(&ListQuery::all()).await {
            Ok(fetched) => {
                let notice = fetched.freshness().map(|f| format!("Showing {f}."));
                (fetched.value, notice, None, None)
            }
            Err(e) => (
                Default::default(),
                None,
                Some(format!("Could not load the servers: {}", e.summary())),
                e.retry_after_secs(),
            ),
        };
    let total = servers.len();
    let needle = q.to_lowercase();
    let mut shown: Vec<&Server> = servers.iter().filter(|s| matches(s, &needle)).collect();
    sort_servers(&mut shown, sort);
    let matching = shown.len();
    let pages = matching.div_ceil(PER_PAGE).max(1);
    let page_no = page_no.min(pages);
    let rows = shown
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|s| ServerRow::new(s, server_href(&ctx, &s.id), up.query()))
        .collect();

    let page = ctx.page.clone().with_section("servers");
    let account_id = up.row().id;
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            rows,
            total,
            matching,
            q: &q,
            sorts: SORTS
                .iter()
                .map(|(key, label)| SortOption {
                    key,
                    label,
                    selected: *key == sort,
                })
                .collect(),
            page_no,
            pages,
            prev_href: (page_no > 1).then(|| list_href(&ctx, account_id, &q, sort, page_no - 1)),
            next_href: (page_no < pages)
                .then(|| list_href(&ctx, account_id, &q, sort, page_no + 1)),
            refresh_href: list_href(&ctx, account_id, &q, sort, page_no),
            clear_href: list_href(&ctx, account_id, "", sort, 1),
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
        .map_err(|e| crate::web::error::AppError::cloud("the servers", &e))?;
    let href = server_href(ctx, id);
    Ok(match servers.value.iter().find(|s| s.id == id) {
        Some(server) => ServerRow::new(server, href, up.query()),
        None => ServerRow::removed(id, href, up.query()),
    })
}

/// An HTML fragment for the page's script; marked so the script never swaps
/// in a whole page (for instance the sign-in page after a session expired).
pub fn fragment(template: &impl Template) -> AppResult<HttpResponse> {
    let mut response = render(StatusCode::OK, template)?;
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-fragment"),
        actix_web::http::header::HeaderValue::from_static("1"),
    );
    Ok(response)
}
