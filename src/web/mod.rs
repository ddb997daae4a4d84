//! The panel's pages: one module per page family, named by its URL word
//! (as its templates' folder), and the route table.

pub mod admin;
pub mod api;
pub mod api_tokens;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod auth_pages;
pub mod block_storages;
pub mod bulk;
pub mod catalogue;
pub mod charts;
pub mod cloud;
pub mod cloud_accounts;
pub mod cloud_roles;
pub mod cloud_users;
pub mod confirm;
pub mod e2e_catalogue;
pub mod e2e_images;
pub mod e2e_nodes;
pub mod firewall_policies;
pub mod flash;
pub mod home;
pub mod images;
pub mod load_balancers;
pub mod logs;
pub mod matrix;
pub mod member_scope;
pub mod members;
pub mod metrics;
pub mod middleware;
pub mod monitoring;
pub mod monitoring_policies;
pub mod nav;
pub mod networks;
pub mod oidc;
pub mod org;
pub mod org_ctx;
pub mod org_home;
pub mod org_two_factor;
pub mod page;
pub mod page_build;
mod pending_sign_in;
pub mod private_networks;
pub mod public_ips;
pub mod queue;
pub mod roles;
pub mod routing;
pub mod schedules;
pub mod servers;
pub mod shared_storages;
pub mod spliced;
pub mod ssh_keys;
pub mod storages;
pub mod two_factor;
pub mod usage;
pub mod vpns;
pub mod webhooks;

pub mod csrf;
pub mod error;
pub mod extract;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;

use crate::audit::AuditCtx;
use crate::db::users::User;
use crate::web::error::{AppError, AppResult};
use crate::web::routing::Routes;

/// Registers every route of the panel, nested (see [`routing`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut table = Routes::default();
    table
        .route("/healthz", web::get().to(home::healthz))
        .route("/metrics", web::get().to(metrics::scrape))
        .route("/static/{name}", web::get().to(assets::serve))
        .route("/", web::get().to(home::index))
        .route("/login", web::get().to(auth_pages::login_form))
        .route("/login", web::post().to(auth_pages::login))
        .route("/logout", web::post().to(auth_pages::logout))
        .route("/profile", web::get().to(auth_pages::profile))
        .route(
            "/profile/password",
            web::post().to(auth_pages::change_password),
        )
        .route(
            "/profile/sessions/end-all",
            web::post().to(auth_pages::end_all_sessions),
        )
        .route(
            "/profile/sessions/{public_id}/end",
            web::post().to(auth_pages::end_session),
        );
    two_factor::routes(&mut table);
    oidc::routes(&mut table);
    api_tokens::routes(&mut table);
    org::routes(&mut table);
    cloud_accounts::routes(&mut table);
    audit::routes(&mut table);
    servers::routes(&mut table);
    block_storages::routes(&mut table);
    shared_storages::routes(&mut table);
    private_networks::routes(&mut table);
    public_ips::routes(&mut table);
    firewall_policies::routes(&mut table);
    load_balancers::routes(&mut table);
    vpns::routes(&mut table);
    images::routes(&mut table);
    ssh_keys::routes(&mut table);
    catalogue::routes(&mut table);
    logs::routes(&mut table);
    cloud_users::routes(&mut table);
    cloud_roles::routes(&mut table);
    usage::routes(&mut table);
    monitoring::routes(&mut table);
    monitoring_policies::routes(&mut table);
    e2e_nodes::routes(&mut table);
    e2e_images::routes(&mut table);
    e2e_catalogue::routes(&mut table);
    webhooks::routes(&mut table);
    admin::routes(&mut table);
    table.register(cfg);
    api::register(cfg);
}

/// Renders a template into an HTML response with the given status.
pub fn render<T: Template>(status: StatusCode, template: &T) -> AppResult<HttpResponse> {
    // Room for a list page from the start: growing a string step by step
    // copies what was written at each step.
    let mut body = String::with_capacity(T::SIZE_HINT.max(32 * 1024));
    template
        .render_into(&mut body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to render a page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The answer for any address no route matches: the panel's 404 page, in its layout.
pub async fn not_found(page: page::PageCtx) -> HttpResponse {
    crate::web::error::error_page(
        StatusCode::NOT_FOUND,
        &page,
        "Page not found",
        "There is nothing at this address, or it was removed.",
    )
}

/// A 303 to `location`: the answer to every successful form (POST/redirect/GET).
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Who is acting, in which organisation, from where: for audit events.
pub fn audit_ctx(req: &HttpRequest, org_id: Option<i64>, user: Option<&User>) -> AuditCtx {
    AuditCtx {
        org_id,
        actor_id: user.map(|u| u.id),
        actor_label: user.map(|u| u.email.clone()).unwrap_or_default(),
        ip: req.peer_addr().map(|a| a.ip().to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(200).collect()),
        request_id: req
            .extensions()
            .get::<middleware::RequestId>()
            .map(ToString::to_string),
    }
}
