//! One load balancer rule's fields as the create form (several rows) and
//! the balancer's "add a rule" form show them, and their checks: a protocol
//! (TCP or UDP), the balancer's port, the servers' port and a source. Port 0
//! means every port: both ports 0, and only with a NONE or ICMP health
//! check. Two rules for the same protocol and balancer port overlap, which
//! the API refuses; the panel says so beside the field before sending.
//!
//! Its own file because the balancer's page shows the "add a rule" form
//! ([`super::detail`]), as typed when the rule handlers ([`super::rules`])
//! sent it back with errors.

use std::collections::BTreeMap;

use crate::cloudpanel::networks::{NewLbRule, Protocol};
use crate::domain::{BalancedPort, BalancedPorts, RuleSource};
use crate::web::networks::form::Fields;
use crate::web::page::PageCtx;

pub const PROTOCOLS: &[&str] = &["TCP", "UDP"];

/// The balancer page's "add a rule" form: its name on the page, and its
/// fields' prefix.
pub const ADD_FORM: &str = "rule";

/// A row's own names for its fields, which its messages are kept under.
const FIELDS: &[&str] = &["protocol", "port_balancer", "port_server", "source"];

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
        Self::from_values(prefix, legend, |f| fields.trimmed(&format!("{prefix}_{f}")))
    }

    /// The row's fields as `get` reads each by the row's own name for it
    /// (`protocol`, `port_balancer`, …), trimmed: a posted form's, or a
    /// JSON rule's.
    pub fn from_values(prefix: &str, legend: &str, get: impl Fn(&str) -> String) -> Self {
        Self {
            protocol: get("protocol"),
            port_balancer: get("port_balancer"),
            port_server: get("port_server"),
            source: get("source"),
            ..Self::blank(prefix, legend)
        }
    }

    /// The "add a rule" form of a posted form.
    pub fn posted(fields: &Fields) -> Self {
        Self::read(ADD_FORM, "New rule", fields)
    }

    /// A rule to add, its fields as `get` reads them (see [`Self::from_values`]).
    pub fn to_add(get: impl Fn(&str) -> String) -> Self {
        Self::from_values(ADD_FORM, "New rule", get)
    }

    /// The "add a rule" form of the balancer's page: as typed when it came
    /// back, with its messages, else blank.
    pub fn added(page: &PageCtx) -> Self {
        match Fields::kept(page, ADD_FORM, FIELDS) {
            Some((fields, errors)) => Self {
                errors,
                ..Self::posted(&fields)
            },
            None => Self::blank(ADD_FORM, "New rule"),
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
        let balancer = BalancedPort::parse(&self.port_balancer, "The balancer's port")
            .map_err(|e| self.errors.insert("port_balancer", e))
            .ok();
        let server = BalancedPort::parse(&self.port_server, "The servers' port")
            .map_err(|e| self.errors.insert("port_server", e))
            .ok();
        let ports = match (balancer, server) {
            (Some(b), Some(s)) => match BalancedPorts::new(b, s) {
                Ok(ports) => {
                    if let Err(e) = ports.check_health_check(test) {
                        self.errors.insert("port_balancer", e);
                    }
                    Some(ports)
                }
                Err(e) => {
                    self.errors.insert("port_server", e);
                    None
                }
            },
            _ => None,
        };
        let source = RuleSource::parse(&self.source)
            .map_err(|e| self.errors.insert("source", e))
            .ok();
        match (ports, source) {
            (Some(ports), Some(source)) if self.errors.is_empty() => Some(NewLbRule {
                protocol: Protocol::parse(&self.protocol),
                port_balancer: u32::from(ports.balancer()),
                port_server: u32::from(ports.server()),
                source: Some(source.to_string()),
            }),
            _ => None,
        }
    }
}
