//! The pipeline: read → detect → transform → write → audit, wired together.
//!
//! Three stages overlap: a reader thread cuts files into chunks, the calling thread
//! sanitizes each batch of chunks in parallel with rayon, and a writer thread writes rows
//! in order. Every stage keeps input order, so the same input and key give the same rows in
//! the same order whatever the thread timing.

mod lock;
mod output;
mod stream;
mod unit;

pub use lock::RunLock;
pub use stream::{stream, StreamOptions, StreamSummary};

use crate::audit::{AuditReport, InputAudit};
use crate::config::Config;
use crate::crypto::{CryptoError, MasterKey, Pseudonymizer, Purpose, Sealer};
use crate::detect::{build_detector, PatternError};
use crate::read::{self, discover_inputs, Chunk, Format, InputReader, Parser, ReadError};
use crate::transform::Transformer;
use crate::write::{PartWriter, QuarantineEntry, QuarantineWriter, WriteError};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use unit::{quarantine_context, Outcome, UnitContext};

/// Bytes of input gathered before a batch is sanitized in parallel.
const BATCH_BYTES: usize = 8 << 20;
/// Size of a JSONL chunk; several make a batch.
const CHUNK_BYTES: usize = 1 << 20;
/// Raw bytes per quarantine entry when a whole file is quarantined.
const QUARANTINE_SEGMENT: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Pattern(#[from] PatternError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{0}")]
    Input(std::io::Error),
    #[error("output folder {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("another chatveil run holds the lock on {0}; wait for it to finish")]
    Locked(PathBuf),
    #[error("no input files found")]
    NoInputs,
}

/// Progress as bytes of input read, for a progress bar the caller may draw.
pub trait Progress: Send + Sync {
    fn start(&self, total_bytes: u64);
    fn advance(&self, bytes: u64);
    fn finish(&self);
}

pub struct RunOptions<'a> {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub config: &'a Config,
    pub key: &'a MasterKey,
    pub ephemeral_key: bool,
    pub progress: Option<&'a dyn Progress>,
}

#[derive(Debug)]
pub struct RunSummary {
    pub report: AuditReport,
    pub audit_path: PathBuf,
    pub quarantine_path: Option<PathBuf>,
    /// Per-file failures, for the operator's terminal (they name paths, so they go to
    /// stderr and never into output files).
    pub messages: Vec<String>,
}

/// What the reader thread sends: chunks with their file, and file-level events, in order.
enum Item {
    Chunk {
        file: usize,
        format: Format,
        chunk: Chunk,
    },
    FileDone {
        file: usize,
        result: Result<read::InputDigest, String>,
        format: Option<Format>,
        failure: Option<FileFailure>,
    },
}

/// A file that could not be read as a transcript: it is quarantined whole.
struct FileFailure {
    message: String,
    reason: String,
}

enum Processed {
    Units {
        file: usize,
        bytes: u64,
        outcomes: Vec<Outcome>,
    },
    FileDone {
        file: usize,
        result: Result<read::InputDigest, String>,
        format: Option<Format>,
        failure: Option<FileFailure>,
    },
}

pub fn run(opts: RunOptions<'_>) -> Result<RunSummary, PipelineError> {
    let started = now();
    let config = opts.config;
    let out_dir = &opts.out;
    std::fs::create_dir_all(out_dir).map_err(|source| PipelineError::Output {
        path: out_dir.clone(),
        source,
    })?;
    let _lock = RunLock::acquire(out_dir)?;
    let discovered = discover_inputs(&opts.inputs, std::slice::from_ref(out_dir))
        .map_err(PipelineError::Input)?;
    if discovered.files.is_empty() {
        return Err(PipelineError::NoInputs);
    }
    let detector = build_detector(&config.detect)?;
    let transformer = Transformer::new(config, &detector, opts.key);
    let sources = Pseudonymizer::new(opts.key, Purpose::SourceId);
    let quarantine_sealer = Sealer::new(opts.key, Purpose::Quarantine);
    let run_id = new_run_id()?;

    let files = discovered.files;
    let source_ids: Vec<String> = files
        .iter()
        .map(|p| sources.hex_id(&[p.to_string_lossy().as_bytes()]))
        .collect();
    if let Some(p) = opts.progress {
        p.start(
            files
                .iter()
                .filter_map(|f| f.metadata().ok())
                .map(|m| m.len())
                .sum(),
        );
    }

    let staging = out_dir.join(format!(".staging-{run_id}"));
    let messages_dir = staging.join("messages");
    let quarantine_path = staging.join("quarantine.jsonl");
    let mut parts = PartWriter::new(&messages_dir, "part", &config.output)?;
    let mut quarantine = QuarantineWriter::new(&quarantine_path);
    let mut inputs: Vec<InputAudit> = source_ids
        .iter()
        .map(|s| InputAudit {
            source: s.clone(),
            ..InputAudit::default()
        })
        .collect();
    let mut messages = Vec::new();

    let (item_tx, item_rx) = sync_channel::<Vec<Item>>(2);
    let (done_tx, done_rx) = sync_channel::<Vec<Processed>>(2);
    let choice = config.input.format;
    let ctx = UnitContext {
        parser: Parser::new(&config.input),
        transformer: &transformer,
        quarantine: &quarantine_sealer,
    };

    let write_result: Result<(), PipelineError> = std::thread::scope(|scope| {
        let reader_files = &files;
        scope.spawn(move || read_all(reader_files, choice, item_tx));
        let writer = scope.spawn(|| -> Result<(), PipelineError> {
            for batch in done_rx {
                for processed in batch {
                    match processed {
                        Processed::Units {
                            file,
                            bytes,
                            outcomes,
                        } => {
                            let audit = &mut inputs[file];
                            for outcome in outcomes {
                                match outcome {
                                    Outcome::Rows(rows) => {
                                        audit.records += rows.len() as u64;
                                        audit.rows += rows.len() as u64;
                                        for row in &rows {
                                            for e in &row.entities {
                                                *audit
                                                    .findings
                                                    .entry(e.entity.to_string())
                                                    .or_default() += 1;
                                            }
                                        }
                                        parts.write(rows)?;
                                    }
                                    Outcome::Quarantine {
                                        position,
                                        reason,
                                        sealed,
                                    } => {
                                        audit.records += 1;
                                        audit.quarantined += 1;
                                        quarantine.write(&QuarantineEntry {
                                            source: &audit.source,
                                            position,
                                            reason,
                                            sealed,
                                        })?;
                                    }
                                }
                            }
                            if let Some(p) = opts.progress {
                                p.advance(bytes);
                            }
                        }
                        Processed::FileDone {
                            file,
                            result,
                            format,
                            failure,
                        } => {
                            let audit = &mut inputs[file];
                            audit.format = format
                                .map(|f| f.name().to_string())
                                .unwrap_or_else(|| "unknown".into());
                            match result {
                                Ok(d) => {
                                    audit.sha256 = d.sha256;
                                    audit.bytes = d.bytes;
                                }
                                Err(m) => messages.push(m),
                            }
                            if let Some(f) = failure {
                                messages.push(f.message);
                                audit.error = Some(f.reason.clone());
                                let segments = quarantine_file(
                                    &files[file],
                                    &audit.source,
                                    &f.reason,
                                    &quarantine_sealer,
                                );
                                match segments {
                                    Ok(entries) => {
                                        for e in &entries {
                                            quarantine.write(e)?;
                                        }
                                        audit.quarantined += 1;
                                        audit.records += 1;
                                    }
                                    Err(e) => messages.push(format!(
                                        "{}: cannot quarantine: {e}",
                                        files[file].display()
                                    )),
                                }
                            }
                        }
                    }
                }
            }
            Ok(())
        });
        for batch in item_rx {
            let processed = process_batch(batch, &ctx, &source_ids);
            if done_tx.send(processed).is_err() {
                break;
            }
        }
        drop(done_tx);
        writer.join().expect("writer thread does not panic")
    });
    write_result?;
    if let Some(p) = opts.progress {
        p.finish();
    }

    let part_files = parts.finish()?;
    let quarantined_file = quarantine.finish()?;
    let published = output::publish(
        out_dir,
        &staging,
        &run_id,
        &part_files,
        quarantined_file.as_deref(),
    )?;

    let mut report = AuditReport {
        run_id: run_id.clone(),
        tool: "chatveil".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        started,
        finished: now(),
        config_sha256: config.fingerprint(),
        key_id: opts.key.id().to_string(),
        ephemeral_key: opts.ephemeral_key,
        patterns: detector.pattern_count(),
        inputs,
        skipped_files: discovered.skipped.len(),
        outputs: published.outputs,
        ..AuditReport::default()
    };
    report.compute_totals();
    let audit_path = output::write_audit(out_dir, &run_id, &report)?;
    Ok(RunSummary {
        report,
        audit_path,
        quarantine_path: published.quarantine,
        messages,
    })
}

/// The reader stage: every file in order, cut into batches of chunks.
fn read_all(files: &[PathBuf], choice: crate::config::FormatChoice, tx: SyncSender<Vec<Item>>) {
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    for (file, path) in files.iter().enumerate() {
        let mut reader = match InputReader::open(path, choice) {
            Ok(r) => r,
            Err(e) => {
                batch.push(Item::FileDone {
                    file,
                    result: read::digest_file(path).map_err(|e| format!("{}: {e}", path.display())),
                    format: None,
                    failure: Some(failure_of(&e)),
                });
                continue;
            }
        };
        let format = reader.format();
        let mut failure = None;
        loop {
            match reader.next_chunk(CHUNK_BYTES) {
                Ok(Some(chunk)) => {
                    batch_bytes += chunk.buf.len();
                    batch.push(Item::Chunk {
                        file,
                        format,
                        chunk,
                    });
                    if batch_bytes >= BATCH_BYTES {
                        if tx.send(std::mem::take(&mut batch)).is_err() {
                            return;
                        }
                        batch_bytes = 0;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    failure = Some(failure_of(&e));
                    break;
                }
            }
        }
        let result = reader
            .finish()
            .map_err(|e| format!("{}: {e}", path.display()));
        batch.push(Item::FileDone {
            file,
            result,
            format: Some(format),
            failure,
        });
    }
    let _ = tx.send(batch);
}

fn failure_of(e: &ReadError) -> FileFailure {
    let reason = match e {
        ReadError::Open { source, .. } => format!("cannot open: {}", source.kind()),
        ReadError::Io {
            kind,
            decoded_bytes,
            ..
        } => {
            format!("read failed after {decoded_bytes} decompressed bytes ({kind}); truncated or corrupt")
        }
        ReadError::Unrecognized { .. } => "not a recognized transcript format".into(),
    };
    FileFailure {
        message: e.to_string(),
        reason,
    }
}

/// The sanitizing stage: all units of a batch in parallel, results in input order.
fn process_batch(batch: Vec<Item>, ctx: &UnitContext<'_>, source_ids: &[String]) -> Vec<Processed> {
    batch
        .into_par_iter()
        .map(|item| match item {
            Item::FileDone {
                file,
                result,
                format,
                failure,
            } => Processed::FileDone {
                file,
                result,
                format,
                failure,
            },
            Item::Chunk {
                file,
                format,
                chunk,
            } => Processed::Units {
                file,
                bytes: chunk.buf.len() as u64,
                outcomes: ctx.sanitize_chunk(format, &source_ids[file], &chunk),
            },
        })
        .collect()
}

/// A whole file that could not be read, sealed in segments so nothing is lost.
fn quarantine_file<'s>(
    path: &Path,
    source: &'s str,
    reason: &str,
    sealer: &Sealer,
) -> Result<Vec<QuarantineEntry<'s>>, std::io::Error> {
    let bytes = std::fs::read(path)?;
    bytes
        .chunks(QUARANTINE_SEGMENT.max(1))
        .enumerate()
        .map(|(i, segment)| {
            let position = i as u64;
            let env = sealer
                .seal(segment, &quarantine_context(source, position))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            Ok(QuarantineEntry {
                source,
                position,
                reason: format!("whole file, segment {}: {reason}", i + 1),
                sealed: data_encoding::BASE64.encode(&env),
            })
        })
        .collect()
}

/// A run id that sorts by start time and never repeats: UTC time plus 32 random bits.
pub fn new_run_id() -> Result<String, CryptoError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|_| CryptoError::Random)?;
    Ok(format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        data_encoding::HEXLOWER.encode(&bytes)
    ))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
