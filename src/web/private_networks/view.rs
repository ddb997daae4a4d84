//! What the private network templates show, computed once from the API's answer.

use crate::cloudpanel::common::IdName;
use crate::cloudpanel::networks::PrivateNetwork;
use crate::web::cloud::{StateBadge, Upstream};
use crate::web::networks::parts::{Link, datacenter_label};
use crate::web::org_ctx::OrgCtx;

/// One row of the list (also the fragment a refreshing row fetches).
#[derive(Debug, Clone)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    pub datacenter: String,
    /// `192.168.10.0 / 255.255.255.0`, empty when unset.
    pub range: String,
    /// The attached servers, each linking to its page.
    pub servers: Vec<Link>,
    /// The network's address, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
    /// Whether the row carries a box for the list's bulk form.
    pub selectable: bool,
}

impl NetworkRow {
    /// With a box for the list's bulk form, when the member may take a
    /// bulk action on the family.
    pub fn selectable(mut self, selectable: bool) -> Self {
        self.selectable = selectable;
        self
    }

    pub fn new(network: &PrivateNetwork, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            selectable: false,
            id: network.id.clone(),
            name: network.name.clone(),
            description: network.description.clone(),
            badge: badge(network),
            datacenter: datacenter_label(&network.datacenter),
            range: range(network),
            servers: server_links(&network.servers, ctx, up),
            href: super::FAMILY.href(ctx, &network.id),
            query: up.query(),
        }
    }

    /// A network that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            selectable: false,
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            datacenter: String::new(),
            range: String::new(),
            servers: Vec::new(),
            href: super::FAMILY.href(ctx, id),
            query: up.query(),
        }
    }
}

pub fn badge(network: &PrivateNetwork) -> StateBadge {
    StateBadge::new(
        network.state.as_str(),
        network.state.is_transitional(),
        None,
    )
}

/// `192.168.10.0 / 255.255.255.0 (/24)`; empty when the network has none.
pub fn range(network: &PrivateNetwork) -> String {
    let (address, mask) = (&network.network_address, &network.subnet_mask);
    if address.is_empty() && mask.is_empty() {
        return String::new();
    }
    let prefix = mask
        .parse::<std::net::Ipv4Addr>()
        .map(|m| format!(" (/{})", u32::from(m).leading_ones()))
        .unwrap_or_default();
    format!("{address} / {mask}{prefix}")
}

pub fn server_links(servers: &[IdName], ctx: &OrgCtx, up: &Upstream) -> Vec<Link> {
    servers
        .iter()
        .map(|s| Link {
            label: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
            href: up.server_href(ctx, &s.id),
        })
        .collect()
}
