//! The actions a bulk run takes and the families it takes them on: the
//! Cloud Panel's servers, block and shared storages, public IPs, private
//! networks and VPNs, and E2E's nodes. Servers and nodes take every
//! action; the others are only deleted.
//!
//! Each action keeps the flag and the audit action of the same change on
//! one object's page, so a bulk run is refused, held and recorded exactly
//! as those changes are.

use serde::{Deserialize, Serialize};

use super::target::{Power, Target};
use crate::rbac::{Permission, perms};
use crate::tenant::store::accounts::Provider;

/// The family of objects a bulk run acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkFamily {
    Servers,
    E2eNodes,
    BlockStorages,
    SharedStorages,
    PublicIps,
    PrivateNetworks,
    Vpns,
}

impl BulkFamily {
    pub const ALL: [Self; 7] = [
        Self::Servers,
        Self::E2eNodes,
        Self::BlockStorages,
        Self::SharedStorages,
        Self::PublicIps,
        Self::PrivateNetworks,
        Self::Vpns,
    ];

    /// The family a schedule on an account of `provider` acts on: the
    /// one whose objects are powered on and off.
    pub fn powered(provider: Provider) -> Self {
        match provider {
            Provider::CloudPanel => Self::Servers,
            Provider::E2e => Self::E2eNodes,
        }
    }

    /// The provider whose accounts hold the family.
    pub fn provider(self) -> Provider {
        match self {
            Self::E2eNodes => Provider::E2e,
            _ => Provider::CloudPanel,
        }
    }

    /// The actions the family takes.
    pub fn actions(self) -> &'static [BulkAction] {
        match self {
            Self::Servers | Self::E2eNodes => &BulkAction::ALL,
            _ => &[BulkAction::Delete],
        }
    }

    /// Whether its objects are powered on and off (so the state filter
    /// applies).
    pub fn has_power(self) -> bool {
        matches!(self, Self::Servers | Self::E2eNodes)
    }

    /// The family's URL word, as the run is stored.
    pub fn key(self) -> &'static str {
        match self {
            Self::Servers => "servers",
            Self::E2eNodes => "e2e_nodes",
            Self::BlockStorages => "block_storages",
            Self::SharedStorages => "shared_storages",
            Self::PublicIps => "public_ips",
            Self::PrivateNetworks => "private_networks",
            Self::Vpns => "vpns",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn one(self) -> &'static str {
        match self {
            Self::Servers => "server",
            Self::E2eNodes => "node",
            Self::BlockStorages => "block storage",
            Self::SharedStorages => "shared storage",
            Self::PublicIps => "public IP",
            Self::PrivateNetworks => "private network",
            Self::Vpns => "VPN",
        }
    }

    /// One object's word at the start of a heading: "Server", "Public IP".
    pub fn one_title(self) -> String {
        let mut title = self.one().to_owned();
        if let Some(first) = title.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        title
    }

    pub fn many(self) -> &'static str {
        match self {
            Self::Servers => "servers",
            Self::E2eNodes => "nodes",
            Self::BlockStorages => "block storages",
            Self::SharedStorages => "shared storages",
            Self::PublicIps => "public IPs",
            Self::PrivateNetworks => "private networks",
            Self::Vpns => "VPNs",
        }
    }

    /// The list's heading, and the audit log's word for one object.
    pub fn title(self) -> &'static str {
        match self {
            Self::Servers => "Servers",
            Self::E2eNodes => "E2E nodes",
            Self::BlockStorages => "Block storages",
            Self::SharedStorages => "Shared storages",
            Self::PublicIps => "Public IPs",
            Self::PrivateNetworks => "Private networks",
            Self::Vpns => "VPNs",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Self::Servers => "server",
            Self::E2eNodes => "e2e_node",
            Self::BlockStorages => "block_storage",
            Self::SharedStorages => "shared_storage",
            Self::PublicIps => "public_ip",
            Self::PrivateNetworks => "private_network",
            Self::Vpns => "vpn",
        }
    }

    /// The flag that shows the family's list (and its runs).
    pub fn show(self) -> Permission {
        match self {
            Self::Servers => perms::SERVERS_SHOW,
            Self::E2eNodes => perms::E2E_NODES_SHOW,
            Self::BlockStorages => perms::BLOCK_STORAGES_SHOW,
            Self::SharedStorages => perms::SHARED_STORAGES_SHOW,
            Self::PublicIps => perms::PUBLIC_IPS_SHOW,
            Self::PrivateNetworks => perms::PRIVATE_NETWORK_SHOW,
            Self::Vpns => perms::VPN_SHOW,
        }
    }
}

/// What a bulk run does to each object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    PowerOff,
    PowerOn,
    Reboot,
    /// A server's snapshot; an E2E node's saved image.
    Snapshot,
    Delete,
}

impl BulkAction {
    pub const ALL: [Self; 5] = [
        Self::PowerOff,
        Self::PowerOn,
        Self::Reboot,
        Self::Snapshot,
        Self::Delete,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::PowerOff => "power_off",
            Self::PowerOn => "power_on",
            Self::Reboot => "reboot",
            Self::Snapshot => "snapshot",
            Self::Delete => "delete",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn title(self, family: BulkFamily) -> &'static str {
        match (self, family) {
            (Self::PowerOff, _) => "Power off",
            (Self::PowerOn, _) => "Power on",
            (Self::Reboot, _) => "Reboot",
            (Self::Snapshot, BulkFamily::E2eNodes) => "Save an image",
            (Self::Snapshot, _) => "Take a snapshot",
            (Self::Delete, _) => "Delete",
        }
    }

    /// The flag a member needs, as for the same change on one object's page.
    /// A family that is only deleted answers its delete flag for every
    /// action: the actions it does not take are refused before any flag
    /// is asked ([`BulkFamily::actions`]), and the strictest flag is the
    /// safe answer should one come through.
    pub fn permission(self, family: BulkFamily) -> Permission {
        match (family, self) {
            (BulkFamily::BlockStorages, _) => perms::BLOCK_STORAGES_DELETE,
            (BulkFamily::SharedStorages, _) => perms::SHARED_STORAGES_DELETE,
            (BulkFamily::PublicIps, _) => perms::PUBLIC_IPS_DELETE,
            (BulkFamily::PrivateNetworks, _) => perms::PRIVATE_NETWORK_DELETE,
            (BulkFamily::Vpns, _) => perms::VPN_DELETE,
            (BulkFamily::Servers, Self::PowerOff) => perms::SERVERS_SHUTDOWN,
            (BulkFamily::Servers, Self::PowerOn) => perms::SERVERS_START,
            (BulkFamily::Servers, Self::Reboot) => perms::SERVERS_RESTART,
            (BulkFamily::Servers, Self::Snapshot) => perms::SERVERS_MANAGE_SNAPSHOT,
            (BulkFamily::Servers, Self::Delete) => perms::SERVERS_DELETE,
            (BulkFamily::E2eNodes, Self::PowerOff | Self::PowerOn | Self::Reboot) => {
                perms::E2E_NODES_POWER
            }
            // Saving makes a saved image: the images' flag, as on the node's page.
            (BulkFamily::E2eNodes, Self::Snapshot) => perms::E2E_IMAGES_SAVE,
            (BulkFamily::E2eNodes, Self::Delete) => perms::E2E_NODES_DELETE,
        }
    }

    /// The audit action, the same as the one object's page records.
    pub fn audit_action(self, family: BulkFamily) -> &'static str {
        match (family, self) {
            (BulkFamily::BlockStorages, _) => "block_storage.delete",
            (BulkFamily::SharedStorages, _) => "shared_storage.delete",
            (BulkFamily::PublicIps, _) => "public_ip.delete",
            (BulkFamily::PrivateNetworks, _) => "private_network.delete",
            (BulkFamily::Vpns, _) => "vpn.delete",
            (BulkFamily::Servers, Self::PowerOff) => "server.power_off",
            (BulkFamily::Servers, Self::PowerOn) => "server.power_on",
            (BulkFamily::Servers, Self::Reboot) => "server.reboot",
            (BulkFamily::Servers, Self::Snapshot) => "server.snapshot_create",
            (BulkFamily::Servers, Self::Delete) => "server.delete",
            (BulkFamily::E2eNodes, Self::PowerOff) => "e2e_node.power_off",
            (BulkFamily::E2eNodes, Self::PowerOn) => "e2e_node.power_on",
            (BulkFamily::E2eNodes, Self::Reboot) => "e2e_node.reboot",
            (BulkFamily::E2eNodes, Self::Snapshot) => "e2e_node.save_image",
            (BulkFamily::E2eNodes, Self::Delete) => "e2e_node.delete",
        }
    }

    /// Why `target` is left out of this action, if it is.
    pub fn skip_reason(self, family: BulkFamily, target: &Target) -> Option<String> {
        match target.power {
            Power::Moving => {
                return Some(format!(
                    "it is {} now; try again when it has settled",
                    target.state.to_lowercase().replace('_', " ")
                ));
            }
            Power::Unknown => {
                return Some(format!(
                    "its state “{}” is not one the panel knows, so nothing is sent to it",
                    target.state
                ));
            }
            Power::On | Power::Off | Power::Idle => {}
        }
        if target.locked && self != Self::Delete {
            return Some("it is locked: E2E refuses changes to it until it is unlocked".into());
        }
        match (self, target.power) {
            (Self::PowerOff | Self::Reboot, Power::Off) => Some("it is already powered off".into()),
            (Self::PowerOn, Power::On) => Some("it is already powered on".into()),
            (Self::Snapshot, _) if family == BulkFamily::Servers && target.has_snapshot => Some(
                "it already has a snapshot (the Cloud Panel keeps one per server); delete it first"
                    .into(),
            ),
            (Self::Snapshot, Power::On) if family == BulkFamily::E2eNodes => {
                Some("E2E saves an image of a powered-off node only: power it off first".into())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_name_the_pages_flags() {
        for action in BulkAction::ALL {
            assert_eq!(BulkAction::parse(action.key()), Some(action));
            for family in BulkFamily::ALL {
                if !family.actions().contains(&action) {
                    continue;
                }
                assert!(
                    action
                        .audit_action(family)
                        .starts_with(&format!("{}.", family.kind()))
                );
                assert_eq!(BulkFamily::parse(family.key()), Some(family));
            }
        }
        assert_eq!(
            BulkAction::PowerOff.permission(BulkFamily::Servers),
            perms::SERVERS_SHUTDOWN
        );
        assert_eq!(
            BulkAction::Reboot.permission(BulkFamily::E2eNodes),
            perms::E2E_NODES_POWER
        );
        assert_eq!(BulkAction::parse("format"), None);
        assert_eq!(BulkFamily::PublicIps.one_title(), "Public IP");
        assert_eq!(BulkFamily::Vpns.one_title(), "VPN");
        assert_eq!(BulkFamily::BlockStorages.actions(), [BulkAction::Delete]);
        assert_eq!(
            BulkAction::Delete.audit_action(BulkFamily::PublicIps),
            "public_ip.delete"
        );
    }
}
