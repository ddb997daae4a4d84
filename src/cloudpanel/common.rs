//! Shapes shared by several resource families.

use super::de::{self, api_enum, looks_transitional};
use serde::{Deserialize, Serialize};

/// `{id, name}`: how resources refer to each other.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct IdName {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
}

/// The datacenter embedded in most resources. Some examples say `name`
/// where the schema says `location`; both are read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct DatacenterRef {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string", alias = "name")]
    pub location: String,
    #[serde(deserialize_with = "de::string")]
    pub country_code: String,
}

/// A server IP as firewall policies and load balancers list it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerIpRef {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub ip: String,
    #[serde(deserialize_with = "de::string")]
    pub server_name: String,
}

/// An id-only body, e.g. `{"id": "..."}` to load a DVD or join a network.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IdBody {
    pub id: String,
}

impl IdBody {
    pub fn new(id: impl Into<String>) -> Self {
        IdBody { id: id.into() }
    }
}

/// A rename and/or re-description; unset fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NameDescription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl NameDescription {
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        NameDescription {
            name: Some(name.into()),
            description: Some(description.into()),
        }
    }

    pub fn name(name: impl Into<String>) -> Self {
        NameDescription {
            name: Some(name.into()),
            description: None,
        }
    }
}

/// `{"servers": [ids]}`, `{"server_ips": [ids]}`, ...
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct IdsBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_ips: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ips: Option<&'a [String]>,
}

/// An empty JSON object as a body.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Empty {}

api_enum!(
    /// The state of a server (`status.state`).
    ServerState {
        PoweredOn => "POWERED_ON",
        PoweredOff => "POWERED_OFF",
        PoweringOn => "POWERING_ON",
        PoweringOff => "POWERING_OFF",
        Rebooting => "REBOOTING",
        Deploying => "DEPLOYING",
        Configuring => "CONFIGURING",
        Removing => "REMOVING",
    }
);

impl ServerState {
    /// Work in progress: the page should show progress and refresh.
    pub fn is_transitional(&self) -> bool {
        match self {
            ServerState::PoweredOn | ServerState::PoweredOff => false,
            ServerState::Other(s) => looks_transitional(s),
            _ => true,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self, ServerState::PoweredOn)
    }
}

api_enum!(
    /// The state of every other resource (`state`).
    ResourceState {
        Active => "ACTIVE",
        Enabled => "ENABLED",
        Disabled => "DISABLED",
        Creating => "CREATING",
        Deploying => "DEPLOYING",
        Configuring => "CONFIGURING",
        Removing => "REMOVING",
        Deleting => "DELETING",
        Completed => "COMPLETED",
        PoweredOn => "POWERED_ON",
        PoweredOff => "POWERED_OFF",
    }
);

impl ResourceState {
    pub fn is_transitional(&self) -> bool {
        match self {
            ResourceState::Creating
            | ResourceState::Deploying
            | ResourceState::Configuring
            | ResourceState::Removing
            | ResourceState::Deleting => true,
            ResourceState::Other(s) => looks_transitional(s),
            _ => false,
        }
    }
}

/// `{state, percent}` of a server or a log entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerStatus {
    pub state: ServerState,
    /// Progress of the running action, when there is one.
    #[serde(deserialize_with = "de::opt_u32")]
    pub percent: Option<u32>,
}

api_enum!(
    /// `cloud` or `baremetal`.
    ServerType {
        Cloud => "cloud",
        Baremetal => "baremetal",
    }
);

api_enum!(
    IpType {
        Ipv4 => "IPV4",
        Ipv6 => "IPV6",
    }
);

/// Text answers where the reference declares an object (`["PONG"]`).
pub(crate) fn first_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(a) => a.first().map(first_text).unwrap_or_default(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_states_know_what_is_in_progress() {
        assert!(!ServerState::PoweredOn.is_transitional());
        assert!(ServerState::PoweringOff.is_transitional());
        assert!(ServerState::parse("REBOOTING").is_transitional());
        assert!(ServerState::parse("RESTORING_SNAPSHOT").is_transitional());
        assert!(!ServerState::parse("FROZEN").is_transitional());
        assert_eq!(ServerState::parse("FROZEN").as_str(), "FROZEN");
    }

    #[test]
    fn a_status_with_string_percent_and_unknown_state_is_read() {
        let s: ServerStatus =
            serde_json::from_value(json!({"state": "MIGRATING", "percent": "35"})).unwrap();
        assert_eq!(s.state, ServerState::Other("MIGRATING".into()));
        assert!(s.state.is_transitional());
        assert_eq!(s.percent, Some(35));
    }

    #[test]
    fn datacenters_are_read_with_name_instead_of_location() {
        let d: DatacenterRef =
            serde_json::from_value(json!({"id": "D1", "name": "Spain"})).unwrap();
        assert_eq!(d.location, "Spain");
    }
}
