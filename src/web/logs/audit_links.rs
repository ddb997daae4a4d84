//! The same change in the panel's own audit log: an event of this
//! organisation on the same resource (target id) within a minute of the
//! Cloud Panel's log. One audit query per page, never one per row, and
//! only for members who may read the audit log.

use chrono::{DateTime, Duration, Utc};

use crate::cloudpanel::logs::LogEntry;
use crate::rbac::perms;
use crate::web::error::url_encode;
use crate::web::org_ctx::OrgCtx;

/// How far an audit event may be from the log and still be the same change.
const WINDOW_SECS: i64 = 60;
/// More events than any page of logs can use.
const MAX_MARKS: i64 = 2_000;

/// A log's resource id and when its action ran.
type Span<'a> = (&'a str, DateTime<Utc>, DateTime<Utc>);

/// The audit log's stored time format.
fn stored(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// When a log's action ran: from its start to its end (either may be missing).
fn span(log: &LogEntry) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = log.start_date.parsed().or_else(|| log.end_date.parsed())?;
    let end = log
        .end_date
        .parsed()
        .filter(|e| *e >= start)
        .unwrap_or(start);
    Some((start, end))
}

fn resource_id(log: &LogEntry) -> Option<&str> {
    log.resource
        .as_ref()
        .map(|r| r.id.as_str())
        .filter(|id| !id.is_empty())
}

/// The audit page filtered to this resource around this log's time.
fn audit_href(ctx: &OrgCtx, target: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let minute = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M").to_string();
    let window = Duration::seconds(WINDOW_SECS);
    format!(
        "{}?target={}&from={}&to={}",
        ctx.href("audit"),
        url_encode(target),
        url_encode(&minute(start - window)),
        url_encode(&minute(end + window)),
    )
}

/// For each log, the address of its matching audit events, if any.
pub async fn links(ctx: &OrgCtx, logs: &[&LogEntry]) -> Vec<Option<String>> {
    let mut out = vec![None; logs.len()];
    if !ctx.can(perms::ORGANISATION_VIEW_AUDIT) {
        return out;
    }
    let spans: Vec<Option<Span>> = logs
        .iter()
        .map(|log| {
            resource_id(log)
                .zip(span(log))
                .map(|(id, (s, e))| (id, s, e))
        })
        .collect();
    let Some(from) = spans.iter().flatten().map(|(_, s, _)| *s).min() else {
        return out;
    };
    let Some(to) = spans.iter().flatten().map(|(_, _, e)| *e).max() else {
        return out;
    };
    let mut targets: Vec<String> = spans
        .iter()
        .flatten()
        .map(|(id, _, _)| (*id).to_owned())
        .collect();
    targets.sort();
    targets.dedup();
    let window = Duration::seconds(WINDOW_SECS);
    let marks = match ctx.require(perms::ORGANISATION_VIEW_AUDIT).await {
        Ok(tenant) => {
            tenant
                .audit_marks(
                    &targets,
                    &stored(from - window),
                    &stored(to + window),
                    MAX_MARKS,
                )
                .await
        }
        Err(_) => return out,
    };
    let marks: Vec<(DateTime<Utc>, String)> = match marks {
        Ok(marks) => marks
            .into_iter()
            .filter_map(|(at, id)| {
                DateTime::parse_from_rfc3339(&at)
                    .ok()
                    .map(|at| (at.with_timezone(&Utc), id))
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = ?e, "the audit links of the logs page could not be looked up");
            return out;
        }
    };
    for (slot, found) in out.iter_mut().zip(&spans) {
        if let Some((id, start, end)) = found
            && near(&marks, id, *start, *end)
        {
            *slot = Some(audit_href(ctx, id, *start, *end));
        }
    }
    out
}

/// Whether an event on `target` lies within the window around the span.
fn near(
    marks: &[(DateTime<Utc>, String)],
    target: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> bool {
    let window = Duration::seconds(WINDOW_SECS);
    marks
        .iter()
        .any(|(at, id)| id == target && *at >= start - window && *at <= end + window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn only_the_same_resource_within_the_minute_matches() {
        let marks = vec![(at(30), "S1".to_owned()), (at(500), "S2".to_owned())];
        assert!(near(&marks, "S1", at(0), at(0)));
        assert!(near(&marks, "S1", at(80), at(90)));
        assert!(!near(&marks, "S1", at(100), at(100)));
        assert!(!near(&marks, "S2", at(0), at(0)));
    }

    #[test]
    fn times_are_written_in_the_audit_logs_format() {
        assert_eq!(stored(at(0)), "2023-11-14T22:13:20.000Z");
    }
}
