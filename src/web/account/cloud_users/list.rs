//! The Cloud Panel users list: search, sort and pages computed in the panel
//! over one cached upstream list.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::UserRow;
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::access::User;
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
    ("email", "Email (A–Z)"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

#[derive(Template)]
#[template(path = "cloud_users/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<UserRow>,
    list: ListView,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    can_create: bool,
    new_href: String,
    permissions_href: String,
    members_href: String,
    list_href: String,
}

/// `q` is already lower case.
fn matches(user: &User, q: &str) -> bool {
    [&user.name, &user.description, &user.email, &user.id]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
        || user
            .roles
            .as_ref()
            .is_some_and(|r| r.name.to_lowercase().contains(q))
        || user.api.allowed_ips.iter().any(|ip| ip.contains(q))
}

fn sort(users: &mut Vec<&User>, key: &str) {
    match key {
        "-name" => users.sort_by_cached_key(|u| std::cmp::Reverse(u.name.to_lowercase())),
        "email" => users.sort_by_cached_key(|u| (u.email.to_lowercase(), u.name.to_lowercase())),
        "-created" => users.sort_by_cached_key(|u| std::cmp::Reverse(u.creation_date.to_string())),
        "created" => users.sort_by_cached_key(|u| u.creation_date.to_string()),
        _ => users.sort_by_cached_key(|u| u.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::USERS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from(
        "the Cloud Panel users",
        up.client().list_users(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("cloud_users");
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
        .map(|u| UserRow::new(u, &ctx, &up))
        .collect();
    let page = ctx.page.clone().with_section("cloud_users");
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
            can_create: ctx.can(perms::USERS_CREATE),
            new_href: up.href(&ctx, "cloud_users/new"),
            permissions_href: up.href(&ctx, "cloud_users/permissions"),
            members_href: ctx.href("members"),
            list_href,
        },
    )
}
