//! `GET /api/v1/o/{slug}/audit?page=N`: the organisation's audit events,
//! newest first, 50 a page, under `organisation.view_audit`.

use actix_web::HttpResponse;
use serde_json::json;

use super::door::ApiCtx;
use super::error::ApiError;
use crate::audit::{AuditRow, Filter};
use crate::rbac::perms;

const PER_PAGE: i64 = 50;

fn event(row: &AuditRow) -> serde_json::Value {
    // Details are stored redacted, as JSON text.
    let details: serde_json::Value =
        serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null);
    json!({
        "id": row.id,
        "at": row.at,
        "actor_id": row.actor_id,
        "actor": row.actor_label,
        "action": row.action,
        "outcome": row.outcome,
        "target": { "kind": row.target_kind, "id": row.target_id, "name": row.target_name },
        "cloud_account_id": row.cloud_account_id,
        "details": details,
        "error": row.error,
        "request_id": row.request_id,
        "correlation_id": row.correlation_id,
    })
}

pub async fn list(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let params = ctx.params(&["page"])?;
    let page = match params.iter().rev().find(|(k, _)| k == "page") {
        None => 1,
        Some((_, v)) if v.trim().is_empty() => return Err(ApiError::missing("page")),
        Some((_, v)) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| ApiError::invalid("page must be a whole number from 1."))?,
    };
    let tenant = ctx.require(perms::ORGANISATION_VIEW_AUDIT).await?;
    let (rows, total) = tenant
        .audit_search(&Filter::default(), (page - 1) * PER_PAGE, PER_PAGE)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "events": rows.iter().map(event).collect::<Vec<_>>(),
        "page": page,
        "per_page": PER_PAGE,
        "total": total,
    })))
}
