//! Helpers shared by the JSON-based readers: pulling typed fields out of a value and
//! gathering every other string for the unmapped-field policy.

use crate::config::Unmapped;
use serde_json::Value;
use std::borrow::Cow;

/// The field as text: identifiers are sometimes numbers in exports. Owned, because the
/// parsed document it comes from does not outlive the unit.
pub fn text_of(v: &Value) -> Option<Cow<'static, str>> {
    match v {
        Value::String(s) => Some(Cow::Owned(s.clone())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// `Value::pointer` without its per-token allocations (it unescapes every token into a new
/// string); pointers in export mappings rarely need escapes, so those take the slow path.
pub fn lookup<'v>(doc: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.contains('~') {
        return doc.pointer(pointer);
    }
    if pointer.is_empty() {
        return Some(doc);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(doc, |v, token| match v {
            Value::Object(map) => map.get(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
}

/// The first pointer that resolves to text, and that pointer.
pub fn first_text<'p>(doc: &Value, pointers: &'p [String]) -> Option<(&'p str, Cow<'static, str>)> {
    pointers
        .iter()
        .find_map(|p| lookup(doc, p).and_then(text_of).map(|t| (p.as_str(), t)))
}

/// RFC 3339 text, or a number of epoch seconds (milliseconds when it is too large to be
/// seconds), as microseconds since the epoch.
pub fn timestamp_of(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_micros()),
        Value::Number(n) => {
            let x = n.as_f64()?;
            // 1e11 seconds is the year 5138; anything larger is milliseconds.
            let micros = if x.abs() >= 1e11 { x * 1e3 } else { x * 1e6 };
            // `as` saturates: out-of-range values must become no timestamp, not the end of time.
            Some(micros.round() as i64).filter(|&t| {
                micros.is_finite() && chrono::DateTime::from_timestamp_micros(t).is_some()
            })
        }
        _ => None,
    }
}

/// Appends every string under `v` as (JSON Pointer, value), skipping the pointers the
/// caller already mapped. Object keys are walked in sorted order so output is stable.
pub fn collect_strings(
    v: &Value,
    pointer: &mut String,
    skip: &dyn Fn(&str) -> bool,
    out: &mut Vec<(String, String)>,
) {
    if skip(pointer) {
        return;
    }
    match v {
        Value::String(s) => out.push((pointer.clone(), s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                collect_strings(item, pointer, skip, out);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                collect_strings(item, pointer, skip, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// The unmapped strings of `v` when the policy scans them; nothing when it drops them.
pub fn unmapped_strings(v: &Value, policy: Unmapped, mapped: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if policy == Unmapped::Scan {
        let skip = |p: &str| mapped.contains(&p);
        collect_strings(v, &mut String::new(), &skip, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_agrees_with_value_pointer() {
        let v = json!({"a": {"b/c": [1, {"d": "x"}], "e~f": 2}, "": 3});
        for p in [
            "",
            "/a",
            "/a/b~1c/1/d",
            "/a/e~0f",
            "/a/b~1c/0",
            "/a/x",
            "/a/b~1c/9",
            "/",
            "a",
        ] {
            assert_eq!(lookup(&v, p), v.pointer(p), "{p}");
        }
    }

    #[test]
    fn timestamps_in_all_forms() {
        let want = 1_517_821_726_211_000;
        assert_eq!(timestamp_of(&json!("2018-02-05T09:08:46.211Z")), Some(want));
        assert_eq!(
            timestamp_of(&json!("2018-02-05T10:08:46.211+01:00")),
            Some(want)
        );
        assert_eq!(timestamp_of(&json!(1517821726.211)), Some(want));
        assert_eq!(timestamp_of(&json!(1517821726211_i64)), Some(want));
        assert_eq!(timestamp_of(&json!("yesterday")), None);
        assert_eq!(timestamp_of(&json!(1e300)), None);
        assert_eq!(timestamp_of(&json!(-1e300)), None);
    }

    #[test]
    fn collects_nested_strings_except_mapped() {
        let v = json!({"text": "hi", "value": {"a/b": ["x", {"c": "y"}]}, "n": 1});
        let got = unmapped_strings(&v, Unmapped::Scan, &["/text"]);
        assert_eq!(
            got,
            vec![
                ("/value/a~1b/0".to_string(), "x".to_string()),
                ("/value/a~1b/1/c".to_string(), "y".to_string())
            ]
        );
        assert!(unmapped_strings(&v, Unmapped::Drop, &[]).is_empty());
    }
}
