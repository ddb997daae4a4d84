//! `/o/{slug}/load_balancers`: every load balancer endpoint of the Cloud
//! Panel behind its exact permission flag (name and description their own
//! flags, health check, persistence and method `modify`); each change
//! audited as a pair of events and answered with a flash message.

mod actions;
mod create;
mod detail;
mod list;
mod rule_row;
mod rules;
mod settings;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::networks::LoadBalancer;
use crate::web::cloud::{Named, Target, Upstream};
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/load_balancers"),
    ("POST", "/o/{slug}/load_balancers"),
    ("GET", "/o/{slug}/load_balancers/new"),
    ("GET", "/o/{slug}/load_balancers/{id}"),
    ("GET", "/o/{slug}/load_balancers/{id}/row"),
    ("GET", "/o/{slug}/load_balancers/{id}/status"),
    ("POST", "/o/{slug}/load_balancers/{id}/rename"),
    ("POST", "/o/{slug}/load_balancers/{id}/modify"),
    ("POST", "/o/{slug}/load_balancers/{id}/rules"),
    (
        "POST",
        "/o/{slug}/load_balancers/{id}/rules/{rule_id}/delete",
    ),
    ("POST", "/o/{slug}/load_balancers/{id}/server_ips"),
    (
        "POST",
        "/o/{slug}/load_balancers/{id}/server_ips/{ip_id}/unassign",
    ),
    ("POST", "/o/{slug}/load_balancers/{id}/delete"),
];

/// Every route, in registration order (`new` before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/load_balancers", get().to(list::page))
        .route("/o/{slug}/load_balancers", post().to(create::submit))
        .route("/o/{slug}/load_balancers/new", get().to(create::form))
        .route("/o/{slug}/load_balancers/{id}", get().to(detail::page))
        .route("/o/{slug}/load_balancers/{id}/row", get().to(list::row))
        .route(
            "/o/{slug}/load_balancers/{id}/status",
            get().to(detail::status),
        )
        .route(
            "/o/{slug}/load_balancers/{id}/rename",
            post().to(actions::rename),
        )
        .route(
            "/o/{slug}/load_balancers/{id}/modify",
            post().to(actions::modify),
        )
        .route("/o/{slug}/load_balancers/{id}/rules", post().to(rules::add))
        .route(
            "/o/{slug}/load_balancers/{id}/rules/{rule_id}/delete",
            post().to(rules::remove),
        )
        .route(
            "/o/{slug}/load_balancers/{id}/server_ips",
            post().to(actions::assign_ips),
        )
        .route(
            "/o/{slug}/load_balancers/{id}/server_ips/{ip_id}/unassign",
            post().to(actions::unassign_ip),
        )
        .route(
            "/o/{slug}/load_balancers/{id}/delete",
            post().to(actions::delete),
        );
}

impl Named for LoadBalancer {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Where a balancer's pages live, without the account query.
fn balancer_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("load_balancers/{id}"))
}

/// The audit target of every change to a balancer, and where the user goes.
fn target(ctx: &OrgCtx, up: &Upstream, id: &str) -> Target {
    Target {
        kind: "load_balancer",
        id: id.to_owned(),
        page: up.href(ctx, &format!("load_balancers/{id}")),
        list: up.href(ctx, "load_balancers"),
    }
}

/// The section of the side menu these pages belong to.
const SECTION: &str = "load_balancers";
