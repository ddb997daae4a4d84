//! `/o/{slug}/shared_storages`: list, create, resize, rename and describe,
//! delete; servers attached with read (R) or read-write (RW) rights; and the
//! access page (state per datacenter, NFS/CIFS paths, the access password).
//! Each action behind its exact `shared_storages` flag, audited as a pair.

pub(crate) mod access;
pub(crate) mod actions;
pub(crate) mod create;
mod detail;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::storages::SharedStorage;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, Upstream, delete, row_fragment, status_fragment};
use crate::web::org_ctx::OrgCtx;
use crate::web::storages::rename;

/// Shared storages, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "shared_storage",
    word: "shared_storages",
    object: "/shared_storages/{id}",
    title: "Shared storages",
    one: "shared storage",
    many: "shared storages",
    show: perms::SHARED_STORAGES_SHOW,
    create: perms::SHARED_STORAGES_CREATE,
};

impl Named for SharedStorage {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every shared storage route (literal segments before `{id}`).
org_routes! {
    "/shared_storages" {
        GET  "" => list::page,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/access" => access::page,
        GET  "/access/state" => access::state,
        POST "/access/password" => access::password,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::SharedStorages>,
        GET  "/{id}/status" => status_fragment::<list::SharedStorages>,
        POST "/{id}/rename" => rename::<list::SharedStorages>,
        POST "/{id}/resize" => actions::resize,
        POST "/{id}/servers" => actions::attach,
        POST "/{id}/servers/{server_id}/rights" => actions::rights,
        POST "/{id}/servers/{server_id}/delete" => actions::detach,
        POST "/{id}/delete" => delete::<list::SharedStorages>,
    }
}

/// The access page on the account acted on.
fn access_href(ctx: &OrgCtx, up: &Upstream) -> String {
    up.href(ctx, "shared_storages/access")
}

/// `RW` → "read and write", `R` → "read only".
pub fn rights_label(rights: &str) -> &'static str {
    match rights {
        "RW" => "read and write",
        "R" => "read only",
        _ => "unknown rights",
    }
}
