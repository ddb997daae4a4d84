//! `/o/{slug}/load_balancers`: every load balancer endpoint of the Cloud
//! Panel behind its exact permission flag (name and description their own
//! flags, health check, persistence and method `modify`); each change
//! audited as a pair of events and answered with a flash message.

pub(crate) mod actions;
pub(crate) mod create;
mod detail;
pub(crate) mod list;
pub(crate) mod rule_row;
pub(crate) mod rules;
pub(crate) mod settings;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::networks::LoadBalancer;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, list_page, row_fragment, status_fragment};

/// Load balancers, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "load_balancer",
    word: "load_balancers",
    object: "/load_balancers/{id}",
    title: "Load balancers",
    one: "load balancer",
    many: "load balancers",
    show: perms::LOAD_BALANCERS_SHOW,
    create: perms::LOAD_BALANCERS_CREATE,
};

// Every route, in registration order (`new` before `{id}`).
org_routes! {
    "/load_balancers" {
        GET  "" => list_page::<list::LoadBalancers>,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::LoadBalancers>,
        GET  "/{id}/status" => status_fragment::<list::LoadBalancers>,
        POST "/{id}/rename" => actions::rename,
        POST "/{id}/modify" => actions::modify,
        POST "/{id}/rules" => rules::add,
        POST "/{id}/rules/{rule_id}/delete" => rules::remove,
        POST "/{id}/server_ips" => actions::assign_ips,
        POST "/{id}/server_ips/{ip_id}/unassign" => actions::unassign_ip,
        POST "/{id}/delete" => actions::delete,
    }
}

impl Named for LoadBalancer {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}
