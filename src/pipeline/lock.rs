//! One run at a time per output folder: overlapping cron runs would interleave their output.

use super::PipelineError;
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Held for the life of a run; the OS releases it if the process dies.
pub struct RunLock {
    _file: File,
}

impl RunLock {
    pub fn acquire(out_dir: &Path) -> Result<RunLock, PipelineError> {
        let path = out_dir.join(".chatveil.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| PipelineError::Output {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(PipelineError::Locked(out_dir.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(source)) => {
                Err(PipelineError::Output { path, source })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_the_same_folder_fails() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path()).unwrap();
        assert!(matches!(
            RunLock::acquire(dir.path()),
            Err(PipelineError::Locked(_))
        ));
        drop(first);
        RunLock::acquire(dir.path()).unwrap();
    }
}
