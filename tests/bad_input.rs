//! Bad input loses nothing and leaks nothing: malformed lines, invalid UTF-8, truncated
//! archives and unrecognized files are quarantined (encrypted), counted, and reported by
//! file and line without their content.

mod common;

use common::*;
use std::io::Write;

const SECRET: &str = "078-05-1120";

#[test]
fn bad_records_are_quarantined_encrypted_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut lines = Vec::new();
    lines.extend_from_slice(b"{\"user_id\":\"u1\",\"text\":\"ok line\"}\n");
    lines.extend_from_slice(
        format!("{{\"user_id\":\"u1\",\"text\":\"ssn {SECRET}\" broken\n").as_bytes(),
    );
    lines.extend_from_slice(b"{\"user_id\":\"u1\",\"text\":\"bad \xff utf8 ");
    lines.extend_from_slice(SECRET.as_bytes());
    lines.extend_from_slice(b"\"}\n");
    lines.extend_from_slice(
        format!("{{\"user_id\":\"u1\",\"text\":\"last {SECRET}\"}}\n").as_bytes(),
    );
    std::fs::write(input.join("a.jsonl"), &lines).unwrap();

    // A gzip file cut in half.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(
            gz,
            "{{\"user_id\":\"u{i}\",\"text\":\"my ssn is {SECRET} and more filler text {i}\"}}"
        )
        .unwrap();
    }
    let gz = gz.finish().unwrap();
    std::fs::write(input.join("b.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    // Named explicitly, an unrecognized file is quarantined rather than skipped.
    let odd = tmp.path().join("notes.txt");
    std::fs::write(&odd, format!("patient ssn {SECRET}\n")).unwrap();

    let key = keygen(tmp.path(), "k.key");
    let out_dir = tmp.path().join("out");
    let out = bin()
        .arg("run")
        .arg(&input)
        .arg(&odd)
        .arg("--out")
        .arg(&out_dir)
        .arg("--key-file")
        .arg(&key)
        .arg("--quiet")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(3),
        "success with quarantined records: {stderr}"
    );
    assert!(
        stderr.contains("b.jsonl.gz") && stderr.contains("truncated"),
        "{stderr}"
    );
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert!(!stderr.contains(SECRET));

    let batches = read_batches(&out_dir.join("messages"));
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert!(
        rows > 2,
        "good lines before and after the bad ones are kept: {rows}"
    );
    assert_absent(&out_dir, &[SECRET.to_string(), "ssn 0".into()], &[&stderr]);

    let report = text_files(&out_dir.join("audit")).pop().unwrap().1;
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    // Two bad lines, the truncated archive and the unrecognized file.
    assert_eq!(report["totals"]["quarantined"], 4, "{report:#}");
    assert_eq!(report["totals"]["failed_files"], 2);

    let (_, quarantine) = text_files(&out_dir.join("quarantine")).pop().unwrap();
    let entries: Vec<serde_json::Value> = quarantine
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 4);
    assert!(entries[0]["reason"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
    assert!(entries[1]["reason"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(entries[0]["position"], 2);
    assert_eq!(entries[1]["position"], 3);
    for e in &entries {
        let sealed = data_encoding::BASE64
            .decode(e["sealed"].as_str().unwrap().as_bytes())
            .unwrap();
        assert!(sealed.len() > 29, "the raw record is kept, sealed");
    }
}

#[test]
fn missing_input_and_bad_config_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_cmd(tmp.path().join("nope.jsonl"), tmp.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.jsonl"));

    let config = tmp.path().join("c.toml");
    std::fs::write(&config, "[detect]\nmin_scor = 0.2\n").unwrap();
    let out = run_cmd(fixtures(), tmp.path().join("o"))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("min_scor"));
}

#[test]
fn init_prints_a_config_that_parses() {
    let out = run_ok(bin().arg("init"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[policy]"));
    chatveil::config::Config::parse(&text, "init output").unwrap();
}
