//! The master key: generated, stored in a key file readable only by its owner, and turned
//! into per-purpose subkeys so no two uses ever share key material.

use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::CryptoError;

pub const KEY_FILE_FORMAT: u32 = 1;

/// 256 bits of secret. Never printed: `Debug` shows only the key id.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    bytes: [u8; 32],
    #[zeroize(skip)]
    id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

/// What a subkey is for; each purpose gets independent key material from HKDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    UserPseudonym,
    ConversationPseudonym,
    EntityPseudonym,
    MessageId,
    SourceId,
    FieldEncryption,
    Quarantine,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::UserPseudonym => b"chatveil/v1/pseudonym/user",
            Purpose::ConversationPseudonym => b"chatveil/v1/pseudonym/conversation",
            Purpose::EntityPseudonym => b"chatveil/v1/pseudonym/entity",
            Purpose::MessageId => b"chatveil/v1/message-id",
            Purpose::SourceId => b"chatveil/v1/source-id",
            Purpose::FieldEncryption => b"chatveil/v1/encrypt/field",
            Purpose::Quarantine => b"chatveil/v1/encrypt/quarantine",
        }
    }
}

/// A 256-bit subkey, wiped when dropped.
pub type Subkey = Zeroizing<[u8; 32]>;

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        let mut key = MasterKey {
            bytes,
            id: String::new(),
        };
        // The id is a keyed digest of a fixed label: it tells keys apart and says nothing
        // about the key itself.
        let tag = key.subkey_raw(b"chatveil/v1/key-id");
        key.id = data_encoding::HEXLOWER.encode(&tag[..8]);
        key
    }

    /// A fresh random key, for a run that was given none.
    pub fn generate() -> Result<MasterKey, CryptoError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| CryptoError::Random)?;
        let key = MasterKey::from_bytes(bytes);
        bytes.zeroize();
        Ok(key)
    }

    /// The public fingerprint written to audits and envelopes.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The short version tag carried by pseudonyms, so a dataset mixing keys shows it.
    pub fn version_tag(&self) -> &str {
        &self.id[..4]
    }

    pub fn subkey(&self, purpose: Purpose) -> Subkey {
        Zeroizing::new(self.subkey_raw(purpose.label()))
    }

    fn subkey_raw(&self, info: &[u8]) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(Some(b"chatveil"), &self.bytes);
        let mut out = [0u8; 32];
        hk.expand(info, &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }
}

/// The on-disk key file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: u32,
    key_id: String,
    created: String,
    /// Base64 of the 32-byte master key.
    key: String,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

/// Writes a new random key to `path` (mode 0600, never over an existing file).
pub fn write_new_key_file(path: &Path) -> Result<MasterKey, CryptoError> {
    let key = MasterKey::generate()?;
    let file = KeyFile {
        format: KEY_FILE_FORMAT,
        key_id: key.id.clone(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        key: data_encoding::BASE64.encode(&key.bytes),
    };
    let text = Zeroizing::new(serde_json::to_string_pretty(&file).expect("key file serializes"));
    let io_err = |source| CryptoError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io_err)?;
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(io_err)?;
    f.sync_all().map_err(io_err)?;
    Ok(key)
}

/// Reads a key file, refusing one that others can read.
pub fn read_key_file(path: &Path) -> Result<MasterKey, CryptoError> {
    let io_err = |source| CryptoError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CryptoError::KeyFilePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io_err)?);
    let bad = |why: &'static str| CryptoError::KeyFileInvalid {
        path: path.to_path_buf(),
        why,
    };
    // serde_json's messages could quote the key; only the category is reported.
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| bad("not a chatveil key file"))?;
    if file.format != KEY_FILE_FORMAT {
        return Err(bad("unsupported key file format version"));
    }
    let raw = Zeroizing::new(
        data_encoding::BASE64
            .decode(file.key.as_bytes())
            .map_err(|_| bad("key is not base64"))?,
    );
    let mut bytes: [u8; 32] = raw
        .as_slice()
        .try_into()
        .map_err(|_| bad("key is not 256 bits"))?;
    let key = MasterKey::from_bytes(bytes);
    bytes.zeroize();
    if key.id != file.key_id {
        return Err(bad("key id does not match the key (the file was altered)"));
    }
    Ok(key)
}
