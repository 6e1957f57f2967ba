//! The one record type every reader yields, so that adding an input format never touches
//! detection, transforms or output.

use std::borrow::Cow;
use std::sync::Arc;

/// One chat message as read from any transcript format, before anything is redacted.
///
/// Everything here may hold PII in clear: a `Record` never leaves the process as it is.
/// Its strings borrow from the input buffer where the input holds them as they are (a
/// JSONL string without escapes), so the hot path copies nothing it does not change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<'a> {
    /// Where the record sits in its file (1-based line for JSONL, element index otherwise),
    /// used in messages and to derive a stable message id.
    pub position: u64,
    /// The end user's raw identifier.
    pub user_id: Option<Cow<'a, str>>,
    /// A display name attached to the identity (PII in its own right).
    pub user_name: Option<Cow<'a, str>>,
    pub conversation_id: Option<Cow<'a, str>>,
    /// Microseconds since the Unix epoch, UTC.
    pub timestamp_us: Option<i64>,
    pub role: Option<Cow<'a, str>>,
    pub text: Option<Cow<'a, str>>,
    /// Every other string found in the record, keyed by JSON Pointer: copies of user input hide
    /// in such fields (Bot Framework trace values, Rasa parse data), so they are scanned or
    /// dropped by policy, never passed through.
    pub extra: Vec<(String, String)>,
}

impl Record<'_> {
    /// The raw identity strings of this record; they are redacted wherever they reappear
    /// in its text, because a user ID echoed into a message would undo the pseudonym.
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        [&self.user_id, &self.user_name, &self.conversation_id]
            .into_iter()
            .filter_map(|s| s.as_deref())
    }
}

/// A record after the policy has run: what may leave the tool.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SanitizedRecord {
    /// A keyed digest of the source and position: stable across runs, opaque without the key.
    pub message_id: MessageId,
    /// Pseudonyms are shared by every message of their user or conversation.
    pub conversation: Option<Arc<str>>,
    pub user: Option<Arc<str>>,
    /// One of the known roles, or `other`.
    pub role: Option<&'static str>,
    pub timestamp_us: Option<i64>,
    pub text: Option<String>,
    pub entities: Vec<EntitySpan>,
    pub sealed: Vec<SealedValue>,
    /// Unmapped fields after redaction, when the input policy scans them.
    pub attributes: Vec<(String, String)>,
    /// The opaque id of the input file.
    pub source: Arc<str>,
}

/// Where a finding was and what was done with it; offsets are bytes into the original field.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySpan {
    /// `text`, or the JSON Pointer of an unmapped field.
    pub field: Arc<str>,
    pub entity: Arc<str>,
    pub start: u32,
    pub end: u32,
    pub action: crate::config::Action,
}

/// An encrypted original value, referenced from the text as `[TYPE:ref]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedValue {
    pub reference: u32,
    pub entity: Arc<str>,
    pub ciphertext: Vec<u8>,
}

/// A message id: the first 16 bytes of a keyed digest as 32 lowercase hex digits, held
/// inline so that a row's id costs no allocation (in `run` it was made on one thread and
/// freed on another).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageId([u8; 32]);

impl MessageId {
    pub fn from_digest(digest: &[u8; 16]) -> MessageId {
        let mut hex = [0; 32];
        data_encoding::HEXLOWER.encode_mut(digest, &mut hex);
        MessageId(hex)
    }

    pub fn as_str(&self) -> &str {
        // Hex digits, or the zeros of `Default`: ASCII either way.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for MessageId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
