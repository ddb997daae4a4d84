//! `/o/{slug}/monitoring_policies`: the monitoring policies: list, create,
//! a page in cards, and every change of the reference (settings,
//! thresholds, ports, processes, servers, deletion), each behind its own
//! flag and audited as a pair of events through `Act::run`. The API has no
//! clone endpoint: a clone is a creation from the policy's current
//! settings. The account's default policy cannot be changed or deleted
//! (the API refuses); its page offers only attaching servers and cloning.

pub mod create;
pub mod detail;
pub mod edit;
pub mod list;
pub mod parts;
pub mod ports;
pub mod processes;
pub mod servers;
pub(crate) mod thresholds;
pub(crate) mod values;

use crate::cloudpanel::monitoring::{MonitoringPolicy, ProcessAlert};
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, list_page};
use crate::web::routing::org_routes;

// Every route, in registration order (`new` before `{id}`).
org_routes! {
    "/monitoring_policies" {
        GET  "" => list_page::<list::Policies>,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        POST "/{id}/settings" => edit::settings,
        POST "/{id}/thresholds" => edit::thresholds,
        POST "/{id}/clone" => edit::clone,
        POST "/{id}/delete" => edit::delete,
        POST "/{id}/ports" => ports::add,
        POST "/{id}/ports/{item_id}" => ports::update,
        POST "/{id}/ports/{item_id}/delete" => ports::remove,
        POST "/{id}/processes" => processes::add,
        POST "/{id}/processes/{item_id}" => processes::update,
        POST "/{id}/processes/{item_id}/delete" => processes::remove,
        POST "/{id}/servers" => servers::add,
        POST "/{id}/servers/{item_id}/remove" => servers::remove,
        GET  "/{id}/servers/{item_id}" => parts::server,
        GET  "/{id}/cards/{card}" => parts::card,
    }
}

/// Monitoring policies, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "monitoring_policy",
    word: "monitoring_policies",
    object: "/monitoring_policies/{id}",
    title: "Monitoring policies",
    one: "monitoring policy",
    many: "monitoring policies",
    show: perms::MONITORING_POLICIES_SHOW,
    create: perms::MONITORING_POLICIES_CREATE,
};

impl Named for MonitoringPolicy {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Adding processes answers the policy's processes, not the policy: the
/// change is named after the policy it was made to.
pub struct OfPolicy {
    pub id: String,
    pub name: String,
}

impl OfPolicy {
    fn after(policy: &MonitoringPolicy, _: Vec<ProcessAlert>) -> Self {
        Self {
            id: policy.id.clone(),
            name: policy.name.clone(),
        }
    }
}

impl Named for OfPolicy {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}
