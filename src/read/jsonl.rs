//! JSON Lines: one object per line, fields found through configurable JSON Pointers.

use super::json::{first_text, lookup, timestamp_of, unmapped_strings};
use super::{parse_json, RecordError};
use crate::config::{JsonlMapping, Unmapped};
use crate::record::Record;

pub fn parse_line(
    mapping: &JsonlMapping,
    unmapped: Unmapped,
    position: u64,
    line: &[u8],
) -> Result<Record, RecordError> {
    let doc = parse_json(line)?;
    if !doc.is_object() {
        return Err(RecordError::Shape("a JSONL line that is not an object"));
    }
    let mut mapped: Vec<&str> = Vec::with_capacity(6);
    let mut take = |pointers| {
        first_text(&doc, pointers).map(|(p, v)| {
            mapped.push(p);
            v
        })
    };
    let user_id = take(&mapping.user_id);
    let user_name = take(&mapping.user_name);
    let conversation_id = take(&mapping.conversation_id);
    let role = take(&mapping.role);
    let text = take(&mapping.text);
    let timestamp = mapping
        .timestamp
        .iter()
        .find_map(|p| lookup(&doc, p).map(|v| (p.as_str(), v)));
    let timestamp_us = timestamp.and_then(|(p, v)| {
        mapped.push(p);
        timestamp_of(v)
    });
    // Identity pointers that did not match still name identity fields (a second user-id
    // spelling, say); they are left out rather than scanned as free text.
    let extra = unmapped_strings(&doc, unmapped, &mapped);
    Ok(Record {
        position,
        user_id,
        user_name,
        conversation_id,
        timestamp_us,
        role,
        text,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str, unmapped: Unmapped) -> Result<Record, RecordError> {
        parse_line(&JsonlMapping::default(), unmapped, 7, line.as_bytes())
    }

    #[test]
    fn default_pointers_fit_common_exports() {
        let r = parse(
            r#"{"from":{"id":"u-1","name":"Ann Lee","role":"user"},"conversation":{"id":"c-9"},"timestamp":1700000000000,"text":"hello"}"#,
            Unmapped::Drop,
        )
        .unwrap();
        assert_eq!(r.user_id.as_deref(), Some("u-1"));
        assert_eq!(r.user_name.as_deref(), Some("Ann Lee"));
        assert_eq!(r.conversation_id.as_deref(), Some("c-9"));
        assert_eq!(r.role.as_deref(), Some("user"));
        assert_eq!(r.timestamp_us, Some(1_700_000_000_000_000));
        assert_eq!(r.position, 7);
        assert!(r.extra.is_empty());
    }

    #[test]
    fn unmapped_fields_are_scanned_when_asked() {
        let r = parse(
            r#"{"user_id":42,"text":"hi","meta":{"note":"call me"}}"#,
            Unmapped::Scan,
        )
        .unwrap();
        assert_eq!(r.user_id.as_deref(), Some("42"));
        assert_eq!(
            r.extra,
            vec![("/meta/note".to_string(), "call me".to_string())]
        );
    }

    #[test]
    fn non_objects_and_bad_json_are_errors() {
        assert!(matches!(
            parse("[1,2]", Unmapped::Drop),
            Err(RecordError::Shape(_))
        ));
        assert!(matches!(
            parse("{\"text\": ", Unmapped::Drop),
            Err(RecordError::Json { .. })
        ));
    }
}
