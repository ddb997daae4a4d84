//! `/o/{slug}/logs`: the Cloud Panel account's own logs (`GET /logs`,
//! `GET /logs/{id}`) behind `logs.show`, read-only. Each log links to the
//! same change in the panel's audit log when the member may read it.

mod audit_links;
mod detail;
pub(crate) mod filter;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[("GET", "/o/{slug}/logs"), ("GET", "/o/{slug}/logs/{id}")];

pub fn routes(cfg: &mut Routes) {
    cfg.route("/o/{slug}/logs", web::get().to(list::page))
        .route("/o/{slug}/logs/{id}", web::get().to(detail::page));
}
