//! `teampanel audit checkpoint` and `teampanel audit verify --from-checkpoint`:
//! the hash chain shows an edited or removed event, but not the newest
//! events cut off the end. A checkpoint (the head's id and hash) kept
//! outside the panel closes that gap: a later verify fails if that event
//! is gone or changed.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use anyhow::Context;

use crate::db::Db;

/// An audit event's id and hash, written `ID:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub hash: String,
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.id, self.hash)
    }
}

impl FromStr for Checkpoint {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let problem = || {
            format!(
                "`{raw}` is not a checkpoint; expected ID:HASH as `teampanel audit checkpoint` prints it"
            )
        };
        let (id, hash) = raw.trim().split_once(':').ok_or_else(problem)?;
        let id = id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(problem)?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(problem());
        }
        Ok(Self { id, hash })
    }
}

/// The newest event of an intact chain; `None` when the log is empty.
/// A broken chain has no head worth publishing: that is an error.
pub async fn head(db: &Db) -> anyhow::Result<Option<Checkpoint>> {
    let report = crate::audit::verify(db).await?;
    if let Some(broken) = report.broken {
        anyhow::bail!(
            "the audit hash chain is broken at event id {} ({}); no checkpoint was taken",
            broken.id,
            broken.reason
        );
    }
    Ok(report
        .last_id
        .zip(report.last_hash)
        .map(|(id, hash)| Checkpoint { id, hash }))
}

/// Why the log no longer holds a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointMismatch {
    #[error("event {0} of the checkpoint is gone: audit events were deleted")]
    Missing(i64),
    #[error(
        "event {id} no longer has the checkpoint's hash (it now has {found}): the log was rewritten"
    )]
    Changed { id: i64, found: String },
}

/// Whether the log still holds the checkpoint's event with its hash. With
/// an intact chain, that event and everything before it are as they were.
pub async fn holds(
    db: &Db,
    checkpoint: &Checkpoint,
) -> anyhow::Result<Result<(), CheckpointMismatch>> {
    let found: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = ?")
        .bind(checkpoint.id)
        .fetch_optional(db)
        .await
        .context("Failed to read the checkpoint's audit event")?;
    Ok(match found {
        None => Err(CheckpointMismatch::Missing(checkpoint.id)),
        Some(hash) if hash.eq_ignore_ascii_case(&checkpoint.hash) => Ok(()),
        Some(found) => Err(CheckpointMismatch::Changed {
            id: checkpoint.id,
            found,
        }),
    })
}

/// `teampanel audit checkpoint [--append FILE]`: prints the head as
/// `ID:HASH`, and with a file appends `TIME ID:HASH` to it (for a scheduled
/// job that keeps the history somewhere the panel cannot rewrite).
pub async fn checkpoint(
    settings: &crate::config::Settings,
    append: Option<&Path>,
) -> anyhow::Result<()> {
    let db = open_existing(settings).await?;
    let head = head(&db).await;
    db.close().await;
    let Some(head) = head? else {
        println!("the audit log is empty: nothing to checkpoint yet");
        return Ok(());
    };
    println!("{head}");
    if let Some(path) = append {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| {
                format!("Failed to open {} to append the checkpoint", path.display())
            })?;
        writeln!(file, "{} {head}", crate::audit::now_text())
            .with_context(|| format!("Failed to append the checkpoint to {}", path.display()))?;
    }
    Ok(())
}

pub(crate) async fn open_existing(settings: &crate::config::Settings) -> anyhow::Result<Db> {
    let path = settings.database_path();
    if !path.exists() {
        anyhow::bail!("no database at {}", path.display());
    }
    crate::db::connect(&path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_parse_and_print_alike() {
        let hash = "ab".repeat(32);
        let text = format!("42:{hash}");
        let checkpoint: Checkpoint = text.parse().unwrap();
        assert_eq!(checkpoint.id, 42);
        assert_eq!(checkpoint.to_string(), text);
        for bad in [
            "42",
            "x:ab",
            "0:abcd",
            &format!("-1:{hash}"),
            &format!("3:{}", "zz".repeat(32)),
        ] {
            assert!(bad.parse::<Checkpoint>().is_err(), "{bad}");
        }
    }
}
