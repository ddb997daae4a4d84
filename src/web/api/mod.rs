//! The JSON API, `/api/v1/o/{slug}/...`: the panel's operations for
//! scripts, through the same door, flags and audit log as the pages,
//! following the Engine Yard Core API conventions (token in the
//! `X-TEAMPANEL-TOKEN` header or the `token` parameter; `errors` in every
//! failure; 422 with `unpermitted` or `missing`; `X-RateLimit-*` headers).
//!
//! [`door::ApiCtx`] opens a request; tokens are made on the profile page
//! ([`crate::web::api_tokens`]). Every answer is JSON, whatever the
//! request's content type, unknown addresses under `/api/` included.

mod audit;
mod cloud_accounts;
pub mod door;
pub mod error;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpMessage, HttpResponse, web};

use crate::auth::api_rate::RateState;
use error::ApiError;

/// Registers the API's scope, with its headers and its own answer for
/// unknown addresses.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .wrap(from_fn(rate_headers))
            .route(
                "/v1/o/{slug}/cloud_accounts",
                web::get().to(cloud_accounts::list),
            )
            .route("/v1/o/{slug}/audit", web::get().to(audit::list))
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// The token's rate limit on every answer its request got, error or not:
/// the door leaves its count in the request's extensions.
async fn rate_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let rate = response.request().extensions().get::<RateState>().copied();
    if let Some(rate) = rate {
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-ratelimit-limit", i64::from(rate.limit)),
            ("x-ratelimit-remaining", i64::from(rate.remaining)),
            ("x-ratelimit-reset", rate.reset_at),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
    Ok(response)
}
