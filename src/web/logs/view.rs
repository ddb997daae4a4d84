//! A log as the list and the detail page show it.

use crate::cloudpanel::logs::LogEntry;
use crate::web::cloud::{StateBadge, state_label};
use crate::web::org_ctx::OrgCtx;

pub struct LogRow {
    pub id: String,
    /// The log's page, with the account.
    pub href: String,
    pub time: String,
    pub action: String,
    pub kind: String,
    pub resource_name: String,
    pub resource_id: String,
    pub badge: StateBadge,
    pub user: String,
    /// The matching events in the panel's audit log.
    pub audit_href: Option<String>,
}

impl LogRow {
    pub fn new(log: &LogEntry, ctx: &OrgCtx, query: &str, audit_href: Option<String>) -> Self {
        let (resource_name, resource_id) = log
            .resource
            .as_ref()
            .map(|r| (r.name.clone(), r.id.clone()))
            .unwrap_or_default();
        let time = if log.start_date.is_empty() {
            log.end_date.to_string()
        } else {
            log.start_date.to_string()
        };
        Self {
            id: log.id.clone(),
            href: format!("{}{query}", ctx.href(&format!("logs/{}", log.id))),
            time,
            action: state_label(&log.action),
            kind: state_label(&log.kind),
            resource_name,
            resource_id,
            badge: StateBadge::new(
                &log.status.state,
                log.status.percent.is_some_and(|p| p < 100),
                log.status.percent,
            ),
            user: log
                .user
                .as_ref()
                .map(|u| {
                    if u.name.is_empty() {
                        u.id.clone()
                    } else {
                        u.name.clone()
                    }
                })
                .unwrap_or_default(),
            audit_href,
        }
    }
}
