//! `/o/{slug}/private_networks`: list, create, edit (name, description and
//! address range, each behind its own flag), delete, and the servers
//! attached to a network. Every change is audited as a pair and answered
//! with a flash message.

pub(crate) mod actions;
mod detail;
pub(crate) mod form;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::networks::PrivateNetwork;
use crate::rbac::perms;
use crate::web::cloud::{
    Family, Named, edit_form, list_page, row_fragment, save_edit, status_fragment,
};

/// Private networks, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "private_network",
    word: "private_networks",
    object: "/private_networks/{id}",
    title: "Private networks",
    one: "private network",
    many: "private networks",
    show: perms::PRIVATE_NETWORK_SHOW,
    create: perms::PRIVATE_NETWORK_CREATE,
};

impl Named for PrivateNetwork {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/private_networks" {
        GET  "" => list_page::<list::PrivateNetworks>,
        POST "" => form::create,
        GET  "/new" => form::new,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::PrivateNetworks>,
        GET  "/{id}/status" => status_fragment::<list::PrivateNetworks>,
        GET  "/{id}/edit" => edit_form::<form::Edit>,
        POST "/{id}/edit" => save_edit::<form::Edit>,
        POST "/{id}/servers" => actions::attach,
        POST "/{id}/servers/{server_id}/delete" => actions::detach,
        POST "/{id}/delete" => actions::delete,
    }
}
