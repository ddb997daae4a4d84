//! The lock a running panel holds on its data dir, so that `teampanel
//! restore` (and a second panel) can tell the database is in use.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The file locked inside the data dir; empty, and left in place.
pub const LOCK_FILE: &str = "teampanel.lock";

/// Held while a panel runs (or a restore works); the OS drops the lock when
/// the process ends, however it ends.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// Someone else holds the lock.
#[derive(Debug, thiserror::Error)]
#[error("a teampanel is running on the data dir {} (it holds {LOCK_FILE}); stop it first", .0.display())]
pub struct InUse(pub PathBuf);

impl DataDirLock {
    /// Takes the lock, or says who has it. The data dir must exist.
    pub fn acquire(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("Failed to open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(InUse(data_dir.to_path_buf()).into()),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("Failed to lock {}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        let err = DataDirLock::acquire(dir.path()).unwrap_err();
        assert!(err.downcast_ref::<InUse>().is_some(), "{err:#}");
        drop(first);
        DataDirLock::acquire(dir.path()).unwrap();
    }
}
