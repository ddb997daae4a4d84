//! The block storages list: search, sort and pages computed in the panel
//! over one cached upstream list, which every refreshing row shares too.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::storage_href;
use super::view::BlockRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::storages::BlockStorage;
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
    ("-size", "Largest first"),
    ("size", "Smallest first"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "block_storages/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<BlockRow>,
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
#[template(path = "block_storages/row.html")]
struct RowFragment<'a> {
    row: &'a BlockRow,
}

/// `q` is already lower case.
fn matches(storage: &BlockStorage, q: &str) -> bool {
    [
        &storage.name,
        &storage.description,
        &storage.id,
        &storage.datacenter.location,
        &storage.datacenter.country_code,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || storage
            .server
            .as_ref()
            .is_some_and(|s| s.name.to_lowercase().contains(q))
}

fn sort_storages(storages: &mut Vec<&BlockStorage>, sort: &str) {
    match sort {
        "-name" => storages.sort_by_cached_key(|s| std::cmp::Reverse(s.name.to_lowercase())),
        "state" => {
            storages.sort_by_cached_key(|s| (s.state.as_str().to_owned(), s.name.to_lowercase()))
        }
        "-size" => {
            storages.sort_by_cached_key(|s| (std::cmp::Reverse(s.size), s.name.to_lowercase()))
        }
        "size" => storages.sort_by_cached_key(|s| (s.size, s.name.to_lowercase())),
        "-created" => {
            storages.sort_by_cached_key(|s| std::cmp::Reverse(s.creation_date.to_string()))
        }
        "created" => storages.sort_by_cached_key(|s| s.creation_date.to_string()),
        _ => storages.sort_by_cached_key(|s| s.name.to_lowercase()),
    }
}

/// A row as the page shows it, linking the server when the member may open servers.
pub fn row_of(ctx: &OrgCtx, up: &Upstream, storage: &BlockStorage) -> BlockRow {
    let may_open_servers = ctx.can(perms::SERVERS_SHOW);
    BlockRow::new(storage, storage_href(ctx, &storage.id), up.query(), |id| {
        may_open_servers.then(|| up.server_href(ctx, id))
    })
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::BLOCK_STORAGES_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    // Only this page shows the switcher, so only it loads every account.
    let accounts = tenant.accounts().await?;

    let Loaded {
        items: storages,
        notice,
        problem,
        retry_after,
    } = Loaded::from(
        "the block storages",
        up.client().list_block_storages(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let listing = list(
        &storages,
        &params,
        SORTS,
        matches,
        sort_storages,
        &ctx.href("block_storages"),
        account_id,
    );
    let rows = listing.rows.iter().map(|s| row_of(&ctx, &up, s)).collect();

    let page = ctx.page.clone().with_section("block_storages");
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
            can_create: ctx.can(perms::BLOCK_STORAGES_CREATE),
            new_href: up.href(&ctx, "block_storages/new"),
            list_href: ctx.href("block_storages"),
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
    let tenant = ctx.require(perms::BLOCK_STORAGES_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A storage's row as the (cached) list shows it now: every refreshing row
/// and status of every member costs one upstream call per cache period.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<BlockRow> {
    let storages = up
        .client()
        .list_block_storages(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the block storages", &e))?;
    Ok(match storages.value.iter().find(|s| s.id == id) {
        Some(storage) => row_of(ctx, up, storage),
        None => BlockRow::removed(id, storage_href(ctx, id), up.query()),
    })
}
