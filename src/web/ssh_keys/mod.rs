//! `/o/{slug}/ssh_keys`: the account's SSH public keys, which new servers
//! can be given; import one, rename and describe it (each behind its own
//! flag), delete it. Every change is audited as a pair and answered with a
//! flash message.

pub(crate) mod actions;
mod detail;
pub(crate) mod form;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::ssh_keys::SshKey;
use crate::rbac::perms;
use crate::web::cloud::{Family, Named, edit_form, list_page, row_fragment, save_edit};

/// SSH keys, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "ssh_key",
    word: "ssh_keys",
    object: "/ssh_keys/{id}",
    title: "SSH keys",
    one: "SSH key",
    many: "SSH keys",
    show: perms::SSH_KEYS_SHOW,
    create: perms::SSH_KEYS_CREATE,
};

impl Named for SshKey {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/ssh_keys" {
        GET  "" => list_page::<list::SshKeys>,
        POST "" => form::create,
        GET  "/new" => form::new,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::SshKeys>,
        GET  "/{id}/edit" => edit_form::<form::Edit>,
        POST "/{id}/edit" => save_edit::<form::Edit>,
        POST "/{id}/delete" => actions::delete,
    }
}
