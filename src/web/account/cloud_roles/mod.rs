//! `/o/{slug}/cloud_roles`: the Cloud Panel account's own roles and their
//! permission matrix. These govern the account's API users (their tokens)
//! and the vendor's own UI, not the panel's members: those hold the panel's
//! roles (`/o/{slug}/roles`). List, create, rename and describe (each behind
//! its own flag), clone, delete with the typed name, the matrix (the same
//! component as the panel's role editor, Cloud Panel groups only), and the
//! role's users. Every change is audited as a pair and answered with a flash
//! message; the API's built-in roles offer only what the API allows on them.

mod actions;
mod detail;
mod form;
mod list;
mod permissions;
mod users;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::access::Role;
use crate::web::cloud::{Target, Upstream};
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/cloud_roles"),
    ("POST", "/o/{slug}/cloud_roles"),
    ("GET", "/o/{slug}/cloud_roles/new"),
    ("GET", "/o/{slug}/cloud_roles/{id}"),
    ("GET", "/o/{slug}/cloud_roles/{id}/edit"),
    ("POST", "/o/{slug}/cloud_roles/{id}/edit"),
    ("GET", "/o/{slug}/cloud_roles/{id}/clone"),
    ("POST", "/o/{slug}/cloud_roles/{id}/clone"),
    ("POST", "/o/{slug}/cloud_roles/{id}/delete"),
    ("POST", "/o/{slug}/cloud_roles/{id}/permissions"),
    ("POST", "/o/{slug}/cloud_roles/{id}/users"),
    ("GET", "/o/{slug}/cloud_roles/{id}/users/{cloud_user_id}"),
    (
        "POST",
        "/o/{slug}/cloud_roles/{id}/users/{cloud_user_id}/remove",
    ),
];

impl crate::web::cloud::Named for Role {
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
    cfg.route("/o/{slug}/cloud_roles", get().to(list::page))
        .route("/o/{slug}/cloud_roles", post().to(form::create))
        .route("/o/{slug}/cloud_roles/new", get().to(form::new))
        .route("/o/{slug}/cloud_roles/{id}", get().to(detail::page))
        .route("/o/{slug}/cloud_roles/{id}/edit", get().to(form::edit))
        .route("/o/{slug}/cloud_roles/{id}/edit", post().to(form::update))
        .route(
            "/o/{slug}/cloud_roles/{id}/clone",
            get().to(form::clone_form),
        )
        .route("/o/{slug}/cloud_roles/{id}/clone", post().to(form::clone))
        .route(
            "/o/{slug}/cloud_roles/{id}/delete",
            post().to(actions::delete),
        )
        .route(
            "/o/{slug}/cloud_roles/{id}/permissions",
            post().to(permissions::save),
        )
        .route("/o/{slug}/cloud_roles/{id}/users", post().to(users::add))
        .route(
            "/o/{slug}/cloud_roles/{id}/users/{cloud_user_id}",
            get().to(users::page),
        )
        .route(
            "/o/{slug}/cloud_roles/{id}/users/{cloud_user_id}/remove",
            post().to(users::remove),
        );
}

/// Where a Cloud Panel role's pages live (without the account query).
pub fn cloud_role_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("cloud_roles/{id}"))
}

/// A role's page on the account acted on.
fn role_page(ctx: &OrgCtx, up: &Upstream, id: &str) -> String {
    format!("{}{}", cloud_role_href(ctx, id), up.query())
}

/// The Cloud Panel user's own page (the account's users family).
fn cloud_user_href(ctx: &OrgCtx, up: &Upstream, id: &str) -> String {
    up.href(ctx, &format!("cloud_users/{id}"))
}

/// The role a change acts on, for [`crate::web::cloud::Act::begin`]: its
/// page, and the list once it is gone.
fn role_target(ctx: &OrgCtx, id: &str) -> impl FnOnce(&Upstream) -> Target {
    move |up| Target {
        kind: "cloud_role",
        id: id.to_owned(),
        page: role_page(ctx, up, id),
        list: up.href(ctx, "cloud_roles"),
    }
}
