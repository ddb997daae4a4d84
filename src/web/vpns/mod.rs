//! `/o/{slug}/vpns`: the account's VPNs; create, rename and describe (each
//! behind its own flag), delete, and download the client configuration
//! file (audited like a change). Every change is audited as a pair and
//! answered with a flash message.

pub(crate) mod actions;
mod detail;
pub(crate) mod form;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::networks::Vpn;
use crate::rbac::perms;
use crate::web::cloud::{Family, edit_form, list_page, row_fragment, save_edit, status_fragment};

/// VPNs, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "vpn",
    word: "vpns",
    object: "/vpns/{id}",
    title: "VPNs",
    one: "VPN",
    many: "VPNs",
    show: perms::VPN_SHOW,
    create: perms::VPN_CREATE,
};

impl crate::web::cloud::Named for Vpn {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/vpns" {
        GET  "" => list_page::<list::Vpns>,
        POST "" => form::create,
        GET  "/new" => form::new,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::Vpns>,
        GET  "/{id}/status" => status_fragment::<list::Vpns>,
        GET  "/{id}/edit" => edit_form::<form::Edit>,
        POST "/{id}/edit" => save_edit::<form::Edit>,
        POST "/{id}/configuration_file" => actions::download,
        POST "/{id}/delete" => actions::delete,
    }
}
