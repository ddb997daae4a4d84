//! The monitoring center: every monitored server with its state, its
//! checks and its alert counts. Search, sort and pages are computed in the
//! panel over one cached upstream list, like the other lists.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::cloudpanel::ListQuery;
use crate::cloudpanel::monitoring::{AlertCounts, MonitorStatus, MonitoredServer};
use crate::rbac::perms;
use crate::tenant::AccountList;
use crate::web::cloud::{
    AccountParam, Fallback, ListParams, ListView, Loaded, StateBadge, connect, datacenter_label,
    list,
};
use crate::web::error::AppResult;
use crate::web::org_ctx::OrgCtx;
use crate::web::page::PageCtx;
use crate::web::render;

pub const SECTION: &str = "monitoring";

/// The sort orders the list offers; the first is the default.
const SORTS: &[(&str, &str)] = &[
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("alerts", "Most alerts first"),
    ("state", "State"),
];

/// One check of a server (CPU, RAM, …): its level as a badge and the
/// Cloud Panel's own words.
pub struct Check {
    pub name: &'static str,
    /// `OK`, `WARNING`, `CRITICAL` or `UNKNOWN`.
    pub level: &'static str,
    pub class: &'static str,
    pub text: String,
}

impl Check {
    fn new(name: &'static str, text: Option<&String>) -> Self {
        let text = text.cloned().unwrap_or_default();
        let upper = text.to_uppercase();
        // The free text names its level ("CPU usage: OK - CPU_Total 0% used").
        let (level, class) = if upper.contains("CRITICAL") {
            ("CRITICAL", "bad")
        } else if upper.contains("WARNING") {
            ("WARNING", "warn")
        } else if upper.contains("OK") {
            ("OK", "ok")
        } else {
            ("UNKNOWN", "")
        };
        Self {
            name,
            level,
            class,
            text,
        }
    }
}

/// The five checks of a status.
pub fn checks(status: &MonitorStatus) -> Vec<Check> {
    vec![
        Check::new("CPU", status.cpu.as_ref()),
        Check::new("RAM", status.ram.as_ref()),
        Check::new("Disk", status.disk.as_ref()),
        Check::new("Transfer", status.transfer.as_ref()),
        Check::new("Ping", status.internal_ping.as_ref()),
    ]
}

/// Critical and warning alerts over resources, ports and processes.
pub fn alert_totals(alerts: &AlertCounts) -> (u32, u32) {
    let all = [alerts.resources, alerts.ports, alerts.process];
    (
        all.iter().map(|c| c.critical).sum(),
        all.iter().map(|c| c.warning).sum(),
    )
}

pub struct CenterRow {
    pub id: String,
    pub name: String,
    pub href: String,
    pub badge: StateBadge,
    pub checks: Vec<Check>,
    pub critical: u32,
    pub warning: u32,
    pub agent: &'static str,
    pub datacenter: String,
}

impl CenterRow {
    fn new(s: &MonitoredServer, href: String) -> Self {
        let (critical, warning) = alert_totals(&s.alerts);
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            href,
            badge: StateBadge::new(
                s.status.state.as_str(),
                s.status.state.is_transitional(),
                None,
            ),
            checks: checks(&s.status),
            critical,
            warning,
            agent: if s.agent.agent_installed {
                "installed"
            } else if s.agent.monitoring_needs_agent {
                "missing"
            } else {
                "not needed"
            },
            datacenter: datacenter_label(&s.datacenter),
        }
    }
}

#[derive(Template)]
#[template(path = "monitoring/list.html")]
struct ListPage<'a> {
    page: &'a PageCtx,
    rows: Vec<CenterRow>,
    list: ListView,
    accounts: AccountList,
    account_id: i64,
    notice: Option<String>,
    problem: Option<String>,
    retry_after: Option<u64>,
    list_href: String,
    can_policies: bool,
    policies_href: String,
}

/// `q` is already lower case.
fn matches(s: &MonitoredServer, q: &str) -> bool {
    s.name.to_lowercase().contains(q)
        || s.id.to_lowercase().contains(q)
        || s.status.state.as_str().to_lowercase().contains(q)
}

fn sort_servers(servers: &mut Vec<&MonitoredServer>, sort: &str) {
    match sort {
        "-name" => servers.sort_by_cached_key(|s| std::cmp::Reverse(s.name.to_lowercase())),
        "alerts" => servers.sort_by_cached_key(|s| {
            let (critical, warning) = alert_totals(&s.alerts);
            (
                std::cmp::Reverse(critical),
                std::cmp::Reverse(warning),
                s.name.to_lowercase(),
            )
        }),
        "state" => servers
            .sort_by_cached_key(|s| (s.status.state.as_str().to_owned(), s.name.to_lowercase())),
        _ => servers.sort_by_cached_key(|s| s.name.to_lowercase()),
    }
}

pub async fn page(
    ctx: OrgCtx,
    session: Session,
    params: web::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let tenant = ctx.require(perms::MONITORING_CENTER_SHOW).await?;
    let params = params.into_inner();
    let named = AccountParam::named(params.account_id());
    let up = connect(&ctx, &tenant, &session, &named, Fallback::Remembered).await?;
    let accounts = tenant.accounts().await?;
    let Loaded {
        items: servers,
        notice,
        problem,
        retry_after,
    } = Loaded::from(
        "the monitoring center",
        up.client().list_monitoring_center(&ListQuery::all()).await,
    );
    let account_id = up.row().id;
    let list_href = ctx.href("monitoring");
    let listing = list(
        &servers,
        &params,
        SORTS,
        matches,
        sort_servers,
        &list_href,
        account_id,
    );
    let rows = listing
        .rows
        .iter()
        .map(|s| CenterRow::new(s, up.href(&ctx, &format!("monitoring/{}", s.id))))
        .collect();
    let page = ctx.page.clone().with_section(SECTION);
    render(
        StatusCode::OK,
        &ListPage {
            page: &page,
            rows,
            list: listing.view,
            accounts,
            account_id,
            notice,
            problem,
            retry_after,
            list_href,
            can_policies: ctx.can(perms::MONITORING_POLICIES_SHOW),
            policies_href: up.href(&ctx, "monitoring_policies"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checks_level_is_read_from_its_words() {
        let text = |s: &str| Some(s.to_owned());
        let status = MonitorStatus {
            cpu: text("CPU usage: OK - CPU_Total 0% used"),
            ram: text("WARNING - 91% used"),
            disk: None,
            transfer: text("something new"),
            internal_ping: text("CRITICAL - 10.4.141.161: rta nan, lost 100%"),
            ..MonitorStatus::default()
        };
        let levels: Vec<&str> = checks(&status).iter().map(|c| c.level).collect();
        assert_eq!(levels, ["OK", "WARNING", "UNKNOWN", "UNKNOWN", "CRITICAL"]);
    }
}
