//! `/o/{slug}/queue`: the changes waiting for their cloud account's request
//! budget, per account, with their place in line and estimated wait, and the
//! last ones that finished. Any member sees it (a member who queued a change
//! needs to, whatever else their role allows); a waiting change may be
//! cancelled by its author or by a member who may manage cloud accounts.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::cloudpanel::{BudgetSnapshot, ordinal};
use crate::rbac::perms;
use crate::tenant::{AccountQueue, Cancelled, QueuedChange};
use crate::web::audit::show_time;
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::routing::org_routes;
use crate::web::{flash, redirect, render};

org_routes! {
    "/queue" {
        GET  "" => list,
        POST "/{queue_id}/cancel" => cancel,
    }
}

#[derive(Template)]
#[template(path = "org/queue.html")]
struct QueuePage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    accounts: Vec<AccountView>,
}

struct AccountView {
    id: i64,
    name: String,
    budget: String,
    waiting: Vec<WaitingView>,
    finished: Vec<FinishedView>,
}

struct WaitingView {
    id: i64,
    position: String,
    action: String,
    target: String,
    actor: String,
    queued_at: String,
    wait: String,
    running: bool,
    may_cancel: bool,
}

struct FinishedView {
    action: String,
    target: String,
    actor: String,
    state: String,
    state_class: &'static str,
    finished_at: String,
    error: String,
}

fn target_of(row: &QueuedChange) -> String {
    let name = if row.target_name.is_empty() {
        &row.target_id
    } else {
        &row.target_name
    };
    match (row.target_kind.is_empty(), name.is_empty()) {
        (true, _) => String::new(),
        (false, true) => row.target_kind.clone(),
        (false, false) => format!("{} {name}", row.target_kind),
    }
}

/// "25 of 25 requests left this minute" and when it refills.
pub fn budget_line(budget: Option<BudgetSnapshot>) -> String {
    match budget {
        None => "No request sent yet: the whole budget is left.".to_owned(),
        Some(b) if b.resets_in.is_zero() || b.remaining == b.limit => {
            format!("{} of {} requests left this minute.", b.remaining, b.limit)
        }
        Some(b) => format!(
            "{} of {} requests left this minute, full again in {} s.",
            b.remaining,
            b.limit,
            b.resets_in.as_secs().max(1)
        ),
    }
}

fn wait_words(secs: u64) -> String {
    match secs {
        0 => "now".to_owned(),
        s => format!("about {s} s"),
    }
}

fn view(ctx: &OrgCtx, account: AccountQueue) -> AccountView {
    let may_manage = ctx.can(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS);
    let waiting = account
        .waiting
        .into_iter()
        .map(|(row, position, wait)| {
            let running = row.state == "running";
            WaitingView {
                id: row.id,
                position: ordinal(position),
                target: target_of(&row),
                actor: row.actor_label.clone(),
                queued_at: show_time(&row.created_at),
                wait: if running {
                    "being sent".to_owned()
                } else {
                    wait_words(wait)
                },
                running,
                may_cancel: !running && (row.user_id == Some(ctx.user.id) || may_manage),
                action: row.action,
            }
        })
        .collect();
    let finished = account
        .finished
        .into_iter()
        .map(|row| FinishedView {
            target: target_of(&row),
            actor: row.actor_label.clone(),
            state_class: match row.state.as_str() {
                "succeeded" => "ok",
                "failed" | "abandoned" | "dropped" => "bad",
                _ => "off",
            },
            finished_at: row
                .finished_at
                .as_deref()
                .map(show_time)
                .unwrap_or_default(),
            error: row.error.clone().unwrap_or_default(),
            state: row.state,
            action: row.action,
        })
        .collect();
    AccountView {
        id: account.account_id,
        name: account.account_name,
        budget: budget_line(account.budget),
        waiting,
        finished,
    }
}

async fn list(ctx: OrgCtx) -> AppResult<HttpResponse> {
    let accounts = ctx.as_member().queue().await?;
    let accounts = accounts.into_iter().map(|a| view(&ctx, a)).collect();
    let page = ctx.page.clone().with_section("queue");
    render(
        StatusCode::OK,
        &QueuePage {
            page: &page,
            org_name: &ctx.org().name,
            accounts,
        },
    )
}

/// Cancels a waiting change: its author may, and a member who may manage
/// cloud accounts (anyone else is refused with the 403 page and a `denied`
/// event). Another organisation's change, or an unknown one, is not found.
async fn cancel(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let member = ctx.as_member();
    let Some(row) = member.queued_change(id).await? else {
        return Err(AppError::NotFound);
    };
    let outcome = if row.user_id == Some(ctx.user.id) {
        member.cancel_queued(id).await?
    } else {
        ctx.require(perms::ORGANISATION_MANAGE_CLOUD_ACCOUNTS)
            .await?
            .cancel_queued(id)
            .await?
    };
    match outcome {
        Cancelled::Done(row) => flash::success(
            &session,
            format!(
                "Cancelled {}{}: nothing was sent.",
                row.action,
                match target_of(&row) {
                    t if t.is_empty() => String::new(),
                    t => format!(" on {t}"),
                }
            ),
        ),
        Cancelled::NotWaiting(row) => flash::error(
            &session,
            format!(
                "This change no longer waits, so it cannot be cancelled: it is {}.",
                row.state
            ),
        ),
        Cancelled::NotFound => return Err(AppError::NotFound),
    }
    Ok(redirect(&ctx.href("queue")))
}
