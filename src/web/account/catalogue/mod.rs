//! `/o/{slug}/catalogue`: what servers are built from, read only. An index
//! with the six lists and their counts, then each list (search, sort, pages)
//! and each item's page. Every page needs `servers.show`.

mod appliances;
mod datacenters;
mod index;
mod sizes;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::catalogue::Datacenter;
use crate::cloudpanel::{CloudError, Fetched};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/catalogue"),
    ("GET", "/o/{slug}/catalogue/datacenters"),
    ("GET", "/o/{slug}/catalogue/datacenters/{id}"),
    ("GET", "/o/{slug}/catalogue/server_appliances"),
    ("GET", "/o/{slug}/catalogue/server_appliances/{id}"),
    ("GET", "/o/{slug}/catalogue/fixed_instance_sizes"),
    ("GET", "/o/{slug}/catalogue/fixed_instance_sizes/{id}"),
    ("GET", "/o/{slug}/catalogue/baremetal_models"),
    ("GET", "/o/{slug}/catalogue/baremetal_models/{id}"),
    ("GET", "/o/{slug}/catalogue/dvd_isos"),
    ("GET", "/o/{slug}/catalogue/dvd_isos/{id}"),
    ("GET", "/o/{slug}/catalogue/recovery_appliances"),
    ("GET", "/o/{slug}/catalogue/recovery_appliances/{id}"),
];

/// Every route, in registration order.
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    cfg.route("/o/{slug}/catalogue", get().to(index::page))
        .route(
            "/o/{slug}/catalogue/datacenters",
            get().to(datacenters::list_page),
        )
        .route(
            "/o/{slug}/catalogue/datacenters/{id}",
            get().to(datacenters::detail),
        )
        .route(
            "/o/{slug}/catalogue/server_appliances",
            get().to(appliances::server_list),
        )
        .route(
            "/o/{slug}/catalogue/server_appliances/{id}",
            get().to(appliances::server_detail),
        )
        .route(
            "/o/{slug}/catalogue/fixed_instance_sizes",
            get().to(sizes::fixed_list),
        )
        .route(
            "/o/{slug}/catalogue/fixed_instance_sizes/{id}",
            get().to(sizes::fixed_detail),
        )
        .route(
            "/o/{slug}/catalogue/baremetal_models",
            get().to(sizes::baremetal_list),
        )
        .route(
            "/o/{slug}/catalogue/baremetal_models/{id}",
            get().to(sizes::baremetal_detail),
        )
        .route(
            "/o/{slug}/catalogue/dvd_isos",
            get().to(appliances::dvd_list),
        )
        .route(
            "/o/{slug}/catalogue/dvd_isos/{id}",
            get().to(appliances::dvd_detail),
        )
        .route(
            "/o/{slug}/catalogue/recovery_appliances",
            get().to(appliances::recovery_list),
        )
        .route(
            "/o/{slug}/catalogue/recovery_appliances/{id}",
            get().to(appliances::recovery_detail),
        );
}

/// The navigation section of every catalogue page.
const SECTION: &str = "catalogue";

/// One of the six lists: its path under `catalogue/` and its words.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// `datacenters`, `server_appliances`, ...
    pub path: &'static str,
    /// `Server appliances` (a heading).
    pub title: &'static str,
    /// `server appliance` (in running text).
    pub one: &'static str,
    /// `server appliances` (in running text).
    pub many: &'static str,
    /// The table's id on the list page.
    pub table_id: &'static str,
    /// What the index says the list is for.
    pub about: &'static str,
}

pub const DATACENTERS: Kind = Kind {
    path: "datacenters",
    title: "Datacenters",
    one: "datacenter",
    many: "datacenters",
    table_id: "datacenters",
    about: "Where servers, storages and networks can be placed.",
};

pub const SERVER_APPLIANCES: Kind = Kind {
    path: "server_appliances",
    title: "Server appliances",
    one: "server appliance",
    many: "server appliances",
    table_id: "server-appliances",
    about: "Operating system images and applications a server can be created from.",
};

pub const FIXED_SIZES: Kind = Kind {
    path: "fixed_instance_sizes",
    title: "Fixed instance sizes",
    one: "fixed instance size",
    many: "fixed instance sizes",
    table_id: "fixed-instance-sizes",
    about: "Ready-made cloud server hardware: cores, memory and disk.",
};

pub const BAREMETAL_MODELS: Kind = Kind {
    path: "baremetal_models",
    title: "Baremetal models",
    one: "baremetal model",
    many: "baremetal models",
    table_id: "baremetal-models",
    about: "Dedicated hardware for baremetal servers.",
};

pub const DVD_ISOS: Kind = Kind {
    path: "dvd_isos",
    title: "DVD ISOs",
    one: "DVD ISO",
    many: "DVD ISOs",
    table_id: "dvd-isos",
    about: "ISO images that can be loaded into a server's virtual DVD unit.",
};

pub const RECOVERY_APPLIANCES: Kind = Kind {
    path: "recovery_appliances",
    title: "Recovery appliances",
    one: "recovery appliance",
    many: "recovery appliances",
    table_id: "recovery-appliances",
    about: "Rescue systems a baremetal server can be started into.",
};

impl Kind {
    /// The list's address, without the account query.
    pub fn list_href(&self, ctx: &OrgCtx) -> String {
        ctx.href(&format!("catalogue/{}", self.path))
    }

    /// An item's address, without the account query.
    pub fn item_href(&self, ctx: &OrgCtx, id: &str) -> String {
        ctx.href(&format!("catalogue/{}/{id}", self.path))
    }
}

/// A single item read for its page: a missing one is a 404 in the page,
/// any other failure says what could not be read.
fn found<T>(
    ctx: &OrgCtx,
    kind: &Kind,
    result: Result<Fetched<T>, CloudError>,
) -> AppResult<Fetched<T>> {
    crate::web::cloud::found(ctx, &format!("this {}", kind.one), result)
}

/// `Berlin (DE)`, or as much of it as the API gave.
fn datacenter_name(dc: &Datacenter) -> String {
    match (dc.location.is_empty(), dc.country_code.is_empty()) {
        (false, false) => format!("{} ({})", dc.location, dc.country_code),
        (false, true) => dc.location.clone(),
        (true, _) => dc.id.clone(),
    }
}

/// `Yes`, `No`, or `not given`.
fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "not given",
    }
}

/// `64-bit`, or empty when the API gave none.
fn architecture(bits: u32) -> String {
    if bits == 0 {
        String::new()
    } else {
        format!("{bits}-bit")
    }
}

/// Whole numbers without decimals: `1 GB`, `0.5 GB`.
fn gigabytes(value: f64) -> String {
    format!("{value} GB")
}
