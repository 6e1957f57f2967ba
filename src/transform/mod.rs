//! Transforms: applying the policy to what detection found, and replacing identities with
//! pseudonyms. The output of this stage is the only form in which a record leaves the tool.

use crate::config::{Action, Config, PolicyConfig, PseudonymConfig, Unmapped};
use crate::crypto::{CryptoError, MasterKey, Pseudonymizer, Purpose, Sealer};
use crate::detect::{is_word_at, Detector, Finding, Scratch};
use crate::record::{EntitySpan, MessageId, Record, SanitizedRecord, SealedValue};
use crate::vault::{IdentityKind, Vault};
use std::sync::Arc;

/// Roles passed through as they are; any other value (a speaker's name, say) becomes
/// `other`, because the role column is not scanned.
const KNOWN_ROLES: &[&str] = &[
    "user",
    "bot",
    "assistant",
    "system",
    "agent",
    "human",
    "customer",
    "patient",
    "client",
    "operator",
    "tool",
    "function",
    "model",
];

/// The field of a record that findings are in.
#[derive(Clone, Copy)]
enum Field<'r> {
    Text,
    /// An unmapped field, by its JSON Pointer.
    Pointer(&'r str),
}

/// Per-worker state reused from record to record, so the hot path allocates little.
#[derive(Default)]
pub struct Workspace {
    scratch: Scratch,
    findings: Vec<Finding>,
    /// The last user and conversation pseudonymized: messages come in conversations, so
    /// the same identities repeat line after line and need not be keyed again.
    recent: [Option<(String, Arc<str>)>; 2],
}

/// Everything a worker needs to sanitize records; shared read-only across threads.
pub struct Transformer<'a> {
    detector: &'a Detector,
    policy: &'a PolicyConfig,
    pseudonym: &'a PseudonymConfig,
    unmapped: Unmapped,
    users: Pseudonymizer,
    conversations: Pseudonymizer,
    entities: Pseudonymizer,
    message_ids: Pseudonymizer,
    sealer: Sealer,
    identity_types: [Arc<str>; 3],
    /// The field name of every finding in a record's text.
    text_field: Arc<str>,
    vault: Option<&'a Vault>,
}

impl<'a> Transformer<'a> {
    pub fn new(config: &'a Config, detector: &'a Detector, key: &MasterKey) -> Transformer<'a> {
        Transformer {
            detector,
            policy: &config.policy,
            pseudonym: &config.pseudonym,
            unmapped: config.input.unmapped,
            users: Pseudonymizer::new(key, Purpose::UserPseudonym),
            conversations: Pseudonymizer::new(key, Purpose::ConversationPseudonym),
            entities: Pseudonymizer::new(key, Purpose::EntityPseudonym),
            message_ids: Pseudonymizer::new(key, Purpose::MessageId),
            sealer: Sealer::new(key, Purpose::FieldEncryption),
            identity_types: ["USER_ID".into(), "PERSON".into(), "CONVERSATION_ID".into()],
            text_field: "text".into(),
            vault: None,
        }
    }

    /// Records every identity pseudonymized in `vault` (and, in token mode, takes the
    /// pseudonyms from it).
    pub fn with_vault(mut self, vault: Option<&'a Vault>) -> Transformer<'a> {
        self.vault = vault;
        self
    }

    fn identity_pseudonym(
        &self,
        kind: IdentityKind,
        id: &str,
        name: Option<&str>,
    ) -> Result<String, CryptoError> {
        let (keys, prefix) = match kind {
            IdentityKind::User => (&self.users, &self.pseudonym.user_prefix),
            IdentityKind::Conversation => {
                (&self.conversations, &self.pseudonym.conversation_prefix)
            }
        };
        let keyed = || keys.pseudonym(prefix, id.as_bytes());
        match self.vault {
            Some(vault) => vault.pseudonym(kind, id, name, prefix, keyed),
            None => Ok(keyed()),
        }
    }

    pub fn message_id(&self, source: &str, position: u64) -> MessageId {
        MessageId::from_digest(
            &self
                .message_ids
                .short_tag(&[source.as_bytes(), &position.to_le_bytes()]),
        )
    }

    /// The pseudonym of an identity, from the workspace when it is the one last seen. With
    /// a vault every sighting goes through it, since it records display names as they come.
    fn recent_pseudonym(
        &self,
        recent: &mut Option<(String, Arc<str>)>,
        kind: IdentityKind,
        id: &str,
        name: Option<&str>,
    ) -> Result<Arc<str>, CryptoError> {
        if self.vault.is_none() {
            if let Some((last_id, pseudonym)) = recent.as_ref() {
                if last_id == id {
                    return Ok(pseudonym.clone());
                }
            }
        }
        let pseudonym: Arc<str> = self.identity_pseudonym(kind, id, name)?.into();
        // The last id's buffer takes the new one: ids change every few messages.
        match recent {
            Some((last_id, last)) => {
                last_id.clear();
                last_id.push_str(id);
                *last = pseudonym.clone();
            }
            None => *recent = Some((id.to_string(), pseudonym.clone())),
        }
        Ok(pseudonym)
    }

    pub fn sanitize(
        &self,
        record: &Record,
        source: &Arc<str>,
        ws: &mut Workspace,
    ) -> Result<SanitizedRecord, CryptoError> {
        let message_id = self.message_id(source, record.position);
        let [recent_user, recent_conversation] = &mut ws.recent;
        let user = match record.user_id.as_deref() {
            Some(id) => Some(self.recent_pseudonym(
                recent_user,
                IdentityKind::User,
                id,
                record.user_name.as_deref(),
            )?),
            None => None,
        };
        let conversation = match record.conversation_id.as_deref() {
            Some(id) => Some(self.recent_pseudonym(
                recent_conversation,
                IdentityKind::Conversation,
                id,
                None,
            )?),
            None => None,
        };
        let mut out = SanitizedRecord {
            user,
            conversation,
            role: record.role.as_deref().map(normalize_role),
            timestamp_us: record.timestamp_us,
            source: source.clone(),
            ..SanitizedRecord::default()
        };
        let Workspace {
            scratch, findings, ..
        } = ws;
        if let Some(text) = &record.text {
            let redacted = self.redact_field(
                record,
                Field::Text,
                text,
                &message_id,
                scratch,
                findings,
                &mut out,
            )?;
            out.text = Some(redacted);
        }
        if self.unmapped == Unmapped::Scan {
            for (pointer, value) in &record.extra {
                let redacted = self.redact_field(
                    record,
                    Field::Pointer(pointer),
                    value,
                    &message_id,
                    scratch,
                    findings,
                    &mut out,
                )?;
                out.attributes.push((pointer.clone(), redacted));
            }
        }
        out.message_id = message_id;
        Ok(out)
    }

    /// Detects PII in one field and returns it with the policy applied.
    #[allow(clippy::too_many_arguments)]
    fn redact_field(
        &self,
        record: &Record,
        field: Field<'_>,
        text: &str,
        message_id: &str,
        scratch: &mut Scratch,
        findings: &mut Vec<Finding>,
        out: &mut SanitizedRecord,
    ) -> Result<String, CryptoError> {
        findings.clear();
        self.detector.detect(text, scratch, findings);
        self.add_identity_findings(record, text, findings);
        let mut redacted = String::with_capacity(text.len());
        let mut last = 0;
        // Made at the field's first finding, shared by the others: most fields have none.
        let mut pointer_name: Option<Arc<str>> = None;
        for f in findings.iter() {
            let action = self.policy.action_for(&f.entity);
            out.entities.push(EntitySpan {
                field: match field {
                    Field::Text => self.text_field.clone(),
                    Field::Pointer(p) => pointer_name.get_or_insert_with(|| p.into()).clone(),
                },
                entity: f.entity.clone(),
                start: f.start as u32,
                end: f.end as u32,
                action,
            });
            redacted.push_str(&text[last..f.start]);
            let value = &text[f.start..f.end];
            match action {
                Action::Keep => redacted.push_str(value),
                Action::Redact => {
                    redacted.push('[');
                    redacted.push_str(&f.entity);
                    redacted.push(']');
                }
                Action::Pseudonym => {
                    let p = self.entities.pseudonym("p", value.as_bytes());
                    redacted.push_str(&format!("[{}:{p}]", f.entity));
                }
                Action::Encrypt => {
                    let reference = out.sealed.len() as u32 + 1;
                    let context = sealed_context(message_id, reference);
                    out.sealed.push(SealedValue {
                        reference,
                        entity: f.entity.clone(),
                        ciphertext: self.sealer.seal(value.as_bytes(), &context)?,
                    });
                    redacted.push_str(&format!("[{}:{reference}]", f.entity));
                }
            }
            last = f.end;
        }
        redacted.push_str(&text[last..]);
        Ok(redacted)
    }

    /// A record's own identifiers, echoed into its text ("this is user 7f3a..."), are
    /// redacted like any other identity; detection patterns cannot know them.
    fn add_identity_findings(&self, record: &Record, text: &str, findings: &mut Vec<Finding>) {
        let ids = [&record.user_id, &record.user_name, &record.conversation_id];
        let before = findings.len();
        for (kind, id) in self.identity_types.iter().zip(ids) {
            let Some(id) = id.as_deref().filter(|s| s.trim().len() >= 3) else {
                continue;
            };
            for start in occurrences(text, id) {
                let end = start + id.len();
                let overlaps = findings.iter().any(|f| start < f.end && end > f.start);
                if !overlaps && is_word_at(text, start, end) {
                    findings.push(Finding {
                        start,
                        end,
                        entity: kind.clone(),
                        score: 1.0,
                        source: kind.clone(),
                    });
                }
            }
        }
        if findings.len() != before {
            findings.sort_by_key(|f| f.start);
        }
    }
}

/// Start offsets of `needle` in `text`. Identities are short and texts chat-sized, so a
/// scan for one byte beats building a substring searcher for every field. The byte is the
/// needle's first that is not a lower case letter or a space where it has one ("-" of
/// "user-42"): an id's first byte is often a common letter ("u"), and each of its hits in
/// the text was a compare.
fn occurrences<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = usize> + 't {
    let (hay, pat) = (text.as_bytes(), needle.as_bytes());
    let at = pat
        .iter()
        .position(|&b| !b.is_ascii_lowercase() && b != b' ')
        .unwrap_or(0);
    memchr::memchr_iter(pat[at], &hay[at.min(hay.len())..])
        .filter(move |&i| hay[i..].starts_with(pat))
}

/// Associated data of a sealed value: its column, message and reference, so it cannot be
/// moved to another row or slot.
pub fn sealed_context(message_id: &str, reference: u32) -> Vec<u8> {
    format!("sealed|{message_id}|{reference}").into_bytes()
}

fn normalize_role(role: &str) -> &'static str {
    let role = role.trim();
    KNOWN_ROLES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(role))
        .unwrap_or(&"other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::build_detector;

    fn record(text: &str) -> Record<'_> {
        Record {
            position: 3,
            user_id: Some("user-8812".into()),
            user_name: Some("Ann Lee".into()),
            conversation_id: Some("conv-77".into()),
            role: Some("Dr. House".into()),
            text: Some(text.into()),
            ..Record::default()
        }
    }

    #[test]
    fn redacts_pseudonymizes_and_hides_identities() {
        let config = Config::default();
        let detector = build_detector(&config.detect).unwrap();
        let key = MasterKey::from_bytes([3; 32]);
        let t = Transformer::new(&config, &detector, &key);
        let r = record("I am Ann Lee (user-8812), mail ann@example.com");
        let s = t
            .sanitize(&r, &"src1".into(), &mut Workspace::default())
            .unwrap();
        assert_eq!(
            s.text.as_deref(),
            Some("I am [PERSON] ([USER_ID]), mail [EMAIL]")
        );
        assert!(s.user.as_deref().unwrap().starts_with("u_"));
        assert!(s.conversation.as_deref().unwrap().starts_with("c_"));
        assert_eq!(s.role, Some("other"));
        let types: Vec<&str> = s.entities.iter().map(|e| &*e.entity).collect();
        assert_eq!(types, ["PERSON", "USER_ID", "EMAIL"]);
        let at = r.text.as_deref().unwrap().find("ann@").unwrap() as u32;
        assert_eq!((s.entities[2].start, s.entities[2].end), (at, at + 15));
        assert_eq!(s.message_id, t.message_id("src1", 3));
    }

    #[test]
    fn reused_workspace_gives_the_pseudonyms_of_a_fresh_one() {
        let config = Config::default();
        let detector = build_detector(&config.detect).unwrap();
        let key = MasterKey::from_bytes([3; 32]);
        let t = Transformer::new(&config, &detector, &key);
        let mut shared = Workspace::default();
        for (user, conversation) in [
            ("a", "c1"),
            ("a", "c1"),
            ("b", "c1"),
            ("a", "c2"),
            ("b", "c2"),
        ] {
            let r = Record {
                user_id: Some(user.into()),
                conversation_id: Some(conversation.into()),
                text: Some("hi".into()),
                ..Record::default()
            };
            let reused = t.sanitize(&r, &"s".into(), &mut shared).unwrap();
            let fresh = t
                .sanitize(&r, &"s".into(), &mut Workspace::default())
                .unwrap();
            assert_eq!(
                (&reused.user, &reused.conversation),
                (&fresh.user, &fresh.conversation)
            );
        }
    }

    #[test]
    fn occurrences_finds_every_start() {
        let found: Vec<usize> = occurrences("éab xab ab", "ab").collect();
        assert_eq!(
            occurrences("user-1 user-12 xuser-1 user-1", "user-1").collect::<Vec<_>>(),
            [0, 7, 16, 23]
        );
        assert_eq!(occurrences("-1 u", "user-1").count(), 0);
        assert_eq!(occurrences("ab", "Ab").count(), 0);
        assert_eq!(found, [2, 6, 9]);
        assert_eq!(occurrences("a", "abc").count(), 0);
    }

    #[test]
    fn encrypt_and_keep_actions() {
        let mut config = Config::default();
        config
            .policy
            .actions
            .insert("EMAIL".into(), Action::Encrypt);
        config
            .policy
            .actions
            .insert("IP_ADDRESS".into(), Action::Keep);
        let detector = build_detector(&config.detect).unwrap();
        let key = MasterKey::from_bytes([3; 32]);
        let t = Transformer::new(&config, &detector, &key);
        let s = t
            .sanitize(
                &record("mail ann@example.com from 10.0.0.1"),
                &"src1".into(),
                &mut Workspace::default(),
            )
            .unwrap();
        assert_eq!(s.text.as_deref(), Some("mail [EMAIL:1] from 10.0.0.1"));
        assert_eq!(s.sealed.len(), 1);
        let open = |message_id: &str, v: &SealedValue| {
            Sealer::new(&key, Purpose::FieldEncryption)
                .open(&v.ciphertext, &sealed_context(message_id, v.reference))
        };
        assert_eq!(
            &open(&s.message_id, &s.sealed[0]).unwrap()[..],
            b"ann@example.com"
        );
        // A ciphertext copied into another row fails, as does one moved to another slot.
        let other = t
            .sanitize(
                &record("ann@example.com or bo@example.org"),
                &"src2".into(),
                &mut Workspace::default(),
            )
            .unwrap();
        assert!(matches!(
            open(&other.message_id, &s.sealed[0]),
            Err(CryptoError::Authentication)
        ));
        assert!(open(&s.message_id, &other.sealed[0]).is_err());
        let moved = SealedValue {
            reference: 2,
            ..other.sealed[0].clone()
        };
        assert!(open(&other.message_id, &moved).is_err());
        assert_eq!(
            &open(&other.message_id, &other.sealed[1]).unwrap()[..],
            b"bo@example.org"
        );
    }

    #[test]
    fn a_vault_records_identities_and_supplies_tokens() {
        let mut config = Config::default();
        config.pseudonym.mode = crate::config::PseudonymMode::Token;
        let detector = build_detector(&config.detect).unwrap();
        let key = MasterKey::from_bytes([3; 32]);
        let dir = tempfile::tempdir().unwrap();
        let ring = crate::crypto::Keyring::single(key.clone());
        let vault = Vault::open(dir.path(), &ring, config.pseudonym.mode).unwrap();
        let t = Transformer::new(&config, &detector, &key).with_vault(Some(&vault));
        let s = t
            .sanitize(&record("hi"), &"src1".into(), &mut Workspace::default())
            .unwrap();
        let user = s.user.unwrap();
        assert!(user.starts_with("u_tok_"), "{user}");
        assert!(s.conversation.unwrap().starts_with("c_tok_"));
        vault.commit("r1").unwrap().unwrap();
        let (found, _) = crate::vault::lookup(dir.path(), &ring, &user).unwrap();
        assert_eq!(found[0].1.id, "user-8812");
        assert_eq!(found[0].1.name.as_deref(), Some("Ann Lee"));
    }
}
