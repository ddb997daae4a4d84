//! Access that expires: a membership may be given an end. From that moment
//! the door no longer finds it ([`super::Door::membership`]), so every
//! page, form and API token of the member in that organisation is refused
//! on the next request. The sweep here then ends what the member left
//! behind: each of their changes still waiting in a queue is cancelled
//! (never sent), so is each of their requests waiting for approval, and
//! the membership is removed, each step a committed change with its audit
//! event.

use serde_json::json;

use super::Door;
use super::queue::event_of;
use super::store::members::{self, Ended};
use super::store::queue as queue_store;
use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};

/// Who ends an expired access in the audit log: the panel itself.
fn expiry_ctx(org_id: i64) -> AuditCtx {
    AuditCtx {
        org_id: Some(org_id),
        actor_id: None,
        actor_label: "access expiry".to_owned(),
        ip: None,
        user_agent: None,
        request_id: None,
    }
}

impl Door {
    /// Ends every membership whose end is at or before `now`; returns how
    /// many were ended. A membership extended meanwhile is left alone.
    pub async fn end_expired_access(&self, now: i64) -> anyhow::Result<usize> {
        let ended = {
            let mut conn = self.conn().await?;
            members::ended(&mut conn, now).await?
        };
        let mut count = 0;
        for membership in &ended {
            self.cancel_waiting_of(membership).await?;
            self.cancel_requests_of(membership.org_id, membership.user_id)
                .await?;
            let mut change = LocalChange::begin(&self.db).await?;
            if !members::remove_ended(change.conn(), membership.org_id, membership.user_id, now)
                .await?
            {
                continue;
            }
            let event = NewEvent::new("member.expired", Outcome::Succeeded)
                .target("member", membership.user_id, &membership.email)
                .details(json!({
                    "role": membership.role_name,
                    "expires_at": membership.expires_at,
                }));
            change.commit(&expiry_ctx(membership.org_id), event).await?;
            tracing::info!(
                org_id = membership.org_id,
                user_id = membership.user_id,
                "a membership reached its end"
            );
            count += 1;
        }
        Ok(count)
    }

    /// The member's changes still waiting in the organisation's queues end
    /// as `cancelled`, recorded in their name, with why.
    async fn cancel_waiting_of(&self, membership: &Ended) -> anyhow::Result<()> {
        let waiting = queue_store::waiting(&self.db, membership.org_id).await?;
        for row in waiting
            .iter()
            .filter(|r| r.user_id == Some(membership.user_id) && r.state == "queued")
        {
            let mut change = LocalChange::begin(&self.db).await?;
            if !queue_store::cancel(change.conn(), membership.org_id, row.id).await? {
                continue;
            }
            let event = event_of(row, Outcome::Cancelled).details(json!({
                "reason": "the member's access to the organisation ended",
                "change": row.details_json(),
            }));
            change.commit(&row.audit_ctx(), event).await?;
        }
        Ok(())
    }
}
