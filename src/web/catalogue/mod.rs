//! `/o/{slug}/catalogue`: what servers are built from, read only. An index
//! with the six lists and their counts, then each list (search, sort, pages)
//! and each item's page. Every page needs `servers.show`.
//!
//! Each list is declared once: its words ([`Kind`]), where its items are
//! read ([`Source`], with [`source!`]) and how they are searched, sorted and
//! shown ([`Catalogued`]); the list pages are one generic page
//! ([`list_page`]) in one layout (`catalogue/list_layout.html`).

/// A catalogue list's template (`$path`, deref'ing to a [`CatalogueList`]
/// of `$row`) and its rendering, `render_list`.
macro_rules! list_template {
    ($row:ty, $path:literal) => {
        #[derive(askama::Template)]
        #[template(path = $path)]
        struct ListTemplate {
            l: super::CatalogueList<$row>,
        }

        impl std::ops::Deref for ListTemplate {
            type Target = super::CatalogueList<$row>;

            fn deref(&self) -> &Self::Target {
                &self.l
            }
        }

        fn render_list(
            l: super::CatalogueList<$row>,
        ) -> $crate::web::error::AppResult<actix_web::HttpResponse> {
            $crate::web::render(actix_web::http::StatusCode::OK, &ListTemplate { l })
        }
    };
}

/// One of the lists (`$name`): its `$item`s, described by `$kind`, read
/// whole with the client's `$list` (and its arguments) and one by one with
/// its `$get`.
macro_rules! source {
    ($name:ident, $item:ty, $kind:expr, $list:ident($($arg:expr)?), $get:ident) => {
        pub struct $name;

        impl super::Source for $name {
            type Item = $item;
            const KIND: &'static super::Kind = &$kind;

            async fn list(
                client: &$crate::cloudpanel::AccountClient,
            ) -> Result<$crate::cloudpanel::Fetched<Vec<$item>>, $crate::cloudpanel::CloudError> {
                client.$list($($arg)?).await
            }

            async fn get(
                client: &$crate::cloudpanel::AccountClient,
                id: &str,
            ) -> Result<$crate::cloudpanel::Fetched<$item>, $crate::cloudpanel::CloudError> {
                client.$get(id).await
            }
        }
    };
}

mod appliances;
mod datacenters;
mod index;
mod sizes;

use actix_session::Session;
use actix_web::{HttpResponse, web};

use crate::web::routing::org_routes;

use appliances::{DvdIsos, RecoveryAppliances, ServerAppliances};
use datacenters::Datacenters;
use sizes::{BaremetalModels, FixedSizes};

use crate::cloudpanel::catalogue::Datacenter;
use crate::cloudpanel::{AccountClient, CloudError, Fetched};
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, ListParams, ListView, Loaded, Upstream, list, open_switchable,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;

// Every route, in registration order.
org_routes! {
    "/catalogue" {
        GET  "" => index::page,
        GET  "/datacenters" => list_page::<Datacenters>,
        GET  "/datacenters/{id}" => datacenters::detail,
        GET  "/server_appliances" => list_page::<ServerAppliances>,
        GET  "/server_appliances/{id}" => appliances::detail::<ServerAppliances>,
        GET  "/fixed_instance_sizes" => list_page::<FixedSizes>,
        GET  "/fixed_instance_sizes/{id}" => sizes::detail::<FixedSizes>,
        GET  "/baremetal_models" => list_page::<BaremetalModels>,
        GET  "/baremetal_models/{id}" => sizes::detail::<BaremetalModels>,
        GET  "/dvd_isos" => list_page::<DvdIsos>,
        GET  "/dvd_isos/{id}" => appliances::detail::<DvdIsos>,
        GET  "/recovery_appliances" => list_page::<RecoveryAppliances>,
        GET  "/recovery_appliances/{id}" => appliances::detail::<RecoveryAppliances>,
    }
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
    /// What the index says the list is for.
    pub about: &'static str,
}

pub const DATACENTERS: Kind = Kind {
    path: "datacenters",
    title: "Datacenters",
    one: "datacenter",
    many: "datacenters",
    about: "Where servers, storages and networks can be placed.",
};

pub const SERVER_APPLIANCES: Kind = Kind {
    path: "server_appliances",
    title: "Server appliances",
    one: "server appliance",
    many: "server appliances",
    about: "Operating system images and applications a server can be created from.",
};

pub const FIXED_SIZES: Kind = Kind {
    path: "fixed_instance_sizes",
    title: "Fixed instance sizes",
    one: "fixed instance size",
    many: "fixed instance sizes",
    about: "Ready-made cloud server hardware: cores, memory and disk.",
};

pub const BAREMETAL_MODELS: Kind = Kind {
    path: "baremetal_models",
    title: "Baremetal models",
    one: "baremetal model",
    many: "baremetal models",
    about: "Dedicated hardware for baremetal servers.",
};

pub const DVD_ISOS: Kind = Kind {
    path: "dvd_isos",
    title: "DVD ISOs",
    one: "DVD ISO",
    many: "DVD ISOs",
    about: "ISO images that can be loaded into a server's virtual DVD unit.",
};

pub const RECOVERY_APPLIANCES: Kind = Kind {
    path: "recovery_appliances",
    title: "Recovery appliances",
    one: "recovery appliance",
    many: "recovery appliances",
    about: "Rescue systems a baremetal server can be started into.",
};

impl Kind {
    /// The list table's id (and, on the index, its link's): `server-appliances`.
    pub fn table_id(&self) -> String {
        self.path.replace('_', "-")
    }

    /// The list's address, without the account query.
    pub fn list_href(&self, ctx: &OrgCtx) -> String {
        ctx.href(&format!("catalogue/{}", self.path))
    }

    /// An item's address, without the account query.
    pub fn item_href(&self, ctx: &OrgCtx, id: &str) -> String {
        ctx.href(&format!("catalogue/{}/{id}", self.path))
    }

    /// The list on the account `up`.
    pub fn list_on(&self, ctx: &OrgCtx, up: &Upstream) -> String {
        up.href(ctx, &format!("catalogue/{}", self.path))
    }
}

/// The account a catalogue page shows, and the accounts to switch to.
async fn open(
    ctx: &OrgCtx,
    session: &Session,
    account_id: Option<i64>,
) -> AppResult<(Upstream, AccountList)> {
    let account = AccountParam::named(account_id);
    open_switchable(ctx, session, perms::SERVERS_SHOW, &account).await
}

/// One of the lists: what it is called and where its items are read
/// (declared with [`source!`]).
trait Source: 'static {
    type Item: Catalogued;
    const KIND: &'static Kind;

    async fn list(client: &AccountClient) -> Result<Fetched<Vec<Self::Item>>, CloudError>;
    async fn get(client: &AccountClient, id: &str) -> Result<Fetched<Self::Item>, CloudError>;
}

/// The items of a list, as its page searches, sorts and shows them.
trait Catalogued: Sized {
    type Row;
    /// The sort orders the list offers; the first is the default.
    const SORTS: &'static [(&'static str, &'static str)];
    /// What the search looks in.
    const SEARCH_HINT: &'static str;

    /// Whether the item matches the search (`q` is lower case).
    fn matches(&self, q: &str) -> bool;
    fn sort(items: &mut Vec<&Self>, key: &str);
    fn id(&self) -> &str;
    /// The item's row, linking to its page `href`.
    fn row(&self, href: String) -> Self::Row;
    fn render(list: CatalogueList<Self::Row>) -> AppResult<HttpResponse>;
}

/// What every catalogue list's page shows; its template derefs to it.
pub struct CatalogueList<R> {
    pub page: PageCtx,
    pub kind: &'static Kind,
    pub search_hint: &'static str,
    pub rows: Vec<R>,
    pub list: ListView,
    pub accounts: AccountList,
    pub account_id: i64,
    pub notice: Option<String>,
    pub problem: Option<String>,
    pub retry_after: Option<u64>,
    pub list_href: String,
    pub index_href: String,
}

/// `GET /o/{slug}/catalogue/<list>`: the list read whole, searched, sorted
/// and paged in the panel, and the account switcher.
async fn list_page<S: Source>(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let (up, accounts) = open(&ctx, &session, params.account_id()).await?;
    let kind = S::KIND;
    let loaded = Loaded::from(&format!("the {}", kind.many), S::list(up.client()).await);
    let account_id = up.row().id;
    let list_href = kind.list_href(&ctx);
    let listing = list(
        &loaded.items,
        &params,
        S::Item::SORTS,
        S::Item::matches,
        S::Item::sort,
        &list_href,
        account_id,
    );
    let query = up.query();
    let rows = listing
        .rows
        .iter()
        .map(|item| item.row(format!("{}{query}", kind.item_href(&ctx, item.id()))))
        .collect();
    S::Item::render(CatalogueList {
        page: ctx.page.clone().with_section(SECTION),
        kind,
        search_hint: S::Item::SEARCH_HINT,
        rows,
        list: listing.view,
        accounts,
        account_id,
        notice: loaded.notice,
        problem: loaded.problem,
        retry_after: loaded.retry_after,
        list_href,
        index_href: up.href(&ctx, "catalogue"),
    })
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
