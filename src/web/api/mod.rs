//! The JSON API, `/api/v1/o/{slug}/...`: the panel's operations for
//! scripts, through the same door, flags and audit log as the pages,
//! following the Engine Yard Core API conventions (token in the
//! `X-TEAMPANEL-TOKEN` header or the `token` parameter; `errors` in every
//! failure; 422 with `unpermitted` or `missing`; `X-RateLimit-*` headers).
//!
//! [`door::ApiCtx`] opens a request; tokens are made on the profile page
//! ([`crate::web::api_tokens`]). Every answer is JSON, whatever the
//! request's content type, unknown addresses under `/api/` included.

mod act;
mod approvals;
mod audit;
mod catalogue;
mod cloud_access;
mod cloud_accounts;
pub mod door;
mod e2e;
pub mod error;
mod families;
mod firewall_policies;
mod images;
mod load_balancers;
mod monitoring_policies;
mod networks;
mod openapi;
mod params;
mod queue;
mod reports;
pub mod routes;
mod server_parts;
mod servers;
mod storages;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpMessage, HttpResponse, web};

use crate::auth::api_rate::RateState;
use crate::web as pages;
use error::ApiError;
use families::routes as family;
use routes::{ApiRoute, Verb};

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Every route of the API, in the order they are registered (literal
/// segments before `{id}`) and documented.
pub fn all_routes() -> Vec<ApiRoute> {
    let mut all = vec![
        ApiRoute::at(
            Verb::Get,
            OPENAPI_PATH.to_owned(),
            "Reference",
            "The OpenAPI document of this API",
            None,
            |r: actix_web::Route| r.to(openapi::serve),
        )
        .open(),
    ];
    all.extend(cloud_accounts::routes());
    all.extend(queue::routes());
    all.extend(approvals::routes());
    all.extend(audit::routes());
    all.extend(catalogue::routes());
    all.extend(reports::routes());
    all.extend(servers::routes());
    all.extend(server_parts::routes());
    for routes in [
        family::<pages::block_storages::list::BlockStorages>(),
        family::<pages::shared_storages::list::SharedStorages>(),
        storages::routes(),
        family::<pages::images::list::Images>(),
        family::<pages::ssh_keys::list::SshKeys>(),
        images::routes(),
        family::<pages::public_ips::list::PublicIps>(),
        family::<pages::private_networks::list::PrivateNetworks>(),
        family::<pages::vpns::list::Vpns>(),
        networks::routes(),
        family::<pages::firewall_policies::list::FirewallPolicies>(),
        firewall_policies::routes(),
        family::<pages::load_balancers::list::LoadBalancers>(),
        load_balancers::routes(),
        family::<pages::monitoring_policies::list::Policies>(),
        monitoring_policies::routes(),
        family::<pages::cloud_users::list::CloudUsers>(),
        family::<pages::cloud_roles::list::CloudRoles>(),
        cloud_access::routes(),
        family::<pages::e2e_nodes::list::Nodes>(),
        e2e::routes(),
        family::<pages::e2e_images::list::Images>(),
    ] {
        all.extend(routes);
    }
    all
}

/// Registers the API's scope, with its headers and its own answer for
/// unknown addresses.
pub fn register(cfg: &mut web::ServiceConfig) {
    let scope = all_routes().iter().fold(
        web::scope("/api").wrap(from_fn(rate_headers)),
        |scope, r| scope.route(r.scoped_path(), r.handler()),
    );
    cfg.service(scope.default_service(web::to(not_found)));
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
