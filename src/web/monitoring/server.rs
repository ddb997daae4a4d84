//! One server's monitoring page: its checks and alerts, and its usage over
//! the chosen period as SVG charts drawn on the server. A wrong custom
//! range is refused beside its field and nothing is asked of the Cloud Panel.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::center::{Check, SECTION, alert_totals, checks};
use super::period::{Chosen, PeriodParams};
use super::series;
use crate::cloudpanel::monitoring::{Counts, MonitorStatus, Series as ApiSeries, ServerMonitoring};
use crate::rbac::perms;
use crate::web::charts::lines::LineChart;
use crate::web::cloud::{
    AccountParam, Fallback, FieldErrors, StateBadge, check_id, connect, datacenter_label, found,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

/// A row of the alerts table.
pub struct AlertRow {
    pub what: &'static str,
    pub counts: Counts,
}

#[derive(Template)]
#[template(path = "monitoring/server.html")]
struct ServerPage<'a> {
    page: &'a PageCtx,
    /// The answer for the period; `None` when the period was refused.
    data: Option<ServerMonitoring>,
    server_id: String,
    badge: Option<StateBadge>,
    checks: Vec<Check>,
    alerts: Vec<AlertRow>,
    critical: u32,
    warning: u32,
    datacenter: String,
    charts: Vec<LineChart>,
    chosen: Chosen,
    errors: FieldErrors,
    account_id: i64,
    account_name: String,
    notice: Option<String>,
    action: String,
    list_href: String,
    server_href: Option<String>,
}

impl ServerPage<'_> {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// The server's name, or its id until the answer names it.
    fn title(&self) -> &str {
        self.data
            .as_ref()
            .map(|d| d.name.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.server_id)
    }
}

/// The checks of the server: the answer's status words, or else (as the
/// reference's detail answer has them) each resource's own status.
fn current_checks(d: &ServerMonitoring) -> Vec<Check> {
    let own = |resource: &Option<ApiSeries>| resource.as_ref().and_then(|r| r.status.clone());
    let status = MonitorStatus {
        cpu: d.status.cpu.clone().or_else(|| own(&d.cpu)),
        ram: d.status.ram.clone().or_else(|| own(&d.ram)),
        disk: d.status.disk.clone().or_else(|| own(&d.disk)),
        transfer: d.status.transfer.clone().or_else(|| own(&d.transfer)),
        internal_ping: d
            .status
            .internal_ping
            .clone()
            .or_else(|| own(&d.internal_ping)),
        ..d.status.clone()
    };
    checks(&status)
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<PeriodParams>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::MONITORING_CENTER_SHOW).await?;
    let (_, server_id) = path.into_inner();
    let server_id = check_id(&server_id).map_err(|e| e.in_page(&ctx.page))?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let (chosen, range, errors) = params.read();
    let (data, notice) = match &range {
        Some(range) => {
            let fetched = found(
                &ctx,
                "this server's monitoring data",
                up.client().get_server_monitoring(server_id, range).await,
            )?;
            let notice = fetched.freshness().map(|f| format!("Showing {f}."));
            (Some(fetched.value), notice)
        }
        // A wrong custom range: the messages beside the fields, nothing sent.
        None => (None, None),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (critical, warning) = data.as_ref().map_or((0, 0), |d| alert_totals(&d.alerts));
    let page = ctx.page.clone().with_section(SECTION);
    render(
        status,
        &ServerPage {
            page: &page,
            badge: data.as_ref().map(|d| {
                StateBadge::new(
                    d.status.state.as_str(),
                    d.status.state.is_transitional(),
                    None,
                )
            }),
            checks: data.as_ref().map(current_checks).unwrap_or_default(),
            alerts: data
                .as_ref()
                .map(|d| {
                    vec![
                        AlertRow {
                            what: "Resources",
                            counts: d.alerts.resources,
                        },
                        AlertRow {
                            what: "Ports",
                            counts: d.alerts.ports,
                        },
                        AlertRow {
                            what: "Processes",
                            counts: d.alerts.process,
                        },
                    ]
                })
                .unwrap_or_default(),
            critical,
            warning,
            datacenter: data
                .as_ref()
                .map(|d| datacenter_label(&d.datacenter))
                .unwrap_or_default(),
            charts: data.as_ref().map(series::charts).unwrap_or_default(),
            data,
            server_id: server_id.to_owned(),
            chosen,
            errors,
            account_id: up.row().id,
            account_name: up.row().name.clone(),
            notice,
            action: ctx.href(&format!("monitoring/{server_id}")),
            list_href: up.href(&ctx, "monitoring"),
            server_href: ctx
                .can(perms::SERVERS_SHOW)
                .then(|| up.server_href(&ctx, server_id)),
        },
    )
}
