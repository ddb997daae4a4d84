//! Every endpoint of the E2E Networks API the client sends, with the
//! permissions under which the panel sends it: the same table as the Cloud
//! Panel's (`cloudpanel::endpoints`), read the same way. The action
//! endpoints do several things by a field of the body, each under its own
//! permission, so a client opened to power nodes cannot save an image.

use crate::cloudpanel::endpoints::{Action, Endpoint};

/// What `POST /nodes/{node_id}/actions/` does by its `type`: the one list of
/// node actions (E2E's public documentation names these; the reference
/// texts show only `save_images`), each with its permission.
pub const NODE_ACTIONS: &[Action] = &[
    act("power_on", "e2e_nodes.power"),
    act("power_off", "e2e_nodes.power"),
    act("reboot", "e2e_nodes.power"),
    act("rename", "e2e_nodes.rename"),
    act("save_images", "e2e_images.save"),
    act("reinstall", "e2e_nodes.reinstall"),
    act("enable_backups", "e2e_nodes.backups"),
    act("disable_backups", "e2e_nodes.backups"),
    act("lock_vm", "e2e_nodes.lock"),
    act("unlock_vm", "e2e_nodes.lock"),
];

/// What `POST /images/{image_id}/` does by its `action_type`.
pub const IMAGE_ACTIONS: &[Action] = &[
    act("rename", "e2e_images.rename"),
    Action {
        value: "delete_image",
        flag: "e2e_images.delete",
        deletes: true,
    },
];

const fn act(value: &'static str, flag: &'static str) -> Action {
    Action {
        value,
        flag,
        deletes: false,
    }
}

const fn e(
    method: &'static str,
    path: &'static str,
    family: &'static str,
    flags: &'static [&'static str],
) -> Endpoint {
    Endpoint {
        method,
        path,
        family,
        flags,
        action_field: "",
        actions: &[],
        idempotent_delete: false,
    }
}

/// A DELETE: E2E's are idempotent, so "not found" is done.
const fn delete(
    path: &'static str,
    family: &'static str,
    flags: &'static [&'static str],
) -> Endpoint {
    Endpoint {
        idempotent_delete: true,
        ..e("DELETE", path, family, flags)
    }
}

const fn actions(
    path: &'static str,
    family: &'static str,
    field: &'static str,
    actions: &'static [Action],
) -> Endpoint {
    Endpoint {
        method: "POST",
        path,
        family,
        flags: &[],
        action_field: field,
        actions,
        idempotent_delete: false,
    }
}

/// Paths below the base URL, with E2E's trailing slash.
#[rustfmt::skip]
pub const ENDPOINTS: &[Endpoint] = &[
    // OS image categories
    e("GET", "/images/category-list/", "e2e_catalogue", &["e2e_nodes.show"]),
    // Plans for one image (display_category, category, osversion, os)
    e("GET", "/images/", "e2e_catalogue", &["e2e_nodes.show"]),
    // Saved images
    e("GET", "/images/saved-images/", "e2e_images", &["e2e_images.show"]),
    // Rename or delete a saved image (action_type)
    actions("/images/{image_id}/", "e2e_images", "action_type", IMAGE_ACTIONS),
    // List nodes (page_no, per_page)
    e("GET", "/nodes/", "e2e_nodes", &["e2e_nodes.show"]),
    // Create nodes
    e("POST", "/nodes/", "e2e_nodes", &["e2e_nodes.create"]),
    // Get a node
    e("GET", "/nodes/{node_id}/", "e2e_nodes", &["e2e_nodes.show"]),
    // Delete a node
    delete("/nodes/{node_id}/", "e2e_nodes", &["e2e_nodes.delete"]),
    // A node action (type)
    actions("/nodes/{node_id}/actions/", "e2e_nodes", "type", NODE_ACTIONS),
    // Update a committed node's plan
    e("POST", "/update_committed_node_status/", "e2e_nodes", &["e2e_nodes.plan"]),
];

/// The endpoint `method` and the concrete `path` are, if any.
pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS
        .iter()
        .filter(|e| e.matches(method, path))
        .max_by_key(|e| e.specificity())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_path_finds_its_row() {
        assert_eq!(find("GET", "/nodes/").map(|e| e.path), Some("/nodes/"));
        assert_eq!(
            find("GET", "/nodes/42/").map(|e| e.path),
            Some("/nodes/{node_id}/")
        );
        assert_eq!(
            find("GET", "/images/saved-images/").map(|e| e.path),
            Some("/images/saved-images/")
        );
        assert_eq!(
            find("POST", "/images/2292/").map(|e| e.path),
            Some("/images/{image_id}/")
        );
        assert_eq!(find("PUT", "/nodes/42/"), None);
        assert_eq!(find("GET", "/nodes/../"), None);
    }

    #[test]
    fn an_action_needs_its_own_permission() {
        let row = find("POST", "/nodes/42/actions/").unwrap();
        assert_eq!(
            row.flags_for(Some(&json!({"type": "power_off"}))),
            ["e2e_nodes.power"]
        );
        assert_eq!(
            row.flags_for(Some(&json!({"type": "save_images", "name": "x"}))),
            ["e2e_images.save"]
        );
        // A type the table does not list is sent under no permission.
        assert!(
            row.flags_for(Some(&json!({"type": "format_disk"})))
                .is_empty()
        );
        assert!(row.flags_for(None).is_empty());
    }

    #[test]
    fn deletes_are_idempotent_and_nothing_else_is() {
        let node = find("DELETE", "/nodes/42/").unwrap();
        assert!(node.gone_is_done(None));
        let image = find("POST", "/images/7/").unwrap();
        assert!(image.gone_is_done(Some(&json!({"action_type": "delete_image"}))));
        assert!(!image.gone_is_done(Some(&json!({"action_type": "rename", "name": "a"}))));
        let action = find("POST", "/nodes/42/actions/").unwrap();
        assert!(!action.gone_is_done(Some(&json!({"type": "power_off"}))));
    }
}
