//! `/o/{slug}/firewall_policies`: every firewall policy endpoint of the
//! Cloud Panel behind its exact permission flag; each change audited as a
//! pair of events (requested, then the outcome) and answered with a flash
//! message. The account's default policies cannot be changed or deleted
//! (the API refuses): their pages offer only assigning server IPs.

pub(crate) mod actions;
pub(crate) mod create;
mod detail;
pub(crate) mod list;
pub(crate) mod rule_row;
pub(crate) mod rules;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::networks::FirewallPolicy;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, list_page, row_fragment, status_fragment};

/// Firewall policies, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "firewall_policy",
    word: "firewall_policies",
    object: "/firewall_policies/{id}",
    title: "Firewall policies",
    one: "firewall policy",
    many: "firewall policies",
    show: perms::FIREWALL_POLICIES_SHOW,
    create: perms::FIREWALL_POLICIES_CREATE,
};

// Every route, in registration order (`new` before `{id}`).
org_routes! {
    "/firewall_policies" {
        GET  "" => list_page::<list::FirewallPolicies>,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::FirewallPolicies>,
        GET  "/{id}/status" => status_fragment::<list::FirewallPolicies>,
        POST "/{id}/rename" => actions::rename,
        POST "/{id}/rules" => rules::add,
        POST "/{id}/rules/{rule_id}/delete" => rules::remove,
        POST "/{id}/server_ips" => actions::assign_ips,
        POST "/{id}/server_ips/{ip_id}/unassign" => actions::unassign_ip,
        POST "/{id}/delete" => actions::delete,
    }
}

impl Named for FirewallPolicy {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}
