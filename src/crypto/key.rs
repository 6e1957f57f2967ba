//! Master keys: random or stretched from a passphrase, kept in a key file readable only by
//! its owner, and turned into per-purpose subkeys so no two uses ever share key material.
//!
//! A key file is a keyring so keys can be rotated without losing old data: new values are
//! sealed and pseudonymized with the active key, old envelopes open with the key they name.

use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::CryptoError;

pub const KEY_FILE_FORMAT: u32 = 2;

/// The environment variable a passphrase is read from; never a command-line argument, which
/// `ps` and shell history would show to others.
pub const PASSPHRASE_ENV: &str = "CHATVEIL_PASSPHRASE";
const MIN_PASSPHRASE_CHARS: usize = 8;

/// RFC 9106 §4, second recommended option (for memory-constrained use): Argon2id with
/// 64 MiB, 3 passes and 4 lanes. Key files recording weaker settings are refused.
pub const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
pub const ARGON2_ITERATIONS: u32 = 3;
pub const ARGON2_LANES: u32 = 4;
const ARGON2_VERSION: u32 = 0x13;
const SALT_LEN: usize = 16;

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
    /// Sealing original identities in the vault: a key holder who may reveal message
    /// fields gets no way into the vault from that subkey.
    Vault,
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
            Purpose::Vault => b"chatveil/v1/encrypt/vault",
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
        let tag = Zeroizing::new(key.subkey_raw(b"chatveil/v1/key-id"));
        key.id = data_encoding::HEXLOWER.encode(&tag[..8]);
        key
    }

    /// A fresh random key, for a run that was given none.
    pub fn generate() -> Result<MasterKey, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| CryptoError::Random)?;
        Ok(MasterKey::from_bytes(*bytes))
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

/// Several master keys, one of them active.
pub struct Keyring {
    /// The active key first, then the others in file order.
    keys: Vec<MasterKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Keyring(active {}, ids {})",
            self.active().id,
            self.ids()
        )
    }
}

impl Keyring {
    pub fn single(key: MasterKey) -> Keyring {
        Keyring { keys: vec![key] }
    }

    /// The key new values are sealed and pseudonymized with.
    pub fn active(&self) -> &MasterKey {
        &self.keys[0]
    }

    /// Every key, the active one first.
    pub fn keys(&self) -> &[MasterKey] {
        &self.keys
    }

    /// The key ids, comma-separated, for messages.
    pub fn ids(&self) -> String {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        ids.join(", ")
    }
}

/// A passphrase, wiped when dropped and never printed.
pub struct Passphrase(Zeroizing<String>);

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

impl Passphrase {
    /// The passphrase in [`PASSPHRASE_ENV`], if that variable is set.
    pub fn from_env() -> Result<Option<Passphrase>, CryptoError> {
        match std::env::var_os(PASSPHRASE_ENV) {
            None => Ok(None),
            Some(raw) => {
                let raw = Zeroizing::new(raw.into_encoded_bytes());
                let text = std::str::from_utf8(&raw).map_err(|_| CryptoError::PassphraseUtf8)?;
                Ok(Some(Passphrase(Zeroizing::new(text.to_string()))))
            }
        }
    }

    /// The first line of a reader (stdin), without its line ending.
    pub fn from_reader(mut reader: impl BufRead) -> Result<Passphrase, CryptoError> {
        let mut line = Zeroizing::new(Vec::new());
        reader
            .read_until(b'\n', &mut line)
            .map_err(|e| CryptoError::PassphraseRead(e.kind()))?;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        let text = std::str::from_utf8(&line).map_err(|_| CryptoError::PassphraseUtf8)?;
        Ok(Passphrase(Zeroizing::new(text.to_string())))
    }
}

/// Argon2id settings and salt, recorded in the key file so the same passphrase gives the
/// same key on every machine.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kdf {
    algorithm: String,
    version: u32,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    /// Base64 of a random salt.
    salt: String,
}

impl Kdf {
    fn fresh() -> Result<Kdf, CryptoError> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|_| CryptoError::Random)?;
        Ok(Kdf {
            algorithm: "argon2id".into(),
            version: ARGON2_VERSION,
            memory_kib: ARGON2_MEMORY_KIB,
            iterations: ARGON2_ITERATIONS,
            parallelism: ARGON2_LANES,
            salt: data_encoding::BASE64.encode(&salt),
        })
    }

    fn derive(&self, passphrase: &Passphrase, path: &Path) -> Result<MasterKey, CryptoError> {
        let bad = |why| CryptoError::KeyFileInvalid {
            path: path.to_path_buf(),
            why,
        };
        if self.algorithm != "argon2id" || self.version != ARGON2_VERSION {
            return Err(bad(
                "unsupported key derivation (only argon2id v19 is known)",
            ));
        }
        if self.memory_kib < ARGON2_MEMORY_KIB
            || self.iterations < ARGON2_ITERATIONS
            || self.parallelism < ARGON2_LANES
        {
            return Err(bad(
                "Argon2id parameters are weaker than RFC 9106's second recommendation",
            ));
        }
        let salt = data_encoding::BASE64
            .decode(self.salt.as_bytes())
            .map_err(|_| bad("salt is not base64"))?;
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
                .map_err(|_| bad("invalid Argon2id parameters"))?;
        let mut out = Zeroizing::new([0u8; 32]);
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(passphrase.0.as_bytes(), &salt, out.as_mut_slice())
            .map_err(|_| CryptoError::Kdf)?;
        Ok(MasterKey::from_bytes(*out))
    }
}

/// The on-disk key file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: u32,
    /// Id of the key new data is sealed with.
    active: String,
    keys: Vec<KeyEntry>,
}

/// One key of the ring: either the key itself or how to derive it from the passphrase.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    key_id: String,
    created: String,
    /// Base64 of a random 32-byte master key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<Kdf>,
}

impl Drop for KeyEntry {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl KeyEntry {
    /// A new random key, or a new salt for the passphrase.
    fn new(passphrase: Option<&Passphrase>, path: &Path) -> Result<KeyEntry, CryptoError> {
        let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Ok(match passphrase {
            None => {
                let key = MasterKey::generate()?;
                KeyEntry {
                    key_id: key.id.clone(),
                    created,
                    key: Some(data_encoding::BASE64.encode(&key.bytes)),
                    kdf: None,
                }
            }
            Some(p) => {
                // Checked only when a key is made: unlocking with a short one just fails.
                if p.0.chars().count() < MIN_PASSPHRASE_CHARS {
                    return Err(CryptoError::PassphraseTooShort(MIN_PASSPHRASE_CHARS));
                }
                let kdf = Kdf::fresh()?;
                let key = kdf.derive(p, path)?;
                KeyEntry {
                    key_id: key.id.clone(),
                    created,
                    key: None,
                    kdf: Some(kdf),
                }
            }
        })
    }

    fn unlock(
        &self,
        passphrase: Option<&Passphrase>,
        path: &Path,
    ) -> Result<MasterKey, CryptoError> {
        let bad = |why| CryptoError::KeyFileInvalid {
            path: path.to_path_buf(),
            why,
        };
        let key = match (&self.key, &self.kdf) {
            (Some(encoded), None) => {
                let raw = Zeroizing::new(
                    data_encoding::BASE64
                        .decode(encoded.as_bytes())
                        .map_err(|_| bad("key is not base64"))?,
                );
                let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(
                    raw.as_slice()
                        .try_into()
                        .map_err(|_| bad("key is not 256 bits"))?,
                );
                let key = MasterKey::from_bytes(*bytes);
                if key.id != self.key_id {
                    return Err(bad("key id does not match the key (the file was altered)"));
                }
                key
            }
            (None, Some(kdf)) => {
                let passphrase = passphrase.ok_or_else(|| CryptoError::PassphraseNeeded {
                    path: path.to_path_buf(),
                })?;
                let key = kdf.derive(passphrase, path)?;
                if key.id != self.key_id {
                    return Err(CryptoError::PassphraseWrong {
                        path: path.to_path_buf(),
                        key_id: self.key_id.clone(),
                    });
                }
                key
            }
            _ => return Err(bad("each key needs exactly one of `key` and `kdf`")),
        };
        Ok(key)
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> CryptoError + '_ {
    move |source| CryptoError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a new key file holding one key (mode 0600, never over an existing file). With a
/// passphrase, the file holds only the Argon2id salt and settings, no key. Returns the key id.
pub fn write_new_key_file(
    path: &Path,
    passphrase: Option<&Passphrase>,
) -> Result<String, CryptoError> {
    let entry = KeyEntry::new(passphrase, path)?;
    let file = KeyFile {
        format: KEY_FILE_FORMAT,
        active: entry.key_id.clone(),
        keys: vec![entry],
    };
    write_private(path, &file)?;
    Ok(file.active.clone())
}

/// Adds a key to an existing key file and makes it the active one: the rotation step. Old
/// keys stay so older data still opens. Returns the new key id.
pub fn add_key(path: &Path, passphrase: Option<&Passphrase>) -> Result<String, CryptoError> {
    let mut file = parse_key_file(path)?;
    // One passphrase unlocks the whole ring, so a new passphrase entry must use the same one.
    if let (Some(p), Some(existing)) = (passphrase, file.keys.iter().find(|e| e.kdf.is_some())) {
        existing.unlock(Some(p), path)?;
    }
    let entry = KeyEntry::new(passphrase, path)?;
    file.active = entry.key_id.clone();
    file.keys.push(entry);
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    write_private(&tmp, &file)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(path)(e));
    }
    Ok(file.active.clone())
}

/// Creates `path` (never an existing file) with mode 0600 and writes the key file into it;
/// a failed write removes the file so no half key file is left.
fn write_private(path: &Path, file: &KeyFile) -> Result<(), CryptoError> {
    let mut text = Zeroizing::new(serde_json::to_string_pretty(file).expect("key file serializes"));
    text.push('\n');
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io_error(path))?;
    let written = std::io::Write::write_all(&mut f, text.as_bytes()).and_then(|()| f.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(io_error(path)(e));
    }
    Ok(())
}

/// Reads a key file into a keyring, refusing one that others can read. Passphrase entries
/// need the passphrase.
pub fn read_key_file(path: &Path, passphrase: Option<&Passphrase>) -> Result<Keyring, CryptoError> {
    let file = parse_key_file(path)?;
    let mut keys = Vec::with_capacity(file.keys.len());
    for entry in &file.keys {
        let key = entry.unlock(passphrase, path)?;
        if key.id == file.active {
            keys.insert(0, key);
        } else {
            keys.push(key);
        }
    }
    if keys.first().is_none_or(|k| k.id != file.active) {
        return Err(CryptoError::KeyFileInvalid {
            path: path.to_path_buf(),
            why: "the active key id names no key in the file",
        });
    }
    Ok(Keyring { keys })
}

fn parse_key_file(path: &Path) -> Result<KeyFile, CryptoError> {
    let meta = std::fs::metadata(path).map_err(io_error(path))?;
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
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io_error(path))?);
    let bad = |why| CryptoError::KeyFileInvalid {
        path: path.to_path_buf(),
        why,
    };
    // serde_json's messages could quote the key; only the category is reported.
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| bad("not a chatveil key file"))?;
    if file.format != KEY_FILE_FORMAT {
        return Err(bad("unsupported key file format version"));
    }
    if file.keys.is_empty() {
        return Err(bad("the file holds no key"));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passphrase(text: &str) -> Passphrase {
        Passphrase::from_reader(format!("{text}\n").as_bytes()).unwrap()
    }

    #[test]
    fn key_file_round_trip_mode_and_no_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let id = write_new_key_file(&path, None).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let ring = read_key_file(&path, None).unwrap();
        assert_eq!(ring.active().id(), id);
        assert!(matches!(
            write_new_key_file(&path, None),
            Err(CryptoError::KeyFileIo { .. })
        ));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"created\""), "{text}");
        assert!(text.contains("\"format\": 2"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_key_file_others_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        write_new_key_file(&path, None).unwrap();
        for mode in [0o640, 0o604, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = read_key_file(&path, None).unwrap_err();
            assert!(
                matches!(err, CryptoError::KeyFilePermissions { .. }),
                "{err}"
            );
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn rotation_keeps_old_keys_and_switches_the_active_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let first = write_new_key_file(&path, None).unwrap();
        let second = add_key(&path, None).unwrap();
        assert_ne!(first, second);
        let ring = read_key_file(&path, None).unwrap();
        assert_eq!(ring.active().id(), second);
        assert_eq!(ring.keys().len(), 2);
        assert_eq!(ring.keys()[1].id(), first);
        assert!(!dir.path().join("k.key.tmp").exists());
        // Another rotation in progress (its temporary file exists): refused, nothing touched.
        std::fs::write(dir.path().join("k.key.tmp"), "other").unwrap();
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(
            add_key(&path, None),
            Err(CryptoError::KeyFileIo { .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("k.key.tmp")).unwrap(),
            "other"
        );
    }

    #[test]
    fn altered_key_files_are_refused_without_quoting_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        write_new_key_file(&path, None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let key_b64 = text
            .split("\"key\": \"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for altered in [
            text.replacen("\"format\": 2", "\"format\": 9", 1),
            text.replacen(&key_b64[..4], "AAAA", 1),
            text.replacen("\"keys\"", "\"kez\"", 1),
        ] {
            std::fs::remove_file(&path).unwrap();
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            std::io::Write::write_all(&mut o.open(&path).unwrap(), altered.as_bytes()).unwrap();
            let err = read_key_file(&path, None).unwrap_err().to_string();
            assert!(err.contains("k.key"), "{err}");
            assert!(!err.contains(&key_b64[4..12]), "{err}");
        }
    }

    #[test]
    fn passphrase_keys_derive_the_same_key_and_refuse_a_wrong_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.key");
        let p = passphrase("correct horse battery");
        let id = write_new_key_file(&path, Some(&p)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"memory_kib\": 65536"), "{text}");
        assert!(!text.contains("\"key\""), "no key stored: {text}");
        let ring = read_key_file(&path, Some(&p)).unwrap();
        assert_eq!(ring.active().id(), id);
        let err = read_key_file(&path, Some(&passphrase("wrong horse battery"))).unwrap_err();
        assert!(matches!(err, CryptoError::PassphraseWrong { .. }), "{err}");
        assert!(err.to_string().contains(&id));
        assert!(matches!(
            read_key_file(&path, None),
            Err(CryptoError::PassphraseNeeded { .. })
        ));
        assert!(matches!(
            add_key(&path, Some(&passphrase("another passphrase"))),
            Err(CryptoError::PassphraseWrong { .. })
        ));
    }

    #[test]
    fn passphrases_are_read_from_one_line_and_never_printed() {
        let p = passphrase("s3cret passphrase");
        assert_eq!(p.0.as_str(), "s3cret passphrase");
        assert!(!format!("{p:?}").contains("s3cret"));
        let crlf = Passphrase::from_reader("s3cret passphrase\r\nnext".as_bytes()).unwrap();
        assert_eq!(crlf.0.as_str(), "s3cret passphrase");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.key");
        assert!(matches!(
            write_new_key_file(&path, Some(&passphrase("short"))),
            Err(CryptoError::PassphraseTooShort(8))
        ));
        assert!(!path.exists());
    }

    #[test]
    fn debug_shows_ids_only() {
        let key = MasterKey::from_bytes([0xab; 32]);
        let ring = Keyring::single(key.clone());
        for shown in [format!("{key:?}"), format!("{ring:?}")] {
            assert!(shown.contains(key.id()), "{shown}");
            assert!(!shown.contains("abab"), "{shown}");
            assert!(!shown.contains("171"), "{shown}");
        }
    }
}
