//! `/o/{slug}/logs`: the Cloud Panel account's own logs (`GET /logs`,
//! `GET /logs/{id}`) behind `logs.show`, read-only. Each log links to the
//! same change in the panel's audit log when the member may read it.

mod audit_links;
mod detail;
pub(crate) mod filter;
mod list;
mod view;

use crate::web::routing::org_routes;

org_routes! {
    "/logs" {
        GET  "" => list::page,
        GET  "/{id}" => detail::page,
    }
}
