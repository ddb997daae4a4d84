//! Signed webhooks: an organisation's endpoints through the handle, and
//! the worker that delivers its audit events to them.
//!
//! Every method here needs `organisation.manage_webhooks`; each change
//! commits with its audit event (`webhook.create`, `webhook.update`,
//! `webhook.rotate_secret`, `webhook.delete`, `webhook.redeliver`), whose
//! details never hold the secret. The secret is generated here and handed
//! out once, when it is made; it is kept sealed, since signing needs it.
//!
//! The worker is the panel's own, so its parts are [`Door`] methods:
//! `router` turns the audit log into deliveries, `sender` posts them, and
//! `payload` is what is posted and how it is signed.

mod filter;
mod payload;
mod router;
mod sender;

use serde_json::json;

use super::Tenant;
use super::store::webhook_deliveries::{self as deliveries, AttemptRow, DeliveryRow};
use super::store::webhooks::{self as endpoints, EndpointRow, Fields};
use crate::audit::{LocalChange, NewEvent, Outcome};
use crate::config::Secret;
use crate::domain::{WebhookName, WebhookUrl};
use crate::rbac::perms::ORGANISATION_MANAGE_WEBHOOKS as MANAGE;

pub use filter::{ALL as ALL_FAMILIES, FamilyChoice, Filter, FilterErrors, OUTCOMES};
pub use sender::{Core as WebhookCore, Sender as WebhookSender, WebhookClaim};

/// The family choices of the form: those with a label of their own, the
/// cloud's, the panel's.
pub const FAMILY_GROUPS: [(&str, &[FamilyChoice]); 3] = [
    ("Notices", filter::NOTICES),
    ("Cloud resources", filter::CLOUD),
    ("The panel", filter::PANEL),
];

/// Deliveries the endpoint's page shows.
const LOG_LENGTH: i64 = 25;

impl EndpointRow {
    /// What the endpoint subscribes to.
    pub fn filter(&self) -> Filter {
        Filter::from_stored(&self.families, &self.outcomes)
    }
}

/// An endpoint as a form sets it, its values already checked.
pub struct EndpointInput<'a> {
    pub name: &'a WebhookName,
    pub url: &'a WebhookUrl,
    /// The URL is outside the allow-list and an instance admin set it.
    pub url_set_by_admin: bool,
    pub filter: &'a Filter,
    pub enabled: bool,
}

impl EndpointInput<'_> {
    fn details(&self) -> serde_json::Value {
        json!({
            "url": self.url.as_str(),
            "families": self.filter.families,
            "outcomes": self.filter.outcomes,
            "enabled": self.enabled,
            "url_set_by_admin": self.url_set_by_admin,
        })
    }
}

/// A delivery with its attempts, oldest attempt first.
pub struct DeliveryLog {
    pub delivery: DeliveryRow,
    pub attempts: Vec<AttemptRow>,
}

/// Why a redelivery was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redelivery {
    Queued,
    /// An attempt is under way; its outcome comes first.
    UnderWay,
    NotFound,
}

impl Tenant<'_> {
    /// The organisation's endpoints, by name.
    pub async fn webhook_endpoints(&self) -> anyhow::Result<Vec<EndpointRow>> {
        self.needs(MANAGE)?;
        endpoints::list(&self.door.db, self.org_id()).await
    }

    /// One of the organisation's endpoints; another's is not found.
    pub async fn webhook_endpoint(&self, id: i64) -> anyhow::Result<Option<EndpointRow>> {
        self.needs(MANAGE)?;
        endpoints::get(&self.door.db, self.org_id(), id).await
    }

    /// A new endpoint: its id and its secret, which is shown once.
    pub async fn create_webhook(&self, input: &EndpointInput<'_>) -> anyhow::Result<(i64, Secret)> {
        self.needs(MANAGE)?;
        let (families, outcomes) = input.filter.to_stored();
        let fields = Fields {
            name: input.name.as_str(),
            url: input.url.as_str(),
            url_set_by_admin: input.url_set_by_admin,
            families: &families,
            outcomes: &outcomes,
            enabled: input.enabled,
        };
        let ctx = self.actor.ctx();
        let mut change = LocalChange::begin(&self.door.db).await?;
        let (id, secret) = endpoints::insert(
            change.conn(),
            &self.door.keys,
            self.org_id(),
            &fields,
            ctx.actor_id,
            &ctx.actor_label,
            crate::db::now_unix(),
        )
        .await?;
        let event = NewEvent::new("webhook.create", Outcome::Succeeded)
            .target("webhook", id, input.name.as_str())
            .details(input.details());
        change.commit(ctx, event).await?;
        Ok((id, secret))
    }

    /// Saves an endpoint's form; `false` when it is not the organisation's.
    pub async fn update_webhook(&self, id: i64, input: &EndpointInput<'_>) -> anyhow::Result<bool> {
        self.needs(MANAGE)?;
        let (families, outcomes) = input.filter.to_stored();
        let fields = Fields {
            name: input.name.as_str(),
            url: input.url.as_str(),
            url_set_by_admin: input.url_set_by_admin,
            families: &families,
            outcomes: &outcomes,
            enabled: input.enabled,
        };
        let mut change = LocalChange::begin(&self.door.db).await?;
        let Some(before) = endpoints::get(change.conn(), self.org_id(), id).await? else {
            return Ok(false);
        };
        if !endpoints::update(change.conn(), self.org_id(), id, &fields).await? {
            return Ok(false);
        }
        let mut details = input.details();
        if let Some(d) = details.as_object_mut() {
            d.insert(
                "before".into(),
                json!({
                    "name": before.name,
                    "url": before.url,
                    "families": before.filter().families,
                    "outcomes": before.filter().outcomes,
                    "enabled": before.enabled,
                }),
            );
        }
        let event = NewEvent::new("webhook.update", Outcome::Succeeded)
            .target("webhook", id, input.name.as_str())
            .details(details);
        change.commit(self.actor.ctx(), event).await?;
        Ok(true)
    }

    /// A new secret for the endpoint, shown once; the old one stops
    /// signing at once. `None` when it is not the organisation's.
    pub async fn rotate_webhook_secret(&self, id: i64) -> anyhow::Result<Option<Secret>> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let Some(endpoint) = endpoints::get(change.conn(), self.org_id(), id).await? else {
            return Ok(None);
        };
        let secret =
            endpoints::rotate_secret(change.conn(), &self.door.keys, self.org_id(), id).await?;
        let event = NewEvent::new("webhook.rotate_secret", Outcome::Succeeded)
            .target("webhook", id, &endpoint.name)
            .details(json!({ "url": endpoint.url }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Some(secret))
    }

    /// Deletes an endpoint with its deliveries; `None` when it is not the organisation's.
    pub async fn delete_webhook(&self, id: i64) -> anyhow::Result<Option<EndpointRow>> {
        self.needs(MANAGE)?;
        let mut change = LocalChange::begin(&self.door.db).await?;
        let Some(endpoint) = endpoints::get(change.conn(), self.org_id(), id).await? else {
            return Ok(None);
        };
        if !endpoints::delete(change.conn(), self.org_id(), id).await? {
            return Ok(None);
        }
        let event = NewEvent::new("webhook.delete", Outcome::Succeeded)
            .target("webhook", id, &endpoint.name)
            .details(json!({ "url": endpoint.url }));
        change.commit(self.actor.ctx(), event).await?;
        Ok(Some(endpoint))
    }

    /// The endpoint's latest deliveries, newest first, each with its attempts.
    pub async fn webhook_deliveries(&self, endpoint_id: i64) -> anyhow::Result<Vec<DeliveryLog>> {
        self.needs(MANAGE)?;
        let org_id = self.org_id();
        let latest = deliveries::latest(&self.door.db, org_id, endpoint_id, LOG_LENGTH).await?;
        let Some(oldest) = latest.last().map(|d| d.id) else {
            return Ok(Vec::new());
        };
        let attempts =
            deliveries::attempts_since(&self.door.db, org_id, endpoint_id, oldest).await?;
        Ok(latest
            .into_iter()
            .map(|delivery| DeliveryLog {
                attempts: attempts
                    .iter()
                    .filter(|a| a.delivery_id == delivery.id)
                    .cloned()
                    .collect(),
                delivery,
            })
            .collect())
    }

    /// Makes the delivery due now for one more attempt, by hand; the worker
    /// sends it at once, never the page.
    pub async fn redeliver_webhook(
        &self,
        endpoint_id: i64,
        delivery_id: i64,
    ) -> anyhow::Result<Redelivery> {
        self.needs(MANAGE)?;
        let org_id = self.org_id();
        let mut change = LocalChange::begin(&self.door.db).await?;
        let Some(delivery) = deliveries::get(change.conn(), org_id, delivery_id).await? else {
            return Ok(Redelivery::NotFound);
        };
        let Some(endpoint) = endpoints::get(change.conn(), org_id, endpoint_id).await? else {
            return Ok(Redelivery::NotFound);
        };
        if delivery.endpoint_id != endpoint.id {
            return Ok(Redelivery::NotFound);
        }
        if !deliveries::redeliver(change.conn(), org_id, delivery_id, sender::now_ms()).await? {
            return Ok(Redelivery::UnderWay);
        }
        let event = NewEvent::new("webhook.redeliver", Outcome::Succeeded)
            .target("webhook", endpoint.id, &endpoint.name)
            .details(json!({
                "delivery": delivery.public_id,
                "event_id": delivery.event_id,
                "action": delivery.action,
                "attempts_before": delivery.attempts,
            }));
        change.commit(self.actor.ctx(), event).await?;
        self.door.wake_webhooks();
        Ok(Redelivery::Queued)
    }
}
