//! (family pages: filled in by their own change)

use actix_web::web;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[];

pub fn routes(_cfg: &mut web::ServiceConfig) {}
