//! Nodes: E2E's virtual machines, their actions and their billing.

use crate::cloudpanel::de;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, seg};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// A node as the API lists it. The reference's sample sends numbers as
/// text ("vcpus": "2", "disk": "60 GB"), so every field is read leniently.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Node {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// As the API says it: "Running", "Powered off", "Create", ...
    #[serde(deserialize_with = "de::string")]
    pub status: String,
    #[serde(deserialize_with = "de::string")]
    pub created_at: String,
    #[serde(deserialize_with = "de::string")]
    pub public_ip_address: String,
    #[serde(deserialize_with = "de::string")]
    pub private_ip_address: String,
    #[serde(deserialize_with = "de::string")]
    pub plan: String,
    #[serde(deserialize_with = "de::string")]
    pub image: String,
    #[serde(deserialize_with = "de::string")]
    pub vcpus: String,
    #[serde(deserialize_with = "de::string")]
    pub memory: String,
    #[serde(deserialize_with = "de::string")]
    pub disk: String,
    #[serde(deserialize_with = "de::string")]
    pub region: String,
    #[serde(deserialize_with = "de::string")]
    pub location: String,
    #[serde(deserialize_with = "de::lenient_bool")]
    pub backup: bool,
    #[serde(deserialize_with = "de::lenient_bool", alias = "locked")]
    pub is_locked: bool,
    /// `hourly_billing`, `auto_renew` or `auto_terminate`.
    #[serde(deserialize_with = "de::string")]
    pub billing_type: String,
    #[serde(deserialize_with = "de::opt_i64")]
    pub committed_sku_id: Option<i64>,
}

/// Where a node is in its life, read from the API's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    Creating,
    Running,
    PoweringOff,
    PoweredOff,
    PoweringOn,
    Rebooting,
    SavingImage,
    Terminating,
    /// A word the panel does not know: shown as it is, nothing offered.
    Other,
}

impl NodeState {
    /// The reference says `created`, `running`, `power-off`, `terminate`;
    /// its sample `Create`; the live API `Running`, `Powered off`, ...
    pub fn of(status: &str) -> NodeState {
        let s = status.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        match s.as_str() {
            "create" | "created" | "creating" | "reinstalling" => NodeState::Creating,
            "running" | "active" => NodeState::Running,
            "powering off" | "stopping" => NodeState::PoweringOff,
            "power off" | "powered off" | "stopped" | "off" => NodeState::PoweredOff,
            "powering on" | "starting" => NodeState::PoweringOn,
            "rebooting" => NodeState::Rebooting,
            "saving image" | "saving images" => NodeState::SavingImage,
            "terminate" | "terminating" | "deleting" => NodeState::Terminating,
            _ => NodeState::Other,
        }
    }

    /// Between states: the row refreshes itself and no action is offered.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            NodeState::Creating
                | NodeState::PoweringOff
                | NodeState::PoweringOn
                | NodeState::Rebooting
                | NodeState::SavingImage
                | NodeState::Terminating
        )
    }

    /// Whether the API takes `action` in this state.
    pub fn allows(self, action: NodeAction) -> bool {
        match action {
            NodeAction::PowerOff | NodeAction::Reboot => self == NodeState::Running,
            NodeAction::PowerOn | NodeAction::SaveImages => self == NodeState::PoweredOff,
            NodeAction::Reinstall => matches!(self, NodeState::Running | NodeState::PoweredOff),
            NodeAction::Rename
            | NodeAction::EnableBackups
            | NodeAction::DisableBackups
            | NodeAction::LockVm
            | NodeAction::UnlockVm => !self.is_transitional(),
        }
    }
}

impl Node {
    pub fn state(&self) -> NodeState {
        NodeState::of(&self.status)
    }

    /// The id as the API's numbers take it (`vcn_id`).
    pub fn numeric_id(&self) -> Option<i64> {
        self.id.parse().ok()
    }
}

/// The `type` values of `POST /nodes/{id}/actions/` (see `endpoints::NODE_ACTIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeAction {
    PowerOn,
    PowerOff,
    Reboot,
    Rename,
    SaveImages,
    Reinstall,
    EnableBackups,
    DisableBackups,
    LockVm,
    UnlockVm,
}

impl NodeAction {
    pub const ALL: [NodeAction; 10] = [
        NodeAction::PowerOn,
        NodeAction::PowerOff,
        NodeAction::Reboot,
        NodeAction::Rename,
        NodeAction::SaveImages,
        NodeAction::Reinstall,
        NodeAction::EnableBackups,
        NodeAction::DisableBackups,
        NodeAction::LockVm,
        NodeAction::UnlockVm,
    ];

    /// The API's word.
    pub fn key(self) -> &'static str {
        match self {
            NodeAction::PowerOn => "power_on",
            NodeAction::PowerOff => "power_off",
            NodeAction::Reboot => "reboot",
            NodeAction::Rename => "rename",
            NodeAction::SaveImages => "save_images",
            NodeAction::Reinstall => "reinstall",
            NodeAction::EnableBackups => "enable_backups",
            NodeAction::DisableBackups => "disable_backups",
            NodeAction::LockVm => "lock_vm",
            NodeAction::UnlockVm => "unlock_vm",
        }
    }

    pub fn parse(key: &str) -> Option<NodeAction> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The permission the action is sent under (from the endpoint table).
    pub fn flag(self) -> &'static str {
        super::endpoints::NODE_ACTIONS
            .iter()
            .find(|a| a.value == self.key())
            .map_or("", |a| a.flag)
    }
}

/// How a node is billed after its committed period (`node_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingChoice {
    /// Renew the commitment, with `committed_plan` the SKU to renew on.
    AutoRenew,
    AutoTerminate,
    HourlyBilling,
}

impl BillingChoice {
    pub const ALL: [BillingChoice; 3] = [
        BillingChoice::AutoRenew,
        BillingChoice::AutoTerminate,
        BillingChoice::HourlyBilling,
    ];

    pub fn key(self) -> &'static str {
        match self {
            BillingChoice::AutoRenew => "auto_renew",
            BillingChoice::AutoTerminate => "auto_terminate",
            BillingChoice::HourlyBilling => "hourly_billing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BillingChoice::AutoRenew => "Renew the commitment",
            BillingChoice::AutoTerminate => "Delete the node when it ends",
            BillingChoice::HourlyBilling => "Bill by the hour when it ends",
        }
    }

    pub fn parse(key: &str) -> Option<BillingChoice> {
        Self::ALL.into_iter().find(|b| b.key() == key)
    }
}

/// A node to create: the fields of `POST /nodes/` the panel offers.
#[derive(Debug, Clone, Serialize)]
pub struct NewNode {
    pub name: String,
    pub region: String,
    pub plan: String,
    /// A public image's slug, or with `is_saved_image` the saved image's name.
    pub image: String,
    pub ssh_keys: Vec<String>,
    pub backups: bool,
    pub is_saved_image: bool,
    pub saved_image_template_id: Option<i64>,
    pub number_of_instances: u32,
}

/// How many nodes a page of the list asks for, and how many pages at most
/// the whole list reads.
const PER_PAGE: usize = 100;
const MAX_PAGES: usize = 20;

impl AccountClient {
    /// One page of nodes (`page_no` from 1).
    pub async fn list_nodes_page(
        &self,
        page_no: usize,
        per_page: usize,
    ) -> Result<Fetched<Arc<Vec<Node>>>, CloudError> {
        self.list_shared(
            "/nodes/",
            &[
                ("page_no", page_no.to_string()),
                ("per_page", per_page.to_string()),
            ],
        )
        .await
    }

    /// Every node, read a page of 100 at a time until a page is not full.
    /// The answer is as old as its oldest page.
    pub async fn list_nodes(&self) -> Result<Fetched<Arc<Vec<Node>>>, CloudError> {
        let mut first = self.list_nodes_page(1, PER_PAGE).await?;
        if first.value.len() < PER_PAGE {
            return Ok(first);
        }
        let mut all: Vec<Node> = first.value.as_ref().clone();
        for page in 2..=MAX_PAGES {
            let next = self.list_nodes_page(page, PER_PAGE).await?;
            all.extend(next.value.iter().cloned());
            if next.fetched < first.fetched {
                first.fetched = next.fetched;
                first.fetched_at = next.fetched_at;
            }
            first.stale |= next.stale;
            first.stale_reason = first.stale_reason.or(next.stale_reason);
            first.updating |= next.updating;
            if next.value.len() < PER_PAGE {
                break;
            }
        }
        first.memo = None;
        Ok(first.map(|_| Arc::new(all)))
    }

    pub async fn get_node(&self, id: &str) -> Result<Fetched<Node>, CloudError> {
        self.get(&format!("/nodes/{}/", seg(id)), &[]).await
    }

    /// Creates nodes; the answer lists them (`node_create_response`), or is
    /// the one node itself.
    pub async fn create_node(&self, node: &NewNode) -> Result<Vec<Node>, CloudError> {
        let v: Value = self.post("/nodes/", node).await?;
        let created = v.get("node_create_response").cloned().unwrap_or(v);
        Ok(match created {
            Value::Array(_) => de::decode_items(created),
            Value::Object(_) => de::decode_items(Value::Array(vec![created])),
            _ => Vec::new(),
        })
    }

    /// An action on a node; `name` for rename and save_images.
    pub async fn node_action(
        &self,
        id: &str,
        action: NodeAction,
        name: Option<&str>,
    ) -> Result<(), CloudError> {
        let mut body = json!({ "type": action.key() });
        if let Some(name) = name {
            body["name"] = Value::String(name.to_owned());
        }
        let _: Value = self
            .post(&format!("/nodes/{}/actions/", seg(id)), &body)
            .await?;
        Ok(())
    }

    /// Deletes a node; one already gone counts as deleted.
    pub async fn delete_node(&self, id: &str) -> Result<(), CloudError> {
        let _: Value = self.delete(&format!("/nodes/{}/", seg(id)), &[]).await?;
        Ok(())
    }

    /// Sets what happens when a committed node's period ends.
    pub async fn update_committed_node(
        &self,
        node_id: i64,
        choice: BillingChoice,
        committed_plan: Option<i64>,
    ) -> Result<(), CloudError> {
        let mut body = json!({ "vcn_id": node_id, "node_status": choice.key() });
        if let Some(plan) = committed_plan {
            body["committed_plan"] = json!(plan);
        }
        let _: Value = self.post("/update_committed_node_status/", &body).await?;
        Ok(())
    }

    /// Checks an account's credentials: one page of one node.
    pub(crate) async fn check_e2e_access(&self) -> Result<(), CloudError> {
        let _: Value = self
            .read_uncached(
                "/nodes/",
                &[("page_no", "1".to_owned()), ("per_page", "1".to_owned())],
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_node_is_read() {
        let sample = json!({
            "id": 169, "name": "node-awa", "created_at": "2019-04-23T09:19:28.842209Z",
            "public_ip_address": "101.53.147.102", "private_ip_address": "172.16.215.166",
            "backup": false, "disk": "60 GB", "status": "Create", "vcpus": "2",
            "memory": "15.00 GB", "plan": "B-2VCPU-8RAM-115DISK", "region": "national capitail"
        });
        let node: Node = serde_json::from_value(sample).unwrap();
        assert_eq!(node.id, "169");
        assert_eq!(node.numeric_id(), Some(169));
        assert_eq!(node.state(), NodeState::Creating);
        assert_eq!(node.vcpus, "2");
    }

    #[test]
    fn states_allow_what_the_api_takes() {
        assert_eq!(NodeState::of("Powered off"), NodeState::PoweredOff);
        assert_eq!(NodeState::of("power-off"), NodeState::PoweredOff);
        assert!(NodeState::Running.allows(NodeAction::PowerOff));
        assert!(!NodeState::Running.allows(NodeAction::PowerOn));
        assert!(NodeState::PoweredOff.allows(NodeAction::SaveImages));
        assert!(!NodeState::Creating.allows(NodeAction::Rename));
        assert!(NodeState::of("Saving image").is_transitional());
    }

    #[test]
    fn every_action_has_a_permission_in_the_table() {
        for action in NodeAction::ALL {
            assert!(!action.flag().is_empty(), "{action:?}");
            assert_eq!(NodeAction::parse(action.key()), Some(action));
        }
    }
}
