//! One log's page: every field the Cloud Panel gives, and the matching
//! events of the panel's own audit log.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::audit_links;
use super::view::LogRow;
use crate::cloudpanel::logs::LogEntry;
use crate::rbac::perms;
use crate::web::cloud::{Object, found};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

#[derive(Template)]
#[template(path = "logs/detail.html")]
struct DetailPage<'a> {
    page: &'a PageCtx,
    log: &'a LogEntry,
    row: LogRow,
    /// The free-form details, as indented JSON; empty when there are none.
    details: String,
    list_href: String,
    account_name: String,
    notice: Option<String>,
    can_view_audit: bool,
}

pub async fn page(ctx: OrgCtx, session: Session, object: Object) -> AppResult<HttpResponse> {
    let up = object.open(&ctx, &session, perms::LOGS_SHOW).await?;
    let fetched = found(&ctx, "this log", up.client().get_log(&object.id).await)?;
    let notice = fetched.freshness().map(|f| format!("Showing {f}."));
    let log = fetched.value;
    let audit = audit_links::links(&ctx, &[&log]).await.pop().flatten();
    let row = LogRow::new(&log, &ctx, &up.query(), audit);
    let details = match &log.details {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(map) if map.is_empty() => String::new(),
        value => serde_json::to_string_pretty(value).unwrap_or_default(),
    };
    let page = ctx.page.clone().with_section("logs");
    render(
        StatusCode::OK,
        &DetailPage {
            page: &page,
            log: &log,
            row,
            details,
            list_href: up.href(&ctx, "logs"),
            account_name: up.row().name.clone(),
            notice,
            can_view_audit: ctx.can(perms::ORGANISATION_VIEW_AUDIT),
        },
    )
}
