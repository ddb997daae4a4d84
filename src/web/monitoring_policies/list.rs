//! The monitoring policies list: search, sort and pages computed in the
//! panel over one cached upstream list.

use super::FAMILY;
use crate::cloudpanel::monitoring::MonitoringPolicy;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, StateBadge, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    Policies,
    PolicyRow,
    "monitoring_policies/list.html",
    "monitoring_policies/row.html"
);

pub struct PolicyRow {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The policy's page, with the account query.
    pub href: String,
    pub badge: StateBadge,
    pub is_default: bool,
    pub email: String,
    pub agent: bool,
    pub servers: Vec<String>,
    pub ports: usize,
    pub processes: usize,
    pub created: String,
}

pub struct Policies;

impl Listed for Policies {
    type Item = MonitoringPolicy;
    const FAMILY: &'static Family = &FAMILY;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<MonitoringPolicy>>, CloudError> {
        client.list_monitoring_policies(&ListQuery::all()).await
    }

    fn id(p: &MonitoringPolicy) -> &str {
        &p.id
    }

    fn matches(p: &MonitoringPolicy, q: &str) -> bool {
        [&p.name, &p.description, &p.email, &p.id]
            .iter()
            .any(|f| f.to_lowercase().contains(q))
            || p.servers.iter().any(|s| s.name.to_lowercase().contains(q))
    }

    fn sort(policies: &mut Vec<&MonitoringPolicy>, sort: &str) {
        match sort {
            "-name" => policies.sort_by_cached_key(|p| std::cmp::Reverse(p.name.to_lowercase())),
            "-created" => {
                policies.sort_by_cached_key(|p| std::cmp::Reverse(p.creation_date.to_string()))
            }
            "created" => policies.sort_by_cached_key(|p| p.creation_date.to_string()),
            _ => policies.sort_by_cached_key(|p| p.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, p: &MonitoringPolicy) -> PolicyRow {
        PolicyRow {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            href: FAMILY.page_href(ctx, up, &p.id),
            badge: StateBadge::new(p.state.as_str(), p.state.is_transitional(), None),
            is_default: p.default,
            email: p.email.clone(),
            agent: p.agent,
            servers: p.servers.iter().map(|s| s.name.clone()).collect(),
            ports: p.ports.len(),
            processes: p.processes.len(),
            created: p.creation_date.to_string(),
        }
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> PolicyRow {
        PolicyRow {
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            href: FAMILY.page_href(ctx, up, id),
            badge: StateBadge::removed(),
            is_default: false,
            email: String::new(),
            agent: false,
            servers: Vec::new(),
            ports: 0,
            processes: 0,
            created: String::new(),
        }
    }
}
