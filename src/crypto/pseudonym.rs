//! Keyed pseudonyms: HMAC-SHA256 of an identifier under a purpose subkey, so the same ID
//! maps to the same pseudonym on every run and machine holding the key, and nobody without
//! the key can test a guess.

use super::key::{MasterKey, Purpose};
use super::CryptoError;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// 128 bits of the tag, in lowercase base32 without padding: 26 characters.
const TAG_BYTES: usize = 16;

pub struct Pseudonymizer {
    mac: HmacSha256,
    version: String,
}

impl Pseudonymizer {
    pub fn new(master: &MasterKey, purpose: Purpose) -> Pseudonymizer {
        let subkey = master.subkey(purpose);
        Pseudonymizer {
            mac: HmacSha256::new_from_slice(subkey.as_slice()).expect("HMAC takes any key length"),
            version: master.version_tag().to_string(),
        }
    }

    /// `<prefix>_<key version>_<26 base32 chars>`, e.g. `u_3fa1_k5v...`.
    pub fn pseudonym(&self, prefix: &str, id: &[u8]) -> String {
        let tag = self.tag(&[id]);
        let mut out = String::with_capacity(prefix.len() + self.version.len() + 28);
        out.push_str(prefix);
        out.push('_');
        out.push_str(&self.version);
        out.push('_');
        out.push_str(&BASE32_LOWER.encode(&tag[..TAG_BYTES]));
        out
    }

    /// The keyed digest of several parts, each length-prefixed so parts cannot run together.
    pub fn tag(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// A hex digest of the parts, truncated to 128 bits: for opaque ids of files and rows.
    pub fn hex_id(&self, parts: &[&[u8]]) -> String {
        data_encoding::HEXLOWER.encode(&self.short_tag(parts))
    }

    /// The keyed digest of the parts, truncated to 128 bits.
    pub fn short_tag(&self, parts: &[&[u8]]) -> [u8; TAG_BYTES] {
        let tag = self.tag(parts);
        let mut short = [0; TAG_BYTES];
        short.copy_from_slice(&tag[..TAG_BYTES]);
        short
    }
}

/// A random pseudonym, `<prefix>_tok_<26 base32 chars>`: derived from nothing, so it
/// cannot be recomputed from the identity by anyone, key holders included (HIPAA
/// §164.514(c)). The `tok` tag marks it apart from key-versioned ones.
pub fn random_pseudonym(prefix: &str) -> Result<String, CryptoError> {
    let mut bytes = [0u8; TAG_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| CryptoError::Random)?;
    Ok(format!("{prefix}_tok_{}", BASE32_LOWER.encode(&bytes)))
}

static BASE32_LOWER: std::sync::LazyLock<data_encoding::Encoding> =
    std::sync::LazyLock::new(|| {
        let mut spec = data_encoding::Specification::new();
        spec.symbols.push_str("abcdefghijklmnopqrstuvwxyz234567");
        spec.encoding().expect("valid base32 alphabet")
    });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_keyed_and_purpose_separated() {
        let k1 = MasterKey::from_bytes([1; 32]);
        let k2 = MasterKey::from_bytes([2; 32]);
        let a = Pseudonymizer::new(&k1, Purpose::UserPseudonym);
        let p = a.pseudonym("u", b"user-42");
        assert_eq!(
            p,
            Pseudonymizer::new(&k1, Purpose::UserPseudonym).pseudonym("u", b"user-42")
        );
        assert_ne!(
            p,
            Pseudonymizer::new(&k2, Purpose::UserPseudonym).pseudonym("u", b"user-42")
        );
        assert_ne!(
            p,
            Pseudonymizer::new(&k1, Purpose::ConversationPseudonym).pseudonym("u", b"user-42")
        );
        assert_ne!(p, a.pseudonym("u", b"user-43"));
        let parts: Vec<&str> = p.split('_').collect();
        assert_eq!(parts[0], "u");
        assert_eq!(parts[1], k1.version_tag());
        assert_eq!(parts[2].len(), 26);
        assert!(!p.contains("user"));
    }

    #[test]
    fn random_pseudonyms_have_the_token_shape_and_differ() {
        let a = random_pseudonym("u").unwrap();
        let b = random_pseudonym("u").unwrap();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.split('_').collect();
        assert_eq!(parts, ["u", "tok", parts[2]]);
        assert_eq!(parts[2].len(), 26);
    }

    /// Random identifiers: the pseudonym is a function of key, purpose and id only.
    #[test]
    fn property_random_ids_are_deterministic_and_distinct() {
        let key = MasterKey::from_bytes([5; 32]);
        let a = Pseudonymizer::new(&key, Purpose::UserPseudonym);
        let b = Pseudonymizer::new(&key.clone(), Purpose::UserPseudonym);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..300 {
            let mut id = [0u8; 12];
            getrandom::fill(&mut id).unwrap();
            let p = a.pseudonym("u", &id);
            assert_eq!(p, b.pseudonym("u", &id));
            assert_eq!(p.len(), "u_".len() + 4 + 1 + 26);
            assert!(seen.insert(p));
        }
    }

    #[test]
    fn parts_do_not_run_together() {
        let a = Pseudonymizer::new(&MasterKey::from_bytes([1; 32]), Purpose::MessageId);
        assert_ne!(a.tag(&[b"ab", b"c"]), a.tag(&[b"a", b"bc"]));
    }
}
