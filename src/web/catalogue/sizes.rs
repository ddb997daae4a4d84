//! Fixed instance sizes and baremetal models: both are a name and hardware
//! (cores, memory, disks), so one list template and one detail page serve them.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::{
    BAREMETAL_MODELS, CatalogueList, Catalogued, FIXED_SIZES, Kind, SECTION, Source, found,
    gigabytes,
};
use crate::cloudpanel::catalogue::InstanceSize;
use crate::rbac::perms;
use crate::web::cloud::Object;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

source!(
    FixedSizes,
    InstanceSize,
    FIXED_SIZES,
    list_fixed_instance_sizes(),
    get_fixed_instance_size
);
source!(
    BaremetalModels,
    InstanceSize,
    BAREMETAL_MODELS,
    list_baremetal_models(),
    get_baremetal_model
);

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

list_template!(SizeRow, "catalogue/sizes.html");

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

impl Catalogued for InstanceSize {
    type Row = SizeRow;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("ram", "Smallest memory first"),
        ("-ram", "Largest memory first"),
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("cores", "Fewest cores first"),
        ("disk", "Smallest disk first"),
    ];
    const SEARCH_HINT: &'static str = "Name";

    fn matches(&self, q: &str) -> bool {
        self.name.to_lowercase().contains(q) || self.id.to_lowercase().contains(q)
    }

    fn sort(items: &mut Vec<&Self>, key: &str) {
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

    fn id(&self) -> &str {
        &self.id
    }

    fn row(&self, href: String) -> SizeRow {
        SizeRow {
            id: self.id.clone(),
            name: self.name.clone(),
            vcore: self.hardware.vcore,
            cores_per_processor: self.hardware.cores_per_processor,
            ram: gigabytes(self.hardware.ram),
            disk: disks_summary(self),
            href,
        }
    }

    fn render(list: CatalogueList<SizeRow>) -> AppResult<HttpResponse> {
        render_list(list)
    }
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

/// `GET /o/{slug}/catalogue/<list>/{id}`: one item of a list of hardware.
pub async fn detail<S: Source<Item = InstanceSize>>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, perms::SERVERS_SHOW).await?;
    let kind = S::KIND;
    let id = object.id.as_str();
    let fetched = found(&ctx, kind, S::get(up.client(), id).await)?;
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
            list_href: kind.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
        },
    )
}
