//! `teampanel audit verify`: walks the audit log's hash chain.

use crate::config::Settings;

/// Prints what the walk found; an error (non-zero exit) on a break.
pub async fn verify(settings: &Settings) -> anyhow::Result<()> {
    let path = settings.database_path();
    if !path.exists() {
        anyhow::bail!("no database at {}: nothing to verify", path.display());
    }
    let db = crate::db::connect(&path).await?;
    let report = crate::audit::verify(&db).await?;
    db.close().await;
    match report.broken {
        None => {
            match (&report.last_id, &report.last_hash) {
                (Some(id), Some(hash)) => println!(
                    "audit log intact: {} events, last id {id}, last hash {hash}",
                    report.events
                ),
                _ => println!("audit log intact: no events yet"),
            }
            Ok(())
        }
        Some(broken) => {
            println!(
                "audit log BROKEN at event id {}: {} ({} events before it verified)",
                broken.id, broken.reason, report.events
            );
            anyhow::bail!("the audit hash chain is broken at event id {}", broken.id)
        }
    }
}
