//! `/o/{slug}/private_networks`: list, create, edit (name, description and
//! address range, each behind its own flag), delete, and the servers
//! attached to a network. Every change is audited as a pair and answered
//! with a flash message.

mod actions;
mod detail;
mod form;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::networks::PrivateNetwork;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/private_networks"),
    ("POST", "/o/{slug}/private_networks"),
    ("GET", "/o/{slug}/private_networks/new"),
    ("GET", "/o/{slug}/private_networks/{id}"),
    ("GET", "/o/{slug}/private_networks/{id}/row"),
    ("GET", "/o/{slug}/private_networks/{id}/status"),
    ("GET", "/o/{slug}/private_networks/{id}/edit"),
    ("POST", "/o/{slug}/private_networks/{id}/edit"),
    ("POST", "/o/{slug}/private_networks/{id}/servers"),
    (
        "POST",
        "/o/{slug}/private_networks/{id}/servers/{server_id}/delete",
    ),
    ("POST", "/o/{slug}/private_networks/{id}/delete"),
];

impl crate::web::cloud::Named for PrivateNetwork {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/private_networks", get().to(list::page))
        .route("/o/{slug}/private_networks", post().to(form::create))
        .route("/o/{slug}/private_networks/new", get().to(form::new))
        .route("/o/{slug}/private_networks/{id}", get().to(detail::page))
        .route("/o/{slug}/private_networks/{id}/row", get().to(list::row))
        .route(
            "/o/{slug}/private_networks/{id}/status",
            get().to(detail::status),
        )
        .route("/o/{slug}/private_networks/{id}/edit", get().to(form::edit))
        .route(
            "/o/{slug}/private_networks/{id}/edit",
            post().to(form::update),
        )
        .route(
            "/o/{slug}/private_networks/{id}/servers",
            post().to(actions::attach),
        )
        .route(
            "/o/{slug}/private_networks/{id}/servers/{server_id}/delete",
            post().to(actions::detach),
        )
        .route(
            "/o/{slug}/private_networks/{id}/delete",
            post().to(actions::delete),
        );
}

/// Where a network's pages live (without the account query, so that
/// sub-addresses can be appended: `{href}/edit{query}`).
pub fn network_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("private_networks/{id}"))
}
