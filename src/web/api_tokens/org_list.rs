//! `/o/{slug}/api_tokens`: every member's tokens in the organisation, for
//! those who manage its members, each with its revoke step.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::view::TokenView;
use crate::rbac::perms::ORGANISATION_MANAGE_MEMBERS as MANAGE;
use crate::tenant::TokenRevoked;
use crate::web::confirm::{self, Confirmation};
use crate::web::error::{AppError, AppResult};
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::{flash, redirect, render};

#[derive(Template)]
#[template(path = "api_tokens/list.html")]
struct TokensPage<'a> {
    page: &'a PageCtx,
    org_name: &'a str,
    rows: Vec<TokenView>,
}

pub async fn page(ctx: OrgCtx) -> AppResult<HttpResponse> {
    let tenant = ctx.require(MANAGE).await?;
    let now = crate::db::now_unix();
    let org_name = &ctx.org().name;
    let rows = tenant
        .all_api_tokens()
        .await?
        .iter()
        .map(|row| {
            let action = ctx.href(&format!("api_tokens/{}/revoke", row.id));
            TokenView::of(row, org_name, action, now)
        })
        .collect();
    let page = ctx.page.clone().with_section("api_tokens");
    render(
        StatusCode::OK,
        &TokensPage {
            page: &page,
            org_name,
            rows,
        },
    )
}

pub async fn revoke(
    ctx: OrgCtx,
    session: Session,
    path: web::Path<(String, i64)>,
    form: web::Form<Confirmation>,
) -> AppResult<HttpResponse> {
    let (_, token_id) = path.into_inner();
    let tenant = ctx.require(MANAGE).await?;
    let back = ctx.href("api_tokens");
    // Another organisation's token, or an unknown one, is not found before
    // anything else is said about it.
    if !tenant
        .all_api_tokens()
        .await?
        .iter()
        .any(|t| t.id == token_id)
    {
        return Err(AppError::NotFound.in_page(&ctx.page));
    }
    if !form.given() {
        confirm::refuse(&session, "revoke this API token");
        return Ok(redirect(&back));
    }
    match tenant
        .revoke_api_token(token_id, crate::db::now_unix())
        .await?
    {
        TokenRevoked::Done(token) => flash::success(
            &session,
            format!(
                "The API token “{}” of {} was revoked: requests with it are refused from now on.",
                token.name, token.user_name
            ),
        ),
        TokenRevoked::Already => flash::info(&session, "That API token was already revoked."),
        TokenRevoked::NotFound => return Err(AppError::NotFound.in_page(&ctx.page)),
    }
    Ok(redirect(&back))
}
