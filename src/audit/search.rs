//! Reading the log back: the audit page's scope and filters, one page of
//! matching events, the export (the same query, larger) and the actions a
//! scope has recorded, for the filter's suggestions; and the events after
//! a point, for the webhook worker.

use anyhow::Context;

use super::chain::{AuditRow, COLUMNS};
use super::{Outcome, clip};
use crate::db::Db;

/// Which events a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One organisation's events.
    Organisation(i64),
    /// One organisation's events as a member whose role is limited to part
    /// of it sees them: their own, those about no cloud account, and those
    /// whose account and object name are inside the limit. A datacenter
    /// limit cannot be told from an event, so under one no other member's
    /// event about a cloud object shows: fail closed.
    Limited(Box<Limit>),
    /// Events that belong to no organisation (instance admins only).
    Installation,
}

/// A limited reader of an organisation's events (see [`Scope::Limited`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub org_id: i64,
    pub user_id: i64,
    /// Only these cloud accounts; empty: every one.
    pub accounts: Vec<i64>,
    pub name_prefix: Option<String>,
    pub by_datacenter: bool,
}

/// The page's filters; every field is optional. Times are stored-format bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Part of the actor's label, or their user id.
    pub actor: Option<String>,
    /// An action (`server.power_off`) or a family (`server`).
    pub action: Option<String>,
    /// Part of the target's name, or its id or kind.
    pub target: Option<String>,
    pub outcome: Option<Outcome>,
    pub cloud_account_id: Option<i64>,
    /// Inclusive lower bound, stored format.
    pub from: Option<String>,
    /// Inclusive upper bound, stored format.
    pub to: Option<String>,
}

/// Parses `2024-05-01` or `2024-05-01T12:30` (a datetime-local input, taken as
/// UTC) into a stored-format bound; `end` makes it cover the whole day/minute.
pub fn parse_time_bound(raw: &str, end: bool) -> Result<String, String> {
    let raw = raw.trim();
    if let Ok(date) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = if end { "23:59:59.999" } else { "00:00:00.000" };
        return Ok(format!("{}T{time}Z", date.format("%Y-%m-%d")));
    }
    for (format, has_seconds) in [
        ("%Y-%m-%dT%H:%M", false),
        ("%Y-%m-%d %H:%M", false),
        ("%Y-%m-%dT%H:%M:%S", true),
        ("%Y-%m-%d %H:%M:%S", true),
    ] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(raw, format) {
            let rest = match (has_seconds, end) {
                (false, false) => ":00.000",
                (false, true) => ":59.999",
                (true, false) => ".000",
                (true, true) => ".999",
            };
            let shown = if has_seconds {
                "%Y-%m-%dT%H:%M:%S"
            } else {
                "%Y-%m-%dT%H:%M"
            };
            return Ok(format!("{}{rest}Z", at.format(shown)));
        }
    }
    Err(format!(
        "`{}` is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)",
        clip(raw, 40)
    ))
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

enum Bind {
    Int(i64),
    Text(String),
}

fn where_clause(scope: &Scope, filter: &Filter) -> (String, Vec<Bind>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    match scope {
        Scope::Organisation(id) => {
            clauses.push("org_id = ?".to_owned());
            binds.push(Bind::Int(*id));
        }
        Scope::Limited(limit) => {
            clauses.push("org_id = ?".to_owned());
            binds.push(Bind::Int(limit.org_id));
            let mut inside = vec!["target_name != ''".to_owned()];
            if limit.by_datacenter {
                inside.push("0".to_owned());
            }
            if !limit.accounts.is_empty() {
                let marks = vec!["?"; limit.accounts.len()].join(", ");
                inside.push(format!("cloud_account_id IN ({marks})"));
            }
            if limit.name_prefix.is_some() {
                inside.push("substr(target_name, 1, length(?)) = ?".to_owned());
            }
            clauses.push(format!(
                "(actor_id = ? OR cloud_account_id IS NULL OR ({}))",
                inside.join(" AND ")
            ));
            binds.push(Bind::Int(limit.user_id));
            binds.extend(limit.accounts.iter().map(|a| Bind::Int(*a)));
            if let Some(prefix) = &limit.name_prefix {
                binds.push(Bind::Text(prefix.clone()));
                binds.push(Bind::Text(prefix.clone()));
            }
        }
        Scope::Installation => clauses.push("org_id IS NULL".to_owned()),
    }
    if let Some(actor) = &filter.actor {
        if let Ok(id) = actor.parse::<i64>() {
            clauses.push("(actor_id = ? OR actor_label LIKE ? ESCAPE '\\')".to_owned());
            binds.push(Bind::Int(id));
        } else {
            clauses.push("actor_label LIKE ? ESCAPE '\\'".to_owned());
        }
        binds.push(Bind::Text(like_pattern(actor)));
    }
    if let Some(action) = &filter.action {
        let family = action.trim_end_matches(['.', '*']);
        clauses.push("(action = ? OR action LIKE ? ESCAPE '\\')".to_owned());
        binds.push(Bind::Text(action.clone()));
        let escaped = family
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        binds.push(Bind::Text(format!("{escaped}.%")));
    }
    if let Some(target) = &filter.target {
        clauses.push(
            "(target_id = ? OR target_kind = ? OR target_name LIKE ? ESCAPE '\\')".to_owned(),
        );
        binds.push(Bind::Text(target.clone()));
        binds.push(Bind::Text(target.clone()));
        binds.push(Bind::Text(like_pattern(target)));
    }
    if let Some(outcome) = filter.outcome {
        clauses.push("outcome = ?".to_owned());
        binds.push(Bind::Text(outcome.as_str().to_owned()));
    }
    if let Some(account) = filter.cloud_account_id {
        clauses.push("cloud_account_id = ?".to_owned());
        binds.push(Bind::Int(account));
    }
    if let Some(from) = &filter.from {
        clauses.push("at >= ?".to_owned());
        binds.push(Bind::Text(from.clone()));
    }
    if let Some(to) = &filter.to {
        clauses.push("at <= ?".to_owned());
        binds.push(Bind::Text(to.clone()));
    }
    (clauses.join(" AND "), binds)
}

fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments> {
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
        };
    }
    query
}

/// One page of matching events, newest first, and how many match in all.
pub async fn search(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> anyhow::Result<(Vec<AuditRow>, i64)> {
    let (clause, binds) = where_clause(&scope, filter);
    let (total,): (i64,) = bind_all(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_events WHERE {clause}"
        ))),
        binds,
    )
    .fetch_one(db)
    .await
    .context("Failed to count the audit events")?;
    let (clause, binds) = where_clause(&scope, filter);
    let mut query = bind_all(
        sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE {clause} ORDER BY id DESC LIMIT ? OFFSET ?"
        ))),
        binds,
    );
    query = query.bind(limit.max(1)).bind(offset.max(0));
    let rows = query
        .fetch_all(db)
        .await
        .context("Failed to load the audit events")?;
    Ok((rows, total))
}

/// Every matching event (newest first, at most `max`), for export.
pub async fn export(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    max: i64,
) -> anyhow::Result<Vec<AuditRow>> {
    Ok(search(db, scope, filter, 0, max).await?.0)
}

/// The actions recorded in a scope, for the filter's suggestions.
pub async fn actions(db: &Db, scope: Scope) -> anyhow::Result<Vec<String>> {
    let (clause, binds) = where_clause(&scope, &Filter::default());
    let rows: Vec<(String,)> = bind_all(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT action FROM audit_events WHERE {clause} ORDER BY action LIMIT 500"
        ))),
        binds,
    )
    .fetch_all(db)
    .await
    .context("Failed to list the audited actions")?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Organisations' events after `after_id`, oldest first, at most `limit`:
/// what the webhook worker reads after its cursor. Ids only grow (each
/// event is the chain's next link), so nothing is skipped.
pub async fn after(db: &Db, after_id: i64, limit: i64) -> anyhow::Result<Vec<AuditRow>> {
    sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_events WHERE id > ? ORDER BY id LIMIT ?"
    )))
    .bind(after_id)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("Failed to read the audit log after the webhook cursor")
}

/// One event of one organisation.
pub async fn event(db: &Db, org_id: i64, id: i64) -> anyhow::Result<Option<AuditRow>> {
    sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_events WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to read an audit event")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testing::{ctx, test_db};
    use crate::audit::{NewEvent, record};

    #[tokio::test]
    async fn filters_combine_and_never_cross_organisations() {
        let (_dir, db) = test_db().await;
        record(
            &db,
            &ctx(Some(1), "ada@example.org"),
            NewEvent::new("server.power_off", Outcome::Succeeded)
                .target("server", "s1", "web-1")
                .cloud_account(4),
        )
        .await
        .unwrap();
        record(
            &db,
            &ctx(Some(1), "bob@example.org"),
            NewEvent::new("server.power_on", Outcome::Denied).target("server", "s2", "db_1"),
        )
        .await
        .unwrap();
        record(
            &db,
            &ctx(Some(2), "ada@example.org"),
            NewEvent::new("server.power_off", Outcome::Succeeded),
        )
        .await
        .unwrap();
        record(
            &db,
            &ctx(None, "ada@example.org"),
            NewEvent::new("auth.sign_in", Outcome::Succeeded),
        )
        .await
        .unwrap();

        let count = |scope, filter: Filter| {
            let db = db.clone();
            async move { search(&db, scope, &filter, 0, 100).await.unwrap().1 }
        };
        let org1 = || Scope::Organisation(1);
        assert_eq!(count(org1(), Filter::default()).await, 2);
        // A limited reader: another member's event about a cloud object
        // shows only inside the limit; one about no account always does,
        // and so does the reader's own.
        let limited = |user_id, accounts: Vec<i64>, prefix: &str, by_datacenter| {
            Scope::Limited(Box::new(Limit {
                org_id: 1,
                user_id,
                accounts,
                name_prefix: Some(prefix.to_owned()),
                by_datacenter,
            }))
        };
        assert_eq!(
            count(limited(99, vec![], "web", false), Filter::default()).await,
            2
        );
        assert_eq!(
            count(limited(99, vec![4], "web", false), Filter::default()).await,
            2
        );
        assert_eq!(
            count(limited(99, vec![], "db", false), Filter::default()).await,
            1
        );
        assert_eq!(
            count(limited(99, vec![5], "web", false), Filter::default()).await,
            1
        );
        assert_eq!(
            count(limited(99, vec![], "web", true), Filter::default()).await,
            1
        );
        assert_eq!(
            count(limited(7, vec![], "zzz", true), Filter::default()).await,
            2
        );
        assert_eq!(count(Scope::Installation, Filter::default()).await, 1);
        let by_actor = Filter {
            actor: Some("ADA".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1(), by_actor).await, 1);
        let by_family = Filter {
            action: Some("server".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1(), by_family).await, 2);
        let exact = Filter {
            action: Some("server.power_on".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1(), exact).await, 1);
        // `_` is a literal, not a wildcard.
        let target = Filter {
            target: Some("b_1".into()),
            ..Filter::default()
        };
        assert_eq!(count(org1(), target).await, 1);
        let outcome = Filter {
            outcome: Some(Outcome::Denied),
            ..Filter::default()
        };
        assert_eq!(count(org1(), outcome).await, 1);
        let account = Filter {
            cloud_account_id: Some(4),
            ..Filter::default()
        };
        assert_eq!(count(org1(), account).await, 1);
        let future = Filter {
            from: Some(parse_time_bound("2999-01-01", false).unwrap()),
            ..Filter::default()
        };
        assert_eq!(count(org1(), future).await, 0);
        let past = Filter {
            to: Some(parse_time_bound("2999-01-01T00:00", true).unwrap()),
            ..Filter::default()
        };
        assert_eq!(count(org1(), past).await, 2);
        let (page, total) = search(&db, org1(), &Filter::default(), 1, 1).await.unwrap();
        assert_eq!((page.len(), total), (1, 2));
        assert_eq!(page[0].actor_label, "ada@example.org");
    }

    #[test]
    fn time_bounds_parse() {
        assert_eq!(
            parse_time_bound("2024-05-01", false).unwrap(),
            "2024-05-01T00:00:00.000Z"
        );
        assert_eq!(
            parse_time_bound("2024-05-01", true).unwrap(),
            "2024-05-01T23:59:59.999Z"
        );
        assert_eq!(
            parse_time_bound("2024-05-01T12:30", true).unwrap(),
            "2024-05-01T12:30:59.999Z"
        );
        assert_eq!(
            parse_time_bound("2024-05-01 12:30:15", false).unwrap(),
            "2024-05-01T12:30:15.000Z"
        );
        assert!(parse_time_bound("yesterday", false).is_err());
        assert!(parse_time_bound("2024-13-01", false).is_err());
    }
}
