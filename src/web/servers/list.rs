//! The servers list: search, sort and pages computed in the panel over one
//! cached upstream list, so every member and every refreshing row share a
//! single upstream call per cache period.

use super::FAMILY;
use super::server_href;
use super::view::ServerRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::servers::Server;
use crate::rbac::perms;
use crate::tenant::{AccountList, BulkFamily};
use crate::web::cloud::{
    AccountParam, BulkCard, Fallback, ListParams, ListView, Loaded, Object, Upstream, chosen_sort,
    connect, fragment, list_in_order,
};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::spliced;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::ops::Range;

/// The sort orders the list offers; the first is the default.
pub(crate) const SORTS: &[(&str, &str)] = &[
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
    /// Whether this page has no rows. The rows themselves are not in the
    /// page: they are made once and shared (see [`Prepared`]), and the
    /// template marks where they go with `spliced::SLOT`.
    no_rows: bool,
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
    /// The bulk form, when this member may take a bulk action.
    bulk: Option<BulkCard>,
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
    /// Where the row's HTML is in [`PreparedList::html`].
    html: Range<usize>,
}

/// Every row of the list, in order, and their HTML one after another: a
/// page of rows that are next to each other in the list (every page but a
/// search's) is one slice of it, which the response shares.
struct PreparedList {
    rows: Vec<Prepared>,
    html: Bytes,
}

impl PreparedList {
    /// The HTML of `rows`, shared when they lie next to each other.
    fn html_of(&self, rows: &[&Prepared]) -> Bytes {
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Bytes::new();
        };
        let adjacent = rows.windows(2).all(|w| w[0].html.end == w[1].html.start);
        if adjacent {
            return self.html.slice(first.html.start..last.html.end);
        }
        let mut html = Vec::with_capacity(rows.iter().map(|r| r.html.len()).sum());
        for row in rows {
            html.extend_from_slice(&self.html[row.html.clone()]);
        }
        Bytes::from(html)
    }
}

/// `q` is already lower case.
fn matches(row: &Prepared, q: &str) -> bool {
    q.is_empty() || row.haystack.iter().any(|field| field.contains(q))
}

pub(crate) fn haystack(server: &Server) -> Vec<String> {
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
pub(crate) fn sort_servers(servers: &mut [&Server], sort: &str) {
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
) -> Result<PreparedList, askama::Error> {
    let mut order: Vec<&Server> = servers.iter().collect();
    sort_servers(&mut order, sort);
    let mut html = String::new();
    let mut rows = Vec::with_capacity(order.len());
    for server in order {
        let row = ServerRow::new(server, server_href(ctx, &server.id), query.to_owned())
            .with_updating(updating);
        let start = html.len();
        RowFragment { row: &row }.render_into(&mut html)?;
        html.push('\n');
        rows.push(Prepared {
            haystack: haystack(server),
            html: start..html.len(),
        });
    }
    Ok(PreparedList {
        rows,
        html: Bytes::from(html),
    })
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
    let prepared: Option<&PreparedList> = match prepared.as_deref() {
        Some(Ok(list)) => Some(list),
        Some(Err(e)) => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "Failed to render the servers' rows: {e}"
            )));
        }
        None => None,
    };
    let Loaded {
        notice,
        problem,
        retry_after,
        ..
    } = Loaded::from("the servers", fetched);
    let list_href = ctx.href("servers");
    // Already in order: the list filters and cuts the page.
    let all = prepared.map_or(&[][..], |list| list.rows.as_slice());
    let listing = list_in_order(all, &params, SORTS, matches, &list_href, account_id);
    let rows = prepared.map_or_else(Bytes::new, |list| list.html_of(&listing.rows));

    let page = ctx.page.clone().with_section("servers");
    spliced::render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            no_rows: listing.rows.is_empty(),
            list: listing.view,
            account_id,
            accounts,
            notice,
            problem,
            retry_after,
            can_create: ctx.can(perms::SERVERS_CREATE),
            new_href: up.href(&ctx, "servers/new"),
            list_href,
            bulk: BulkCard::for_member(&ctx, &up, BulkFamily::Servers),
        },
        rows,
    )
}

/// One row, for a row in a transitional state that refreshes itself.
pub async fn row(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, FAMILY.show).await?.polling();
    let row = current_row(&up, &ctx, &object.id).await?;
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
        // A scoped list leaves out what is outside the scope as well as
        // what is gone: not found either way, so nothing is said of it.
        None if up.client().is_scoped() => Err(AppError::NotFound),
        None => Ok(ServerRow::removed(id, href, up.query())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> PreparedList {
        let html = "<tr>a</tr>\n<tr>b</tr>\n<tr>c</tr>\n";
        let rows = [0..11, 11..22, 22..33]
            .into_iter()
            .map(|html| Prepared {
                haystack: Vec::new(),
                html,
            })
            .collect();
        PreparedList {
            rows,
            html: Bytes::from_static(html.as_bytes()),
        }
    }

    #[test]
    fn rows_next_to_each_other_are_shared_and_others_are_joined() {
        let list = list();
        let [a, b, c] = [&list.rows[0], &list.rows[1], &list.rows[2]];
        let shared = list.html_of(&[b, c]);
        assert_eq!(shared, "<tr>b</tr>\n<tr>c</tr>\n");
        // A slice of the list's own buffer, not a copy.
        assert_eq!(shared.as_ptr(), list.html[11..].as_ptr());
        assert_eq!(list.html_of(&[a, c]), "<tr>a</tr>\n<tr>c</tr>\n");
        assert_eq!(list.html_of(&[]), "");
    }
}
