//! Password hashing with argon2id, off the async runtime and bounded.
//!
//! Each hash needs 19 MiB of working memory. Left to glibc's allocator, that
//! memory stayed in the malloc arena of whichever blocking thread ran the
//! hash, so fifty concurrent sign-ins kept close to a gigabyte for good.
//! A [`Hasher`] runs at most one hash per core, each in a memory block
//! handed to argon2 (`hash_password_into_with_memory`). While sign-ins
//! queue, a finished hash passes its block to the next one; when nobody
//! waits, the block is freed and goes back to the system (see [`blocks`]).
//! So hashing never holds more than `slots × 19 MiB`, and an idle panel
//! holds none of it.
//! Further requests wait in a short queue; a full queue, or a wait that
//! times out, is [`HashError::Busy`], which the sign-in page answers with 429.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The shortest password the panel accepts.
pub const MIN_LENGTH: usize = 10;
/// Longer input is refused rather than hashed, so nobody can make the server hash megabytes.
pub const MAX_LENGTH: usize = 256;

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

/// How many hashes run at once, how many may wait, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub slots: usize,
    pub queue: usize,
    pub wait: Duration,
}

impl Default for Limits {
    /// One hash per core; a queue a few times that long, which drains in
    /// well under the wait (a hash takes some tens of milliseconds).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self {
            slots: cores,
            queue: cores * 32,
            wait: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every slot is taken and the queue is full, or the wait timed out.
    #[error("too many passwords are being checked at the moment")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Runs argon2 hashes, at most `slots` at a time, each in reused memory.
pub struct Hasher {
    limits: Limits,
    /// The queue's length: `limits.queue` unless a test shortened it.
    queue: AtomicUsize,
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    /// Working memory of finished hashes, for hashes that were waiting: at
    /// most one per slot, since a block is only taken while a slot is held.
    memory: Mutex<Vec<Vec<Block>>>,
}

/// The process's hasher, for callers without the app's (the command line,
/// setting up accounts).
static SHARED: LazyLock<Arc<Hasher>> = LazyLock::new(|| Arc::new(Hasher::new(Limits::default())));

/// A slot held, with the memory block it hashes in.
struct Slot<'a> {
    hasher: &'a Hasher,
    memory: Vec<Block>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        let Ok(mut pool) = self.hasher.memory.lock() else {
            return;
        };
        // Runs before the permit is released, so a waiter that takes the
        // slot finds the block.
        if self.hasher.waiting.load(Ordering::SeqCst) > 0 {
            if !memory.is_empty() {
                pool.push(memory);
            }
        } else {
            // Nobody waits: this block and any left over go back to the system.
            pool.clear();
        }
    }
}

/// The parameters new hashes are made with (argon2id, 19 MiB, 2 passes).
fn params() -> Params {
    Params::default()
}

impl Hasher {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            queue: AtomicUsize::new(limits.queue),
            slots: Arc::new(Semaphore::new(limits.slots)),
            waiting: AtomicUsize::new(0),
            memory: Mutex::new(Vec::new()),
        }
    }

    pub fn shared() -> Arc<Self> {
        SHARED.clone()
    }

    /// Takes a slot: at once when one is free, else after a bounded wait in
    /// a bounded queue.
    async fn slot(&self) -> Result<Slot<'_>, HashError> {
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
                let permit = if queued < self.queue.load(Ordering::SeqCst) {
                    tokio::time::timeout(self.limits.wait, self.slots.clone().acquire_owned())
                        .await
                        .ok()
                        .and_then(Result::ok)
                } else {
                    None
                };
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                permit.ok_or(HashError::Busy)?
            }
        };
        let memory = self
            .memory
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        Ok(Slot {
            hasher: self,
            memory,
            _permit: permit,
        })
    }

    /// Holds one slot until the guard is dropped: with [`Hasher::set_queue`],
    /// lets a test fill the hasher without timing anything.
    #[doc(hidden)]
    pub async fn occupy(&self) -> Result<impl Drop + '_, HashError> {
        self.slot().await
    }

    /// Changes how many requests may wait for a slot.
    #[doc(hidden)]
    pub fn set_queue(&self, queue: usize) {
        self.queue.store(queue, Ordering::SeqCst);
    }

    /// Runs `job` on a blocking thread with the slot's memory.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let mut slot = self.slot().await?;
        let mut memory = std::mem::take(&mut slot.memory);
        let (memory, result) = tokio::task::spawn_blocking(move || {
            let result = job(&mut memory);
            (memory, result)
        })
        .await
        .context("The password hashing task failed")?;
        slot.memory = memory;
        Ok(result)
    }

    /// Hashes a password (argon2id, random salt).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let salt = Salt::generate();
        self.run(move |memory| hash_with(memory, password.as_bytes(), &salt))
            .await?
            .map_err(HashError::Failed)
    }

    /// Checks a password against a stored PHC hash. Without one (an unknown
    /// email) a new hash is computed and thrown away, which costs what
    /// checking a real hash with the same parameters costs.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        if password.len() > MAX_LENGTH {
            return Ok(false);
        }
        self.run(move |memory| match stored {
            Some(stored) => matches(memory, password.as_bytes(), &stored),
            None => {
                let _ = hash_with(memory, password.as_bytes(), &Salt::generate());
                false
            }
        })
        .await
    }
}

/// Blocks reserved per hash: just over 32 MiB. glibc keeps a freed
/// allocation of up to 32 MiB in the freeing thread's arena (it raises its
/// mmap threshold to the size of what was freed, up to that bound), which
/// is how fifty sign-ins kept a gigabyte. Larger ones always get a mapping
/// of their own, unmapped when freed. Only the first `count` blocks (19 MiB)
/// are ever written, and pages never written take no memory.
const RESERVED_BLOCKS: usize = 32 * 1024 + 1;

/// The first `count` blocks of `memory`, growing it the first time.
fn blocks(memory: &mut Vec<Block>, count: usize) -> &mut [Block] {
    if memory.len() < count {
        memory.reserve_exact(RESERVED_BLOCKS.max(count) - memory.len());
        memory.resize(count, Block::default());
    }
    &mut memory[..count]
}

fn hash_with(memory: &mut Vec<Block>, password: &[u8], salt: &Salt) -> anyhow::Result<String> {
    let params = params();
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut out = vec![0u8; output_len];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon2
        .hash_password_into_with_memory(
            password,
            salt,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("Failed to hash a password")?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(*salt),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` gives the stored hash; an unreadable hash matches nothing.
fn matches(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let count = params.block_count();
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        &salt,
        &mut out,
        blocks(memory, count),
    );
    // `Output`'s comparison takes constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

/// Hashes a password with the process's hasher.
pub async fn hash(password: String) -> anyhow::Result<String> {
    SHARED.hash(password).await.map_err(anyhow::Error::from)
}

/// Checks a password with the process's hasher; `false` for no stored hash.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    SHARED
        .verify(password, stored)
        .await
        .map_err(anyhow::Error::from)
}

/// Nothing to prepare any more: the unknown-email check hashes afresh.
/// Kept so start-up need not change.
pub fn warm_up() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let hashed = hash("correct horse battery".into()).await.unwrap();
        assert!(hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse battery".into(), Some(hashed.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong".into(), Some(hashed)).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_made_by_the_crate_still_verify() {
        use argon2::password_hash::PasswordHasher;
        let made = Argon2::default()
            .hash_password(b"an older password")
            .unwrap()
            .to_string();
        assert!(
            verify("an older password".into(), Some(made.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("another password".into(), Some(made)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(
            !verify("teampanel-dummy-password".into(), None)
                .await
                .unwrap()
        );
        assert!(!verify("x".into(), Some("not a hash".into())).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_is_busy_and_idle_memory_is_returned() {
        let hasher = Hasher::new(Limits {
            slots: 1,
            queue: 0,
            wait: Duration::from_secs(60),
        });
        let held = hasher.occupy().await.unwrap();
        assert!(matches!(
            hasher.verify("some password".into(), None).await,
            Err(HashError::Busy)
        ));
        drop(held);
        hasher.hash("some password".into()).await.unwrap();
        hasher.hash("some password".into()).await.unwrap();
        // Nobody waited: no block of memory is kept.
        assert_eq!(hasher.memory.lock().unwrap().len(), 0);
    }

    #[tokio::test]
    async fn hashes_that_waited_leave_no_memory_behind() {
        let hasher = Arc::new(Hasher::new(Limits {
            slots: 1,
            queue: 4,
            wait: Duration::from_secs(60),
        }));
        let held = hasher.occupy().await.unwrap();
        let first = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash("some password".into()).await })
        };
        let waiting = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash("some password".into()).await })
        };
        while hasher.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        drop(held);
        first.await.unwrap().unwrap();
        waiting.await.unwrap().unwrap();
        assert_eq!(hasher.memory.lock().unwrap().len(), 0);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new("short").is_err());
        assert!(check_new("long enough pw").is_ok());
    }
}
