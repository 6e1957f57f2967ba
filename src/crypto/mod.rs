//! Keys, pseudonyms and ciphers, all in one place: readers and detection never touch them.

mod envelope;
mod key;
mod pseudonym;

pub use envelope::Sealer;
pub use key::{read_key_file, write_new_key_file, MasterKey, Purpose};
pub use pseudonym::Pseudonymizer;

use std::path::PathBuf;

/// Crypto failures. None of them carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the system random number generator failed")]
    Random,
    #[error("key file {path}: {source}")]
    KeyFileIo {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`")]
    KeyFilePermissions { path: PathBuf, mode: u32 },
    #[error("key file {path}: {why}")]
    KeyFileInvalid { path: PathBuf, why: &'static str },
    #[error("encryption failed")]
    Seal,
    #[error("ciphertext is truncated")]
    Truncated,
    #[error("unknown envelope version {0}")]
    UnknownVersion(u8),
    #[error(
        "wrong key: the value was sealed with key id {expected}, the key given has id {given}"
    )]
    WrongKey { expected: String, given: String },
    #[error(
        "authentication failed: the ciphertext was altered or belongs to another row or column"
    )]
    Authentication,
}
