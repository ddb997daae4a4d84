//! `/o/{slug}/servers`: the flagship pages. Every server operation of the
//! Cloud Panel, each behind its exact permission flag, audited as a pair of
//! events (requested, then the outcome), answered with a flash message.

mod clone;
mod create;
mod delete;
mod detail;
mod dvd;
mod hardware;
mod image;
mod ips;
mod list;
mod networks;
mod parts;
mod power;
mod rename;
mod snapshots;
mod target;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::web::org_ctx::OrgCtx;

pub use view::{ServerRow, format_gb};

impl crate::web::cloud::Named for crate::cloudpanel::servers::Server {
    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Every server route, in registration order (literal segments before `{id}`).
pub fn routes(cfg: &mut Routes) {
    let get = web::get;
    let post = web::post;
    cfg.route("/o/{slug}/servers", get().to(list::page))
        .route("/o/{slug}/servers", post().to(create::submit))
        .route("/o/{slug}/servers/new", get().to(create::form))
        .route("/o/{slug}/servers/{id}", get().to(detail::page))
        .route("/o/{slug}/servers/{id}/row", get().to(list::row))
        .route("/o/{slug}/servers/{id}/status", get().to(detail::status))
        .route("/o/{slug}/servers/{id}/cards/{card}", get().to(parts::card))
        .route("/o/{slug}/servers/{id}/hdds/{hdd_id}", get().to(parts::hdd))
        .route("/o/{slug}/servers/{id}/ips/{ip_id}", get().to(parts::ip))
        .route(
            "/o/{slug}/servers/{id}/private_networks/{network_id}",
            get().to(parts::private_network),
        )
        .route("/o/{slug}/servers/{id}/rename", post().to(rename::rename))
        .route("/o/{slug}/servers/{id}/power", post().to(power::power))
        .route(
            "/o/{slug}/servers/{id}/hardware",
            post().to(hardware::resize),
        )
        .route("/o/{slug}/servers/{id}/hdds", post().to(hardware::add_hdd))
        .route(
            "/o/{slug}/servers/{id}/hdds/{hdd_id}/resize",
            post().to(hardware::resize_hdd),
        )
        .route(
            "/o/{slug}/servers/{id}/hdds/{hdd_id}/delete",
            post().to(hardware::remove_hdd),
        )
        .route("/o/{slug}/servers/{id}/image", post().to(image::reinstall))
        .route("/o/{slug}/servers/{id}/ips", post().to(ips::add_ip))
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/delete",
            post().to(ips::remove_ip),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/firewall",
            post().to(ips::ip_firewall),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers",
            post().to(ips::ip_add_lb),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers/{lb_id}/delete",
            post().to(ips::ip_remove_lb),
        )
        .route(
            "/o/{slug}/servers/{id}/private_networks",
            post().to(networks::attach_network),
        )
        .route(
            "/o/{slug}/servers/{id}/private_networks/{network_id}/delete",
            post().to(networks::detach_network),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots",
            post().to(snapshots::create_snapshot),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/restore",
            post().to(snapshots::restore_snapshot),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/delete",
            post().to(snapshots::delete_snapshot),
        )
        .route("/o/{slug}/servers/{id}/dvd", post().to(dvd::load_dvd))
        .route(
            "/o/{slug}/servers/{id}/dvd/eject",
            post().to(dvd::eject_dvd),
        )
        .route("/o/{slug}/servers/{id}/clone", post().to(clone::clone))
        .route("/o/{slug}/servers/{id}/delete", post().to(delete::delete));
}

/// Where a server's pages live (without the account query, so that
/// sub-addresses can be appended: `{href}/status{query}`).
pub fn server_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("servers/{id}"))
}
