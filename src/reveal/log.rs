//! The reveal log: one JSON line per reveal, each carrying the SHA-256 of the line before,
//! so editing, removing or reordering a record breaks the chain from that point on.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The `prev` of the first record.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("reveal log {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("reveal log {path} is broken at line {line}: {why}")]
    Broken {
        path: PathBuf,
        line: usize,
        why: &'static str,
    },
}

/// What was revealed: named by its public handle, never by the revealed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Message(String),
    Pseudonym(String),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    seq: u64,
    /// SHA-256 (hex) of the previous line's bytes.
    prev: String,
    when: String,
    who: String,
    what: Subject,
    reason: String,
    key_ids: Vec<String>,
}

/// The state of a verified log: how many records, and the hash of the last line (worth
/// noting elsewhere, since the chain alone cannot show the last line was changed).
#[derive(Debug, Clone, PartialEq)]
pub struct LogHead {
    pub records: u64,
    pub head: String,
}

/// The operating-system user, for the `who` field.
fn who() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Some(name) = std::env::var(var).ok().filter(|n| !n.is_empty()) {
            return name;
        }
    }
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata("/proc/self") {
        return format!("uid {}", std::os::unix::fs::MetadataExt::uid(&meta));
    }
    "unknown".into()
}

/// Appends one record, after checking the chain so far. The file is locked meanwhile so
/// two reveals never fork the chain.
pub(super) fn append(
    path: &Path,
    what: Subject,
    reason: &str,
    key_ids: Vec<String>,
) -> Result<LogHead, LogError> {
    let io = |source| LogError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.lock().map_err(io)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io)?;
    let head = check(&text, path)?;
    let record = Record {
        seq: head.records + 1,
        prev: head.head,
        when: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        who: who(),
        what,
        reason: reason.to_string(),
        key_ids,
    };
    let mut line = serde_json::to_string(&record).expect("log record serializes");
    let hash = sha256_hex(line.as_bytes());
    line.push('\n');
    file.write_all(line.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)?;
    Ok(LogHead {
        records: record.seq,
        head: hash,
    })
}

/// Checks the whole chain of the log at `path`; a missing log is an empty one.
pub fn verify_log(path: &Path) -> Result<LogHead, LogError> {
    match std::fs::read_to_string(path) {
        Ok(text) => check(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LogHead {
            records: 0,
            head: GENESIS.into(),
        }),
        Err(source) => Err(LogError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn check(text: &str, path: &Path) -> Result<LogHead, LogError> {
    let broken = |line, why| LogError::Broken {
        path: path.to_path_buf(),
        line,
        why,
    };
    let mut head = GENESIS.to_string();
    let mut records = 0;
    if text.is_empty() {
        return Ok(LogHead { records, head });
    }
    let Some(body) = text.strip_suffix('\n') else {
        return Err(broken(text.lines().count(), "the last line is incomplete"));
    };
    for (i, line) in body.split('\n').enumerate() {
        let record: Record =
            serde_json::from_str(line).map_err(|_| broken(i + 1, "not a reveal record"))?;
        if record.prev != head {
            return Err(broken(
                i + 1,
                "it does not follow the line before (a record was edited, removed or reordered)",
            ));
        }
        if record.seq != i as u64 + 1 {
            return Err(broken(i + 1, "the sequence number is out of order"));
        }
        head = sha256_hex(line.as_bytes());
        records += 1;
    }
    Ok(LogHead { records, head })
}

fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_records(path: &Path) -> LogHead {
        for i in 0..3 {
            append(
                path,
                Subject::Message(format!("m{i}")),
                "ticket 7",
                vec!["k1".into()],
            )
            .unwrap();
        }
        verify_log(path).unwrap()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reveal-log.jsonl");
        assert_eq!(verify_log(&path).unwrap().records, 0);
        let head = three_records(&path);
        assert_eq!(head.records, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        let last = text.lines().last().unwrap();
        assert_eq!(head.head, sha256_hex(last.as_bytes()));
        assert!(last.contains("\"message\":\"m2\""), "{last}");
        assert!(last.contains("\"seq\":3"), "{last}");
        assert!(last.contains("\"reason\":\"ticket 7\""), "{last}");
    }

    #[test]
    fn edits_removals_reorders_and_truncation_break_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reveal-log.jsonl");
        three_records(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let cases: Vec<(String, usize)> = vec![
            (text.replacen("ticket 7", "ticket 8", 1), 2),
            (format!("{}\n{}\n", lines[0], lines[2]), 2),
            (format!("{}\n{}\n{}\n", lines[1], lines[0], lines[2]), 1),
            (text[..text.len() - 1].to_string(), 3),
            (format!("{}\n", lines[1..].join("\n")), 1),
        ];
        for (altered, line) in cases {
            std::fs::write(&path, &altered).unwrap();
            match verify_log(&path) {
                Err(LogError::Broken { line: at, .. }) => assert_eq!(at, line, "{altered}"),
                other => panic!("not detected: {other:?}\n{altered}"),
            }
            assert!(append(&path, Subject::Pseudonym("u_x".into()), "r", vec![]).is_err());
        }
    }
}
