//! `/o/{slug}/cloud_users`: the Cloud Panel account's own users (not the
//! panel's members): the people and programs that sign in to the vendor's
//! panel or call its API with their own key. Create, edit (each value behind
//! its own flag), delete, their role, their API access with its allowed
//! addresses and key, and what this account's token itself may do. Every
//! change is audited as a pair; a key is shown once and never stored,
//! logged or audited.

mod actions;
mod api;
mod detail;
mod form;
mod key;
mod list;
mod permissions;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::access::User;
use crate::web::cloud::Named;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/cloud_users"),
    ("POST", "/o/{slug}/cloud_users"),
    ("GET", "/o/{slug}/cloud_users/new"),
    ("GET", "/o/{slug}/cloud_users/permissions"),
    ("GET", "/o/{slug}/cloud_users/{id}"),
    ("GET", "/o/{slug}/cloud_users/{id}/edit"),
    ("POST", "/o/{slug}/cloud_users/{id}/edit"),
    ("POST", "/o/{slug}/cloud_users/{id}/delete"),
    ("POST", "/o/{slug}/cloud_users/{id}/role"),
    ("POST", "/o/{slug}/cloud_users/{id}/api"),
    ("POST", "/o/{slug}/cloud_users/{id}/api/ips"),
    ("POST", "/o/{slug}/cloud_users/{id}/api/ips/remove"),
    ("POST", "/o/{slug}/cloud_users/{id}/api/key"),
    ("POST", "/o/{slug}/cloud_users/{id}/api/key/regenerate"),
];

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/cloud_users", get().to(list::page))
        .route("/o/{slug}/cloud_users", post().to(form::create))
        .route("/o/{slug}/cloud_users/new", get().to(form::new))
        .route(
            "/o/{slug}/cloud_users/permissions",
            get().to(permissions::page),
        )
        .route("/o/{slug}/cloud_users/{id}", get().to(detail::page))
        .route("/o/{slug}/cloud_users/{id}/edit", get().to(form::edit))
        .route("/o/{slug}/cloud_users/{id}/edit", post().to(form::update))
        .route(
            "/o/{slug}/cloud_users/{id}/delete",
            post().to(actions::delete),
        )
        .route("/o/{slug}/cloud_users/{id}/role", post().to(actions::role))
        .route("/o/{slug}/cloud_users/{id}/api", post().to(api::set_active))
        .route(
            "/o/{slug}/cloud_users/{id}/api/ips",
            post().to(api::add_ips),
        )
        .route(
            "/o/{slug}/cloud_users/{id}/api/ips/remove",
            post().to(api::remove_ip),
        )
        .route("/o/{slug}/cloud_users/{id}/api/key", post().to(key::show))
        .route(
            "/o/{slug}/cloud_users/{id}/api/key/regenerate",
            post().to(key::regenerate),
        );
}

/// Where a Cloud Panel user's pages live (without the account query).
pub fn cloud_user_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("cloud_users/{id}"))
}

/// A changed user as the audit log and the flash message name it. Answers
/// carry the user's API key: only its id and name travel on from here.
pub struct Acted {
    id: String,
    name: String,
}

impl Acted {
    pub fn of(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            name: user.name.clone(),
        }
    }
}

impl Named for Acted {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}
