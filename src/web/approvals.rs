//! `/o/{slug}/approvals`: changes held for a second member's approval
//! (see [`crate::tenant::ApprovalKind`]). Any member sees them; the
//! requester says why, or withdraws; another member with the kind's
//! approve flag approves (the change goes in the account's queue as the
//! requester) or rejects. An Owner chooses which kinds are held.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app_state::AppState;
use crate::tenant::{ApprovalKind, ApprovalRefusal as Refusal, Approved, HeldChange};
use crate::web::error::{AppError, AppResult};
use crate::web::members::invite_link;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::routing::org_routes;
use crate::web::{flash, redirect, render};

org_routes! {
    fn routes;
    "/approvals" {
        GET  "" => list,
        POST "/settings" => settings,
        GET  "/{approval_id}" => detail,
        POST "/{approval_id}/ask" => ask,
        POST "/{approval_id}/approve" => approve,
        POST "/{approval_id}/reject" => reject,
        POST "/{approval_id}/withdraw" => withdraw,
    }
}

/// The longest reason or note kept.
const MAX_TEXT: usize = 500;

/// A held change as the pages show it.
struct RequestView {
    id: i64,
    kind: String,
    what: String,
    /// The cloud account it is about, if any.
    account_id: Option<i64>,
    requester: String,
    reason: String,
    state: String,
    state_class: &'static str,
    created: String,
    expires: String,
    decided: String,
    note: String,
    details: String,
    /// The viewer asked for it.
    mine: bool,
    /// The viewer may approve or reject it now.
    may_decide: bool,
    /// Why the viewer may not, when it is pending and not theirs.
    why_not: String,
    queue_id: Option<i64>,
    /// An approved invitation's link, for the member who asked.
    invite_link: Option<String>,
}

fn time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn view(ctx: &OrgCtx, row: HeldChange) -> RequestView {
    let kind = ApprovalKind::parse(&row.kind);
    let mine = row.requester_id == Some(ctx.user.id);
    let pending = row.state == "pending";
    let flag = kind.map(ApprovalKind::permission);
    let may = flag.is_some_and(|p| ctx.can(p));
    let why_not = match (pending, mine, flag) {
        (true, true, _) => "Another member decides on your request.".to_owned(),
        (true, false, Some(p)) if !may => {
            format!("Deciding needs the permission “{}” ({p}).", p.title())
        }
        _ => String::new(),
    };
    let target = if row.target_name.is_empty() {
        row.target_id.clone()
    } else {
        row.target_name.clone()
    };
    RequestView {
        id: row.id,
        kind: kind.map_or_else(|| row.kind.clone(), |k| k.title().to_owned()),
        what: format!(
            "{}: {} {target}",
            row.action,
            row.target_kind.replace('_', " ")
        )
        .trim()
        .to_owned(),
        account_id: row.cloud_account_id,
        requester: row.requester_label.clone(),
        reason: row.reason.clone(),
        state_class: match row.state.as_str() {
            "approved" => "ok",
            "pending" | "draft" => "warn",
            _ => "bad",
        },
        created: time(row.created_at),
        expires: time(row.expires_at),
        decided: match (&row.decided_label, row.decided_at) {
            (Some(by), Some(at)) => format!("{by}, {}", time(at)),
            (None, Some(at)) => time(at),
            _ => String::new(),
        },
        note: row.note.clone(),
        details: serde_json::to_string_pretty(&row.details_json()).unwrap_or_default(),
        mine,
        may_decide: pending && !mine && may,
        why_not,
        queue_id: row.queue_id,
        invite_link: None,
        state: row.state,
    }
}

struct KindChoice {
    key: &'static str,
    title: &'static str,
    held: bool,
}

#[derive(Template)]
#[template(path = "approvals/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    open: Vec<RequestView>,
    decided: Vec<RequestView>,
    kinds: Vec<KindChoice>,
    is_owner: bool,
}

#[derive(Template)]
#[template(path = "approvals/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    r: RequestView,
}

async fn list(ctx: OrgCtx) -> AppResult<HttpResponse> {
    let tenant = ctx.as_member();
    let held = tenant.approval_kinds().await?;
    let (open, decided): (Vec<_>, Vec<_>) = tenant
        .held_changes()
        .await?
        .into_iter()
        .partition(HeldChange::is_open);
    let kinds = ApprovalKind::ALL
        .into_iter()
        .map(|k| KindChoice {
            key: k.key(),
            title: k.title(),
            held: held.contains(&k),
        })
        .collect();
    let page = ctx.page.clone().with_section("approvals");
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            org_name: &ctx.org().name,
            open: open.into_iter().map(|r| view(&ctx, r)).collect(),
            decided: decided.into_iter().map(|r| view(&ctx, r)).collect(),
            kinds,
            is_owner: tenant.is_owner(),
        },
    )
}

async fn load(ctx: &OrgCtx, id: i64) -> AppResult<HeldChange> {
    ctx.as_member()
        .held_change(id)
        .await?
        .ok_or_else(|| AppError::NotFound.in_page(&ctx.page))
}

async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: OrgCtx,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let row = load(&ctx, id).await?;
    let token = ctx.as_member().approved_invitation_token(&row).await?;
    let mut r = view(&ctx, row);
    r.invite_link = token.map(|t| invite_link(&state, &req, &t));
    let page = ctx.page.clone().with_section("approvals");
    render(StatusCode::OK, &DetailPage { page: &page, r })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    delete: Option<String>,
    reinstall: Option<String>,
    snapshot_restore: Option<String>,
    firewall_open: Option<String>,
    account_token: Option<String>,
    panel_access: Option<String>,
}

/// An Owner chooses the kinds held for approval; anyone else is refused
/// with the 403 page and a `denied` event.
async fn settings(
    ctx: OrgCtx,
    session: Session,
    form: web::Form<SettingsForm>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.as_member();
    if !tenant.is_owner() {
        tenant
            .deny(
                crate::audit::NewEvent::new("approval.settings", crate::audit::Outcome::Denied)
                    .target("organisation", ctx.org().id, &ctx.org().slug)
                    .error("only an Owner chooses what needs approval"),
            )
            .await;
        return Err(AppError::Forbidden(
            "Only an Owner chooses which changes need a second member's approval.".into(),
        )
        .in_page(&ctx.page));
    }
    let on = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
    let chosen: Vec<ApprovalKind> = [
        (ApprovalKind::Delete, &form.delete),
        (ApprovalKind::Reinstall, &form.reinstall),
        (ApprovalKind::SnapshotRestore, &form.snapshot_restore),
        (ApprovalKind::FirewallOpen, &form.firewall_open),
        (ApprovalKind::AccountToken, &form.account_token),
        (ApprovalKind::PanelAccess, &form.panel_access),
    ]
    .into_iter()
    .filter(|(_, v)| on(v))
    .map(|(k, _)| k)
    .collect();
    tenant.set_approval_kinds(&chosen).await?;
    flash::success(
        &session,
        match chosen.len() {
            0 => "No change needs a second member's approval now.".to_owned(),
            n => format!("{n} kinds of change now need a second member's approval."),
        },
    );
    Ok(redirect(&ctx.href("approvals")))
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

/// A reason or note as typed: trimmed, at most [`MAX_TEXT`] characters
/// (the JSON API checks its own the same way).
pub(crate) fn checked_text(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(format!("Keep it to {MAX_TEXT} characters."));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err("Only plain text, please.".into());
    }
    Ok(text.to_owned())
}

/// Where a step on request `id` leads, with its refusal said.
fn after(
    ctx: &OrgCtx,
    session: &Session,
    id: i64,
    outcome: Result<String, Refusal>,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(message) => flash::success(session, message),
        Err(Refusal::NotFound) => return Err(AppError::NotFound.in_page(&ctx.page)),
        Err(Refusal::NotOpen(state)) => flash::error(
            session,
            format!("This request is {state} now: nothing was changed."),
        ),
        Err(Refusal::OwnRequest) => {
            return Err(AppError::Forbidden(
                "Nobody decides on their own request: another member must.".into(),
            )
            .in_page(&ctx.page));
        }
        Err(Refusal::NoFlag(p)) => {
            return Err(AppError::Forbidden(format!(
                "You need the permission “{}” ({p}) to decide on this request.",
                p.title()
            ))
            .in_page(&ctx.page));
        }
        Err(Refusal::NotRequester) => {
            return Err(AppError::Forbidden(
                "Only the member who asked may say why or withdraw it.".into(),
            )
            .in_page(&ctx.page));
        }
    }
    Ok(redirect(&ctx.href(&format!("approvals/{id}"))))
}

async fn ask(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
    form: web::Form<TextForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let reason = match checked_text(&form.text) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => {
            flash::error(&session, "Say why this change is needed.");
            return Ok(redirect(&ctx.href(&format!("approvals/{id}"))));
        }
        Err(message) => {
            flash::error(&session, message);
            return Ok(redirect(&ctx.href(&format!("approvals/{id}"))));
        }
    };
    let outcome = ctx.as_member().ask_approval(id, &reason).await?;
    after(
        &ctx,
        &session,
        id,
        outcome.map(|()| {
            "Asked: another member with the permission to approve it can now approve or reject it."
                .to_owned()
        }),
    )
}

/// A decision with its optional note: approve, or reject.
async fn decide(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
    form: web::Form<TextForm>,
    approving: bool,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let note = match checked_text(&form.text) {
        Ok(n) => n,
        Err(message) => {
            flash::error(&session, message);
            return Ok(redirect(&ctx.href(&format!("approvals/{id}"))));
        }
    };
    let tenant = ctx.as_member();
    let outcome =
        if approving {
            tenant.approve(id, &note).await?.map(|approved| match approved {
            Approved::Queued(_) => "Approved: the change waits in its account's queue and runs \
                 as the member who asked, once their permission is checked again."
                .to_owned(),
            Approved::Made => "Approved: the change was made as the member who asked.".to_owned(),
            Approved::NotMade(why) => {
                format!("Approved, but the change could not be made: {why}. Nothing was changed.")
            }
        })
        } else {
            tenant
                .reject_approval(id, &note)
                .await?
                .map(|()| "Rejected: nothing was sent.".to_owned())
        };
    after(&ctx, &session, id, outcome)
}

async fn approve(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
    form: web::Form<TextForm>,
) -> AppResult<HttpResponse> {
    decide(ctx, session, path, form, true).await
}

async fn reject(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
    form: web::Form<TextForm>,
) -> AppResult<HttpResponse> {
    decide(ctx, session, path, form, false).await
}

async fn withdraw(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let outcome = ctx.as_member().withdraw_approval(id).await?;
    after(
        &ctx,
        &session,
        id,
        outcome.map(|()| "Withdrawn: nothing was sent.".to_owned()),
    )
}
