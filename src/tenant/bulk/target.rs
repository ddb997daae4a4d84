//! What a bulk action reads of each object it may take, the same for
//! every family: so the filter, the skips and the dry run's table are
//! written once.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cloudpanel::common::{DatacenterRef, ResourceState};
use crate::cloudpanel::e2e::{Node, NodeState};
use crate::cloudpanel::servers::Server;

/// Where an object is in its life, as far as a bulk action cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    On,
    Off,
    /// Between states: nothing is sent to it until it settles.
    Moving,
    /// A state the panel does not know: nothing is sent to it.
    Unknown,
    /// Settled, and not a thing that is powered (a storage, an address).
    Idle,
}

/// One object of a family's list, as a bulk action sees it.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub name: String,
    /// The state as the API words it (`POWERED_ON`, `Running`).
    pub state: String,
    pub power: Power,
    /// Where it runs, as the dry run shows it.
    pub datacenter: String,
    /// The words a filter's datacenter may give for it (an id, a location,
    /// a country), compared without case.
    pub datacenter_keys: Vec<String>,
    /// A server's one snapshot already exists (the Cloud Panel keeps one).
    pub has_snapshot: bool,
    /// An E2E node locked against changes.
    pub locked: bool,
    /// What the audit log records of it when it is deleted.
    pub delete_details: Value,
}

impl Target {
    pub fn of_server(server: &Server) -> Self {
        let state = &server.status.state;
        let power = if state.is_transitional() {
            Power::Moving
        } else if state.is_running() {
            Power::On
        } else {
            Power::Off
        };
        Self {
            id: server.id.clone(),
            name: server.name.clone(),
            state: state.as_str().to_owned(),
            power,
            datacenter: server.datacenter.location.clone(),
            datacenter_keys: datacenter_keys(&server.datacenter),
            has_snapshot: server.snapshot.is_some(),
            locked: false,
            delete_details: json!({ "keep_ip": false }),
        }
    }

    pub fn of_node(node: &Node) -> Self {
        let power = match node.state() {
            NodeState::Running => Power::On,
            NodeState::PoweredOff => Power::Off,
            s if s.is_transitional() => Power::Moving,
            _ => Power::Unknown,
        };
        Self {
            id: node.id.clone(),
            name: node.name.clone(),
            state: node.status.clone(),
            power,
            datacenter: if node.location.is_empty() {
                node.region.clone()
            } else {
                node.location.clone()
            },
            datacenter_keys: vec![node.region.clone(), node.location.clone()],
            has_snapshot: false,
            locked: node.is_locked,
            delete_details: json!({
                "plan": node.plan,
                "public_ip_address": node.public_ip_address,
                "billing_type": node.billing_type,
            }),
        }
    }
}

impl Target {
    /// A Cloud Panel object that is not powered (a storage, an address, a
    /// network, a VPN): settled or between states.
    pub fn of_resource(
        id: &str,
        name: &str,
        state: &ResourceState,
        datacenter: &DatacenterRef,
        delete_details: Value,
    ) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            state: state.as_str().to_owned(),
            power: if state.is_transitional() {
                Power::Moving
            } else {
                Power::Idle
            },
            datacenter: datacenter.location.clone(),
            datacenter_keys: datacenter_keys(datacenter),
            has_snapshot: false,
            locked: false,
            delete_details,
        }
    }
}

/// The words a filter may give for a Cloud Panel datacenter.
fn datacenter_keys(datacenter: &DatacenterRef) -> Vec<String> {
    vec![
        datacenter.id.clone(),
        datacenter.location.clone(),
        datacenter.country_code.clone(),
    ]
}

/// Everything a filter matches: each part left empty matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub name_prefix: String,
    /// A datacenter's id, location or country (`es`, `US`, `Delhi`: any case).
    pub datacenter: String,
    /// `POWERED_ON` or `POWERED_OFF`, for either family.
    pub state: String,
}

impl Filter {
    pub fn matches(&self, target: &Target) -> bool {
        target.name.starts_with(&self.name_prefix)
            && (self.datacenter.is_empty()
                || target
                    .datacenter_keys
                    .iter()
                    .any(|k| !k.is_empty() && k.eq_ignore_ascii_case(&self.datacenter)))
            && match self.state.as_str() {
                "" => true,
                "POWERED_ON" => target.power == Power::On,
                "POWERED_OFF" => target.power == Power::Off,
                _ => false,
            }
    }

    pub fn is_empty(&self) -> bool {
        self.name_prefix.is_empty() && self.datacenter.is_empty() && self.state.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(status: &str, location: &str) -> Node {
        Node {
            id: "101".into(),
            name: "dev-web".into(),
            status: status.into(),
            location: location.into(),
            ..Node::default()
        }
    }

    #[test]
    fn a_filter_reads_nodes_and_servers_alike() {
        let running = Target::of_node(&node("Running", "Delhi"));
        let off = Target::of_node(&node("Powered off", "Delhi"));
        let on = Filter {
            name_prefix: "dev-".into(),
            datacenter: "delhi".into(),
            state: "POWERED_ON".into(),
        };
        assert!(on.matches(&running));
        assert!(!on.matches(&off));
        assert!(
            !Filter {
                datacenter: "Mumbai".into(),
                ..Filter::default()
            }
            .matches(&running)
        );
        assert_eq!(Target::of_node(&node("Rebooting", "")).power, Power::Moving);
        assert_eq!(Target::of_node(&node("Melting", "")).power, Power::Unknown);
    }
}
