//! One account's nodes and saved images, and their transitions over time.
//!
//! Like the Cloud Panel simulator, a transition is stored as "becoming X at
//! simulated second T" and settled at the start of every request
//! ([`Account::tick`]), so what a client sees depends only on the clock.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{Value, json};

/// A node's `status`, spelled as MyAccount shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    Creating,
    Running,
    PoweringOff,
    PoweredOff,
    PoweringOn,
    Rebooting,
    SavingImage,
}

impl NodeStatus {
    pub fn label(self) -> &'static str {
        match self {
            NodeStatus::Creating => "Creating",
            NodeStatus::Running => "Running",
            NodeStatus::PoweringOff => "Powering off",
            NodeStatus::PoweredOff => "Powered off",
            NodeStatus::PoweringOn => "Powering on",
            NodeStatus::Rebooting => "Rebooting",
            NodeStatus::SavingImage => "Saving image",
        }
    }
}

/// How a node is billed (`node_status` of the committed-plan endpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    Hourly,
    AutoRenew,
    AutoTerminate,
}

impl Billing {
    pub fn label(self) -> &'static str {
        match self {
            Billing::Hourly => "hourly_billing",
            Billing::AutoRenew => "auto_renew",
            Billing::AutoTerminate => "auto_terminate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Billing::Hourly, Billing::AutoRenew, Billing::AutoTerminate]
            .into_iter()
            .find(|b| b.label() == s)
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: u64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub public_ip: String,
    pub private_ip: String,
    pub backup: bool,
    pub plan: String,
    pub cpu: u32,
    pub ram_gb: u32,
    pub disk_gb: u32,
    /// An image slug, or the saved image's name when created from one.
    pub image: String,
    /// `Ubuntu-22.04`: carried over to the images saved from this node.
    pub distro: String,
    /// The saved image (`image_id`) this node was created from.
    pub from_image: Option<u64>,
    pub region: String,
    pub is_locked: bool,
    pub billing: Billing,
    pub committed_sku_id: Option<u64>,
    pub ssh_keys: Vec<String>,
    pub status: NodeStatus,
    /// The status the node takes at a simulated second.
    pub pending: Option<(NodeStatus, f64)>,
}

impl Node {
    /// Puts the node into `now_in` at once and into `then` after `secs` simulated seconds.
    pub fn begin(&mut self, now_in: NodeStatus, then: NodeStatus, now: f64, secs: f64) {
        self.status = now_in;
        self.pending = Some((then, now + secs));
    }

    /// The node as every node endpoint shows it.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "created_at": iso(self.created_at),
            "public_ip_address": self.public_ip,
            "private_ip_address": self.private_ip,
            "backup": self.backup,
            "disk": format!("{} GB", self.disk_gb),
            "status": self.status.label(),
            "vcpus": self.cpu.to_string(),
            "memory": format!("{:.2} GB", f64::from(self.ram_gb)),
            "plan": self.plan,
            "image": self.image,
            "region": self.region,
            "location": super::catalogue::LOCATION,
            "is_locked": self.is_locked,
            "billing_type": self.billing.label(),
            "committed_sku_id": self.committed_sku_id,
            "ssh_keys": self.ssh_keys,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageState {
    Creating,
    Ready,
}

#[derive(Debug, Clone)]
pub struct SavedImage {
    pub image_id: u64,
    pub template_id: u64,
    pub name: String,
    /// The name given when the image was saved (the reference describes
    /// `os_distribution` as "the name of the saved image"; a rename keeps it).
    pub os_distribution: String,
    pub distro: String,
    pub size_gb: u32,
    pub created: DateTime<Utc>,
    pub state: ImageState,
    /// The simulated second at which a `Creating` image becomes `Ready`.
    pub ready_at: Option<f64>,
}

impl SavedImage {
    /// The image as `GET /images/saved-images/` shows it: ids and counts as strings.
    pub fn to_json(&self, running_vms: usize) -> Value {
        json!({
            "image_state": match self.state { ImageState::Creating => "Creating", ImageState::Ready => "Ready" },
            "name": self.name,
            "running_vms": running_vms.to_string(),
            "creation_time": self.created.format("%d-%m-%Y %H:%M:%S").to_string(),
            "image_id": self.image_id.to_string(),
            "vm_info": null,
            "image_size": format!("{} GB", self.size_gb),
            "os_distribution": self.os_distribution,
            "template_id": self.template_id.to_string(),
            "distro": self.distro,
        })
    }
}

/// ISO 8601 with microseconds and `Z`, like the reference's `created_at`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// One isolated account: its API key and everything it owns.
#[derive(Debug)]
pub struct Account {
    pub api_key: String,
    pub nodes: Vec<Node>,
    pub images: Vec<SavedImage>,
    next_node: u64,
    next_image: u64,
    next_template: u64,
    next_action: u64,
    next_ip: u32,
}

impl Account {
    /// Ids start at random-ish points, so that a client never mistakes one
    /// family's id for another's or relies on small numbers.
    pub fn new(api_key: &str) -> Self {
        let mut r = rand::rng();
        Account {
            api_key: api_key.to_string(),
            nodes: Vec::new(),
            images: Vec::new(),
            next_node: r.random_range(10_000..60_000),
            next_image: r.random_range(2_000..8_000),
            next_template: r.random_range(3_000..9_000),
            next_action: r.random_range(100_000..900_000),
            next_ip: r.random_range(10..50_000),
        }
    }

    pub fn new_node_id(&mut self) -> u64 {
        self.next_node += 1;
        self.next_node
    }

    /// (image_id, template_id) for a new saved image.
    pub fn new_image_ids(&mut self) -> (u64, u64) {
        self.next_image += 1;
        self.next_template += 1;
        (self.next_image, self.next_template)
    }

    pub fn new_action_id(&mut self) -> u64 {
        self.next_action += 1;
        self.next_action
    }

    /// (public, private) addresses for a new node, in E2E's public range.
    pub fn new_addresses(&mut self) -> (String, String) {
        self.next_ip += 1;
        let n = self.next_ip;
        let (hi, lo) = ((n / 250) % 250 + 1, n % 250 + 2);
        (format!("164.52.{hi}.{lo}"), format!("172.16.{hi}.{lo}"))
    }

    /// Settles every transition whose time has come.
    pub fn tick(&mut self, now: f64) {
        for n in &mut self.nodes {
            if let Some((to, at)) = n.pending
                && now >= at
            {
                n.status = to;
                n.pending = None;
            }
        }
        for i in &mut self.images {
            if i.ready_at.is_some_and(|at| now >= at) {
                i.state = ImageState::Ready;
                i.ready_at = None;
            }
        }
    }

    pub fn node(&self, id: u64) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn node_mut(&mut self, id: u64) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.id == id)
    }

    pub fn image(&self, id: u64) -> Option<&SavedImage> {
        self.images.iter().find(|i| i.image_id == id)
    }

    /// How many nodes were created from a saved image (`running_vms`).
    pub fn image_users(&self, image_id: u64) -> usize {
        self.nodes
            .iter()
            .filter(|n| n.from_image == Some(image_id))
            .count()
    }

    pub fn images_json(&self) -> Vec<Value> {
        self.images
            .iter()
            .map(|i| i.to_json(self.image_users(i.image_id)))
            .collect()
    }

    /// Everything the account holds, as the API shows it.
    pub fn snapshot(&self) -> Value {
        let nodes: Vec<Value> = self.nodes.iter().map(Node::to_json).collect();
        json!({"nodes": nodes, "saved_images": self.images_json()})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_labels_round_trip() {
        for b in [Billing::Hourly, Billing::AutoRenew, Billing::AutoTerminate] {
            assert_eq!(Billing::parse(b.label()), Some(b));
        }
        assert_eq!(Billing::parse("monthly"), None);
    }

    #[test]
    fn iso_dates_end_in_z() {
        let t = DateTime::from_timestamp(1_556_011_168, 842_209_000).unwrap();
        assert_eq!(iso(t), "2019-04-23T09:19:28.842209Z");
    }
}
