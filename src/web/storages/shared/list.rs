//! The shared storages list: search, sort and pages computed in the panel
//! over one cached upstream list, which every refreshing row shares too.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::storage_href;
use super::view::SharedRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::storages::SharedStorage;
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
    ("-used", "Most used first"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "shared_storages/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<SharedRow>,
    list: ListView,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    /// With `problem`, when the request limit was the cause.
    retry_after: Option<u64>,
    can_create: bool,
    can_access: bool,
    new_href: String,
    access_href: String,
    list_href: String,
}

#[derive(Template)]
#[template(path = "shared_storages/row.html")]
struct RowFragment<'a> {
    row: &'a SharedRow,
}

/// `q` is already lower case.
fn matches(storage: &SharedStorage, q: &str) -> bool {
    [
        &storage.name,
        &storage.description,
        &storage.id,
        &storage.cloudpanel_id,
        &storage.datacenter.location,
        &storage.datacenter.country_code,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || storage
            .servers
            .iter()
            .any(|s| s.name.to_lowercase().contains(q))
}

fn sort_storages(storages: &mut Vec<&SharedStorage>, sort: &str) {
    match sort {
        "-name" => storages.sort_by_cached_key(|s| std::cmp::Reverse(s.name.to_lowercase())),
        "state" => {
            storages.sort_by_cached_key(|s| (s.state.as_str().to_owned(), s.name.to_lowercase()))
        }
        "-size" => {
            storages.sort_by_cached_key(|s| (std::cmp::Reverse(s.size), s.name.to_lowercase()))
        }
        "size" => storages.sort_by_cached_key(|s| (s.size, s.name.to_lowercase())),
        // Per mille: a whole number to compare.
        "-used" => storages.sort_by_cached_key(|s| {
            (
                std::cmp::Reverse((s.size_used * 10.0).round() as i64),
                s.name.to_lowercase(),
            )
        }),
        "-created" => {
            storages.sort_by_cached_key(|s| std::cmp::Reverse(s.creation_date.to_string()))
        }
        "created" => storages.sort_by_cached_key(|s| s.creation_date.to_string()),
        _ => storages.sort_by_cached_key(|s| s.name.to_lowercase()),
    }
}

/// A row as the page shows it, linking servers when the member may open them.
pub fn row_of(ctx: &OrgCtx, up: &Upstream, storage: &SharedStorage) -> SharedRow {
    let may_open_servers = ctx.can(perms::SERVERS_SHOW);
    SharedRow::new(storage, storage_href(ctx, &storage.id), up.query(), |id| {
        may_open_servers.then(|| up.server_href(ctx, id))
    })
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SHARED_STORAGES_SHOW).await?;
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
        "the shared storages",
        up.client().list_shared_storages(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let listing = list(
        &storages,
        &params,
        SORTS,
        matches,
        sort_storages,
        &ctx.href("shared_storages"),
        account_id,
    );
    let rows = listing.rows.iter().map(|s| row_of(&ctx, &up, s)).collect();

    let page = ctx.page.clone().with_section("shared_storages");
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
            can_create: ctx.can(perms::SHARED_STORAGES_CREATE),
            can_access: ctx.can(perms::SHARED_STORAGES_ACCESS),
            new_href: up.href(&ctx, "shared_storages/new"),
            access_href: super::access_href(&ctx, &up),
            list_href: ctx.href("shared_storages"),
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
    let tenant = ctx.require(perms::SHARED_STORAGES_SHOW).await?;
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
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<SharedRow> {
    let storages = up
        .client()
        .list_shared_storages(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the shared storages", &e))?;
    Ok(match storages.value.iter().find(|s| s.id == id) {
        Some(storage) => row_of(ctx, up, storage),
        None => SharedRow::removed(id, storage_href(ctx, id), up.query()),
    })
}
