//! `/o/{slug}/public_ips`: the account's public IP addresses, what each is
//! assigned to (a link to that server or load balancer), reserving a new
//! one, its reverse DNS name, and deleting it. Every change is audited as a
//! pair and answered with a flash message.

pub(crate) mod actions;
pub(crate) mod create;
mod detail;
pub(crate) mod list;
mod view;

use crate::web::routing::org_routes;

use crate::cloudpanel::networks::PublicIp;
use crate::rbac::perms;
use crate::web::cloud::{Family, list_page, row_fragment, status_fragment};

/// Public IPs, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "public_ip",
    word: "public_ips",
    object: "/public_ips/{id}",
    title: "Public IPs",
    one: "public IP",
    many: "public IPs",
    show: perms::PUBLIC_IPS_SHOW,
    create: perms::PUBLIC_IPS_CREATE,
};

/// A public IP is named by its address.
impl crate::web::cloud::Named for PublicIp {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.ip
    }
}

// Every route, in registration order (literal segments before `{id}`).
org_routes! {
    "/public_ips" {
        GET  "" => list_page::<list::PublicIps>,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => row_fragment::<list::PublicIps>,
        GET  "/{id}/status" => status_fragment::<list::PublicIps>,
        POST "/{id}/reverse_dns" => actions::reverse_dns,
        POST "/{id}/delete" => actions::delete,
    }
}
