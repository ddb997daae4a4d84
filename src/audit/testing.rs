//! What the audit parts' unit tests share: a fresh database and an actor.

use super::AuditCtx;
use crate::db::Db;

pub(super) async fn test_db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::db::connect(&dir.path().join("t.db")).await.unwrap();
    (dir, db)
}

pub(super) fn ctx(org_id: Option<i64>, label: &str) -> AuditCtx {
    AuditCtx {
        org_id,
        actor_id: Some(7),
        actor_label: label.into(),
        ip: Some("127.0.0.1".into()),
        user_agent: Some("test".into()),
        request_id: Some("req-1".into()),
    }
}
