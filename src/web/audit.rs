//! The audit log pages: `/o/{slug}/audit` (an organisation's events, behind
//! `organisation.view_audit`, exports behind `organisation.export_audit`) and
//! `/admin/audit` (installation-wide events, instance admins only). The page
//! and both exports read the same filter from the query string.

use crate::web::routing::{Routes, org_routes};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::app_state::AppState;
use crate::audit::{self, AuditRow, Filter, NewEvent, Outcome, Scope};
use crate::db::Db;
use crate::db::users::User;
use crate::rbac::perms;
use crate::tenant::{Provider, Tenant};
use crate::web::error::{AppError, AppResult, url_encode};
use crate::web::extract::InstanceAdmin;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

const PER_PAGE: i64 = 50;
/// An export holds at most this many events; narrow the filter for more.
const EXPORT_MAX: i64 = 100_000;

org_routes! {
    fn org_pages;
    "/audit" {
        GET  "" => org_page,
        GET  "/export.csv" => org_export_csv,
        GET  "/export.json" => org_export_json,
    }
}

pub fn routes(cfg: &mut Routes) {
    org_pages(cfg);
    cfg.route("/admin/audit", web::get().to(admin_page))
        .route("/admin/audit/export.csv", web::get().to(admin_export_csv))
        .route("/admin/audit/export.json", web::get().to(admin_export_json));
}

/// The filter form as typed; kept as text so a mistake can be shown back.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(200).collect())
}

impl AuditQuery {
    /// The filter, or every problem with the form.
    pub(crate) fn filter(&self) -> Result<Filter, Vec<String>> {
        let mut problems = Vec::new();
        let outcome = match non_empty(&self.outcome) {
            None => None,
            Some(text) => Outcome::parse(&text).or_else(|| {
                problems.push(format!(
                    "Outcome: choose requested, succeeded, failed, denied, queued, cancelled or abandoned, not “{text}”."
                ));
                None
            }),
        };
        let cloud_account_id = match non_empty(&self.account) {
            None => None,
            Some(text) => text.parse::<i64>().ok().or_else(|| {
                problems.push("Cloud account: choose one from the list.".into());
                None
            }),
        };
        let mut bound = |raw: &str, end: bool, label: &str| {
            non_empty(raw).and_then(|text| {
                audit::parse_time_bound(&text, end)
                    .map_err(|e| problems.push(format!("{label}: {e}.")))
                    .ok()
            })
        };
        let from = bound(&self.from, false, "From");
        let to = bound(&self.to, true, "To");
        if let (Some(f), Some(t)) = (&from, &to)
            && f > t
        {
            problems.push("The time range ends before it starts.".into());
        }
        if problems.is_empty() {
            Ok(Filter {
                actor: non_empty(&self.actor),
                action: non_empty(&self.action),
                target: non_empty(&self.target),
                outcome,
                cloud_account_id,
                from,
                to,
            })
        } else {
            Err(problems)
        }
    }

    fn page_number(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, 1_000_000)
    }

    /// The filter part of the query string (no page), for links.
    fn filter_query(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("outcome", &self.outcome),
            ("account", &self.account),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }

    fn is_filtered(&self) -> bool {
        !self.filter_query().is_empty()
    }
}

struct EventView {
    id: i64,
    at: String,
    actor: String,
    action: String,
    target: String,
    account: String,
    outcome: String,
    outcome_class: &'static str,
    upstream_status: String,
    error: String,
    details: String,
    ip: String,
    request_id: String,
    correlation_id: String,
}

pub(crate) fn show_time(at: &str) -> String {
    // 2024-05-01T12:00:00.000Z -> 2024-05-01 12:00:00 UTC
    match at.get(..19) {
        Some(head) => format!("{} UTC", head.replacen('T', " ", 1)),
        None => at.to_owned(),
    }
}

impl EventView {
    fn new(row: AuditRow, accounts: &[(i64, String)]) -> Self {
        let target = match (row.target_kind.is_empty(), row.target_name.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!("{} {}", row.target_kind, row.target_id),
            (false, false) if row.target_id.is_empty() => {
                format!("{} {}", row.target_kind, row.target_name)
            }
            (false, false) => format!(
                "{} {} ({})",
                row.target_kind, row.target_name, row.target_id
            ),
        };
        let account = row
            .cloud_account_id
            .map(|id| {
                accounts
                    .iter()
                    .find(|(a, _)| *a == id)
                    .map_or_else(|| format!("#{id} (deleted)"), |(_, name)| name.clone())
            })
            .unwrap_or_default();
        let details = match row.details_json() {
            serde_json::Value::Null => String::new(),
            value => serde_json::to_string(&value).unwrap_or_default(),
        };
        let outcome_class = match row.outcome.as_str() {
            "succeeded" => "ok",
            "failed" | "denied" | "abandoned" => "bad",
            "requested" | "queued" => "busy",
            _ => "off",
        };
        Self {
            id: row.id,
            at: show_time(&row.at),
            actor: if row.actor_label.is_empty() {
                row.actor_id
                    .map(|id| format!("user {id}"))
                    .unwrap_or_default()
            } else {
                row.actor_label
            },
            action: row.action,
            target,
            account,
            outcome_class,
            outcome: row.outcome,
            upstream_status: row
                .upstream_status
                .map(|s| s.to_string())
                .unwrap_or_default(),
            error: row.error.unwrap_or_default(),
            details,
            ip: row.ip.unwrap_or_default(),
            request_id: row.request_id.unwrap_or_default(),
            correlation_id: row
                .correlation_id
                .map(|c| c.chars().take(8).collect())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage<'a> {
    page: &'a PageCtx,
    heading: &'a str,
    intro: &'a str,
    /// `/o/{slug}/audit` or `/admin/audit`.
    base: &'a str,
    query: &'a AuditQuery,
    problems: Vec<String>,
    events: Vec<EventView>,
    accounts: &'a [(i64, String)],
    actions: Vec<String>,
    outcomes: [&'static str; 7],
    total: i64,
    page_number: i64,
    pages: i64,
    first_shown: i64,
    last_shown: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    export_query: String,
    can_export: bool,
}

/// Whose events a page reads: an organisation's, through its handle, or
/// the installation's (instance admins only).
enum Log<'a> {
    Organisation(Tenant<'a>),
    Installation(&'a Db),
}

impl Log<'_> {
    async fn actions(&self) -> anyhow::Result<Vec<String>> {
        match self {
            Self::Organisation(tenant) => tenant.audit_actions().await,
            Self::Installation(db) => audit::actions(db, Scope::Installation).await,
        }
    }

    async fn search(
        &self,
        filter: &Filter,
        offset: i64,
        limit: i64,
    ) -> anyhow::Result<(Vec<AuditRow>, i64)> {
        match self {
            Self::Organisation(tenant) => tenant.audit_search(filter, offset, limit).await,
            Self::Installation(db) => {
                audit::search(db, Scope::Installation, filter, offset, limit).await
            }
        }
    }
}

struct Area<'a> {
    log: Log<'a>,
    page: PageCtx,
    heading: &'a str,
    intro: &'a str,
    base: String,
    accounts: Vec<(i64, String)>,
    can_export: bool,
}

async fn show(area: Area<'_>, query: &AuditQuery) -> AppResult<HttpResponse> {
    let actions = area.log.actions().await?;
    let (problems, events, total) = match query.filter() {
        Ok(filter) => {
            let offset = (query.page_number() - 1) * PER_PAGE;
            let (rows, total) = area.log.search(&filter, offset, PER_PAGE).await?;
            let events = rows
                .into_iter()
                .map(|r| EventView::new(r, &area.accounts))
                .collect::<Vec<_>>();
            (Vec::new(), events, total)
        }
        Err(problems) => (problems, Vec::new(), 0),
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page_number = query.page_number().min(pages);
    let filter_query = query.filter_query();
    let link = |n: i64| {
        if filter_query.is_empty() {
            format!("{}?page={n}", area.base)
        } else {
            format!("{}?{filter_query}&page={n}", area.base)
        }
    };
    let first_shown = if events.is_empty() {
        0
    } else {
        (query.page_number() - 1) * PER_PAGE + 1
    };
    let last_shown = if events.is_empty() {
        0
    } else {
        first_shown + i64::try_from(events.len()).unwrap_or(0) - 1
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AuditPage {
            page: &area.page,
            heading: area.heading,
            intro: area.intro,
            base: &area.base,
            query,
            problems,
            events,
            accounts: &area.accounts,
            actions,
            outcomes: Outcome::ALL.map(Outcome::as_str),
            total,
            page_number,
            pages,
            first_shown,
            last_shown,
            prev_href: (page_number > 1).then(|| link(page_number - 1)),
            next_href: (page_number < pages).then(|| link(page_number + 1)),
            export_query: filter_query.clone(),
            can_export: area.can_export,
        },
    )
}

/// The organisation's account names, to show beside their events, with
/// the provider of an E2E Networks account.
async fn org_accounts(tenant: &Tenant<'_>) -> AppResult<Vec<(i64, String)>> {
    Ok(tenant
        .accounts()
        .await?
        .iter()
        .map(|a| match Provider::parse(&a.provider) {
            // The provider is named where it is not the Cloud Panel.
            Some(Provider::E2e) => (a.id, format!("{} (E2E Networks)", a.name)),
            _ => (a.id, a.name.clone()),
        })
        .collect())
}

async fn org_page(org: OrgCtx, query: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_VIEW_AUDIT).await?;
    let accounts = org_accounts(&tenant).await?;
    let area = Area {
        log: Log::Organisation(tenant),
        page: org.page.clone().with_section("audit"),
        heading: "Audit log",
        intro: "Every change in this organisation, local or on the Cloud Panel, attempted or \
                refused, newest first. Each event is chained to the one before by a hash.",
        base: org.href("audit"),
        accounts,
        can_export: org.can(perms::ORGANISATION_EXPORT_AUDIT),
    };
    show(area, &query).await
}

async fn admin_page(
    state: web::Data<AppState>,
    admin: InstanceAdmin,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let area = Area {
        log: Log::Installation(state.raw_db()),
        page: admin.0.page.clone().with_section("admin"),
        heading: "Installation audit log",
        intro: "Events that belong to no organisation: sign-ins, sign-outs, users, \
                organisations and key rotations, newest first.",
        base: "/admin/audit".to_owned(),
        accounts: Vec::new(),
        can_export: true,
    };
    show(area, &query).await
}

// ---------------------------------------------------------------------------
// Exports.

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Json,
}

const CSV_COLUMNS: [&str; 20] = [
    "id",
    "time_utc",
    "organisation_id",
    "actor_id",
    "actor",
    "ip",
    "user_agent",
    "request_id",
    "action",
    "target_kind",
    "target_id",
    "target_name",
    "cloud_account_id",
    "outcome",
    "upstream_status",
    "error",
    "correlation_id",
    "details",
    "prev_hash",
    "hash",
];

/// One CSV field: always quoted, quotes doubled, and a leading character a
/// spreadsheet would read as a formula neutralised with `'`.
pub fn csv_field(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r', '|', '%']);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub fn to_csv(rows: &[AuditRow]) -> String {
    let mut out = CSV_COLUMNS
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for r in rows {
        let fields = [
            r.id.to_string(),
            r.at.clone(),
            opt(&r.org_id),
            opt(&r.actor_id),
            r.actor_label.clone(),
            opt(&r.ip),
            opt(&r.user_agent),
            opt(&r.request_id),
            r.action.clone(),
            r.target_kind.clone(),
            r.target_id.clone(),
            r.target_name.clone(),
            opt(&r.cloud_account_id),
            r.outcome.clone(),
            opt(&r.upstream_status),
            opt(&r.error),
            opt(&r.correlation_id),
            r.details.clone(),
            r.prev_hash.clone(),
            r.hash.clone(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

fn to_json(rows: &[AuditRow]) -> AppResult<String> {
    let events: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "time_utc": r.at,
                "organisation_id": r.org_id,
                "actor_id": r.actor_id,
                "actor": r.actor_label,
                "ip": r.ip,
                "user_agent": r.user_agent,
                "request_id": r.request_id,
                "action": r.action,
                "target_kind": r.target_kind,
                "target_id": r.target_id,
                "target_name": r.target_name,
                "cloud_account_id": r.cloud_account_id,
                "outcome": r.outcome,
                "upstream_status": r.upstream_status,
                "error": r.error,
                "correlation_id": r.correlation_id,
                "details": r.details_json(),
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            })
        })
        .collect();
    serde_json::to_string_pretty(&events)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to serialise the export: {e}")))
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// What an export's own `audit.export` event says about it.
fn export_details(query: &AuditQuery, format: Format) -> serde_json::Value {
    json!({ "format": format.extension(), "filter": query.filter_query() })
}

fn export_filter(query: &AuditQuery) -> AppResult<Filter> {
    query
        .filter()
        .map_err(|problems| AppError::BadRequest(problems.join(" ")))
}

/// The download: its events were read and the export recorded.
fn download(rows: &[AuditRow], name: &str, format: Format) -> AppResult<HttpResponse> {
    let (body, content_type) = match format {
        Format::Csv => (to_csv(rows), "text/csv; charset=utf-8"),
        Format::Json => (to_json(rows)?, "application/json"),
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let extension = format.extension();
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"audit-{name}-{stamp}.{extension}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

async fn org_export(org: &OrgCtx, query: &AuditQuery, format: Format) -> AppResult<HttpResponse> {
    let tenant = org.require(perms::ORGANISATION_EXPORT_AUDIT).await?;
    let filter = export_filter(query)?;
    let rows = tenant
        .audit_export(&filter, EXPORT_MAX, export_details(query, format))
        .await?;
    download(&rows, org.slug(), format)
}

async fn org_export_csv(org: OrgCtx, query: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    org_export(&org, &query, Format::Csv).await
}

async fn org_export_json(org: OrgCtx, query: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    org_export(&org, &query, Format::Json).await
}

async fn admin_export(
    state: &AppState,
    req: &HttpRequest,
    user: &User,
    query: &AuditQuery,
    format: Format,
) -> AppResult<HttpResponse> {
    let filter = export_filter(query)?;
    let db = state.raw_db();
    let rows = audit::export(db, Scope::Installation, &filter, EXPORT_MAX).await?;
    let mut details = export_details(query, format);
    details["events"] = rows.len().into();
    let event = NewEvent::new("audit.export", Outcome::Succeeded).details(details);
    // No record, no export.
    audit::record(db, &crate::web::audit_ctx(req, None, Some(user)), event).await?;
    download(&rows, "installation", format)
}

async fn admin_export_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: InstanceAdmin,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    admin_export(&state, &req, &admin.0.user, &query, Format::Csv).await
}

async fn admin_export_json(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: InstanceAdmin,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    admin_export(&state, &req, &admin.0.user, &query, Format::Json).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "\"plain\"");
        assert_eq!(csv_field("say \"hi\", ok"), "\"say \"\"hi\"\", ok\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_field(risky).starts_with("\"'"), "{risky}");
        }
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn the_query_becomes_a_filter_or_says_what_is_wrong() {
        let query = AuditQuery {
            actor: " ada ".into(),
            outcome: "denied".into(),
            from: "2024-05-01".into(),
            ..AuditQuery::default()
        };
        let filter = query.filter().unwrap();
        assert_eq!(filter.actor.as_deref(), Some("ada"));
        assert_eq!(filter.outcome, Some(Outcome::Denied));
        assert_eq!(filter.from.as_deref(), Some("2024-05-01T00:00:00.000Z"));
        assert_eq!(
            query.filter_query(),
            "actor=ada&outcome=denied&from=2024-05-01"
        );

        let bad = AuditQuery {
            outcome: "maybe".into(),
            account: "x".into(),
            from: "2024-05-02".into(),
            to: "2024-05-01".into(),
            ..AuditQuery::default()
        };
        let problems = bad.filter().unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}
