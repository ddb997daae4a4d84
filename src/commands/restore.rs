//! `teampanel restore --from FILE`: puts a backup in place of the data
//! dir's database, only while no panel runs on it and only once the copy
//! passed its check. The database it replaces is kept beside it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::commands::backup::{CopyReport, check_copy, partial_path, restrict};
use crate::config::Settings;
use crate::data_dir_lock::DataDirLock;

#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub copy: CopyReport,
    /// Where the replaced database went, if there was one.
    pub previous: Option<PathBuf>,
}

pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<RestoreReport> {
    if !from.is_file() {
        anyhow::bail!("{} is not a file", from.display());
    }
    crate::db::prepare_data_dir(&settings.data_dir)?;
    // Held to the end, so no panel starts on a half-restored data dir.
    let _lock = DataDirLock::acquire(&settings.data_dir)?;
    let target = settings.database_path();
    let staged = partial_path(&target)?;
    std::fs::copy(from, &staged)
        .with_context(|| format!("Failed to copy {} into the data dir", from.display()))?;
    restrict(&staged)?;
    let copy = match check_copy(&staged).await {
        Ok(copy) => copy,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.context("Nothing was replaced"));
        }
    };
    let previous = if target.exists() {
        let aside = settings.data_dir.join(format!(
            "teampanel.db.before-restore-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        // The old database's WAL belongs to it: left behind, SQLite would
        // replay it into the restored file.
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", target.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&from, &to).with_context(|| {
                    format!(
                        "Failed to move {} aside to {}",
                        from.display(),
                        to.display()
                    )
                })?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staged, &target)
        .with_context(|| format!("Failed to put the copy at {}", target.display()))?;
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(&settings.data_dir) {
        let _ = dir.sync_all();
    }
    Ok(RestoreReport { copy, previous })
}

/// `teampanel restore --from FILE`, printed for the operator.
pub async fn run(settings: &Settings, from: &Path) -> anyhow::Result<()> {
    let report = restore(settings, from).await?;
    println!(
        "restored {} into {} ({} audit events; integrity_check ok, audit chain intact)",
        from.display(),
        settings.database_path().display(),
        report.copy.audit_events
    );
    if let Some(previous) = &report.previous {
        println!("the database it replaced is kept at {}", previous.display());
    }
    println!(
        "Start the panel with the master key that was in use when the backup was taken; \
         with another key the cloud account tokens do not open."
    );
    Ok(())
}
