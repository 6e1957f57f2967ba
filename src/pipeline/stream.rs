//! Streaming: JSONL in, sanitized JSONL out (or rolling Parquet), one line per message in
//! input order. Input is read ahead on a thread of its own; the lines that have arrived are
//! sanitized together in parallel; output is flushed whenever no further complete line is
//! waiting, so under `tail -f` or a Spark `pipe()` each line comes out as soon as it went
//! in, and under load output is batched: a batch is written while the next one, already
//! arrived, is sanitized.

use super::unit::{Sanitized, UnitContext};
use super::PipelineError;
use crate::audit::count_findings;
use crate::config::Config;
use crate::crypto::{MasterKey, Pseudonymizer, Purpose, Sealer};
use crate::detect::build_detector;
use crate::read::{Chunk, Format, Parser};
use crate::transform::Transformer;
use crate::write::{write_line, PartWriter, QuarantineEntry, QuarantineKind, QuarantineWriter};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

/// Most bytes of arrived input sanitized as one batch (one block more at most).
const BATCH_BYTES: usize = 4 << 20;

/// Bytes the read-ahead thread asks for at a time (a pipe gives 64 KiB at most).
const BLOCK_BYTES: usize = 256 << 10;

/// Blocks read ahead and not yet taken: what the stream holds beyond its batch.
const BLOCKS_AHEAD: usize = 16;

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

/// Sanitizes `input` to `output`. The input is read on a thread of its own, which is left
/// behind should this return early on an error, blocked on an input that never ends: the
/// process is about to exit then.
pub fn stream<R: Read + Send + 'static>(
    opts: StreamOptions<'_>,
    input: R,
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
    let mut input = ReadAhead::spawn(input);
    // Writes one sanitized batch: its rows, its quarantined records, and the bookkeeping.
    let mut emit = |sanitized: Sanitized, output: &mut dyn Write| -> Result<(), PipelineError> {
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
        Ok(())
    };
    // A batch whose output waits to be written while the next one is sanitized: only when
    // the next one has arrived already, so that no output waits on input.
    let mut pending: Option<Sanitized> = None;
    let mut lines = 0;
    loop {
        if let Err(e) = input.next_batch(&mut line_no, &mut chunk) {
            // The lines sanitized before the failure are written before it is reported.
            if let Some(p) = pending.take() {
                emit(p, output)?;
                output.flush().map_err(out_err)?;
            }
            return Err(PipelineError::Input(e));
        }
        if chunk.units.is_empty() {
            break;
        }
        lines += chunk.units.len() as u64;
        // The batch before is written on this thread while this one is sanitized on
        // another: writing took a tenth of the stream's time, and every worker waited on it.
        let sanitized = std::thread::scope(|s| {
            let job = s.spawn(|| ctx.sanitize_chunk(Format::Jsonl, &source, &chunk));
            let written = pending.take().map_or(Ok(()), |p| emit(p, output));
            let sanitized = job.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            written.map(|()| sanitized)
        })?;
        if input.has_complete_line() {
            pending = Some(sanitized);
        } else {
            emit(sanitized, output)?;
            output.flush().map_err(out_err)?;
        }
    }
    if let Some(p) = pending {
        emit(p, output)?;
    }
    summary.lines = lines;
    output.flush().map_err(out_err)?;
    if let Some(p) = parts {
        summary.parts = p.finish()?;
    }
    summary.quarantine_path = quarantine.finish()?;
    Ok(summary)
}

/// Input read ahead by a thread of its own, in blocks as they arrive, so that a batch takes
/// every complete line that has arrived whatever feeds the input. Read on demand, a pipe
/// (64 KiB a read) cut batches that small, and reading waited while the batch before was
/// sanitized: `stream` through a pipe ran at 33 MB/s on one thread where from a file it
/// ran at 44 (`cargo bench --bench throughput`, 256 MiB, 2026-11-28).
struct ReadAhead {
    blocks: Receiver<std::io::Result<Vec<u8>>>,
    /// Bytes that arrived after the last complete line taken.
    rest: Vec<u8>,
    /// The input has ended (or failed), and all of it is in `rest` or taken.
    done: bool,
    /// A read error met while looking ahead, for the next batch to report.
    failed: Option<std::io::Error>,
}

impl ReadAhead {
    fn spawn<R: Read + Send + 'static>(mut input: R) -> ReadAhead {
        let (send, blocks) = sync_channel(BLOCKS_AHEAD);
        // One buffer to read into; each block sent holds what one read gave, no more (a pipe
        // gives 64 KiB), so the blocks waiting hold at most BLOCKS_AHEAD reads.
        let mut buf = vec![0; BLOCK_BYTES];
        std::thread::spawn(move || loop {
            let read = match input.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => Ok(buf[..n].to_vec()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let failed = read.is_err();
            if send.send(read).is_err() || failed {
                return;
            }
        });
        ReadAhead {
            blocks,
            rest: Vec::new(),
            done: false,
            failed: None,
        }
    }

    /// Appends a block that arrived to `buf`; false when none did (`wait`: when the input
    /// ended).
    fn take(&mut self, buf: &mut Vec<u8>, wait: bool) -> std::io::Result<bool> {
        let block = if wait {
            self.blocks.recv().ok()
        } else {
            match self.blocks.try_recv() {
                Ok(block) => Some(block),
                Err(TryRecvError::Empty) => return Ok(false),
                Err(TryRecvError::Disconnected) => None,
            }
        };
        match block {
            Some(block) => {
                buf.extend_from_slice(&block?);
                Ok(true)
            }
            None => {
                self.done = true;
                Ok(false)
            }
        }
    }

    /// Appends arrived blocks to `buf` until it holds a newline, the input ends, or (unless
    /// `wait`) no block has arrived. Only the bytes added are searched for the newline.
    fn until_newline(&mut self, buf: &mut Vec<u8>, wait: bool) -> std::io::Result<()> {
        let mut searched = 0;
        while !self.done && !buf[searched..].contains(&b'\n') {
            searched = buf.len();
            if !self.take(buf, wait)? {
                break;
            }
        }
        Ok(())
    }

    /// Fills `chunk` with every complete line that has arrived, waiting for one if none
    /// has, up to about `BATCH_BYTES`; blank lines are counted but are no units, and
    /// reading goes on until a batch holds a unit or the input ends (an empty batch). A
    /// read error after complete lines arrived is reported by the next call, so that
    /// those lines are sanitized first.
    fn next_batch(&mut self, line_no: &mut u64, chunk: &mut Chunk) -> std::io::Result<()> {
        chunk.units.clear();
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        loop {
            chunk.buf.clear();
            chunk.buf.append(&mut self.rest);
            self.until_newline(&mut chunk.buf, true)?;
            while !self.done && chunk.buf.len() < BATCH_BYTES {
                match self.take(&mut chunk.buf, false) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        self.failed = Some(e);
                        break;
                    }
                }
            }
            // The bytes after the last newline wait for the rest of their line; at the end
            // of the input the last line may lack its newline.
            let cut = if self.done {
                chunk.buf.len()
            } else {
                memchr::memrchr(b'\n', &chunk.buf).map_or(0, |last| last + 1)
            };
            self.rest.extend_from_slice(&chunk.buf[cut..]);
            chunk.buf.truncate(cut);
            let mut start = 0;
            let ends = memchr::memchr_iter(b'\n', &chunk.buf).map(|at| at + 1);
            let unterminated =
                (!chunk.buf.ends_with(b"\n") && !chunk.buf.is_empty()).then_some(chunk.buf.len());
            for end in ends.chain(unterminated) {
                *line_no += 1;
                if !chunk.buf[start..end].iter().all(u8::is_ascii_whitespace) {
                    chunk.units.push((*line_no, start..end));
                }
                start = end;
            }
            if !chunk.units.is_empty() || self.done {
                return Ok(());
            }
            if let Some(e) = self.failed.take() {
                return Err(e);
            }
        }
    }

    /// Whether another complete line has arrived, so the next batch will not wait.
    /// It takes what has arrived only until a newline is among it: taking all of it would
    /// race the reader through a whole file.
    fn has_complete_line(&mut self) -> bool {
        if self.failed.is_none() {
            let mut rest = std::mem::take(&mut self.rest);
            if let Err(e) = self.until_newline(&mut rest, false) {
                self.failed = Some(e);
            }
            self.rest = rest;
        }
        self.failed.is_some() || self.rest.contains(&b'\n')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `step` bytes a read, as a pipe gives what has arrived.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Every unit of every batch until the end, as (line number, text).
    fn all_units(data: &[u8], step: usize) -> Vec<(u64, String)> {
        let trickle = Trickle {
            data: data.to_vec(),
            at: 0,
            step,
        };
        let mut ahead = ReadAhead::spawn(trickle);
        let (mut line_no, mut chunk, mut got) = (0, Chunk::default(), Vec::new());
        loop {
            ahead.next_batch(&mut line_no, &mut chunk).unwrap();
            if chunk.units.is_empty() {
                return got;
            }
            for i in 0..chunk.units.len() {
                let (n, bytes) = chunk.unit(i);
                got.push((n, String::from_utf8(bytes.to_vec()).unwrap()));
            }
        }
    }

    #[test]
    fn batches_hold_arrived_lines_and_skip_blank_ones() {
        let input = b"\n  \n{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}";
        let want = [(3, "{\"a\":1}\n"), (5, "{\"b\":2}\n"), (6, "{\"c\":3}")];
        let want: Vec<(u64, String)> = want.iter().map(|&(n, t)| (n, t.into())).collect();
        for step in [1, 3, 8, 64, BLOCK_BYTES] {
            assert_eq!(all_units(input, step), want, "{step} bytes a read");
        }
    }

    #[test]
    fn a_batch_takes_every_line_that_arrived_and_keeps_a_partial_one() {
        let lines: String = (0..5000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let input = format!("{lines}{{\"partial\"");
        let got = all_units(input.as_bytes(), 1000);
        assert_eq!(got.len(), 5001);
        assert_eq!(got[4999], (5000, "{\"n\":4999}\n".to_string()));
        assert_eq!(got[5000], (5001, "{\"partial\"".to_string()));
    }

    /// Lines that arrived before a read error are sanitized; the error comes after them.
    #[test]
    fn lines_before_a_read_error_come_first() {
        struct LinesThenFailure(usize);
        impl Read for LinesThenFailure {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0 += 1;
                match self.0 {
                    1 => {
                        buf[..8].copy_from_slice(b"{\"a\":1}\n");
                        Ok(8)
                    }
                    _ => Err(std::io::Error::other("disk gone")),
                }
            }
        }
        let mut ahead = ReadAhead::spawn(LinesThenFailure(0));
        let (mut line_no, mut chunk) = (0, Chunk::default());
        ahead.next_batch(&mut line_no, &mut chunk).unwrap();
        assert_eq!(chunk.units.len(), 1);
        let err = ahead.next_batch(&mut line_no, &mut chunk).unwrap_err();
        assert_eq!(err.to_string(), "disk gone");
    }

    /// Lines sanitized before a read error are written before the error is reported, even
    /// when their batch waits to be written beside the next one.
    #[test]
    fn a_read_error_loses_no_sanitized_line() {
        const LINE: &[u8] = b"{\"user_id\":\"u\",\"text\":\"call 555-0100\"}\n";
        const READS: usize = 40;
        const LINES_PER_READ: usize = 100;
        struct ManyLinesThenFailure(usize);
        impl Read for ManyLinesThenFailure {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0 += 1;
                if self.0 > READS {
                    return Err(std::io::Error::other("disk gone"));
                }
                let line = LINE;
                let n = LINES_PER_READ * line.len();
                for at in (0..n).step_by(line.len()) {
                    buf[at..at + line.len()].copy_from_slice(line);
                }
                Ok(n)
            }
        }
        let config = Config::default();
        let key = MasterKey::from_bytes([5; 32]);
        let dir = tempfile::tempdir().unwrap();
        let opts = StreamOptions {
            config: &config,
            key: &key,
            source_name: "test".into(),
            parquet_dir: None,
            roll_after: Duration::from_secs(300),
            quarantine_path: dir.path().join("q.jsonl"),
            run_id: "test".into(),
        };
        let mut out = Vec::new();
        let err = stream(opts, ManyLinesThenFailure(0), &mut out).unwrap_err();
        assert!(err.to_string().contains("disk gone"), "{err}");
        let written = out.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(
            written,
            READS * LINES_PER_READ,
            "every line read before the failure is written"
        );
    }

    #[test]
    fn read_errors_reach_the_batch() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk gone"))
            }
        }
        let mut ahead = ReadAhead::spawn(Failing);
        let (mut line_no, mut chunk) = (0, Chunk::default());
        let err = ahead.next_batch(&mut line_no, &mut chunk).unwrap_err();
        assert_eq!(err.to_string(), "disk gone");
    }
}
