//! The private networks list: search, sort and pages computed in the panel
//! over one cached upstream list; rows in a transition refresh themselves.

use super::FAMILY;
use super::view::NetworkRow;
use crate::cloudpanel::networks::PrivateNetwork;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::tenant::BulkFamily;
use crate::web::cloud::{BulkCard, Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    PrivateNetworks,
    NetworkRow,
    "private_networks/list.html",
    "private_networks/row.html",
    "private_networks/status.html"
);

pub struct PrivateNetworks;

impl Listed for PrivateNetworks {
    type Item = PrivateNetwork;
    const FAMILY: &'static Family = &FAMILY;
    const BULK: Option<BulkFamily> = Some(BulkFamily::PrivateNetworks);
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("servers", "Most servers first"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<PrivateNetwork>>, CloudError> {
        client.list_private_networks(&ListQuery::all()).await
    }

    fn id(network: &PrivateNetwork) -> &str {
        &network.id
    }

    fn matches(network: &PrivateNetwork, q: &str) -> bool {
        [
            &network.name,
            &network.description,
            &network.id,
            &network.cloudpanel_id,
            &network.network_address,
            &network.datacenter.location,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || network
                .servers
                .iter()
                .any(|s| s.name.to_lowercase().contains(q))
    }

    fn sort(networks: &mut Vec<&PrivateNetwork>, key: &str) {
        match key {
            "-name" => networks.sort_by_cached_key(|n| std::cmp::Reverse(n.name.to_lowercase())),
            "state" => networks
                .sort_by_cached_key(|n| (n.state.as_str().to_owned(), n.name.to_lowercase())),
            "servers" => networks.sort_by_cached_key(|n| {
                (std::cmp::Reverse(n.servers.len()), n.name.to_lowercase())
            }),
            "-created" => {
                networks.sort_by_cached_key(|n| std::cmp::Reverse(n.creation_date.to_string()))
            }
            "created" => networks.sort_by_cached_key(|n| n.creation_date.to_string()),
            _ => networks.sort_by_cached_key(|n| n.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, network: &PrivateNetwork) -> NetworkRow {
        NetworkRow::new(network, ctx, up)
            .selectable(BulkCard::offered(ctx, BulkFamily::PrivateNetworks))
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> NetworkRow {
        NetworkRow::removed(id, ctx, up)
            .selectable(BulkCard::offered(ctx, BulkFamily::PrivateNetworks))
    }
}
