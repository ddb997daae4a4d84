//! Memberships that follow the identity provider's groups.
//!
//! At each sign-in through the provider, with a groups claim configured,
//! a group named `teampanel:<org slug>:<role name>` makes the person a
//! member of that organisation with that role; a membership such a group
//! made (`memberships.granted_by_group`) goes when the group is no longer
//! in the claim. A membership an Owner made by hand is never changed here.
//! Crossing organisations is why this is outside [`super::Door`]: the
//! sign-in comes before any membership, and the provider's signed ID token
//! is the credential. Each change commits with its audit event, in the
//! organisation's log.

use std::collections::BTreeMap;

use anyhow::Context;
use serde_json::json;
use sqlx::SqliteConnection;

use super::store::members::{self as store, Change};
use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::db::Db;

/// The prefix of the groups that grant memberships.
pub const GROUP_PREFIX: &str = "teampanel:";

/// What one sign-in changed, for the log and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GroupSync {
    /// Organisation slugs joined, with the role.
    pub granted: Vec<(String, String)>,
    /// Organisation slugs whose group-made membership changed role.
    pub changed: Vec<(String, String)>,
    /// Organisation slugs left because their group went.
    pub removed: Vec<String>,
    /// Groups of the panel's form that name no organisation or role here.
    pub unknown: Vec<String>,
}

/// The organisation slug and role name each `teampanel:` group names; one
/// role per organisation (the first in the claim's order).
pub fn parse_groups(groups: &[String]) -> BTreeMap<String, String> {
    let mut wanted = BTreeMap::new();
    for group in groups {
        let Some(rest) = group.strip_prefix(GROUP_PREFIX) else {
            continue;
        };
        let Some((slug, role)) = rest.split_once(':') else {
            continue;
        };
        let (slug, role) = (slug.trim(), role.trim());
        if slug.is_empty() || role.is_empty() {
            continue;
        }
        wanted
            .entry(slug.to_ascii_lowercase())
            .or_insert_with(|| role.to_owned());
    }
    wanted
}

struct Held {
    org_id: i64,
    slug: String,
    role_id: i64,
    role_name: String,
    by_group: bool,
}

async fn held(conn: &mut SqliteConnection, user_id: i64) -> anyhow::Result<Vec<Held>> {
    let rows: Vec<(i64, String, i64, String, bool)> = sqlx::query_as(
        "SELECT o.id, o.slug, r.id, r.name, m.granted_by_group = 1
         FROM memberships m
         JOIN organisations o ON o.id = m.org_id
         JOIN roles r ON r.id = m.role_id AND r.org_id = m.org_id
         WHERE m.user_id = ?",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await
    .context("Failed to read a user's memberships")?;
    Ok(rows
        .into_iter()
        .map(|(org_id, slug, role_id, role_name, by_group)| Held {
            org_id,
            slug,
            role_id,
            role_name,
            by_group,
        })
        .collect())
}

async fn role_named(
    conn: &mut SqliteConnection,
    slug: &str,
    role: &str,
) -> anyhow::Result<Option<(i64, i64, String)>> {
    sqlx::query_as(
        "SELECT o.id, r.id, r.name FROM organisations o
         JOIN roles r ON r.org_id = o.id AND r.name = ?
         WHERE o.slug = ?",
    )
    .bind(role)
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await
    .context("Failed to find the role a group names")
}

/// Brings the user's group-made memberships in line with `groups` (the
/// whole claim). `ctx` is the signing-in user's.
pub async fn sync_group_memberships(
    db: &Db,
    ctx: &AuditCtx,
    user_id: i64,
    email: &str,
    groups: &[String],
) -> anyhow::Result<GroupSync> {
    let wanted = parse_groups(groups);
    let mut outcome = GroupSync::default();
    let current = {
        let mut conn = db.acquire().await?;
        held(&mut conn, user_id).await?
    };

    for (slug, role) in &wanted {
        let existing = current.iter().find(|h| h.slug.eq_ignore_ascii_case(slug));
        if existing.is_some_and(|h| !h.by_group || h.role_name.eq_ignore_ascii_case(role)) {
            // Made by hand (an Owner's word stands), or already as the group says.
            continue;
        }
        let mut change = LocalChange::begin(db).await?;
        let Some((org_id, role_id, role_name)) = role_named(change.conn(), slug, role).await?
        else {
            drop(change);
            outcome.unknown.push(format!("{GROUP_PREFIX}{slug}:{role}"));
            continue;
        };
        let event = match existing {
            None => {
                let inserted = sqlx::query(
                    "INSERT INTO memberships (user_id, org_id, role_id, granted_by_group)
                     VALUES (?, ?, ?, 1) ON CONFLICT (user_id, org_id) DO NOTHING",
                )
                .bind(user_id)
                .bind(org_id)
                .bind(role_id)
                .execute(&mut *change.conn())
                .await
                .context("Failed to add a membership from a group")?;
                if inserted.rows_affected() != 1 {
                    continue;
                }
                outcome.granted.push((slug.clone(), role_name.clone()));
                NewEvent::new("member.group_grant", Outcome::Succeeded)
                    .target("member", user_id, email)
                    .details(json!({ "role": role_name, "group": format!("{GROUP_PREFIX}{slug}:{role}") }))
            }
            Some(held) => {
                if store::set_role(change.conn(), org_id, user_id, role_id).await? != Change::Done {
                    continue;
                }
                outcome.changed.push((slug.clone(), role_name.clone()));
                NewEvent::new("member.group_role", Outcome::Succeeded)
                    .target("member", user_id, email)
                    .details(json!({
                        "from_role": held.role_name,
                        "role": role_name,
                        "group": format!("{GROUP_PREFIX}{slug}:{role}"),
                    }))
            }
        };
        change.commit(&ctx.in_org(org_id), event).await?;
    }

    for gone in current
        .iter()
        .filter(|h| h.by_group && !wanted.contains_key(&h.slug.to_ascii_lowercase()))
    {
        let mut change = LocalChange::begin(db).await?;
        // The last Owner stays: an organisation always keeps one.
        if store::remove(change.conn(), gone.org_id, user_id).await? != Change::Done {
            continue;
        }
        let event = NewEvent::new("member.group_remove", Outcome::Succeeded)
            .target("member", user_id, email)
            .details(json!({
                "role": gone.role_name,
                "role_id": gone.role_id,
                "reason": "the group is no longer in the identity provider's claim",
            }));
        change.commit(&ctx.in_org(gone.org_id), event).await?;
        outcome.removed.push(gone.slug.clone());
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_panels_groups_count_one_role_per_organisation() {
        let groups = [
            "staff",
            "teampanel:acme:Operator",
            "teampanel:acme:Owner",
            "teampanel:Beta:Viewer",
            "teampanel::Viewer",
            "teampanel:gamma",
        ]
        .map(str::to_owned);
        let wanted = parse_groups(&groups);
        assert_eq!(wanted.len(), 2);
        assert_eq!(wanted["acme"], "Operator");
        assert_eq!(wanted["beta"], "Viewer");
    }
}
