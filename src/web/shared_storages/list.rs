//! The shared storages list: search, sort and pages computed in the panel
//! over one cached upstream list, which every refreshing row shares too.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::FAMILY;
use super::view::SharedRow;
use crate::cloudpanel::storages::SharedStorage;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::perms;
use crate::tenant::BulkFamily;
use crate::web::cloud::{
    BulkCard, Family, HasStatus, ListPage, ListParams, Listed, Templates, Upstream, fragment,
    list_page,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::render;

/// The list; `ACCESS`: its toolbar links to the access page (the member
/// may open it). The common list hands its template no `OrgCtx`, so the
/// flag travels in the type.
pub struct SharedStorages<const ACCESS: bool = false>;

/// `GET /o/{slug}/shared_storages`: the common list.
pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    if ctx.can(perms::SHARED_STORAGES_ACCESS) {
        list_page::<SharedStorages<true>>(ctx, session, params).await
    } else {
        list_page::<SharedStorages>(ctx, session, params).await
    }
}

#[derive(Template)]
#[template(path = "shared_storages/list.html")]
struct ListTemplate<'a> {
    l: ListPage<'a, SharedRow>,
    can_access: bool,
}

impl<'a> std::ops::Deref for ListTemplate<'a> {
    type Target = ListPage<'a, SharedRow>;

    fn deref(&self) -> &Self::Target {
        &self.l
    }
}

#[derive(Template)]
#[template(path = "shared_storages/row.html")]
struct RowTemplate<'a> {
    row: &'a SharedRow,
}

/// The status badge, as it refreshes itself.
#[derive(Template)]
#[template(path = "shared_storages/status.html")]
struct StatusTemplate<'a> {
    row: &'a SharedRow,
    from_refresh: bool,
}

impl HasStatus for SharedStorages {
    fn render_status(row: &SharedRow) -> AppResult<HttpResponse> {
        fragment(&StatusTemplate {
            row,
            from_refresh: true,
        })
    }
}

impl<const ACCESS: bool> Listed for SharedStorages<ACCESS> {
    type Item = SharedStorage;
    const FAMILY: &'static Family = &FAMILY;
    const BULK: Option<BulkFamily> = Some(BulkFamily::SharedStorages);
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-size", "Largest first"),
        ("size", "Smallest first"),
        ("-used", "Most used first"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<SharedStorage>>, CloudError> {
        client.list_shared_storages(&ListQuery::all()).await
    }

    fn id(storage: &SharedStorage) -> &str {
        &storage.id
    }

    fn matches(storage: &SharedStorage, q: &str) -> bool {
        [
            &storage.name,
            &storage.description,
            &storage.id,
            &storage.cloudpanel_id,
            &storage.datacenter.location,
            &storage.datacenter.country_code,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || storage
                .servers
                .iter()
                .any(|s| s.name.to_lowercase().contains(q))
    }

    fn sort(storages: &mut Vec<&SharedStorage>, key: &str) {
        match key {
            "-name" => storages.sort_by_cached_key(|s| std::cmp::Reverse(s.name.to_lowercase())),
            "state" => storages
                .sort_by_cached_key(|s| (s.state.as_str().to_owned(), s.name.to_lowercase())),
            "-size" => {
                storages.sort_by_cached_key(|s| (std::cmp::Reverse(s.size), s.name.to_lowercase()))
            }
            "size" => storages.sort_by_cached_key(|s| (s.size, s.name.to_lowercase())),
            // Per mille: a whole number to compare.
            "-used" => storages.sort_by_cached_key(|s| {
                (
                    std::cmp::Reverse((s.size_used * 10.0).round() as i64),
                    s.name.to_lowercase(),
                )
            }),
            "-created" => {
                storages.sort_by_cached_key(|s| std::cmp::Reverse(s.creation_date.to_string()))
            }
            "created" => storages.sort_by_cached_key(|s| s.creation_date.to_string()),
            _ => storages.sort_by_cached_key(|s| s.name.to_lowercase()),
        }
    }

    /// A row as the page shows it, linking servers when the member may open them.
    fn row(ctx: &OrgCtx, up: &Upstream, storage: &SharedStorage) -> SharedRow {
        let may_open_servers = ctx.can(perms::SERVERS_SHOW);
        SharedRow::new(storage, FAMILY.href(ctx, &storage.id), up.query(), |id| {
            may_open_servers.then(|| up.server_href(ctx, id))
        })
        .selectable(BulkCard::offered(ctx, BulkFamily::SharedStorages))
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> SharedRow {
        SharedRow::removed(id, FAMILY.href(ctx, id), up.query())
            .selectable(BulkCard::offered(ctx, BulkFamily::SharedStorages))
    }
}

/// The list says whether the member may open the access page.
impl<const ACCESS: bool> Templates for SharedStorages<ACCESS> {
    type Row = SharedRow;

    fn render_list(l: ListPage<'_, SharedRow>) -> AppResult<HttpResponse> {
        render(
            StatusCode::OK,
            &ListTemplate {
                l,
                can_access: ACCESS,
            },
        )
    }

    fn render_row(row: &SharedRow) -> AppResult<HttpResponse> {
        fragment(&RowTemplate { row })
    }
}
