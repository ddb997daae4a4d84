//! `/o/{slug}/monitoring` and `/o/{slug}/monitoring_policies`: the monitoring
//! center (each server's checks and alerts, and its usage over a period
//! drawn as server-side SVG charts) and the monitoring policies, every
//! endpoint behind its exact permission flag, every change audited as a
//! pair of events through `Act::run`.

mod center;
mod period;
mod policies;
mod series;
mod server;

use crate::web::routing::Routes;
use actix_web::web;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/monitoring"),
    ("GET", "/o/{slug}/monitoring/{server_id}"),
    ("GET", "/o/{slug}/monitoring_policies"),
    ("POST", "/o/{slug}/monitoring_policies"),
    ("GET", "/o/{slug}/monitoring_policies/new"),
    ("GET", "/o/{slug}/monitoring_policies/{id}"),
    ("POST", "/o/{slug}/monitoring_policies/{id}/settings"),
    ("POST", "/o/{slug}/monitoring_policies/{id}/thresholds"),
    ("POST", "/o/{slug}/monitoring_policies/{id}/clone"),
    ("POST", "/o/{slug}/monitoring_policies/{id}/delete"),
    ("POST", "/o/{slug}/monitoring_policies/{id}/ports"),
    ("POST", "/o/{slug}/monitoring_policies/{id}/ports/{item_id}"),
    (
        "POST",
        "/o/{slug}/monitoring_policies/{id}/ports/{item_id}/delete",
    ),
    ("POST", "/o/{slug}/monitoring_policies/{id}/processes"),
    (
        "POST",
        "/o/{slug}/monitoring_policies/{id}/processes/{item_id}",
    ),
    (
        "POST",
        "/o/{slug}/monitoring_policies/{id}/processes/{item_id}/delete",
    ),
    ("POST", "/o/{slug}/monitoring_policies/{id}/servers"),
    (
        "POST",
        "/o/{slug}/monitoring_policies/{id}/servers/{item_id}/remove",
    ),
    (
        "GET",
        "/o/{slug}/monitoring_policies/{id}/servers/{item_id}",
    ),
    ("GET", "/o/{slug}/monitoring_policies/{id}/cards/{card}"),
];

/// Every route, in registration order (`new` before `{id}`).
pub fn routes(cfg: &mut Routes) {
    cfg.route("/o/{slug}/monitoring", web::get().to(center::page))
        .route(
            "/o/{slug}/monitoring/{server_id}",
            web::get().to(server::page),
        )
        .route(
            "/o/{slug}/monitoring_policies",
            web::get().to(policies::list::page),
        )
        .route(
            "/o/{slug}/monitoring_policies",
            web::post().to(policies::create::submit),
        )
        .route(
            "/o/{slug}/monitoring_policies/new",
            web::get().to(policies::create::form),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}",
            web::get().to(policies::detail::page),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/settings",
            web::post().to(policies::edit::settings),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/thresholds",
            web::post().to(policies::edit::thresholds),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/clone",
            web::post().to(policies::edit::clone),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/delete",
            web::post().to(policies::edit::delete),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/ports",
            web::post().to(policies::ports::add),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/ports/{item_id}",
            web::post().to(policies::ports::update),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/ports/{item_id}/delete",
            web::post().to(policies::ports::remove),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/processes",
            web::post().to(policies::processes::add),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/processes/{item_id}",
            web::post().to(policies::processes::update),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/processes/{item_id}/delete",
            web::post().to(policies::processes::remove),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/servers",
            web::post().to(policies::servers::add),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/servers/{item_id}/remove",
            web::post().to(policies::servers::remove),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/servers/{item_id}",
            web::get().to(policies::parts::server),
        )
        .route(
            "/o/{slug}/monitoring_policies/{id}/cards/{card}",
            web::get().to(policies::parts::card),
        );
}
