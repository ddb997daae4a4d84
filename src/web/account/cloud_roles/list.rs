//! The Cloud Panel roles list: search, sort and pages computed in the panel
//! over one cached upstream list.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::RoleRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::access::Role;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{AccountParam, Fallback, ListParams, ListView, Loaded, connect, list};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The sort orders the list offers; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-users", "Most users first"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "cloud_roles/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<RoleRow>,
    list: ListView,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    can_create: bool,
    new_href: String,
    list_href: String,
    panel_roles_href: String,
}

/// `q` is already lower case.
fn matches(role: &Role, q: &str) -> bool {
    [&role.name, &role.description, &role.id]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
        || role.users.iter().any(|u| u.name.to_lowercase().contains(q))
}

fn sort(roles: &mut Vec<&Role>, key: &str) {
    match key {
        "-name" => roles.sort_by_cached_key(|r| std::cmp::Reverse(r.name.to_lowercase())),
        "-users" => {
            roles.sort_by_cached_key(|r| (std::cmp::Reverse(r.users.len()), r.name.to_lowercase()))
        }
        "-created" => roles.sort_by_cached_key(|r| std::cmp::Reverse(r.creation_date.to_string())),
        "created" => roles.sort_by_cached_key(|r| r.creation_date.to_string()),
        _ => roles.sort_by_cached_key(|r| r.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::ROLES_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from(
        "the Cloud Panel roles",
        up.client().list_roles(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("cloud_roles");
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
        .map(|r| RoleRow::new(r, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("cloud_roles");
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
            can_create: ctx.can(perms::ROLES_CREATE),
            new_href: up.href(&ctx, "cloud_roles/new"),
            list_href,
            panel_roles_href: ctx.href("roles"),
        },
    )
}
