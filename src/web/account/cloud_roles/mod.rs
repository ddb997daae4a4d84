//! `/o/{slug}/cloud_roles`: the Cloud Panel account's own roles and their permission matrix (not the panel's roles).

use actix_web::web;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[];

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(_cfg: &mut web::ServiceConfig) {}
