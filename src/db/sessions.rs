//! The `sessions` table, behind actix-session's `SessionStore`.
//!
//! Only the SHA-256 of a session id is stored, so a copy of the database does
//! not let anyone ride a live session. The signed-in user's id is copied out
//! of the session state into its own column so that all of a user's sessions
//! can be ended at once (password change, disabling, "sign out everywhere").

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::cookie::time::Duration as CookieDuration;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

use super::cache::{self, Cached};
use super::{Db, now_unix};

/// Session state keys the store reads (everything else is opaque to it).
pub const USER_ID_KEY: &str = "user_id";
pub const IP_KEY: &str = "ip";
pub const USER_AGENT_KEY: &str = "ua";
/// A random public reference to a signed-in session, set at sign-in: the
/// account page ends a session by it, and knows which one is the current.
pub const PUBLIC_ID_KEY: &str = "sid";
/// When the user signed in (unix seconds); kept across id renewals.
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// Set when the identity provider's ID token showed a second factor (`amr`):
/// an organisation that requires two-factor sign-in accepts the session.
pub const PROVIDER_SECOND_FACTOR_KEY: &str = "mfa_at_provider";

/// A session the user can see in their account page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub public_id: Option<String>,
    pub created_at: i64,
    pub signed_in_at: Option<i64>,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone)]
pub struct SqliteSessionStore {
    db: Db,
    /// The longest a session lives after it was created, whatever its activity.
    absolute: Duration,
    /// Sessions read or written lately, by session id (the database holds
    /// only its hash; this memory already sees the id in every request):
    /// most requests then need no query and no hashing at all. Shared by the
    /// server's workers.
    cache: Arc<Cached<String, CachedSession>>,
}

/// A session row as the store last read or wrote it.
#[derive(Clone)]
struct CachedSession {
    /// Without the address and browser: they were written to their columns
    /// at sign-in and nothing reads them back from the state, so each
    /// request need not copy them.
    state: HashMap<String, String>,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

impl CachedSession {
    fn new(
        mut state: HashMap<String, String>,
        created_at: i64,
        last_seen_at: i64,
        expires_at: i64,
    ) -> Self {
        state.remove(IP_KEY);
        state.remove(USER_AGENT_KEY);
        Self {
            state,
            created_at,
            last_seen_at,
            expires_at,
        }
    }

    fn live(&self, now: i64, oldest: i64) -> bool {
        self.expires_at > now && self.created_at > oldest
    }
}

impl SqliteSessionStore {
    pub fn new(db: Db, absolute: Duration) -> Self {
        Self {
            db,
            absolute,
            cache: Arc::default(),
        }
    }

    /// Reads a live session's row, through the cache.
    async fn load_row(&self, key: &str) -> Result<Option<CachedSession>, LoadError> {
        let now = now_unix();
        let oldest = now - secs(&self.absolute);
        if let Some(cached) = self.cache.get(key) {
            return Ok(cached.live(now, oldest).then_some(cached));
        }
        let generation = cache::generation();
        let id_hash = hash_key(key);
        let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT data, created_at, last_seen_at, expires_at FROM sessions
             WHERE id_hash = ? AND expires_at > ? AND created_at > ?",
        )
        .bind(&id_hash)
        .bind(now)
        .bind(oldest)
        .fetch_optional(&self.db)
        .await
        .map_err(|e| LoadError::Other(e.into()))?;
        let Some((data, created_at, last_seen_at, expires_at)) = row else {
            return Ok(None);
        };
        let state =
            serde_json::from_str(&data).map_err(|e| LoadError::Deserialization(e.into()))?;
        let session = CachedSession::new(state, created_at, last_seen_at, expires_at);
        self.cache.put(key.to_owned(), session.clone(), generation);
        Ok(Some(session))
    }
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn secs(ttl: &Duration) -> i64 {
    i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2)
}

/// Session state values are JSON-encoded by actix-session.
fn state_value<T: serde::de::DeserializeOwned>(
    state: &HashMap<String, String>,
    key: &str,
) -> Option<T> {
    state
        .get(key)
        .and_then(|raw| serde_json::from_str(raw).ok())
}

impl SessionStore for SqliteSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let row = self.load_row(session_key.as_ref()).await?;
        Ok(row.map(|row| row.state))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let key = Alphanumeric.sample_string(&mut rand::rng(), 64);
        let data = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let now = now_unix();
        let generation = cache::generation();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen_at, expires_at, ip, user_agent,
                 public_id, signed_in_at)
             VALUES (?, (SELECT id FROM users WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(hash_key(&key))
        .bind(state_value::<i64>(&state, USER_ID_KEY))
        .bind(data)
        .bind(now)
        .bind(now)
        .bind(now + ttl.whole_seconds())
        .bind(state_value::<String>(&state, IP_KEY))
        .bind(state_value::<String>(&state, USER_AGENT_KEY))
        .bind(state_value::<String>(&state, PUBLIC_ID_KEY))
        .bind(state_value::<i64>(&state, SIGNED_IN_AT_KEY))
        .execute(&self.db)
        .await
        .map_err(|e| SaveError::Other(e.into()))?;
        self.cache.put(
            key.clone(),
            CachedSession::new(state, now, now, now + ttl.whole_seconds()),
            generation,
        );
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        mut state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let data =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let now = now_unix();
        let id_hash = hash_key(session_key.as_ref());
        let created_at = self.cache.get(session_key.as_ref()).map(|s| s.created_at);
        // Forgotten first: a failed write must not leave the old state cached.
        self.cache.remove(session_key.as_ref());
        let generation = cache::generation();
        let updated = sqlx::query(
            "UPDATE sessions SET data = ?, user_id = (SELECT id FROM users WHERE id = ?), last_seen_at = ?, expires_at = ?,
                 public_id = COALESCE(?, public_id), signed_in_at = COALESCE(?, signed_in_at)
             WHERE id_hash = ? AND expires_at > ?",
        )
        .bind(&data)
        .bind(state_value::<i64>(&state, USER_ID_KEY))
        .bind(now)
        .bind(now + ttl.whole_seconds())
        .bind(state_value::<String>(&state, PUBLIC_ID_KEY))
        .bind(state_value::<i64>(&state, SIGNED_IN_AT_KEY))
        .bind(&id_hash)
        .bind(now)
        .execute(&self.db)
        .await
        .map_err(|e| UpdateError::Other(e.into()))?;
        if updated.rows_affected() == 1 {
            if let Some(created_at) = created_at {
                self.cache.put(
                    session_key.as_ref().to_owned(),
                    CachedSession::new(state, created_at, now, now + ttl.whole_seconds()),
                    generation,
                );
            }
            return Ok(session_key);
        }
        if updated.rows_affected() == 0 {
            // The session was ended meanwhile (sign out everywhere, or ended from the
            // account page) while this request ran: start a fresh, signed-out one
            // rather than bringing the old id or its sign-in back to life.
            for key in [USER_ID_KEY, PUBLIC_ID_KEY, SIGNED_IN_AT_KEY] {
                state.remove(key);
            }
            return self.save(state, ttl).await.map_err(|e| match e {
                SaveError::Serialization(e) => UpdateError::Serialization(e),
                SaveError::Other(e) => UpdateError::Other(e),
            });
        }
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        let now = now_unix();
        // Writing on every request would cost a write per page; a minute's precision is plenty
        // for an idle timeout measured in hours. A session cached as seen within the minute
        // needs no statement at all.
        let mut seen_lately = false;
        let cached = self.cache.update(session_key.as_ref(), |session| {
            seen_lately = session.last_seen_at >= now - 60;
            if !seen_lately {
                session.last_seen_at = now;
                session.expires_at = now + ttl.whole_seconds();
            }
        });
        if cached && seen_lately {
            return Ok(());
        }
        let id_hash = hash_key(session_key.as_ref());
        sqlx::query("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ? AND last_seen_at < ?")
            .bind(now)
            .bind(now + ttl.whole_seconds())
            .bind(&id_hash)
            .bind(now - 60)
            .execute(&self.db)
            .await
            .context("Failed to extend a session")?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id_hash = hash_key(session_key.as_ref());
        self.cache.remove(session_key.as_ref());
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(&id_hash)
            .execute(&self.db)
            .await
            .context("Failed to delete a session")?;
        Ok(())
    }
}

/// Ends every session of a user; returns how many were ended.
pub async fn end_all_for_user<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    user_id: i64,
) -> anyhow::Result<u64> {
    let result = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user_id)
        .execute(db)
        .await
        .context("Failed to end a user's sessions")?;
    Ok(result.rows_affected())
}

pub async fn list_for_user(db: &Db, user_id: i64) -> anyhow::Result<Vec<SessionRow>> {
    sqlx::query_as::<_, SessionRow>(
        "SELECT id_hash, public_id, created_at, signed_in_at, last_seen_at, ip, user_agent FROM sessions
         WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .bind(now_unix())
    .fetch_all(db)
    .await
    .context("Failed to list a user's sessions")
}

/// Ends one of a user's sessions by its public reference; the ended
/// session as it was, or `None` when the user has no such session.
pub async fn end_one(
    conn: &mut sqlx::SqliteConnection,
    user_id: i64,
    public_id: &str,
) -> anyhow::Result<Option<SessionRow>> {
    sqlx::query_as::<_, SessionRow>(
        "DELETE FROM sessions WHERE user_id = ? AND public_id = ?
         RETURNING id_hash, public_id, created_at, signed_in_at, last_seen_at, ip, user_agent",
    )
    .bind(user_id)
    .bind(public_id)
    .fetch_optional(conn)
    .await
    .context("Failed to end a session")
}

/// A fresh public reference for a session that is signing in.
pub fn new_public_id() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

/// Drops expired rows; run now and then so anonymous sessions do not pile up.
pub async fn purge_expired(db: &Db, absolute: Duration) -> anyhow::Result<u64> {
    let now = now_unix();
    let result = sqlx::query("DELETE FROM sessions WHERE expires_at <= ? OR created_at <= ?")
        .bind(now)
        .bind(now - secs(&absolute))
        .execute(db)
        .await
        .context("Failed to purge expired sessions")?;
    Ok(result.rows_affected())
}
