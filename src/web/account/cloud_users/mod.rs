//! `/o/{slug}/cloud_users`: the Cloud Panel account's own users (not the panel's members): their API access, keys and allowed addresses.

use actix_web::web;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[];

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(_cfg: &mut web::ServiceConfig) {}
