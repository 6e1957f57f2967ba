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
pub use unit::open_quarantine_entry;

use crate::audit::{count_findings, AuditReport, InputAudit};
use crate::config::Config;
use crate::crypto::{CryptoError, MasterKey, Pseudonymizer, Purpose, Sealer};
use crate::detect::{build_detector, PatternError};
use crate::read::{self, discover_inputs, Chunk, Format, InputReader, Parser, ReadError};
use crate::transform::Transformer;
use crate::vault::{Vault, VaultError};
use crate::write::{PartWriter, QuarantineEntry, QuarantineKind, QuarantineWriter, WriteError};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use unit::{quarantine_context, Sanitized, UnitContext};

/// Bytes of input gathered before a batch is sanitized in parallel.
const BATCH_BYTES: usize = 4 << 20;
/// Size of a JSONL chunk; several make a batch.
const CHUNK_BYTES: usize = 1 << 20;
/// Raw bytes per quarantine entry when a whole file is quarantined.
const QUARANTINE_SEGMENT: usize = 8 << 20;
/// Quarantined units named one by one on the terminal per file; the rest are counted, so a
/// file of bad lines cannot flood it.
const NAMED_UNITS_PER_FILE: u64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Pattern(#[from] PatternError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("pseudonym mode \"token\" needs an identity vault (`chatveil run --vault DIR`): the token of each identity is kept only there")]
    TokenModeNeedsVault,
    #[error(
        "--vault needs --key-file: identities sealed with a one-run key could never be revealed"
    )]
    VaultNeedsKey,
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
    /// Where original identities go, sealed; `None` writes nothing re-identifying.
    pub vault: Option<&'a Vault>,
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
        sanitized: Sanitized,
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
    check_vault(&opts)?;
    let mut excluded = vec![out_dir.clone()];
    excluded.extend(opts.vault.map(|v| v.dir().to_path_buf()));
    let discovered = discover_inputs(&opts.inputs, &excluded).map_err(PipelineError::Input)?;
    if discovered.files.is_empty() {
        return Err(PipelineError::NoInputs);
    }
    let detector = build_detector(&config.detect)?;
    let transformer = Transformer::new(config, &detector, opts.key).with_vault(opts.vault);
    let sources = Pseudonymizer::new(opts.key, Purpose::SourceId);
    let quarantine_sealer = Sealer::new(opts.key, Purpose::Quarantine);
    let run_id = new_run_id()?;

    let files = discovered.files;
    let source_ids: Vec<Arc<str>> = files
        .iter()
        .map(|p| sources.hex_id(&[p.to_string_lossy().as_bytes()]).into())
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
            source: s.to_string(),
            ..InputAudit::default()
        })
        .collect();
    let mut messages = Vec::new();

    let (item_tx, item_rx) = sync_channel::<Vec<Item>>(1);
    let (done_tx, done_rx) = sync_channel::<Vec<Processed>>(1);
    let choice = config.input.format;
    let ctx = UnitContext::new(Parser::new(&config.input), &transformer, &quarantine_sealer);

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
                            sanitized,
                        } => {
                            let audit = &mut inputs[file];
                            let format = sanitized.format;
                            audit.format = format.name().to_string();
                            let rows = sanitized.rows.len() as u64;
                            audit.records += rows;
                            audit.rows += rows;
                            count_findings(&mut audit.findings, &sanitized.rows);
                            parts.write(sanitized.rows)?;
                            for q in sanitized.quarantined {
                                audit.records += 1;
                                audit.quarantined += 1;
                                if audit.quarantined <= NAMED_UNITS_PER_FILE {
                                    messages.push(format!(
                                        "{}: {}: {}; quarantined",
                                        files[file].display(),
                                        unit_name(format, q.position),
                                        q.reason
                                    ));
                                }
                                quarantine.write(&QuarantineEntry {
                                    kind: QuarantineKind::Record,
                                    source: &audit.source,
                                    position: q.position,
                                    reason: q.reason,
                                    sealed: q.sealed,
                                })?;
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
                            if audit.quarantined > NAMED_UNITS_PER_FILE {
                                messages.push(format!(
                                    "{}: {} more records quarantined",
                                    files[file].display(),
                                    audit.quarantined - NAMED_UNITS_PER_FILE
                                ));
                            }
                            // Set already, and more precisely, if any unit was parsed.
                            if audit.format.is_empty() {
                                audit.format = format.map_or("unknown", Format::name).to_string();
                            }
                            match result {
                                Ok(d) => {
                                    audit.sha256 = d.sha256;
                                    audit.bytes = d.bytes;
                                }
                                // A file that failed is named once, with the cause
                                // that stopped reading it; hashing it fails alike.
                                Err(_) if failure.is_some() => {}
                                Err(m) => messages.push(m),
                            }
                            if let Some(f) = failure {
                                messages.push(f.message);
                                audit.error = Some(f.reason.clone());
                                let sealed = quarantine_file(
                                    &files[file],
                                    &audit.source,
                                    &f.reason,
                                    &quarantine_sealer,
                                    QUARANTINE_SEGMENT,
                                    &mut quarantine,
                                )?;
                                match sealed {
                                    Ok(()) => {
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
    if let Some(vault) = opts.vault {
        vault.commit(&run_id)?;
    }
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

/// Where the operator finds a unit in its file.
fn unit_name(format: Format, position: u64) -> String {
    match format {
        Format::Jsonl => format!("line {position}"),
        Format::Document(_) => "document".into(),
    }
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
fn process_batch(
    batch: Vec<Item>,
    ctx: &UnitContext<'_>,
    source_ids: &[Arc<str>],
) -> Vec<Processed> {
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
            } => {
                let sanitized = ctx.sanitize_chunk(format, &source_ids[file], &chunk);
                Processed::Units {
                    file,
                    bytes: chunk.buf.len() as u64,
                    sanitized,
                }
            }
        })
        .collect()
}

/// A whole file that could not be read, sealed in segments of `segment_bytes` as it is read
/// back: nothing is lost, and a large truncated archive is never held in memory whole. An empty file still
/// gets one (empty) entry, so the quarantine lists every file the audit counts. The outer
/// error (the quarantine cannot be written) ends the run; the inner one (the file cannot be
/// read back) is reported and the run goes on.
fn quarantine_file(
    path: &Path,
    source: &str,
    reason: &str,
    sealer: &Sealer,
    segment_bytes: usize,
    out: &mut QuarantineWriter,
) -> Result<Result<(), std::io::Error>, WriteError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let mut segment = Vec::new();
    for position in 0u64.. {
        segment.clear();
        let read = (&mut file)
            .take(segment_bytes as u64)
            .read_to_end(&mut segment);
        if let Err(e) = read {
            return Ok(Err(e));
        }
        if segment.is_empty() && position > 0 {
            break;
        }
        let env = match sealer.seal(
            &segment,
            &quarantine_context(QuarantineKind::FileSegment, source, position),
        ) {
            Ok(env) => env,
            Err(e) => return Ok(Err(std::io::Error::other(e.to_string()))),
        };
        out.write(&QuarantineEntry {
            kind: QuarantineKind::FileSegment,
            source,
            position,
            reason: format!("whole file, segment {}: {reason}", position + 1),
            sealed: data_encoding::BASE64.encode(&env),
        })?;
        if segment.len() < segment_bytes {
            break;
        }
    }
    Ok(Ok(()))
}

/// Token pseudonyms exist only in a vault, and a vault is only useful under a kept key; the
/// vault must not be handed over with the output.
fn check_vault(opts: &RunOptions<'_>) -> Result<(), PipelineError> {
    match opts.vault {
        None if opts.config.pseudonym.mode == crate::config::PseudonymMode::Token => {
            Err(PipelineError::TokenModeNeedsVault)
        }
        Some(_) if opts.ephemeral_key => Err(PipelineError::VaultNeedsKey),
        Some(vault) => Ok(vault.ensure_apart(&opts.out)?),
        None => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keyring;

    /// Segments are cut at the segment size, open under their own position, and add up to
    /// the file; an empty file gets one empty entry.
    #[test]
    fn a_whole_file_is_quarantined_in_segments_that_add_up() {
        let tmp = tempfile::tempdir().unwrap();
        let key = MasterKey::from_bytes([5; 32]);
        let ring = Keyring::single(key.clone());
        let sealer = Sealer::new(&key, Purpose::Quarantine);
        let segment_bytes = 1000;
        for (size, segments) in [
            (0, 1),
            (10, 1),
            (segment_bytes, 1),
            (2 * segment_bytes + 3, 3),
        ] {
            let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let input = tmp.path().join(format!("in-{size}"));
            std::fs::write(&input, &bytes).unwrap();
            let path = tmp.path().join(format!("q-{size}.jsonl"));
            let mut out = QuarantineWriter::new(&path);
            quarantine_file(&input, "src", "why", &sealer, segment_bytes, &mut out)
                .unwrap()
                .unwrap();
            out.finish().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let mut joined = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let entry: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(entry["position"], i as u64, "size {size}");
                let sealed = data_encoding::BASE64
                    .decode(entry["sealed"].as_str().unwrap().as_bytes())
                    .unwrap();
                joined.extend_from_slice(
                    &open_quarantine_entry(
                        &ring,
                        QuarantineKind::FileSegment,
                        "src",
                        i as u64,
                        &sealed,
                    )
                    .unwrap(),
                );
            }
            assert_eq!(text.lines().count(), segments, "size {size}");
            assert!(joined == bytes, "size {size}: segments add up to the file");
        }
        let missing = tmp.path().join("missing");
        let mut out = QuarantineWriter::new(&tmp.path().join("q-missing.jsonl"));
        let result = quarantine_file(&missing, "src", "why", &sealer, 10, &mut out).unwrap();
        assert!(result.is_err());
        assert_eq!(out.count(), 0);
    }
}
