//! The quarantine: records that could not be processed, kept (never dropped) but only
//! encrypted, one JSON line each with where it came from and why, never what it said.

use super::parquet::WriteError;
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One quarantined unit; `sealed` is the AES-GCM envelope of its raw bytes, base64.
#[derive(Debug, Serialize)]
pub struct QuarantineEntry<'a> {
    pub kind: QuarantineKind,
    pub source: &'a str,
    /// Line number (JSONL), 0 for a whole document, or the segment of a whole file.
    pub position: u64,
    pub reason: String,
    pub sealed: String,
}

/// What an entry holds. The kind is part of the sealed value's associated data, so a record
/// and a segment of a whole file at the same position can never be swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineKind {
    /// One unit (a line, or a whole document) that could not be processed.
    Record,
    /// A segment of a file that could not be read as a transcript.
    FileSegment,
}

impl QuarantineKind {
    pub fn label(self) -> &'static str {
        match self {
            QuarantineKind::Record => "record",
            QuarantineKind::FileSegment => "file_segment",
        }
    }
}

/// Writes entries to a JSONL file, created only when the first entry arrives.
pub struct QuarantineWriter {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    count: u64,
}

impl QuarantineWriter {
    pub fn new(path: &Path) -> QuarantineWriter {
        QuarantineWriter {
            path: path.to_path_buf(),
            out: None,
            count: 0,
        }
    }

    pub fn write(&mut self, entry: &QuarantineEntry) -> Result<(), WriteError> {
        let io = |source| WriteError::Io {
            path: self.path.clone(),
            source,
        };
        if self.out.is_none() {
            if let Some(parent) = self.path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            self.out = Some(BufWriter::new(File::create(&self.path).map_err(io)?));
        }
        let out = self.out.as_mut().expect("opened above");
        serde_json::to_writer(&mut *out, entry).map_err(|e| io(e.into()))?;
        out.write_all(b"\n").map_err(io)?;
        self.count += 1;
        Ok(())
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flushes and syncs; returns the file if anything was quarantined.
    pub fn finish(self) -> Result<Option<PathBuf>, WriteError> {
        match self.out {
            None => Ok(None),
            Some(out) => {
                let io = |source| WriteError::Io {
                    path: self.path.clone(),
                    source,
                };
                let file = out.into_inner().map_err(|e| io(e.into_error()))?;
                file.sync_all().map_err(io)?;
                Ok(Some(self.path))
            }
        }
    }
}
