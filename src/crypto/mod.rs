//! Keys, pseudonyms and ciphers, all in one place: readers and detection never touch them.

mod envelope;
mod key;
mod pseudonym;

pub use envelope::{envelope_key_id, Sealer};
pub use key::{
    add_key, read_key_file, write_new_key_file, Keyring, MasterKey, Passphrase, Purpose,
    ARGON2_ITERATIONS, ARGON2_LANES, ARGON2_MEMORY_KIB, PASSPHRASE_ENV,
};
pub use pseudonym::{random_pseudonym, Pseudonymizer};

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
    #[error("key file {path} is protected by a passphrase: set CHATVEIL_PASSPHRASE or pass --passphrase-stdin")]
    PassphraseNeeded { path: PathBuf },
    #[error("key file {path}: the passphrase does not unlock key id {key_id}")]
    PassphraseWrong { path: PathBuf, key_id: String },
    #[error("the passphrase is too short: at least {0} characters")]
    PassphraseTooShort(usize),
    #[error("the passphrase is not valid UTF-8")]
    PassphraseUtf8,
    #[error("cannot read the passphrase: {0}")]
    PassphraseRead(std::io::ErrorKind),
    #[error("Argon2id key derivation failed (not enough memory?)")]
    Kdf,
    #[error("encryption failed")]
    Seal,
    #[error("ciphertext is truncated")]
    Truncated,
    #[error("unknown envelope version {0}")]
    UnknownVersion(u8),
    #[error(
        "wrong key: the value was sealed with key id {expected}, but the key file given holds key id(s) {given}"
    )]
    WrongKey { expected: String, given: String },
    #[error(
        "authentication failed: the ciphertext was altered or belongs to another row or column"
    )]
    Authentication,
}
