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

use crate::web::cloud::list_page;
use crate::web::routing::org_routes;

// Every route, in registration order (`new` before `{id}`).
org_routes! {
    "/monitoring" {
        GET  "" => center::page,
        GET  "/{server_id}" => server::page,
    }
    "/monitoring_policies" {
        GET  "" => list_page::<policies::list::Policies>,
        POST "" => policies::create::submit,
        GET  "/new" => policies::create::form,
        GET  "/{id}" => policies::detail::page,
        POST "/{id}/settings" => policies::edit::settings,
        POST "/{id}/thresholds" => policies::edit::thresholds,
        POST "/{id}/clone" => policies::edit::clone,
        POST "/{id}/delete" => policies::edit::delete,
        POST "/{id}/ports" => policies::ports::add,
        POST "/{id}/ports/{item_id}" => policies::ports::update,
        POST "/{id}/ports/{item_id}/delete" => policies::ports::remove,
        POST "/{id}/processes" => policies::processes::add,
        POST "/{id}/processes/{item_id}" => policies::processes::update,
        POST "/{id}/processes/{item_id}/delete" => policies::processes::remove,
        POST "/{id}/servers" => policies::servers::add,
        POST "/{id}/servers/{item_id}/remove" => policies::servers::remove,
        GET  "/{id}/servers/{item_id}" => policies::parts::server,
        GET  "/{id}/cards/{card}" => policies::parts::card,
    }
}
