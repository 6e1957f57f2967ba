//! JSON Lines: one object per line, fields found through configurable JSON Pointers.

use super::json::{first_text, lookup, text_of, timestamp_of, unmapped_strings};
use super::{parse_json, RecordError};
use crate::config::{JsonlMapping, Unmapped};
use crate::record::Record;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// Most distinct members the pointers of a mapping may start in for the fast path; a
/// mapping naming more parses each line whole. The default names 12. Their values are held
/// in an array, where a vector of a line's members was an allocation per line. Clearing and
/// moving the array costs instructions the vector did not: on 20,000 lines of `stream`,
/// 1.1 million more with 16 slots, 4.2 million more with 32.
const MAX_MEMBERS: usize = 16;

/// The JSONL mapping with every pointer split once: a line's members are then found by
/// comparing keys, where splitting and unescaping sixteen pointers for every line was a
/// twentieth of `stream`'s instructions without detection.
pub struct Mapping {
    pointers: JsonlMapping,
    /// The distinct members the pointers start in (unescaped first tokens), each pointer's
    /// `slot` indexing them; None when there are more than MAX_MEMBERS.
    members: Option<Vec<String>>,
    user_id: Vec<Pointer>,
    user_name: Vec<Pointer>,
    conversation_id: Vec<Pointer>,
    timestamp: Vec<Pointer>,
    role: Vec<Pointer>,
    text: Vec<Pointer>,
}

/// A JSON Pointer as the member it starts in (an index into `Mapping::members`) and the
/// pointer into that member's value, if it goes deeper.
struct Pointer {
    slot: usize,
    tail: Option<String>,
}

impl Mapping {
    pub fn new(pointers: &JsonlMapping) -> Mapping {
        let mut members: Vec<String> = Vec::new();
        // A pointer that does not start with `/` names no member, so it never matches.
        let mut split = |list: &[String]| -> Vec<Pointer> {
            list.iter()
                .filter_map(|p| {
                    let rest = p.strip_prefix('/')?;
                    let (first, tail) = match rest.split_once('/') {
                        Some((f, t)) => (f, Some(format!("/{t}"))),
                        None => (rest, None),
                    };
                    let member = first.replace("~1", "/").replace("~0", "~");
                    let slot = match members.iter().position(|m| *m == member) {
                        Some(slot) => slot,
                        None => {
                            members.push(member);
                            members.len() - 1
                        }
                    };
                    Some(Pointer { slot, tail })
                })
                .collect()
        };
        let user_id = split(&pointers.user_id);
        let user_name = split(&pointers.user_name);
        let conversation_id = split(&pointers.conversation_id);
        let timestamp = split(&pointers.timestamp);
        let role = split(&pointers.role);
        let text = split(&pointers.text);
        Mapping {
            pointers: pointers.clone(),
            members: (members.len() <= MAX_MEMBERS).then_some(members),
            user_id,
            user_name,
            conversation_id,
            timestamp,
            role,
            text,
        }
    }
}

pub fn parse_line<'a>(
    mapping: &Mapping,
    unmapped: Unmapped,
    position: u64,
    line: &'a [u8],
) -> Result<Record<'a>, RecordError> {
    if let (Unmapped::Drop, Some(members)) = (unmapped, &mapping.members) {
        return parse_members(mapping, members, position, line);
    }
    let doc = parse_json(line)?;
    if !doc.is_object() {
        return Err(RecordError::Shape(NOT_AN_OBJECT));
    }
    let mapping = &mapping.pointers;
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

const NOT_AN_OBJECT: &str = "a JSONL line that is not an object";

/// The raw values of the members a mapping's pointers start in, borrowed from the line
/// (later duplicates win, as they do in a full parse). When unmapped fields are dropped, only
/// these are ever parsed into values, and the rest of the line is only checked: the hot path
/// allocates for the fields it keeps and for nothing else.
struct Members<'a>([Option<&'a RawValue>; MAX_MEMBERS]);

#[derive(Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// Deserializes a line's `Members`, given the names of the members wanted.
struct Wanted<'m>(&'m [String]);

impl<'de> serde::de::DeserializeSeed<'de> for Wanted<'_> {
    type Value = Members<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Members<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Wanted<'_> {
    type Value = Members<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Members<'de>, M::Error> {
        let mut slots = [None; MAX_MEMBERS];
        while let Some(Key(key)) = map.next_key::<Key>()? {
            match self.0.iter().position(|m| *m == key) {
                Some(slot) => slots[slot] = Some(map.next_value::<&RawValue>()?),
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Members(slots))
    }
}

impl<'a> Members<'a> {
    /// The raw member a pointer starts in.
    fn member(&self, pointer: &Pointer) -> Option<&'a RawValue> {
        self.0[pointer.slot]
    }

    /// The value a pointer names, parsed from the raw member it starts in.
    fn get(&self, pointer: &Pointer) -> Option<Value> {
        let value: Value = serde_json::from_str(self.member(pointer)?.get()).ok()?;
        match &pointer.tail {
            None => Some(value),
            Some(tail) => lookup(&value, tail).cloned(),
        }
    }

    /// Text straight from a top-level member: borrowed from the line when the JSON string
    /// holds no escape (the raw value is valid JSON, so its content is the text as it is),
    /// else unescaped into one allocation; nested members go through a parsed value.
    fn text(&self, pointer: &Pointer) -> Option<Cow<'a, str>> {
        if pointer.tail.is_some() {
            return self.get(pointer).as_ref().and_then(text_of);
        }
        let raw = self.member(pointer)?.get();
        if raw.starts_with('"') {
            let inner = &raw[1..raw.len() - 1];
            if memchr::memchr(b'\\', inner.as_bytes()).is_some() {
                serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
            } else {
                Some(Cow::Borrowed(inner))
            }
        } else {
            serde_json::from_str::<serde_json::Number>(raw)
                .ok()
                .map(|n| Cow::Owned(n.to_string()))
        }
    }

    fn first_text(&self, pointers: &[Pointer]) -> Option<Cow<'a, str>> {
        pointers.iter().find_map(|p| self.text(p))
    }
}

fn parse_members<'a>(
    mapping: &Mapping,
    members: &[String],
    position: u64,
    line: &'a [u8],
) -> Result<Record<'a>, RecordError> {
    let text = std::str::from_utf8(line).map_err(|e| RecordError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    if !text.trim_start().starts_with('{') {
        // Still report malformed JSON as such rather than as a shape problem.
        parse_json(line)?;
        return Err(RecordError::Shape(NOT_AN_OBJECT));
    }
    let mut json = serde_json::Deserializer::from_str(text);
    let members = serde::de::DeserializeSeed::deserialize(Wanted(members), &mut json)
        .and_then(|members| json.end().map(|()| members))
        .map_err(|e| RecordError::from_json(&e))?;
    Ok(Record {
        position,
        user_id: members.first_text(&mapping.user_id),
        user_name: members.first_text(&mapping.user_name),
        conversation_id: members.first_text(&mapping.conversation_id),
        timestamp_us: mapping
            .timestamp
            .iter()
            .find_map(|p| members.get(p))
            .and_then(|v| timestamp_of(&v)),
        role: members.first_text(&mapping.role),
        text: members.first_text(&mapping.text),
        extra: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str, unmapped: Unmapped) -> Result<Record<'_>, RecordError> {
        parse_line(
            &Mapping::new(&JsonlMapping::default()),
            unmapped,
            7,
            line.as_bytes(),
        )
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
    fn escaped_pointer_tokens_name_their_members() {
        let mapping = JsonlMapping {
            user_id: vec!["no-slash".into(), "/a~1b".into()],
            text: vec!["/x~0y/0".into()],
            ..JsonlMapping::default()
        };
        let line = r#"{"a/b":"u-9","x~y":["first","second"],"a~1b":"not this"}"#;
        for unmapped in [Unmapped::Drop, Unmapped::Scan] {
            let r = parse_line(&Mapping::new(&mapping), unmapped, 1, line.as_bytes()).unwrap();
            assert_eq!(r.user_id.as_deref(), Some("u-9"));
            assert_eq!(r.text.as_deref(), Some("first"));
        }
    }

    #[test]
    fn mappings_naming_many_members_parse_whole_lines() {
        let mapping = Mapping::new(&JsonlMapping {
            text: (0..MAX_MEMBERS + 8).map(|i| format!("/t{i}")).collect(),
            ..JsonlMapping::default()
        });
        assert!(mapping.members.is_none());
        let line = format!(r#"{{"t{}":"late","user_id":"u"}}"#, MAX_MEMBERS + 7);
        let r = parse_line(&mapping, Unmapped::Drop, 1, line.as_bytes()).unwrap();
        assert_eq!(r.text.as_deref(), Some("late"));
        assert_eq!(r.user_id.as_deref(), Some("u"));
        let trailing = parse_line(
            &Mapping::new(&JsonlMapping::default()),
            Unmapped::Drop,
            1,
            br#"{"text":"a"} x"#,
        );
        assert!(matches!(trailing, Err(RecordError::Json { .. })));
    }

    #[test]
    fn plain_strings_are_borrowed_from_the_line() {
        let r = parse(
            r#"{"user_id":"u-1","role":"user","text":"say \"hi\" \u00e9","conversation_id":7}"#,
            Unmapped::Drop,
        )
        .unwrap();
        assert!(matches!(r.user_id, Some(Cow::Borrowed("u-1"))));
        assert!(matches!(r.role, Some(Cow::Borrowed("user"))));
        // Escapes must be undone, so that text is a copy.
        assert!(matches!(r.text, Some(Cow::Owned(ref t)) if t == "say \"hi\" \u{e9}"));
        assert!(matches!(r.conversation_id, Some(Cow::Owned(ref c)) if c == "7"));
    }

    #[test]
    fn borrowed_and_full_parses_agree() {
        for line in [
            r#"{"from":{"id":"u-1","name":"Ann"},"conversation":{"id":"c-9"},"timestamp":"2026-01-01T00:00:00Z","text":"hi \"there\" \u00e9"}"#,
            r#"{"user_id":7,"user_id":"dup-last","session_id":"s","speaker":"USER","text":null,"timestamp":1700000000}"#,
            r#"{"a~1b":"x","user":"plain","role":["not","text"],"text":"t"}"#,
            r#"  {"text":"leading space"}"#,
        ] {
            let fast = parse(line, Unmapped::Drop).unwrap();
            let mut full = parse(line, Unmapped::Scan).unwrap();
            full.extra.clear();
            assert_eq!(fast, full, "{line}");
        }
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
