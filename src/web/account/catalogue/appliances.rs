//! Server appliances, DVD ISOs and recovery appliances: the API gives all
//! three the same shape, so one list page and one detail page serve them.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{
    DATACENTERS, DVD_ISOS, Kind, RECOVERY_APPLIANCES, SECTION, SERVER_APPLIANCES, architecture,
    datacenter_name, found, yes_no,
};
use crate::cloudpanel::catalogue::Appliance;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, check_id, connect, list,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// Which of the three lists of images.
#[derive(Debug, Clone, Copy)]
enum Which {
    Server,
    Dvd,
    Recovery,
}

impl Which {
    fn kind(self) -> &'static Kind {
        match self {
            Self::Server => &SERVER_APPLIANCES,
            Self::Dvd => &DVD_ISOS,
            Self::Recovery => &RECOVERY_APPLIANCES,
        }
    }

    async fn list(self, client: &AccountClient) -> Result<Fetched<Vec<Appliance>>, CloudError> {
        let all = ListQuery::all();
        match self {
            Self::Server => client.list_server_appliances(&all).await,
            Self::Dvd => client.list_dvd_isos(&all).await,
            Self::Recovery => client.list_recovery_appliances(&all).await,
        }
    }

    async fn get(self, client: &AccountClient, id: &str) -> Result<Fetched<Appliance>, CloudError> {
        match self {
            Self::Server => client.get_server_appliance(id).await,
            Self::Dvd => client.get_dvd_iso(id).await,
            Self::Recovery => client.get_recovery_appliance(id).await,
        }
    }
}

/// The sort orders the lists offer; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("os", "Operating system"),
    ("min_hdd", "Smallest disk first"),
    ("-min_hdd", "Largest disk first"),
];

/// One row of a list.
pub struct ApplianceRow {
    pub id: String,
    pub name: String,
    pub os: String,
    pub os_family: String,
    pub architecture: String,
    pub kind: String,
    pub min_hdd_size: u32,
    pub licenses: Vec<String>,
    /// The item's page, with the account query.
    pub href: String,
}

#[derive(Template)]
#[template(path = "catalogue/appliances.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    kind: &'a Kind,
    rows: Vec<ApplianceRow>,
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
#[template(path = "catalogue/appliance.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    kind: &'a Kind,
    item: &'a Appliance,
    architecture: String,
    automatic_installation: &'static str,
    /// Each available datacenter's name and page, in the API's order.
    datacenters: Vec<(String, String)>,
    list_href: String,
    account_name: String,
    notice: Option<String>,
}

/// `q` is already lower case.
fn matches(a: &Appliance, q: &str) -> bool {
    [&a.name, &a.id, &a.os, &a.os_family, &a.os_version, &a.kind]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
        || a.licenses.iter().any(|l| l.to_lowercase().contains(q))
}

fn sort(items: &mut Vec<&Appliance>, key: &str) {
    match key {
        "-name" => items.sort_by_cached_key(|a| std::cmp::Reverse(a.name.to_lowercase())),
        "os" => items.sort_by_cached_key(|a| {
            (
                a.os_family.to_lowercase(),
                a.os.to_lowercase(),
                a.name.to_lowercase(),
            )
        }),
        "min_hdd" => items.sort_by_cached_key(|a| (a.min_hdd_size, a.name.to_lowercase())),
        "-min_hdd" => {
            items.sort_by_cached_key(|a| (std::cmp::Reverse(a.min_hdd_size), a.name.to_lowercase()))
        }
        _ => items.sort_by_cached_key(|a| a.name.to_lowercase()),
    }
}

async fn list_page(
    which: Which,
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let kind = which.kind();
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let what = format!("the {}", kind.many);
    let loaded = Loaded::from(&what, which.list(up.client()).await);
    let account_id = up.row().id;
    let list_href = kind.list_href(&ctx);
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
        .map(|a| ApplianceRow {
            id: a.id.clone(),
            name: a.name.clone(),
            os: [a.os.as_str(), a.os_version.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" · "),
            os_family: a.os_family.clone(),
            architecture: architecture(a.os_architecture),
            kind: a.kind.clone(),
            min_hdd_size: a.min_hdd_size,
            licenses: a.licenses.clone(),
            href: format!("{}{query}", kind.item_href(&ctx, &a.id)),
        })
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            kind,
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

async fn detail_page(
    which: Which,
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::SERVERS_SHOW).await?;
    let kind = which.kind();
    let (_, id) = path.into_inner();
    let id = check_id(&id)?;
    let up = connect(&ctx, &tenant, &session, &account, Fallback::Remembered).await?;
    // Side by side: the page waits for the slowest, not the sum.
    let client = up.client();
    let all = ListQuery::all();
    let (fetched, known) =
        futures_util::join!(which.get(client, id), client.list_datacenters(&all));
    let fetched = found(&ctx, kind, fetched)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let item = fetched.value;
    // Names for the datacenter ids; the ids alone when the list cannot be read.
    let known = known.map(|f| f.value).unwrap_or_default();
    let query = up.query();
    let datacenters = item
        .available_datacenters
        .iter()
        .map(|dc_id| {
            let name = known
                .iter()
                .find(|d| &d.id == dc_id)
                .map_or_else(|| dc_id.clone(), datacenter_name);
            (
                name,
                format!("{}{query}", DATACENTERS.item_href(&ctx, dc_id)),
            )
        })
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            kind,
            architecture: architecture(item.os_architecture),
            automatic_installation: yes_no(item.automatic_installation),
            item: &item,
            datacenters,
            list_href: up.href(&ctx, &format!("catalogue/{}", kind.path)),
            account_name: up.row().name.clone(),
            notice,
        },
    )
}

pub async fn server_list(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    list_page(Which::Server, ctx, session, params).await
}

pub async fn server_detail(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    detail_page(Which::Server, ctx, session, account, path).await
}

pub async fn dvd_list(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    list_page(Which::Dvd, ctx, session, params).await
}

pub async fn dvd_detail(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    detail_page(Which::Dvd, ctx, session, account, path).await
}

pub async fn recovery_list(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    list_page(Which::Recovery, ctx, session, params).await
}

pub async fn recovery_detail(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    detail_page(Which::Recovery, ctx, session, account, path).await
}
