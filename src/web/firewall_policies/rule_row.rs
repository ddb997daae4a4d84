//! One firewall rule's fields as the create form (several rows) and the
//! policy's "add a rule" form show them, and their checks against the
//! reference.
//!
//! The reference's two protocol lists differ: creating a policy takes
//! `TCP UDP ICMP AH ESP GRE ANY`, adding rules takes `TCP UDP TCP/UDP ICMP
//! IPSEC GRE ANY`; each form offers its own. Ports are typed as `80` or
//! `8000-8080` and sent as `port_from`/`port_to`; TCP and UDP need them,
//! protocols without ports take none (the API sets them), ANY may have them.
//! `deny` is allowed with ANY only; the source is `0.0.0.0` (everyone), an
//! address or a network.
//!
//! Its own file because the policy's page shows the "add a rule" form
//! ([`super::detail`]), as typed when the rule handlers ([`super::rules`])
//! sent it back with errors.

use std::collections::BTreeMap;

use crate::cloudpanel::networks::{NewFirewallRule, Protocol};
use crate::domain::{PortRange, RuleSource};
use crate::web::networks::form::Fields;
use crate::web::page::PageCtx;

/// `POST /firewall_policies` (create) takes these protocols.
pub const CREATE_PROTOCOLS: &[&str] = &["TCP", "UDP", "ICMP", "AH", "ESP", "GRE", "ANY"];
/// `POST /firewall_policies/{id}/rules` takes these.
pub const ADD_PROTOCOLS: &[&str] = &["TCP", "UDP", "TCP/UDP", "ICMP", "IPSEC", "GRE", "ANY"];

/// Protocols whose rules need ports.
const PORTED: &[&str] = &["TCP", "UDP", "TCP/UDP"];

/// The policy page's "add a rule" form: its name on the page, and its
/// fields' prefix.
pub const ADD_FORM: &str = "rule";

/// A row's own names for its fields, which its messages are kept under.
const FIELDS: &[&str] = &["protocol", "port", "source", "action", "description"];

/// What was typed into one rule's fields, and what is wrong with them.
#[derive(Debug, Clone)]
pub struct RuleRow {
    /// Field names are `{prefix}_protocol`, ids `{prefix}-protocol`.
    pub prefix: String,
    pub legend: String,
    pub protocols: &'static [&'static str],
    pub protocol: String,
    pub port: String,
    pub source: String,
    pub action: String,
    pub description: String,
    pub errors: BTreeMap<&'static str, String>,
}

impl RuleRow {
    pub fn blank(prefix: &str, legend: &str, protocols: &'static [&'static str]) -> Self {
        Self {
            prefix: prefix.to_owned(),
            legend: legend.to_owned(),
            protocols,
            protocol: String::new(),
            port: String::new(),
            source: String::new(),
            action: "allow".into(),
            description: String::new(),
            errors: BTreeMap::new(),
        }
    }

    /// The row's fields from a posted form.
    pub fn read(
        prefix: &str,
        legend: &str,
        protocols: &'static [&'static str],
        fields: &Fields,
    ) -> Self {
        Self::from_values(prefix, legend, protocols, |f| {
            fields.trimmed(&format!("{prefix}_{f}"))
        })
    }

    /// The row's fields as `get` reads each by the row's own name for it
    /// (`protocol`, `port`, …), trimmed: a posted form's, or a JSON rule's.
    /// An empty action is `allow`.
    pub fn from_values(
        prefix: &str,
        legend: &str,
        protocols: &'static [&'static str],
        get: impl Fn(&str) -> String,
    ) -> Self {
        let action = get("action");
        Self {
            protocol: get("protocol"),
            port: get("port"),
            source: get("source"),
            action: if action.is_empty() {
                "allow".into()
            } else {
                action
            },
            description: get("description"),
            ..Self::blank(prefix, legend, protocols)
        }
    }

    /// The "add a rule" form of a posted form.
    pub fn posted(fields: &Fields) -> Self {
        Self::read(ADD_FORM, "New rule", ADD_PROTOCOLS, fields)
    }

    /// A rule to add, its fields as `get` reads them (see [`Self::from_values`]).
    pub fn to_add(get: impl Fn(&str) -> String) -> Self {
        Self::from_values(ADD_FORM, "New rule", ADD_PROTOCOLS, get)
    }

    /// The "add a rule" form of the policy's page: as typed when it came
    /// back, with its messages, else blank.
    pub fn added(page: &PageCtx) -> Self {
        match Fields::kept(page, ADD_FORM, FIELDS) {
            Some((fields, errors)) => Self {
                errors,
                ..Self::posted(&fields)
            },
            None => Self::blank(ADD_FORM, "New rule", ADD_PROTOCOLS),
        }
    }

    /// Nothing typed: a spare row of the create form.
    pub fn is_blank(&self) -> bool {
        self.protocol.is_empty()
            && self.port.is_empty()
            && self.source.is_empty()
            && self.description.is_empty()
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

    pub fn is_protocol(&self, protocol: &str) -> bool {
        self.protocol == protocol
    }

    /// Checks every field; the rule to send when all are right.
    pub fn check(&mut self) -> Option<NewFirewallRule> {
        self.errors.clear();
        let protocol = self.protocol.clone();
        if protocol.is_empty() {
            self.errors.insert("protocol", "Choose a protocol.".into());
        } else if !self.protocols.contains(&protocol.as_str()) {
            self.errors.insert(
                "protocol",
                format!("Choose one of {}.", self.protocols.join(", ")),
            );
        }
        let ports = if self.port.is_empty() {
            if PORTED.contains(&protocol.as_str()) {
                self.errors.insert(
                    "port",
                    format!("{protocol} rules need a port (80) or a range (8000-8080)."),
                );
            }
            None
        } else if !PORTED.contains(&protocol.as_str()) && protocol != "ANY" && !protocol.is_empty()
        {
            self.errors.insert(
                "port",
                format!("{protocol} has no ports: leave the ports empty."),
            );
            None
        } else {
            match PortRange::parse(&self.port) {
                Ok(ports) => Some(ports),
                Err(message) => {
                    self.errors.insert("port", message);
                    None
                }
            }
        };
        let action = match self.action.as_str() {
            "allow" => "allow",
            "deny" if protocol == "ANY" => "deny",
            "deny" => {
                self.errors.insert(
                    "action",
                    "Deny is allowed with protocol ANY only (to deny all ports).".into(),
                );
                "deny"
            }
            _ => {
                self.errors
                    .insert("action", "The action is allow or deny.".into());
                "allow"
            }
        };
        let source = match RuleSource::parse(&self.source) {
            Ok(source) => source.to_string(),
            Err(message) => {
                self.errors.insert("source", message);
                String::new()
            }
        };
        if self.description.chars().count() > 256 {
            self.errors.insert(
                "description",
                "The description may have at most 256 characters.".into(),
            );
        }
        if !self.errors.is_empty() {
            return None;
        }
        Some(NewFirewallRule {
            protocol: Protocol::parse(&protocol),
            port: None,
            port_from: ports.map(|p| u32::from(p.from())),
            port_to: ports.map(|p| u32::from(p.to())),
            action: Some(action.to_owned()),
            description: (!self.description.is_empty()).then(|| self.description.clone()),
            source: Some(source),
        })
    }
}
