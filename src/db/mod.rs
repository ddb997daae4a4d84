//! The SQLite database: one pool, migrations embedded in the binary, and one
//! file per table of the installation (the organisations' own tables are
//! reached through `tenant`).

pub mod cache;
pub mod oidc_identities;
pub mod orgs;
pub mod people;
pub mod sessions;
pub mod two_factor;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub type Db = sqlx::SqlitePool;

/// Opens (creating when missing) the database file and applies the migrations.
pub async fn connect(path: &Path) -> anyhow::Result<Db> {
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)
        .with_context(|| format!("Failed to understand the database path {}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // Writes to the tables that decide access outdate the in-process caches (see `cache`).
        .after_connect(|conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                let id = connection_id(&mut handle);
                handle.set_update_hook(move |write| {
                    cache::on_write(id, write.table, write.operation)
                });
                Ok(())
            })
        })
        .after_release(|conn, _| {
            Box::pin(async move {
                if cache::any_written() {
                    let id = connection_id(&mut conn.lock_handle().await?);
                    cache::on_release(id);
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("Failed to open the database {}", path.display()))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("Failed to apply the database migrations")?;
    Ok(pool)
}

/// Tells a pool connection apart from the others: its SQLite handle's address.
fn connection_id(handle: &mut sqlx::sqlite::LockedSqliteHandle<'_>) -> usize {
    handle.as_raw_handle().as_ptr().addr()
}

/// Creates the data dir readable by its owner only (it holds the database and the key file).
pub fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("Failed to create the data dir {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).with_context(
            || {
                format!(
                    "Failed to restrict the data dir {} to its owner",
                    dir.display()
                )
            },
        )?;
    }
    Ok(())
}

/// Seconds since the Unix epoch, the unit of every stored instant that is compared in SQL.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
