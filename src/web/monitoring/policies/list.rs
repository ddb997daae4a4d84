//! The monitoring policies list: search, sort and pages computed in the
//! panel over one cached upstream list.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{SECTION, policy_href};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::monitoring::MonitoringPolicy;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, StateBadge, connect, list,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-created", "Newest first"),
    ("created", "Oldest first"),
];

pub struct PolicyRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub href: String,
    pub badge: StateBadge,
    pub is_default: bool,
    pub email: String,
    pub agent: bool,
    pub servers: Vec<String>,
    pub ports: usize,
    pub processes: usize,
    pub created: String,
}

impl PolicyRow {
    fn new(p: &MonitoringPolicy, href: String) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            href,
            badge: StateBadge::new(p.state.as_str(), p.state.is_transitional(), None),
            is_default: p.default,
            email: p.email.clone(),
            agent: p.agent,
            servers: p.servers.iter().map(|s| s.name.clone()).collect(),
            ports: p.ports.len(),
            processes: p.processes.len(),
            created: p.creation_date.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring_policies/list.html")]
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

/// `q` is already lower case.
fn matches(p: &MonitoringPolicy, q: &str) -> bool {
    [&p.name, &p.description, &p.email, &p.id]
        .iter()
        .any(|f| f.to_lowercase().contains(q))
        || p.servers.iter().any(|s| s.name.to_lowercase().contains(q))
}

fn sort_policies(policies: &mut Vec<&MonitoringPolicy>, sort: &str) {
    match sort {
        "-name" => policies.sort_by_cached_key(|p| std::cmp::Reverse(p.name.to_lowercase())),
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
    let tenant = ctx.require(perms::MONITORING_POLICIES_SHOW).await?;
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
        "the monitoring policies",
        up.client()
            .list_monitoring_policies(&ListQuery::all())
            .await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("monitoring_policies");
    let listing = list(
        &policies,
        &params,
        SORTS,
        matches,
        sort_policies,
        &list_href,
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|p| PolicyRow::new(p, format!("{}{}", policy_href(&ctx, &p.id), up.query())))
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
            can_create: ctx.can(perms::MONITORING_POLICIES_CREATE),
            new_href: up.href(&ctx, "monitoring_policies/new"),
            list_href,
        },
    )
}
