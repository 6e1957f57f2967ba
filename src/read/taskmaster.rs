//! Taskmaster-style utterance lists: `{conversation_id, utterances[{speaker, text}]}`, alone
//! or in an array. They name no user, so rows carry only the conversation.

use super::json::{text_of, unmapped_strings};
use super::RecordError;
use crate::config::Unmapped;
use crate::record::Record;
use serde_json::Value;

const MAPPED: &[&str] = &["/speaker", "/text", "/index"];

pub fn parse(unmapped: Unmapped, doc: &Value, out: &mut Vec<Record>) -> Result<(), RecordError> {
    let dialogs: &[Value] = match doc {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    let mut position = 0;
    for dialog in dialogs {
        let conversation_id = dialog.get("conversation_id").and_then(text_of);
        let utterances =
            dialog
                .get("utterances")
                .and_then(Value::as_array)
                .ok_or(RecordError::Shape(
                    "a Taskmaster dialog without an utterances array",
                ))?;
        for u in utterances {
            position += 1;
            out.push(Record {
                position,
                conversation_id: conversation_id.clone(),
                role: u
                    .get("speaker")
                    .and_then(text_of)
                    .map(|s| s.to_lowercase().into()),
                text: u.get("text").and_then(text_of),
                extra: unmapped_strings(u, unmapped, MAPPED),
                ..Record::default()
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
    fn utterances_become_records() {
        let doc = json!({"conversation_id":"dlg-1","utterances":[
            {"index":0,"speaker":"USER","text":"hi"},
            {"index":1,"speaker":"ASSISTANT","text":"hello","segments":[{"text":"hello"}]}]});
        let mut out = Vec::new();
        parse(Unmapped::Scan, &doc, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].role.as_deref(), Some("assistant"));
        assert_eq!(out[1].conversation_id.as_deref(), Some("dlg-1"));
        assert_eq!(
            out[1].extra,
            vec![("/segments/0/text".into(), "hello".into())]
        );
    }
}
