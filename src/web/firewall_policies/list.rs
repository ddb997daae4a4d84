//! The firewall policies list: search, sort and pages computed in the panel
//! over one cached upstream list, shared by every member and refreshing row.

use super::FAMILY;
use super::view::PolicyRow;
use crate::cloudpanel::networks::FirewallPolicy;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    FirewallPolicies,
    PolicyRow,
    "firewall_policies/list.html",
    "firewall_policies/row.html",
    "firewall_policies/status.html"
);

pub struct FirewallPolicies;

impl Listed for FirewallPolicies {
    type Item = FirewallPolicy;
    const FAMILY: &'static Family = &FAMILY;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<FirewallPolicy>>, CloudError> {
        client.list_firewall_policies(&ListQuery::all()).await
    }

    fn id(policy: &FirewallPolicy) -> &str {
        &policy.id
    }

    fn matches(policy: &FirewallPolicy, q: &str) -> bool {
        [
            &policy.name,
            &policy.description,
            &policy.id,
            &policy.cloudpanel_id,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || policy
                .server_ips
                .iter()
                .any(|ip| ip.ip.contains(q) || ip.server_name.to_lowercase().contains(q))
    }

    fn sort(policies: &mut Vec<&FirewallPolicy>, key: &str) {
        match key {
            "-name" => policies.sort_by_cached_key(|p| std::cmp::Reverse(p.name.to_lowercase())),
            "state" => policies
                .sort_by_cached_key(|p| (p.state.as_str().to_owned(), p.name.to_lowercase())),
            "-created" => {
                policies.sort_by_cached_key(|p| std::cmp::Reverse(p.creation_date.to_string()))
            }
            "created" => policies.sort_by_cached_key(|p| p.creation_date.to_string()),
            _ => policies.sort_by_cached_key(|p| p.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, policy: &FirewallPolicy) -> PolicyRow {
        PolicyRow::new(policy, FAMILY.href(ctx, &policy.id), up.query())
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> PolicyRow {
        PolicyRow::removed(id, FAMILY.href(ctx, id), up.query())
    }
}
