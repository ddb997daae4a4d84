//! `/o/{slug}/servers`: the flagship pages. Every server operation of the
//! Cloud Panel, each behind its exact permission flag, audited as a pair of
//! events (requested, then the outcome), answered with a flash message.

mod actions;
mod create;
mod detail;
mod list;
mod parts;
mod view;

use crate::web::routing::Routes;
use actix_web::web;

use crate::web::org::OrgCtx;

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
        .route("/o/{slug}/servers/{id}/rename", post().to(actions::rename))
        .route("/o/{slug}/servers/{id}/power", post().to(actions::power))
        .route(
            "/o/{slug}/servers/{id}/hardware",
            post().to(actions::resize),
        )
        .route("/o/{slug}/servers/{id}/hdds", post().to(actions::add_hdd))
        .route(
            "/o/{slug}/servers/{id}/hdds/{hdd_id}/resize",
            post().to(actions::resize_hdd),
        )
        .route(
            "/o/{slug}/servers/{id}/hdds/{hdd_id}/delete",
            post().to(actions::remove_hdd),
        )
        .route(
            "/o/{slug}/servers/{id}/image",
            post().to(actions::reinstall),
        )
        .route("/o/{slug}/servers/{id}/ips", post().to(actions::add_ip))
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/delete",
            post().to(actions::remove_ip),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/firewall",
            post().to(actions::ip_firewall),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers",
            post().to(actions::ip_add_lb),
        )
        .route(
            "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers/{lb_id}/delete",
            post().to(actions::ip_remove_lb),
        )
        .route(
            "/o/{slug}/servers/{id}/private_networks",
            post().to(actions::attach_network),
        )
        .route(
            "/o/{slug}/servers/{id}/private_networks/{network_id}/delete",
            post().to(actions::detach_network),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots",
            post().to(actions::create_snapshot),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/restore",
            post().to(actions::restore_snapshot),
        )
        .route(
            "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/delete",
            post().to(actions::delete_snapshot),
        )
        .route("/o/{slug}/servers/{id}/dvd", post().to(actions::load_dvd))
        .route(
            "/o/{slug}/servers/{id}/dvd/eject",
            post().to(actions::eject_dvd),
        )
        .route("/o/{slug}/servers/{id}/clone", post().to(actions::clone))
        .route("/o/{slug}/servers/{id}/delete", post().to(actions::delete));
}

/// Where a server's pages live (without the account query, so that
/// sub-addresses can be appended: `{href}/status{query}`).
pub fn server_href(ctx: &OrgCtx, id: &str) -> String {
    ctx.href(&format!("servers/{id}"))
}
