//! What the load balancer templates show, computed once from the API's answer.

use crate::cloudpanel::networks::{BalancingMethod, HealthCheckTest, LbRule, LoadBalancer};
use crate::web::cloud::StateBadge;
use crate::web::cloud::datacenter_label;

/// One row of the list (also the refreshing fragment and the page's badge).
#[derive(Debug, Clone)]
pub struct BalancerRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    /// The balancer's own address; none right after creation.
    pub ip: String,
    pub method: String,
    pub health_check: String,
    /// `TCP 80 → 80 · TCP 443 → 443`
    pub rules: String,
    pub rule_count: usize,
    pub ips: Vec<String>,
    pub datacenter: String,
    /// The balancer's address, without the account query.
    pub href: String,
    /// `?account=ID`.
    pub query: String,
}

impl BalancerRow {
    pub fn new(lb: &LoadBalancer, href: String, query: String) -> Self {
        Self {
            id: lb.id.clone(),
            name: lb.name.clone(),
            description: lb.description.clone(),
            badge: StateBadge::new(lb.state.as_str(), lb.state.is_transitional(), None),
            ip: lb.ip.clone().unwrap_or_default(),
            method: method_label(&lb.method),
            health_check: health_check(lb),
            rules: lb
                .rules
                .iter()
                .map(rule_summary)
                .collect::<Vec<_>>()
                .join(" · "),
            rule_count: lb.rules.len(),
            ips: lb
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
            datacenter: datacenter_label(&lb.datacenter),
            href,
            query,
        }
    }

    /// A balancer that left the list meanwhile: shown as removed.
    pub fn removed(id: &str, href: String, query: String) -> Self {
        Self {
            id: id.to_owned(),
            name: "(removed)".into(),
            description: String::new(),
            badge: StateBadge::removed(),
            ip: String::new(),
            method: String::new(),
            health_check: String::new(),
            rules: String::new(),
            rule_count: 0,
            ips: Vec::new(),
            datacenter: String::new(),
            href,
            query,
        }
    }
}

pub fn method_label(method: &BalancingMethod) -> String {
    match method {
        BalancingMethod::RoundRobin => "Round robin".into(),
        BalancingMethod::LeastConnections => "Least connections".into(),
        BalancingMethod::Other(s) => s.clone(),
    }
}

pub fn test_label(test: &str) -> &str {
    match test {
        "NONE" => "None",
        "TCP" => "TCP",
        "HTTP" => "HTTP",
        "ICMP" => "ICMP (ping)",
        other => other,
    }
}

/// `TCP every 15 s`, `None`.
pub fn health_check(lb: &LoadBalancer) -> String {
    match &lb.health_check_test {
        HealthCheckTest::None => "None".into(),
        test if lb.health_check_interval > 0 => format!(
            "{} every {} s",
            test_label(test.as_str()),
            lb.health_check_interval
        ),
        test => test_label(test.as_str()).to_owned(),
    }
}

/// `TCP 80 → 8080`; port 0 is every port.
pub fn rule_summary(rule: &LbRule) -> String {
    let port = |p: u32| {
        if p == 0 {
            "all".to_owned()
        } else {
            p.to_string()
        }
    };
    format!(
        "{} {} → {}",
        rule.protocol.as_str(),
        port(rule.port_balancer),
        port(rule.port_server)
    )
}

pub fn source(rule: &LbRule) -> String {
    match rule.source.trim() {
        "" | "0.0.0.0" | "0.0.0.0/0" => "everyone".into(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudpanel::networks::Protocol;

    #[test]
    fn settings_and_rules_read_as_words() {
        let lb = LoadBalancer {
            health_check_test: HealthCheckTest::Tcp,
            health_check_interval: 15,
            method: BalancingMethod::LeastConnections,
            ..LoadBalancer::default()
        };
        assert_eq!(health_check(&lb), "TCP every 15 s");
        assert_eq!(method_label(&lb.method), "Least connections");
        let rule = LbRule {
            protocol: Protocol::Tcp,
            port_balancer: 80,
            port_server: 8080,
            ..LbRule::default()
        };
        assert_eq!(rule_summary(&rule), "TCP 80 → 8080");
        assert_eq!(source(&rule), "everyone");
    }
}
