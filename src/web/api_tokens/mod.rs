//! Personal access tokens for the JSON API: a member's own on the profile
//! page (`/profile`, made, listed and revoked there), and every member's on
//! `/o/{slug}/api_tokens` for those who manage members. The API's door,
//! which accepts them, is [`crate::web::api`].

mod org_list;
mod profile;
mod reference;
pub mod section;
mod view;

use actix_web::web;

use crate::web::routing::{Routes, org_routes};

org_routes! {
    fn org_pages;
    "/api_tokens" {
        GET  "" => org_list::page,
        POST "/{token_id}/revoke" => org_list::revoke,
    }
}

pub fn routes(cfg: &mut Routes) {
    org_pages(cfg);
    cfg.route("/profile/api", web::get().to(reference::page))
        .route("/profile/api_tokens", web::post().to(profile::create))
        .route(
            "/profile/api_tokens/{slug}/{token_id}/revoke",
            web::post().to(profile::revoke),
        );
}
