//! JSON Lines output of sanitized records, for `chatveil stream`: the same fields as the
//! Parquet columns, ciphertexts in base64 and timestamps in RFC 3339.

use crate::record::SanitizedRecord;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::io::Write;

struct Row<'a>(&'a SanitizedRecord);

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("message_id", &r.message_id)?;
        m.serialize_entry("conversation", &r.conversation.as_deref())?;
        m.serialize_entry("user", &r.user.as_deref())?;
        m.serialize_entry("role", &r.role)?;
        let ts = r
            .timestamp_us
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        m.serialize_entry("ts", &ts)?;
        m.serialize_entry("text", &r.text)?;
        m.serialize_entry("entities", &Entities(r))?;
        m.serialize_entry("sealed", &Sealed(r))?;
        if !r.attributes.is_empty() {
            m.serialize_entry("attributes", &Attributes(r))?;
        }
        m.serialize_entry("source", &*r.source)?;
        m.end()
    }
}

struct Entities<'a>(&'a SanitizedRecord);

impl Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.entities.len()))?;
        for e in &self.0.entities {
            seq.serialize_element(&Entity {
                field: &e.field,
                r#type: &e.entity,
                start: e.start,
                end: e.end,
                action: e.action.as_str(),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Entity<'a> {
    field: &'a str,
    r#type: &'a str,
    start: u32,
    end: u32,
    action: &'a str,
}

struct Sealed<'a>(&'a SanitizedRecord);

impl Serialize for Sealed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.sealed.len()))?;
        for v in &self.0.sealed {
            seq.serialize_element(&SealedJson {
                r#ref: v.reference,
                r#type: &v.entity,
                ciphertext: data_encoding::BASE64.encode(&v.ciphertext),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct SealedJson<'a> {
    r#ref: u32,
    r#type: &'a str,
    ciphertext: String,
}

struct Attributes<'a>(&'a SanitizedRecord);

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.attributes.len()))?;
        for (k, v) in &self.0.attributes {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Writes one record as a line. The line is built in `line` (reused across calls) and
/// handed to the writer whole: one write per record instead of one per JSON token.
pub fn write_line<W: Write + ?Sized>(
    out: &mut W,
    record: &SanitizedRecord,
    line: &mut Vec<u8>,
) -> std::io::Result<()> {
    line.clear();
    serde_json::to_writer(&mut *line, &Row(record))?;
    line.push(b'\n');
    out.write_all(line)
}
