//! The Cloud Panel roles list: search, sort and pages computed in the panel
//! over one cached upstream list.
//!
//! Its page is the common one, but not the common layout: the words of its
//! create link ("New Cloud Panel role") and of its counts are its own, and it
//! says how these roles differ from the panel's between the toolbar and the
//! notices.

use super::FAMILY;
use super::view::RoleRow;
use crate::cloudpanel::access::Role;
use crate::cloudpanel::{AccountClient, CloudError, Fetched, ListQuery};
use crate::web::cloud::{Family, Listed, StateBadge, Upstream};
use crate::web::org_ctx::OrgCtx;

crate::list_templates!(
    CloudRoles,
    RoleRow,
    "cloud_roles/list.html",
    "cloud_roles/row.html"
);

impl ListTemplate<'_> {
    /// The panel's own roles, which these are not.
    fn panel_roles_href(&self) -> String {
        format!("/o/{}/roles", self.page.org_slug())
    }
}

pub struct CloudRoles;

impl Listed for CloudRoles {
    type Item = Role;
    const FAMILY: &'static Family = &FAMILY;
    const SORTS: &'static [(&'static str, &'static str)] = &[
        ("name", "Name (A–Z)"),
        ("-name", "Name (Z–A)"),
        ("-users", "Most users first"),
        ("-created", "Newest first"),
        ("created", "Oldest first"),
    ];

    async fn load(client: &AccountClient) -> Result<Fetched<Vec<Role>>, CloudError> {
        client.list_roles(&ListQuery::all()).await
    }

    fn id(role: &Role) -> &str {
        &role.id
    }

    fn matches(role: &Role, q: &str) -> bool {
        [&role.name, &role.description, &role.id]
            .iter()
            .any(|field| field.to_lowercase().contains(q))
            || role.users.iter().any(|u| u.name.to_lowercase().contains(q))
    }

    fn sort(roles: &mut Vec<&Role>, key: &str) {
        match key {
            "-name" => roles.sort_by_cached_key(|r| std::cmp::Reverse(r.name.to_lowercase())),
            "-users" => roles
                .sort_by_cached_key(|r| (std::cmp::Reverse(r.users.len()), r.name.to_lowercase())),
            "-created" => {
                roles.sort_by_cached_key(|r| std::cmp::Reverse(r.creation_date.to_string()))
            }
            "created" => roles.sort_by_cached_key(|r| r.creation_date.to_string()),
            _ => roles.sort_by_cached_key(|r| r.name.to_lowercase()),
        }
    }

    fn row(ctx: &OrgCtx, up: &Upstream, role: &Role) -> RoleRow {
        RoleRow::new(role, ctx, up)
    }

    fn removed(ctx: &OrgCtx, up: &Upstream, id: &str) -> RoleRow {
        let gone = Role {
            id: id.to_owned(),
            name: "(removed)".into(),
            ..Role::default()
        };
        RoleRow {
            badge: StateBadge::removed(),
            ..RoleRow::new(&gone, ctx, up)
        }
    }
}
