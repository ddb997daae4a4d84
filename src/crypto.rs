//! The master key, what is derived from it, and the sealing of stored API tokens.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::XNonce;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use rand::RngCore;
use sha2::{Digest, Sha256, Sha512};

use crate::config::{Secret, Settings};

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

/// A key written before a rotation re-seals the tokens; while it exists, both
/// keys open tokens (each sealed token names its key) and new tokens are
/// sealed under it. See [`rotate_master_key`].
pub const PENDING_KEY_FILE: &str = "master.key.new";

/// The keys that may open a sealed token: the configured key and, while a
/// rotation is pending, the new one.
#[derive(Debug, Clone)]
pub struct KeyRing {
    primary: MasterKey,
    pending: Option<MasterKey>,
}

impl KeyRing {
    pub fn single(primary: MasterKey) -> Self {
        Self {
            primary,
            pending: None,
        }
    }

    pub fn with_pending(primary: MasterKey, pending: MasterKey) -> Self {
        let pending = (pending.id() != primary.id()).then_some(pending);
        Self { primary, pending }
    }

    /// The configured key, plus `<data dir>/master.key.new` when a rotation
    /// was interrupted or awaits the operator.
    pub fn load(primary: &MasterKey, settings: &Settings) -> anyhow::Result<Self> {
        let path = settings.data_dir.join(PENDING_KEY_FILE);
        if !path.exists() {
            return Ok(Self::single(primary.clone()));
        }
        let pending = read_key_file(&path)?;
        Ok(Self::with_pending(primary.clone(), pending))
    }

    /// New tokens go under the newest key, so finishing a rotation never
    /// strands a token sealed meanwhile.
    pub fn sealing_key(&self) -> &MasterKey {
        self.pending.as_ref().unwrap_or(&self.primary)
    }

    pub fn by_id(&self, key_id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.primary)
            .chain(self.pending.as_ref())
            .find(|k| k.id() == key_id)
    }
}

pub fn read_key_file(path: &Path) -> anyhow::Result<MasterKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read the master key file {}", path.display()))?;
    MasterKey::from_base64(&text).with_context(|| format!("the master key file {}", path.display()))
}

/// A token as stored: ciphertext (with its tag), nonce, and the id of the key that sealed it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_id: String,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sealed(key_id={}, {} bytes)",
            self.key_id,
            self.ciphertext.len()
        )
    }
}

/// Where a sealed token belongs. The associated data binds the ciphertext
/// to it, so a ciphertext copied to another row or organisation does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSlot {
    pub org_id: i64,
    pub account_id: i64,
}

fn associated_data(slot: TokenSlot, key_id: &str) -> Vec<u8> {
    format!(
        "teampanel cloud token v1\0org={}\0account={}\0key={key_id}",
        slot.org_id, slot.account_id
    )
    .into_bytes()
}

/// The sealing cipher uses a key derived from the master key, so the same
/// bytes never serve two purposes (the cookie key is derived separately).
fn token_cipher(key: &MasterKey) -> anyhow::Result<XChaCha20Poly1305> {
    let derived = Sha256::digest([b"teampanel token seal v1".as_slice(), key.bytes()].concat());
    XChaCha20Poly1305::new_from_slice(&derived)
        .map_err(|_| anyhow::anyhow!("the derived sealing key has the wrong length"))
}

/// Seals a token for one cloud account row with XChaCha20-Poly1305.
pub fn seal(key: &MasterKey, slot: TokenSlot, token: &str) -> anyhow::Result<Sealed> {
    let cipher = token_cipher(key)?;
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let key_id = key.id();
    let aad = associated_data(slot, &key_id);
    let ciphertext = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: token.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| anyhow::anyhow!("Failed to seal a cloud account token"))?;
    Ok(Sealed {
        ciphertext,
        nonce: nonce.to_vec(),
        key_id,
    })
}

/// Opens a sealed token for the row it was sealed for. Fails (without saying
/// more) for another row, another key, or a changed ciphertext.
pub fn open(keys: &KeyRing, slot: TokenSlot, sealed: &Sealed) -> anyhow::Result<Secret> {
    let key = keys.by_id(&sealed.key_id).ok_or_else(|| {
        anyhow::anyhow!(
            "the token of cloud account {} was sealed under master key {}, which is not configured",
            slot.account_id,
            sealed.key_id
        )
    })?;
    let nonce = XNonce::try_from(sealed.nonce.as_slice()).map_err(|_| {
        anyhow::anyhow!(
            "the stored nonce of cloud account {} is malformed",
            slot.account_id
        )
    })?;
    let plain = token_cipher(key)?
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed.ciphertext,
                aad: &associated_data(slot, &sealed.key_id),
            },
        )
        .map_err(|_| {
            anyhow::anyhow!(
                "the token of cloud account {} does not open: it was changed or belongs to another row",
                slot.account_id
            )
        })?;
    let text = String::from_utf8(plain).map_err(|_| {
        anyhow::anyhow!("the token of cloud account {} is not text", slot.account_id)
    })?;
    Ok(Secret::new(text))
}

// Second-factor secrets: a user's TOTP secret is sealed like a cloud
// account's token, under its own derived key and bound to its user.

fn user_secret_aad(user_id: i64, key_id: &str) -> Vec<u8> {
    format!("teampanel totp secret v1\0user={user_id}\0key={key_id}").into_bytes()
}

fn user_secret_cipher(key: &MasterKey) -> anyhow::Result<XChaCha20Poly1305> {
    let derived = Sha256::digest([b"teampanel totp seal v1".as_slice(), key.bytes()].concat());
    XChaCha20Poly1305::new_from_slice(&derived)
        .map_err(|_| anyhow::anyhow!("the derived sealing key has the wrong length"))
}

/// Seals a user's TOTP secret (raw bytes) with XChaCha20-Poly1305.
pub fn seal_user_secret(key: &MasterKey, user_id: i64, secret: &[u8]) -> anyhow::Result<Sealed> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let key_id = key.id();
    let ciphertext = user_secret_cipher(key)?
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: secret,
                aad: &user_secret_aad(user_id, &key_id),
            },
        )
        .map_err(|_| anyhow::anyhow!("Failed to seal a second-factor secret"))?;
    Ok(Sealed {
        ciphertext,
        nonce: nonce.to_vec(),
        key_id,
    })
}

/// Opens a user's sealed TOTP secret; fails for another user, key or a changed ciphertext.
pub fn open_user_secret(keys: &KeyRing, user_id: i64, sealed: &Sealed) -> anyhow::Result<Vec<u8>> {
    let key = keys.by_id(&sealed.key_id).ok_or_else(|| {
        anyhow::anyhow!(
            "the second-factor secret of user {user_id} was sealed under master key {}, which is not configured",
            sealed.key_id
        )
    })?;
    let nonce = XNonce::try_from(sealed.nonce.as_slice()).map_err(|_| {
        anyhow::anyhow!("the stored nonce of user {user_id}'s second factor is malformed")
    })?;
    user_secret_cipher(key)?
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed.ciphertext,
                aad: &user_secret_aad(user_id, &sealed.key_id),
            },
        )
        .map_err(|_| {
            anyhow::anyhow!("the second-factor secret of user {user_id} does not open: it was changed or belongs to another user")
        })
}

// Queued changes: the request a change waits to send (it may carry a
// password) is sealed like a token, under its own derived key and bound to
// its organisation and queue row.

/// Where a sealed queued request belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSlot {
    pub org_id: i64,
    pub queue_id: i64,
}

fn queue_aad(slot: QueueSlot, key_id: &str) -> Vec<u8> {
    format!(
        "teampanel queued change v1\0org={}\0queue={}\0key={key_id}",
        slot.org_id, slot.queue_id
    )
    .into_bytes()
}

fn queue_cipher(key: &MasterKey) -> anyhow::Result<XChaCha20Poly1305> {
    let derived = Sha256::digest([b"teampanel queue seal v1".as_slice(), key.bytes()].concat());
    XChaCha20Poly1305::new_from_slice(&derived)
        .map_err(|_| anyhow::anyhow!("the derived sealing key has the wrong length"))
}

/// Seals `msg` under the queue's derived key, bound by the associated data
/// `aad` makes for the key's id; `what` names it in errors.
fn seal_bound(
    key: &MasterKey,
    aad: impl Fn(&str) -> Vec<u8>,
    msg: &[u8],
    what: &str,
) -> anyhow::Result<Sealed> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let key_id = key.id();
    let ciphertext = queue_cipher(key)?
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg,
                aad: &aad(&key_id),
            },
        )
        .map_err(|_| anyhow::anyhow!("Failed to seal {what}"))?;
    Ok(Sealed {
        ciphertext,
        nonce: nonce.to_vec(),
        key_id,
    })
}

/// Opens what [`seal_bound`] sealed; fails for other associated data (another
/// row, organisation or key) or a changed ciphertext.
fn open_bound(
    keys: &KeyRing,
    sealed: &Sealed,
    aad: impl Fn(&str) -> Vec<u8>,
    what: &str,
) -> anyhow::Result<Vec<u8>> {
    let key = keys.by_id(&sealed.key_id).ok_or_else(|| {
        anyhow::anyhow!(
            "{what} was sealed under master key {}, which is not configured",
            sealed.key_id
        )
    })?;
    let nonce = XNonce::try_from(sealed.nonce.as_slice())
        .map_err(|_| anyhow::anyhow!("the stored nonce of {what} is malformed"))?;
    queue_cipher(key)?
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad(&sealed.key_id),
            },
        )
        .map_err(|_| {
            anyhow::anyhow!("{what} does not open: it was changed or belongs to another row")
        })
}

/// Seals a queued change's request (its JSON) for one queue row.
pub fn seal_queued(key: &MasterKey, slot: QueueSlot, request: &[u8]) -> anyhow::Result<Sealed> {
    let what = format!("queued change {}", slot.queue_id);
    seal_bound(key, |key_id| queue_aad(slot, key_id), request, &what)
}

/// Opens a queued change's request; fails for another row, organisation or
/// key, or a changed ciphertext.
pub fn open_queued(keys: &KeyRing, slot: QueueSlot, sealed: &Sealed) -> anyhow::Result<Vec<u8>> {
    let what = format!("queued change {}", slot.queue_id);
    open_bound(keys, sealed, |key_id| queue_aad(slot, key_id), &what)
}

// A change held for a second member's approval keeps its request like a
// queued one, under the same derived key, bound to its organisation and
// request row (and never opened as a queued change's, nor the reverse).

fn approval_aad(org_id: i64, request_id: i64, key_id: &str) -> Vec<u8> {
    format!("teampanel held change v1\0org={org_id}\0request={request_id}\0key={key_id}")
        .into_bytes()
}

/// Seals the request of a change held for approval.
pub fn seal_held(
    key: &MasterKey,
    org_id: i64,
    request_id: i64,
    request: &[u8],
) -> anyhow::Result<Sealed> {
    let what = format!("held change {request_id}");
    seal_bound(
        key,
        |key_id| approval_aad(org_id, request_id, key_id),
        request,
        &what,
    )
}

/// Opens the request of a change held for approval; fails for another
/// row, organisation or key, or a changed ciphertext.
pub fn open_held(
    keys: &KeyRing,
    org_id: i64,
    request_id: i64,
    sealed: &Sealed,
) -> anyhow::Result<Vec<u8>> {
    let what = format!("held change {request_id}");
    open_bound(
        keys,
        sealed,
        |key_id| approval_aad(org_id, request_id, key_id),
        &what,
    )
}

// A webhook endpoint's signing secret is needed in clear to sign each
// delivery, so it is sealed (not hashed) like a queued request, bound to
// its organisation and endpoint row.

fn webhook_aad(org_id: i64, endpoint_id: i64, key_id: &str) -> Vec<u8> {
    format!("teampanel webhook secret v1\0org={org_id}\0endpoint={endpoint_id}\0key={key_id}")
        .into_bytes()
}

/// Seals a webhook endpoint's signing secret.
pub fn seal_webhook_secret(
    key: &MasterKey,
    org_id: i64,
    endpoint_id: i64,
    secret: &str,
) -> anyhow::Result<Sealed> {
    let what = format!("the secret of webhook {endpoint_id}");
    seal_bound(
        key,
        |key_id| webhook_aad(org_id, endpoint_id, key_id),
        secret.as_bytes(),
        &what,
    )
}

/// Opens a webhook endpoint's signing secret; fails for another row,
/// organisation or key, or a changed ciphertext.
pub fn open_webhook_secret(
    keys: &KeyRing,
    org_id: i64,
    endpoint_id: i64,
    sealed: &Sealed,
) -> anyhow::Result<Secret> {
    let what = format!("the secret of webhook {endpoint_id}");
    let plain = open_bound(
        keys,
        sealed,
        |key_id| webhook_aad(org_id, endpoint_id, key_id),
        &what,
    )?;
    String::from_utf8(plain)
        .map(Secret::new)
        .map_err(|_| anyhow::anyhow!("{what} is not text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_secret_opens_only_in_its_own_row() {
        let key = MasterKey::generate();
        let keys = KeyRing::single(key.clone());
        let sealed = seal_webhook_secret(&key, 1, 7, "whsec_abc").unwrap();
        assert_eq!(
            open_webhook_secret(&keys, 1, 7, &sealed).unwrap().expose(),
            "whsec_abc"
        );
        assert!(open_webhook_secret(&keys, 1, 8, &sealed).is_err());
        assert!(open_webhook_secret(&keys, 2, 7, &sealed).is_err());
        assert!(open_held(&keys, 1, 7, &sealed).is_err());
    }

    #[test]
    fn a_held_change_opens_only_in_its_own_row() {
        let key = MasterKey::generate();
        let keys = KeyRing::single(key.clone());
        let sealed = seal_held(&key, 1, 7, b"{\"path\":\"/servers/A\"}").unwrap();
        assert_eq!(
            open_held(&keys, 1, 7, &sealed).unwrap(),
            b"{\"path\":\"/servers/A\"}"
        );
        assert!(open_held(&keys, 1, 8, &sealed).is_err());
        assert!(open_held(&keys, 2, 7, &sealed).is_err());
        assert!(
            open_queued(
                &keys,
                QueueSlot {
                    org_id: 1,
                    queue_id: 7
                },
                &sealed
            )
            .is_err()
        );
    }

    #[test]
    fn a_queued_request_opens_only_for_its_own_row_and_organisation() {
        let key = MasterKey::generate();
        let keys = KeyRing::single(key.clone());
        let slot = QueueSlot {
            org_id: 1,
            queue_id: 7,
        };
        let sealed = seal_queued(&key, slot, br#"{"password":"p"}"#).unwrap();
        assert_eq!(
            open_queued(&keys, slot, &sealed).unwrap(),
            br#"{"password":"p"}"#
        );
        let moved = QueueSlot {
            org_id: 1,
            queue_id: 8,
        };
        assert!(open_queued(&keys, moved, &sealed).is_err());
        let other_org = QueueSlot {
            org_id: 2,
            queue_id: 7,
        };
        assert!(open_queued(&keys, other_org, &sealed).is_err());
        // Not a token: the token cipher does not open it either.
        let as_token = TokenSlot {
            org_id: 1,
            account_id: 7,
        };
        assert!(open(&keys, as_token, &sealed).is_err());
    }

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

    fn slot(org_id: i64, account_id: i64) -> TokenSlot {
        TokenSlot { org_id, account_id }
    }

    #[test]
    fn sealed_tokens_open_only_for_their_row_and_key() {
        let key = MasterKey::generate();
        let keys = KeyRing::single(key.clone());
        let sealed = seal(&key, slot(1, 2), "api-token-abcd").unwrap();
        assert_eq!(sealed.key_id, key.id());
        assert_eq!(sealed.nonce.len(), 24);
        assert!(
            !sealed
                .ciphertext
                .windows(5)
                .any(|w| w == b"token".as_slice())
        );
        assert_eq!(
            open(&keys, slot(1, 2), &sealed).unwrap().expose(),
            "api-token-abcd"
        );
        for other in [slot(1, 3), slot(2, 2)] {
            assert!(open(&keys, other, &sealed).is_err());
        }
        // Claiming another key id changes the associated data too.
        let other_key = MasterKey::generate();
        let mut relabelled = sealed.clone();
        relabelled.key_id = other_key.id();
        let ring = KeyRing::with_pending(key.clone(), other_key.clone());
        assert!(open(&ring, slot(1, 2), &relabelled).is_err());
        assert!(open(&KeyRing::single(other_key), slot(1, 2), &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        let err = open(&keys, slot(1, 2), &tampered).unwrap_err();
        assert!(!format!("{err:?}").contains("api-token"));
        // Two seals of the same token differ (fresh nonce).
        assert_ne!(
            seal(&key, slot(1, 2), "api-token-abcd").unwrap().ciphertext,
            sealed.ciphertext
        );
        assert!(!format!("{sealed:?}").contains("api"));
    }

    #[test]
    fn a_pending_key_seals_and_both_keys_open() {
        let old = MasterKey::generate();
        let new = MasterKey::generate();
        let ring = KeyRing::with_pending(old.clone(), new.clone());
        assert_eq!(ring.sealing_key().id(), new.id());
        let under_old = seal(&old, slot(1, 1), "t-old").unwrap();
        let under_new = seal(ring.sealing_key(), slot(1, 1), "t-new").unwrap();
        assert_eq!(
            open(&ring, slot(1, 1), &under_old).unwrap().expose(),
            "t-old"
        );
        assert_eq!(
            open(&ring, slot(1, 1), &under_new).unwrap().expose(),
            "t-new"
        );
        // A pending key equal to the primary is no second key.
        assert_eq!(
            KeyRing::with_pending(old.clone(), old.clone())
                .sealing_key()
                .id(),
            old.id()
        );
    }

    #[test]
    fn user_secrets_open_only_for_their_user_and_key() {
        let key = MasterKey::generate();
        let keys = KeyRing::single(key.clone());
        let sealed = seal_user_secret(&key, 7, b"twenty-byte-secret!!").unwrap();
        assert_eq!(
            open_user_secret(&keys, 7, &sealed).unwrap(),
            b"twenty-byte-secret!!"
        );
        assert!(open_user_secret(&keys, 8, &sealed).is_err());
        assert!(open_user_secret(&KeyRing::single(MasterKey::generate()), 7, &sealed).is_err());
        // A cloud token's slot cannot open it either: the derived keys differ.
        assert!(open(&keys, slot(7, 7), &sealed).is_err());
    }
}
