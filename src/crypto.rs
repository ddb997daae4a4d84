//! The master key, and what is derived from it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use sha2::{Digest, Sha256, Sha512};

use crate::config::Settings;

pub const KEY_FILE: &str = "master.key";

/// 32 secret bytes that seal every stored API token.
#[derive(Clone)]
pub struct MasterKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(id={})", self.id())
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// Parses base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> anyhow::Result<Self> {
        let raw = B64
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("the master key is not valid base64"))?;
        let bytes: [u8; 32] = raw.try_into().map_err(|v: Vec<u8>| {
            anyhow::anyhow!("the master key must be 32 bytes, found {}", v.len())
        })?;
        Ok(Self { bytes })
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.bytes)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// A short public name for the key, stored beside each sealed token so a
    /// rotation knows which key sealed what. Reveals nothing about the key.
    pub fn id(&self) -> String {
        let digest = Sha256::digest([b"teampanel key id v1".as_slice(), &self.bytes].concat());
        hex::encode(&digest[..6])
    }

    /// The 64-byte key that signs session cookies, derived so the cookie key
    /// survives restarts without a second secret to manage.
    pub fn cookie_key(&self) -> actix_web::cookie::Key {
        let digest =
            Sha512::digest([b"teampanel session cookie v1".as_slice(), &self.bytes].concat());
        actix_web::cookie::Key::from(&digest[..])
    }
}

/// Where the master key came from, for the start-up log.
#[derive(Debug)]
pub enum KeySource {
    Setting,
    ExistingFile(PathBuf),
    CreatedFile(PathBuf),
}

/// The key from the settings, else from `<data dir>/master.key`, created (mode 0600) when missing.
pub fn load_or_create(settings: &Settings) -> anyhow::Result<(MasterKey, KeySource)> {
    if let Some(secret) = &settings.master_key {
        let key =
            MasterKey::from_base64(secret.expose()).context("setting TEAMPANEL_MASTER_KEY")?;
        return Ok((key, KeySource::Setting));
    }
    let path = settings.data_dir.join(KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("Failed to read the master key file {}", path.display()))?;
        let key = MasterKey::from_base64(&text)
            .with_context(|| format!("the master key file {}", path.display()))?;
        return Ok((key, KeySource::ExistingFile(path)));
    }
    let key = MasterKey::generate();
    write_key_file(&path, &key)?;
    Ok((key, KeySource::CreatedFile(path)))
}

/// Writes a key file readable by its owner only, atomically.
pub fn write_key_file(path: &Path, key: &MasterKey) -> anyhow::Result<()> {
    let tmp = path.with_extension("key.tmp");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .with_context(|| format!("Failed to create the master key file {}", tmp.display()))?;
        file.write_all(key.to_base64().as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("Failed to write the master key file {}", tmp.display()))?;
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("Failed to put the master key file at {}", path.display()))
}

/// `teampanel rotate-master-key`: re-seals every stored token under a new key.
pub async fn rotate_master_key(_settings: &Settings) -> anyhow::Result<()> {
    anyhow::bail!("no tokens are stored yet: cloud accounts arrive with the organisations pages")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_length_check() {
        let key = MasterKey::generate();
        let back = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(key.bytes(), back.bytes());
        assert!(
            MasterKey::from_base64("c2hvcnQ=")
                .unwrap_err()
                .to_string()
                .contains("32 bytes")
        );
        assert!(MasterKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn key_file_is_created_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_data_dir(dir.path(), "127.0.0.1:0".parse().unwrap());
        let (first, source) = load_or_create(&settings).unwrap();
        assert!(matches!(source, KeySource::CreatedFile(_)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (second, source) = load_or_create(&settings).unwrap();
        assert!(matches!(source, KeySource::ExistingFile(_)));
        assert_eq!(first.bytes(), second.bytes());
    }
}
