//! `/o/{slug}/usage`: the account's usages, the pricing list and a monthly cost estimate.

use actix_web::web;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[];

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(_cfg: &mut web::ServiceConfig) {}
