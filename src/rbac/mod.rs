//! The permission vocabulary and the built-in roles.
//!
//! The vocabulary is the Cloud Panel's own role permission model, exactly as
//! the reference's `GET /roles/{role_id}/permissions` lists it (16 groups, 99
//! flags), plus three groups of the panel's own: `block_storages` and
//! `ssh_keys` (the reference has no group for them) and `organisation`
//! (members, roles, cloud accounts, audit log).
//!
//! The vocabulary itself, with the words shown for each group and flag, is
//! data in [`vocabulary`]; a constant for each flag is in [`perms`]. A
//! [`Permission`] can only name a flag of the vocabulary; a
//! [`PermissionSet`] is stored as JSON in the Cloud Panel's own shape
//! (`{"servers": {"show": true, ...}, ...}`).

pub mod perms;
mod vocabulary;

use std::fmt;

use serde::de::Deserializer;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

pub use vocabulary::{Flag, Group, Source, VOCABULARY};

/// One flag of the vocabulary. Only a flag the vocabulary lists can be
/// named: build one with [`Permission::parse`], [`Permission::new`] or a
/// constant of [`perms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    group: &'static str,
    flag: &'static str,
    /// The flag's place in the vocabulary: its bit in a [`PermissionSet`].
    index: u16,
}

/// How many flags the vocabulary has.
const FLAGS: usize = {
    let mut n = 0;
    let mut g = 0;
    while g < VOCABULARY.len() {
        n += VOCABULARY[g].flags.len();
        g += 1;
    }
    n
};

/// The words of a [`PermissionSet`]'s bits.
const WORDS: usize = FLAGS.div_ceil(64);

const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The place of `group.flag` in the vocabulary, counting every flag of
/// the groups before it.
const fn index_of(group: &str, flag: &str) -> Option<u16> {
    let mut n: u16 = 0;
    let mut g = 0;
    while g < VOCABULARY.len() {
        let flags = VOCABULARY[g].flags;
        let here = same_str(VOCABULARY[g].name, group);
        let mut f = 0;
        while f < flags.len() {
            if here && same_str(flags[f].name, flag) {
                return Some(n);
            }
            n += 1;
            f += 1;
        }
        g += 1;
    }
    None
}

impl Permission {
    /// For the constants in [`perms`] only: a name the vocabulary lacks
    /// does not compile.
    const fn known(group: &'static str, flag: &'static str) -> Self {
        match index_of(group, flag) {
            Some(index) => Self { group, flag, index },
            None => panic!("a permission constant names a flag the vocabulary lacks"),
        }
    }

    /// The permission `group.flag`, when the vocabulary has it.
    pub fn new(group: &str, flag: &str) -> Option<Self> {
        all_permissions().find(|p| p.group == group && p.flag == flag)
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
        every_flag().nth(usize::from(self.index))
    }

    /// Where the flag's group comes from: which provider's accounts a
    /// handle granted it may open follows from it.
    pub fn source(&self) -> Source {
        self.lookup().map_or(Source::Panel, |(g, _)| g.source)
    }

    /// What the flag lets a member do, in words: "Shut down servers".
    pub fn title(&self) -> &'static str {
        self.lookup().map_or("", |(_, f)| f.title)
    }

    /// What that means, in a sentence.
    pub fn description(&self) -> &'static str {
        self.lookup().map_or("", |(_, f)| f.description)
    }

    /// The group's name in words: "Servers".
    pub fn group_title(&self) -> &'static str {
        self.lookup().map_or("", |(g, _)| g.title)
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

/// Every flag of the vocabulary with its group, in order: a flag's place
/// here is its permission's index.
fn every_flag() -> impl Iterator<Item = (&'static Group, &'static Flag)> {
    VOCABULARY
        .iter()
        .flat_map(|g| g.flags.iter().map(move |f| (g, f)))
}

/// Every permission of the vocabulary, in order.
pub fn all_permissions() -> impl Iterator<Item = Permission> {
    every_flag().zip(0u16..).map(|((g, f), index)| Permission {
        group: g.name,
        flag: f.name,
        index,
    })
}

/// A set of permissions: what a role grants. One bit per flag of the
/// vocabulary, so a check on every page (the side menu asks about twenty)
/// costs a shift and a mask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet([u64; WORDS]);

impl PermissionSet {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every flag of the vocabulary.
    pub fn all() -> Self {
        all_permissions().collect()
    }

    /// Parses the checked boxes of a form (`servers.shutdown`, ...); an
    /// unknown name is an error rather than silently dropped.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        keys.into_iter().map(Permission::parse).collect()
    }

    fn bit(permission: Permission) -> (usize, u64) {
        let i = usize::from(permission.index);
        (i / 64, 1 << (i % 64))
    }

    pub fn contains(&self, permission: Permission) -> bool {
        let (word, bit) = Self::bit(permission);
        self.0.get(word).is_some_and(|w| w & bit != 0)
    }

    /// True when `key` (`servers.show`) is in the set; for templates.
    pub fn has(&self, key: &str) -> bool {
        Permission::parse(key).is_ok_and(|p| self.contains(p))
    }

    pub fn insert(&mut self, permission: Permission) {
        let (word, bit) = Self::bit(permission);
        if let Some(w) = self.0.get_mut(word) {
            *w |= bit;
        }
    }

    pub fn remove(&mut self, permission: Permission) {
        let (word, bit) = Self::bit(permission);
        if let Some(w) = self.0.get_mut(word) {
            *w &= !bit;
        }
    }

    /// The permissions of the set, in the vocabulary's order.
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        all_permissions().filter(|p| self.contains(*p))
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// True when every permission of `self` is also in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0
            .iter()
            .zip(other.0)
            .all(|(mine, theirs)| mine & !theirs == 0)
    }

    /// The permissions of `self` that `other` lacks, in the vocabulary's order.
    pub fn missing_from(&self, other: &Self) -> Vec<Permission> {
        self.iter().filter(|p| !other.contains(*p)).collect()
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
        let mut set = Self::default();
        for permission in iter {
            set.insert(permission);
        }
        set
    }
}

/// Written in the Cloud Panel's shape: every group, every flag, `true` or `false`.
impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(VOCABULARY.len()))?;
        let mut every = all_permissions();
        for group in VOCABULARY {
            let flags: serde_json::Map<String, serde_json::Value> = group
                .flags
                .iter()
                .zip(every.by_ref())
                .map(|(f, p)| (f.name.to_owned(), serde_json::Value::Bool(self.contains(p))))
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
        let mut set = PermissionSet::default();
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
        Ok(set)
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
                "Reads everything, starts, shuts down and restarts servers and E2E nodes, manages snapshots, reads the audit log."
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
                    perms::E2E_NODES_POWER,
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
        for (group, flags) in [("block_storages", 6), ("ssh_keys", 5), ("organisation", 12)] {
            let g = VOCABULARY.iter().find(|g| g.name == group).unwrap();
            assert_eq!(g.source, Source::Panel);
            assert_eq!(g.flags.len(), flags, "{group}");
        }
        assert!(Permission::parse("block_storages.manage_attached_server").is_ok());
        assert!(Permission::parse("organisation.export_audit").is_ok());
    }

    #[test]
    fn names_are_unique_and_worded() {
        let mut seen = std::collections::BTreeSet::new();
        let mut titles = std::collections::BTreeSet::new();
        for p in all_permissions() {
            assert!(seen.insert(p.key()), "{p} twice");
            assert!(!p.title().is_empty(), "{p} has no title");
            assert!(!p.group_title().is_empty(), "{p} has no group title");
            assert!(
                p.description().ends_with('.'),
                "{p}: the description is a sentence"
            );
            // A title is words, not the API's name, and tells one box from another.
            assert!(!p.title().contains('_'), "{p}: {}", p.title());
            assert!(
                titles.insert(p.title()),
                "{p}: the title {} twice",
                p.title()
            );
        }
        assert_eq!(seen.len(), 135);
        assert_eq!(perms::SERVERS_START.title(), "Start servers");
        assert_eq!(
            perms::FIREWALL_POLICIES_MANAGE_ATTACHED_SERVER_IPS.title(),
            "Manage the firewall policies of server IPs"
        );
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
        assert_eq!(viewer.len(), 20);
        assert!(operator.contains(perms::SERVERS_SHUTDOWN));
        assert!(!operator.contains(perms::SERVERS_DELETE));
        assert!(!operator.contains(perms::ORGANISATION_MANAGE_MEMBERS));
        for role in BuiltinRole::ALL {
            assert_eq!(BuiltinRole::from_key(role.key()), Some(role));
        }
    }
}
