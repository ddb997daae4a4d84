//! `/o/{slug}/block_storages`: list, create, rename and describe, attach to
//! a server and detach, delete. Each action behind its exact flag of the
//! panel's own `block_storages` group, audited as a pair of events.

pub(crate) mod actions;
pub(crate) mod create;
mod detail;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::storages::BlockStorage;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, delete, list_page, row_fragment};
use crate::web::storages::rename;

/// Block storages, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "block_storage",
    word: "block_storages",
    object: "/block_storages/{id}",
    title: "Block storages",
    one: "block storage",
    many: "block storages",
    show: perms::BLOCK_STORAGES_SHOW,
    create: perms::BLOCK_STORAGES_CREATE,
};

impl Named for BlockStorage {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every block storage route (literal segments before `{id}`).
org_routes! {
    "/block_storages" {
        GET  "" => list_page::<list::BlockStorages>,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::BlockStorages>,
        GET  "/{id}/status" => detail::status,
        POST "/{id}/rename" => rename::<list::BlockStorages>,
        POST "/{id}/server" => actions::attach,
        POST "/{id}/server/delete" => actions::detach,
        POST "/{id}/delete" => delete::<list::BlockStorages>,
    }
}
