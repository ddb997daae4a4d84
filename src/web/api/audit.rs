//! `GET /api/v1/o/{slug}/audit`: the organisation's audit events, newest
//! first, 50 a page, under `organisation.view_audit`, filtered as the audit
//! page filters them (the same parameters, read by the same code).

use actix_web::{HttpResponse, Route, web};
use serde_json::json;

use super::door::ApiCtx;
use super::error::ApiError;
use super::routes::{ApiRoute, Kind, Param, Verb};
use crate::audit::AuditRow;
use crate::rbac::perms;
use crate::web::audit::AuditQuery;

const QUERY: &[Param] = &[
    Param::optional(
        "actor",
        Kind::Text,
        "Part of the actor's e-mail address, or their user id.",
    ),
    Param::optional(
        "action",
        Kind::Text,
        "An action (server.power_off) or a family (server).",
    ),
    Param::optional(
        "target",
        Kind::Text,
        "Part of the target's name, or its id or kind.",
    ),
    Param::optional(
        "outcome",
        Kind::Text,
        "requested, succeeded, failed, denied, queued, cancelled or abandoned.",
    ),
    Param::optional("account", Kind::Integer, "A cloud account's id."),
    Param::optional(
        "from",
        Kind::Text,
        "From this day or minute (2026-05-01 or 2026-05-01T12:30, UTC).",
    ),
    Param::optional("to", Kind::Text, "Up to this day or minute, included."),
    Param::optional("page", Kind::Integer, "The page, from 1."),
];

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Get,
            "/audit",
            "Audit log",
            "The organisation's audit events, newest first",
            Some(perms::ORGANISATION_VIEW_AUDIT),
            |r: Route| r.to(list),
        )
        .query(QUERY),
    ]
}

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

async fn list(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    let names: Vec<&str> = QUERY.iter().map(|p| p.name).collect();
    let params = ctx.params(&names)?;
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
    let filter = web::Query::<AuditQuery>::from_query(ctx.req.query_string())
        .map_err(|e| ApiError::invalid(format!("The query cannot be read: {e}.")))?
        .filter()
        .map_err(|problems| ApiError::invalid(problems.join(" ")))?;
    let tenant = ctx.require(perms::ORGANISATION_VIEW_AUDIT).await?;
    let (rows, total) = tenant
        .audit_search(&filter, (page - 1) * PER_PAGE, PER_PAGE)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "events": rows.iter().map(event).collect::<Vec<_>>(),
        "page": page,
        "per_page": PER_PAGE,
        "total": total,
    })))
}
