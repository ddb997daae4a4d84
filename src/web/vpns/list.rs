//! The VPNs list: search, sort and pages computed in the panel over one
//! cached upstream list; rows in a transition refresh themselves.

use super::FAMILY;
use super::view::VpnRow;
use crate::cloudpanel::networks::Vpn;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::tenant::BulkFamily;
use crate::web::cloud::{BulkCard, Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    Vpns,
    VpnRow,
    "vpns/list.html",
    "vpns/row.html",
    "vpns/status.html"
);

pub struct Vpns;

impl Listed for Vpns {
    type Item = Vpn;
    const FAMILY: &'static Family = &FAMILY;
    const BULK: Option<BulkFamily> = Some(BulkFamily::Vpns);
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<Vpn>>, CloudError> {
        client.list_vpns(&ListQuery::all()).await
    }

    fn id(vpn: &Vpn) -> &str {
        &vpn.id
    }

    fn matches(vpn: &Vpn, q: &str) -> bool {
        [
            &vpn.name,
            &vpn.description,
            &vpn.id,
            &vpn.cloudpanel_id,
            &vpn.datacenter.location,
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(q))
            || vpn.ips.iter().any(|ip| ip.contains(q))
    }

    fn sort(vpns: &mut Vec<&Vpn>, key: &str) {
        match key {
            "-name" => vpns.sort_by_cached_key(|v| std::cmp::Reverse(v.name.to_lowercase())),
            "state" => {
                vpns.sort_by_cached_key(|v| (v.state.as_str().to_owned(), v.name.to_lowercase()))
            }
            "-created" => {
                vpns.sort_by_cached_key(|v| std::cmp::Reverse(v.creation_date.to_string()))
            }
            "created" => vpns.sort_by_cached_key(|v| v.creation_date.to_string()),
            _ => vpns.sort_by_cached_key(|v| v.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, vpn: &Vpn) -> VpnRow {
        VpnRow::new(vpn, ctx, up).selectable(BulkCard::offered(ctx, BulkFamily::Vpns))
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> VpnRow {
        VpnRow::removed(id, ctx, up).selectable(BulkCard::offered(ctx, BulkFamily::Vpns))
    }
}
