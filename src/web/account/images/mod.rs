//! `/o/{slug}/images`: the account's own images, made from a server once or
//! on a schedule; create, rename and describe (each behind its own flag),
//! stop the scheduled creation, delete. Every change is audited as a pair
//! and answered with a flash message.

mod actions;
mod detail;
mod form;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::images::Image;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/images"),
    ("POST", "/o/{slug}/images"),
    ("GET", "/o/{slug}/images/new"),
    ("GET", "/o/{slug}/images/{id}"),
    ("GET", "/o/{slug}/images/{id}/row"),
    ("GET", "/o/{slug}/images/{id}/status"),
    ("GET", "/o/{slug}/images/{id}/edit"),
    ("POST", "/o/{slug}/images/{id}/edit"),
    ("POST", "/o/{slug}/images/{id}/frequency"),
    ("POST", "/o/{slug}/images/{id}/delete"),
];

impl crate::web::cloud::Named for Image {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/images", get().to(list::page))
        .route("/o/{slug}/images", post().to(form::create))
        .route("/o/{slug}/images/new", get().to(form::new))
        .route("/o/{slug}/images/{id}", get().to(detail::page))
        .route("/o/{slug}/images/{id}/row", get().to(list::row))
        .route("/o/{slug}/images/{id}/status", get().to(detail::status))
        .route("/o/{slug}/images/{id}/edit", get().to(form::edit))
        .route("/o/{slug}/images/{id}/edit", post().to(form::update))
        .route(
            "/o/{slug}/images/{id}/frequency",
            post().to(actions::stop_schedule),
        )
        .route("/o/{slug}/images/{id}/delete", post().to(actions::delete));
}

/// Where an image's pages live (without the account query).
pub fn image_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("images/{id}"))
}
