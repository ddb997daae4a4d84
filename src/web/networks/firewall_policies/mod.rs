//! `/o/{slug}/firewall_policies`: every firewall policy endpoint of the
//! Cloud Panel behind its exact permission flag; each change audited as a
//! pair of events (requested, then the outcome) and answered with a flash
//! message. The account's default policies cannot be changed or deleted
//! (the API refuses): their pages offer only assigning server IPs.

mod actions;
mod create;
mod detail;
mod list;
mod rule_row;
mod rules;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::cloudpanel::networks::FirewallPolicy;
use crate::web::cloud::{Named, Target, Upstream};
use crate::web::org_ctx::OrgCtx;

/// This family's organisation routes, for the isolation walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}/firewall_policies"),
    ("POST", "/o/{slug}/firewall_policies"),
    ("GET", "/o/{slug}/firewall_policies/new"),
    ("GET", "/o/{slug}/firewall_policies/{id}"),
    ("GET", "/o/{slug}/firewall_policies/{id}/row"),
    ("GET", "/o/{slug}/firewall_policies/{id}/status"),
    ("POST", "/o/{slug}/firewall_policies/{id}/rename"),
    ("POST", "/o/{slug}/firewall_policies/{id}/rules"),
    (
        "POST",
        "/o/{slug}/firewall_policies/{id}/rules/{rule_id}/delete",
    ),
    ("POST", "/o/{slug}/firewall_policies/{id}/server_ips"),
    (
        "POST",
        "/o/{slug}/firewall_policies/{id}/server_ips/{ip_id}/unassign",
    ),
    ("POST", "/o/{slug}/firewall_policies/{id}/delete"),
];

/// Every route, in registration order (`new` before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/firewall_policies", get().to(list::page))
        .route("/o/{slug}/firewall_policies", post().to(create::submit))
        .route("/o/{slug}/firewall_policies/new", get().to(create::form))
        .route("/o/{slug}/firewall_policies/{id}", get().to(detail::page))
        .route("/o/{slug}/firewall_policies/{id}/row", get().to(list::row))
        .route(
            "/o/{slug}/firewall_policies/{id}/status",
            get().to(detail::status),
        )
        .route(
            "/o/{slug}/firewall_policies/{id}/rename",
            post().to(actions::rename),
        )
        .route(
            "/o/{slug}/firewall_policies/{id}/rules",
            post().to(rules::add),
        )
        .route(
            "/o/{slug}/firewall_policies/{id}/rules/{rule_id}/delete",
            post().to(rules::remove),
        )
        .route(
            "/o/{slug}/firewall_policies/{id}/server_ips",
            post().to(actions::assign_ips),
        )
        .route(
            "/o/{slug}/firewall_policies/{id}/server_ips/{ip_id}/unassign",
            post().to(actions::unassign_ip),
        )
        .route(
            "/o/{slug}/firewall_policies/{id}/delete",
            post().to(actions::delete),
        );
}

impl Named for FirewallPolicy {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Where a policy's pages live, without the account query, so that
/// sub-addresses can be appended: `{href}/status{query}`.
fn policy_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("firewall_policies/{id}"))
}

/// The policy's page and the list, on the account acted on: the audit
/// target of every change to it.
fn target(ctx: &OrgCtx, up: &Upstream, id: &str) -> Target {
    Target {
        kind: "firewall_policy",
        id: id.to_owned(),
        page: up.href(ctx, &format!("firewall_policies/{id}")),
        list: up.href(ctx, "firewall_policies"),
    }
}

/// The section of the side menu these pages belong to.
const SECTION: &str = "firewall_policies";
