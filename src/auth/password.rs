//! Password hashing with argon2id, always off the async runtime.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The shortest password the panel accepts.
pub const MIN_LENGTH: usize = 10;
/// Longer input is refused rather than hashed, so nobody can make the server hash megabytes.
pub const MAX_LENGTH: usize = 256;

/// A hash that no password matches, checked for unknown emails so that a wrong
/// email costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_blocking("teampanel-dummy-password").unwrap_or_else(|_| {
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Z2bVdVqKdeq3ZNLkJtBB7rXO7yC0NVBuUI0jsn5Lp2c".to_owned()
    })
});

/// Why a new password cannot be used, in words for the form.
pub fn check_new(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(format!(
            "The password needs at least {MIN_LENGTH} characters."
        ));
    }
    if password.len() > MAX_LENGTH {
        return Err(format!("The password may have at most {MAX_LENGTH} bytes."));
    }
    Ok(())
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("Failed to hash a password")
}

/// Hashes a password (argon2id, random salt) on a blocking thread.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .context("The password hashing task failed")?
}

/// Checks a password against a stored PHC hash, or against a dummy hash when
/// there is no user, so both cases take the same time.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        if password.len() > MAX_LENGTH {
            return false;
        }
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        ok && known
    })
    .await
    .context("The password check task failed")
}

/// Computes the dummy hash now, so the first unknown email is not slower than later ones.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let hashed = hash("correct horse battery".into()).await.unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(hashed.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong".into(), Some(hashed)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(
            !verify("teampanel-dummy-password".into(), None)
                .await
                .unwrap()
        );
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new("short").is_err());
        assert!(check_new("long enough pw").is_ok());
    }
}
