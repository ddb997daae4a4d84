//! `/o/{slug}/cloud_roles`: the Cloud Panel account's own roles and their
//! permission matrix. These govern the account's API users (their tokens)
//! and the vendor's own UI, not the panel's members: those hold the panel's
//! roles (`/o/{slug}/roles`). List, create, rename and describe (each behind
//! its own flag), clone, delete with the typed name, the matrix (the same
//! component as the panel's role editor, Cloud Panel groups only), and the
//! role's users. Every change is audited as a pair and answered with a flash
//! message; the API's built-in roles offer only what the API allows on them.

pub(crate) mod actions;
mod detail;
pub(crate) mod form;
pub(crate) mod list;
pub(crate) mod permissions;
pub(crate) mod users;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::access::Role;
use crate::rbac::perms;
use crate::web::cloud::{Family, edit_form, list_page, save_edit};

/// The Cloud Panel account's roles, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "cloud_role",
    word: "cloud_roles",
    object: "/roles/{id}",
    title: "Cloud roles",
    one: "Cloud Panel role",
    many: "Cloud Panel roles",
    show: perms::ROLES_SHOW,
    create: perms::ROLES_CREATE,
};

impl crate::web::cloud::Named for Role {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/cloud_roles" {
        GET  "" => list_page::<list::CloudRoles>,
        POST "" => form::create,
        GET  "/new" => form::new,
        GET  "/{id}" => detail::page,
        GET  "/{id}/edit" => edit_form::<form::Edit>,
        POST "/{id}/edit" => save_edit::<form::Edit>,
        GET  "/{id}/clone" => form::clone_form,
        POST "/{id}/clone" => form::clone,
        POST "/{id}/delete" => actions::delete,
        POST "/{id}/permissions" => permissions::save,
        POST "/{id}/users" => users::add,
        GET  "/{id}/users/{cloud_user_id}" => users::page,
        POST "/{id}/users/{cloud_user_id}/remove" => users::remove,
    }
}
