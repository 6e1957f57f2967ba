//! JSON Lines output of sanitized records, for `chatveil stream`: the same fields as the
//! Parquet columns, ciphertexts in base64 and timestamps in RFC 3339.
//!
//! The line is written field by field rather than through `serde`'s derived serializers:
//! nearly every string of a record (ids, pseudonyms, most texts) needs no escaping and is
//! copied whole, where serde_json looks up every byte in its escape table. That lookup was
//! a tenth of the stream's time without detection (`perf`). Strings that do need escaping
//! still go through serde_json, so the output is the same byte for byte.

use crate::record::SanitizedRecord;
use std::io::Write;

/// Writes one record as a line. The line is built in `line` (reused across calls) and
/// handed to the writer whole: one write per record instead of one per JSON token.
pub fn write_line<W: Write + ?Sized>(
    out: &mut W,
    record: &SanitizedRecord,
    line: &mut Vec<u8>,
) -> std::io::Result<()> {
    line.clear();
    let r = record;
    line.extend_from_slice(b"{\"message_id\":");
    push_str(line, &r.message_id)?;
    line.extend_from_slice(b",\"conversation\":");
    push_opt(line, r.conversation.as_deref())?;
    line.extend_from_slice(b",\"user\":");
    push_opt(line, r.user.as_deref())?;
    line.extend_from_slice(b",\"role\":");
    push_opt(line, r.role)?;
    line.extend_from_slice(b",\"ts\":");
    let ts = r
        .timestamp_us
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    push_opt(line, ts.as_deref())?;
    line.extend_from_slice(b",\"text\":");
    push_opt(line, r.text.as_deref())?;
    line.extend_from_slice(b",\"entities\":[");
    for (i, e) in r.entities.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(b"{\"field\":");
        push_str(line, &e.field)?;
        line.extend_from_slice(b",\"type\":");
        push_str(line, &e.entity)?;
        write!(line, ",\"start\":{},\"end\":{},\"action\":", e.start, e.end)?;
        push_str(line, e.action.as_str())?;
        line.push(b'}');
    }
    line.extend_from_slice(b"],\"sealed\":[");
    for (i, v) in r.sealed.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        write!(line, "{{\"ref\":{},\"type\":", v.reference)?;
        push_str(line, &v.entity)?;
        line.extend_from_slice(b",\"ciphertext\":\"");
        line.extend_from_slice(data_encoding::BASE64.encode(&v.ciphertext).as_bytes());
        line.extend_from_slice(b"\"}");
    }
    line.push(b']');
    if !r.attributes.is_empty() {
        line.extend_from_slice(b",\"attributes\":{");
        for (i, (pointer, value)) in r.attributes.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_str(line, pointer)?;
            line.push(b':');
            push_str(line, value)?;
        }
        line.push(b'}');
    }
    line.extend_from_slice(b",\"source\":");
    push_str(line, &r.source)?;
    line.extend_from_slice(b"}\n");
    out.write_all(line)
}

/// Appends `s` as a JSON string: copied whole when it holds nothing JSON escapes (a quote,
/// a backslash, a control character), else escaped by serde_json. The test is written
/// without an early exit so that it compiles to wide compares.
fn push_str(line: &mut Vec<u8>, s: &str) -> std::io::Result<()> {
    let escapes = s.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if escapes {
        serde_json::to_writer(&mut *line, s)?;
    } else {
        line.push(b'"');
        line.extend_from_slice(s.as_bytes());
        line.push(b'"');
    }
    Ok(())
}

fn push_opt(line: &mut Vec<u8>, s: Option<&str>) -> std::io::Result<()> {
    match s {
        Some(s) => push_str(line, s),
        None => {
            line.extend_from_slice(b"null");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Action;
    use crate::record::{EntitySpan, MessageId, SealedValue};

    /// Every field, escaped or not, reads back as what was written.
    #[test]
    fn lines_are_json_with_every_field() {
        let record = SanitizedRecord {
            message_id: MessageId::from_digest(&[0xab; 16]),
            conversation: Some("c_x".into()),
            user: None,
            role: Some("user"),
            timestamp_us: Some(1_700_000_000_000_000),
            text: Some("say \"hi\"\\ to [PERSON]\n\u{1}é".into()),
            entities: vec![EntitySpan {
                field: "/meta/note".into(),
                entity: "PERSON".into(),
                start: 7,
                end: 12,
                action: Action::Redact,
            }],
            sealed: vec![SealedValue {
                reference: 1,
                entity: "EMAIL".into(),
                ciphertext: vec![1, 2, 3],
            }],
            attributes: vec![("/meta/\"note\"".into(), "tab\there".into())],
            source: "s1".into(),
        };
        let mut out = Vec::new();
        write_line(&mut out, &record, &mut Vec::new()).unwrap();
        assert_eq!(out.last(), Some(&b'\n'));
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let expected = serde_json::json!({
            "message_id": "abababababababababababababababab",
            "conversation": "c_x",
            "user": null,
            "role": "user",
            "ts": "2023-11-14T22:13:20Z",
            "text": "say \"hi\"\\ to [PERSON]\n\u{1}é",
            "entities": [{"field": "/meta/note", "type": "PERSON", "start": 7, "end": 12, "action": "redact"}],
            "sealed": [{"ref": 1, "type": "EMAIL", "ciphertext": "AQID"}],
            "attributes": {"/meta/\"note\"": "tab\there"},
            "source": "s1",
        });
        assert_eq!(v, expected);
        // Fields in the documented order, and no attributes member when there are none.
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 10);
        let plain = SanitizedRecord {
            attributes: Vec::new(),
            ..record
        };
        out.clear();
        write_line(&mut out, &plain, &mut Vec::new()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "{\"message_id\":\"abababababababababababababababab\",\"conversation\":\"c_x\",\"user\":null,"
        ));
        assert!(!text.contains("attributes"));
        assert!(text.ends_with(",\"source\":\"s1\"}\n"));
    }
}
