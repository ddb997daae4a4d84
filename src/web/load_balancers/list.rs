//! The load balancers list: search, sort and pages computed in the panel
//! over one cached upstream list, shared by every member and refreshing row.

use super::FAMILY;
use super::view::BalancerRow;
use crate::cloudpanel::networks::LoadBalancer;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    LoadBalancers,
    BalancerRow,
    "load_balancers/list.html",
    "load_balancers/row.html",
    "load_balancers/status.html"
);

pub struct LoadBalancers;

impl Listed for LoadBalancers {
    type Item = LoadBalancer;
    const FAMILY: &'static Family = &FAMILY;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<LoadBalancer>>, CloudError> {
        client.list_load_balancers(&ListQuery::all()).await
    }

    fn id(lb: &LoadBalancer) -> &str {
        &lb.id
    }

    fn matches(lb: &LoadBalancer, q: &str) -> bool {
        [
            &lb.name,
            &lb.description,
            &lb.id,
            &lb.cloudpanel_id,
            &lb.datacenter.location,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || lb.ip.as_deref().is_some_and(|ip| ip.contains(q))
            || lb
                .server_ips
                .iter()
                .any(|ip| ip.ip.contains(q) || ip.server_name.to_lowercase().contains(q))
    }

    fn sort(balancers: &mut Vec<&LoadBalancer>, key: &str) {
        match key {
            "-name" => balancers.sort_by_cached_key(|p| std::cmp::Reverse(p.name.to_lowercase())),
            "state" => balancers
                .sort_by_cached_key(|p| (p.state.as_str().to_owned(), p.name.to_lowercase())),
            "-created" => {
                balancers.sort_by_cached_key(|p| std::cmp::Reverse(p.creation_date.to_string()))
            }
            "created" => balancers.sort_by_cached_key(|p| p.creation_date.to_string()),
            _ => balancers.sort_by_cached_key(|p| p.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, lb: &LoadBalancer) -> BalancerRow {
        BalancerRow::new(lb, FAMILY.href(ctx, &lb.id), up.query())
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> BalancerRow {
        BalancerRow::removed(id, FAMILY.href(ctx, id), up.query())
    }
}
