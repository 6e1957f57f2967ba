//! Writing output: Parquet datasets and the quarantine. Knows the output formats and
//! nothing of detection or keys: what reaches it is already sanitized or sealed.

mod jsonl;
mod parquet;
mod quarantine;
mod vault;

pub use self::parquet::{read_sealed, to_batch, PartWriter, WriteError, MESSAGE_SCHEMA};
pub use jsonl::write_line;
pub use quarantine::{QuarantineEntry, QuarantineKind, QuarantineWriter};
pub use vault::{read_vault_files, write_vault_file, VaultRow};

use std::path::Path;

/// Writes a file so that readers see either the old content or the new, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
