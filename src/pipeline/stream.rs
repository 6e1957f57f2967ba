//! Streaming: JSONL in, sanitized JSONL out (or rolling Parquet), one line per message in
//! input order. Lines already buffered are sanitized together in parallel; output is
//! flushed whenever no further complete line is waiting, so under `tail -f` or a Spark
//! `pipe()` each line comes out as soon as it went in, and under load output is batched.

use super::unit::UnitContext;
use super::PipelineError;
use crate::audit::count_findings;
use crate::config::Config;
use crate::crypto::{MasterKey, Pseudonymizer, Purpose, Sealer};
use crate::detect::build_detector;
use crate::read::{Chunk, Format, Parser};
use crate::transform::Transformer;
use crate::write::{write_line, PartWriter, QuarantineEntry, QuarantineKind, QuarantineWriter};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Most bytes of buffered input sanitized as one batch.
const BATCH_BYTES: usize = 4 << 20;

pub struct StreamOptions<'a> {
    pub config: &'a Config,
    pub key: &'a MasterKey,
    /// Names the stream in message ids, so two streams' ids differ and a rerun of the
    /// same stream gives the same ids.
    pub source_name: String,
    /// Rolling Parquet under `DIR/messages/` instead of JSONL on the output.
    pub parquet_dir: Option<PathBuf>,
    /// A Parquet part is closed after this long even if not full.
    pub roll_after: Duration,
    pub quarantine_path: PathBuf,
    pub run_id: String,
}

#[derive(Debug, Default)]
pub struct StreamSummary {
    pub lines: u64,
    pub rows: u64,
    pub quarantined: u64,
    pub quarantine_path: Option<PathBuf>,
    pub parts: Vec<PathBuf>,
    pub findings: BTreeMap<String, u64>,
}

pub fn stream<R: Read>(
    opts: StreamOptions<'_>,
    input: &mut BufReader<R>,
    output: &mut dyn Write,
) -> Result<StreamSummary, PipelineError> {
    let config = opts.config;
    if config.pseudonym.mode == crate::config::PseudonymMode::Token {
        return Err(PipelineError::TokenModeNeedsVault);
    }
    let detector = build_detector(&config.detect)?;
    let transformer = Transformer::new(config, &detector, opts.key);
    let quarantine_sealer = Sealer::new(opts.key, Purpose::Quarantine);
    let ctx = UnitContext {
        parser: Parser::new(&config.input),
        transformer: &transformer,
        quarantine: &quarantine_sealer,
    };
    let source: Arc<str> = Pseudonymizer::new(opts.key, Purpose::SourceId)
        .hex_id(&[opts.source_name.as_bytes()])
        .into();
    let mut parts = match &opts.parquet_dir {
        Some(dir) => Some(PartWriter::new(
            &dir.join("messages"),
            &format!("part-{}", opts.run_id),
            &config.output,
        )?),
        None => None,
    };
    let mut quarantine = QuarantineWriter::new(&opts.quarantine_path);
    let mut summary = StreamSummary::default();
    let out_err = |source: std::io::Error| PipelineError::Output {
        path: PathBuf::from("<stdout>"),
        source,
    };
    let mut line_no = 0u64;
    let mut line = Vec::with_capacity(1024);
    // One input buffer for the whole stream: a fresh one per batch would be mapped and
    // faulted in anew every time.
    let mut chunk = Chunk::default();
    loop {
        read_available(input, &mut line_no, &mut chunk).map_err(PipelineError::Input)?;
        if chunk.units.is_empty() {
            break;
        }
        summary.lines += chunk.units.len() as u64;
        let sanitized = ctx.sanitize_chunk(Format::Jsonl, &source, &chunk);
        summary.rows += sanitized.rows.len() as u64;
        count_findings(&mut summary.findings, &sanitized.rows);
        match parts.as_mut() {
            Some(p) => p.write(sanitized.rows)?,
            None => {
                for row in &sanitized.rows {
                    write_line(output, row, &mut line).map_err(out_err)?;
                }
            }
        }
        for q in sanitized.quarantined {
            summary.quarantined += 1;
            eprintln!("stream line {}: {}; quarantined", q.position, q.reason);
            quarantine.write(&QuarantineEntry {
                kind: QuarantineKind::Record,
                source: &source,
                position: q.position,
                reason: q.reason,
                sealed: q.sealed,
            })?;
        }
        if let Some(p) = parts.as_mut() {
            p.roll_if_older(opts.roll_after)?;
        }
        if !has_complete_line(input) {
            output.flush().map_err(out_err)?;
        }
    }
    output.flush().map_err(out_err)?;
    if let Some(p) = parts {
        summary.parts = p.finish()?;
    }
    summary.quarantine_path = quarantine.finish()?;
    Ok(summary)
}

/// Whether another complete line is already buffered, so reading it will not block.
fn has_complete_line<R: Read>(input: &BufReader<R>) -> bool {
    input.buffer().contains(&b'\n')
}

/// Reads one line (blocking), then every further complete line already buffered, up to
/// `BATCH_BYTES`.
fn read_available<R: Read>(
    input: &mut BufReader<R>,
    line_no: &mut u64,
    chunk: &mut Chunk,
) -> std::io::Result<()> {
    chunk.buf.clear();
    chunk.units.clear();
    // What is already buffered is what this batch will hold; under `tail -f` that is a line.
    chunk
        .buf
        .reserve(input.buffer().len().min(BATCH_BYTES) + 4096);
    loop {
        let start = chunk.buf.len();
        let n = input.read_until(b'\n', &mut chunk.buf)?;
        if n == 0 {
            break;
        }
        *line_no += 1;
        if chunk.buf[start..].iter().all(u8::is_ascii_whitespace) {
            chunk.buf.truncate(start);
        } else {
            chunk.units.push((*line_no, start..chunk.buf.len()));
        }
        if !chunk.units.is_empty() && (chunk.buf.len() >= BATCH_BYTES || !has_complete_line(input))
        {
            break;
        }
    }
    Ok(())
}
