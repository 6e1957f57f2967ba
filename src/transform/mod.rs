//! Transforms: applying the policy to what detection found, and replacing identities with
//! pseudonyms. The output of this stage is the only form in which a record leaves the tool.

use crate::config::{Action, Config, PolicyConfig, PseudonymConfig, Unmapped};
use crate::crypto::{CryptoError, MasterKey, Pseudonymizer, Purpose, Sealer};
use crate::detect::{is_word_at, Detector, Finding, Scratch};
use crate::record::{EntitySpan, Record, SanitizedRecord, SealedValue};
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
        }
    }

    pub fn message_id(&self, source: &str, position: u64) -> String {
        self.message_ids
            .hex_id(&[source.as_bytes(), &position.to_le_bytes()])
    }

    pub fn sanitize(
        &self,
        record: &Record,
        source: &str,
        scratch: &mut Scratch,
    ) -> Result<SanitizedRecord, CryptoError> {
        let message_id = self.message_id(source, record.position);
        let mut out = SanitizedRecord {
            user: record.user_id.as_ref().map(|id| {
                self.users
                    .pseudonym(&self.pseudonym.user_prefix, id.as_bytes())
            }),
            conversation: record.conversation_id.as_ref().map(|id| {
                self.conversations
                    .pseudonym(&self.pseudonym.conversation_prefix, id.as_bytes())
            }),
            role: record.role.as_deref().map(normalize_role),
            timestamp_us: record.timestamp_us,
            source: source.to_string(),
            ..SanitizedRecord::default()
        };
        let mut findings = Vec::new();
        if let Some(text) = &record.text {
            let redacted = self.redact_field(
                record,
                "text",
                text,
                &message_id,
                scratch,
                &mut findings,
                &mut out,
            )?;
            out.text = Some(redacted);
        }
        if self.unmapped == Unmapped::Scan {
            for (pointer, value) in &record.extra {
                let redacted = self.redact_field(
                    record,
                    pointer,
                    value,
                    &message_id,
                    scratch,
                    &mut findings,
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
        field: &str,
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
        for f in findings.iter() {
            let action = self.policy.action_for(&f.entity);
            out.entities.push(EntitySpan {
                field: field.to_string(),
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
            for (start, _) in text.match_indices(id) {
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

    /// Opens a sealed value of a message (for reveal).
    pub fn open_sealed(
        &self,
        message_id: &str,
        value: &SealedValue,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
        self.sealer.open(
            &value.ciphertext,
            &sealed_context(message_id, value.reference),
        )
    }
}

/// Associated data of a sealed value: its column, message and reference, so it cannot be
/// moved to another row or slot.
fn sealed_context(message_id: &str, reference: u32) -> Vec<u8> {
    format!("sealed|{message_id}|{reference}").into_bytes()
}

fn normalize_role(role: &str) -> String {
    let lower = role.trim().to_ascii_lowercase();
    if KNOWN_ROLES.contains(&lower.as_str()) {
        lower
    } else {
        "other".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::build_detector;

    fn record(text: &str) -> Record {
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
        let s = t.sanitize(&r, "src1", &mut Scratch::default()).unwrap();
        assert_eq!(
            s.text.as_deref(),
            Some("I am [PERSON] ([USER_ID]), mail [EMAIL]")
        );
        assert!(s.user.as_deref().unwrap().starts_with("u_"));
        assert!(s.conversation.as_deref().unwrap().starts_with("c_"));
        assert_eq!(s.role.as_deref(), Some("other"));
        let types: Vec<&str> = s.entities.iter().map(|e| &*e.entity).collect();
        assert_eq!(types, ["PERSON", "USER_ID", "EMAIL"]);
        let at = r.text.as_deref().unwrap().find("ann@").unwrap() as u32;
        assert_eq!((s.entities[2].start, s.entities[2].end), (at, at + 15));
        assert_eq!(s.message_id, t.message_id("src1", 3));
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
                "src1",
                &mut Scratch::default(),
            )
            .unwrap();
        assert_eq!(s.text.as_deref(), Some("mail [EMAIL:1] from 10.0.0.1"));
        assert_eq!(s.sealed.len(), 1);
        assert_eq!(
            &t.open_sealed(&s.message_id, &s.sealed[0]).unwrap()[..],
            b"ann@example.com"
        );
        assert!(t.open_sealed("another-message", &s.sealed[0]).is_err());
    }
}
