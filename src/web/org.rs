//! The organisation pages' routes: every `/o/{slug}/` route as (method,
//! path), for the isolation walk and its test, and the registration of the
//! core organisation pages.
//!
//! Each module declares its routes once, beside its handlers, with
//! [`org_routes!`](crate::web::routing::org_routes): that gives its `ROUTES`
//! and its `routes` function from the same lines.
//!
//! The extractor those pages take, [`crate::web::org_ctx::OrgCtx`], lives in
//! its own file: every page family depends on it, while this file depends on
//! every family (their route tables), so the two are kept apart.

use crate::web::routing::Routes;

/// Every organisation route, as (method, path pattern): each module's
/// `ROUTES`, as its `org_routes!` declares them. The isolation test requests
/// each one for an organisation the user does not belong to, and checks
/// that the router has no organisation route besides these.
pub fn org_routes() -> Vec<(&'static str, &'static str)> {
    let modules: &[&[(&str, &str)]] = &[
        crate::web::org_home::ROUTES,
        crate::web::members::ROUTES,
        crate::web::member_scope::ROUTES,
        crate::web::approvals::ROUTES,
        crate::web::bulk::ROUTES,
        crate::web::schedules::ROUTES,
        crate::web::api_tokens::ROUTES,
        crate::web::org_two_factor::ROUTES,
        crate::web::roles::ROUTES,
        crate::web::cloud_accounts::ROUTES,
        crate::web::webhooks::ROUTES,
        crate::web::queue::ROUTES,
        crate::web::audit::ROUTES,
        crate::web::servers::ROUTES,
        crate::web::block_storages::ROUTES,
        crate::web::shared_storages::ROUTES,
        crate::web::private_networks::ROUTES,
        crate::web::public_ips::ROUTES,
        crate::web::firewall_policies::ROUTES,
        crate::web::load_balancers::ROUTES,
        crate::web::vpns::ROUTES,
        crate::web::images::ROUTES,
        crate::web::ssh_keys::ROUTES,
        crate::web::catalogue::ROUTES,
        crate::web::logs::ROUTES,
        crate::web::cloud_users::ROUTES,
        crate::web::cloud_roles::ROUTES,
        crate::web::usage::ROUTES,
        crate::web::monitoring::ROUTES,
        crate::web::monitoring_policies::ROUTES,
        crate::web::e2e_nodes::ROUTES,
        crate::web::e2e_images::ROUTES,
        crate::web::e2e_catalogue::ROUTES,
    ];
    modules.iter().copied().flatten().copied().collect()
}

/// Registers the organisation pages of this area.
pub fn routes(cfg: &mut Routes) {
    crate::web::org_home::routes(cfg);
    crate::web::members::routes(cfg);
    crate::web::member_scope::routes(cfg);
    crate::web::approvals::routes(cfg);
    crate::web::bulk::routes(cfg);
    crate::web::schedules::routes(cfg);
    crate::web::org_two_factor::routes(cfg);
    crate::web::roles::routes(cfg);
    crate::web::queue::routes(cfg);
}
