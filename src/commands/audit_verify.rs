//! `teampanel audit verify [--from-checkpoint ID:HASH]`: walks the audit
//! log's hash chain, and checks that a published checkpoint still holds.

use crate::commands::audit_checkpoint::{Checkpoint, holds, open_existing};
use crate::config::Settings;

/// Prints what the walk found; an error (non-zero exit) on a break or a
/// checkpoint the log no longer holds.
pub async fn verify(settings: &Settings, checkpoint: Option<&Checkpoint>) -> anyhow::Result<()> {
    let db = open_existing(settings).await?;
    let report = crate::audit::verify(&db).await;
    let held = match checkpoint {
        Some(checkpoint) => Some(holds(&db, checkpoint).await),
        None => None,
    };
    db.close().await;
    let report = report?;
    if let Some(broken) = report.broken {
        println!(
            "audit log BROKEN at event id {}: {} ({} events before it verified)",
            broken.id, broken.reason, report.events
        );
        anyhow::bail!("the audit hash chain is broken at event id {}", broken.id);
    }
    match (&report.last_id, &report.last_hash) {
        (Some(id), Some(hash)) => println!(
            "audit log intact: {} events, last id {id}, last hash {hash}",
            report.events
        ),
        _ => println!("audit log intact: no events yet"),
    }
    if let (Some(checkpoint), Some(held)) = (checkpoint, held) {
        match held? {
            Ok(()) => println!("checkpoint {} holds", checkpoint.id),
            Err(mismatch) => {
                println!("checkpoint FAILED: {mismatch}");
                anyhow::bail!(
                    "the audit log does not hold checkpoint {}: {mismatch}",
                    checkpoint.id
                );
            }
        }
    }
    Ok(())
}
