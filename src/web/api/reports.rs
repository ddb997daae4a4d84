//! What the account reports, read-only: its own logs, its usage and
//! prices, and the monitoring center. The time range is read by the same
//! code as the logs, usage and monitoring pages (`LogsParams`,
//! `PeriodParams`): a custom range needs both dates, and a wrong one is a
//! 422 naming its field, with nothing asked of the provider.

use actix_web::{HttpResponse, Route, web};
use serde::Serialize;
use serde_json::json;

use super::act::{meta, read_failed};
use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::DETAIL_QUERY;
use super::routes::{ACCOUNT, ApiRoute, Kind, Param, Verb};
use crate::cloudpanel::{CloudError, Fetched, ListQuery, TimeRange};
use crate::rbac::{Permission, perms};
use crate::web::cloud::{FieldErrors, Upstream};
use crate::web::logs::filter::LogsParams;
use crate::web::monitoring::period::PeriodParams;

const PERIOD: Param = Param::optional(
    "period",
    Kind::Text,
    "LAST_HOUR, LAST_24H (the default), LAST_7D, LAST_30D, LAST_365D or CUSTOM.",
);
const START: Param = Param::optional(
    "start_date",
    Kind::Text,
    "For CUSTOM: the first day, 2026-05-01.",
);
const END: Param = Param::optional("end_date", Kind::Text, "For CUSTOM: the last day.");

const LOGS_QUERY: &[Param] = &[
    ACCOUNT,
    PERIOD,
    START,
    END,
    Param::optional("q", Kind::Text, "Only logs that mention this."),
    Param::optional(
        "sort",
        Kind::Text,
        "newest (the default), oldest, name or -name.",
    ),
    Param::optional("page", Kind::Integer, "The page, from 1."),
];

const RANGE_QUERY: &[Param] = &[ACCOUNT, PERIOD, START, END];

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Get,
            "/logs",
            "Cloud Panel logs",
            "The account's own logs over a period",
            Some(perms::LOGS_SHOW),
            |r: Route| r.to(logs),
        )
        .query(LOGS_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/logs/{id}",
            "Cloud Panel logs",
            "One log entry",
            Some(perms::LOGS_SHOW),
            |r: Route| r.to(log),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/usage",
            "Usage & cost",
            "What the account used over a period, by resource",
            Some(perms::USAGES_SHOW),
            |r: Route| r.to(usage),
        )
        .query(RANGE_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/pricing",
            "Usage & cost",
            "The account's prices",
            Some(perms::USAGES_SHOW),
            |r: Route| r.to(pricing),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/monitoring",
            "Monitoring",
            "Every server's monitoring summary (the monitoring center)",
            Some(perms::MONITORING_CENTER_SHOW),
            |r: Route| r.to(center),
        )
        .query(DETAIL_QUERY),
        ApiRoute::org(
            Verb::Get,
            "/monitoring/{id}",
            "Monitoring",
            "A server's monitoring data over a period",
            Some(perms::MONITORING_CENTER_SHOW),
            |r: Route| r.to(server),
        )
        .query(RANGE_QUERY),
    ]
}

/// The query as the page's own parameters (the page reads them the same way).
fn page_params<T: serde::de::DeserializeOwned>(ctx: &ApiCtx) -> Result<T, ApiError> {
    web::Query::<T>::from_query(ctx.req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::invalid(format!("The query cannot be read: {e}.")))
}

/// A range the page would refuse is refused with its fields.
fn range_or_problems(range: Option<TimeRange>, errors: FieldErrors) -> Result<TimeRange, ApiError> {
    match range {
        Some(range) if errors.is_empty() => Ok(range),
        _ => Err(ApiError::fields(
            errors.into_iter().map(|(f, m)| (f.to_owned(), m)),
        )),
    }
}

/// Opens the account under `permission` and answers `read`'s value under `key`.
async fn answer<T: Serialize>(
    ctx: &ApiCtx,
    permission: Permission,
    account: Option<i64>,
    key: &str,
    read: impl AsyncFnOnce(&Upstream) -> Result<Fetched<T>, CloudError>,
) -> Result<HttpResponse, ApiError> {
    let up = ctx.open(permission, account).await?;
    let fetched = read(&up).await.map_err(|e| read_failed(&up, &e))?;
    Ok(HttpResponse::Ok().json(json!({ key: fetched.value, "meta": meta(&up, &fetched) })))
}

async fn logs(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let account = ctx.query(LOGS_QUERY)?.account()?;
    let params: LogsParams = page_params(&ctx)?;
    let (filter, range, errors) = params.read();
    let range = range_or_problems(range, errors)?;
    let query = filter.list_query();
    answer(&ctx, perms::LOGS_SHOW, account, "logs", async |up| {
        up.client().list_logs(&range, &query).await
    })
    .await
}

async fn log(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let account = ctx.query(DETAIL_QUERY)?.account()?;
    let id = ctx.object_id("id")?;
    answer(&ctx, perms::LOGS_SHOW, account, "log", async |up| {
        up.client().get_log(&id).await
    })
    .await
}

async fn usage(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let account = ctx.query(RANGE_QUERY)?.account()?;
    let params: LogsParams = page_params(&ctx)?;
    let (_, range, errors) = params.read();
    let range = range_or_problems(range, errors)?;
    answer(&ctx, perms::USAGES_SHOW, account, "usage", async |up| {
        up.client().get_usages(&range, &ListQuery::all()).await
    })
    .await
}

async fn pricing(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let account = ctx.query(DETAIL_QUERY)?.account()?;
    answer(&ctx, perms::USAGES_SHOW, account, "pricing", async |up| {
        up.client().get_pricing().await
    })
    .await
}

async fn center(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let account = ctx.query(DETAIL_QUERY)?.account()?;
    answer(
        &ctx,
        perms::MONITORING_CENTER_SHOW,
        account,
        "servers",
        async |up| up.client().list_monitoring_center(&ListQuery::all()).await,
    )
    .await
}

async fn server(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let account = ctx.query(RANGE_QUERY)?.account()?;
    let id = ctx.object_id("id")?;
    let params: PeriodParams = page_params(&ctx)?;
    let (_, range, errors) = params.read();
    let range = range_or_problems(range, errors)?;
    answer(
        &ctx,
        perms::MONITORING_CENTER_SHOW,
        account,
        "monitoring",
        async |up| up.client().get_server_monitoring(&id, &range).await,
    )
    .await
}
