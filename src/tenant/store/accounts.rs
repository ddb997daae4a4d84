//! The `cloud_accounts` table: an organisation's Cloud Panel API tokens,
//! sealed under the master key. Every query takes the organisation id;
//! the sealed bytes never leave this module except through [`open_token`].
//! Changes run on the connection of an audited change.

use anyhow::Context;
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

use crate::config::Secret;
use crate::crypto::{self, KeyRing, MasterKey, Sealed, TokenSlot};

/// A cloud account as pages may show it: no sealed bytes, only the last four characters.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct CloudAccountRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub base_url: String,
    pub token_last4: String,
    /// Which API the account speaks (`cloudpanel`, `e2e`); see [`Provider`].
    pub provider: String,
    /// E2E Networks: the project and location every request names; empty
    /// for the Cloud Panel.
    pub project_id: String,
    pub location: String,
    pub is_default: bool,
    pub verified_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, org_id, name, base_url, token_last4, provider, project_id, location, \
     is_default, verified_at, created_at, updated_at";

/// The kind of cloud an account belongs to: organisations, permissions
/// and the tenant handle are the same for every kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    CloudPanel,
    E2e,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::CloudPanel, Provider::E2e];

    pub fn key(self) -> &'static str {
        match self {
            Self::CloudPanel => "cloudpanel",
            Self::E2e => "e2e",
        }
    }

    /// The provider's name on pages.
    pub fn title(self) -> &'static str {
        match self {
            Self::CloudPanel => "IONOS Cloud Panel",
            Self::E2e => "E2E Networks",
        }
    }

    /// Its API's name in a sentence, as `cloudpanel::Api::name` says it.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::CloudPanel => crate::cloudpanel::CLOUD_PANEL_NAME,
            Self::E2e => crate::cloudpanel::E2E_NAME,
        }
    }

    /// `None` for a kind this build does not know: such an account is not opened.
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "cloudpanel" => Some(Self::CloudPanel),
            "e2e" => Some(Self::E2e),
            _ => None,
        }
    }
}

/// What opens an account, sealed in its row: the Cloud Panel's token, or
/// E2E's bearer token and API key together (with the project and location,
/// which are not secret and have columns of their own).
#[derive(Debug)]
pub enum Credentials {
    CloudPanel {
        token: Secret,
    },
    E2e {
        token: Secret,
        api_key: Secret,
        project_id: String,
        location: String,
    },
}

/// E2E's two secrets as they are sealed.
#[derive(serde::Serialize, serde::Deserialize)]
struct E2eSealed {
    token: String,
    api_key: String,
}

impl Credentials {
    pub fn provider(&self) -> Provider {
        match self {
            Credentials::CloudPanel { .. } => Provider::CloudPanel,
            Credentials::E2e { .. } => Provider::E2e,
        }
    }

    /// The token a member may see the last four characters of.
    pub fn token(&self) -> &Secret {
        match self {
            Credentials::CloudPanel { token } | Credentials::E2e { token, .. } => token,
        }
    }

    fn project_and_location(&self) -> (&str, &str) {
        match self {
            Credentials::CloudPanel { .. } => ("", ""),
            Credentials::E2e {
                project_id,
                location,
                ..
            } => (project_id, location),
        }
    }

    /// The text that is sealed.
    fn sealed_text(&self) -> anyhow::Result<String> {
        match self {
            Credentials::CloudPanel { token } => Ok(token.expose().to_owned()),
            Credentials::E2e { token, api_key, .. } => serde_json::to_string(&E2eSealed {
                token: token.expose().to_owned(),
                api_key: api_key.expose().to_owned(),
            })
            .context("Failed to seal an E2E account's keys"),
        }
    }
}

/// An E2E account's bearer token and API key from their opened text;
/// `None` when the text is not theirs.
pub fn e2e_secrets(opened: &str) -> Option<(String, String)> {
    let sealed: E2eSealed = serde_json::from_str(opened).ok()?;
    Some((sealed.token, sealed.api_key))
}

/// Another account of the organisation already has this name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameTaken;

/// The last four characters, the only part of a token ever shown.
pub fn last4(token: &str) -> String {
    crate::cloudpanel::SecretToken::new(token).last_four()
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// The organisation's accounts, the default first, then by name.
pub async fn list<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
) -> anyhow::Result<Vec<CloudAccountRow>> {
    sqlx::query_as::<_, CloudAccountRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cloud_accounts WHERE org_id = ? \
         ORDER BY is_default DESC, name COLLATE NOCASE, id"
    )))
    .bind(org_id)
    .fetch_all(db)
    .await
    .context("Failed to load the organisation's cloud accounts")
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<CloudAccountRow>> {
    sqlx::query_as::<_, CloudAccountRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cloud_accounts WHERE org_id = ? AND id = ?"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a cloud account")
}

/// The default account, or the oldest one when none is marked. Pages pick
/// it from the cached list instead (`Tenant::cloud`); the tests check the
/// two agree.
#[cfg(test)]
pub async fn default_for<'e>(
    db: impl SqliteExecutor<'e>,
    org_id: i64,
) -> anyhow::Result<Option<CloudAccountRow>> {
    sqlx::query_as::<_, CloudAccountRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cloud_accounts WHERE org_id = ? \
         ORDER BY is_default DESC, id LIMIT 1"
    )))
    .bind(org_id)
    .fetch_optional(db)
    .await
    .context("Failed to load the default cloud account")
}

/// Stores a new account with its token sealed for its own row. The first
/// account of an organisation becomes its default.
pub async fn insert(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    org_id: i64,
    name: &str,
    base_url: &str,
    credentials: &Credentials,
    created_by: Option<i64>,
) -> anyhow::Result<Result<CloudAccountRow, NameTaken>> {
    let (project_id, location) = credentials.project_and_location();
    // The row id is part of the associated data, so the row exists before the token is sealed.
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO cloud_accounts
             (org_id, name, base_url, token_ciphertext, token_nonce, key_id, token_last4, is_default,
              created_by, verified_at, provider, project_id, location)
         VALUES (?, ?, ?, x'', x'', '', ?,
                 NOT EXISTS (SELECT 1 FROM cloud_accounts WHERE org_id = ?), ?,
                 strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?, ?)
         RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(base_url)
    .bind(last4(credentials.token().expose()))
    .bind(org_id)
    .bind(created_by)
    .bind(credentials.provider().key())
    .bind(project_id)
    .bind(location)
    .fetch_one(&mut *conn)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Ok(Err(NameTaken)),
        Err(e) => return Err(e).context("Failed to store a cloud account"),
    };
    let sealed = crypto::seal(
        keys.sealing_key(),
        TokenSlot {
            org_id,
            account_id: id,
        },
        &credentials.sealed_text()?,
    )?;
    store_sealed(&mut *conn, org_id, id, &sealed).await?;
    get(&mut *conn, org_id, id)
        .await?
        .map(Ok)
        .context("The new cloud account vanished")
}

async fn store_sealed(
    tx: &mut sqlx::SqliteConnection,
    org_id: i64,
    id: i64,
    sealed: &Sealed,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE cloud_accounts SET token_ciphertext = ?, token_nonce = ?, key_id = ?
         WHERE org_id = ? AND id = ?",
    )
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(org_id)
    .bind(id)
    .execute(tx)
    .await
    .context("Failed to store a sealed token")?;
    Ok(())
}

/// Replaces an account's credentials (and base URL, which is only changed
/// with them, so a token is never sent to an address it was not entered
/// for). The provider stays: `credentials` must be of the account's own.
pub async fn replace_token(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    org_id: i64,
    id: i64,
    base_url: &str,
    credentials: &Credentials,
) -> anyhow::Result<bool> {
    let sealed = crypto::seal(
        keys.sealing_key(),
        TokenSlot {
            org_id,
            account_id: id,
        },
        &credentials.sealed_text()?,
    )?;
    let (project_id, location) = credentials.project_and_location();
    let result = sqlx::query(
        "UPDATE cloud_accounts
         SET token_ciphertext = ?, token_nonce = ?, key_id = ?, token_last4 = ?, base_url = ?,
             project_id = ?, location = ?,
             verified_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE org_id = ? AND id = ? AND provider = ?",
    )
    .bind(&sealed.ciphertext)
    .bind(&sealed.nonce)
    .bind(&sealed.key_id)
    .bind(last4(credentials.token().expose()))
    .bind(base_url)
    .bind(project_id)
    .bind(location)
    .bind(org_id)
    .bind(id)
    .bind(credentials.provider().key())
    .execute(conn)
    .await
    .context("Failed to replace a cloud account's token")?;
    Ok(result.rows_affected() == 1)
}

/// `Ok(Ok(false))` when the account is not the organisation's.
pub async fn rename(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
    name: &str,
) -> anyhow::Result<Result<bool, NameTaken>> {
    let result = sqlx::query(
        "UPDATE cloud_accounts SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE org_id = ? AND id = ?",
    )
    .bind(name)
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await;
    match result {
        Ok(r) => Ok(Ok(r.rows_affected() == 1)),
        Err(e) if is_unique_violation(&e) => Ok(Err(NameTaken)),
        Err(e) => Err(e).context("Failed to rename a cloud account"),
    }
}

pub async fn set_default(
    conn: &mut SqliteConnection,
    org_id: i64,
    id: i64,
) -> anyhow::Result<bool> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cloud_accounts WHERE org_id = ? AND id = ?")
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .context("Failed to look up a cloud account")?;
    if exists.is_none() {
        return Ok(false);
    }
    sqlx::query("UPDATE cloud_accounts SET is_default = 0 WHERE org_id = ? AND is_default = 1")
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("Failed to clear the default account")?;
    sqlx::query("UPDATE cloud_accounts SET is_default = 1 WHERE org_id = ? AND id = ?")
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("Failed to set the default account")?;
    Ok(true)
}

/// Deletes an account; when it was the default, the oldest remaining one takes over.
pub async fn delete(conn: &mut SqliteConnection, org_id: i64, id: i64) -> anyhow::Result<bool> {
    let deleted = sqlx::query("DELETE FROM cloud_accounts WHERE org_id = ? AND id = ?")
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("Failed to delete a cloud account")?
        .rows_affected()
        == 1;
    sqlx::query(
        "UPDATE cloud_accounts SET is_default = 1
         WHERE id = (SELECT id FROM cloud_accounts WHERE org_id = ? ORDER BY id LIMIT 1)
           AND NOT EXISTS (SELECT 1 FROM cloud_accounts WHERE org_id = ? AND is_default = 1)",
    )
    .bind(org_id)
    .bind(org_id)
    .execute(&mut *conn)
    .await
    .context("Failed to choose a new default account")?;
    Ok(deleted)
}

#[derive(FromRow)]
struct SealedRow {
    id: i64,
    org_id: i64,
    token_ciphertext: Vec<u8>,
    token_nonce: Vec<u8>,
    key_id: String,
}

impl SealedRow {
    fn slot(&self) -> TokenSlot {
        TokenSlot {
            org_id: self.org_id,
            account_id: self.id,
        }
    }

    fn sealed(self) -> Sealed {
        Sealed {
            ciphertext: self.token_ciphertext,
            nonce: self.token_nonce,
            key_id: self.key_id,
        }
    }
}

/// Opens the token of one of the organisation's accounts.
pub async fn open_token<'e>(
    db: impl SqliteExecutor<'e>,
    keys: &KeyRing,
    org_id: i64,
    id: i64,
) -> anyhow::Result<Option<Secret>> {
    let row = sqlx::query_as::<_, SealedRow>(
        "SELECT id, org_id, token_ciphertext, token_nonce, key_id
         FROM cloud_accounts WHERE org_id = ? AND id = ?",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("Failed to load a sealed token")?;
    let Some(row) = row else { return Ok(None) };
    let slot = row.slot();
    crypto::open(keys, slot, &row.sealed()).map(Some)
}

/// Installation-wide: the organisation a cloud account belongs to, for
/// what the client tells of an account (a monitoring alert) without one.
pub async fn org_of<'e>(
    db: impl SqliteExecutor<'e>,
    account_id: i64,
) -> anyhow::Result<Option<i64>> {
    sqlx::query_scalar::<_, i64>("SELECT org_id FROM cloud_accounts WHERE id = ?")
        .bind(account_id)
        .fetch_optional(db)
        .await
        .context("Failed to find a cloud account's organisation")
}

/// Re-seals every token of the installation under `new_key`, in one
/// transaction: either every row moves or none does. Rows already under the
/// new key (an earlier run that committed) are left alone. The one query
/// that crosses organisations: it is maintenance, run from the command line.
pub async fn reseal_all(
    conn: &mut SqliteConnection,
    keys: &KeyRing,
    new_key: &MasterKey,
) -> anyhow::Result<usize> {
    let new_id = new_key.id();
    let rows = sqlx::query_as::<_, SealedRow>(
        "SELECT id, org_id, token_ciphertext, token_nonce, key_id FROM cloud_accounts
         WHERE key_id <> ? ORDER BY id",
    )
    .bind(&new_id)
    .fetch_all(&mut *conn)
    .await
    .context("Failed to load the sealed tokens")?;
    let count = rows.len();
    for row in rows {
        let slot = row.slot();
        let token = crypto::open(keys, slot, &row.sealed())?;
        let sealed = crypto::seal(new_key, slot, token.expose())?;
        store_sealed(&mut *conn, slot.org_id, slot.account_id, &sealed).await?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;
    use crate::domain::DEFAULT_BASE_URL;

    type Db = sqlx::SqlitePool;

    async fn test_db() -> (tempfile::TempDir, Db, i64, i64) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::connect(&dir.path().join("t.db")).await.unwrap();
        let mut orgs = Vec::new();
        for slug in ["acme", "globex"] {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organisations (slug, name) VALUES (?, ?) RETURNING id",
            )
            .bind(slug)
            .bind(slug)
            .fetch_one(&db)
            .await
            .unwrap();
            orgs.push(id);
        }
        (dir, db, orgs[0], orgs[1])
    }

    fn secret(text: &str) -> Credentials {
        Credentials::CloudPanel {
            token: Secret::new(text.to_owned()),
        }
    }

    #[tokio::test]
    async fn an_e2e_account_keeps_both_secrets_sealed_and_its_project() {
        let (_dir, db, acme, _) = test_db().await;
        let keys = KeyRing::single(MasterKey::generate());
        let credentials = Credentials::E2e {
            token: Secret::new("bearer-token-5678".into()),
            api_key: Secret::new("api-key-abcd".into()),
            project_id: "12345".into(),
            location: "Delhi".into(),
        };
        let row = insert(
            &mut db.acquire().await.unwrap(),
            &keys,
            acme,
            "india",
            crate::cloudpanel::e2e::DEFAULT_BASE_URL,
            &credentials,
            None,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(row.provider, "e2e");
        assert_eq!(row.project_id, "12345");
        assert_eq!(row.location, "Delhi");
        assert_eq!(row.token_last4, "5678");
        let stored: Vec<u8> =
            sqlx::query_scalar("SELECT token_ciphertext FROM cloud_accounts WHERE id = ?")
                .bind(row.id)
                .fetch_one(&db)
                .await
                .unwrap();
        let plain = String::from_utf8_lossy(&stored);
        assert!(!plain.contains("api-key-abcd") && !plain.contains("bearer-token"));
        let opened = open_token(&db, &keys, acme, row.id).await.unwrap().unwrap();
        assert_eq!(
            e2e_secrets(opened.expose()),
            Some(("bearer-token-5678".into(), "api-key-abcd".into()))
        );
        // Credentials of another provider do not replace an account's.
        let replaced = replace_token(
            &mut db.acquire().await.unwrap(),
            &keys,
            acme,
            row.id,
            DEFAULT_BASE_URL,
            &secret("cloud-panel-token"),
        )
        .await
        .unwrap();
        assert!(!replaced);
    }

    #[tokio::test]
    async fn tokens_round_trip_and_stay_in_their_organisation() {
        let (_dir, db, acme, globex) = test_db().await;
        let keys = KeyRing::single(MasterKey::generate());
        let prod = insert(
            &mut db.acquire().await.unwrap(),
            &keys,
            acme,
            "prod",
            DEFAULT_BASE_URL,
            &secret("tok-prod-1234"),
            None,
        )
        .await
        .unwrap()
        .unwrap();
        assert!(prod.is_default);
        assert_eq!(prod.token_last4, "1234");
        let staging = insert(
            &mut db.acquire().await.unwrap(),
            &keys,
            acme,
            "staging",
            DEFAULT_BASE_URL,
            &secret("tok-stg-9876"),
            None,
        )
        .await
        .unwrap()
        .unwrap();
        assert!(!staging.is_default);
        assert_eq!(
            insert(
                &mut db.acquire().await.unwrap(),
                &keys,
                acme,
                "PROD",
                DEFAULT_BASE_URL,
                &secret("x-abcdefgh"),
                None
            )
            .await
            .unwrap()
            .unwrap_err(),
            NameTaken
        );
        let opened = open_token(&db, &keys, acme, prod.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(opened.expose(), "tok-prod-1234");
        // Another organisation cannot reach the row, whatever id it names.
        assert!(
            open_token(&db, &keys, globex, prod.id)
                .await
                .unwrap()
                .is_none()
        );
        assert!(get(&db, globex, prod.id).await.unwrap().is_none());
        assert!(
            !delete(&mut db.acquire().await.unwrap(), globex, prod.id)
                .await
                .unwrap()
        );
        assert!(
            !set_default(&mut db.acquire().await.unwrap(), globex, prod.id)
                .await
                .unwrap()
        );
        assert_eq!(
            rename(&mut db.acquire().await.unwrap(), globex, prod.id, "x")
                .await
                .unwrap(),
            Ok(false)
        );

        assert!(
            set_default(&mut db.acquire().await.unwrap(), acme, staging.id)
                .await
                .unwrap()
        );
        assert_eq!(
            default_for(&db, acme).await.unwrap().unwrap().id,
            staging.id
        );
        assert!(
            delete(&mut db.acquire().await.unwrap(), acme, staging.id)
                .await
                .unwrap()
        );
        assert_eq!(default_for(&db, acme).await.unwrap().unwrap().id, prod.id);
        assert!(get(&db, acme, prod.id).await.unwrap().unwrap().is_default);
    }

    #[tokio::test]
    async fn a_sealed_token_copied_to_another_row_does_not_open() {
        let (_dir, db, acme, globex) = test_db().await;
        let keys = KeyRing::single(MasterKey::generate());
        let a = insert(
            &mut db.acquire().await.unwrap(),
            &keys,
            acme,
            "a",
            DEFAULT_BASE_URL,
            &secret("token-of-a-aaaa"),
            None,
        )
        .await
        .unwrap()
        .unwrap();
        let b = insert(
            &mut db.acquire().await.unwrap(),
            &keys,
            globex,
            "b",
            DEFAULT_BASE_URL,
            &secret("token-of-b-bbbb"),
            None,
        )
        .await
        .unwrap()
        .unwrap();
        sqlx::query(
            "UPDATE cloud_accounts SET
                 token_ciphertext = (SELECT token_ciphertext FROM cloud_accounts WHERE id = ?),
                 token_nonce = (SELECT token_nonce FROM cloud_accounts WHERE id = ?)
             WHERE id = ?",
        )
        .bind(a.id)
        .bind(a.id)
        .bind(b.id)
        .execute(&db)
        .await
        .unwrap();
        let err = open_token(&db, &keys, globex, b.id).await.unwrap_err();
        assert!(err.to_string().contains("does not open"), "{err}");
        assert!(!format!("{err:?}").contains("token-of"));
    }

    #[tokio::test]
    async fn reseal_all_moves_every_token_to_the_new_key() {
        let (_dir, db, acme, globex) = test_db().await;
        let old = MasterKey::generate();
        let keys = KeyRing::single(old.clone());
        let mut ids = Vec::new();
        for (org, name) in [(acme, "a"), (acme, "b"), (globex, "c")] {
            let row = insert(
                &mut db.acquire().await.unwrap(),
                &keys,
                org,
                name,
                DEFAULT_BASE_URL,
                &secret(&format!("token-{name}-1234")),
                None,
            )
            .await
            .unwrap()
            .unwrap();
            ids.push((org, row.id, name));
        }
        let new = MasterKey::generate();
        let both = KeyRing::with_pending(old.clone(), new.clone());
        assert_eq!(
            reseal_all(&mut db.acquire().await.unwrap(), &both, &new)
                .await
                .unwrap(),
            3
        );
        // Running it again finds nothing left to do.
        assert_eq!(
            reseal_all(&mut db.acquire().await.unwrap(), &both, &new)
                .await
                .unwrap(),
            0
        );
        let only_new = KeyRing::single(new);
        for (org, id, name) in ids {
            let token = open_token(&db, &only_new, org, id).await.unwrap().unwrap();
            assert_eq!(token.expose(), format!("token-{name}-1234"));
            assert!(
                open_token(&db, &KeyRing::single(old.clone()), org, id)
                    .await
                    .is_err()
            );
        }
    }
}
