//! The change queue over the API: every account's waiting and last
//! finished changes, and one change by its id, which is where a 202
//! answer's `status_url` points. Any member may see the queue, as on its
//! page; another organisation's change is not found.

use actix_web::{HttpResponse, Route};
use serde_json::{Value, json};

use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::{ApiRoute, Verb};
use crate::tenant::QueuedChange as QueuedRow;

const TAG: &str = "Queue";

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Get,
            "/queue",
            TAG,
            "The changes waiting for each cloud account's request budget, and the last finished",
            None,
            |r: Route| r.to(list),
        ),
        ApiRoute::org(
            Verb::Get,
            "/queue/{id}",
            TAG,
            "One queued change: queued, running, succeeded, failed, cancelled, dropped or abandoned",
            None,
            |r: Route| r.to(one),
        ),
    ]
}

fn change(row: &QueuedRow) -> Value {
    json!({
        "id": row.id,
        "cloud_account_id": row.cloud_account_id,
        "state": row.state,
        "action": row.action,
        "target": { "kind": row.target_kind, "id": row.target_id, "name": row.target_name },
        "details": row.details_json(),
        "requested_by": row.actor_label,
        "correlation_id": row.correlation_id,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "upstream_status": row.upstream_status,
        "error": row.error,
    })
}

async fn list(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let queues = ctx.as_member().queue().await?;
    let accounts: Vec<Value> = queues
        .iter()
        .map(|q| {
            json!({
                "cloud_account_id": q.account_id,
                "name": q.account_name,
                "waiting": q.waiting.iter().map(|(row, position, wait)| {
                    let mut c = change(row);
                    c["position"] = json!(position);
                    c["wait_secs"] = json!(wait);
                    c
                }).collect::<Vec<_>>(),
                "finished": q.finished.iter().map(change).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "queue": accounts })))
}

async fn one(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let id: i64 = ctx.path("id").parse().map_err(|_| ApiError::not_found())?;
    let row = ctx
        .as_member()
        .queued_change(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(json!({ "queued_change": change(&row) })))
}
