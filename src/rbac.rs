//! The permission vocabulary and the built-in roles.
//!
//! The vocabulary is the Cloud Panel's own role permission model, exactly as
//! the reference's `GET /roles/{role_id}/permissions` lists it (16 groups, 99
//! flags), plus three groups of the panel's own: `block_storages` and
//! `ssh_keys` (the reference has no group for them) and `organisation`
//! (members, roles, cloud accounts, audit log).
//!
//! A [`Permission`] can only name a flag of the vocabulary; a
//! [`PermissionSet`] is stored as JSON in the Cloud Panel's own shape
//! (`{"servers": {"show": true, ...}, ...}`).

use std::collections::BTreeSet;
use std::fmt;

use serde::de::Deserializer;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// Where a group of the vocabulary comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The Cloud Panel's own permission model.
    CloudPanel,
    /// Added by the panel.
    Panel,
}

/// One flag of a group: `servers.shutdown`.
#[derive(Debug)]
pub struct Flag {
    pub name: &'static str,
    /// What the flag allows, in the reference's words.
    pub label: &'static str,
}

/// One group of flags: `servers`.
#[derive(Debug)]
pub struct Group {
    pub name: &'static str,
    pub label: &'static str,
    pub source: Source,
    pub flags: &'static [Flag],
}

/// Every group and flag, in the reference's order, then the panel's own groups.
pub static VOCABULARY: &[Group] = &[
    Group {
        name: "servers",
        label: "Servers",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list servers",
            },
            Flag {
                name: "create",
                label: "Allows to create servers",
            },
            Flag {
                name: "delete",
                label: "Allows to delete servers",
            },
            Flag {
                name: "set_name",
                label: "Allows to change server name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change server description",
            },
            Flag {
                name: "start",
                label: "Allows to start servers",
            },
            Flag {
                name: "restart",
                label: "Allows to restart servers",
            },
            Flag {
                name: "shutdown",
                label: "Allows to shutdown servers",
            },
            Flag {
                name: "resize",
                label: "Allows to resize servers",
            },
            Flag {
                name: "reinstall",
                label: "Allows to reinstall servers",
            },
            Flag {
                name: "clone",
                label: "Allows to clone servers",
            },
            Flag {
                name: "manage_snapshot",
                label: "Allows to manage snapshots",
            },
            Flag {
                name: "assign_ip",
                label: "Allows to assign new IPs",
            },
            Flag {
                name: "manage_dvd",
                label: "Allows to manage DVD images",
            },
            Flag {
                name: "access_kvm_console",
                label: "Allows to access servers using KVM console",
            },
        ],
    },
    Group {
        name: "images",
        label: "Images",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list images",
            },
            Flag {
                name: "create",
                label: "Allows to create images",
            },
            Flag {
                name: "delete",
                label: "Allows to delete images",
            },
            Flag {
                name: "set_name",
                label: "Allows to change image name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change image description",
            },
            Flag {
                name: "disable_automatic_creation",
                label: "Allows to change image creation policy",
            },
        ],
    },
    Group {
        name: "shared_storages",
        label: "Shared storages",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list shared storages",
            },
            Flag {
                name: "create",
                label: "Allows to create shared storages",
            },
            Flag {
                name: "delete",
                label: "Allows to delete shared storages",
            },
            Flag {
                name: "set_name",
                label: "Allows to change shared storage name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change shared storage description",
            },
            Flag {
                name: "manage_attached_servers",
                label: "Allows to manage servers attached",
            },
            Flag {
                name: "access",
                label: "Allows to manage shared storage permissions",
            },
            Flag {
                name: "resize",
                label: "Allows to resize shared storages",
            },
        ],
    },
    Group {
        name: "firewall_policies",
        label: "Firewall policies",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list firewall policies",
            },
            Flag {
                name: "create",
                label: "Allows to create firewall policies",
            },
            Flag {
                name: "delete",
                label: "Allows to delete firewall policies",
            },
            Flag {
                name: "set_name",
                label: "Allows to change firewall policy name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change firewall policy description",
            },
            Flag {
                name: "manage_rules",
                label: "Allows to manage firewall policy rules",
            },
            Flag {
                name: "manage_attached_server_ips",
                label: "Allows to add or remove servers from firewall policies",
            },
            Flag {
                name: "clone",
                label: "Allows to clone firewall policies",
            },
        ],
    },
    Group {
        name: "load_balancers",
        label: "Load balancers",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list load balancers",
            },
            Flag {
                name: "create",
                label: "Allows to create load balancers",
            },
            Flag {
                name: "delete",
                label: "Allows to delete load balancers",
            },
            Flag {
                name: "set_name",
                label: "Allows to change load balancer name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change load balancer description",
            },
            Flag {
                name: "manage_rules",
                label: "Allows to manage load balancer rules",
            },
            Flag {
                name: "manage_attached_server_ips",
                label: "Allows to add or remove servers from load balancers",
            },
            Flag {
                name: "modify",
                label: "Allows to edit load balancers",
            },
        ],
    },
    Group {
        name: "public_ips",
        label: "Public IPs",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list public IPs",
            },
            Flag {
                name: "create",
                label: "Allows to create new IPs",
            },
            Flag {
                name: "delete",
                label: "Allows to delete IPs",
            },
            Flag {
                name: "release",
                label: "Allows to release IPs",
            },
            Flag {
                name: "set_reverse_dns",
                label: "Allows to change reverse DNS name",
            },
        ],
    },
    Group {
        name: "private_network",
        label: "Private networks",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list private networks",
            },
            Flag {
                name: "create",
                label: "Allows to create private networks",
            },
            Flag {
                name: "delete",
                label: "Allows to delete private networks",
            },
            Flag {
                name: "set_name",
                label: "Allows to change private network name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change private network description",
            },
            Flag {
                name: "set_network_info",
                label: "Allows to edit private network configuration",
            },
            Flag {
                name: "manage_attached_servers",
                label: "Allows to manage servers attached",
            },
        ],
    },
    Group {
        name: "vpn",
        label: "VPNs",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list VPNs",
            },
            Flag {
                name: "create",
                label: "Allows to create VPNs",
            },
            Flag {
                name: "delete",
                label: "Allows to remove VPNs",
            },
            Flag {
                name: "set_name",
                label: "Allows to change VPN name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change VPN description",
            },
            Flag {
                name: "download_file",
                label: "Allows to download VPN configuration file",
            },
        ],
    },
    Group {
        name: "monitoring_center",
        label: "Monitoring center",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            label: "Allows to list monitored resources",
        }],
    },
    Group {
        name: "monitoring_policies",
        label: "Monitoring policies",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list monitoring policies",
            },
            Flag {
                name: "create",
                label: "Allows to create monitoring policies",
            },
            Flag {
                name: "delete",
                label: "Allows to delete monitoring policies",
            },
            Flag {
                name: "set_name",
                label: "Allows to change monitoring policy name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change monitoring policy description",
            },
            Flag {
                name: "set_email",
                label: "Allows to change monitoring policy email",
            },
            Flag {
                name: "modify_resources",
                label: "Allows to changes thresholds",
            },
            Flag {
                name: "manage_ports",
                label: "Allows to add or remove port alerts to monitoring policy",
            },
            Flag {
                name: "manage_processes",
                label: "Allows to add or remove process alerts to monitoring policy",
            },
            Flag {
                name: "manage_attached_servers",
                label: "Allows to manage servers attached to monitoring policy",
            },
            Flag {
                name: "clone",
                label: "Allows to clone monitoring policies",
            },
        ],
    },
    Group {
        name: "backups",
        label: "Backups",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list backup accounts",
            },
            Flag {
                name: "create",
                label: "Allows to create backup accounts",
            },
            Flag {
                name: "delete",
                label: "Allows to delete backup accounts",
            },
        ],
    },
    Group {
        name: "logs",
        label: "Logs",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            label: "Allows to list logs",
        }],
    },
    Group {
        name: "users",
        label: "Users",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list users",
            },
            Flag {
                name: "create",
                label: "Allows to create users",
            },
            Flag {
                name: "delete",
                label: "Allows to delete users",
            },
            Flag {
                name: "set_description",
                label: "Allows to change user description",
            },
            Flag {
                name: "set_email",
                label: "Allows to change user e-mail",
            },
            Flag {
                name: "set_password",
                label: "Allows to change user password",
            },
            Flag {
                name: "manage_api",
                label: "Allows to manage the Cloud Panel from the API",
            },
            Flag {
                name: "enable",
                label: "Allows to enable users",
            },
            Flag {
                name: "disable",
                label: "Allows to disable users",
            },
            Flag {
                name: "change_role",
                label: "Allows to change user role",
            },
        ],
    },
    Group {
        name: "roles",
        label: "Roles",
        source: Source::CloudPanel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list roles",
            },
            Flag {
                name: "create",
                label: "Allows to create roles",
            },
            Flag {
                name: "delete",
                label: "Allows to delete roles",
            },
            Flag {
                name: "set_name",
                label: "Allows to change role name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change role description",
            },
            Flag {
                name: "manage_users",
                label: "Allows to manage users' role",
            },
            Flag {
                name: "modify",
                label: "Allows to change role permissions",
            },
            Flag {
                name: "clone",
                label: "Allows to clone roles",
            },
        ],
    },
    Group {
        name: "usages",
        label: "Usages",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            label: "Allows to list usages",
        }],
    },
    Group {
        name: "interactive_invoices",
        label: "Interactive invoices",
        source: Source::CloudPanel,
        flags: &[Flag {
            name: "show",
            label: "Allows to list interactive invoices",
        }],
    },
    Group {
        name: "block_storages",
        label: "Block storages",
        source: Source::Panel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list block storages",
            },
            Flag {
                name: "create",
                label: "Allows to create block storages",
            },
            Flag {
                name: "delete",
                label: "Allows to delete block storages",
            },
            Flag {
                name: "set_name",
                label: "Allows to change block storage name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change block storage description",
            },
            Flag {
                name: "manage_attached_server",
                label: "Allows to attach and detach block storages",
            },
        ],
    },
    Group {
        name: "ssh_keys",
        label: "SSH keys",
        source: Source::Panel,
        flags: &[
            Flag {
                name: "show",
                label: "Allows to list SSH keys",
            },
            Flag {
                name: "create",
                label: "Allows to create SSH keys",
            },
            Flag {
                name: "delete",
                label: "Allows to delete SSH keys",
            },
            Flag {
                name: "set_name",
                label: "Allows to change SSH key name",
            },
            Flag {
                name: "set_description",
                label: "Allows to change SSH key description",
            },
        ],
    },
    Group {
        name: "organisation",
        label: "Organisation",
        source: Source::Panel,
        flags: &[
            Flag {
                name: "manage_members",
                label: "Allows to invite and remove members and change their roles",
            },
            Flag {
                name: "manage_roles",
                label: "Allows to create, edit, clone and delete roles",
            },
            Flag {
                name: "manage_cloud_accounts",
                label: "Allows to add, replace and remove cloud accounts",
            },
            Flag {
                name: "view_audit",
                label: "Allows to read the audit log",
            },
            Flag {
                name: "export_audit",
                label: "Allows to export the audit log",
            },
        ],
    },
];

/// One flag of the vocabulary. Only a flag the vocabulary lists can be
/// named: build one with [`Permission::parse`], [`Permission::new`] or a
/// constant of [`perms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    group: &'static str,
    flag: &'static str,
}

impl Permission {
    /// For the constants in [`perms`] only; a unit test checks each against the vocabulary.
    const fn known(group: &'static str, flag: &'static str) -> Self {
        Self { group, flag }
    }

    /// The permission `group.flag`, when the vocabulary has it.
    pub fn new(group: &str, flag: &str) -> Option<Self> {
        let g = VOCABULARY.iter().find(|g| g.name == group)?;
        let f = g.flags.iter().find(|f| f.name == flag)?;
        Some(Self {
            group: g.name,
            flag: f.name,
        })
    }

    /// Parses `servers.shutdown`.
    pub fn parse(key: &str) -> Result<Self, String> {
        let (group, flag) = key
            .trim()
            .split_once('.')
            .ok_or_else(|| format!("`{key}` is not a permission (expected group.flag)"))?;
        Self::new(group, flag).ok_or_else(|| format!("`{key}` is not a known permission"))
    }

    pub fn group(&self) -> &'static str {
        self.group
    }

    pub fn flag(&self) -> &'static str {
        self.flag
    }

    /// `servers.shutdown`: the name in forms and audit events.
    pub fn key(&self) -> String {
        format!("{}.{}", self.group, self.flag)
    }

    fn lookup(&self) -> Option<(&'static Group, &'static Flag)> {
        let g = VOCABULARY.iter().find(|g| g.name == self.group)?;
        let f = g.flags.iter().find(|f| f.name == self.flag)?;
        Some((g, f))
    }

    /// What the flag allows, in words.
    pub fn label(&self) -> &'static str {
        self.lookup().map_or("", |(_, f)| f.label)
    }

    /// The group's name in words.
    pub fn group_label(&self) -> &'static str {
        self.lookup().map_or("", |(g, _)| g.label)
    }

    /// `show` flags grant reading only.
    pub fn is_show(&self) -> bool {
        self.flag == "show"
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.group, self.flag)
    }
}

/// Every permission of the vocabulary, in order.
pub fn all_permissions() -> impl Iterator<Item = Permission> {
    VOCABULARY.iter().flat_map(|g| {
        g.flags.iter().map(move |f| Permission {
            group: g.name,
            flag: f.name,
        })
    })
}

/// A set of permissions: what a role grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every flag of the vocabulary.
    pub fn all() -> Self {
        Self(all_permissions().collect())
    }

    /// Parses the checked boxes of a form (`servers.shutdown`, ...); an
    /// unknown name is an error rather than silently dropped.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        keys.into_iter()
            .map(Permission::parse)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    /// True when `key` (`servers.show`) is in the set; for templates.
    pub fn has(&self, key: &str) -> bool {
        Permission::parse(key).is_ok_and(|p| self.contains(p))
    }

    pub fn insert(&mut self, permission: Permission) {
        self.0.insert(permission);
    }

    pub fn remove(&mut self, permission: Permission) {
        self.0.remove(&permission);
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when every permission of `self` is also in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The permissions of `self` that `other` lacks.
    pub fn missing_from(&self, other: &Self) -> Vec<Permission> {
        self.0.difference(&other.0).copied().collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    pub fn from_json(raw: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(raw)
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Written in the Cloud Panel's shape: every group, every flag, `true` or `false`.
impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(VOCABULARY.len()))?;
        for group in VOCABULARY {
            let flags: serde_json::Map<String, serde_json::Value> = group
                .flags
                .iter()
                .map(|f| {
                    let granted = self.0.contains(&Permission {
                        group: group.name,
                        flag: f.name,
                    });
                    (f.name.to_owned(), serde_json::Value::Bool(granted))
                })
                .collect();
            map.serialize_entry(group.name, &flags)?;
        }
        map.end()
    }
}

/// Read tolerantly: groups and flags the vocabulary does not know are
/// ignored, and only an explicit `true` grants.
impl<'de> Deserialize<'de> for PermissionSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: serde_json::Map<String, serde_json::Value> =
            serde_json::Map::deserialize(deserializer)?;
        let mut set = BTreeSet::new();
        for (group, flags) in &raw {
            let Some(flags) = flags.as_object() else {
                continue;
            };
            for (flag, value) in flags {
                if value.as_bool() == Some(true)
                    && let Some(p) = Permission::new(group, flag)
                {
                    set.insert(p);
                }
            }
        }
        Ok(Self(set))
    }
}

/// The roles every organisation starts with. Their permissions are fixed
/// (taken from here on every request, so a grown vocabulary reaches them);
/// clone one to make an editable variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinRole {
    /// Everything.
    Owner,
    /// Everything except editing roles: an Admin runs the organisation day to
    /// day but cannot redefine what a role means. (Because nobody may grant a
    /// role holding more than they hold, an Admin cannot make anyone Owner.)
    Admin,
    /// Reads everything, powers servers on and off, manages snapshots and reads the audit log.
    Operator,
    /// Reads everything (every `show` flag) and changes nothing.
    Viewer,
}

impl BuiltinRole {
    pub const ALL: [Self; 4] = [Self::Owner, Self::Admin, Self::Operator, Self::Viewer];

    /// The value stored in `roles.builtin`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Viewer => "viewer",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Operator => "Operator",
            Self::Viewer => "Viewer",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Owner => {
                "Everything, including roles. An organisation always keeps at least one Owner."
            }
            Self::Admin => "Everything except editing roles.",
            Self::Operator => {
                "Reads everything, starts, shuts down and restarts servers, manages snapshots, reads the audit log."
            }
            Self::Viewer => "Reads everything, changes nothing.",
        }
    }

    pub fn permissions(self) -> PermissionSet {
        match self {
            Self::Owner => PermissionSet::all(),
            Self::Admin => {
                let mut set = PermissionSet::all();
                set.remove(perms::ORGANISATION_MANAGE_ROLES);
                set
            }
            Self::Operator => {
                let mut set = Self::Viewer.permissions();
                for p in [
                    perms::SERVERS_START,
                    perms::SERVERS_SHUTDOWN,
                    perms::SERVERS_RESTART,
                    perms::SERVERS_MANAGE_SNAPSHOT,
                    perms::ORGANISATION_VIEW_AUDIT,
                ] {
                    set.insert(p);
                }
                set
            }
            Self::Viewer => all_permissions().filter(Permission::is_show).collect(),
        }
    }
}

/// A constant for every permission of the vocabulary: `perms::SERVERS_SHUTDOWN`.
pub mod perms {
    use super::Permission;

    pub const SERVERS_SHOW: Permission = Permission::known("servers", "show");
    pub const SERVERS_CREATE: Permission = Permission::known("servers", "create");
    pub const SERVERS_DELETE: Permission = Permission::known("servers", "delete");
    pub const SERVERS_SET_NAME: Permission = Permission::known("servers", "set_name");
    pub const SERVERS_SET_DESCRIPTION: Permission = Permission::known("servers", "set_description");
    pub const SERVERS_START: Permission = Permission::known("servers", "start");
    pub const SERVERS_RESTART: Permission = Permission::known("servers", "restart");
    pub const SERVERS_SHUTDOWN: Permission = Permission::known("servers", "shutdown");
    pub const SERVERS_RESIZE: Permission = Permission::known("servers", "resize");
    pub const SERVERS_REINSTALL: Permission = Permission::known("servers", "reinstall");
    pub const SERVERS_CLONE: Permission = Permission::known("servers", "clone");
    pub const SERVERS_MANAGE_SNAPSHOT: Permission = Permission::known("servers", "manage_snapshot");
    pub const SERVERS_ASSIGN_IP: Permission = Permission::known("servers", "assign_ip");
    pub const SERVERS_MANAGE_DVD: Permission = Permission::known("servers", "manage_dvd");
    pub const SERVERS_ACCESS_KVM_CONSOLE: Permission =
        Permission::known("servers", "access_kvm_console");
    pub const IMAGES_SHOW: Permission = Permission::known("images", "show");
    pub const IMAGES_CREATE: Permission = Permission::known("images", "create");
    pub const IMAGES_DELETE: Permission = Permission::known("images", "delete");
    pub const IMAGES_SET_NAME: Permission = Permission::known("images", "set_name");
    pub const IMAGES_SET_DESCRIPTION: Permission = Permission::known("images", "set_description");
    pub const IMAGES_DISABLE_AUTOMATIC_CREATION: Permission =
        Permission::known("images", "disable_automatic_creation");
    pub const SHARED_STORAGES_SHOW: Permission = Permission::known("shared_storages", "show");
    pub const SHARED_STORAGES_CREATE: Permission = Permission::known("shared_storages", "create");
    pub const SHARED_STORAGES_DELETE: Permission = Permission::known("shared_storages", "delete");
    pub const SHARED_STORAGES_SET_NAME: Permission =
        Permission::known("shared_storages", "set_name");
    pub const SHARED_STORAGES_SET_DESCRIPTION: Permission =
        Permission::known("shared_storages", "set_description");
    pub const SHARED_STORAGES_MANAGE_ATTACHED_SERVERS: Permission =
        Permission::known("shared_storages", "manage_attached_servers");
    pub const SHARED_STORAGES_ACCESS: Permission = Permission::known("shared_storages", "access");
    pub const SHARED_STORAGES_RESIZE: Permission = Permission::known("shared_storages", "resize");
    pub const FIREWALL_POLICIES_SHOW: Permission = Permission::known("firewall_policies", "show");
    pub const FIREWALL_POLICIES_CREATE: Permission =
        Permission::known("firewall_policies", "create");
    pub const FIREWALL_POLICIES_DELETE: Permission =
        Permission::known("firewall_policies", "delete");
    pub const FIREWALL_POLICIES_SET_NAME: Permission =
        Permission::known("firewall_policies", "set_name");
    pub const FIREWALL_POLICIES_SET_DESCRIPTION: Permission =
        Permission::known("firewall_policies", "set_description");
    pub const FIREWALL_POLICIES_MANAGE_RULES: Permission =
        Permission::known("firewall_policies", "manage_rules");
    pub const FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS: Permission =
        Permission::known("firewall_policies", "manage_attached_server_ips");
    pub const FIREWALL_POLICIES_CLONE: Permission = Permission::known("firewall_policies", "clone");
    pub const LOAD_BALANCERS_SHOW: Permission = Permission::known("load_balancers", "show");
    pub const LOAD_BALANCERS_CREATE: Permission = Permission::known("load_balancers", "create");
    pub const LOAD_BALANCERS_DELETE: Permission = Permission::known("load_balancers", "delete");
    pub const LOAD_BALANCERS_SET_NAME: Permission = Permission::known("load_balancers", "set_name");
    pub const LOAD_BALANCERS_SET_DESCRIPTION: Permission =
        Permission::known("load_balancers", "set_description");
    pub const LOAD_BALANCERS_MANAGE_RULES: Permission =
        Permission::known("load_balancers", "manage_rules");
    pub const LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS: Permission =
        Permission::known("load_balancers", "manage_attached_server_ips");
    pub const LOAD_BALANCERS_MODIFY: Permission = Permission::known("load_balancers", "modify");
    pub const PUBLIC_IPS_SHOW: Permission = Permission::known("public_ips", "show");
    pub const PUBLIC_IPS_CREATE: Permission = Permission::known("public_ips", "create");
    pub const PUBLIC_IPS_DELETE: Permission = Permission::known("public_ips", "delete");
    pub const PUBLIC_IPS_RELEASE: Permission = Permission::known("public_ips", "release");
    pub const PUBLIC_IPS_SET_REVERSE_DNS: Permission =
        Permission::known("public_ips", "set_reverse_dns");
    pub const PRIVATE_NETWORK_SHOW: Permission = Permission::known("private_network", "show");
    pub const PRIVATE_NETWORK_CREATE: Permission = Permission::known("private_network", "create");
    pub const PRIVATE_NETWORK_DELETE: Permission = Permission::known("private_network", "delete");
    pub const PRIVATE_NETWORK_SET_NAME: Permission =
        Permission::known("private_network", "set_name");
    pub const PRIVATE_NETWORK_SET_DESCRIPTION: Permission =
        Permission::known("private_network", "set_description");
    pub const PRIVATE_NETWORK_SET_NETWORK_INFO: Permission =
        Permission::known("private_network", "set_network_info");
    pub const PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS: Permission =
        Permission::known("private_network", "manage_attached_servers");
    pub const VPN_SHOW: Permission = Permission::known("vpn", "show");
    pub const VPN_CREATE: Permission = Permission::known("vpn", "create");
    pub const VPN_DELETE: Permission = Permission::known("vpn", "delete");
    pub const VPN_SET_NAME: Permission = Permission::known("vpn", "set_name");
    pub const VPN_SET_DESCRIPTION: Permission = Permission::known("vpn", "set_description");
    pub const VPN_DOWNLOAD_FILE: Permission = Permission::known("vpn", "download_file");
    pub const MONITORING_CENTER_SHOW: Permission = Permission::known("monitoring_center", "show");
    pub const MONITORING_POLICIES_SHOW: Permission =
        Permission::known("monitoring_policies", "show");
    pub const MONITORING_POLICIES_CREATE: Permission =
        Permission::known("monitoring_policies", "create");
    pub const MONITORING_POLICIES_DELETE: Permission =
        Permission::known("monitoring_policies", "delete");
    pub const MONITORING_POLICIES_SET_NAME: Permission =
        Permission::known("monitoring_policies", "set_name");
    pub const MONITORING_POLICIES_SET_DESCRIPTION: Permission =
        Permission::known("monitoring_policies", "set_description");
    pub const MONITORING_POLICIES_SET_EMAIL: Permission =
        Permission::known("monitoring_policies", "set_email");
    pub const MONITORING_POLICIES_MODIFY_RESOURCES: Permission =
        Permission::known("monitoring_policies", "modify_resources");
    pub const MONITORING_POLICIES_MANAGE_PORTS: Permission =
        Permission::known("monitoring_policies", "manage_ports");
    pub const MONITORING_POLICIES_MANAGE_PROCESSES: Permission =
        Permission::known("monitoring_policies", "manage_processes");
    pub const MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS: Permission =
        Permission::known("monitoring_policies", "manage_attached_servers");
    pub const MONITORING_POLICIES_CLONE: Permission =
        Permission::known("monitoring_policies", "clone");
    pub const BACKUPS_SHOW: Permission = Permission::known("backups", "show");
    pub const BACKUPS_CREATE: Permission = Permission::known("backups", "create");
    pub const BACKUPS_DELETE: Permission = Permission::known("backups", "delete");
    pub const LOGS_SHOW: Permission = Permission::known("logs", "show");
    pub const USERS_SHOW: Permission = Permission::known("users", "show");
    pub const USERS_CREATE: Permission = Permission::known("users", "create");
    pub const USERS_DELETE: Permission = Permission::known("users", "delete");
    pub const USERS_SET_DESCRIPTION: Permission = Permission::known("users", "set_description");
    pub const USERS_SET_EMAIL: Permission = Permission::known("users", "set_email");
    pub const USERS_SET_PASSWORD: Permission = Permission::known("users", "set_password");
    pub const USERS_MANAGE_API: Permission = Permission::known("users", "manage_api");
    pub const USERS_ENABLE: Permission = Permission::known("users", "enable");
    pub const USERS_DISABLE: Permission = Permission::known("users", "disable");
    pub const USERS_CHANGE_ROLE: Permission = Permission::known("users", "change_role");
    pub const ROLES_SHOW: Permission = Permission::known("roles", "show");
    pub const ROLES_CREATE: Permission = Permission::known("roles", "create");
    pub const ROLES_DELETE: Permission = Permission::known("roles", "delete");
    pub const ROLES_SET_NAME: Permission = Permission::known("roles", "set_name");
    pub const ROLES_SET_DESCRIPTION: Permission = Permission::known("roles", "set_description");
    pub const ROLES_MANAGE_USERS: Permission = Permission::known("roles", "manage_users");
    pub const ROLES_MODIFY: Permission = Permission::known("roles", "modify");
    pub const ROLES_CLONE: Permission = Permission::known("roles", "clone");
    pub const USAGES_SHOW: Permission = Permission::known("usages", "show");
    pub const INTERACTIVE_INVOICES_SHOW: Permission =
        Permission::known("interactive_invoices", "show");
    pub const BLOCK_STORAGES_SHOW: Permission = Permission::known("block_storages", "show");
    pub const BLOCK_STORAGES_CREATE: Permission = Permission::known("block_storages", "create");
    pub const BLOCK_STORAGES_DELETE: Permission = Permission::known("block_storages", "delete");
    pub const BLOCK_STORAGES_SET_NAME: Permission = Permission::known("block_storages", "set_name");
    pub const BLOCK_STORAGES_SET_DESCRIPTION: Permission =
        Permission::known("block_storages", "set_description");
    pub const BLOCK_STORAGES_MANAGE_ATTACHED_SERVER: Permission =
        Permission::known("block_storages", "manage_attached_server");
    pub const SSH_KEYS_SHOW: Permission = Permission::known("ssh_keys", "show");
    pub const SSH_KEYS_CREATE: Permission = Permission::known("ssh_keys", "create");
    pub const SSH_KEYS_DELETE: Permission = Permission::known("ssh_keys", "delete");
    pub const SSH_KEYS_SET_NAME: Permission = Permission::known("ssh_keys", "set_name");
    pub const SSH_KEYS_SET_DESCRIPTION: Permission =
        Permission::known("ssh_keys", "set_description");
    pub const ORGANISATION_MANAGE_MEMBERS: Permission =
        Permission::known("organisation", "manage_members");
    pub const ORGANISATION_MANAGE_ROLES: Permission =
        Permission::known("organisation", "manage_roles");
    pub const ORGANISATION_MANAGE_CLOUD_ACCOUNTS: Permission =
        Permission::known("organisation", "manage_cloud_accounts");
    pub const ORGANISATION_VIEW_AUDIT: Permission = Permission::known("organisation", "view_audit");
    pub const ORGANISATION_EXPORT_AUDIT: Permission =
        Permission::known("organisation", "export_audit");

    /// Every constant above, in vocabulary order.
    pub const ALL: &[Permission] = &[
        SERVERS_SHOW,
        SERVERS_CREATE,
        SERVERS_DELETE,
        SERVERS_SET_NAME,
        SERVERS_SET_DESCRIPTION,
        SERVERS_START,
        SERVERS_RESTART,
        SERVERS_SHUTDOWN,
        SERVERS_RESIZE,
        SERVERS_REINSTALL,
        SERVERS_CLONE,
        SERVERS_MANAGE_SNAPSHOT,
        SERVERS_ASSIGN_IP,
        SERVERS_MANAGE_DVD,
        SERVERS_ACCESS_KVM_CONSOLE,
        IMAGES_SHOW,
        IMAGES_CREATE,
        IMAGES_DELETE,
        IMAGES_SET_NAME,
        IMAGES_SET_DESCRIPTION,
        IMAGES_DISABLE_AUTOMATIC_CREATION,
        SHARED_STORAGES_SHOW,
        SHARED_STORAGES_CREATE,
        SHARED_STORAGES_DELETE,
        SHARED_STORAGES_SET_NAME,
        SHARED_STORAGES_SET_DESCRIPTION,
        SHARED_STORAGES_MANAGE_ATTACHED_SERVERS,
        SHARED_STORAGES_ACCESS,
        SHARED_STORAGES_RESIZE,
        FIREWALL_POLICIES_SHOW,
        FIREWALL_POLICIES_CREATE,
        FIREWALL_POLICIES_DELETE,
        FIREWALL_POLICIES_SET_NAME,
        FIREWALL_POLICIES_SET_DESCRIPTION,
        FIREWALL_POLICIES_MANAGE_RULES,
        FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS,
        FIREWALL_POLICIES_CLONE,
        LOAD_BALANCERS_SHOW,
        LOAD_BALANCERS_CREATE,
        LOAD_BALANCERS_DELETE,
        LOAD_BALANCERS_SET_NAME,
        LOAD_BALANCERS_SET_DESCRIPTION,
        LOAD_BALANCERS_MANAGE_RULES,
        LOAD_BALANCERS_MANAGE_ATTACHED_SERVER_IPS,
        LOAD_BALANCERS_MODIFY,
        PUBLIC_IPS_SHOW,
        PUBLIC_IPS_CREATE,
        PUBLIC_IPS_DELETE,
        PUBLIC_IPS_RELEASE,
        PUBLIC_IPS_SET_REVERSE_DNS,
        PRIVATE_NETWORK_SHOW,
        PRIVATE_NETWORK_CREATE,
        PRIVATE_NETWORK_DELETE,
        PRIVATE_NETWORK_SET_NAME,
        PRIVATE_NETWORK_SET_DESCRIPTION,
        PRIVATE_NETWORK_SET_NETWORK_INFO,
        PRIVATE_NETWORK_MANAGE_ATTACHED_SERVERS,
        VPN_SHOW,
        VPN_CREATE,
        VPN_DELETE,
        VPN_SET_NAME,
        VPN_SET_DESCRIPTION,
        VPN_DOWNLOAD_FILE,
        MONITORING_CENTER_SHOW,
        MONITORING_POLICIES_SHOW,
        MONITORING_POLICIES_CREATE,
        MONITORING_POLICIES_DELETE,
        MONITORING_POLICIES_SET_NAME,
        MONITORING_POLICIES_SET_DESCRIPTION,
        MONITORING_POLICIES_SET_EMAIL,
        MONITORING_POLICIES_MODIFY_RESOURCES,
        MONITORING_POLICIES_MANAGE_PORTS,
        MONITORING_POLICIES_MANAGE_PROCESSES,
        MONITORING_POLICIES_MANAGE_ATTACHED_SERVERS,
        MONITORING_POLICIES_CLONE,
        BACKUPS_SHOW,
        BACKUPS_CREATE,
        BACKUPS_DELETE,
        LOGS_SHOW,
        USERS_SHOW,
        USERS_CREATE,
        USERS_DELETE,
        USERS_SET_DESCRIPTION,
        USERS_SET_EMAIL,
        USERS_SET_PASSWORD,
        USERS_MANAGE_API,
        USERS_ENABLE,
        USERS_DISABLE,
        USERS_CHANGE_ROLE,
        ROLES_SHOW,
        ROLES_CREATE,
        ROLES_DELETE,
        ROLES_SET_NAME,
        ROLES_SET_DESCRIPTION,
        ROLES_MANAGE_USERS,
        ROLES_MODIFY,
        ROLES_CLONE,
        USAGES_SHOW,
        INTERACTIVE_INVOICES_SHOW,
        BLOCK_STORAGES_SHOW,
        BLOCK_STORAGES_CREATE,
        BLOCK_STORAGES_DELETE,
        BLOCK_STORAGES_SET_NAME,
        BLOCK_STORAGES_SET_DESCRIPTION,
        BLOCK_STORAGES_MANAGE_ATTACHED_SERVER,
        SSH_KEYS_SHOW,
        SSH_KEYS_CREATE,
        SSH_KEYS_DELETE,
        SSH_KEYS_SET_NAME,
        SSH_KEYS_SET_DESCRIPTION,
        ORGANISATION_MANAGE_MEMBERS,
        ORGANISATION_MANAGE_ROLES,
        ORGANISATION_MANAGE_CLOUD_ACCOUNTS,
        ORGANISATION_VIEW_AUDIT,
        ORGANISATION_EXPORT_AUDIT,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cloud_panel_part_has_16_groups_and_99_flags() {
        let cloud: Vec<&Group> = VOCABULARY
            .iter()
            .filter(|g| g.source == Source::CloudPanel)
            .collect();
        assert_eq!(cloud.len(), 16);
        assert_eq!(cloud.iter().map(|g| g.flags.len()).sum::<usize>(), 99);
        let names: Vec<&str> = cloud.iter().map(|g| g.name).collect();
        assert_eq!(
            names,
            [
                "servers",
                "images",
                "shared_storages",
                "firewall_policies",
                "load_balancers",
                "public_ips",
                "private_network",
                "vpn",
                "monitoring_center",
                "monitoring_policies",
                "backups",
                "logs",
                "users",
                "roles",
                "usages",
                "interactive_invoices"
            ]
        );
    }

    #[test]
    fn the_panel_adds_its_own_groups() {
        for (group, flags) in [("block_storages", 6), ("ssh_keys", 5), ("organisation", 5)] {
            let g = VOCABULARY.iter().find(|g| g.name == group).unwrap();
            assert_eq!(g.source, Source::Panel);
            assert_eq!(g.flags.len(), flags, "{group}");
        }
        assert!(Permission::parse("block_storages.manage_attached_server").is_ok());
        assert!(Permission::parse("organisation.export_audit").is_ok());
    }

    #[test]
    fn names_are_unique_and_labelled() {
        let mut seen = BTreeSet::new();
        for p in all_permissions() {
            assert!(seen.insert(p.key()), "{p} twice");
            assert!(!p.label().is_empty(), "{p} has no label");
        }
        assert_eq!(seen.len(), 115);
    }

    #[test]
    fn every_constant_is_in_the_vocabulary() {
        let all = PermissionSet::all();
        for p in perms::ALL {
            assert!(all.contains(*p), "{p}");
            assert_eq!(Permission::new(p.group(), p.flag()), Some(*p));
        }
        assert_eq!(perms::ALL.len(), all.len());
    }

    #[test]
    fn parse_accepts_only_known_flags() {
        assert_eq!(
            Permission::parse("servers.shutdown").unwrap(),
            perms::SERVERS_SHUTDOWN
        );
        for bad in [
            "",
            "servers",
            "servers.",
            ".show",
            "servers.fly",
            "block_storage.show",
            "servers.show.x",
        ] {
            assert!(Permission::parse(bad).is_err(), "{bad}");
        }
        assert!(PermissionSet::from_keys(["servers.show", "nope.show"]).is_err());
    }

    #[test]
    fn json_round_trips_in_the_cloud_panel_shape() {
        let set = BuiltinRole::Operator.permissions();
        let json = set.to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["servers"]["shutdown"], true);
        assert_eq!(value["servers"]["delete"], false);
        assert_eq!(value["organisation"]["view_audit"], true);
        assert_eq!(PermissionSet::from_json(&json).unwrap(), set);
    }

    #[test]
    fn json_is_read_tolerantly() {
        let set = PermissionSet::from_json(
            r#"{"servers": {"show": true, "fly": true, "delete": "yes"}, "unknown": {"show": true}, "vpn": 3}"#,
        )
        .unwrap();
        assert_eq!(set.iter().collect::<Vec<_>>(), [perms::SERVERS_SHOW]);
    }

    #[test]
    fn builtin_roles_nest() {
        let owner = BuiltinRole::Owner.permissions();
        let admin = BuiltinRole::Admin.permissions();
        let operator = BuiltinRole::Operator.permissions();
        let viewer = BuiltinRole::Viewer.permissions();
        assert_eq!(owner, PermissionSet::all());
        assert!(viewer.is_subset(&operator));
        assert!(operator.is_subset(&admin));
        assert!(admin.is_subset(&owner));
        assert_eq!(
            owner.missing_from(&admin),
            [perms::ORGANISATION_MANAGE_ROLES]
        );
        assert!(viewer.iter().all(|p| p.is_show()));
        assert_eq!(viewer.len(), 18);
        assert!(operator.contains(perms::SERVERS_SHUTDOWN));
        assert!(!operator.contains(perms::SERVERS_DELETE));
        assert!(!operator.contains(perms::ORGANISATION_MANAGE_MEMBERS));
        for role in BuiltinRole::ALL {
            assert_eq!(BuiltinRole::from_key(role.key()), Some(role));
        }
    }
}
