//! `/o/{slug}/e2e_nodes`: the nodes of an E2E Networks account. List,
//! create from an OS image or a saved image, and on a node's page power,
//! rename, save an image, the committed plan, reinstall, backups, lock and
//! delete. Each change behind its exact `e2e_nodes.*` (or `e2e_images.save`)
//! flag, audited as a pair of events, queued when the budget is spent.

pub(crate) mod actions;
pub(crate) mod create;
mod detail;
pub(crate) mod list;
pub(in crate::web) mod name;
pub(in crate::web) mod origin;
pub(in crate::web) mod view;

use crate::cloudpanel::CloudError;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, Upstream, list_page};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::routing::org_routes;

/// E2E nodes, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "e2e_node",
    word: "e2e_nodes",
    object: "/nodes/{id}/",
    title: "E2E nodes",
    one: "node",
    many: "nodes",
    show: perms::E2E_NODES_SHOW,
    create: perms::E2E_NODES_CREATE,
};

/// A node an E2E change acted on, as the audit log and the flash message
/// name it: E2E answers an action with the action, not with the node.
#[derive(serde::Serialize)]
pub struct Acted {
    pub id: String,
    pub name: String,
}

impl Acted {
    pub fn new(id: &str, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }
}

impl Named for Acted {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// A read that failed, in the page's words and naming E2E Networks;
/// waiting for the budget is not a failure.
pub(in crate::web) fn read_problem(up: &Upstream, what: &str, e: &CloudError) -> String {
    crate::web::cloud::read_problem_from(what, e, up.api_name())
}

/// The account as the pages name it, with its provider: "Delhi · E2E Networks".
pub(in crate::web) fn account_label(up: &Upstream) -> String {
    format!("{} · {}", up.row().name, up.account.provider.title())
}

/// E2E's ids are numbers: a path id of anything else is an unknown address
/// (checked after the permission, like the kit's own id check).
pub(in crate::web) fn numeric_id<'a>(ctx: &OrgCtx, id: &'a str) -> AppResult<&'a str> {
    if is_numeric_id(id) {
        Ok(id)
    } else {
        Err(AppError::NotFound.in_page(&ctx.page))
    }
}

/// 1 to 18 digits: any E2E id fits an `i64`.
pub(crate) fn is_numeric_id(id: &str) -> bool {
    (1..=18).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

// Every node route (literal segments before `{id}`).
org_routes! {
    "/e2e_nodes" {
        GET  "" => list_page::<list::Nodes>,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => detail::row,
        GET  "/{id}/status" => detail::status,
        POST "/{id}/actions/{action}" => actions::node_action,
        POST "/{id}/rename" => actions::rename,
        POST "/{id}/save_image" => actions::save_image,
        POST "/{id}/plan" => actions::plan,
        POST "/{id}/reinstall" => actions::reinstall,
        POST "/{id}/delete" => actions::delete,
    }
}

#[cfg(test)]
mod tests {
    use super::is_numeric_id;

    #[test]
    fn node_ids_are_numbers() {
        assert!(is_numeric_id("169") && is_numeric_id(&"9".repeat(18)));
        for bad in ["", "abc", "12a", "-1", " 1", &"1".repeat(19)] {
            assert!(!is_numeric_id(bad), "{bad}");
        }
    }
}
