//! What the public IP templates show, computed once from the API's answer.

use crate::cloudpanel::networks::{AssignedTo, PublicIp};
use crate::web::cloud::{StateBadge, Upstream};
use crate::web::networks::parts::{Link, datacenter_label};
use crate::web::org_ctx::OrgCtx;

/// One row of the list (also the fragment a refreshing row fetches).
#[derive(Debug, Clone)]
pub struct IpRow {
    pub id: String,
    pub ip: String,
    /// `IPv4` or `IPv6`.
    pub ip_type: String,
    pub badge: StateBadge,
    pub datacenter: String,
    /// Empty when none.
    pub reverse_dns: String,
    /// What the IP is assigned to, linking to its page.
    pub assigned: Option<Assignment>,
    /// Whether the row carries a box for the list's bulk form.
    pub selectable: bool,
    /// The IP's address in the panel, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
}

/// The object an IP is assigned to.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// `server`, `load balancer`, or the API's word for anything else.
    pub kind: String,
    pub link: Link,
    pub is_load_balancer: bool,
}

impl IpRow {
    /// With a box for the list's bulk form, when the member may take a
    /// bulk action on the family.
    pub fn selectable(mut self, selectable: bool) -> Self {
        self.selectable = selectable;
        self
    }

    pub fn new(ip: &PublicIp, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            selectable: false,
            id: ip.id.clone(),
            ip: ip.ip.clone(),
            ip_type: match ip.ip_type.as_str() {
                "IPV4" => "IPv4".to_owned(),
                "IPV6" => "IPv6".to_owned(),
                other => other.to_owned(),
            },
            badge: badge(ip),
            datacenter: datacenter_label(&ip.datacenter),
            reverse_dns: ip.reverse_dns.clone().unwrap_or_default(),
            assigned: ip
                .assigned_to
                .as_ref()
                .filter(|a| !a.id.is_empty())
                .map(|a| assignment(a, ctx, up)),
            href: super::FAMILY.href(ctx, &ip.id),
            query: up.query(),
        }
    }

    /// An IP that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            selectable: false,
            id: id.to_owned(),
            ip: "(removed)".into(),
            ip_type: String::new(),
            badge: StateBadge::removed(),
            datacenter: String::new(),
            reverse_dns: String::new(),
            assigned: None,
            href: super::FAMILY.href(ctx, id),
            query: up.query(),
        }
    }
}

pub fn badge(ip: &PublicIp) -> StateBadge {
    StateBadge::new(ip.state.as_str(), ip.state.is_transitional(), None)
}

/// A server's page, or a load balancer's; another kind has no page here.
fn assignment(to: &AssignedTo, ctx: &OrgCtx, up: &Upstream) -> Assignment {
    let label = if to.name.is_empty() {
        to.id.clone()
    } else {
        to.name.clone()
    };
    let (kind, href) = match to.kind.as_str() {
        "SERVER" => ("server".to_owned(), up.server_href(ctx, &to.id)),
        "LOAD_BALANCER" => (
            "load balancer".to_owned(),
            up.href(ctx, &format!("load_balancers/{}", to.id)),
        ),
        other => (other.replace('_', " ").to_lowercase(), String::new()),
    };
    Assignment {
        is_load_balancer: to.kind == "LOAD_BALANCER",
        kind,
        link: Link { label, href },
    }
}
