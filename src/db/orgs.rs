//! The `organisations` table: tenants, each under `/o/{slug}/`.

use anyhow::Context;
use sqlx::FromRow;

use super::Db;
use crate::rbac::BuiltinRole;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// An organisation as the instance admin's list shows it.
#[derive(Debug, Clone, FromRow)]
pub struct OrgSummary {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub members: i64,
    pub created_at: String,
}

/// The address segment of an organisation: 2 to 40 lowercase letters,
/// digits and single hyphens, starting and ending with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err("Enter a short name for the address (for example `acme`).".into());
        }
        if slug.len() < 2 || slug.len() > 40 {
            return Err("The address name needs 2 to 40 characters.".into());
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(
                "The address name may contain only lowercase letters, digits and hyphens.".into(),
            );
        }
        if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
            return Err(
                "The address name must start and end with a letter or digit, with single hyphens between."
                    .into(),
            );
        }
        Ok(Self(slug.to_owned()))
    }

    /// A suggestion from a display name: `Acme GmbH` -> `acme-gmbh`.
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        out.trim_end_matches('-').chars().take(40).collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name for an organisation, a role or a person: trimmed, 1 to 100 characters, no control characters.
pub fn parse_display_name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    if name.chars().count() > 100 {
        return Err(format!("The {what} may have at most 100 characters."));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("The {what} may not contain control characters."));
    }
    Ok(name.to_owned())
}

pub async fn by_slug(db: &Db, slug: &str) -> anyhow::Result<Option<Organisation>> {
    sqlx::query_as::<_, Organisation>("SELECT id, slug, name FROM organisations WHERE slug = ?")
        .bind(slug)
        .fetch_optional(db)
        .await
        .context("Failed to look up an organisation by its address")
}

pub async fn by_id(db: &Db, id: i64) -> anyhow::Result<Option<Organisation>> {
    sqlx::query_as::<_, Organisation>("SELECT id, slug, name FROM organisations WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
        .context("Failed to load an organisation")
}

/// Every organisation, for the instance admin.
pub async fn all(db: &Db) -> anyhow::Result<Vec<OrgSummary>> {
    sqlx::query_as::<_, OrgSummary>(
        "SELECT o.id, o.slug, o.name, o.created_at,
                (SELECT COUNT(*) FROM memberships m WHERE m.org_id = o.id) AS members
         FROM organisations o ORDER BY o.name COLLATE NOCASE, o.slug",
    )
    .fetch_all(db)
    .await
    .context("Failed to list organisations")
}

/// The organisations a user belongs to, for the switcher.
pub async fn for_user(db: &Db, user_id: i64) -> anyhow::Result<Vec<Organisation>> {
    sqlx::query_as::<_, Organisation>(
        "SELECT o.id, o.slug, o.name FROM organisations o
         JOIN memberships m ON m.org_id = o.id
         WHERE m.user_id = ? ORDER BY o.name COLLATE NOCASE, o.slug",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .context("Failed to list a user's organisations")
}

/// Creates an organisation with its built-in roles and makes `owner_user_id`
/// its Owner, in one transaction; `Ok(None)` when the slug is taken.
pub async fn create(
    db: &Db,
    name: &str,
    slug: &OrgSlug,
    owner_user_id: i64,
) -> anyhow::Result<Option<Organisation>> {
    let mut tx = db
        .begin()
        .await
        .context("Failed to start creating an organisation")?;
    let inserted = sqlx::query(
        "INSERT INTO organisations (slug, name) VALUES (?, ?) ON CONFLICT(slug) DO NOTHING",
    )
    .bind(slug.as_str())
    .bind(name)
    .execute(&mut *tx)
    .await
    .context("Failed to create an organisation")?;
    if inserted.rows_affected() != 1 {
        return Ok(None);
    }
    let org_id = inserted.last_insert_rowid();
    let mut owner_role = 0;
    for role in BuiltinRole::ALL {
        let id = sqlx::query(
            "INSERT INTO roles (org_id, name, builtin, permissions) VALUES (?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(role.name())
        .bind(role.key())
        .bind(role.permissions().to_json())
        .execute(&mut *tx)
        .await
        .context("Failed to create an organisation's built-in roles")?
        .last_insert_rowid();
        if role == BuiltinRole::Owner {
            owner_role = id;
        }
    }
    sqlx::query("INSERT INTO memberships (user_id, org_id, role_id) VALUES (?, ?, ?)")
        .bind(owner_user_id)
        .bind(org_id)
        .bind(owner_role)
        .execute(&mut *tx)
        .await
        .context("Failed to make the new organisation's owner a member")?;
    tx.commit()
        .await
        .context("Failed to finish creating an organisation")?;
    Ok(Some(Organisation {
        id: org_id,
        slug: slug.as_str().to_owned(),
        name: name.to_owned(),
    }))
}

/// For the command line and the demo: creates an organisation with its
/// built-in roles and `owner_user_id` as its Owner.
pub async fn create_organisation_with_owner(
    db: &Db,
    name: &str,
    slug: &str,
    owner_user_id: i64,
) -> anyhow::Result<Organisation> {
    let slug = OrgSlug::parse(slug).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = parse_display_name(name, "name").map_err(|e| anyhow::anyhow!("{e}"))?;
    create(db, &name, &slug, owner_user_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the address `{}` is taken", slug.as_str()))
}

pub async fn rename(db: &Db, id: i64, name: &str) -> anyhow::Result<bool> {
    let result = sqlx::query(
        "UPDATE organisations SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
    )
    .bind(name)
    .bind(id)
    .execute(db)
    .await
    .context("Failed to rename an organisation")?;
    Ok(result.rows_affected() == 1)
}

/// Deletes an organisation with its roles, members and invitations.
pub async fn delete(db: &Db, id: i64) -> anyhow::Result<bool> {
    let result = sqlx::query("DELETE FROM organisations WHERE id = ?")
        .bind(id)
        .execute(db)
        .await
        .context("Failed to delete an organisation")?;
    Ok(result.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        assert_eq!(OrgSlug::parse(" acme-2 ").unwrap().as_str(), "acme-2");
        for bad in [
            "",
            "a",
            "Acme",
            "acme corp",
            "-acme",
            "acme-",
            "ac--me",
            "ä-corp",
        ] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
        assert!(OrgSlug::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn slugs_are_suggested_from_names() {
        assert_eq!(OrgSlug::suggest("Acme GmbH & Co."), "acme-gmbh-co");
        assert_eq!(OrgSlug::suggest("  Über  "), "ber");
    }

    #[test]
    fn display_names_are_checked() {
        assert_eq!(parse_display_name("  Acme ", "name").unwrap(), "Acme");
        assert!(parse_display_name("  ", "name").is_err());
        assert!(parse_display_name("a\u{7}", "name").is_err());
        assert!(parse_display_name(&"x".repeat(101), "name").is_err());
    }
}
