//! The identity vault: the one place a pseudonym leads back to a person. Identities are
//! sealed under their own subkey and written to their own folder, meant to be kept apart
//! from the messages under separate access; without a vault nothing re-identifying is
//! written at all. In token mode the vault is also the only memory of which token belongs
//! to whom, so later runs with the same vault give the same person the same token.

use crate::config::PseudonymMode;
use crate::crypto::{envelope_key_id, random_pseudonym, CryptoError, Keyring, Purpose, Sealer};
use crate::write::{read_vault_files, write_vault_file, VaultRow, WriteError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use zeroize::{Zeroize, Zeroizing};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("vault folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("vault entry for {pseudonym}: {source}")]
    Open {
        pseudonym: String,
        source: CryptoError,
    },
    #[error("vault entry for {0} is not a sealed identity")]
    Corrupt(String),
    #[error("the vault {vault} and the output folder {out} overlap; keep the vault apart so handing over the output never hands over identities")]
    NotApart { vault: PathBuf, out: PathBuf },
    #[error("no vault entry for pseudonym {0}")]
    NotFound(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    User,
    Conversation,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::User => "user",
            IdentityKind::Conversation => "conversation",
        }
    }

    fn parse(s: &str) -> Option<IdentityKind> {
        match s {
            "user" => Some(IdentityKind::User),
            "conversation" => Some(IdentityKind::Conversation),
            _ => None,
        }
    }
}

/// An original identity: PII, wiped when dropped and never in `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Drop for Identity {
    fn drop(&mut self) {
        self.id.zeroize();
        self.name.zeroize();
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(..)")
    }
}

/// A vault opened for a run: what earlier runs stored, plus this run's new entries until
/// [`Vault::commit`]. Holds a lock on the folder so two runs never hand out two tokens for
/// one person.
pub struct Vault {
    dir: PathBuf,
    sealer: Sealer,
    mode: PseudonymMode,
    state: Mutex<State>,
    _lock: std::fs::File,
}

#[derive(Default)]
struct State {
    /// Token mode: per kind, identity id → token, from earlier runs and this one.
    tokens: [HashMap<String, String>; 2],
    /// Pseudonym → identities already stored or queued, so nothing is stored twice.
    known: HashMap<String, Vec<Identity>>,
    new: Vec<VaultRow>,
}

impl State {
    /// Records an identity unless it adds nothing: an entry without a name is redundant
    /// once the pseudonym has one with the same id.
    fn is_new(&self, pseudonym: &str, id: &str, name: Option<&str>) -> bool {
        self.known.get(pseudonym).is_none_or(|list| {
            !list
                .iter()
                .any(|i| i.id == id && (name.is_none() || i.name.as_deref() == name))
        })
    }
}

fn mode_name(mode: PseudonymMode) -> &'static str {
    match mode {
        PseudonymMode::Hmac => "hmac",
        PseudonymMode::Token => "token",
    }
}

/// Associated data of a vault entry: a sealed identity moved to another pseudonym or kind
/// fails to open.
fn context(kind: &str, pseudonym: &str) -> Vec<u8> {
    format!("vault|{kind}|{pseudonym}").into_bytes()
}

fn open_row(sealer: &Sealer, row: &VaultRow) -> Result<(IdentityKind, Identity), VaultError> {
    let kind =
        IdentityKind::parse(&row.kind).ok_or_else(|| VaultError::Corrupt(row.pseudonym.clone()))?;
    let plain = sealer
        .open(&row.sealed, &context(&row.kind, &row.pseudonym))
        .map_err(|source| VaultError::Open {
            pseudonym: row.pseudonym.clone(),
            source,
        })?;
    let identity =
        serde_json::from_slice(&plain).map_err(|_| VaultError::Corrupt(row.pseudonym.clone()))?;
    Ok((kind, identity))
}

impl Vault {
    /// Opens (creating it, mode 0700) the vault folder, waits for any other run using it,
    /// and loads what is stored there with every key of the ring.
    pub fn open(dir: &Path, ring: &Keyring, mode: PseudonymMode) -> Result<Vault, VaultError> {
        let io = |source| VaultError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(io)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(".vault.lock"))
            .map_err(io)?;
        lock.lock().map_err(io)?;
        let sealer = Sealer::for_keyring(ring, Purpose::Vault);
        let mut state = State::default();
        for row in read_vault_files(dir)? {
            let (kind, identity) = open_row(&sealer, &row)?;
            if row.mode == mode_name(PseudonymMode::Token) {
                state.tokens[kind as usize]
                    .entry(identity.id.clone())
                    .or_insert_with(|| row.pseudonym.clone());
            }
            state.known.entry(row.pseudonym).or_default().push(identity);
        }
        Ok(Vault {
            dir: dir.to_path_buf(),
            sealer,
            mode,
            state: Mutex::new(state),
            _lock: lock,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Refuses a vault inside the output folder or around it.
    pub fn ensure_apart(&self, out_dir: &Path) -> Result<(), VaultError> {
        let canonical = |p: &Path| {
            p.canonicalize().map_err(|source| VaultError::Io {
                path: p.to_path_buf(),
                source,
            })
        };
        let (vault, out) = (canonical(&self.dir)?, canonical(out_dir)?);
        if vault.starts_with(&out) || out.starts_with(&vault) {
            return Err(VaultError::NotApart { vault, out });
        }
        Ok(())
    }

    /// The pseudonym of an identity, which the vault remembers. In hmac mode it is `keyed()`;
    /// in token mode, the token stored for this identity or a new random one.
    pub fn pseudonym(
        &self,
        kind: IdentityKind,
        id: &str,
        name: Option<&str>,
        prefix: &str,
        keyed: impl FnOnce() -> String,
    ) -> Result<String, CryptoError> {
        let keyed = (self.mode == PseudonymMode::Hmac).then(keyed);
        let mut state = self
            .state
            .lock()
            .expect("no panic while the vault is locked");
        let pseudonym = match keyed {
            Some(p) => p,
            None => match state.tokens[kind as usize].get(id) {
                Some(token) => token.clone(),
                None => {
                    let token = random_pseudonym(prefix)?;
                    state.tokens[kind as usize].insert(id.to_string(), token.clone());
                    token
                }
            },
        };
        if state.is_new(&pseudonym, id, name) {
            let identity = Identity {
                id: id.to_string(),
                name: name.map(str::to_string),
            };
            let plain = Zeroizing::new(serde_json::to_vec(&identity).expect("identity serializes"));
            let sealed = self
                .sealer
                .seal(&plain, &context(kind.as_str(), &pseudonym))?;
            state.new.push(VaultRow {
                pseudonym: pseudonym.clone(),
                kind: kind.as_str().to_string(),
                mode: mode_name(self.mode).to_string(),
                sealed,
            });
            state
                .known
                .entry(pseudonym.clone())
                .or_default()
                .push(identity);
        }
        Ok(pseudonym)
    }

    /// Writes this run's new entries as one file, whole or not at all. Called before the
    /// messages are published, so no published pseudonym is missing from the vault.
    pub fn commit(&self, run_id: &str) -> Result<Option<PathBuf>, VaultError> {
        let mut state = self
            .state
            .lock()
            .expect("no panic while the vault is locked");
        if state.new.is_empty() {
            return Ok(None);
        }
        let path = write_vault_file(
            &self.dir,
            &format!("identities-{run_id}.parquet"),
            &state.new,
        )?;
        state.new.clear();
        Ok(Some(path))
    }
}

pub type Identities = Vec<(IdentityKind, Identity)>;

/// The identities stored for a pseudonym, and the ids of the keys that sealed them.
pub fn lookup(
    dir: &Path,
    ring: &Keyring,
    pseudonym: &str,
) -> Result<(Identities, Vec<String>), VaultError> {
    if !dir.is_dir() {
        return Err(VaultError::Io {
            path: dir.to_path_buf(),
            source: std::io::ErrorKind::NotFound.into(),
        });
    }
    let sealer = Sealer::for_keyring(ring, Purpose::Vault);
    let mut found = Vec::new();
    let mut key_ids = Vec::new();
    for row in read_vault_files(dir)?
        .into_iter()
        .filter(|r| r.pseudonym == pseudonym)
    {
        found.push(open_row(&sealer, &row)?);
        if let Some(id) = envelope_key_id(&row.sealed) {
            if !key_ids.contains(&id) {
                key_ids.push(id);
            }
        }
    }
    if found.is_empty() {
        return Err(VaultError::NotFound(pseudonym.to_string()));
    }
    Ok((found, key_ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    fn ring(byte: u8) -> Keyring {
        Keyring::single(MasterKey::from_bytes([byte; 32]))
    }

    fn keyed() -> String {
        "u_abcd_keyed".into()
    }

    #[test]
    fn token_mode_is_stable_across_runs_through_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let first = {
            let v = Vault::open(dir.path(), &ring(1), PseudonymMode::Token).unwrap();
            let a = v
                .pseudonym(IdentityKind::User, "patient-1", Some("Ann"), "u", keyed)
                .unwrap();
            let b = v
                .pseudonym(IdentityKind::User, "patient-2", None, "u", keyed)
                .unwrap();
            assert_ne!(a, b);
            assert!(a.starts_with("u_tok_"), "{a}");
            assert_eq!(
                a,
                v.pseudonym(IdentityKind::User, "patient-1", None, "u", keyed)
                    .unwrap()
            );
            let c = v
                .pseudonym(IdentityKind::Conversation, "patient-1", None, "c", keyed)
                .unwrap();
            assert_ne!(a, c, "kinds are separate");
            v.commit("r1").unwrap().unwrap();
            a
        };
        let v = Vault::open(dir.path(), &ring(1), PseudonymMode::Token).unwrap();
        assert_eq!(
            first,
            v.pseudonym(IdentityKind::User, "patient-1", None, "u", keyed)
                .unwrap()
        );
        assert!(v.commit("r2").unwrap().is_none(), "nothing new to store");
        drop(v);
        let (ids, key_ids) = lookup(dir.path(), &ring(1), &first).unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0].0, IdentityKind::User);
        assert_eq!(ids[0].1.id, "patient-1");
        assert_eq!(ids[0].1.name.as_deref(), Some("Ann"));
        assert_eq!(key_ids, [MasterKey::from_bytes([1; 32]).id()]);
    }

    #[test]
    fn tokens_survive_key_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("k.key");
        let vault = dir.path().join("vault");
        crate::crypto::write_new_key_file(&key_file, None).unwrap();
        let old = crate::crypto::read_key_file(&key_file, None).unwrap();
        let v = Vault::open(&vault, &old, PseudonymMode::Token).unwrap();
        let token = v
            .pseudonym(IdentityKind::User, "p-1", None, "u", keyed)
            .unwrap();
        v.commit("r1").unwrap();
        drop(v);
        crate::crypto::add_key(&key_file, None).unwrap();
        let rotated = crate::crypto::read_key_file(&key_file, None).unwrap();
        let v = Vault::open(&vault, &rotated, PseudonymMode::Token).unwrap();
        assert_eq!(
            token,
            v.pseudonym(IdentityKind::User, "p-1", None, "u", keyed)
                .unwrap()
        );
        v.pseudonym(IdentityKind::User, "p-2", None, "u", keyed)
            .unwrap();
        v.commit("r2").unwrap();
        drop(v);
        let (_, first) = lookup(&vault, &rotated, &token).unwrap();
        assert_eq!(first, [old.active().id()]);
        let rows = read_vault_files(&vault).unwrap();
        let newest = envelope_key_id(&rows.last().unwrap().sealed).unwrap();
        assert_eq!(newest, rotated.active().id());
        assert!(Vault::open(&vault, &old, PseudonymMode::Token).is_err());
    }

    #[test]
    fn hmac_mode_stores_deduplicated_identities() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::open(dir.path(), &ring(1), PseudonymMode::Hmac).unwrap();
        for name in [None, Some("Ann"), Some("Ann"), None, Some("Ann Lee")] {
            assert_eq!(
                v.pseudonym(IdentityKind::User, "u-1", name, "u", keyed)
                    .unwrap(),
                keyed()
            );
        }
        v.commit("r1").unwrap();
        drop(v);
        let (ids, _) = lookup(dir.path(), &ring(1), &keyed()).unwrap();
        let names: Vec<Option<&str>> = ids.iter().map(|(_, i)| i.name.as_deref()).collect();
        assert_eq!(names, [None, Some("Ann"), Some("Ann Lee")]);
        assert!(matches!(
            lookup(dir.path(), &ring(1), "u_abcd_other"),
            Err(VaultError::NotFound(_))
        ));
    }

    #[test]
    fn a_vault_opens_only_with_its_key_and_entries_cannot_move() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::open(dir.path(), &ring(1), PseudonymMode::Token).unwrap();
        let a = v
            .pseudonym(IdentityKind::User, "patient-1", None, "u", keyed)
            .unwrap();
        v.commit("r1").unwrap();
        drop(v);
        let err = Vault::open(dir.path(), &ring(2), PseudonymMode::Token)
            .err()
            .unwrap();
        assert!(
            matches!(
                err,
                VaultError::Open {
                    source: CryptoError::WrongKey { .. },
                    ..
                }
            ),
            "{err}"
        );
        let mut rows = read_vault_files(dir.path()).unwrap();
        rows[0].pseudonym = "u_tok_someoneelse".into();
        std::fs::remove_file(dir.path().join("identities-r1.parquet")).unwrap();
        write_vault_file(dir.path(), "identities-r1.parquet", &rows).unwrap();
        assert!(lookup(dir.path(), &ring(1), &a).is_err());
        assert!(matches!(
            lookup(dir.path(), &ring(1), "u_tok_someoneelse"),
            Err(VaultError::Open {
                source: CryptoError::Authentication,
                ..
            })
        ));
    }

    #[test]
    fn vault_and_output_must_not_overlap() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let inside = Vault::open(&out.join("vault"), &ring(1), PseudonymMode::Hmac).unwrap();
        assert!(matches!(
            inside.ensure_apart(&out),
            Err(VaultError::NotApart { .. })
        ));
        let apart = Vault::open(&dir.path().join("vault"), &ring(1), PseudonymMode::Hmac).unwrap();
        apart.ensure_apart(&out).unwrap();
    }
}
