//! A whole run over a folder of mixed good and bad input: every record is written or
//! quarantined (encrypted, and opening again with the key), every input's counts add up,
//! documents are audited under their real format, and no planted value leaks anywhere.

mod common;

use chatveil::crypto::{read_key_file, CryptoError};
use chatveil::pipeline::open_quarantine_entry;
use chatveil::write::QuarantineKind;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const SSN: &str = "078-05-1120";
const EMAIL: &str = "rob.secret@example.com";
const USER: &str = "user-secret-4417";

fn line(text: &str) -> String {
    format!("{{\"user_id\":\"{USER}\",\"conversation_id\":\"conv-secret-1\",\"timestamp\":1517821726,\"text\":\"{text}\"}}")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Lines enough for several zstd blocks, so a cut archive still holds whole records
/// before the break.
const MANY: u64 = 3000;

fn many_lines() -> Vec<u8> {
    (0..MANY)
        .map(|i| line(&format!("ssn {SSN} mail {EMAIL} number {i}")) + "\n")
        .collect::<String>()
        .into_bytes()
}

/// What a file should come to in the audit: (format, rows, quarantined, failed).
type Expect = (&'static str, Option<u64>, u64, bool);

/// Writes the mixed folder; returns what each file should give, by path.
fn mixed_inputs(dir: &Path) -> BTreeMap<PathBuf, Expect> {
    let mut want = BTreeMap::new();
    let mut put = |name: &str, bytes: &[u8], expect: Expect| {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        want.insert(path, expect);
    };
    let good = format!("{}\n{}\n", line(&format!("my ssn is {SSN}")), line(EMAIL));
    put("good.jsonl", good.as_bytes(), ("jsonl", Some(2), 0, false));
    let mut mixed = Vec::new();
    mixed.extend_from_slice(line("fine").as_bytes());
    mixed.extend_from_slice(b"\r\n\r\n");
    mixed.extend_from_slice(format!("{{\"text\":\"{SSN}\" oops\r\n").as_bytes());
    mixed.extend_from_slice(b"{\"text\":\"\xff");
    mixed.extend_from_slice(format!("{SSN}\"}}\n").as_bytes());
    mixed.extend_from_slice(b"{\"text\":\"\xfe\xff\"}\n");
    mixed.extend_from_slice(
        format!(
            "{}{{\"a\":\"{SSN}\"}}{}\n",
            "[".repeat(300),
            "]".repeat(300)
        )
        .as_bytes(),
    );
    mixed.extend_from_slice(format!("{{\"text\":\"{EMAIL}\",\"timestamp\":1e300}}\n").as_bytes());
    mixed.extend_from_slice(line("no final newline").as_bytes());
    put("mixed.jsonl", &mixed, ("jsonl", Some(3), 4, false));
    put(
        "bom.jsonl",
        format!("\u{feff}{}\r\n", line(SSN)).as_bytes(),
        ("jsonl", Some(1), 0, false),
    );
    put(
        "good.jsonl.gz",
        &gzip(&many_lines()),
        ("jsonl", Some(MANY), 0, false),
    );
    let gz = gzip(&many_lines());
    put(
        "cut.jsonl.gz",
        &gz[..gz.len() * 2 / 3],
        ("jsonl", None, 1, true),
    );
    let zst = zstd::stream::encode_all(&many_lines()[..], 3).unwrap();
    put(
        "cut.jsonl.zst",
        &zst[..zst.len() * 2 / 3],
        ("jsonl", None, 1, true),
    );
    // More bad lines than the terminal names one by one.
    let bad: String = (0..25)
        .map(|i| format!("{{\"text\":\"{SSN} {i}\"\n"))
        .collect();
    put(
        "many-bad.jsonl",
        bad.as_bytes(),
        ("jsonl", Some(0), 25, false),
    );
    put("empty.jsonl", b"", ("jsonl", Some(0), 0, false));
    // Not even a gzip header: truncated to nothing.
    put("zero.jsonl.gz", b"", ("jsonl", Some(0), 1, true));
    put("blank.jsonl", b"\n \r\n\t\n", ("jsonl", Some(0), 0, false));
    let rasa = std::fs::read(fixtures().join("rasa/tracker.json")).unwrap();
    put("tracker.json", &rasa, ("rasa", None, 0, false));
    let bf = std::fs::read(fixtures().join("botframework/clinic.transcript")).unwrap();
    put("clinic.json", &bf, ("botframework", None, 0, false));
    let tm = format!(
        "[{{\"conversation_id\":\"dlg-1\",\"utterances\":[{{\"index\":0,\"speaker\":\"USER\",\"text\":\"mail {EMAIL}\"}}]}}]"
    );
    put(
        "dialogs.json",
        tm.as_bytes(),
        ("taskmaster", Some(1), 0, false),
    );
    put(
        "unknown.json",
        format!("{{\"note\":\"{SSN}\"}}").as_bytes(),
        ("json", Some(0), 1, false),
    );
    put(
        "broken.transcript",
        &bf[..bf.len() / 2],
        ("botframework", Some(0), 1, false),
    );
    put(
        "nested.jsonl/inner.jsonl",
        good.as_bytes(),
        ("jsonl", Some(2), 0, false),
    );
    // Passed over inside a folder: no transcript name.
    std::fs::write(dir.join("README.md"), format!("ssn {SSN}")).unwrap();
    want
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes))
}

#[test]
fn mixed_folder_writes_or_quarantines_every_record_and_leaks_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut want = mixed_inputs(&input);
    // A link to nothing cannot be opened even by root; a mode-000 file only by root.
    let dangling = input.join("dangling.jsonl");
    std::os::unix::fs::symlink(tmp.path().join("gone"), &dangling).unwrap();
    want.insert(dangling, ("unknown", Some(0), 0, true));
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        let locked = input.join("locked.jsonl");
        std::fs::write(&locked, line(SSN)).unwrap();
        std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000))
            .unwrap();
        want.insert(locked, ("unknown", Some(0), 0, true));
    }
    let key = keygen(tmp.path(), "k.key");
    let out_dir = tmp.path().join("out");
    let out = run_cmd(&input, &out_dir)
        .arg("--key-file")
        .arg(&key)
        .arg("--quiet")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    for name in [
        "cut.jsonl.gz",
        "cut.jsonl.zst",
        "zero.jsonl.gz",
        "dangling.jsonl",
        "mixed.jsonl: line 3:",
        "mixed.jsonl: line 6:",
        "unknown.json: document:",
        "many-bad.jsonl: line 20:",
        "many-bad.jsonl: 5 more records quarantined",
    ] {
        assert!(stderr.contains(name), "stderr names {name}: {stderr}");
    }
    assert!(!stderr.contains("many-bad.jsonl: line 21:"), "{stderr}");
    let secrets = [
        SSN,
        EMAIL,
        USER,
        "conv-secret-1",
        "meera.k@example.com",
        "rasa-sender-5521",
        "bf-user-3f9a2c",
        "Meera Krishnan",
    ]
    .map(String::from);
    assert_absent(&out_dir, &secrets, &[&stdout, &stderr]);

    let (_, audit) = text_files(&out_dir.join("audit")).pop().unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    let inputs = audit["inputs"].as_array().unwrap();
    // The audit lists inputs in discovery order and names no path.
    let files = chatveil::read::discover_inputs(std::slice::from_ref(&input), &[])
        .unwrap()
        .files;
    assert_eq!(files.len(), want.len());
    assert_eq!(inputs.len(), files.len());
    let n = |v: &Value| v.as_u64().unwrap();
    let mut by_source = BTreeMap::new();
    for (path, entry) in files.iter().zip(inputs) {
        let name = path.strip_prefix(&input).unwrap().display().to_string();
        let (format, rows, quarantined, failed) = want[path];
        assert_eq!(entry["format"], format, "{name}: {entry:#}");
        assert_eq!(
            n(&entry["records"]),
            n(&entry["rows"]) + n(&entry["quarantined"]),
            "{name}: records are rows plus quarantined"
        );
        if let Some(rows) = rows {
            assert_eq!(n(&entry["rows"]), rows, "{name}: {entry:#}");
        }
        assert_eq!(n(&entry["quarantined"]), quarantined, "{name}: {entry:#}");
        assert_eq!(entry["error"].is_string(), failed, "{name}: {entry:#}");
        by_source.insert(entry["source"].as_str().unwrap().to_string(), path.clone());
    }
    for name in ["cut.jsonl.gz", "cut.jsonl.zst"] {
        let entry = &inputs[files.iter().position(|p| p.ends_with(name)).unwrap()];
        assert!(
            n(&entry["rows"]) > 0,
            "{name}: records before the cut are kept"
        );
    }
    let totals = &audit["totals"];
    assert_eq!(
        n(&totals["records"]),
        n(&totals["rows"]) + n(&totals["quarantined"])
    );
    let rows: usize = row_count(&out_dir.join("messages"));
    assert_eq!(rows as u64, n(&totals["rows"]));

    // Every entry opens with the key, under its own source and position only; the bad lines
    // come back whole, and a failed file's segments add up to the file as stored.
    let ring = read_key_file(&key, None).unwrap();
    let other = read_key_file(&keygen(tmp.path(), "other.key"), None).unwrap();
    let (_, quarantine) = text_files(&out_dir.join("quarantine")).pop().unwrap();
    let mut opened: BTreeMap<PathBuf, Vec<(u64, Vec<u8>)>> = BTreeMap::new();
    for entry in quarantine.lines() {
        let entry: Value = serde_json::from_str(entry).unwrap();
        let source = entry["source"].as_str().unwrap();
        let position = n(&entry["position"]);
        let sealed = data_encoding::BASE64
            .decode(entry["sealed"].as_str().unwrap().as_bytes())
            .unwrap();
        let kind: QuarantineKind = serde_json::from_value(entry["kind"].clone()).unwrap();
        let plain = open_quarantine_entry(&ring, kind, source, position, &sealed).unwrap();
        assert!(matches!(
            open_quarantine_entry(&other, kind, source, position, &sealed),
            Err(CryptoError::WrongKey { .. })
        ));
        assert!(matches!(
            open_quarantine_entry(&ring, kind, source, position + 1, &sealed),
            Err(CryptoError::Authentication)
        ));
        let swapped = match kind {
            QuarantineKind::Record => QuarantineKind::FileSegment,
            QuarantineKind::FileSegment => QuarantineKind::Record,
        };
        assert!(matches!(
            open_quarantine_entry(&ring, swapped, source, position, &sealed),
            Err(CryptoError::Authentication)
        ));
        let path = by_source[source].clone();
        opened
            .entry(path)
            .or_default()
            .push((position, plain.to_vec()));
    }
    let stored = |name: &str| std::fs::read(input.join(name)).unwrap();
    let whole = |name: &str| -> Vec<u8> {
        opened[&input.join(name)]
            .iter()
            .flat_map(|(_, b)| b.clone())
            .collect()
    };
    for name in [
        "cut.jsonl.gz",
        "cut.jsonl.zst",
        "zero.jsonl.gz",
        "unknown.json",
        "broken.transcript",
    ] {
        assert_eq!(
            sha256_hex(&whole(name)),
            sha256_hex(&stored(name)),
            "{name}"
        );
    }
    let bad_lines = &opened[&input.join("mixed.jsonl")];
    let positions: Vec<u64> = bad_lines.iter().map(|(p, _)| *p).collect();
    assert_eq!(positions, [3, 4, 5, 6], "lines 3-6 of mixed.jsonl");
    let mixed = stored("mixed.jsonl");
    let lines: Vec<&[u8]> = mixed.split_inclusive(|&b| b == b'\n').collect();
    for (position, bytes) in bad_lines {
        assert_eq!(&bytes[..], lines[*position as usize - 1], "line {position}");
    }
    let entries: usize = opened.values().map(Vec::len).sum();
    assert_eq!(entries as u64, n(&totals["quarantined"]));
}

#[test]
fn an_unreadable_file_is_named_counted_and_not_a_clean_success() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("good.jsonl"), line("hello") + "\n").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("gone"), input.join("dangling.jsonl")).unwrap();
    let out_dir = tmp.path().join("out");
    let out = run_cmd(&input, &out_dir).arg("--quiet").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let named: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("dangling.jsonl"))
        .collect();
    assert_eq!(named.len(), 2, "cannot open, cannot quarantine: {stderr}");
    let (_, audit) = text_files(&out_dir.join("audit")).pop().unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    assert_eq!(audit["totals"]["failed_files"], 1);
    assert_eq!(audit["totals"]["rows"], 1);
}
