//! What an endpoint subscribes to: families of audit events and outcomes.
//!
//! An event's family is the part of its action before the first `.`
//! (`server.power_off` → `server`). A refusal is recorded under the
//! permission it lacked (`servers.power`), so each choice names the
//! families it covers, singular and plural. Approval requests, schedule
//! runs and monitoring alerts are audit events like the rest
//! (`approval.*`, `schedule.*`, `monitoring.alert`), with choices of their own.

use crate::audit::Outcome;

/// One checkbox of the form.
pub struct FamilyChoice {
    /// Stored in the endpoint's row.
    pub key: &'static str,
    /// In plain words, on the form.
    pub title: &'static str,
    /// The action families it covers.
    families: &'static [&'static str],
}

const fn choice(
    key: &'static str,
    title: &'static str,
    families: &'static [&'static str],
) -> FamilyChoice {
    FamilyChoice {
        key,
        title,
        families,
    }
}

/// Every family, whatever comes later.
pub const ALL: &str = "all";

/// The choices with a label of their own: what a team most often wants told.
pub const NOTICES: &[FamilyChoice] = &[
    choice("approval", "Approval requests", &["approval"]),
    choice("schedule", "Schedule runs", &["schedule"]),
    choice("monitoring", "Monitoring alerts", &["monitoring"]),
];

/// Changes to cloud resources, by family.
pub const CLOUD: &[FamilyChoice] = &[
    choice("server", "Servers", &["server", "servers"]),
    choice(
        "block_storage",
        "Block storages",
        &["block_storage", "block_storages"],
    ),
    choice(
        "shared_storage",
        "Shared storages",
        &["shared_storage", "shared_storages"],
    ),
    choice(
        "private_network",
        "Private networks",
        &["private_network", "private_networks"],
    ),
    choice("public_ip", "Public IPs", &["public_ip", "public_ips"]),
    choice(
        "firewall_policy",
        "Firewall policies",
        &["firewall_policy", "firewall_policies"],
    ),
    choice(
        "load_balancer",
        "Load balancers",
        &["load_balancer", "load_balancers"],
    ),
    choice("vpn", "VPNs", &["vpn"]),
    choice("image", "Images", &["image", "images"]),
    choice("ssh_key", "SSH keys", &["ssh_key", "ssh_keys"]),
    choice(
        "monitoring_policy",
        "Monitoring policies",
        &["monitoring_policy", "monitoring_policies"],
    ),
    choice("cloud_user", "Cloud users", &["cloud_user", "users"]),
    choice("cloud_role", "Cloud roles", &["cloud_role", "roles"]),
    choice("e2e_node", "E2E nodes", &["e2e_node", "e2e_nodes"]),
    choice(
        "e2e_image",
        "E2E saved images",
        &["e2e_image", "e2e_images"],
    ),
];

/// Changes to the panel's own organisation.
pub const PANEL: &[FamilyChoice] = &[
    choice("member", "Members and invitations", &["member"]),
    choice("role", "Roles", &["role"]),
    choice("cloud_account", "Cloud accounts", &["cloud_account"]),
    choice("api_token", "API tokens", &["api_token"]),
    choice("webhook", "Webhooks", &["webhook"]),
    choice(
        "organisation",
        "Organisation settings and refusals",
        &["organisation", "audit"],
    ),
];

/// Every outcome, in plain words, in the order the form lists them.
pub const OUTCOMES: &[(Outcome, &str)] = &[
    (Outcome::Succeeded, "Succeeded"),
    (Outcome::Failed, "Failed"),
    (Outcome::Denied, "Refused (the member lacked a permission)"),
    (
        Outcome::Requested,
        "Requested (sent to the cloud, outcome to follow)",
    ),
    (Outcome::Queued, "Queued (waiting for the request budget)"),
    (Outcome::Cancelled, "Cancelled before it ran"),
    (
        Outcome::Abandoned,
        "Abandoned (the panel stopped mid-change)",
    ),
];

/// Every choice of family, in the form's order.
fn choices() -> impl Iterator<Item = &'static FamilyChoice> {
    NOTICES.iter().chain(CLOUD).chain(PANEL)
}

/// What one endpoint receives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// Choice keys, or [`ALL`] alone.
    pub families: Vec<String>,
    /// Outcome keys (`succeeded`, …).
    pub outcomes: Vec<String>,
}

/// Why a form's choice cannot be saved, per field.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FilterErrors {
    pub families: Option<String>,
    pub outcomes: Option<String>,
}

impl Filter {
    /// The form's checked boxes: known keys only; at least one of each.
    pub fn parse(families: &[String], outcomes: &[String]) -> Result<Self, FilterErrors> {
        let families: Vec<String> = if families.iter().any(|f| f == ALL) {
            vec![ALL.to_owned()]
        } else {
            choices()
                .filter(|c| families.iter().any(|f| f == c.key))
                .map(|c| c.key.to_owned())
                .collect()
        };
        let outcomes: Vec<String> = OUTCOMES
            .iter()
            .map(|(o, _)| o.as_str())
            .filter(|key| outcomes.iter().any(|o| o == key))
            .map(str::to_owned)
            .collect();
        let errors = FilterErrors {
            families: families
                .is_empty()
                .then(|| "Choose at least one kind of event, or “Every event”.".to_owned()),
            outcomes: outcomes
                .is_empty()
                .then(|| "Choose at least one outcome.".to_owned()),
        };
        if errors == FilterErrors::default() {
            Ok(Self { families, outcomes })
        } else {
            Err(errors)
        }
    }

    /// As the row stores it; unreadable text subscribes to nothing.
    pub fn from_stored(families: &str, outcomes: &str) -> Self {
        Self {
            families: serde_json::from_str(families).unwrap_or_default(),
            outcomes: serde_json::from_str(outcomes).unwrap_or_default(),
        }
    }

    /// The two JSON arrays the row stores.
    pub fn to_stored(&self) -> (String, String) {
        (
            serde_json::Value::from(self.families.clone()).to_string(),
            serde_json::Value::from(self.outcomes.clone()).to_string(),
        )
    }

    pub fn has_family(&self, key: &str) -> bool {
        self.families.iter().any(|f| f == key)
    }

    pub fn has_outcome(&self, key: &str) -> bool {
        self.outcomes.iter().any(|o| o == key)
    }

    /// Whether an event with this action and outcome is delivered.
    pub fn matches(&self, action: &str, outcome: &str) -> bool {
        if !self.has_outcome(outcome) {
            return false;
        }
        if self.has_family(ALL) {
            return true;
        }
        let family = action.split('.').next().unwrap_or_default();
        choices()
            .filter(|c| self.has_family(c.key))
            .any(|c| c.families.contains(&family))
    }

    /// In words, for lists: "Servers, Approval requests · succeeded, failed".
    pub fn describe(&self) -> String {
        let families = if self.has_family(ALL) {
            "Every event".to_owned()
        } else {
            choices()
                .filter(|c| self.has_family(c.key))
                .map(|c| c.title)
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("{families} · {}", self.outcomes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn an_event_is_matched_by_family_and_outcome() {
        let f = Filter::parse(
            &strings(&["server", "approval", "nonsense"]),
            &strings(&["succeeded", "denied"]),
        )
        .unwrap();
        assert_eq!(f.families, ["approval", "server"]);
        assert!(f.matches("server.power_off", "succeeded"));
        assert!(f.matches("servers.power", "denied"));
        assert!(f.matches("approval.ask", "succeeded"));
        assert!(!f.matches("server.power_off", "failed"));
        assert!(!f.matches("block_storage.create", "succeeded"));
        assert!(!f.matches("serverx.create", "succeeded"));
        let every = Filter::parse(&strings(&["all", "server"]), &strings(&["failed"])).unwrap();
        assert_eq!(every.families, ["all"]);
        assert!(every.matches("schedule.run", "failed"));
        assert!(!every.matches("schedule.run", "succeeded"));
    }

    #[test]
    fn nothing_chosen_is_refused_per_field_and_stored_text_round_trips() {
        let errors = Filter::parse(&[], &strings(&["bogus"])).unwrap_err();
        assert!(errors.families.is_some() && errors.outcomes.is_some());
        let f = Filter::parse(&strings(&["monitoring"]), &strings(&["succeeded"])).unwrap();
        let (families, outcomes) = f.to_stored();
        assert_eq!(Filter::from_stored(&families, &outcomes), f);
        assert_eq!(Filter::from_stored("nonsense", "[]"), Filter::default());
        assert_eq!(f.describe(), "Monitoring alerts · succeeded");
    }
}
