//! The change queue over the API: every account's waiting and last
//! finished changes, and one change by its id, which is where a 202
//! answer's `status_url` points. Any member may see the queue, as on its
//! page; another organisation's change is not found.

use actix_web::{HttpResponse, Route};
use serde_json::{Value, json};

use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::{ApiRoute, Verb};
use crate::rbac::perms;
use crate::tenant::{Cancelled, QueuedChange as QueuedRow};

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
        ApiRoute::org(
            Verb::Delete,
            "/queue/{id}",
            TAG,
            "Cancel a waiting change: its author may, and whoever may manage cloud accounts \
             (organisation.manage_cloud_accounts)",
            None,
            |r: Route| r.to(cancel),
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

/// `DELETE /queue/{id}`: as the queue page's cancel; a change that no
/// longer waits is a conflict (409).
async fn cancel(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let id: i64 = ctx.path("id").parse().map_err(|_| ApiError::not_found())?;
    let member = ctx.as_member();
    let row = member
        .queued_change(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let via = Some(ctx.token.id);
    let outcome = if row.user_id == Some(ctx.token.user_id) {
        member.cancel_queued_via(id, via).await?
    } else {
        ctx.require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
            .await?
            .cancel_queued_via(id, via)
            .await?
    };
    match outcome {
        Cancelled::Done(row) => {
            let mut answer = change(&row);
            answer["state"] = json!("cancelled");
            Ok(HttpResponse::Ok().json(json!({ "queued_change": answer })))
        }
        Cancelled::NotWaiting(row) => Err(ApiError::conflict(format!(
            "This change no longer waits, so it cannot be cancelled: it is {}.",
            row.state
        ))),
        Cancelled::NotFound => Err(ApiError::not_found()),
    }
}
