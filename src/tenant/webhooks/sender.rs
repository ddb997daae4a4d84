//! Posting deliveries: the worker's half that talks to receivers.
//!
//! The worker (started in `startup`) claims due deliveries, the longest due
//! first, at most [`MAX_IN_FLIGHT`] at once and one per endpoint, and posts
//! each in a task of its own: nothing on a page's path waits for a
//! receiver. A claim marks the delivery `sending` in the database before
//! the call, so a panel stopped mid-call finds it at the next start and
//! counts it as a failed attempt to try again ([`Door::recover_webhooks`]):
//! none is lost, and a receiver may see one twice, which is why the
//! delivery id is in the payload. A 2xx answer delivers; anything else is
//! tried again after [`backoff`] until a day after the first attempt.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::payload;
use crate::tenant::Door;
use crate::tenant::store::webhook_deliveries::{self as deliveries, DeliveryRow, NewAttempt};
use crate::tenant::store::webhooks as endpoints;

/// Deliveries posted at once, over every endpoint.
pub const MAX_IN_FLIGHT: usize = 4;

/// A delivery is tried again until this long after its first attempt.
pub const RETRY_FOR_MS: i64 = 24 * 60 * 60 * 1000;

/// How long an ended delivery (delivered, or failed for good) and its
/// attempts stay in the delivery log: long enough to look back on a
/// month's incidents, short enough that a busy endpoint's log stays small.
pub const DELIVERY_LOG_DAYS: i64 = 30;

/// Each wait before the next attempt, as a multiple of the base (30 s by
/// default: 30 s, 2 min, 10 min, 30 min, 1 h, then hourly).
const BACKOFF: [u32; 5] = [1, 4, 20, 60, 120];

/// The wait after the `attempt`th failed attempt (1-based).
fn backoff(base: Duration, attempt: i64) -> Duration {
    let step = usize::try_from(attempt.max(1) - 1).unwrap_or(usize::MAX);
    base.saturating_mul(BACKOFF[step.min(BACKOFF.len() - 1)])
}

pub(super) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the worker shares with the pages: which endpoints have a delivery
/// in flight, and the bell a redelivery rings so it goes out at once.
#[derive(Default)]
pub struct Core {
    in_flight: Mutex<HashSet<i64>>,
    wake: tokio::sync::Notify,
}

/// How deliveries are sent: built once at start-up from the settings.
pub struct Sender {
    client: reqwest::Client,
    /// `TEAMPANEL_ALLOWED_WEBHOOK_URLS`, checked again at every attempt.
    allowed: Vec<String>,
    retry_base: Duration,
}

impl Sender {
    /// A client of its own: redirects off (a receiver cannot send the
    /// panel elsewhere), 5 s to connect, 10 s in all.
    pub fn new(allowed: Vec<String>, retry_base: Duration) -> anyhow::Result<Self> {
        let client = crate::tls::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("teampanel-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("Failed to build the webhook client")?;
        Ok(Self {
            client,
            allowed,
            retry_base,
        })
    }

    /// After a failed attempt: pending again after the backoff, or failed
    /// for good once a day has passed since the first attempt.
    fn after_failure(&self, delivery: &DeliveryRow, attempt: i64, now: i64) -> (&'static str, i64) {
        let first = delivery.first_attempt_at.unwrap_or(now);
        let wait = i64::try_from(backoff(self.retry_base, attempt).as_millis()).unwrap_or(i64::MAX);
        if now.saturating_sub(first) >= RETRY_FOR_MS {
            ("failed", now)
        } else {
            ("pending", now.saturating_add(wait))
        }
    }
}

/// A delivery this worker is sending: its endpoint counts as busy until dropped.
pub struct WebhookClaim {
    core: Arc<Core>,
    delivery: DeliveryRow,
}

impl Drop for WebhookClaim {
    fn drop(&mut self) {
        lock(&self.core.in_flight).remove(&self.delivery.endpoint_id);
    }
}

/// An attempt's outcome, before it is stored.
struct Outcome {
    result: &'static str,
    http_status: Option<u16>,
    error: Option<String>,
    /// Whether trying again later may help.
    retry: bool,
}

impl Outcome {
    /// Nothing was sent; `retry` when a restart with other settings may change that.
    fn refused(why: &str, retry: bool) -> Self {
        Self {
            result: "refused",
            http_status: None,
            error: Some(why.to_owned()),
            retry,
        }
    }

    fn failed(http_status: Option<u16>, error: String) -> Self {
        Self {
            result: "failed",
            http_status,
            error: Some(error),
            retry: true,
        }
    }
}

/// What went wrong with a call, in plain words (never a body, never the URL's secret parts).
fn problem(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer within 10 s".to_owned()
    } else if e.is_connect() {
        "could not connect to the receiver".to_owned()
    } else {
        "the request failed before an answer came".to_owned()
    }
}

impl Door {
    /// Deliveries left `sending` by a panel that stopped mid-call count as
    /// a failed attempt and are tried again (the receiver may have had them).
    pub async fn recover_webhooks(&self, sender: &Sender) -> anyhow::Result<usize> {
        let stuck = deliveries::sending(&self.db).await?;
        let now = now_ms();
        for delivery in &stuck {
            let (state, next) = sender.after_failure(delivery, delivery.attempts, now);
            let attempt = NewAttempt {
                at_ms: now,
                result: "failed",
                http_status: None,
                error: Some("the panel stopped before an answer came"),
                duration_ms: 0,
                by_hand: delivery.by_hand,
            };
            let mut conn = self.conn().await?;
            deliveries::finish(&mut conn, delivery.id, &attempt, state, next).await?;
        }
        Ok(stuck.len())
    }

    /// Removes the deliveries that ended more than [`DELIVERY_LOG_DAYS`]
    /// before `now` (Unix seconds) with their attempts; one still pending
    /// or being sent stays whatever its age. Returns how many went.
    pub async fn prune_webhook_deliveries(&self, now: i64) -> anyhow::Result<u64> {
        let mut conn = self.conn().await?;
        deliveries::prune_finished(&mut conn, now - DELIVERY_LOG_DAYS * 24 * 60 * 60).await
    }

    /// Claims the due deliveries there is room for: the longest due first,
    /// one per endpoint, at most [`MAX_IN_FLIGHT`] in flight.
    pub async fn claim_webhooks(&self) -> anyhow::Result<Vec<WebhookClaim>> {
        let now = now_ms();
        let due = deliveries::due(&self.db, now, 100).await?;
        let mut claims = Vec::new();
        for delivery in due {
            {
                let mut busy = lock(&self.webhooks.in_flight);
                if busy.len() >= MAX_IN_FLIGHT {
                    break;
                }
                if !busy.insert(delivery.endpoint_id) {
                    continue;
                }
            }
            // From here the claim frees its endpoint when dropped, whatever happens.
            let mut claim = WebhookClaim {
                core: self.webhooks.clone(),
                delivery,
            };
            let mut conn = self.conn().await?;
            if deliveries::claim(&mut conn, claim.delivery.id, now).await? {
                claim.delivery.attempts += 1;
                claim.delivery.first_attempt_at.get_or_insert(now);
                claims.push(claim);
            }
        }
        Ok(claims)
    }

    /// Waits until a redelivery rings or `most` has passed.
    pub async fn webhook_wait(&self, most: Duration) {
        let _ = tokio::time::timeout(most, self.webhooks.wake.notified()).await;
    }

    pub(super) fn wake_webhooks(&self) {
        self.webhooks.wake.notify_one();
    }

    /// Makes the claimed delivery's attempt and records it.
    pub async fn deliver_webhook(
        &self,
        sender: &Sender,
        claim: &WebhookClaim,
    ) -> anyhow::Result<()> {
        let delivery = &claim.delivery;
        let started = Instant::now();
        let at = now_ms();
        let outcome = self.attempt(sender, delivery).await?;
        let Some(outcome) = outcome else {
            // The endpoint was deleted meanwhile, and its deliveries with it.
            return Ok(());
        };
        let (state, next) = match outcome.result {
            "delivered" => ("delivered", at),
            _ if !outcome.retry => ("failed", at),
            _ => sender.after_failure(delivery, delivery.attempts, now_ms()),
        };
        let attempt = NewAttempt {
            at_ms: at,
            result: outcome.result,
            http_status: outcome.http_status,
            error: outcome.error.as_deref(),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            by_hand: delivery.by_hand,
        };
        tracing::info!(
            org_id = delivery.org_id,
            endpoint_id = delivery.endpoint_id,
            delivery = %delivery.public_id,
            attempt = delivery.attempts,
            result = outcome.result,
            http_status = outcome.http_status,
            next = state,
            "webhook attempt"
        );
        let mut conn = self.conn().await?;
        deliveries::finish(&mut conn, delivery.id, &attempt, state, next).await
    }

    /// Posts the delivery once; `None` when its endpoint is gone.
    async fn attempt(
        &self,
        sender: &Sender,
        delivery: &DeliveryRow,
    ) -> anyhow::Result<Option<Outcome>> {
        let (org_id, endpoint_id) = (delivery.org_id, delivery.endpoint_id);
        let Some(endpoint) = endpoints::get(&self.db, org_id, endpoint_id).await? else {
            return Ok(None);
        };
        if !endpoint.enabled {
            return Ok(Some(Outcome::refused(
                "the endpoint is turned off: nothing was sent",
                false,
            )));
        }
        // The settings may have changed since the endpoint was saved.
        if !endpoint.url_set_by_admin
            && !crate::config::url_beneath_any(&endpoint.url, &sender.allowed)
        {
            return Ok(Some(Outcome::refused(
                "the URL is no longer allowed (TEAMPANEL_ALLOWED_WEBHOOK_URLS): nothing was sent",
                true,
            )));
        }
        let Some(secret) =
            endpoints::open_secret(&self.db, &self.keys, org_id, endpoint_id).await?
        else {
            return Ok(None);
        };
        let Some(event) = crate::audit::event(&self.db, org_id, delivery.event_id).await? else {
            return Ok(Some(Outcome::refused(
                "the event is not in the organisation's log: nothing was sent",
                false,
            )));
        };
        let Some(org) = crate::db::orgs::by_id(&self.db, org_id).await? else {
            return Ok(None);
        };
        let body = payload::body(&delivery.public_id, &org.slug, &event);
        let timestamp = chrono::Utc::now().timestamp();
        let signature = payload::signature(secret.expose(), timestamp, &body)?;
        let answer = sender
            .client
            .post(&endpoint.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Teampanel-Delivery", &delivery.public_id)
            .header("X-Teampanel-Timestamp", timestamp.to_string())
            .header("X-Teampanel-Event", &event.action)
            .header("X-Teampanel-Signature", signature)
            .body(body)
            .send()
            .await;
        Ok(Some(match answer {
            Ok(response) if response.status().is_success() => Outcome {
                result: "delivered",
                http_status: Some(response.status().as_u16()),
                error: None,
                retry: false,
            },
            Ok(response) => {
                let status = response.status();
                let error = if status.is_redirection() {
                    format!("the receiver answered {status}: redirects are not followed")
                } else {
                    format!("the receiver answered {status}")
                };
                Outcome::failed(Some(status.as_u16()), error)
            }
            Err(e) => Outcome::failed(None, problem(&e)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_grows_to_hourly() {
        let base = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=7).map(|n| backoff(base, n).as_secs()).collect();
        assert_eq!(waits, [30, 120, 600, 1800, 3600, 3600, 3600]);
        assert_eq!(backoff(Duration::from_millis(10), 2).as_millis(), 40);
    }
}
