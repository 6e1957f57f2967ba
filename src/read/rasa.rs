//! Rasa conversation tracker: `sender_id` is the identity, `events[]` of kind `user` and
//! `bot` are messages. Slots and `latest_message` repeat what events hold and become no rows.

use super::json::{text_of, timestamp_of, unmapped_strings};
use super::RecordError;
use crate::config::Unmapped;
use crate::record::Record;
use serde_json::Value;

const MAPPED: &[&str] = &["/event", "/text", "/timestamp"];

pub fn parse(unmapped: Unmapped, doc: &Value, out: &mut Vec<Record>) -> Result<(), RecordError> {
    let trackers: &[Value] = match doc {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    // Positions run across all trackers of the file so every record has its own.
    let mut position = 0;
    for tracker in trackers {
        let sender = tracker
            .get("sender_id")
            .and_then(text_of)
            .ok_or(RecordError::Shape("a Rasa tracker without sender_id"))?;
        let events = tracker
            .get("events")
            .and_then(Value::as_array)
            .ok_or(RecordError::Shape("a Rasa tracker without an events array"))?;
        for event in events {
            position += 1;
            let kind = event.get("event").and_then(Value::as_str);
            if !matches!(kind, Some("user" | "bot")) {
                continue;
            }
            out.push(Record {
                position,
                user_id: Some(sender.clone()),
                user_name: None,
                // A tracker is one sender's conversation; it has no id of its own.
                conversation_id: Some(sender.clone()),
                timestamp_us: event.get("timestamp").and_then(timestamp_of),
                role: kind.map(|k| k.to_string().into()),
                text: event.get("text").and_then(text_of),
                extra: unmapped_strings(event, unmapped, MAPPED),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_and_bot_events_become_records() {
        let doc = json!({"sender_id":"s1","slots":{"name":"Ann"},"events":[
            {"event":"action","name":"action_listen"},
            {"event":"user","text":"hi","timestamp":1517821726.2,"parse_data":{"text":"hi"}},
            {"event":"bot","text":"hello","timestamp":1517821727}
        ]});
        let mut out = Vec::new();
        parse(Unmapped::Scan, &doc, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].user_id.as_deref(), Some("s1"));
        assert_eq!(out[0].role.as_deref(), Some("user"));
        assert_eq!(out[0].timestamp_us, Some(1_517_821_726_200_000));
        assert_eq!(out[0].extra, vec![("/parse_data/text".into(), "hi".into())]);
        assert_eq!(out[1].position, 3);
    }

    #[test]
    fn missing_sender_is_an_error() {
        assert!(parse(Unmapped::Drop, &json!({"events":[]}), &mut Vec::new()).is_err());
    }
}
