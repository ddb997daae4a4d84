//! `/o/{slug}/cloud_users`: the Cloud Panel account's own users (not the
//! panel's members): the people and programs that sign in to the vendor's
//! panel or call its API with their own key. Create, edit (each value behind
//! its own flag), delete, their role, their API access with its allowed
//! addresses and key, and what this account's token itself may do. Every
//! change is audited as a pair; a key is shown once and never stored,
//! logged or audited.

pub(crate) mod actions;
pub(crate) mod api;
mod detail;
pub(crate) mod form;
mod key;
pub(crate) mod list;
mod permissions;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::access::User;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, list_page};

/// The Cloud Panel account's users, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "cloud_user",
    word: "cloud_users",
    object: "/users/{id}",
    title: "Cloud users",
    one: "Cloud Panel user",
    many: "Cloud Panel users",
    show: perms::USERS_SHOW,
    create: perms::USERS_CREATE,
};

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/cloud_users" {
        GET  "" => list_page::<list::CloudUsers>,
        POST "" => form::create,
        GET  "/new" => form::new,
        GET  "/permissions" => permissions::page,
        GET  "/{id}" => detail::page,
        GET  "/{id}/edit" => form::edit,
        POST "/{id}/edit" => form::update,
        POST "/{id}/delete" => actions::delete,
        POST "/{id}/role" => actions::role,
        POST "/{id}/api" => api::set_active,
        POST "/{id}/api/ips" => api::add_ips,
        POST "/{id}/api/ips/remove" => api::remove_ip,
        POST "/{id}/api/key" => key::show,
        POST "/{id}/api/key/regenerate" => key::regenerate,
    }
}

/// A changed user as the audit log and the flash message name it. Answers
/// carry the user's API key: only its id and name travel on from here.
pub struct Acted {
    id: String,
    name: String,
}

impl Acted {
    pub fn of(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            name: user.name.clone(),
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
