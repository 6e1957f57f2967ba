//! Authenticated encryption of single values: AES-256-GCM with a fresh random 96-bit nonce,
//! in a versioned envelope that names the key it was sealed with.
//!
//! Envelope layout: `version (1) | key id (8) | nonce (12) | ciphertext + tag (16)`.
//! The associated data binds a ciphertext to where it belongs (column, message, key id), so
//! one copied into another row fails to open.

use super::key::{MasterKey, Purpose, Subkey};
use super::CryptoError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

pub const ENVELOPE_VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 12;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;

/// Seals and opens values for one purpose under one master key.
pub struct Sealer {
    cipher: Aes256Gcm,
    key_id: [u8; KEY_ID_LEN],
    key_id_hex: String,
}

impl Sealer {
    pub fn new(master: &MasterKey, purpose: Purpose) -> Sealer {
        let subkey: Subkey = master.subkey(purpose);
        let cipher = Aes256Gcm::new_from_slice(subkey.as_slice()).expect("32-byte key");
        let mut key_id = [0u8; KEY_ID_LEN];
        let decoded = data_encoding::HEXLOWER
            .decode(master.id().as_bytes())
            .expect("key id is hex");
        key_id.copy_from_slice(&decoded[..KEY_ID_LEN]);
        Sealer {
            cipher,
            key_id,
            key_id_hex: master.id().to_string(),
        }
    }

    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&self.key_id);
        out.extend_from_slice(&nonce);
        let aad = self.aad(&out[..HEADER_LEN], context);
        let ct = self
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
        if key_id != self.key_id {
            return Err(CryptoError::WrongKey {
                expected: data_encoding::HEXLOWER.encode(key_id),
                given: self.key_id_hex.clone(),
            });
        }
        let nonce = &envelope[1 + KEY_ID_LEN..HEADER_LEN];
        let aad = self.aad(&envelope[..HEADER_LEN], context);
        self.cipher
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
}
