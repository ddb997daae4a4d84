//! What the firewall policy templates show, computed once from the API's answer.

use crate::cloudpanel::networks::{FirewallPolicy, FirewallRule};
use crate::web::cloud::StateBadge;

/// One row of the list (also the fragment a refreshing row fetches, and the
/// status badge of the policy's page).
#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    pub is_default: bool,
    /// `TCP 80 · TCP 443 · ICMP`
    pub rules: String,
    pub rule_count: usize,
    /// `10.4.1.7 (web-01)`
    pub ips: Vec<String>,
    pub created: String,
    /// The policy's address, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
}

impl PolicyRow {
    pub fn new(policy: &FirewallPolicy, href: String, query: String) -> Self {
        Self {
            id: policy.id.clone(),
            name: policy.name.clone(),
            description: policy.description.clone(),
            badge: StateBadge::new(policy.state.as_str(), policy.state.is_transitional(), None),
            is_default: policy.default,
            rules: policy
                .rules
                .iter()
                .map(rule_summary)
                .collect::<Vec<_>>()
                .join(" · "),
            rule_count: policy.rules.len(),
            ips: policy
                .server_ips
                .iter()
                .map(|ip| {
                    if ip.server_name.is_empty() {
                        ip.ip.clone()
                    } else {
                        format!("{} ({})", ip.ip, ip.server_name)
                    }
                })
                .collect(),
            created: policy.creation_date.to_string(),
            href,
            query,
        }
    }

    /// A policy that left the list meanwhile: shown as removed, no more refreshing.
    pub fn removed(id: &str, href: String, query: String) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            is_default: false,
            rules: String::new(),
            rule_count: 0,
            ips: Vec::new(),
            created: String::new(),
            href,
            query,
        }
    }
}

/// `80`, `8000–8080`, or `all` when the API set no ports.
pub fn ports(rule: &FirewallRule) -> String {
    match (rule.port_from, rule.port_to) {
        (Some(from), Some(to)) if from == to => from.to_string(),
        (Some(from), Some(to)) => format!("{from}–{to}"),
        (Some(port), None) | (None, Some(port)) => port.to_string(),
        (None, None) => "all".into(),
    }
}

/// `TCP 80`, `ICMP`, `ANY deny`.
pub fn rule_summary(rule: &FirewallRule) -> String {
    let mut text = rule.protocol.as_str().to_owned();
    if rule.port_from.is_some() || rule.port_to.is_some() {
        text.push(' ');
        text.push_str(&ports(rule));
    }
    if rule.action == "deny" {
        text.push_str(" deny");
    }
    text
}

/// `everyone` for 0.0.0.0, else the address.
pub fn source(rule: &FirewallRule) -> String {
    match rule.source.trim() {
        "" | "0.0.0.0" | "0.0.0.0/0" => "everyone".into(),
        other => other.to_owned(),
    }
}

/// `allow` for the API's `accept` (what the form called it).
pub fn action(rule: &FirewallRule) -> &str {
    match rule.action.as_str() {
        "accept" | "allow" | "" => "allow",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudpanel::networks::Protocol;

    fn rule(protocol: Protocol, from: Option<u32>, to: Option<u32>) -> FirewallRule {
        FirewallRule {
            protocol,
            port_from: from,
            port_to: to,
            action: "accept".into(),
            ..FirewallRule::default()
        }
    }

    #[test]
    fn rules_read_as_protocol_and_ports() {
        assert_eq!(
            rule_summary(&rule(Protocol::Tcp, Some(80), Some(80))),
            "TCP 80"
        );
        assert_eq!(
            rule_summary(&rule(Protocol::Udp, Some(8000), Some(8080))),
            "UDP 8000–8080"
        );
        assert_eq!(rule_summary(&rule(Protocol::Icmp, None, None)), "ICMP");
        assert_eq!(ports(&rule(Protocol::Icmp, None, None)), "all");
        assert_eq!(source(&rule(Protocol::Tcp, None, None)), "everyone");
        assert_eq!(action(&rule(Protocol::Tcp, None, None)), "allow");
    }
}
