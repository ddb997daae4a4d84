//! Fixed instance sizes and baremetal models: both are a name and hardware
//! (cores, memory, disks), so one list page and one detail page serve them.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{BAREMETAL_MODELS, FIXED_SIZES, Kind, SECTION, found, gigabytes};
use crate::cloudpanel::catalogue::InstanceSize;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, check_id, connect, list,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// Which of the two lists of hardware.
#[derive(Debug, Clone, Copy)]
enum Which {
    Fixed,
    Baremetal,
}

impl Which {
    fn kind(self) -> &'static Kind {
        match self {
            Self::Fixed => &FIXED_SIZES,
            Self::Baremetal => &BAREMETAL_MODELS,
        }
    }

    async fn list(self, client: &AccountClient) -> Result<Fetched<Vec<InstanceSize>>, CloudError> {
        match self {
            Self::Fixed => client.list_fixed_instance_sizes().await,
            Self::Baremetal => client.list_baremetal_models().await,
        }
    }

    async fn get(
        self,
        client: &AccountClient,
        id: &str,
    ) -> Result<Fetched<InstanceSize>, CloudError> {
        match self {
            Self::Fixed => client.get_fixed_instance_size(id).await,
            Self::Baremetal => client.get_baremetal_model(id).await,
        }
    }
}

/// The sort orders the lists offer; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("ram", "Smallest memory first"),
    ("-ram", "Largest memory first"),
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("cores", "Fewest cores first"),
    ("disk", "Smallest disk first"),
];

/// One row of a list.
pub struct SizeRow {
    pub id: String,
    pub name: String,
    pub vcore: u32,
    pub cores_per_processor: u32,
    pub ram: String,
    pub disk: String,
    /// The item's page, with the account query.
    pub href: String,
}

/// One disk of a size, for the detail page.
pub struct DiskRow {
    pub number: usize,
    pub size: u32,
    pub main: &'static str,
}

#[derive(Template)]
#[template(path = "catalogue/sizes.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    kind: &'a Kind,
    rows: Vec<SizeRow>,
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
#[template(path = "catalogue/size.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    kind: &'a Kind,
    item: &'a InstanceSize,
    ram: String,
    total_cores: u32,
    disks: Vec<DiskRow>,
    total_disk: u32,
    list_href: String,
    account_name: String,
    notice: Option<String>,
}

/// `q` is already lower case.
fn matches(s: &InstanceSize, q: &str) -> bool {
    s.name.to_lowercase().contains(q) || s.id.to_lowercase().contains(q)
}

fn sort(items: &mut Vec<&InstanceSize>, key: &str) {
    let name = |s: &InstanceSize| s.name.to_lowercase();
    // Memory in MB, so that it sorts as a whole number.
    let ram = |s: &InstanceSize| (s.hardware.ram * 1024.0).round() as i64;
    match key {
        "-ram" => items.sort_by_cached_key(|s| (std::cmp::Reverse(ram(s)), name(s))),
        "name" => items.sort_by_cached_key(|s| name(s)),
        "-name" => items.sort_by_cached_key(|s| std::cmp::Reverse(name(s))),
        "cores" => items.sort_by_cached_key(|s| (s.hardware.vcore, ram(s), name(s))),
        "disk" => items.sort_by_cached_key(|s| (s.hardware.total_disk_gb(), ram(s), name(s))),
        _ => items.sort_by_cached_key(|s| (ram(s), s.hardware.vcore, name(s))),
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
        .map(|s| SizeRow {
            id: s.id.clone(),
            name: s.name.clone(),
            vcore: s.hardware.vcore,
            cores_per_processor: s.hardware.cores_per_processor,
            ram: gigabytes(s.hardware.ram),
            disk: disks_summary(s),
            href: format!("{}{query}", kind.item_href(&ctx, &s.id)),
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

/// `800 GB`, or `2 × 800 GB` for several disks of one size.
fn disks_summary(s: &InstanceSize) -> String {
    let hdds = &s.hardware.hdds;
    match hdds.len() {
        0 => String::new(),
        1 => format!("{} GB", hdds[0].size),
        n if hdds.iter().all(|h| h.size == hdds[0].size) => {
            format!("{n} × {} GB", hdds[0].size)
        }
        _ => format!("{} GB in {} disks", s.hardware.total_disk_gb(), hdds.len()),
    }
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
    let fetched = found(&ctx, kind, which.get(up.client(), id).await)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let item = fetched.value;
    let hw = &item.hardware;
    let disks = hw
        .hdds
        .iter()
        .enumerate()
        .map(|(i, h)| DiskRow {
            number: i + 1,
            size: h.size,
            main: if h.is_main { "Yes" } else { "No" },
        })
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            kind,
            ram: gigabytes(hw.ram),
            total_cores: hw.vcore.saturating_mul(hw.cores_per_processor.max(1)),
            disks,
            total_disk: hw.total_disk_gb(),
            item: &item,
            list_href: up.href(&ctx, &format!("catalogue/{}", kind.path)),
            account_name: up.row().name.clone(),
            notice,
        },
    )
}

pub async fn fixed_list(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    list_page(Which::Fixed, ctx, session, params).await
}

pub async fn fixed_detail(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    detail_page(Which::Fixed, ctx, session, account, path).await
}

pub async fn baremetal_list(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    list_page(Which::Baremetal, ctx, session, params).await
}

pub async fn baremetal_detail(
    ctx: OrgCtx,
    session: Session,
    account: web::Query<AccountParam>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    detail_page(Which::Baremetal, ctx, session, account, path).await
}
