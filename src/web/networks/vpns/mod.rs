//! `/o/{slug}/vpns`: the account's VPNs; create, rename and describe (each
//! behind its own flag), delete, and download the client configuration
//! file (audited like a change). Every change is audited as a pair and
//! answered with a flash message.

mod actions;
mod detail;
mod form;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::networks::Vpn;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/vpns"),
    ("POST", "/o/{slug}/vpns"),
    ("GET", "/o/{slug}/vpns/new"),
    ("GET", "/o/{slug}/vpns/{id}"),
    ("GET", "/o/{slug}/vpns/{id}/row"),
    ("GET", "/o/{slug}/vpns/{id}/status"),
    ("GET", "/o/{slug}/vpns/{id}/edit"),
    ("POST", "/o/{slug}/vpns/{id}/edit"),
    ("POST", "/o/{slug}/vpns/{id}/configuration_file"),
    ("POST", "/o/{slug}/vpns/{id}/delete"),
];

impl crate::web::cloud::Named for Vpn {
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
    cfg.route("/o/{slug}/vpns", get().to(list::page))
        .route("/o/{slug}/vpns", post().to(form::create))
        .route("/o/{slug}/vpns/new", get().to(form::new))
        .route("/o/{slug}/vpns/{id}", get().to(detail::page))
        .route("/o/{slug}/vpns/{id}/row", get().to(list::row))
        .route("/o/{slug}/vpns/{id}/status", get().to(detail::status))
        .route("/o/{slug}/vpns/{id}/edit", get().to(form::edit))
        .route("/o/{slug}/vpns/{id}/edit", post().to(form::update))
        .route(
            "/o/{slug}/vpns/{id}/configuration_file",
            post().to(actions::download),
        )
        .route("/o/{slug}/vpns/{id}/delete", post().to(actions::delete));
}

/// Where a VPN's pages live (without the account query).
pub fn vpn_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("vpns/{id}"))
}
