//! `/o/{slug}/monitoring`: the monitoring center (each server's checks and
//! alerts, and its usage over a period drawn as server-side SVG charts),
//! every endpoint behind its exact permission flag. The monitoring policies
//! are [`crate::web::monitoring_policies`].

mod center;
pub(crate) mod period;
mod series;
mod server;

use crate::web::routing::org_routes;

// Every route, in registration order.
org_routes! {
    "/monitoring" {
        GET  "" => center::page,
        GET  "/{server_id}" => server::page,
    }
}
