//! The datacenters: a list, and each one's page with what can be placed there.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{DATACENTERS, SECTION, SERVER_APPLIANCES, datacenter_name, found};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::catalogue::Datacenter;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, check_id, connect, list, read_problem,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// The sort orders the list offers; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("location", "Location (A–Z)"),
    ("-location", "Location (Z–A)"),
    ("country", "Country code"),
];

/// One row of the list.
pub struct DatacenterRow {
    pub id: String,
    pub location: String,
    pub country_code: String,
    pub default: bool,
    /// The datacenter's page, with the account query.
    pub href: String,
}

#[derive(Template)]
#[template(path = "catalogue/datacenters.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<DatacenterRow>,
    list: ListView,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    list_href: String,
    index_href: String,
}

#[derive(Template)]
#[template(path = "catalogue/datacenter.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    dc: &'a Datacenter,
    title: String,
    /// The server appliances usable here: name and page.
    appliances: Vec<(String, String)>,
    appliances_problem: Option<String>,
    list_href: String,
    account_name: String,
    notice: Option<String>,
}

/// `q` is already lower case.
fn matches(dc: &Datacenter, q: &str) -> bool {
    [&dc.location, &dc.country_code, &dc.id]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
}

fn sort(items: &mut Vec<&Datacenter>, key: &str) {
    match key {
        "-location" => items.sort_by_cached_key(|d| std::cmp::Reverse(d.location.to_lowercase())),
        "country" => {
            items.sort_by_cached_key(|d| (d.country_code.clone(), d.location.to_lowercase()))
        }
        _ => items.sort_by_cached_key(|d| d.location.to_lowercase()),
    }
}

pub async fn list_page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let loaded = Loaded::from(
        "the datacenters",
        up.client().list_datacenters(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = DATACENTERS.list_href(&ctx);
    let listing = list(
        &loaded.items,
        &params,
        SORTS,
        matches,
        sort,
        &list_href,
        account_id,
    );
    let query = up.query();
    let rows = listing
        .rows
        .iter()
        .map(|d| DatacenterRow {
            id: d.id.clone(),
            location: d.location.clone(),
            country_code: d.country_code.clone(),
            default: d.default,
            href: format!("{}{query}", DATACENTERS.item_href(&ctx, &d.id)),
        })
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
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
            list_href,
            index_href: up.href(&ctx, "catalogue"),
        },
    )
}

pub async fn detail(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    // Side by side: the page waits for the slowest, not the sum.
    let client = up.client();
    let all = ListQuery::all();
    let (fetched, appliances) = futures_util::join!(
        client.get_datacenter(id),
        client.list_server_appliances(&all)
    );
    let fetched = found(&ctx, &DATACENTERS, fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let dc = fetched.value;
    let query = up.query();
    let (appliances, appliances_problem) = match appliances {
        Ok(f) => {
            let mut usable: Vec<(String, String)> = f
                .value
                .iter()
                .filter(|a| a.available_in(&dc.id))
                .map(|a| {
                    (
                        a.name.clone(),
                        format!("{}{query}", SERVER_APPLIANCES.item_href(&ctx, &a.id)),
                    )
                })
                .collect();
            usable.sort_by_cached_key(|(name, _)| name.to_lowercase());
            (usable, None)
        }
        Err(e) => (Vec::new(), Some(read_problem("the server appliances", &e))),
    };
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            title: datacenter_name(&dc),
            dc: &dc,
            appliances,
            appliances_problem,
            list_href: up.href(&ctx, "catalogue/datacenters"),
            account_name: up.row().name.clone(),
            notice,
        },
    )
}
