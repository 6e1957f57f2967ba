//! Reveal: the one way back from sanitized data to original values. It takes the key and a
//! stated reason, and writes a record to a hash-chained log beside the data before anything
//! is returned, so no value is ever shown off the record.

mod log;

pub use log::{verify_log, LogError, LogHead, Subject};

use crate::crypto::{envelope_key_id, CryptoError, Keyring, Purpose, Sealer};
use crate::transform::sealed_context;
use crate::vault::{self, Identity, IdentityKind, VaultError};
use crate::write::{read_sealed, WriteError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The reveal log's file name, in the output folder or the vault folder.
pub const LOG_FILE: &str = "reveal-log.jsonl";

#[derive(Debug, thiserror::Error)]
pub enum RevealError {
    #[error("refusing to reveal without a reason: pass --reason \"<why>\"; it goes on the record")]
    NoReason,
    #[error("no message with id {message_id} under {dir}")]
    NoMessage { message_id: String, dir: PathBuf },
    #[error("message {message_id}, sealed value {reference}: {source}")]
    Open {
        message_id: String,
        reference: u32,
        source: CryptoError,
    },
    #[error(transparent)]
    Read(#[from] WriteError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Log(#[from] LogError),
}

/// One decrypted value of a message. The value is wiped when dropped and not in `Debug`.
pub struct RevealedValue {
    pub reference: u32,
    pub entity: Arc<str>,
    pub value: Zeroizing<String>,
}

impl std::fmt::Debug for RevealedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RevealedValue([{}:{}])", self.entity, self.reference)
    }
}

/// What a reveal returns, with the log record it left.
#[derive(Debug)]
pub struct Revealed<T> {
    pub items: Vec<T>,
    pub log: PathBuf,
    pub logged: LogHead,
}

fn check_reason(reason: Option<&str>) -> Result<&str, RevealError> {
    reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or(RevealError::NoReason)
}

fn distinct_key_ids<'a>(envelopes: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in envelopes.filter_map(envelope_key_id) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Decrypts the sealed values of one message of the output folder `out_dir`. Every value
/// must open before the reveal is logged and anything returned.
pub fn reveal_message(
    out_dir: &Path,
    ring: &Keyring,
    message_id: &str,
    reason: Option<&str>,
) -> Result<Revealed<RevealedValue>, RevealError> {
    let reason = check_reason(reason)?;
    let messages = out_dir.join("messages");
    let sealed = read_sealed(&messages, message_id)?.ok_or_else(|| RevealError::NoMessage {
        message_id: message_id.to_string(),
        dir: messages.clone(),
    })?;
    let sealer = Sealer::for_keyring(ring, Purpose::FieldEncryption);
    let items = sealed
        .iter()
        .map(|v| {
            let open_err = |source| RevealError::Open {
                message_id: message_id.to_string(),
                reference: v.reference,
                source,
            };
            let plain = sealer
                .open(&v.ciphertext, &sealed_context(message_id, v.reference))
                .map_err(open_err)?;
            Ok(RevealedValue {
                reference: v.reference,
                entity: v.entity.clone(),
                value: Zeroizing::new(String::from_utf8_lossy(&plain).into_owned()),
            })
        })
        .collect::<Result<Vec<_>, RevealError>>()?;
    let key_ids = distinct_key_ids(sealed.iter().map(|v| v.ciphertext.as_slice()));
    let log = out_dir.join(LOG_FILE);
    let logged = log::append(&log, Subject::Message(message_id.into()), reason, key_ids)?;
    Ok(Revealed { items, log, logged })
}

/// The original identities behind a pseudonym, from the vault folder `vault_dir`.
pub fn reveal_identity(
    vault_dir: &Path,
    ring: &Keyring,
    pseudonym: &str,
    reason: Option<&str>,
) -> Result<Revealed<(IdentityKind, Identity)>, RevealError> {
    let reason = check_reason(reason)?;
    let (items, key_ids) = vault::lookup(vault_dir, ring, pseudonym)?;
    let log = vault_dir.join(LOG_FILE);
    let logged = log::append(&log, Subject::Pseudonym(pseudonym.into()), reason, key_ids)?;
    Ok(Revealed { items, log, logged })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Action, Config};
    use crate::crypto::MasterKey;
    use crate::detect::build_detector;
    use crate::record::Record;
    use crate::transform::Transformer;
    use crate::write::PartWriter;

    /// An output folder with one message whose email was encrypted.
    fn output(key: &MasterKey) -> (tempfile::TempDir, String) {
        let mut config = Config::default();
        config
            .policy
            .actions
            .insert("EMAIL".into(), Action::Encrypt);
        let detector = build_detector(&config.detect).unwrap();
        let t = Transformer::new(&config, &detector, key);
        let record = Record {
            position: 1,
            text: Some("mail ann@example.com".into()),
            ..Record::default()
        };
        let row = t
            .sanitize(
                &record,
                &"s".into(),
                &mut crate::transform::Workspace::default(),
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut w = PartWriter::new(&dir.path().join("messages"), "part", &config.output).unwrap();
        w.write([row.clone()]).unwrap();
        w.finish().unwrap();
        (dir, row.message_id.to_string())
    }

    #[test]
    fn reveal_decrypts_and_logs_without_the_value() {
        let key = MasterKey::from_bytes([4; 32]);
        let (dir, id) = output(&key);
        let ring = Keyring::single(key.clone());
        let r = reveal_message(dir.path(), &ring, &id, Some("case 12")).unwrap();
        assert_eq!(r.items.len(), 1);
        assert_eq!(r.items[0].value.as_str(), "ann@example.com");
        assert_eq!(&*r.items[0].entity, "EMAIL");
        assert!(!format!("{:?}", r.items[0]).contains("ann@"));
        assert_eq!(r.logged.records, 1);
        let log = std::fs::read_to_string(&r.log).unwrap();
        assert!(log.contains(&id) && log.contains("case 12") && log.contains(key.id()));
        assert!(!log.contains("ann@example.com"));
    }

    #[test]
    fn no_reason_wrong_key_and_unknown_message_reveal_and_log_nothing() {
        let key = MasterKey::from_bytes([4; 32]);
        let (dir, id) = output(&key);
        let ring = Keyring::single(key.clone());
        for reason in [None, Some(""), Some("   ")] {
            assert!(matches!(
                reveal_message(dir.path(), &ring, &id, reason),
                Err(RevealError::NoReason)
            ));
        }
        let other = MasterKey::from_bytes([5; 32]);
        let err = reveal_message(dir.path(), &Keyring::single(other.clone()), &id, Some("x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key.id()) && err.contains(other.id()), "{err}");
        assert!(matches!(
            reveal_message(dir.path(), &ring, "nope", Some("x")),
            Err(RevealError::NoMessage { .. })
        ));
        assert!(!dir.path().join(LOG_FILE).exists());
    }
}
