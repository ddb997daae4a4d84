//! The `api_tokens` table: members' personal access tokens for the JSON API.
//!
//! Only the SHA-256 of a token is stored (see `migrations/0010_api_tokens.sql`
//! for why a fast hash); the token itself is returned once, when it is made.
//! Every function but [`by_hash`] takes the organisation id.

use anyhow::Context;
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, SqliteConnection};

/// What every token starts with, so secret scanners can find a leaked one.
pub const TOKEN_PREFIX: &str = "tp_";
/// Random characters after the prefix: 40 of 64 possible, 240 bits.
const RANDOM_CHARS: usize = 40;
/// How many of them lists show, to recognise a token by.
const SHOWN_CHARS: usize = 6;
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// What a token may do: the role's `show` flags only, or the whole role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Role,
}

impl Access {
    pub fn key(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Role => "role",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(Self::Read),
            "role" => Some(Self::Role),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Read => "read-only",
            Self::Role => "the member's role",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub org_id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub user_name: String,
    pub name: String,
    pub prefix: String,
    pub access: String,
    pub expires_at: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiTokenRow {
    /// Unknown text reads as the narrower access.
    pub fn access(&self) -> Access {
        Access::parse(&self.access).unwrap_or(Access::Read)
    }

    /// Whether a request with it is let through now.
    pub fn usable(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// A token found by its hash, with its organisation's address.
#[derive(Debug, Clone, FromRow)]
pub struct FoundToken {
    #[sqlx(flatten)]
    pub token: ApiTokenRow,
    pub org_slug: String,
}

/// A new token: `tp_` and 40 url-safe random characters.
pub fn generate() -> String {
    let mut rng = rand::rng();
    let mut token = String::with_capacity(TOKEN_PREFIX.len() + RANDOM_CHARS);
    token.push_str(TOKEN_PREFIX);
    for _ in 0..RANDOM_CHARS {
        token.push(char::from(URL_SAFE[rng.random_range(0..URL_SAFE.len())]));
    }
    token
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const SELECT: &str = "SELECT t.id, t.org_id, t.user_id, u.email AS user_email, u.name AS user_name,
        t.name, t.prefix, t.access, t.expires_at, t.created_at, t.last_used_at, t.revoked_at
     FROM api_tokens t
     JOIN users u ON u.id = t.user_id";

/// Stores a new token of `user_id`; returns its id and the token, once.
pub async fn create(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: i64,
    name: &str,
    access: Access,
    expires_at: i64,
    now: i64,
) -> anyhow::Result<(i64, String)> {
    let token = generate();
    let shown: String = token
        .chars()
        .skip(TOKEN_PREFIX.len())
        .take(SHOWN_CHARS)
        .collect();
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO api_tokens (org_id, user_id, name, prefix, hash, access, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(name)
    .bind(shown)
    .bind(hash_token(&token))
    .bind(access.key())
    .bind(expires_at)
    .bind(now)
    .fetch_one(&mut *db)
    .await
    .context("Failed to store an API token")?;
    Ok((id, token))
}

/// The organisation's tokens, newest first: all of them, or one member's.
pub async fn list(
    db: &mut SqliteConnection,
    org_id: i64,
    user_id: Option<i64>,
) -> anyhow::Result<Vec<ApiTokenRow>> {
    sqlx::query_as::<_, ApiTokenRow>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.org_id = ?1 AND (?2 IS NULL OR t.user_id = ?2) ORDER BY t.id DESC"
    )))
    .bind(org_id)
    .bind(user_id)
    .fetch_all(&mut *db)
    .await
    .context("Failed to list API tokens")
}

pub async fn get(
    db: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<ApiTokenRow>> {
    sqlx::query_as::<_, ApiTokenRow>(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE t.org_id = ? AND t.id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to load an API token")
}

/// Revokes a token not revoked yet; `false` when it already was (or is gone).
pub async fn revoke(
    db: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(org_id)
    .bind(id)
    .execute(&mut *db)
    .await
    .context("Failed to revoke an API token")?;
    Ok(done.rows_affected() == 1)
}

/// The token with this hash, whatever its organisation: the token is the
/// credential, and the door checks it against the request's organisation.
pub async fn by_hash(db: &mut SqliteConnection, hash: &str) -> anyhow::Result<Option<FoundToken>> {
    sqlx::query_as::<_, FoundToken>(sqlx::AssertSqlSafe(format!(
        "SELECT t.*, o.slug AS org_slug FROM ({SELECT} WHERE t.hash = ?) t
         JOIN organisations o ON o.id = t.org_id"
    )))
    .bind(hash)
    .fetch_optional(&mut *db)
    .await
    .context("Failed to look up an API token")
}

/// Notes a use; the statement itself keeps it to once a minute per token.
pub async fn touch(db: &mut SqliteConnection, id: i64, now: i64) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = ?1
         WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?1 - 60)",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *db)
    .await
    .context("Failed to note an API token's use")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_the_prefix_and_forty_url_safe_characters() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert!(a.starts_with("tp_"));
        let random = &a[3..];
        assert_eq!(random.len(), 40);
        assert!(
            random
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn access_reads_back_and_unknown_text_is_read_only() {
        for access in [Access::Read, Access::Role] {
            assert_eq!(Access::parse(access.key()), Some(access));
        }
        assert_eq!(Access::parse("admin"), None);
    }
}
