//! `/o/{slug}/e2e_catalogue`: what E2E Networks nodes are made of, read
//! only: the OS images by display category and, for a chosen image, its
//! plans with their committed prices. Behind `e2e_nodes.show`, like the
//! reads of the create page.

mod index;

use crate::web::routing::org_routes;

org_routes! {
    "/e2e_catalogue" {
        GET "" => index::page,
    }
}
