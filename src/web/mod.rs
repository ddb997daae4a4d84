//! The panel's pages: one module per page area, and the route table.

pub mod accounts;
pub mod admin;
pub mod assets;
pub mod audit;
pub mod auth_pages;
pub mod flash;
pub mod forms;
pub mod home;
pub mod members;
pub mod middleware;
pub mod nav;
pub mod org;
pub mod org_home;
pub mod page;
pub mod roles;
pub mod servers;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::error::{AppError, AppResult};

/// Registers every route of the panel.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(home::healthz))
        .route("/static/{name}", web::get().to(assets::serve))
        .route("/", web::get().to(home::index))
        .route("/login", web::get().to(auth_pages::login_form))
        .route("/login", web::post().to(auth_pages::login))
        .route("/logout", web::post().to(auth_pages::logout))
        .route("/account", web::get().to(auth_pages::account))
        .route(
            "/account/password",
            web::post().to(auth_pages::change_password),
        )
        .route(
            "/account/sessions/end-all",
            web::post().to(auth_pages::end_all_sessions),
        )
        .configure(org::routes)
        .configure(crate::web::accounts::routes)
        .configure(crate::web::audit::routes)
        .configure(servers::routes)
        .configure(admin::routes);
}

/// Renders a template into an HTML response with the given status.
pub fn render(status: StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to render a page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The answer for any address no route matches: the panel's 404 page, in its layout.
pub async fn not_found(page: page::PageCtx) -> HttpResponse {
    crate::error::error_page(
        StatusCode::NOT_FOUND,
        &page,
        "Page not found",
        "There is nothing at this address, or it was removed.",
    )
}
