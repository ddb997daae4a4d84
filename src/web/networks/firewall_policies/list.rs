//! The firewall policies list: search, sort and pages computed in the panel
//! over one cached upstream list, shared by every member and refreshing row.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::view::PolicyRow;
use super::{SECTION, policy_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::networks::FirewallPolicy;
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
#[template(path = "firewall_policies/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<PolicyRow>,
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
#[template(path = "firewall_policies/row.html")]
struct RowFragment<'a> {
    row: &'a PolicyRow,
}

/// `q` is already lower case.
fn matches(policy: &FirewallPolicy, q: &str) -> bool {
    [
        &policy.name,
        &policy.description,
        &policy.id,
        &policy.cloudpanel_id,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(q))
        || policy
            .server_ips
            .iter()
            .any(|ip| ip.ip.contains(q) || ip.server_name.to_lowercase().contains(q))
}

fn sort_policies(policies: &mut Vec<&FirewallPolicy>, sort: &str) {
    match sort {
        "-name" => policies.sort_by_cached_key(|p| std::cmp::Reverse(p.name.to_lowercase())),
        "state" => {
            policies.sort_by_cached_key(|p| (p.state.as_str().to_owned(), p.name.to_lowercase()))
        }
        "-created" => {
            policies.sort_by_cached_key(|p| std::cmp::Reverse(p.creation_date.to_string()))
        }
        "created" => policies.sort_by_cached_key(|p| p.creation_date.to_string()),
        _ => policies.sort_by_cached_key(|p| p.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::FIREWALL_POLICIES_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;

    let Loaded {
        items: policies,
        notice,
        problem,
        retry_after,
    } = Loaded::from(
        "the firewall policies",
        up.client().list_firewall_policies(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let listing = list(
        &policies,
        &params,
        SORTS,
        matches,
        sort_policies,
        &ctx.href("firewall_policies"),
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|p| PolicyRow::new(p, policy_href(&ctx, &p.id), up.query()))
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            rows,
            list: listing.view,
            accounts,
            account_id,
            notice,
            problem,
            retry_after,
            can_create: ctx.can(perms::FIREWALL_POLICIES_CREATE),
            new_href: up.href(&ctx, "firewall_policies/new"),
            list_href: ctx.href("firewall_policies"),
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
    let tenant = ctx.require(perms::FIREWALL_POLICIES_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered)
        .await?
        .polling();
    let row = current_row(&up, &ctx, id).await?;
    fragment(&RowFragment { row: &row })
}

/// A policy's row as the shared (cached) list shows it now: every
/// refreshing row and status of every member costs one upstream call per
/// cache period.
pub async fn current_row(up: &Upstream, ctx: &OrgCtx, id: &str) -> AppResult<PolicyRow> {
    let policies = up
        .client()
        .list_firewall_policies(&ListQuery::all())
        .await
        .map_err(|e| AppError::cloud("the firewall policies", &e))?;
    let href = policy_href(ctx, id);
    Ok(match policies.value.iter().find(|p| p.id == id) {
        Some(policy) => PolicyRow::new(policy, href, up.query()),
        None => PolicyRow::removed(id, href, up.query()),
    })
}
