//! The organisation's audit log through the handle: reading it needs
//! `organisation.view_audit`, exporting it `organisation.export_audit`
//! (and the export is itself recorded).

use anyhow::Context;
use serde_json::Value;

use super::Tenant;
use crate::audit::{self, AuditRow, Filter, Limit, NewEvent, Outcome, Scope};
use crate::rbac::perms::{ORGANISATION_EXPORT_AUDIT, ORGANISATION_VIEW_AUDIT};

impl Tenant<'_> {
    /// The whole organisation's log, or, for a member whose role is
    /// limited to a scope, their own events, those about no cloud account
    /// and those about objects inside the scope (another member's events
    /// may name objects outside it).
    fn scope(&self) -> Scope {
        match self.member.scope().filter(|s| s.is_limited()) {
            None => Scope::Organisation(self.org_id()),
            Some(scope) => Scope::Limited(Box::new(Limit {
                org_id: self.org_id(),
                user_id: self.member.user_id(),
                accounts: scope.accounts.clone(),
                name_prefix: scope.name_prefix.clone(),
                by_datacenter: scope.datacenter.is_some(),
            })),
        }
    }

    /// The actions recorded here, for the filter's suggestions.
    pub async fn audit_actions(&self) -> anyhow::Result<Vec<String>> {
        self.needs(ORGANISATION_VIEW_AUDIT)?;
        audit::actions(&self.door.db, self.scope()).await
    }

    /// One page of matching events, newest first, and how many match.
    pub async fn audit_search(
        &self,
        filter: &Filter,
        offset: i64,
        limit: i64,
    ) -> anyhow::Result<(Vec<AuditRow>, i64)> {
        self.needs(ORGANISATION_VIEW_AUDIT)?;
        audit::search(&self.door.db, self.scope(), filter, offset, limit).await
    }

    /// When this organisation's events touched any of `target_ids` between
    /// `from` and `to` (stored format, inclusive), as (time, target id), at
    /// most `limit`: one query for a whole page of Cloud Panel logs.
    pub async fn audit_marks(
        &self,
        target_ids: &[String],
        from: &str,
        to: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<(String, String)>> {
        self.needs(ORGANISATION_VIEW_AUDIT)?;
        if target_ids.is_empty() {
            return Ok(Vec::new());
        }
        let slots = vec!["?"; target_ids.len()].join(", ");
        let sql = format!(
            "SELECT at, target_id FROM audit_events WHERE org_id = ? AND at >= ? AND at <= ? \
             AND target_id IN ({slots}) ORDER BY id DESC LIMIT ?"
        );
        let mut query = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql))
            .bind(self.org_id())
            .bind(from)
            .bind(to);
        for id in target_ids {
            query = query.bind(id);
        }
        query
            .bind(limit.max(1))
            .fetch_all(&self.door.db)
            .await
            .context("Failed to look up the audit events of these resources")
    }

    /// The matching events for an export (at most `max`), recorded as an
    /// `audit.export` event with `details`; no record, no export.
    pub async fn audit_export(
        &self,
        filter: &Filter,
        max: i64,
        details: Value,
    ) -> anyhow::Result<Vec<AuditRow>> {
        self.needs(ORGANISATION_EXPORT_AUDIT)?;
        let rows = audit::export(&self.door.db, self.scope(), filter, max).await?;
        let mut details = details;
        if let Value::Object(map) = &mut details {
            map.insert("events".into(), rows.len().into());
        }
        let event = NewEvent::new("audit.export", Outcome::Succeeded).details(details);
        audit::record(&self.door.db, self.actor.ctx(), event).await?;
        Ok(rows)
    }
}
