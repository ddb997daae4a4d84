//! From the audit log to deliveries: the worker's half that decides what
//! each endpoint receives.
//!
//! The audit log is the one source of events, so no page's write path
//! changes for webhooks: the worker reads the events after a stored cursor,
//! matches each against the enabled endpoints of its organisation, and
//! stores one delivery per (endpoint, event) together with the cursor's new
//! place, in one transaction. A delivery is unique on its endpoint and
//! event, so a restart, or a panel killed mid-way, never makes a second.

use anyhow::Context;
use rand::Rng;

use super::filter::Filter;
use super::sender::now_ms;
use crate::tenant::Door;
use crate::tenant::store::webhook_deliveries::{self as deliveries, NewDelivery};
use crate::tenant::store::webhooks as endpoints;

/// Events read per round; the rest wait for the next one.
const BATCH: i64 = 500;

/// A delivery's public id: 32 hex digits, random.
fn public_id() -> String {
    format!("{:032x}", rand::rng().random::<u128>())
}

impl Door {
    /// Routes the audit events after the cursor to the endpoints that
    /// subscribe to them; returns how many deliveries were made.
    pub async fn route_webhook_events(&self) -> anyhow::Result<usize> {
        let from = deliveries::cursor(&self.db).await?;
        let events = crate::audit::after(&self.db, from, BATCH).await?;
        let Some(to) = events.last().map(|e| e.id) else {
            return Ok(0);
        };
        let subscribed: Vec<(endpoints::EndpointRow, Filter)> = endpoints::all_enabled(&self.db)
            .await?
            .into_iter()
            .map(|e| {
                let filter = Filter::from_stored(&e.families, &e.outcomes);
                (e, filter)
            })
            .collect();
        let mut tx = self
            .db
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("Failed to start routing webhook events")?;
        let now = now_ms();
        let mut made = 0;
        for event in &events {
            let Some(org_id) = event.org_id else { continue };
            for (endpoint, filter) in &subscribed {
                if endpoint.org_id != org_id
                    || event.id <= endpoint.after_event_id
                    || !filter.matches(&event.action, &event.outcome)
                {
                    continue;
                }
                let new = NewDelivery {
                    org_id,
                    endpoint_id: endpoint.id,
                    event_id: event.id,
                    action: &event.action,
                    public_id: &public_id(),
                    now_ms: now,
                };
                if deliveries::insert(&mut tx, &new).await? {
                    made += 1;
                }
            }
        }
        if !deliveries::move_cursor(&mut tx, from, to).await? {
            // Another router got there first: its deliveries stand, these roll back.
            return Ok(0);
        }
        tx.commit()
            .await
            .context("Failed to store the routed webhook deliveries")?;
        Ok(made)
    }
}
