//! The SSH keys list: search, sort and pages computed in the panel over one
//! cached upstream list; rows in a transition refresh themselves.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::KeyRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::ssh_keys::SshKey;
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
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "ssh_keys/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<KeyRow>,
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
#[template(path = "ssh_keys/row.html")]
struct RowFragment<'a> {
    row: &'a KeyRow,
}

/// `q` is already lower case.
fn matches(key: &SshKey, q: &str) -> bool {
    [
        &key.name,
        &key.description,
        &key.id,
        &key.md5,
        &key.public_key,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || key
            .servers
            .iter()
            .any(|s| s.name.to_lowercase().contains(q))
}

fn sort(keys: &mut Vec<&SshKey>, key: &str) {
    match key {
        "-name" => keys.sort_by_cached_key(|k| std::cmp::Reverse(k.name.to_lowercase())),
        "-created" => keys.sort_by_cached_key(|k| std::cmp::Reverse(k.creation_date.to_string())),
        "created" => keys.sort_by_cached_key(|k| k.creation_date.to_string()),
        _ => keys.sort_by_cached_key(|k| k.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SSH_KEYS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from(
        "the SSH keys",
        up.client().list_ssh_keys(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("ssh_keys");
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
        .map(|k| KeyRow::new(k, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("ssh_keys");
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
            can_create: ctx.can(perms::SSH_KEYS_CREATE),
            new_href: up.href(&ctx, "ssh_keys/new"),
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
    let tenant = ctx.require(perms::SSH_KEYS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A key's row as the shared (cached) list shows it now.
async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<KeyRow> {
    let keys = up
        .client()
        .list_ssh_keys(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the SSH keys", &e))?;
    Ok(match keys.value.iter().find(|k| k.id == id) {
        Some(key) => KeyRow::new(key, ctx, up),
        None => KeyRow::removed(id, ctx, up),
    })
}
