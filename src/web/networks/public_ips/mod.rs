//! `/o/{slug}/public_ips`: the account's public IP addresses, what each is
//! assigned to (a link to that server or load balancer), reserving a new
//! one, its reverse DNS name, and deleting it. Every change is audited as a
//! pair and answered with a flash message.

mod actions;
mod create;
mod detail;
mod list;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::networks::PublicIp;
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/public_ips"),
    ("POST", "/o/{slug}/public_ips"),
    ("GET", "/o/{slug}/public_ips/new"),
    ("GET", "/o/{slug}/public_ips/{id}"),
    ("GET", "/o/{slug}/public_ips/{id}/row"),
    ("GET", "/o/{slug}/public_ips/{id}/status"),
    ("POST", "/o/{slug}/public_ips/{id}/reverse_dns"),
    ("POST", "/o/{slug}/public_ips/{id}/delete"),
];

/// A public IP is named by its address.
impl crate::web::cloud::Named for PublicIp {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.ip
    }
}

/// Every route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/public_ips", get().to(list::page))
        .route("/o/{slug}/public_ips", post().to(create::submit))
        .route("/o/{slug}/public_ips/new", get().to(create::form))
        .route("/o/{slug}/public_ips/{id}", get().to(detail::page))
        .route("/o/{slug}/public_ips/{id}/row", get().to(list::row))
        .route("/o/{slug}/public_ips/{id}/status", get().to(detail::status))
        .route(
            "/o/{slug}/public_ips/{id}/reverse_dns",
            post().to(actions::reverse_dns),
        )
        .route(
            "/o/{slug}/public_ips/{id}/delete",
            post().to(actions::delete),
        );
}

/// Where an IP's pages live (without the account query).
pub fn ip_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("public_ips/{id}"))
}
