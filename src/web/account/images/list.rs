//! The images list: search, sort and pages computed in the panel over one
//! cached upstream list; rows in a transition refresh themselves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::{ImageRow, servers};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::images::Image;
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
#[template(path = "images/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<ImageRow>,
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
#[template(path = "images/row.html")]
struct RowFragment<'a> {
    row: &'a ImageRow,
}

/// `q` is already lower case.
fn matches(image: &Image, q: &str) -> bool {
    [
        &image.name,
        &image.description,
        &image.id,
        &image.os,
        &image.datacenter.location,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
}

fn sort(images: &mut Vec<&Image>, key: &str) {
    match key {
        "-name" => images.sort_by_cached_key(|i| std::cmp::Reverse(i.name.to_lowercase())),
        "state" => {
            images.sort_by_cached_key(|i| (i.state.as_str().to_owned(), i.name.to_lowercase()))
        }
        "-created" => images.sort_by_cached_key(|i| std::cmp::Reverse(i.creation_date.to_string())),
        "created" => images.sort_by_cached_key(|i| i.creation_date.to_string()),
        _ => images.sort_by_cached_key(|i| i.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::IMAGES_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    // Side by side: the page waits for the slowest, not the sum.
    let all = ListQuery::all();
    let (images, servers) = futures_util::join!(up.client().list_images(&all), servers(&up));
    let loaded = Loaded::from("the images", images);
    let account_id = up.row().id;
    let list_href = ctx.href("images");
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
        .map(|i| ImageRow::new(i, &servers, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("images");
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
            can_create: ctx.can(perms::IMAGES_CREATE),
            new_href: up.href(&ctx, "images/new"),
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
    let tenant = ctx.require(perms::IMAGES_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// An image's row as the shared (cached) list shows it now.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<ImageRow> {
    // Side by side: the row waits for the slowest, not the sum.
    let all = ListQuery::all();
    let (images, servers) = futures_util::join!(up.client().list_images(&all), servers(up));
    let images = images.map_err(|e| AppError::cloud("the images", &e))?;
    Ok(match images.value.iter().find(|i| i.id == id) {
        Some(image) => ImageRow::new(image, &servers, ctx, up),
        None => ImageRow::removed(id, ctx, up),
    })
}
