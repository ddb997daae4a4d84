//! `/o/{slug}/ssh_keys`: the account's SSH public keys, which new servers
//! can be given; import one, rename and describe it (each behind its own
//! flag), delete it. Every change is audited as a pair and answered with a
//! flash message.

mod actions;
mod detail;
mod form;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::ssh_keys::SshKey;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/ssh_keys"),
    ("POST", "/o/{slug}/ssh_keys"),
    ("GET", "/o/{slug}/ssh_keys/new"),
    ("GET", "/o/{slug}/ssh_keys/{id}"),
    ("GET", "/o/{slug}/ssh_keys/{id}/row"),
    ("GET", "/o/{slug}/ssh_keys/{id}/edit"),
    ("POST", "/o/{slug}/ssh_keys/{id}/edit"),
    ("POST", "/o/{slug}/ssh_keys/{id}/delete"),
];

impl crate::web::cloud::Named for SshKey {
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
    cfg.route("/o/{slug}/ssh_keys", get().to(list::page))
        .route("/o/{slug}/ssh_keys", post().to(form::create))
        .route("/o/{slug}/ssh_keys/new", get().to(form::new))
        .route("/o/{slug}/ssh_keys/{id}", get().to(detail::page))
        .route("/o/{slug}/ssh_keys/{id}/row", get().to(list::row))
        .route("/o/{slug}/ssh_keys/{id}/edit", get().to(form::edit))
        .route("/o/{slug}/ssh_keys/{id}/edit", post().to(form::update))
        .route("/o/{slug}/ssh_keys/{id}/delete", post().to(actions::delete));
}

/// Where an SSH key's pages live (without the account query).
pub fn ssh_key_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("ssh_keys/{id}"))
}
