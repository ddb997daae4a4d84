//! `teampanel backup --to FILE`: an online, consistent copy of the
//! database, taken while the panel runs, and checked before it is kept.
//!
//! The copy holds sealed tokens but not the master key that opens them:
//! keep the key (the data dir's `master.key` or `TEAMPANEL_MASTER_KEY`)
//! with the backup, stored apart from it.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use crate::commands::audit_checkpoint::{Checkpoint, open_existing};
use crate::config::Settings;

/// What a checked copy holds.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub audit_events: u64,
    /// The audit log's newest event, to publish as a checkpoint.
    pub head: Option<Checkpoint>,
}

#[derive(Debug, Clone)]
pub struct BackupReport {
    pub copy: CopyReport,
    pub bytes: u64,
    /// The copy alone (`VACUUM INTO`).
    pub copy_elapsed: Duration,
    /// The copy and its checks.
    pub elapsed: Duration,
}

/// Copies the live database to `to` with `VACUUM INTO` (one read
/// transaction, so writers carry on and the copy is one moment's state),
/// then checks the copy. `to` must not exist; a copy that fails its check
/// is removed.
pub async fn backup(settings: &Settings, to: &Path) -> anyhow::Result<BackupReport> {
    let started = Instant::now();
    if to.exists() {
        anyhow::bail!("{} already exists; choose a new file name", to.display());
    }
    let partial = partial_path(to)?;
    let _ = std::fs::remove_file(&partial);
    let db = open_existing(settings).await?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&db)
        .await
        .with_context(|| format!("Failed to copy the database to {}", partial.display()));
    db.close().await;
    copied?;
    let copy_elapsed = started.elapsed();
    restrict(&partial)?;
    let copy = match check_copy(&partial).await {
        Ok(copy) => copy,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("The copy failed its check and was removed"));
        }
    };
    std::fs::rename(&partial, to)
        .with_context(|| format!("Failed to move the checked copy to {}", to.display()))?;
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport {
        copy,
        bytes,
        copy_elapsed,
        elapsed: started.elapsed(),
    })
}

/// Checks a database file on its own: SQLite's `integrity_check`, then the
/// audit hash chain. Nothing is migrated or written.
pub async fn check_copy(path: &Path) -> anyhow::Result<CopyReport> {
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)
        .with_context(|| format!("Failed to understand the path {}", path.display()))?
        .read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("Failed to open {} as a database", path.display()))?;
    let report = check_open(&pool).await;
    pool.close().await;
    report.with_context(|| format!("{} is not a usable teampanel database", path.display()))
}

async fn check_open(pool: &sqlx::SqlitePool) -> anyhow::Result<CopyReport> {
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(pool)
        .await
        .context("integrity_check could not run")?;
    if integrity != ["ok"] {
        anyhow::bail!("integrity_check found problems: {}", integrity.join("; "));
    }
    let report = crate::audit::verify(pool)
        .await
        .context("the audit log could not be read")?;
    if let Some(broken) = report.broken {
        anyhow::bail!(
            "its audit hash chain is broken at event id {}: {}",
            broken.id,
            broken.reason
        );
    }
    Ok(CopyReport {
        audit_events: report.events,
        head: report
            .last_id
            .zip(report.last_hash)
            .map(|(id, hash)| Checkpoint { id, hash }),
    })
}

/// `FILE` → `.FILE.partial` beside it, so a half-written copy never has the
/// name the operator asked for.
pub(crate) fn partial_path(target: &Path) -> anyhow::Result<PathBuf> {
    let name = target
        .file_name()
        .with_context(|| format!("{} does not name a file", target.display()))?;
    Ok(target.with_file_name(format!(".{}.partial", name.to_string_lossy())))
}

/// The copy holds password hashes and sealed tokens: owner only.
pub(crate) fn restrict(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("Failed to make {} private", path.display()))?;
    }
    Ok(())
}

/// `teampanel backup --to FILE`, printed for the operator.
pub async fn run(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    let report = backup(settings, to).await?;
    println!(
        "backed up to {} ({} bytes, {} audit events) in {:.2} s (copy {:.2} s); \
         integrity_check ok, audit chain intact",
        to.display(),
        report.bytes,
        report.copy.audit_events,
        report.elapsed.as_secs_f64(),
        report.copy_elapsed.as_secs_f64()
    );
    if let Some(head) = &report.copy.head {
        println!("audit checkpoint of the copy: {head}");
    }
    println!(
        "The master key is NOT in the backup. Keep it with the backup, stored apart from it: \
         without it no cloud account token in the copy opens."
    );
    Ok(())
}
