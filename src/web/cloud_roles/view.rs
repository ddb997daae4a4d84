//! What the Cloud Panel role templates show, computed once from the API's answer.

use crate::cloudpanel::access::Role;
use crate::web::cloud::{StateBadge, Upstream};
use crate::web::org_ctx::OrgCtx;

/// One row of the list (and the head of a role's page).
#[derive(Debug, Clone)]
pub struct RoleRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub badge: StateBadge,
    /// One of the API's own roles (`"default": 1`): the API refuses to
    /// rename, describe, delete it or change its permissions.
    pub builtin: bool,
    pub users: usize,
    /// The role's address in the panel, without the account query.
    pub href: String,
    /// `?account=ID`, appended to every address built on `href`.
    pub query: String,
}

impl RoleRow {
    pub fn new(role: &Role, ctx: &OrgCtx, up: &Upstream) -> Self {
        Self {
            id: role.id.clone(),
            name: role.name.clone(),
            description: role.description.clone(),
            badge: StateBadge::new(role.state.as_str(), role.state.is_transitional(), None),
            builtin: role.default,
            users: role.users.len(),
            href: super::FAMILY.href(ctx, &role.id),
            query: up.query(),
        }
    }
}
