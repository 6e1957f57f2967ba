//! Bot Framework `.transcript`: a JSON array of Activities.
//!
//! `from`/`recipient`/`conversation` ids are identities and `from.name` is PII. Everything
//! else in an activity (trace `value` objects hold copies of what the user typed) goes to the
//! unmapped-field policy, never through unscanned.

use super::json::{lookup, text_of, timestamp_of, unmapped_strings};
use super::RecordError;
use crate::config::InputConfig;
use crate::record::Record;
use serde_json::Value;

/// Fields turned into record columns or identities.
const MAPPED: &[&str] = &[
    "/type",
    "/from/id",
    "/from/name",
    "/from/role",
    "/recipient/id",
    "/recipient/name",
    "/recipient/role",
    "/conversation/id",
    "/timestamp",
    "/text",
];

pub fn parse(config: &InputConfig, doc: &Value, out: &mut Vec<Record>) -> Result<(), RecordError> {
    let activities = doc.as_array().ok_or(RecordError::Shape(
        "a Bot Framework transcript that is not an array",
    ))?;
    for (index, activity) in activities.iter().enumerate() {
        let kind = activity.get("type").and_then(Value::as_str).unwrap_or("");
        if !config.botframework_activity_types.iter().any(|t| t == kind) {
            continue;
        }
        out.push(activity_record(config, index as u64 + 1, activity));
    }
    Ok(())
}

fn activity_record(config: &InputConfig, position: u64, a: &Value) -> Record<'static> {
    let field = |p: &str| lookup(a, p).and_then(text_of);
    let from_role = field("/from/role");
    // The end user is the sender of user messages and the recipient of bot messages, so
    // every row of a conversation carries the same user.
    let human = if from_role.as_deref() == Some("bot") {
        "/recipient"
    } else {
        "/from"
    };
    Record {
        position,
        user_id: field(&format!("{human}/id")),
        user_name: field(&format!("{human}/name")),
        conversation_id: field("/conversation/id"),
        timestamp_us: a.get("timestamp").and_then(timestamp_of),
        role: from_role,
        text: field("/text"),
        extra: unmapped_strings(a, config.unmapped, MAPPED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Unmapped;
    use serde_json::json;

    fn doc() -> Value {
        json!([
            {"type":"conversationUpdate","from":{"id":"u1"},"conversation":{"id":"c1"}},
            {"type":"message","from":{"id":"u1","name":"Ann","role":"user"},"recipient":{"id":"b1","role":"bot"},
             "conversation":{"id":"c1"},"timestamp":"2019-08-20T20:37:05.499Z","text":"hi","channelData":{"x":"secret"}},
            {"type":"message","from":{"id":"b1","name":"Bot","role":"bot"},"recipient":{"id":"u1","name":"Ann","role":"user"},
             "conversation":{"id":"c1"},"text":"hello Ann"},
            {"type":"trace","value":{"userInput":"my ssn"}}
        ])
    }

    #[test]
    fn messages_become_records_with_the_human_as_user() {
        let mut out = Vec::new();
        parse(&InputConfig::default(), &doc(), &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].position, 2);
        assert_eq!(out[0].user_id.as_deref(), Some("u1"));
        assert_eq!(out[0].user_name.as_deref(), Some("Ann"));
        assert_eq!(out[1].user_id.as_deref(), Some("u1"));
        assert_eq!(out[1].role.as_deref(), Some("bot"));
        assert!(
            out[0].extra.is_empty(),
            "unmapped fields are dropped by default"
        );
    }

    #[test]
    fn other_activity_types_and_unmapped_strings_on_request() {
        let config = InputConfig {
            unmapped: Unmapped::Scan,
            botframework_activity_types: vec!["message".into(), "trace".into()],
            ..InputConfig::default()
        };
        let mut out = Vec::new();
        parse(&config, &doc(), &mut out).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[0].extra,
            vec![("/channelData/x".into(), "secret".into())]
        );
        assert_eq!(
            out[2].extra,
            vec![("/value/userInput".into(), "my ssn".into())]
        );
    }

    #[test]
    fn not_an_array_is_an_error() {
        assert!(parse(&InputConfig::default(), &json!({"a":1}), &mut Vec::new()).is_err());
    }
}
