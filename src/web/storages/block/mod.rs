//! `/o/{slug}/block_storages`: list, create, rename and describe, attach to
//! a server and detach, delete. Each action behind its exact flag of the
//! panel's own `block_storages` group, audited as a pair of events.

mod actions;
mod create;
mod detail;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::storages::BlockStorage;
use crate::web::cloud::{Named, Upstream};
use crate::web::org_ctx::OrgCtx;

impl Named for BlockStorage {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/block_storages"),
    ("POST", "/o/{slug}/block_storages"),
    ("GET", "/o/{slug}/block_storages/new"),
    ("GET", "/o/{slug}/block_storages/{id}"),
    ("GET", "/o/{slug}/block_storages/{id}/row"),
    ("GET", "/o/{slug}/block_storages/{id}/status"),
    ("POST", "/o/{slug}/block_storages/{id}/rename"),
    ("POST", "/o/{slug}/block_storages/{id}/server"),
    ("POST", "/o/{slug}/block_storages/{id}/server/delete"),
    ("POST", "/o/{slug}/block_storages/{id}/delete"),
];

/// Every block storage route (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/block_storages", get().to(list::page))
        .route("/o/{slug}/block_storages", post().to(create::submit))
        .route("/o/{slug}/block_storages/new", get().to(create::form))
        .route("/o/{slug}/block_storages/{id}", get().to(detail::page))
        .route("/o/{slug}/block_storages/{id}/row", get().to(list::row))
        .route(
            "/o/{slug}/block_storages/{id}/status",
            get().to(detail::status),
        )
        .route(
            "/o/{slug}/block_storages/{id}/rename",
            post().to(actions::rename),
        )
        .route(
            "/o/{slug}/block_storages/{id}/server",
            post().to(actions::attach),
        )
        .route(
            "/o/{slug}/block_storages/{id}/server/delete",
            post().to(actions::detach),
        )
        .route(
            "/o/{slug}/block_storages/{id}/delete",
            post().to(actions::delete),
        );
}

/// Where a block storage's pages live (without the account query, so that
/// sub-addresses can be appended: `{href}/status{query}`).
fn storage_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("block_storages/{id}"))
}

/// The list on the account acted on.
fn list_href(ctx: &OrgCtx, up: &Upstream) -> String {
    up.href(ctx, "block_storages")
}
