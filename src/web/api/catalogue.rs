//! What a server is made from, for a script creating one: the fixed
//! instance sizes, the images (appliances) and the datacenters, under
//! `servers.show` as on the catalogue pages.

use actix_web::{HttpResponse, Route};
use serde::Serialize;
use serde_json::json;

use super::act::{meta, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::DETAIL_QUERY;
use super::routes::{ApiRoute, Verb};
use crate::cloudpanel::{CloudError, Fetched, ListQuery};
use crate::rbac::perms;
use crate::web::cloud::Upstream;

const TAG: &str = "Catalogue";

pub fn routes() -> Vec<ApiRoute> {
    [
        (
            "fixed_instance_sizes",
            "The fixed instance sizes",
            (|r: Route| r.to(sizes)) as fn(Route) -> Route,
        ),
        (
            "appliances",
            "The images a server can be made from",
            |r: Route| r.to(appliances),
        ),
        ("datacenters", "The datacenters", |r: Route| {
            r.to(datacenters)
        }),
    ]
    .into_iter()
    .map(|(word, summary, to)| {
        ApiRoute::org(
            Verb::Get,
            &format!("/catalogue/{word}"),
            TAG,
            summary,
            Some(perms::SERVERS_SHOW),
            to,
        )
        .query(DETAIL_QUERY)
    })
    .collect()
}

/// Opens the account under `servers.show` and answers `read`'s list under `key`.
async fn answer<T: Serialize>(
    ctx: ApiCtx,
    key: &str,
    read: impl AsyncFnOnce(&Upstream) -> Result<Fetched<Vec<T>>, CloudError>,
) -> Result<HttpResponse, ApiError> {
    let query = ctx.query(DETAIL_QUERY)?;
    let up = ctx.open(perms::SERVERS_SHOW, query.account()?).await?;
    let fetched = read(&up).await.map_err(|e| read_failed(&up, &e))?;
    Ok(HttpResponse::Ok().json(json!({ key: fetched.value, "meta": meta(&up, &fetched) })))
}

async fn sizes(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    answer(ctx, "fixed_instance_sizes", async |up| {
        up.client().list_fixed_instance_sizes().await
    })
    .await
}

async fn appliances(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    answer(ctx, "appliances", async |up| {
        up.client().list_server_appliances(&ListQuery::all()).await
    })
    .await
}

async fn datacenters(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    answer(ctx, "datacenters", async |up| {
        up.client().list_datacenters(&ListQuery::all()).await
    })
    .await
}
