//! The datacenters: a list, and each one's page with what can be placed there.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::{
    CatalogueList, Catalogued, DATACENTERS, SECTION, SERVER_APPLIANCES, datacenter_name, found,
};
use crate::cloudpanel::ListQuery;
use crate::cloudpanel::catalogue::Datacenter;
use crate::rbac::perms;
use crate::web::cloud::{Object, read_problem};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One row of the list.
pub struct DatacenterRow {
    pub id: String,
    pub location: String,
    pub country_code: String,
    pub default: bool,
    /// The datacenter's page, with the account query.
    pub href: String,
}

list_template!(DatacenterRow, "catalogue/datacenters.html");
source!(
    Datacenters,
    Datacenter,
    DATACENTERS,
    list_datacenters(&ListQuery::all()),
    get_datacenter
);

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

impl Catalogued for Datacenter {
    type Row = DatacenterRow;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("location", "Location (A–Z)"),
        ("-location", "Location (Z–A)"),
        ("country", "Country code"),
    ];
    const SEARCH_HINT: &'static str = "Location, country code";

    fn matches(&self, q: &str) -> bool {
        [&self.location, &self.country_code, &self.id]
            .iter()
            .any(|field| field.to_lowercase().contains(q))
    }

    fn sort(items: &mut Vec<&Self>, key: &str) {
        match key {
            "-location" => {
                items.sort_by_cached_key(|d| std::cmp::Reverse(d.location.to_lowercase()))
            }
            "country" => {
                items.sort_by_cached_key(|d| (d.country_code.clone(), d.location.to_lowercase()))
            }
            _ => items.sort_by_cached_key(|d| d.location.to_lowercase()),
        }
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn row(&self, href: String) -> DatacenterRow {
        DatacenterRow {
            id: self.id.clone(),
            location: self.location.clone(),
            country_code: self.country_code.clone(),
            default: self.default,
            href,
        }
    }

    fn render(list: CatalogueList<DatacenterRow>) -> AppResult<HttpResponse> {
        render_list(list)
    }
}

pub async fn detail(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, perms::SERVERS_SHOW).await?;
    let id = object.id.as_str();
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
            list_href: DATACENTERS.list_on(&ctx, &up),
            account_name: up.row().name.clone(),
            notice,
        },
    )
}
