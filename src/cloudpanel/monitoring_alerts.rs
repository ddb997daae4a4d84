//! Monitoring alerts, told from reads the panel makes anyway.
//!
//! When an answer of the monitoring center (`GET /monitoring_center`) comes
//! back from the Cloud Panel, for a member's page or the background
//! refresher alike, it is compared with the answer the cache kept from the
//! read before: each check of a server (CPU, RAM, disk, transfer, ping)
//! that turned to WARNING or CRITICAL since then is an alert. No request
//! is ever made for alerts: the Cloud Panel allows 25 a minute for the
//! whole organisation. The first answer after a start is the baseline.
//!
//! The transport knows the cloud account, not its organisation, so the
//! alerts go out on a channel ([`CloudPanel::monitoring_alerts`]) to the
//! door, which records each as a `monitoring.alert` audit event of the
//! account's organisation (and so, to webhooks).

use serde_json::Value;

use super::de::decode_items_ref;
use super::monitoring::{MonitorStatus, MonitoredServer};
use super::{AccountClient, Api, CloudPanel};

/// The address whose answers are compared.
const CENTER: &str = "/monitoring_center";

/// A check of a server that newly turned to a warning or critical level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringAlert {
    pub account_id: i64,
    pub server_id: String,
    pub server_name: String,
    /// `cpu`, `ram`, `disk`, `transfer` or `internal_ping`.
    pub metric: &'static str,
    /// `WARNING` or `CRITICAL`.
    pub status: &'static str,
    /// The level of the read before: `OK`, `UNKNOWN` or `WARNING`.
    pub was: &'static str,
    /// The Cloud Panel's own words for the check.
    pub text: String,
}

/// A check's level from its free text ("CPU usage: OK - CPU_Total 0% used"),
/// as the monitoring page reads it, and its rank.
pub fn level(text: Option<&str>) -> (&'static str, u8) {
    let upper = text.unwrap_or_default().to_uppercase();
    if upper.contains("CRITICAL") {
        ("CRITICAL", 2)
    } else if upper.contains("WARNING") {
        ("WARNING", 1)
    } else if upper.contains("OK") {
        ("OK", 0)
    } else {
        ("UNKNOWN", 0)
    }
}

fn metrics(status: &MonitorStatus) -> [(&'static str, Option<&str>); 5] {
    [
        ("cpu", status.cpu.as_deref()),
        ("ram", status.ram.as_deref()),
        ("disk", status.disk.as_deref()),
        ("transfer", status.transfer.as_deref()),
        ("internal_ping", status.internal_ping.as_deref()),
    ]
}

/// The checks of `current` at a higher alert level than in `previous`.
pub fn new_alerts(account_id: i64, previous: &Value, current: &Value) -> Vec<MonitoringAlert> {
    let before: Vec<MonitoredServer> = decode_items_ref(previous);
    let now: Vec<MonitoredServer> = decode_items_ref(current);
    let mut alerts = Vec::new();
    for server in &now {
        let earlier = before.iter().find(|s| s.id == server.id);
        for (metric, text) in metrics(&server.status) {
            let (status, rank) = level(text);
            let (was, was_rank) = earlier
                .and_then(|s| {
                    metrics(&s.status)
                        .into_iter()
                        .find(|(m, _)| *m == metric)
                        .map(|(_, t)| level(t))
                })
                .unwrap_or(("UNKNOWN", 0));
            if rank > was_rank {
                alerts.push(MonitoringAlert {
                    account_id,
                    server_id: server.id.clone(),
                    server_name: server.name.clone(),
                    metric,
                    status,
                    was,
                    text: text.unwrap_or_default().to_owned(),
                });
            }
        }
    }
    alerts
}

impl CloudPanel {
    /// Where the alerts go: the receiver of the one channel, handed out
    /// once (to the start-up task that records them); `None` after.
    pub fn monitoring_alerts(
        &self,
    ) -> Option<tokio::sync::mpsc::UnboundedReceiver<MonitoringAlert>> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.inner.alerts.set(tx).ok().map(|()| rx)
    }
}

impl AccountClient {
    /// Whether an answer at `path` is compared with the one before it.
    pub(super) fn compares_alerts(&self, path: &str) -> bool {
        path == CENTER
            && matches!(self.key.api, Api::CloudPanel)
            && self.panel.inner.alerts.get().is_some()
    }

    /// Sends the alerts a fresh answer of the monitoring center shows.
    pub(super) fn note_alerts(&self, previous: &Value, current: &Value) {
        let Some(tx) = self.panel.inner.alerts.get() else {
            return;
        };
        for alert in new_alerts(self.key.account_id, previous, current) {
            // A closed channel means the panel is stopping: nothing to tell.
            let _ = tx.send(alert);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn center(ping: &str, cpu: &str) -> Value {
        json!([{
            "id": "S1", "name": "web-1",
            "status": {"state": "POWERED_ON", "cpu": {"state": cpu}, "ram": {"state": "OK"},
                       "internal_ping": {"state": ping}},
        }])
    }

    #[test]
    fn only_checks_that_turn_worse_are_alerts() {
        let ok = center("OK", "CPU usage: OK - 3% used");
        let bad = center("CRITICAL - rta nan, lost 100%", "WARNING - 91% used");
        let alerts = new_alerts(7, &ok, &bad);
        let seen: Vec<(&str, &str, &str)> =
            alerts.iter().map(|a| (a.metric, a.status, a.was)).collect();
        assert_eq!(
            seen,
            [
                ("cpu", "WARNING", "OK"),
                ("internal_ping", "CRITICAL", "OK")
            ]
        );
        assert_eq!(alerts[0].server_name, "web-1");
        assert_eq!(alerts[0].account_id, 7);
        // Unchanged, or better: nothing new.
        assert!(new_alerts(7, &bad, &bad).is_empty());
        assert!(new_alerts(7, &bad, &ok).is_empty());
        // Warning to critical is worse.
        let worse = center("CRITICAL", "CRITICAL - 99% used");
        let seen: Vec<&str> = new_alerts(7, &bad, &worse)
            .iter()
            .map(|a| a.metric)
            .collect();
        assert_eq!(seen, ["cpu"]);
    }
}
