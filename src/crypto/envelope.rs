//! Authenticated encryption of single values: AES-256-GCM with a fresh random 96-bit nonce,
//! in a versioned envelope that names the key it was sealed with.
//!
//! Envelope layout: `version (1) | key id (8) | nonce (12) | ciphertext + tag (16)`.
//! The associated data binds a ciphertext to where it belongs (column, message, key id), so
//! one copied into another row fails to open.

use super::key::{Keyring, MasterKey, Purpose};
use super::CryptoError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

pub const ENVELOPE_VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 12;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;

/// The id of the key an envelope names, for the reveal log.
pub fn envelope_key_id(envelope: &[u8]) -> Option<String> {
    envelope
        .get(1..1 + KEY_ID_LEN)
        .map(|id| data_encoding::HEXLOWER.encode(id))
}

/// Seals with one key and opens with any key of a ring, for one purpose.
pub struct Sealer {
    /// The sealing key first.
    keys: Vec<SealKey>,
}

struct SealKey {
    id: [u8; KEY_ID_LEN],
    cipher: Aes256Gcm,
}

impl Sealer {
    pub fn new(master: &MasterKey, purpose: Purpose) -> Sealer {
        Sealer::with_keys(std::slice::from_ref(master), purpose)
    }

    /// Seals with the ring's active key; opens whatever the ring holds.
    pub fn for_keyring(ring: &Keyring, purpose: Purpose) -> Sealer {
        Sealer::with_keys(ring.keys(), purpose)
    }

    fn with_keys(keys: &[MasterKey], purpose: Purpose) -> Sealer {
        let keys = keys
            .iter()
            .map(|master| {
                let subkey = master.subkey(purpose);
                let mut id = [0u8; KEY_ID_LEN];
                let decoded = data_encoding::HEXLOWER
                    .decode(master.id().as_bytes())
                    .expect("key id is hex");
                id.copy_from_slice(&decoded[..KEY_ID_LEN]);
                SealKey {
                    id,
                    cipher: Aes256Gcm::new_from_slice(subkey.as_slice()).expect("32-byte key"),
                }
            })
            .collect();
        Sealer { keys }
    }

    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        let key = &self.keys[0];
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&key.id);
        out.extend_from_slice(&nonce);
        let aad = self.aad(&out[..HEADER_LEN], context);
        let ct = key
            .cipher
            .encrypt(
                &Nonce::try_from(&nonce[..]).expect("12-byte nonce"),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Seal)?;
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open(
        &self,
        envelope: &[u8],
        context: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
        if envelope.len() < HEADER_LEN + TAG_LEN {
            return Err(CryptoError::Truncated);
        }
        if envelope[0] != ENVELOPE_VERSION {
            return Err(CryptoError::UnknownVersion(envelope[0]));
        }
        let key_id = &envelope[1..1 + KEY_ID_LEN];
        let Some(key) = self.keys.iter().find(|k| k.id == key_id) else {
            let given: Vec<String> = self
                .keys
                .iter()
                .map(|k| data_encoding::HEXLOWER.encode(&k.id))
                .collect();
            return Err(CryptoError::WrongKey {
                expected: data_encoding::HEXLOWER.encode(key_id),
                given: given.join(", "),
            });
        };
        let nonce = &envelope[1 + KEY_ID_LEN..HEADER_LEN];
        let aad = self.aad(&envelope[..HEADER_LEN], context);
        key.cipher
            .decrypt(
                &Nonce::try_from(nonce).expect("12-byte nonce"),
                Payload {
                    msg: &envelope[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map(zeroize::Zeroizing::new)
            .map_err(|_| CryptoError::Authentication)
    }

    /// The header is authenticated too, so the version and key id cannot be swapped.
    fn aad(&self, header: &[u8], context: &[u8]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(header.len() + context.len());
        aad.extend_from_slice(header);
        aad.extend_from_slice(context);
        aad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(&MasterKey::from_bytes([7; 32]), Purpose::FieldEncryption)
    }

    #[test]
    fn round_trip() {
        let s = sealer();
        let env = s.seal(b"078-05-1120", b"text|m1").unwrap();
        assert_eq!(&s.open(&env, b"text|m1").unwrap()[..], b"078-05-1120");
        assert_ne!(
            env,
            s.seal(b"078-05-1120", b"text|m1").unwrap(),
            "fresh nonce per value"
        );
    }

    #[test]
    fn every_bit_flip_fails_authentication() {
        let s = sealer();
        let env = s.seal(b"secret", b"ctx").unwrap();
        for i in 0..env.len() * 8 {
            let mut bad = env.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(s.open(&bad, b"ctx").is_err(), "bit {i}");
        }
    }

    #[test]
    fn context_swap_wrong_key_and_truncation() {
        let s = sealer();
        let env = s.seal(b"secret", b"text|m1").unwrap();
        assert!(matches!(
            s.open(&env, b"text|m2"),
            Err(CryptoError::Authentication)
        ));
        let other = Sealer::new(&MasterKey::from_bytes([8; 32]), Purpose::FieldEncryption);
        let err = other.open(&env, b"text|m1").unwrap_err();
        assert!(matches!(err, CryptoError::WrongKey { .. }), "{err}");
        assert!(matches!(
            s.open(&env[..20], b"text|m1"),
            Err(CryptoError::Truncated)
        ));
    }

    #[test]
    fn wrong_key_names_both_key_ids() {
        let old = MasterKey::from_bytes([7; 32]);
        let env = sealer().seal(b"secret", b"ctx").unwrap();
        let other = MasterKey::from_bytes([8; 32]);
        let err = Sealer::new(&other, Purpose::FieldEncryption)
            .open(&env, b"ctx")
            .unwrap_err()
            .to_string();
        assert!(err.contains(old.id()) && err.contains(other.id()), "{err}");
    }

    #[test]
    fn a_keyring_seals_with_the_active_key_and_opens_with_any() {
        let old = MasterKey::from_bytes([7; 32]);
        let new = MasterKey::from_bytes([9; 32]);
        let old_env = sealer().seal(b"before rotation", b"ctx").unwrap();
        let mut ring_keys = vec![new.clone(), old.clone()];
        let ring = Sealer::with_keys(&ring_keys, Purpose::FieldEncryption);
        let new_env = ring.seal(b"after rotation", b"ctx").unwrap();
        assert_eq!(
            &ring.open(&old_env, b"ctx").unwrap()[..],
            b"before rotation"
        );
        assert_eq!(&ring.open(&new_env, b"ctx").unwrap()[..], b"after rotation");
        assert!(matches!(
            sealer().open(&new_env, b"ctx"),
            Err(CryptoError::WrongKey { .. })
        ));
        ring_keys.reverse();
        let reordered = Sealer::with_keys(&ring_keys, Purpose::FieldEncryption);
        assert_eq!(
            &reordered.open(&new_env, b"ctx").unwrap()[..],
            b"after rotation"
        );
        assert_eq!(
            &new_env[1..9],
            &data_encoding::HEXLOWER.decode(new.id().as_bytes()).unwrap()[..]
        );
    }

    /// Random values, contexts and tampering: every value opens under its own context and
    /// any single flipped bit, truncation or context change fails.
    #[test]
    fn property_random_round_trips_and_tampering() {
        let s = sealer();
        let mut seed = [0u8; 64];
        for round in 0..200 {
            getrandom::fill(&mut seed).unwrap();
            let len = seed[0] as usize % 48;
            let value = &seed[1..1 + len];
            let context = &seed[49..49 + (seed[48] as usize % 15)];
            let env = s.seal(value, context).unwrap();
            assert_eq!(env.len(), HEADER_LEN + len + TAG_LEN);
            assert_eq!(&s.open(&env, context).unwrap()[..], value, "round {round}");
            let bit = u16::from_le_bytes([seed[62], seed[63]]) as usize % (env.len() * 8);
            let mut bad = env.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(s.open(&bad, context).is_err(), "round {round} bit {bit}");
            let cut = seed[61] as usize % env.len();
            assert!(
                s.open(&env[..cut], context).is_err(),
                "round {round} cut {cut}"
            );
            let mut other_context = context.to_vec();
            other_context.push(seed[60]);
            assert!(matches!(
                s.open(&env, &other_context),
                Err(CryptoError::Authentication)
            ));
        }
    }
}
