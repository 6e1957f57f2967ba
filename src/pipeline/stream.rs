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
    let ctx = UnitContext::new(Parser::new(&config.input), &transformer, &quarantine_sealer);
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
/// `BATCH_BYTES`; blank lines are counted but are no units, and reading goes on until a
/// batch holds a unit or the input ends. The buffered lines are copied at once and cut
/// with one pass over them: reading them one by one scanned each line twice, once to read
/// it and once to see whether another was waiting.
fn read_available<R: Read>(
    input: &mut BufReader<R>,
    line_no: &mut u64,
    chunk: &mut Chunk,
) -> std::io::Result<()> {
    chunk.units.clear();
    loop {
        chunk.buf.clear();
        // What is already buffered is what this batch will hold; under `tail -f` a line.
        chunk
            .buf
            .reserve(input.buffer().len().min(BATCH_BYTES) + 4096);
        if input.read_until(b'\n', &mut chunk.buf)? == 0 {
            return Ok(());
        }
        let room = BATCH_BYTES.saturating_sub(chunk.buf.len());
        let buffered = input.buffer();
        if let Some(last) = memchr::memrchr(b'\n', &buffered[..buffered.len().min(room)]) {
            chunk.buf.extend_from_slice(&buffered[..=last]);
            input.consume(last + 1);
        }
        let mut start = 0;
        // Only the last line can lack its newline, at the end of input.
        let ends = memchr::memchr_iter(b'\n', &chunk.buf).map(|at| at + 1);
        let unterminated = (!chunk.buf.ends_with(b"\n")).then_some(chunk.buf.len());
        for end in ends.chain(unterminated) {
            *line_no += 1;
            if !chunk.buf[start..end].iter().all(u8::is_ascii_whitespace) {
                chunk.units.push((*line_no, start..end));
            }
            start = end;
        }
        if !chunk.units.is_empty() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every unit of a batch, as (line number, text).
    fn units(chunk: &Chunk) -> Vec<(u64, String)> {
        (0..chunk.units.len())
            .map(|i| {
                let (n, bytes) = chunk.unit(i);
                (n, String::from_utf8(bytes.to_vec()).unwrap())
            })
            .collect()
    }

    #[test]
    fn batches_hold_buffered_lines_and_skip_blank_ones() {
        let input = b"\n  \n{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}";
        for capacity in [1, 3, 8, 64] {
            let mut reader = BufReader::with_capacity(capacity, &input[..]);
            let (mut line_no, mut chunk, mut got) = (0, Chunk::default(), Vec::new());
            loop {
                read_available(&mut reader, &mut line_no, &mut chunk).unwrap();
                if chunk.units.is_empty() {
                    break;
                }
                got.extend(units(&chunk));
            }
            let want = [(3, "{\"a\":1}\n"), (5, "{\"b\":2}\n"), (6, "{\"c\":3}")];
            let want: Vec<(u64, String)> = want.iter().map(|&(n, t)| (n, t.into())).collect();
            assert_eq!(got, want, "buffer of {capacity} bytes");
        }
    }

    #[test]
    fn one_read_takes_every_complete_line_buffered() {
        let mut reader = BufReader::with_capacity(64, &b"{\"a\":1}\n{\"b\":2}\n{\"c\""[..]);
        let (mut line_no, mut chunk) = (0, Chunk::default());
        read_available(&mut reader, &mut line_no, &mut chunk).unwrap();
        assert_eq!(units(&chunk).len(), 2, "the partial third line waits");
        assert_eq!(reader.buffer(), b"{\"c\"");
    }
}
