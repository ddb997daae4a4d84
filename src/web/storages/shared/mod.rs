//! `/o/{slug}/shared_storages`: list, create, resize, rename and describe,
//! delete; servers attached with read (R) or read-write (RW) rights; and the
//! access page (state per datacenter, NFS/CIFS paths, the access password).
//! Each action behind its exact `shared_storages` flag, audited as a pair.

mod access;
mod actions;
mod create;
mod detail;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::storages::SharedStorage;
use crate::web::cloud::{Named, Upstream};
use crate::web::org_ctx::OrgCtx;

impl Named for SharedStorage {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/shared_storages"),
    ("POST", "/o/{slug}/shared_storages"),
    ("GET", "/o/{slug}/shared_storages/new"),
    ("GET", "/o/{slug}/shared_storages/access"),
    ("GET", "/o/{slug}/shared_storages/access/state"),
    ("POST", "/o/{slug}/shared_storages/access/password"),
    ("GET", "/o/{slug}/shared_storages/{id}"),
    ("GET", "/o/{slug}/shared_storages/{id}/row"),
    ("GET", "/o/{slug}/shared_storages/{id}/status"),
    ("POST", "/o/{slug}/shared_storages/{id}/rename"),
    ("POST", "/o/{slug}/shared_storages/{id}/resize"),
    ("POST", "/o/{slug}/shared_storages/{id}/servers"),
    (
        "POST",
        "/o/{slug}/shared_storages/{id}/servers/{server_id}/rights",
    ),
    (
        "POST",
        "/o/{slug}/shared_storages/{id}/servers/{server_id}/delete",
    ),
    ("POST", "/o/{slug}/shared_storages/{id}/delete"),
];

/// Every shared storage route (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/shared_storages", get().to(list::page))
        .route("/o/{slug}/shared_storages", post().to(create::submit))
        .route("/o/{slug}/shared_storages/new", get().to(create::form))
        .route("/o/{slug}/shared_storages/access", get().to(access::page))
        .route(
            "/o/{slug}/shared_storages/access/state",
            get().to(access::state),
        )
        .route(
            "/o/{slug}/shared_storages/access/password",
            post().to(access::password),
        )
        .route("/o/{slug}/shared_storages/{id}", get().to(detail::page))
        .route("/o/{slug}/shared_storages/{id}/row", get().to(list::row))
        .route(
            "/o/{slug}/shared_storages/{id}/status",
            get().to(detail::status),
        )
        .route(
            "/o/{slug}/shared_storages/{id}/rename",
            post().to(actions::rename),
        )
        .route(
            "/o/{slug}/shared_storages/{id}/resize",
            post().to(actions::resize),
        )
        .route(
            "/o/{slug}/shared_storages/{id}/servers",
            post().to(actions::attach),
        )
        .route(
            "/o/{slug}/shared_storages/{id}/servers/{server_id}/rights",
            post().to(actions::rights),
        )
        .route(
            "/o/{slug}/shared_storages/{id}/servers/{server_id}/delete",
            post().to(actions::detach),
        )
        .route(
            "/o/{slug}/shared_storages/{id}/delete",
            post().to(actions::delete),
        );
}

/// Where a shared storage's pages live (without the account query).
fn storage_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("shared_storages/{id}"))
}

/// The list on the account acted on.
fn list_href(ctx: &OrgCtx, up: &Upstream) -> String {
    up.href(ctx, "shared_storages")
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
