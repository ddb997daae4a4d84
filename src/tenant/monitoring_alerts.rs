//! Monitoring alerts into the audit log. The client tells them from the
//! monitoring center's answers it reads anyway
//! ([`crate::cloudpanel::monitoring_alerts`]), knowing only the cloud
//! account; the door knows which organisation holds the account, so the
//! alert is recorded here, in that organisation's log, where the
//! webhooks worker finds it like any other event.

use serde_json::json;

use super::Door;
use super::store::accounts;
use crate::audit::{self, AuditCtx, NewEvent, Outcome};
use crate::cloudpanel::monitoring_alerts::MonitoringAlert;

impl Door {
    /// Records an alert as `monitoring.alert`, by "monitoring", on the
    /// server; an account removed meanwhile records nothing.
    pub async fn record_monitoring_alert(&self, alert: &MonitoringAlert) -> anyhow::Result<()> {
        let Some(org_id) = accounts::org_of(&self.db, alert.account_id).await? else {
            return Ok(());
        };
        let ctx = AuditCtx {
            org_id: Some(org_id),
            actor_label: "monitoring".to_owned(),
            ..AuditCtx::default()
        };
        let event = NewEvent::new("monitoring.alert", Outcome::Succeeded)
            .target("server", &alert.server_id, &alert.server_name)
            .cloud_account(alert.account_id)
            .details(json!({
                "metric": alert.metric,
                "status": alert.status,
                "was": alert.was,
                "check": alert.text,
            }));
        audit::record(&self.db, &ctx, event).await
    }
}
