//! The landing page and the health check.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app_state::AppState;
use crate::web::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::page::PageCtx;
use crate::web::render;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    page: &'a PageCtx,
}

/// A member of exactly one organisation goes straight to it; anyone else
/// (several organisations, none, or an instance admin) gets the list.
pub async fn index(me: CurrentUser) -> AppResult<HttpResponse> {
    if let [only] = &me.page.orgs[..]
        && !me.user.is_instance_admin
    {
        return Ok(crate::web::redirect(&format!("/o/{}/", only.slug)));
    }
    let page = me.page.with_section("home");
    render(StatusCode::OK, &HomePage { page: &page })
}

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(state.raw_db())
        .await
    {
        Ok(_) => HttpResponse::Ok().content_type("text/plain").body("ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}
