//! Reading inputs: finding files, decompressing, cutting them into independently parsable
//! units, and turning each unit into [`Record`]s.
//!
//! Reading is split in two so the pipeline can parallelize: [`InputReader`] cuts a file into
//! [`Chunk`]s sequentially (cheap), and [`Parser`] turns each unit into records on any thread.
//! Readers know nothing of detection or output; a new format is one new file here.

mod botframework;
mod discover;
mod json;
mod jsonl;
mod rasa;
mod taskmaster;

pub use discover::{discover_inputs, DiscoveredInputs};

use crate::config::{FormatChoice, InputConfig};
use crate::record::Record;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Errors that stop reading a whole file. Messages name the file, never its content.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("{path}: read failed after {decoded_bytes} decompressed bytes ({kind}); the file is truncated or corrupt")]
    Io {
        path: PathBuf,
        decoded_bytes: u64,
        kind: io::ErrorKind,
    },
    #[error("{path}: not a recognized transcript format (JSONL, Bot Framework, Rasa tracker, Taskmaster)")]
    Unrecognized { path: PathBuf },
}

/// Why one unit (a line, or a whole document) could not become records. Carries positions
/// and categories only: serde_json's own messages can quote the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("invalid UTF-8 at byte {offset} of the record")]
    InvalidUtf8 { offset: usize },
    #[error("malformed JSON ({category}) at line {line}, column {column} of the record")]
    Json {
        category: &'static str,
        line: usize,
        column: usize,
    },
    #[error("unexpected structure: {0}")]
    Shape(&'static str),
}

impl RecordError {
    fn from_json(e: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        RecordError::Json {
            category: match e.classify() {
                Category::Io => "io",
                Category::Syntax => "syntax",
                Category::Data => "data",
                Category::Eof => "unexpected end",
            },
            line: e.line(),
            column: e.column(),
        }
    }
}

/// Parses bytes as one JSON value, with an error that never quotes the input.
fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, RecordError> {
    let text = std::str::from_utf8(bytes).map_err(|e| RecordError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    serde_json::from_str(text).map_err(|e| RecordError::from_json(&e))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line; each line is a unit.
    Jsonl,
    /// A single JSON document (Bot Framework, Rasa or Taskmaster), recognized by its shape
    /// unless the configuration names the format.
    Document(Option<DocumentKind>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    BotFramework,
    Rasa,
    Taskmaster,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Document(None) => "json",
            Format::Document(Some(DocumentKind::BotFramework)) => "botframework",
            Format::Document(Some(DocumentKind::Rasa)) => "rasa",
            Format::Document(Some(DocumentKind::Taskmaster)) => "taskmaster",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Splits `name.ext.gz` into its compression and the name that tells the format.
fn compression_of(path: &Path) -> (Compression, String) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if let Some(stem) = name.strip_suffix(".gz") {
        (Compression::Gzip, stem.to_string())
    } else if let Some(stem) = name.strip_suffix(".zst") {
        (Compression::Zstd, stem.to_string())
    } else {
        (Compression::None, name)
    }
}

/// The format a file name promises, if any.
pub fn format_from_name(path: &Path) -> Option<Format> {
    let (_, name) = compression_of(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        "transcript" => Some(Format::Document(Some(DocumentKind::BotFramework))),
        "json" => Some(Format::Document(None)),
        _ => None,
    }
}

/// Counts and hashes the bytes of the file as stored, before decompression, so the audit
/// can name exactly what was read.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A shared handle on the hash state, so it can be read after the decompressor that owns
/// the reader is done.
type SharedHasher = std::sync::Arc<std::sync::Mutex<HashingReader<File>>>;

struct SharedRead(SharedHasher);

impl Read for SharedRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.lock().expect("hash state lock").read(buf)
    }
}

/// Raw input cut into units that parse independently of each other.
#[derive(Debug, Default)]
pub struct Chunk {
    pub buf: Vec<u8>,
    /// (position, byte range in `buf`) per unit; position is the 1-based line number for
    /// JSONL and 0 for a whole document.
    pub units: Vec<(u64, Range<usize>)>,
}

impl Chunk {
    pub fn unit(&self, i: usize) -> (u64, &[u8]) {
        let (pos, range) = &self.units[i];
        (*pos, &self.buf[range.clone()])
    }
}

/// What was read from a file, for the audit.
#[derive(Debug, Clone)]
pub struct InputDigest {
    pub sha256: String,
    pub bytes: u64,
}

/// One open input file, handing out chunks in file order.
pub struct InputReader {
    path: PathBuf,
    format: Format,
    reader: Box<dyn BufRead + Send>,
    hash: SharedHasher,
    line: u64,
    decoded: u64,
    done: bool,
    /// A read error held back until the lines read before it have been handed out.
    pending: Option<ReadError>,
    /// Whether the start of the decoded stream was checked for a byte-order mark.
    started: bool,
}

impl InputReader {
    pub fn open(path: &Path, choice: FormatChoice) -> Result<InputReader, ReadError> {
        let file = File::open(path).map_err(|source| ReadError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let hash: SharedHasher = std::sync::Arc::new(std::sync::Mutex::new(HashingReader {
            inner: file,
            hasher: Sha256::new(),
            bytes: 0,
        }));
        let raw = SharedRead(hash.clone());
        let (compression, _) = compression_of(path);
        let decoded: Box<dyn Read + Send> =
            match compression {
                Compression::None => Box::new(raw),
                Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
                Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw).map_err(
                    |e| ReadError::Io {
                        path: path.to_path_buf(),
                        decoded_bytes: 0,
                        kind: e.kind(),
                    },
                )?),
            };
        let mut reader: Box<dyn BufRead + Send> =
            Box::new(BufReader::with_capacity(1 << 16, decoded));
        let format = match choice {
            FormatChoice::Jsonl => Format::Jsonl,
            FormatChoice::Botframework => Format::Document(Some(DocumentKind::BotFramework)),
            FormatChoice::Rasa => Format::Document(Some(DocumentKind::Rasa)),
            FormatChoice::Taskmaster => Format::Document(Some(DocumentKind::Taskmaster)),
            FormatChoice::Auto => match format_from_name(path) {
                Some(f) => f,
                None => sniff(path, &mut reader)?,
            },
        };
        Ok(InputReader {
            path: path.to_path_buf(),
            format,
            reader,
            hash,
            line: 0,
            decoded: 0,
            done: false,
            pending: None,
            started: false,
        })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the next chunk of about `target_bytes` (whole lines for JSONL, the whole file
    /// for a document). `None` at the end of the file.
    pub fn next_chunk(&mut self, target_bytes: usize) -> Result<Option<Chunk>, ReadError> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.done {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.skip_bom().map_err(|e| self.io_error(e))?;
        }
        let mut chunk = Chunk::default();
        match self.format {
            Format::Jsonl => {
                // Room for the whole chunk up front: growing it would copy it again and again.
                chunk.buf.reserve(target_bytes + (64 << 10));
                while chunk.buf.len() < target_bytes {
                    let start = chunk.buf.len();
                    let n = match self.reader.read_until(b'\n', &mut chunk.buf) {
                        Ok(n) => n,
                        Err(e) => {
                            chunk.buf.truncate(start);
                            let err = self.io_error(e);
                            if chunk.units.is_empty() {
                                return Err(err);
                            }
                            self.pending = Some(err);
                            return Ok(Some(chunk));
                        }
                    };
                    if n == 0 {
                        self.done = true;
                        break;
                    }
                    self.decoded += n as u64;
                    self.line += 1;
                    let line = &chunk.buf[start..];
                    if line.iter().all(u8::is_ascii_whitespace) {
                        chunk.buf.truncate(start);
                        continue;
                    }
                    chunk.units.push((self.line, start..chunk.buf.len()));
                }
            }
            Format::Document(_) => {
                self.reader
                    .read_to_end(&mut chunk.buf)
                    .map_err(|e| self.io_error(e))?;
                self.decoded += chunk.buf.len() as u64;
                self.done = true;
                if !chunk.buf.iter().all(u8::is_ascii_whitespace) {
                    chunk.units.push((0, 0..chunk.buf.len()));
                }
            }
        }
        if chunk.units.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(chunk))
    }

    /// Windows tools often start UTF-8 files with a byte-order mark, which JSON forbids; left
    /// in, it would fail the whole first record. A mark split across two reads of the
    /// decoder is not seen, and then the first record is quarantined, not lost.
    fn skip_bom(&mut self) -> io::Result<()> {
        if self.reader.fill_buf()?.starts_with(BOM) {
            self.reader.consume(BOM.len());
            self.decoded += BOM.len() as u64;
        }
        Ok(())
    }

    fn io_error(&mut self, e: io::Error) -> ReadError {
        self.done = true;
        ReadError::Io {
            path: self.path.clone(),
            decoded_bytes: self.decoded,
            kind: e.kind(),
        }
    }

    /// Hash and size of the stored file. Reads whatever the decoder left unread, so the
    /// digest always covers the whole file.
    pub fn finish(self) -> io::Result<InputDigest> {
        drop(self.reader);
        let mut guard = self.hash.lock().expect("hash state lock");
        io::copy(&mut *guard, &mut io::sink())?;
        Ok(InputDigest {
            sha256: data_encoding::HEXLOWER.encode(&guard.hasher.clone().finalize()),
            bytes: guard.bytes,
        })
    }
}

/// Hashes a whole file as stored; used for files that could not be read as transcripts.
pub fn digest_file(path: &Path) -> io::Result<InputDigest> {
    let mut reader = HashingReader {
        inner: File::open(path)?,
        hasher: Sha256::new(),
        bytes: 0,
    };
    io::copy(&mut reader, &mut io::sink())?;
    Ok(InputDigest {
        sha256: data_encoding::HEXLOWER.encode(&reader.hasher.finalize()),
        bytes: reader.bytes,
    })
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Guesses the format of a file whose name says nothing, from its first bytes.
fn sniff(path: &Path, reader: &mut Box<dyn BufRead + Send>) -> Result<Format, ReadError> {
    let head = reader.fill_buf().map_err(|e| ReadError::Io {
        path: path.to_path_buf(),
        decoded_bytes: 0,
        kind: e.kind(),
    })?;
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let first_line_end = head.iter().position(|&b| b == b'\n');
    match first {
        Some(b'[') => Ok(Format::Document(None)),
        Some(b'{') => {
            // A complete object on the first line means JSON Lines.
            let line = &head[..first_line_end.unwrap_or(head.len())];
            if first_line_end.is_some()
                && serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok()
            {
                Ok(Format::Jsonl)
            } else {
                Ok(Format::Document(None))
            }
        }
        _ => Err(ReadError::Unrecognized {
            path: path.to_path_buf(),
        }),
    }
}

/// Turns units into records, following the input configuration.
pub struct Parser<'c> {
    config: &'c InputConfig,
    jsonl: jsonl::Mapping,
}

impl<'c> Parser<'c> {
    pub fn new(config: &'c InputConfig) -> Self {
        Parser {
            config,
            jsonl: jsonl::Mapping::new(&config.jsonl),
        }
    }

    /// Appends the records of one unit to `out` and returns the format the unit was read
    /// as: a JSON document's kind is only known once it is parsed. On error nothing is
    /// appended.
    pub fn parse<'a>(
        &self,
        format: Format,
        position: u64,
        bytes: &'a [u8],
        out: &mut Vec<Record<'a>>,
    ) -> Result<Format, RecordError> {
        match format {
            Format::Jsonl => {
                out.push(jsonl::parse_line(
                    &self.jsonl,
                    self.config.unmapped,
                    position,
                    bytes,
                )?);
                Ok(format)
            }
            Format::Document(kind) => {
                let doc = parse_json(bytes)?;
                let kind = match kind {
                    Some(k) => k,
                    None => classify(&doc).ok_or(RecordError::Shape(
                        "a JSON document that is neither Bot Framework, Rasa nor Taskmaster",
                    ))?,
                };
                let start = out.len();
                let result = match kind {
                    DocumentKind::BotFramework => botframework::parse(self.config, &doc, out),
                    DocumentKind::Rasa => rasa::parse(self.config.unmapped, &doc, out),
                    DocumentKind::Taskmaster => taskmaster::parse(self.config.unmapped, &doc, out),
                };
                if result.is_err() {
                    out.truncate(start);
                }
                result.map(|()| Format::Document(Some(kind)))
            }
        }
    }
}

/// Recognizes a document by the keys its format always has.
fn classify(doc: &serde_json::Value) -> Option<DocumentKind> {
    use serde_json::Value;
    let looks_like = |v: &Value| -> Option<DocumentKind> {
        let o = v.as_object()?;
        if o.contains_key("sender_id") && o.contains_key("events") {
            Some(DocumentKind::Rasa)
        } else if o.contains_key("utterances") {
            Some(DocumentKind::Taskmaster)
        } else if o.contains_key("type")
            && (o.contains_key("from") || o.contains_key("conversation"))
        {
            Some(DocumentKind::BotFramework)
        } else {
            None
        }
    };
    match doc {
        Value::Array(items) => items.iter().find_map(looks_like),
        other => looks_like(other),
    }
}

#[cfg(test)]
mod robustness;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_tell_formats() {
        assert_eq!(
            format_from_name(Path::new("a/b.jsonl.gz")),
            Some(Format::Jsonl)
        );
        assert_eq!(format_from_name(Path::new("x.NDJSON")), Some(Format::Jsonl));
        assert_eq!(
            format_from_name(Path::new("t.transcript.zst")),
            Some(Format::Document(Some(DocumentKind::BotFramework)))
        );
        assert_eq!(
            format_from_name(Path::new("t.json")),
            Some(Format::Document(None))
        );
        assert_eq!(format_from_name(Path::new("notes.txt")), None);
    }

    #[test]
    fn json_errors_never_quote_input() {
        let secret = br#"{"text": 123-45-6789}"#;
        let err = parse_json(secret).unwrap_err().to_string();
        assert!(!err.contains("123"), "{err}");
        let err = parse_json(b"{\"a\": \"\xff\"}").unwrap_err();
        assert!(matches!(err, RecordError::InvalidUtf8 { offset: 7 }));
    }
}
