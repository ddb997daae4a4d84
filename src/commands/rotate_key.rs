//! `teampanel rotate-master-key`: re-seals every stored token under a new
//! master key, crash-safe.

use std::path::Path;

use anyhow::Context;
use serde_json::json;

use crate::audit::{AuditCtx, LocalChange, NewEvent, Outcome};
use crate::config::Settings;
use crate::crypto::{
    KeyRing, KeySource, MasterKey, PENDING_KEY_FILE, load_or_create, read_key_file, write_key_file,
};
use crate::tenant::unguarded;

/// `teampanel rotate-master-key`: re-seals every stored token under a new key.
///
/// Crash-safe order: (1) the new key is written to `master.key.new` (0600);
/// (2) every token is re-sealed in one SQLite transaction, each row naming its
/// key; (3) the key file is renamed over `master.key`. Until (3) the panel
/// loads both keys, so whichever way the transaction went, every token opens;
/// running the command again resumes with the same new key.
pub async fn rotate_master_key(settings: &Settings) -> anyhow::Result<()> {
    crate::db::prepare_data_dir(&settings.data_dir)?;
    let (current, source) = load_or_create(settings)?;
    let pending_path = settings.data_dir.join(PENDING_KEY_FILE);
    let new_key = if pending_path.exists() {
        let pending = read_key_file(&pending_path)?;
        if pending.id() == current.id() {
            // The operator already switched to this key; the file is left over.
            std::fs::remove_file(&pending_path).with_context(|| {
                format!("Failed to remove the stale {}", pending_path.display())
            })?;
            None
        } else {
            println!(
                "resuming an unfinished rotation with the new key in {}",
                pending_path.display()
            );
            Some(pending)
        }
    } else {
        None
    };
    let new_key = match new_key {
        Some(key) => key,
        None => {
            let key = MasterKey::generate();
            write_key_file(&pending_path, &key)?;
            sync_dir(&settings.data_dir);
            key
        }
    };

    let db = crate::db::connect(&settings.database_path()).await?;
    let keys = KeyRing::with_pending(current.clone(), new_key.clone());
    let ctx = AuditCtx {
        actor_label: "command line".into(),
        ..Default::default()
    };
    let resealed = unguarded::reseal_all_tokens(&db, &ctx, &keys, &new_key, &current.id()).await?;
    let second_factors = reseal_second_factors(&db, &ctx, &keys, &new_key).await?;
    db.close().await;
    println!("re-sealed {second_factors} two-factor secret(s).");

    match source {
        KeySource::ExistingFile(path) | KeySource::CreatedFile(path) => {
            std::fs::rename(&pending_path, &path).with_context(|| {
                format!(
                    "Failed to put the new master key at {} (it is safe in {}; run the command again)",
                    path.display(),
                    pending_path.display()
                )
            })?;
            sync_dir(&settings.data_dir);
            println!(
                "re-sealed {resealed} token(s) under master key {}; {} now holds the new key.",
                new_key.id(),
                path.display()
            );
            println!(
                "Session cookies are signed with a key derived from the master key: everyone signs in again."
            );
            println!("If the panel was running, restart it now: it still holds the old key.");
        }
        KeySource::Setting => {
            println!(
                "re-sealed {resealed} token(s) under the new master key {}.",
                new_key.id()
            );
            println!(
                "The current key comes from TEAMPANEL_MASTER_KEY (or _FILE), which this command cannot change."
            );
            println!("Put this new key in that setting:");
            println!();
            println!("{}", new_key.to_base64());
            println!();
            println!(
                "Until you do, the panel reads the new key from {} as well, so every token keeps working. \
                 After restarting with the new setting, delete that file; then everyone signs in again.",
                pending_path.display()
            );
        }
    }
    Ok(())
}

/// Re-seals the users' TOTP secrets under the new key, in a transaction of
/// their own: until the key file is renamed both keys open either kind of
/// secret, so a crash between the two transactions loses nothing.
async fn reseal_second_factors(
    db: &crate::db::Db,
    ctx: &AuditCtx,
    keys: &KeyRing,
    new_key: &MasterKey,
) -> anyhow::Result<usize> {
    let mut change = LocalChange::begin(db).await?;
    let resealed = crate::db::two_factor::reseal_all(change.conn(), keys, new_key).await?;
    let event = NewEvent::new("master_key.rotate_two_factor", Outcome::Succeeded).details(json!({
        "secrets_resealed": resealed,
        "sealed_under": new_key.id(),
    }));
    change.commit(ctx, event).await?;
    Ok(resealed)
}

/// Makes a rename durable; a failure only weakens durability, never correctness.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::crypto::{Sealed, TokenSlot, open, seal};

    async fn seeded(settings: &Settings, tokens: &[&str]) -> Vec<(i64, i64)> {
        crate::db::prepare_data_dir(&settings.data_dir).unwrap();
        let (key, _) = load_or_create(settings).unwrap();
        let keys = KeyRing::load(&key, settings).unwrap();
        let db = crate::db::connect(&settings.database_path()).await.unwrap();
        let org: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (slug, name) VALUES ('acme', 'Acme') RETURNING id",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        let mut ids = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO cloud_accounts (org_id, name, base_url, token_ciphertext, token_nonce,
                     key_id, token_last4) VALUES (?, ?, ?, x'', x'', '', '') RETURNING id",
            )
            .bind(org)
            .bind(format!("account {i}"))
            .bind(crate::domain::DEFAULT_BASE_URL)
            .fetch_one(&db)
            .await
            .unwrap();
            let slot = TokenSlot {
                org_id: org,
                account_id: id,
            };
            let sealed = seal(keys.sealing_key(), slot, token).unwrap();
            sqlx::query(
                "UPDATE cloud_accounts SET token_ciphertext = ?, token_nonce = ?, key_id = ? WHERE id = ?",
            )
            .bind(&sealed.ciphertext)
            .bind(&sealed.nonce)
            .bind(&sealed.key_id)
            .bind(id)
            .execute(&db)
            .await
            .unwrap();
            ids.push((org, id));
        }
        db.close().await;
        ids
    }

    async fn open_all(settings: &Settings, ids: &[(i64, i64)]) -> Vec<String> {
        let (key, _) = load_or_create(settings).unwrap();
        let keys = KeyRing::load(&key, settings).unwrap();
        let db = crate::db::connect(&settings.database_path()).await.unwrap();
        let mut out = Vec::new();
        for (org, id) in ids {
            let (ciphertext, nonce, key_id): (Vec<u8>, Vec<u8>, String) = sqlx::query_as(
                "SELECT token_ciphertext, token_nonce, key_id FROM cloud_accounts WHERE id = ?",
            )
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
            let sealed = Sealed {
                ciphertext,
                nonce,
                key_id,
            };
            let slot = TokenSlot {
                org_id: *org,
                account_id: *id,
            };
            out.push(open(&keys, slot, &sealed).unwrap().expose().to_owned());
        }
        db.close().await;
        out
    }

    #[tokio::test]
    async fn rotation_with_a_key_file_keeps_every_token_usable() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
        let tokens = ["first-token-1111", "second-token-2222"];
        let ids = seeded(&settings, &tokens).await;
        let (before, _) = load_or_create(&settings).unwrap();

        rotate_master_key(&settings).await.unwrap();

        let (after, _) = load_or_create(&settings).unwrap();
        assert_ne!(before.id(), after.id());
        assert!(!dir.path().join(PENDING_KEY_FILE).exists());
        assert_eq!(open_all(&settings, &ids).await, tokens);
        let db = crate::db::connect(&settings.database_path()).await.unwrap();
        let key_ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT key_id FROM cloud_accounts")
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(key_ids, vec![after.id()]);
    }

    #[tokio::test]
    async fn a_crash_at_any_step_of_a_rotation_leaves_every_token_readable() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
        let tokens = ["first-token-1111", "second-token-2222"];
        let ids = seeded(&settings, &tokens).await;
        let (old, _) = load_or_create(&settings).unwrap();
        let new = MasterKey::generate();

        // Crash after writing the new key file, before the transaction.
        write_key_file(&dir.path().join(PENDING_KEY_FILE), &new).unwrap();
        assert_eq!(open_all(&settings, &ids).await, tokens);

        // Crash after the transaction committed, before the rename.
        let db = crate::db::connect(&settings.database_path()).await.unwrap();
        let ring = KeyRing::with_pending(old.clone(), new.clone());
        let ctx = AuditCtx::default();
        unguarded::reseal_all_tokens(&db, &ctx, &ring, &new, &old.id())
            .await
            .unwrap();
        db.close().await;
        assert_eq!(open_all(&settings, &ids).await, tokens);

        // Running the command again finishes with the same new key.
        rotate_master_key(&settings).await.unwrap();
        let (current, _) = load_or_create(&settings).unwrap();
        assert_eq!(current.id(), new.id());
        assert!(!dir.path().join(PENDING_KEY_FILE).exists());
        assert_eq!(open_all(&settings, &ids).await, tokens);
    }

    #[tokio::test]
    async fn rotation_with_a_key_setting_keeps_the_new_key_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
        let old = MasterKey::generate();
        settings.master_key = Some(Secret::new(old.to_base64()));
        let tokens = ["setting-token-3333"];
        let ids = seeded(&settings, &tokens).await;

        rotate_master_key(&settings).await.unwrap();

        let pending = dir.path().join(PENDING_KEY_FILE);
        assert!(pending.exists());
        // Before the operator changes the setting: old + pending.
        assert_eq!(open_all(&settings, &ids).await, tokens);
        // After: the new key alone.
        let new = read_key_file(&pending).unwrap();
        settings.master_key = Some(Secret::new(new.to_base64()));
        std::fs::remove_file(&pending).unwrap();
        assert_eq!(open_all(&settings, &ids).await, tokens);
    }

    #[tokio::test]
    async fn rotation_re_seals_the_two_factor_secrets_too() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
        seeded(&settings, &["a-token-4444"]).await;
        let (before, _) = load_or_create(&settings).unwrap();
        let db = crate::db::connect(&settings.database_path()).await.unwrap();
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash) VALUES ('a@x.org', 'A', 'x') RETURNING id",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        let secret = crate::auth::totp::new_secret();
        let sealed = crate::crypto::seal_user_secret(&before, user, &secret).unwrap();
        let mut conn = db.acquire().await.unwrap();
        crate::db::two_factor::start_enrolment(&mut conn, user, &sealed)
            .await
            .unwrap();
        drop(conn);
        db.close().await;

        rotate_master_key(&settings).await.unwrap();

        let (after, _) = load_or_create(&settings).unwrap();
        let db = crate::db::connect(&settings.database_path()).await.unwrap();
        let stored = crate::db::two_factor::get(&db, user)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.sealed.key_id, after.id());
        let opened =
            crate::crypto::open_user_secret(&KeyRing::single(after), user, &stored.sealed).unwrap();
        assert_eq!(opened, secret);
        // The old key alone no longer opens it.
        assert!(
            crate::crypto::open_user_secret(&KeyRing::single(before), user, &stored.sealed)
                .is_err()
        );
    }
}
