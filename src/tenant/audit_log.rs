//! The organisation's audit log through the handle: reading it needs
//! `organisation.view_audit`, exporting it `organisation.export_audit`
//! (and the export is itself recorded).

use serde_json::Value;

use super::Tenant;
use crate::audit::{self, AuditRow, Filter, NewEvent, Outcome, Scope};
use crate::rbac::perms::{ORGANISATION_EXPORT_AUDIT, ORGANISATION_VIEW_AUDIT};

impl Tenant<'_> {
    fn scope(&self) -> Scope {
        Scope::Organisation(self.org_id())
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
        audit::record(&self.door.db, &self.actor, event).await?;
        Ok(rows)
    }
}
