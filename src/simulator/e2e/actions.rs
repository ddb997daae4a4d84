//! `POST /nodes/{node_id}/actions/`: power, reboot, rename, save image,
//! reinstall, backups and lock.
//!
//! The accepted `type` values live in [`ACTIONS`] only, as the reference asks
//! (its texts show `save_images`; the others come from E2E's public docs).

use super::envelope::{E2eError, E2eResult, Reply};
use super::fields::{self, REQUIRED, given};
use super::nodes::{CREATE_SECS, node_not_found, path_node};
use super::req::Req;
use super::state::{ImageState, NodeStatus, SavedImage, iso};
use serde_json::{Value, json};

/// Simulated seconds of a power change, a reboot and an image save.
pub const POWER_SECS: f64 = 5.0;
pub const REBOOT_SECS: f64 = 8.0;
pub const SAVE_SECS: f64 = 15.0;
/// A saved image's size relative to the node's disk (only the used part is kept).
const IMAGE_SHARE_PERCENT: u32 = 45;

pub const ACTIONS: &[&str] = &[
    "power_on",
    "power_off",
    "reboot",
    "rename",
    "save_images",
    "reinstall",
    "enable_backups",
    "disable_backups",
    "lock_vm",
    "unlock_vm",
];

/// A 400 saying which state the action needs.
fn wrong_state(action: &str, status: NodeStatus, needs: &str) -> E2eError {
    E2eError::bad_request(format!(
        "Cannot {action} a node that is {}: the node must be {needs}",
        status.label()
    ))
}

pub fn node_action(r: &mut Req) -> E2eResult<Reply> {
    let id = path_node(r)?;
    let b = fields::object(&r.body)?;
    let ty = match given(b, "type") {
        None => return Err(E2eError::field("type", REQUIRED)),
        Some(Value::String(t)) if ACTIONS.contains(&t.as_str()) => t.clone(),
        Some(_) => {
            return Err(E2eError::field(
                "type",
                format!("Must be one of: {}.", ACTIONS.join(", ")),
            ));
        }
    };
    let new_name = if matches!(ty.as_str(), "rename" | "save_images") {
        Some(fields::name(b.get("name")).map_err(|e| E2eError::field("name", e))?)
    } else {
        None
    };
    let now = r.now;
    let node = r.acct.node_mut(id).ok_or_else(node_not_found)?;
    if node.is_locked && ty != "unlock_vm" {
        return Err(E2eError::bad_request("The node is locked"));
    }
    let st = node.status;
    let mut in_progress = true;
    match ty.as_str() {
        "power_off" if st == NodeStatus::Running => {
            node.begin(
                NodeStatus::PoweringOff,
                NodeStatus::PoweredOff,
                now,
                POWER_SECS,
            );
        }
        "power_off" => return Err(wrong_state("power off", st, "Running")),
        "power_on" if st == NodeStatus::PoweredOff => {
            node.begin(NodeStatus::PoweringOn, NodeStatus::Running, now, POWER_SECS);
        }
        "power_on" => return Err(wrong_state("power on", st, "Powered off")),
        "reboot" if st == NodeStatus::Running => {
            node.begin(NodeStatus::Rebooting, NodeStatus::Running, now, REBOOT_SECS);
        }
        "reboot" => return Err(wrong_state("reboot", st, "Running")),
        "reinstall" if matches!(st, NodeStatus::Running | NodeStatus::PoweredOff) => {
            node.begin(NodeStatus::Creating, NodeStatus::Running, now, CREATE_SECS);
        }
        "reinstall" => return Err(wrong_state("reinstall", st, "Running or Powered off")),
        "save_images" if st == NodeStatus::PoweredOff => {
            node.begin(
                NodeStatus::SavingImage,
                NodeStatus::PoweredOff,
                now,
                SAVE_SECS,
            );
            let (distro, size) = (
                node.distro.clone(),
                node.disk_gb * IMAGE_SHARE_PERCENT / 100,
            );
            let name = new_name.unwrap_or_default();
            let (image_id, template_id) = r.acct.new_image_ids();
            r.acct.images.push(SavedImage {
                image_id,
                template_id,
                os_distribution: name.clone(),
                name,
                distro,
                size_gb: size.max(1),
                created: chrono::Utc::now(),
                state: ImageState::Creating,
                ready_at: Some(now + SAVE_SECS),
            });
        }
        "save_images" => return Err(wrong_state("save an image of", st, "Powered off")),
        other => {
            in_progress = false;
            match other {
                "rename" => node.name = new_name.unwrap_or_default(),
                "enable_backups" => node.backup = true,
                "disable_backups" => node.backup = false,
                "lock_vm" => node.is_locked = true,
                _ => node.is_locked = false,
            }
        }
    }
    let action_id = r.acct.new_action_id();
    Ok(json!({
        "id": action_id,
        "created_at": iso(chrono::Utc::now()),
        "status": if in_progress { "in_progress" } else { "done" },
        "action_type": ty,
        "resource_id": id.to_string(),
    })
    .into())
}
