//! Requests for approval over the API, as on the Approvals page: any
//! member sees them; the requester says why (`ask`) or withdraws
//! (`DELETE`); another member with the kind's approve flag approves or
//! rejects. A held change's 202 answer names the request's id.

use actix_web::{HttpResponse, Route, web};
use serde_json::{Value, json};

use super::door::ApiCtx;
use super::error::ApiError;
use super::params::Fields;
use super::routes::{ApiRoute, Body, Kind, Param, Verb};
use crate::tenant::{ApprovalRefusal as Refusal, HeldChange};
use crate::web::approvals::checked_text;

const TAG: &str = "Approvals";

const REASON: &[Param] = &[Param::required(
    "reason",
    Kind::Text,
    "Why the change is needed (at most 500 characters).",
)];
const NOTE: &[Param] = &[Param::optional(
    "note",
    Kind::Text,
    "A note for the requester and the audit log (at most 500 characters).",
)];

pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::org(
            Verb::Get,
            "/approvals",
            TAG,
            "The organisation's requests for approval: waiting ones, then the last decided",
            None,
            |r: Route| r.to(list),
        ),
        ApiRoute::org(
            Verb::Get,
            "/approvals/{id}",
            TAG,
            "One request for approval: draft, pending, approved, rejected, expired or cancelled",
            None,
            |r: Route| r.to(one),
        ),
        ApiRoute::org(
            Verb::Post,
            "/approvals/{id}/ask",
            TAG,
            "Say why and ask for approval (the requester, for a draft)",
            None,
            |r: Route| r.to(ask),
        )
        .body(Body::flat(REASON)),
        ApiRoute::org(
            Verb::Post,
            "/approvals/{id}/approve",
            TAG,
            "Approve another member's request (the kind's organisation.approve_* flag): the \
             change joins its account's queue as the requester",
            None,
            |r: Route| r.to(approve),
        )
        .body(Body::flat(NOTE)),
        ApiRoute::org(
            Verb::Post,
            "/approvals/{id}/reject",
            TAG,
            "Reject another member's request (the kind's organisation.approve_* flag)",
            None,
            |r: Route| r.to(reject),
        )
        .body(Body::flat(NOTE)),
        ApiRoute::org(
            Verb::Delete,
            "/approvals/{id}",
            TAG,
            "Withdraw one's own draft or pending request",
            None,
            |r: Route| r.to(withdraw),
        ),
    ]
}

fn request(row: &HeldChange) -> Value {
    json!({
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "cloud_account_id": row.cloud_account_id,
        "action": row.action,
        "target": { "kind": row.target_kind, "id": row.target_id, "name": row.target_name },
        "details": row.details_json(),
        "requested_by": row.requester_label,
        "reason": row.reason,
        "decided_by": row.decided_label,
        "decided_at": row.decided_at,
        "note": row.note,
        "queue_id": row.queue_id,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
    })
}

fn id_of(ctx: &ApiCtx) -> Result<i64, ApiError> {
    ctx.path("id").parse().map_err(|_| ApiError::not_found())
}

async fn list(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let rows = ctx.as_member().held_changes().await?;
    let requests: Vec<Value> = rows.iter().map(request).collect();
    Ok(HttpResponse::Ok().json(json!({ "approvals": requests })))
}

async fn one(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let row = ctx
        .as_member()
        .held_change(id_of(&ctx)?)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(json!({ "approval": request(&row) })))
}

/// The request as it is after a step, or the step's refusal.
async fn answer(
    ctx: &ApiCtx,
    id: i64,
    outcome: Result<(), Refusal>,
) -> Result<HttpResponse, ApiError> {
    match outcome {
        Ok(()) => one_after(ctx, id).await,
        Err(Refusal::NotFound) => Err(ApiError::not_found()),
        Err(Refusal::NotOpen(state)) => Err(ApiError::conflict(format!(
            "This request is {state} now: nothing was changed."
        ))),
        Err(Refusal::OwnRequest) => Err(ApiError::forbidden(
            "Nobody decides on their own request: another member must.",
        )),
        Err(Refusal::NoFlag(p)) => Err(ApiError::forbidden(format!(
            "You need the permission “{}” ({p}) to decide on this request.",
            p.title()
        ))),
        Err(Refusal::NotRequester) => Err(ApiError::forbidden(
            "Only the member who asked may say why or withdraw it.",
        )),
    }
}

async fn one_after(ctx: &ApiCtx, id: i64) -> Result<HttpResponse, ApiError> {
    let row = ctx
        .as_member()
        .held_change(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(json!({ "approval": request(&row) })))
}

/// A text field checked as the page checks it; 422 beside the field.
fn text(fields: &Fields, name: &str) -> Result<String, ApiError> {
    checked_text(&fields.text(name)).map_err(|m| ApiError::fields([(name.to_owned(), m)]))
}

async fn ask(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let id = id_of(&ctx)?;
    let fields = Fields::parse(&bytes, &Body::flat(REASON))?;
    let reason = text(&fields, "reason")?;
    if reason.is_empty() {
        return Err(ApiError::fields([(
            "reason".to_owned(),
            "Say why this change is needed.".to_owned(),
        )]));
    }
    let outcome = ctx.as_member().ask_approval(id, &reason).await?;
    answer(&ctx, id, outcome).await
}

async fn approve(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let id = id_of(&ctx)?;
    let note = text(&Fields::parse(&bytes, &Body::flat(NOTE))?, "note")?;
    let outcome = ctx.as_member().approve(id, &note).await?;
    answer(&ctx, id, outcome.map(|_| ())).await
}

async fn reject(ctx: ApiCtx, bytes: web::Bytes) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let id = id_of(&ctx)?;
    let note = text(&Fields::parse(&bytes, &Body::flat(NOTE))?, "note")?;
    let outcome = ctx.as_member().reject_approval(id, &note).await?;
    answer(&ctx, id, outcome).await
}

async fn withdraw(ctx: ApiCtx) -> Result<HttpResponse, ApiError> {
    ctx.params(&[])?;
    let id = id_of(&ctx)?;
    let outcome = ctx.as_member().withdraw_approval(id).await?;
    answer(&ctx, id, outcome).await
}
