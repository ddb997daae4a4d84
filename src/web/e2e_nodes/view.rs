//! What the node templates show, computed once from E2E's answer.

use crate::cloudpanel::e2e::{Node, NodeState};
use crate::web::cloud::StateBadge;

/// A node's state as a badge: E2E says it in words ("Powered off"), shown as
/// they are; the class and the refreshing follow the state they mean.
pub fn badge(node: &Node) -> StateBadge {
    let state = node.state();
    let label = if node.status.trim().is_empty() {
        "Unknown".to_owned()
    } else {
        node.status.trim().to_owned()
    };
    StateBadge {
        state: label.clone(),
        label,
        class: match state {
            _ if state.is_transitional() => "busy",
            NodeState::Running => "ok",
            NodeState::PoweredOff => "off",
            _ => "",
        },
        percent: None,
        transitional: state.is_transitional(),
    }
}

/// "4 vCPUs · 12.00 GB RAM · 100 GB disk", from what E2E gave.
pub fn specs(node: &Node) -> String {
    let mut parts = Vec::new();
    if !node.vcpus.is_empty() {
        let unit = if node.vcpus.trim() == "1" {
            "vCPU"
        } else {
            "vCPUs"
        };
        parts.push(format!("{} {unit}", node.vcpus.trim()));
    }
    if !node.memory.is_empty() {
        parts.push(format!("{} RAM", node.memory.trim()));
    }
    if !node.disk.is_empty() {
        parts.push(format!("{} disk", node.disk.trim()));
    }
    parts.join(" · ")
}

/// One row of the list (also the fragment a refreshing row fetches, and the
/// detail page's status).
#[derive(Debug, Clone)]
pub struct NodeRow {
    pub id: String,
    pub name: String,
    pub badge: StateBadge,
    pub public_ip: String,
    pub private_ip: String,
    pub plan: String,
    pub specs: String,
    pub created: String,
    pub locked: bool,
    /// Whether the row carries a box for the list's bulk form.
    pub selectable: bool,
    /// The node's address, without the account query.
    pub href: String,
    /// `?account=ID`: appended to every address built on `href`.
    pub query: String,
}

impl NodeRow {
    pub fn new(node: &Node, href: String, query: String) -> Self {
        Self {
            id: node.id.clone(),
            name: node.name.clone(),
            badge: badge(node),
            public_ip: node.public_ip_address.clone(),
            private_ip: node.private_ip_address.clone(),
            plan: node.plan.clone(),
            specs: specs(node),
            created: created(&node.created_at),
            locked: node.is_locked,
            selectable: false,
            href,
            query,
        }
    }

    /// A node that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, href: String, query: String) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            badge: StateBadge::removed(),
            public_ip: String::new(),
            private_ip: String::new(),
            plan: String::new(),
            specs: String::new(),
            created: String::new(),
            locked: false,
            selectable: false,
            href,
            query,
        }
    }

    /// With a box for the list's bulk form, when the member may take a
    /// bulk action on nodes.
    pub fn selectable(mut self, selectable: bool) -> Self {
        self.selectable = selectable;
        self
    }
}

/// "51,500.00 INR": a price as E2E's pages write it (the currency after).
pub fn money(amount: f64, currency: &str) -> String {
    let cents = (amount * 100.0).round();
    let negative = cents < 0.0;
    // Rounded already, and prices are far below 2^53 cents: the cast is exact.
    let cents = cents.abs() as i64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if negative { "-" } else { "" };
    let amount = format!("{sign}{grouped}.{:02}", cents % 100);
    if currency.trim().is_empty() {
        amount
    } else {
        format!("{amount} {}", currency.trim())
    }
}

/// A plan's RAM: E2E gives the gigabytes as a bare number ("12.0").
pub fn ram(raw: &str) -> String {
    let raw = raw.trim();
    if !raw.is_empty() && raw.parse::<f64>().is_ok() {
        format!("{raw} GB")
    } else {
        raw.to_owned()
    }
}

/// `2024-05-01 09:19` from E2E's ISO time; anything else as it came.
pub fn created(raw: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| raw.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(status: &str) -> Node {
        Node {
            id: "7".into(),
            name: "web-1".into(),
            status: status.into(),
            vcpus: "4".into(),
            memory: "12.00 GB".into(),
            disk: "100 GB".into(),
            created_at: "2019-04-23T09:19:28.842209Z".into(),
            ..Node::default()
        }
    }

    #[test]
    fn badges_follow_the_state_in_e2es_words() {
        let running = badge(&node("Running"));
        assert_eq!((running.label.as_str(), running.class), ("Running", "ok"));
        assert!(!running.transitional);
        let off = badge(&node("Powered off"));
        assert_eq!(off.class, "off");
        let busy = badge(&node("Powering off"));
        assert!(busy.transitional && busy.class == "busy");
        assert_eq!(badge(&node("")).label, "Unknown");
    }

    #[test]
    fn a_row_reads_as_words() {
        let n = node("Running");
        assert_eq!(specs(&n), "4 vCPUs · 12.00 GB RAM · 100 GB disk");
        assert_eq!(created(&n.created_at), "2019-04-23 09:19");
        assert_eq!(created("yesterday"), "yesterday");
    }

    #[test]
    fn prices_read_as_e2e_writes_them() {
        assert_eq!(money(51_500.0, "INR"), "51,500.00 INR");
        assert_eq!(money(4.5, "INR"), "4.50 INR");
        assert_eq!(money(1_234_567.891, ""), "1,234,567.89");
        assert_eq!(money(0.0, " INR "), "0.00 INR");
        assert_eq!(money(-3.2, "INR"), "-3.20 INR");
        assert_eq!(ram("12.0"), "12.0 GB");
        assert_eq!(ram("12 GB"), "12 GB");
    }
}
