//! Endpoints and deliveries as the pages show them.

use crate::tenant::{
    WEBHOOK_OUTCOMES, WebhookAttempt, WebhookDelivery, WebhookDeliveryLog, WebhookEndpoint,
};

/// A time in Unix milliseconds, in words for the page (UTC, to the second).
pub fn time_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// One endpoint in the list.
pub struct EndpointView {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub subscribes: String,
    pub enabled: bool,
    pub url_set_by_admin: bool,
    pub created: String,
}

impl EndpointView {
    pub fn new(e: &WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            name: e.name.clone(),
            url: e.url.clone(),
            subscribes: e.filter().describe(),
            enabled: e.enabled,
            url_set_by_admin: e.url_set_by_admin,
            created: format!("{}, {}", e.created_label, time_ms(e.created_at * 1000)),
        }
    }
}

/// One attempt of a delivery.
pub struct AttemptView {
    pub at: String,
    pub result: String,
    pub class: &'static str,
    /// The HTTP status, or a dash when there was no answer.
    pub status: String,
    pub error: String,
    pub duration: String,
    pub by_hand: bool,
}

impl AttemptView {
    fn new(a: &WebhookAttempt) -> Self {
        Self {
            at: time_ms(a.at),
            class: match a.result.as_str() {
                "delivered" => "ok",
                "refused" => "warn",
                _ => "bad",
            },
            result: a.result.clone(),
            status: a
                .http_status
                .map_or_else(|| "—".to_owned(), |s| s.to_string()),
            error: a.error.clone().unwrap_or_default(),
            duration: format!("{} ms", a.duration_ms),
            by_hand: a.by_hand,
        }
    }
}

/// One delivery with its attempts.
pub struct DeliveryView {
    pub id: i64,
    pub public_id: String,
    pub action: String,
    pub event_id: i64,
    pub state: String,
    pub class: &'static str,
    /// When the next attempt is due, for a delivery still trying.
    pub next: String,
    pub attempts: Vec<AttemptView>,
    /// A new attempt may be asked for (none is under way).
    pub may_redeliver: bool,
}

impl DeliveryView {
    pub fn new(log: &WebhookDeliveryLog) -> Self {
        let d: &WebhookDelivery = &log.delivery;
        Self {
            id: d.id,
            public_id: d.public_id.clone(),
            action: d.action.clone(),
            event_id: d.event_id,
            class: match d.state.as_str() {
                "delivered" => "ok",
                "failed" => "bad",
                _ => "warn",
            },
            next: if d.state == "pending" {
                time_ms(d.next_attempt_at)
            } else {
                String::new()
            },
            state: d.state.clone(),
            attempts: log.attempts.iter().map(AttemptView::new).collect(),
            may_redeliver: d.state != "sending",
        }
    }
}

/// An outcome's checkbox.
pub struct OutcomeChoice {
    pub key: &'static str,
    pub title: &'static str,
}

pub fn outcome_choices() -> Vec<OutcomeChoice> {
    WEBHOOK_OUTCOMES
        .iter()
        .map(|(o, title)| OutcomeChoice {
            key: o.as_str(),
            title,
        })
        .collect()
}
