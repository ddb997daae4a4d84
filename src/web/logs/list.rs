//! The logs list: a period (a custom range is checked before anything is
//! sent), search, sort and pages, all passed to the Cloud Panel, which
//! filters and pages the logs itself; each row links to its audit events.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::audit_links;
use super::filter::{Filter, LogsParams, PER_PAGE, PERIODS, SORTS};
use super::view::LogRow;
use crate::cloudpanel::logs::LogEntry;
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{AccountParam, Fallback, FieldErrors, Loaded, SortOption, connect};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// One choice of a select, with whether it is the current one.
pub struct PeriodOption {
    pub key: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "logs/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<LogRow>,
    filter: Filter,
    periods: Vec<PeriodOption>,
    sorts: Vec<SortOption>,
    errors: FieldErrors,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    list_href: String,
    refresh_href: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// Whether the period was asked of the Cloud Panel.
    fetched: bool,
}

impl ListPage<'_> {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<LogsParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::LOGS_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let account_id = up.row().id;
    let (filter, range, errors) = params.read();
    let fetched = range.is_some();
    let loaded: Loaded<Vec<LogEntry>> = match &range {
        Some(range) => Loaded::from(
            "the logs",
            up.client().list_logs(range, &filter.list_query()).await,
        ),
        // A wrong custom date: the message beside the field, nothing sent.
        None => Loaded {
            items: Vec::new(),
            notice: None,
            problem: None,
            retry_after: None,
        },
    };
    let logs: Vec<&LogEntry> = loaded.items.iter().collect();
    let audit = audit_links::links(&ctx, &logs).await;
    let query = up.query();
    let rows = logs
        .iter()
        .zip(audit)
        .map(|(log, audit)| LogRow::new(log, &ctx, &query, audit))
        .collect::<Vec<_>>();
    let list_href = ctx.href("logs");
    let at = |page: u32| format!("{list_href}{}", filter.query(account_id, page));
    let full_page = u32::try_from(rows.len()).is_ok_and(|n| n >= PER_PAGE);
    let page = ctx.page.clone().with_section("logs");
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            periods: PERIODS
                .iter()
                .map(|(key, label)| PeriodOption {
                    key,
                    label,
                    selected: *key == filter.period,
                })
                .collect(),
            sorts: SORTS
                .iter()
                .map(|(key, label)| SortOption {
                    key,
                    label,
                    selected: *key == filter.sort,
                })
                .collect(),
            refresh_href: at(filter.page),
            prev_href: (fetched && filter.page > 1).then(|| at(filter.page - 1)),
            next_href: (fetched && full_page).then(|| at(filter.page + 1)),
            rows,
            filter,
            errors,
            accounts,
            account_id,
            notice: loaded.notice,
            problem: loaded.problem,
            retry_after: loaded.retry_after,
            list_href,
            fetched,
        },
    )
}
