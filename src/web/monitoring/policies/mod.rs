//! The monitoring policies: list, create, a page in cards, and every change
//! of the reference (settings, thresholds, ports, processes, servers,
//! deletion), each behind its own flag. The API has no clone endpoint: a
//! clone is a creation from the policy's current settings. The account's
//! default policy cannot be changed or deleted (the API refuses); its page
//! offers only attaching servers and cloning.

pub mod create;
pub mod detail;
pub mod edit;
pub mod list;
pub mod parts;
pub mod ports;
pub mod processes;
pub mod servers;
mod thresholds;
mod values;

use crate::cloudpanel::monitoring::{MonitoringPolicy, ProcessAlert};
use crate::web::cloud::{Named, Target, Upstream};
use crate::web::org_ctx::OrgCtx;

/// The section of the side menu these pages belong to.
const SECTION: &str = "monitoring_policies";

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

/// Where a policy's pages live, without the account query.
fn policy_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("monitoring_policies/{id}"))
}

/// The policy's page and the list, on the account acted on: the audit
/// target of every change to it.
fn target(ctx: &OrgCtx, up: &Upstream, id: &str) -> Target {
    Target {
        kind: "monitoring_policy",
        id: id.to_owned(),
        page: up.href(ctx, &format!("monitoring_policies/{id}")),
        list: up.href(ctx, "monitoring_policies"),
    }
}

/// A new policy's page (after a creation or a clone).
fn created_page(ctx: &OrgCtx, up: &Upstream, id: &str) -> String {
    up.href(ctx, &format!("monitoring_policies/{id}"))
}
