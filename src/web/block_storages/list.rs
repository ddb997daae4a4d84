//! The block storages list: search, sort and pages computed in the panel
//! over one cached upstream list, which every refreshing row shares too.

use super::FAMILY;
use super::view::BlockRow;
use crate::cloudpanel::storages::BlockStorage;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::rbac::perms;
use crate::tenant::BulkFamily;
use crate::web::cloud::{BulkCard, Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    BlockStorages,
    BlockRow,
    "block_storages/list.html",
    "block_storages/row.html"
);

pub struct BlockStorages;

impl Listed for BlockStorages {
    type Item = BlockStorage;
    const FAMILY: &'static Family = &FAMILY;
    const BULK: Option<BulkFamily> = Some(BulkFamily::BlockStorages);
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-size", "Largest first"),
        ("size", "Smallest first"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<BlockStorage>>, CloudError> {
        client.list_block_storages(&ListQuery::all()).await
    }

    fn id(storage: &BlockStorage) -> &str {
        &storage.id
    }

    fn matches(storage: &BlockStorage, q: &str) -> bool {
        [
            &storage.name,
            &storage.description,
            &storage.id,
            &storage.datacenter.location,
            &storage.datacenter.country_code,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || storage
                .server
                .as_ref()
                .is_some_and(|s| s.name.to_lowercase().contains(q))
    }

    fn sort(storages: &mut Vec<&BlockStorage>, key: &str) {
        match key {
            "-name" => storages.sort_by_cached_key(|s| std::cmp::Reverse(s.name.to_lowercase())),
            "state" => storages
                .sort_by_cached_key(|s| (s.state.as_str().to_owned(), s.name.to_lowercase())),
            "-size" => {
                storages.sort_by_cached_key(|s| (std::cmp::Reverse(s.size), s.name.to_lowercase()))
            }
            "size" => storages.sort_by_cached_key(|s| (s.size, s.name.to_lowercase())),
            "-created" => {
                storages.sort_by_cached_key(|s| std::cmp::Reverse(s.creation_date.to_string()))
            }
            "created" => storages.sort_by_cached_key(|s| s.creation_date.to_string()),
            _ => storages.sort_by_cached_key(|s| s.name.to_lowercase()),
        }
    }

    /// A row as the page shows it, linking the server when the member may open servers.
    fn row(ctx: &OrgCtx, up: &Upstream, storage: &BlockStorage) -> BlockRow {
        let may_open_servers = ctx.can(perms::SERVERS_SHOW);
        BlockRow::new(storage, FAMILY.href(ctx, &storage.id), up.query(), |id| {
            may_open_servers.then(|| up.server_href(ctx, id))
        })
        .selectable(BulkCard::offered(ctx, BulkFamily::BlockStorages))
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> BlockRow {
        BlockRow::removed(id, FAMILY.href(ctx, id), up.query())
            .selectable(BulkCard::offered(ctx, BulkFamily::BlockStorages))
    }
}
