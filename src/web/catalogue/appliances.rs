//! Server appliances, DVD ISOs and recovery appliances: the API gives all
//! three the same shape, so one list template and one detail page serve them.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::{
    CatalogueList, Catalogued, DATACENTERS, DVD_ISOS, Kind, RECOVERY_APPLIANCES, SECTION,
    SERVER_APPLIANCES, Source, architecture, datacenter_name, found, yes_no,
};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::catalogue::Appliance;
use crate::rbac::perms;
use crate::web::cloud::Object;
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

source!(
    ServerAppliances,
    Appliance,
    SERVER_APPLIANCES,
    list_server_appliances(&ListQuery::all()),
    get_server_appliance
);
source!(
    DvdIsos,
    Appliance,
    DVD_ISOS,
    list_dvd_isos(&ListQuery::all()),
    get_dvd_iso
);
source!(
    RecoveryAppliances,
    Appliance,
    RECOVERY_APPLIANCES,
    list_recovery_appliances(&ListQuery::all()),
    get_recovery_appliance
);

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

list_template!(ApplianceRow, "catalogue/appliances.html");

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

impl Catalogued for Appliance {
    type Row = ApplianceRow;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("os", "Operating system"),
        ("min_hdd", "Smallest disk first"),
        ("-min_hdd", "Largest disk first"),
    ];
    const SEARCH_HINT: &'static str = "Name, operating system, license";

    fn matches(&self, q: &str) -> bool {
        let a = self;
        [&a.name, &a.id, &a.os, &a.os_family, &a.os_version, &a.kind]
            .iter()
            .any(|field| field.to_lowercase().contains(q))
            || a.licenses.iter().any(|l| l.to_lowercase().contains(q))
    }

    fn sort(items: &mut Vec<&Self>, key: &str) {
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
            "-min_hdd" => items
                .sort_by_cached_key(|a| (std::cmp::Reverse(a.min_hdd_size), a.name.to_lowercase())),
            _ => items.sort_by_cached_key(|a| a.name.to_lowercase()),
        }
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn row(&self, href: String) -> ApplianceRow {
        let a = self;
        ApplianceRow {
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
            href,
        }
    }

    fn render(list: CatalogueList<ApplianceRow>) -> AppResult<HttpResponse> {
        render_list(list)
    }
}

/// `GET /o/{slug}/catalogue/<list>/{id}`: one item of a list of images.
pub async fn detail<S: Source<Item = Appliance>>(
    ctx: OrgCtx,
    session: Session,
    object: Object,
) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, perms::SERVERS_SHOW).await?;
    let kind = S::KIND;
    let id = object.id.as_str();
    // Side by side: the page waits for the slowest, not the sum.
    let client = up.client();
    let all = ListQuery::all();
    let (fetched, known) = futures_util::join!(S::get(client, id), client.list_datacenters(&all));
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
            list_href: kind.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
        },
    )
}
