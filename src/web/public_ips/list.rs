//! The public IPs list: search, sort and pages computed in the panel over
//! one cached upstream list; rows in a transition refresh themselves.

use std::net::IpAddr;

use super::FAMILY;
use super::view::IpRow;
use crate::cloudpanel::networks::PublicIp;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::tenant::BulkFamily;
use crate::web::cloud::{BulkCard, Family, Listed, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    PublicIps,
    IpRow,
    "public_ips/list.html",
    "public_ips/row.html",
    "public_ips/status.html"
);

pub struct PublicIps;

/// Addresses in numeric order; anything unreadable after them, as text.
fn address_key(ip: &PublicIp) -> (bool, Option<IpAddr>, String) {
    let parsed: Option<IpAddr> = ip.ip.parse().ok();
    (parsed.is_none(), parsed, ip.ip.clone())
}

impl Listed for PublicIps {
    type Item = PublicIp;
    const FAMILY: &'static Family = &FAMILY;
    const BULK: Option<BulkFamily> = Some(BulkFamily::PublicIps);
    const NEW_LABEL: Option<&'static str> = Some("Reserve an IP");
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("ip", "Address"),
        ("assigned", "Assigned to"),
        ("state", "State"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<PublicIp>>, CloudError> {
        client.list_public_ips(&ListQuery::all()).await
    }

    fn id(ip: &PublicIp) -> &str {
        &ip.id
    }

    fn matches(ip: &PublicIp, q: &str) -> bool {
        let assigned = ip
            .assigned_to
            .as_ref()
            .map(|a| a.name.to_lowercase())
            .unwrap_or_default();
        ip.ip.to_lowercase().contains(q)
            || ip.id.to_lowercase().contains(q)
            || assigned.contains(q)
            || ip
                .reverse_dns
                .as_deref()
                .is_some_and(|d| d.to_lowercase().contains(q))
            || ip.datacenter.location.to_lowercase().contains(q)
    }

    fn sort(ips: &mut Vec<&PublicIp>, key: &str) {
        match key {
            "assigned" => ips.sort_by_cached_key(|ip| {
                (
                    ip.assigned_to.is_none(),
                    ip.assigned_to
                        .as_ref()
                        .map(|a| a.name.to_lowercase())
                        .unwrap_or_default(),
                    address_key(ip),
                )
            }),
            "state" => ips.sort_by_cached_key(|ip| (ip.state.as_str().to_owned(), address_key(ip))),
            "-created" => {
                ips.sort_by_cached_key(|ip| std::cmp::Reverse(ip.creation_date.to_string()))
            }
            "created" => ips.sort_by_cached_key(|ip| ip.creation_date.to_string()),
            _ => ips.sort_by_cached_key(|ip| address_key(ip)),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, ip: &PublicIp) -> IpRow {
        IpRow::new(ip, ctx, up).selectable(BulkCard::offered(ctx, BulkFamily::PublicIps))
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> IpRow {
        IpRow::removed(id, ctx, up).selectable(BulkCard::offered(ctx, BulkFamily::PublicIps))
    }
}
