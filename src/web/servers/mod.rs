//! `/o/{slug}/servers`: the flagship pages. Every server operation of the
//! Cloud Panel, each behind its exact permission flag, audited as a pair of
//! events (requested, then the outcome), answered with a flash message.

pub(crate) mod clone;
pub(crate) mod create;
pub(crate) mod delete;
mod detail;
pub(crate) mod dvd;
pub(crate) mod hardware;
pub(crate) mod image;
pub(crate) mod ips;
pub(crate) mod list;
pub(crate) mod networks;
mod parts;
pub(crate) mod power;
pub(crate) mod rename;
pub(crate) mod snapshots;
mod typed_name;
mod view;

use crate::rbac::perms;
use crate::web::cloud::{Family, chosen_id};
use crate::web::error::AppResult;
use crate::web::routing::org_routes;

use crate::web::org_ctx::OrgCtx;

/// Servers, as every page of theirs names them.
pub const FAMILY: Family = Family {
    kind: "server",
    word: "servers",
    object: "/servers/{id}",
    title: "Servers",
    one: "server",
    many: "servers",
    show: perms::SERVERS_SHOW,
    create: perms::SERVERS_CREATE,
};

pub use view::{ServerRow, format_gb};

impl crate::web::cloud::Named for crate::cloudpanel::servers::Server {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Every server route, in registration order (literal segments before `{id}`).
org_routes! {
    "/servers" {
        GET  "" => list::page,
        POST "" => create::submit,
        GET  "/new" => create::form,
        GET  "/{id}" => detail::page,
        GET  "/{id}/row" => list::row,
        GET  "/{id}/status" => detail::status,
        GET  "/{id}/cards/{card}" => parts::card,
        GET  "/{id}/hdds/{hdd_id}" => parts::hdd,
        GET  "/{id}/ips/{ip_id}" => parts::ip,
        GET  "/{id}/private_networks/{network_id}" => parts::private_network,
        POST "/{id}/rename" => rename::rename,
        POST "/{id}/power" => power::power,
        POST "/{id}/hardware" => hardware::resize,
        POST "/{id}/hdds" => hardware::add_hdd,
        POST "/{id}/hdds/{hdd_id}/resize" => hardware::resize_hdd,
        POST "/{id}/hdds/{hdd_id}/delete" => hardware::remove_hdd,
        POST "/{id}/image" => image::reinstall,
        POST "/{id}/ips" => ips::add_ip,
        POST "/{id}/ips/{ip_id}/delete" => ips::remove_ip,
        POST "/{id}/ips/{ip_id}/firewall" => ips::ip_firewall,
        POST "/{id}/ips/{ip_id}/load_balancers" => ips::ip_add_lb,
        POST "/{id}/ips/{ip_id}/load_balancers/{lb_id}/delete" => ips::ip_remove_lb,
        POST "/{id}/private_networks" => networks::attach_network,
        POST "/{id}/private_networks/{network_id}/delete" => networks::detach_network,
        POST "/{id}/snapshots" => snapshots::create_snapshot,
        POST "/{id}/snapshots/{snapshot_id}/restore" => snapshots::restore_snapshot,
        POST "/{id}/snapshots/{snapshot_id}/delete" => snapshots::delete_snapshot,
        POST "/{id}/dvd" => dvd::load_dvd,
        POST "/{id}/dvd/eject" => dvd::eject_dvd,
        POST "/{id}/clone" => clone::clone,
        POST "/{id}/delete" => delete::delete,
    }
}

/// An id chosen in a card's select, as the card and the API take it: the
/// id, or `missing` (the message asking for one) when none was chosen. A
/// value that is not an id is refused like an unknown address.
pub(crate) fn chosen(raw: &str, missing: &'static str) -> AppResult<Result<String, &'static str>> {
    Ok(chosen_id(raw)?.ok_or(missing))
}

/// Where a server's pages live (without the account query, so that
/// sub-addresses can be appended: `{href}/status{query}`).
pub fn server_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("servers/{id}"))
}
