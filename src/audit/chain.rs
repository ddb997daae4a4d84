//! The hash chain: the stored event, the bytes its hash covers, the link to
//! the event before it, and the walk that finds the first broken link. Kept
//! apart from writing so what makes the log tamper-evident reads in one place.

use anyhow::Context;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::Db;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event, as read back from `audit_events`.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub org_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    pub cloud_account_id: Option<i64>,
    /// Redacted JSON text, exactly as hashed.
    pub details: String,
    pub outcome: String,
    pub upstream_status: Option<i64>,
    pub error: Option<String>,
    pub correlation_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub(super) const COLUMNS: &str = "id, at, org_id, actor_id, actor_label, ip, user_agent, request_id, action, \
     target_kind, target_id, target_name, cloud_account_id, details, outcome, upstream_status, \
     error, correlation_id, prev_hash, hash";

impl AuditRow {
    /// The bytes the hash covers: every field except the hashes themselves,
    /// as a JSON array in a fixed order (arrays have no key-order ambiguity).
    pub fn canonical(&self) -> Vec<u8> {
        let fields = serde_json::json!([
            "teampanel-audit-v1",
            self.id,
            self.at,
            self.org_id,
            self.actor_id,
            self.actor_label,
            self.ip,
            self.user_agent,
            self.request_id,
            self.action,
            self.target_kind,
            self.target_id,
            self.target_name,
            self.cloud_account_id,
            self.details,
            self.outcome,
            self.upstream_status,
            self.error,
            self.correlation_id,
        ]);
        // Serialising a `Value` cannot fail.
        serde_json::to_vec(&fields).unwrap_or_default()
    }

    /// SHA-256(prev_hash || canonical), hex; `prev_hash` as its hex text.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        hasher.update(self.canonical());
        hex::encode(hasher.finalize())
    }

    /// The details as JSON, for display and export.
    pub fn details_json(&self) -> Value {
        serde_json::from_str(&self.details).unwrap_or(Value::Null)
    }
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub id: i64,
    pub reason: String,
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub events: u64,
    pub last_id: Option<i64>,
    pub last_hash: Option<String>,
    pub broken: Option<ChainBreak>,
}

/// Walks the whole chain in id order and stops at the first event whose
/// link or hash does not match.
pub async fn verify(db: &Db) -> anyhow::Result<VerifyReport> {
    const BATCH: i64 = 1000;
    let mut report = VerifyReport::default();
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut after = 0_i64;
    loop {
        let rows: Vec<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE id > ? ORDER BY id LIMIT ?"
        )))
        .bind(after)
        .bind(BATCH)
        .fetch_all(db)
        .await
        .context("Failed to read the audit log")?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in rows {
            if row.prev_hash != prev_hash {
                report.broken = Some(ChainBreak {
                    id: row.id,
                    reason: "its previous-hash does not match the event before it \
                             (an event was removed, inserted or reordered)"
                        .into(),
                });
                return Ok(report);
            }
            if row.compute_hash() != row.hash {
                report.broken = Some(ChainBreak {
                    id: row.id,
                    reason: "its content does not match its hash (the event was edited)".into(),
                });
                return Ok(report);
            }
            report.events += 1;
            report.last_id = Some(row.id);
            prev_hash = row.hash;
        }
    }
    report.last_hash = report.last_id.map(|_| prev_hash);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testing::{ctx, test_db};
    use crate::audit::{NewEvent, Outcome, record};

    #[tokio::test]
    async fn a_busy_log_verifies_and_an_edited_row_is_found() {
        let (_dir, db) = test_db().await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let event = NewEvent::new("server.power_off", Outcome::Succeeded).target(
                    "server",
                    i,
                    &format!("web-{i}"),
                );
                record(&db, &ctx(Some(1 + i % 2), "ada@example.org"), event)
                    .await
                    .unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let report = verify(&db).await.unwrap();
        assert_eq!(report.events, 40);
        assert_eq!(report.broken, None);

        sqlx::query("DROP TRIGGER audit_events_no_update")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_events SET actor_label = 'mallory' WHERE id = 17")
            .execute(&db)
            .await
            .unwrap();
        let report = verify(&db).await.unwrap();
        assert_eq!(report.broken.map(|b| b.id), Some(17));
        assert_eq!(report.events, 16);
    }

    #[tokio::test]
    async fn the_table_refuses_update_and_delete() {
        let (_dir, db) = test_db().await;
        record(
            &db,
            &ctx(None, "a"),
            NewEvent::new("auth.sign_in", Outcome::Succeeded),
        )
        .await
        .unwrap();
        let update = sqlx::query("UPDATE audit_events SET action = 'x'")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = sqlx::query("DELETE FROM audit_events")
            .execute(&db)
            .await
            .unwrap_err();
        assert!(delete.to_string().contains("append-only"), "{delete}");
    }

    #[tokio::test]
    async fn a_removed_row_breaks_the_link_of_the_next() {
        let (_dir, db) = test_db().await;
        for _ in 0..3 {
            record(
                &db,
                &ctx(None, "a"),
                NewEvent::new("user.create", Outcome::Succeeded),
            )
            .await
            .unwrap();
        }
        sqlx::query("DROP TRIGGER audit_events_no_delete")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_events WHERE id = 2")
            .execute(&db)
            .await
            .unwrap();
        let broken = verify(&db).await.unwrap().broken.unwrap();
        assert_eq!(broken.id, 3);
        assert!(broken.reason.contains("previous"));
    }
}
