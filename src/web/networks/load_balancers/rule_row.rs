//! One load balancer rule's fields as the create form (several rows) and
//! the balancer's "add a rule" form show them, and their checks: a protocol
//! (TCP or UDP), the balancer's port, the servers' port and a source. Port 0
//! means every port: both ports 0, and only with a NONE or ICMP health
//! check. Two rules for the same protocol and balancer port overlap, which
//! the API refuses; the panel says so beside the field before sending.
//!
//! Its own file because the balancer's page shows the "add a rule" form
//! ([`super::detail`]) and the rule handlers ([`super::rules`]) show that
//! page again when a rule comes back with errors.

use std::collections::BTreeMap;

use crate::cloudpanel::networks::{NewLbRule, Protocol};
use crate::web::networks::form::{Fields, parse_number, parse_source};

pub const PROTOCOLS: &[&str] = &["TCP", "UDP"];

/// What was typed into one rule's fields, and what is wrong with them.
#[derive(Debug, Clone)]
pub struct RuleRow {
    /// Field names are `{prefix}_protocol`, ids `{prefix}-protocol`.
    pub prefix: String,
    pub legend: String,
    pub protocol: String,
    pub port_balancer: String,
    pub port_server: String,
    pub source: String,
    pub errors: BTreeMap<&'static str, String>,
}

impl RuleRow {
    pub fn blank(prefix: &str, legend: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            legend: legend.to_owned(),
            protocol: String::new(),
            port_balancer: String::new(),
            port_server: String::new(),
            source: String::new(),
            errors: BTreeMap::new(),
        }
    }

    pub fn read(prefix: &str, legend: &str, fields: &Fields) -> Self {
        let get = |f: &str| fields.trimmed(&format!("{prefix}_{f}"));
        Self {
            protocol: get("protocol"),
            port_balancer: get("port_balancer"),
            port_server: get("port_server"),
            source: get("source"),
            ..Self::blank(prefix, legend)
        }
    }

    pub fn is_blank(&self) -> bool {
        self.protocol.is_empty()
            && self.port_balancer.is_empty()
            && self.port_server.is_empty()
            && self.source.is_empty()
    }

    pub fn name(&self, field: &str) -> String {
        format!("{}_{field}", self.prefix)
    }

    pub fn id(&self, field: &str) -> String {
        format!("{}-{field}", self.prefix)
    }

    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    pub fn protocols(&self) -> &'static [&'static str] {
        PROTOCOLS
    }

    pub fn is_protocol(&self, protocol: &str) -> bool {
        self.protocol == protocol
    }

    /// Checks every field against the balancer's health check (`test`, the
    /// API's spelling); the rule to send when all are right.
    pub fn check(&mut self, test: &str) -> Option<NewLbRule> {
        self.errors.clear();
        if !PROTOCOLS.contains(&self.protocol.as_str()) {
            self.errors.insert("protocol", "Choose TCP or UDP.".into());
        }
        let port = |raw: &str, what: &str| parse_number(raw, what, 0, 65535);
        let balancer = port(&self.port_balancer, "The balancer's port")
            .map_err(|e| self.errors.insert("port_balancer", e))
            .ok();
        let server = port(&self.port_server, "The servers' port")
            .map_err(|e| self.errors.insert("port_server", e))
            .ok();
        if let (Some(b), Some(s)) = (balancer, server) {
            if (b == 0) != (s == 0) {
                self.errors.insert(
                    "port_server",
                    "Port 0 (every port) goes on both sides or on none.".into(),
                );
            } else if b == 0 && !matches!(test, "NONE" | "ICMP") {
                self.errors.insert(
                    "port_balancer",
                    "Port 0 (every port) needs a health check of none or ICMP.".into(),
                );
            }
        }
        let source = parse_source(&self.source)
            .map_err(|e| self.errors.insert("source", e))
            .ok();
        match (balancer, server, source) {
            (Some(port_balancer), Some(port_server), Some(source)) if self.errors.is_empty() => {
                Some(NewLbRule {
                    protocol: Protocol::parse(&self.protocol),
                    port_balancer,
                    port_server,
                    source: Some(source),
                })
            }
            _ => None,
        }
    }
}
