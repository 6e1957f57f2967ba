//! `chatveil stream`: JSONL in, sanitized JSONL out, in order, promptly, never losing a line.

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

fn stream_cmd(dir: &std::path::Path, key: &std::path::Path) -> std::process::Command {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .arg("stream")
        .arg("--key-file")
        .arg(key);
    cmd
}

/// Runs `chatveil stream` in `dir` with extra arguments, feeding `input` and closing stdin.
fn stream_all(dir: &Path, key: &Path, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = stream_cmd(dir, key)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stream_matches_run_and_leaks_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let input = std::fs::read(fixtures().join("jsonl/healthbot.jsonl")).unwrap();
    let out = stream_all(tmp.path(), &key, &[], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        input
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
    );
    for needle in [
        "meera.k@example.com",
        "(415) 555-0132",
        "078-05-1120",
        "patient-7731",
        "patient-8842",
        "conv-a1b2c3",
    ] {
        assert!(!stdout.contains(needle), "{needle} leaked");
    }
    // The same key gives the same pseudonyms as a batch run over the same file.
    let out_dir = tmp.path().join("out");
    run_ok(
        run_cmd(fixtures().join("jsonl/healthbot.jsonl"), &out_dir)
            .arg("--key-file")
            .arg(&key)
            .arg("--quiet"),
    );
    let batches = read_batches(&out_dir.join("messages"));
    let users = column(&batches, "user");
    let texts = column(&batches, "text");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["user"].as_str(), users[i].as_deref());
        assert_eq!(line["text"].as_str(), texts[i].as_deref());
        assert!(line["entities"].is_array());
    }
    assert_eq!(
        lines[2]["text"],
        "It's [PHONE], and my SSN is [US_SSN] if you need it"
    );
    assert_eq!(lines[0]["ts"], "2026-03-01T09:15:00Z");
}

#[test]
fn each_line_comes_out_while_input_stays_open() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let mut child = stream_cmd(tmp.path(), &key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for i in 0..3 {
        writeln!(
            stdin,
            "{{\"user_id\":\"u{i}\",\"text\":\"mail me at a{i}@example.com\"}}"
        )
        .unwrap();
        stdin.flush().unwrap();
        // Input stays open: the line must arrive without end of input (a generous bound,
        // only to fail instead of hanging if output were held back).
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("line flushed while input is open");
        assert!(line.contains("mail me at [EMAIL]"), "{line}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn bad_lines_are_quarantined_and_the_stream_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let input = b"{\"text\":\"one\"}\n{\"text\": 078-05-1120 oops\n\xff\xfe 078-05-1120\n{\"text\":\"four\"}\n";
    let out = stream_all(tmp.path(), &key, &["--quarantine", "q.jsonl"], input);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("line 3"),
        "{stderr}"
    );
    assert!(!stderr.contains("078-05-1120"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let texts: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(texts, ["one", "four"]);
    let q = std::fs::read_to_string(tmp.path().join("q.jsonl")).unwrap();
    assert_eq!(q.lines().count(), 2);
    assert!(!q.contains("078-05-1120"));
}

#[test]
fn stream_to_rolling_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let config = tmp.path().join("c.toml");
    std::fs::write(&config, "[output]\nfile_rows = 2\n").unwrap();
    let config = config.to_str().unwrap();
    let input = std::fs::read(fixtures().join("jsonl/healthbot.jsonl")).unwrap();
    let out = stream_all(
        tmp.path(),
        &key,
        &["--config", config, "--out", "ds"],
        &input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let dir = tmp.path().join("ds/messages");
    let parts = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(parts, 3, "six rows at two per file");
    let rows: usize = row_count(&dir);
    assert_eq!(rows, 6);
}
