//! The organisation pages' routes: every `/o/{slug}/` route as (method,
//! path), for the isolation walk and its test, and the registration of the
//! core organisation pages.
//!
//! The extractor those pages take, [`crate::web::org_ctx::OrgCtx`], lives in
//! its own file: every page family depends on it, while this file depends on
//! every family (their route tables), so the two are kept apart.

use crate::web::routing::Routes;

/// Every route under `/o/{slug}/`, as (method, path pattern). The isolation
/// test requests each one for an organisation the user does not belong to,
/// and checks that every `/o/{slug}` route in `src/web/` is listed here.
pub const ORG_ROUTES: &[(&str, &str)] = &[
    ("GET", "/o/{slug}"),
    ("GET", "/o/{slug}/"),
    ("GET", "/o/{slug}/members"),
    ("POST", "/o/{slug}/members/invite"),
    ("POST", "/o/{slug}/members/{user_id}/role"),
    ("POST", "/o/{slug}/members/{user_id}/remove"),
    ("POST", "/o/{slug}/invitations/{invitation_id}/revoke"),
    // The organisation's two-factor requirement (src/web/org_two_factor.rs).
    ("POST", "/o/{slug}/members/two-factor"),
    ("GET", "/o/{slug}/roles"),
    ("POST", "/o/{slug}/roles"),
    ("GET", "/o/{slug}/roles/{role_id}"),
    ("POST", "/o/{slug}/roles/{role_id}"),
    ("POST", "/o/{slug}/roles/{role_id}/clone"),
    ("POST", "/o/{slug}/roles/{role_id}/delete"),
    // Cloud accounts (src/web/accounts.rs).
    ("GET", "/o/{slug}/accounts"),
    ("POST", "/o/{slug}/accounts"),
    ("POST", "/o/{slug}/accounts/{account_id}/token"),
    ("POST", "/o/{slug}/accounts/{account_id}/rename"),
    ("POST", "/o/{slug}/accounts/{account_id}/default"),
    ("POST", "/o/{slug}/accounts/{account_id}/delete"),
    // The overview's token check (src/web/org_home.rs).
    ("POST", "/o/{slug}/accounts/{account_id}/check"),
    // The change queue (src/web/queue.rs).
    ("GET", "/o/{slug}/queue"),
    ("POST", "/o/{slug}/queue/{queue_id}/cancel"),
    // Audit log (src/web/audit.rs).
    ("GET", "/o/{slug}/audit"),
    ("GET", "/o/{slug}/audit/export.csv"),
    ("GET", "/o/{slug}/audit/export.json"),
    // Servers (src/web/servers/).
    ("GET", "/o/{slug}/servers"),
    ("POST", "/o/{slug}/servers"),
    ("GET", "/o/{slug}/servers/new"),
    ("GET", "/o/{slug}/servers/{id}"),
    ("GET", "/o/{slug}/servers/{id}/row"),
    ("GET", "/o/{slug}/servers/{id}/status"),
    ("GET", "/o/{slug}/servers/{id}/cards/{card}"),
    ("GET", "/o/{slug}/servers/{id}/hdds/{hdd_id}"),
    ("GET", "/o/{slug}/servers/{id}/ips/{ip_id}"),
    (
        "GET",
        "/o/{slug}/servers/{id}/private_networks/{network_id}",
    ),
    ("POST", "/o/{slug}/servers/{id}/rename"),
    ("POST", "/o/{slug}/servers/{id}/power"),
    ("POST", "/o/{slug}/servers/{id}/hardware"),
    ("POST", "/o/{slug}/servers/{id}/hdds"),
    ("POST", "/o/{slug}/servers/{id}/hdds/{hdd_id}/resize"),
    ("POST", "/o/{slug}/servers/{id}/hdds/{hdd_id}/delete"),
    ("POST", "/o/{slug}/servers/{id}/image"),
    ("POST", "/o/{slug}/servers/{id}/ips"),
    ("POST", "/o/{slug}/servers/{id}/ips/{ip_id}/delete"),
    ("POST", "/o/{slug}/servers/{id}/ips/{ip_id}/firewall"),
    ("POST", "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers"),
    (
        "POST",
        "/o/{slug}/servers/{id}/ips/{ip_id}/load_balancers/{lb_id}/delete",
    ),
    ("POST", "/o/{slug}/servers/{id}/private_networks"),
    (
        "POST",
        "/o/{slug}/servers/{id}/private_networks/{network_id}/delete",
    ),
    ("POST", "/o/{slug}/servers/{id}/snapshots"),
    (
        "POST",
        "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/restore",
    ),
    (
        "POST",
        "/o/{slug}/servers/{id}/snapshots/{snapshot_id}/delete",
    ),
    ("POST", "/o/{slug}/servers/{id}/dvd"),
    ("POST", "/o/{slug}/servers/{id}/dvd/eject"),
    ("POST", "/o/{slug}/servers/{id}/clone"),
    ("POST", "/o/{slug}/servers/{id}/delete"),
];

/// Every organisation route: the core pages above, then each resource
/// family's own table (kept beside its handlers). The isolation walk visits
/// all of them, and a test checks this list against the source.
pub fn org_routes() -> Vec<(&'static str, &'static str)> {
    let families: &[&[(&str, &str)]] = &[
        crate::web::storages::block::ROUTES,
        crate::web::storages::shared::ROUTES,
        crate::web::networks::private_networks::ROUTES,
        crate::web::networks::public_ips::ROUTES,
        crate::web::networks::firewall_policies::ROUTES,
        crate::web::networks::load_balancers::ROUTES,
        crate::web::networks::vpns::ROUTES,
        crate::web::account::images::ROUTES,
        crate::web::account::ssh_keys::ROUTES,
        crate::web::account::catalogue::ROUTES,
        crate::web::account::logs::ROUTES,
        crate::web::account::cloud_users::ROUTES,
        crate::web::account::cloud_roles::ROUTES,
        crate::web::account::usage::ROUTES,
        crate::web::monitoring::ROUTES,
    ];
    ORG_ROUTES
        .iter()
        .chain(families.iter().copied().flatten())
        .copied()
        .collect()
}

/// Registers the organisation pages of this area.
pub fn routes(cfg: &mut Routes) {
    crate::web::org_home::routes(cfg);
    crate::web::members::routes(cfg);
    crate::web::org_two_factor::routes(cfg);
    crate::web::roles::routes(cfg);
    crate::web::queue::routes(cfg);
}
