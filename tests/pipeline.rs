//! End-to-end: the binary on the fixtures and on the shared real transcripts, read back with
//! the parquet crate. The first invariant is checked here: no planted PII and no raw
//! identity survives anywhere in the output.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn planted() -> Vec<String> {
    let text = std::fs::read_to_string(fixtures().join("planted.toml")).unwrap();
    let t: toml::Table = toml::from_str(&text).unwrap();
    let mut all = Vec::new();
    for key in ["identities", "values"] {
        for v in t[key].as_array().unwrap() {
            all.push(v.as_str().unwrap().to_string());
        }
    }
    assert!(all.len() > 20);
    all
}

/// Messages a file holds, counted independently of the readers under test.
fn message_count(path: &Path) -> usize {
    let name = path.to_string_lossy().to_string();
    let bytes = std::fs::read(path).unwrap();
    let text = if name.ends_with(".gz") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(bytes).unwrap()
    };
    if name.contains(".jsonl") {
        return text.lines().filter(|l| !l.trim().is_empty()).count();
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    if name.ends_with(".transcript") {
        return doc
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"] == "message")
            .count();
    }
    if let Some(events) = doc.get("events") {
        return events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "user" || e["event"] == "bot")
            .count();
    }
    doc["utterances"].as_array().unwrap().len()
}

fn transcript_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(transcript_files(&p));
        } else if chatveil::read::format_from_name(&p).is_some() {
            out.push(p);
        }
    }
    out
}

#[test]
fn fixtures_lose_every_planted_value_and_keep_every_message() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let out_dir = tmp.path().join("out");
    let out = run_ok(
        run_cmd(fixtures(), &out_dir)
            .arg("--key-file")
            .arg(&key)
            .arg("--quiet"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_absent(
        &out_dir,
        &planted(),
        &[&stderr, &String::from_utf8_lossy(&out.stdout)],
    );

    let batches = read_batches(&out_dir.join("messages"));
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let expected: usize = transcript_files(&fixtures())
        .iter()
        .map(|p| message_count(p))
        .sum();
    assert_eq!(rows, expected);
    assert!(rows >= 15);

    // Placeholders replaced the values, and the columns are what the schema promises.
    let text: Vec<String> = column(&batches, "text").into_iter().flatten().collect();
    for placeholder in [
        "[EMAIL]",
        "[PHONE]",
        "[CREDIT_CARD]",
        "[US_SSN]",
        "[IBAN]",
        "[IP_ADDRESS]",
        "[URL]",
        "[PERSON]",
    ] {
        assert!(
            text.iter().any(|t| t.contains(placeholder)),
            "{placeholder} missing"
        );
    }
    assert!(
        text.iter().any(|t| t.contains("4111 1111 1111 1112")),
        "Luhn-invalid number is not a card"
    );
    for u in column(&batches, "user").into_iter().flatten() {
        assert!(u.starts_with("u_") && u.len() >= 26 + 4, "{u}");
    }
    let sources: BTreeSet<String> = column(&batches, "source").into_iter().flatten().collect();
    assert_eq!(sources.len(), 4, "one opaque source id per input file");

    // The audit names inputs by hash and counts findings, without paths or values.
    let audit = std::fs::read_dir(out_dir.join("audit"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let report: Value = serde_json::from_slice(&std::fs::read(audit).unwrap()).unwrap();
    assert_eq!(report["totals"]["rows"], rows as u64);
    assert_eq!(report["totals"]["quarantined"], 0);
    assert!(report["totals"]["findings"]["EMAIL"].as_u64().unwrap() >= 4);
    assert_eq!(report["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(report["outputs"][0]["sha256"].as_str().unwrap().len(), 64);
    let audit_text = report.to_string();
    assert!(!audit_text.contains("fixtures"), "no paths in the audit");
}

#[test]
fn pseudonyms_follow_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let k1 = keygen(tmp.path(), "a.key");
    let k2 = keygen(tmp.path(), "b.key");
    let users = |key: &Path, out: &str| {
        let dir = tmp.path().join(out);
        run_ok(
            run_cmd(fixtures().join("jsonl"), &dir)
                .arg("--key-file")
                .arg(key)
                .arg("--quiet"),
        );
        let b = read_batches(&dir.join("messages"));
        (
            column(&b, "user"),
            column(&b, "conversation"),
            column(&b, "message_id"),
            column(&b, "text"),
        )
    };
    let first = users(&k1, "o1");
    let again = users(&k1, "o2");
    let other = users(&k2, "o3");
    assert_eq!(
        first, again,
        "same input and key give the same rows in the same order"
    );
    assert_ne!(first.0, other.0);
    assert_ne!(first.1, other.1);
    assert_ne!(first.2, other.2);
    assert_eq!(first.3, other.3, "redaction does not depend on the key");
}

#[test]
fn rerun_into_the_same_folder_replaces_the_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let dir = tmp.path().join("out");
    for _ in 0..2 {
        run_ok(
            run_cmd(fixtures().join("rasa"), &dir)
                .arg("--key-file")
                .arg(&key)
                .arg("--quiet"),
        );
    }
    let rows: usize = row_count(&dir.join("messages"));
    assert_eq!(rows, 3);
    assert_eq!(std::fs::read_dir(dir.join("audit")).unwrap().count(), 2);
}

#[test]
fn shared_real_transcripts_lose_their_identities() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/ is not here");
        return;
    };
    let dir = shared.join("transcripts");
    let files = transcript_files(&dir);
    assert!(!files.is_empty());
    let mut ids = BTreeSet::new();
    for f in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let items: Vec<&Value> = match &doc {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for a in items {
            for p in [
                "/from/id",
                "/recipient/id",
                "/conversation/id",
                "/sender_id",
                "/conversation_id",
            ] {
                if let Some(s) = a.pointer(p).and_then(Value::as_str) {
                    ids.insert(s.to_string());
                }
            }
        }
    }
    assert!(ids.len() >= 5);
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let out = run_ok(run_cmd(&dir, &out_dir).arg("--quiet"));
    let ids: Vec<String> = ids.into_iter().collect();
    assert_absent(&out_dir, &ids, &[&String::from_utf8_lossy(&out.stderr)]);
    let rows: usize = row_count(&out_dir.join("messages"));
    let expected: usize = files.iter().map(|p| message_count(p)).sum();
    assert_eq!(rows, expected);
}

#[test]
fn unmapped_fields_are_scanned_when_configured() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("c.toml");
    std::fs::write(
        &config,
        "[input]\nunmapped = \"scan\"\nbotframework_activity_types = [\"message\", \"trace\"]\n",
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let out = run_ok(
        run_cmd(fixtures().join("botframework"), &out_dir)
            .arg("--config")
            .arg(&config)
            .arg("--quiet"),
    );
    assert_absent(
        &out_dir,
        &planted(),
        &[&String::from_utf8_lossy(&out.stderr)],
    );
    let batches = read_batches(&out_dir.join("messages"));
    let strings = all_strings(&batches);
    assert!(
        strings.iter().any(|s| s == "/value/userState/lastInput"),
        "trace values are kept, scanned"
    );
    assert!(strings.iter().any(|s| s == "reach me at [EMAIL]"));
}

#[test]
fn compressed_inputs_read_as_a_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let transcript = std::fs::read(fixtures().join("botframework/clinic.transcript")).unwrap();
    std::fs::write(
        dir.join("clinic.transcript.zst"),
        zstd::encode_all(&transcript[..], 3).unwrap(),
    )
    .unwrap();
    let tracker = std::fs::read(fixtures().join("rasa/tracker.json")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tracker).unwrap();
    std::fs::write(dir.join("tracker.json.gz"), gz.finish().unwrap()).unwrap();
    let out_dir = tmp.path().join("out");
    let out = run_ok(run_cmd(&dir, &out_dir).arg("--quiet"));
    assert_absent(
        &out_dir,
        &planted(),
        &[&String::from_utf8_lossy(&out.stderr)],
    );
    let rows: usize = row_count(&out_dir.join("messages"));
    let expected = message_count(&fixtures().join("botframework/clinic.transcript"))
        + message_count(&fixtures().join("rasa/tracker.json"));
    assert_eq!(rows, expected);
}

#[test]
fn format_flag_overrides_detection() {
    let tmp = tempfile::tempdir().unwrap();
    let odd = tmp.path().join("export.txt");
    std::fs::copy(fixtures().join("jsonl/healthbot.jsonl"), &odd).unwrap();
    let out_dir = tmp.path().join("out");
    run_ok(
        bin()
            .arg("run")
            .arg(&odd)
            .arg("--format")
            .arg("jsonl")
            .arg("--out")
            .arg(&out_dir)
            .arg("--quiet"),
    );
    let rows: usize = row_count(&out_dir.join("messages"));
    assert_eq!(
        rows,
        message_count(&fixtures().join("jsonl/healthbot.jsonl"))
    );
    let bad = bin()
        .arg("run")
        .arg(&odd)
        .arg("--format")
        .arg("csv")
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown format"));
}
