//! What the VPN templates show, computed once from the API's answer.

use crate::cloudpanel::networks::Vpn;
use crate::web::cloud::{StateBadge, Upstream};
use crate::web::networks::parts::datacenter_label;
use crate::web::org_ctx::OrgCtx;

/// One row of the list (also the fragment a refreshing row fetches).
#[derive(Debug, Clone)]
pub struct VpnRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    pub datacenter: String,
    /// `SSL`.
    pub kind: String,
    pub ips: Vec<String>,
    /// The VPN's address in the panel, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
    /// Whether the row carries a box for the list's bulk form.
    pub selectable: bool,
}

impl VpnRow {
    /// With a box for the list's bulk form, when the member may take a
    /// bulk action on the family.
    pub fn selectable(mut self, selectable: bool) -> Self {
        self.selectable = selectable;
        self
    }

    pub fn new(vpn: &Vpn, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            selectable: false,
            id: vpn.id.clone(),
            name: vpn.name.clone(),
            description: vpn.description.clone(),
            badge: badge(vpn),
            datacenter: datacenter_label(&vpn.datacenter),
            kind: vpn.kind.clone(),
            ips: vpn
                .ips
                .iter()
                .filter(|ip| !ip.is_empty())
                .cloned()
                .collect(),
            href: super::FAMILY.href(ctx, &vpn.id),
            query: up.query(),
        }
    }

    /// A VPN that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            selectable: false,
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            datacenter: String::new(),
            kind: String::new(),
            ips: Vec::new(),
            href: super::FAMILY.href(ctx, id),
            query: up.query(),
        }
    }
}

pub fn badge(vpn: &Vpn) -> StateBadge {
    StateBadge::new(vpn.state.as_str(), vpn.state.is_transitional(), None)
}
