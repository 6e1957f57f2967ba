//! Property tests of reading bad input, for every format: random bytes, truncated and
//! bit-flipped copies of real transcripts, hostile JSON (deep nesting, huge numbers, wrong
//! types in every mapped field, out-of-range timestamps) and awkward files (empty, blank,
//! byte-order mark, CRLF, no final newline, zero-byte archives, folders).
//!
//! The contract checked: reading never panics; every unit handed out becomes records or a
//! [`RecordError`] (and then nothing is appended); a file's units are exactly its non-blank
//! lines (or its whole document), so nothing is dropped; an archive that is cut or damaged
//! is reported, never passed off as complete; no error message quotes the input.

use super::*;
use crate::config::Unmapped;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Planted in generated input: an error message that quotes input would show it.
const MARK: &str = "078-05-1120";

const FORMATS: [Format; 5] = [
    Format::Jsonl,
    Format::Document(None),
    Format::Document(Some(DocumentKind::BotFramework)),
    Format::Document(Some(DocumentKind::Rasa)),
    Format::Document(Some(DocumentKind::Taskmaster)),
];

const CHOICES: [FormatChoice; 5] = [
    FormatChoice::Auto,
    FormatChoice::Jsonl,
    FormatChoice::Botframework,
    FormatChoice::Rasa,
    FormatChoice::Taskmaster,
];

/// SplitMix64: deterministic, so a failing case is reproduced by its label alone.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Both unmapped policies: scanning walks every nested value, dropping walks none.
fn configs() -> [InputConfig; 2] {
    [
        InputConfig::default(),
        InputConfig {
            unmapped: Unmapped::Scan,
            botframework_activity_types: vec!["message".into(), "trace".into(), "event".into()],
            ..InputConfig::default()
        },
    ]
}

/// Values the fixtures planted; no error message may contain one.
fn planted() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/planted.toml");
    let doc: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = vec![MARK.to_string()];
    for list in doc.values().filter_map(toml::Value::as_array) {
        out.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)));
    }
    out
}

fn assert_quotes_nothing(label: &str, message: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !message.contains(s.as_str()),
            "{label}: error message quotes input: {message}"
        );
    }
}

/// Parses one unit as every format under every configuration and checks the unit contract.
/// Returns how many of those parses succeeded.
fn check_unit(label: &str, position: u64, bytes: &[u8], secrets: &[String]) -> usize {
    let mut parsed = 0;
    for config in configs() {
        let parser = Parser::new(&config);
        for format in FORMATS {
            let sentinel = Record {
                position: u64::MAX,
                ..Record::default()
            };
            let mut out = vec![sentinel.clone()];
            let result = catch_unwind(AssertUnwindSafe(|| {
                parser.parse(format, position, bytes, &mut out)
            }))
            .unwrap_or_else(|_| panic!("{label}: parsing as {format:?} panicked"));
            assert_eq!(out[0], sentinel, "{label}: earlier records untouched");
            match result {
                Ok(resolved) => {
                    parsed += 1;
                    for r in &out[1..] {
                        if let Some(t) = r.timestamp_us {
                            assert!(
                                chrono::DateTime::from_timestamp_micros(t).is_some(),
                                "{label}: timestamp {t} out of range"
                            );
                        }
                    }
                    match format {
                        Format::Jsonl => {
                            assert_eq!(resolved, format, "{label}");
                            assert_eq!(out.len(), 2, "{label}: one record per line");
                            assert_eq!(out[1].position, position, "{label}");
                        }
                        Format::Document(None) => assert!(
                            matches!(resolved, Format::Document(Some(_))),
                            "{label}: a parsed document has a kind"
                        ),
                        Format::Document(Some(_)) => assert_eq!(resolved, format, "{label}"),
                    }
                }
                Err(e) => {
                    assert_eq!(
                        out.len(),
                        1,
                        "{label}: {format:?} failed but appended records"
                    );
                    assert_quotes_nothing(label, &e.to_string(), secrets);
                    assert_quotes_nothing(label, &format!("{e:?}"), secrets);
                }
            }
        }
    }
    parsed
}

/// Everything reading a file gave: its format, units in order, the error that ended it.
struct FileRead {
    format: Option<Format>,
    units: Vec<(u64, Vec<u8>)>,
    error: Option<String>,
    digest: Option<InputDigest>,
}

fn read_file(label: &str, path: &Path, choice: FormatChoice, chunk_bytes: usize) -> FileRead {
    catch_unwind(AssertUnwindSafe(|| {
        let mut reader = match InputReader::open(path, choice) {
            Ok(r) => r,
            Err(e) => {
                return FileRead {
                    format: None,
                    units: Vec::new(),
                    error: Some(e.to_string()),
                    digest: None,
                }
            }
        };
        let format = Some(reader.format());
        let mut units = Vec::new();
        let mut error = None;
        loop {
            match reader.next_chunk(chunk_bytes) {
                Ok(Some(chunk)) => {
                    assert!(!chunk.units.is_empty(), "{label}: an empty chunk");
                    units.extend((0..chunk.units.len()).map(|i| {
                        let (p, b) = chunk.unit(i);
                        (p, b.to_vec())
                    }));
                }
                Ok(None) => break,
                Err(e) => {
                    error = Some(e.to_string());
                    assert!(
                        matches!(reader.next_chunk(chunk_bytes), Ok(None)),
                        "{label}: reading goes on after an error"
                    );
                    break;
                }
            }
        }
        FileRead {
            format,
            units,
            error,
            digest: reader.finish().ok(),
        }
    }))
    .unwrap_or_else(|_| panic!("{label}: reading with {choice:?} panicked"))
}

/// The units a plain file must yield: its non-blank lines numbered from 1, or the whole
/// document; a leading byte-order mark is not part of either.
fn expected_units(format: Format, bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let blank = |b: &[u8]| b.iter().all(u8::is_ascii_whitespace);
    match format {
        Format::Jsonl => bytes
            .split_inclusive(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, line)| !blank(line))
            .map(|(i, line)| (i as u64 + 1, line.to_vec()))
            .collect(),
        Format::Document(_) if blank(bytes) => Vec::new(),
        Format::Document(_) => vec![(0, bytes.to_vec())],
    }
}

/// Reads a file with every format choice and checks the file contract; for a plain file,
/// that its units are exactly its lines or document. The units `Auto` hands out are parsed
/// (as every format, so other choices' units would add nothing); that read is returned.
fn check_file(label: &str, path: &Path, secrets: &[String]) -> FileRead {
    let stored = std::fs::read(path).ok();
    let plain = compression_of(path).0 == Compression::None;
    let mut auto = None;
    for (i, choice) in CHOICES.into_iter().enumerate() {
        let label = format!("{label} [{choice:?}]");
        let read = read_file(&label, path, choice, 1 + i * 97);
        if let Some(e) = &read.error {
            assert_quotes_nothing(&label, e, secrets);
        }
        if let (Some(stored), Some(d)) = (&stored, &read.digest) {
            assert_eq!(
                d.bytes,
                stored.len() as u64,
                "{label}: digest covers the file"
            );
            assert_eq!(
                d.sha256,
                data_encoding::HEXLOWER.encode(&Sha256::digest(stored)),
                "{label}"
            );
        }
        if let (true, Some(stored), Some(format), None) = (plain, &stored, read.format, &read.error)
        {
            assert_eq!(
                read.units,
                expected_units(format, stored),
                "{label}: units are the file's lines or document, nothing dropped"
            );
        }
        if choice == FormatChoice::Auto {
            for (position, bytes) in &read.units {
                check_unit(&label, *position, bytes, secrets);
            }
            auto = Some(read);
        }
    }
    auto.expect("Auto is a choice")
}

/// Real transcripts: the fixtures, and the shared samples when this machine has them.
/// Above `max_bytes` a file is left out, to keep the debug test suite fast.
fn real_files(max_bytes: u64) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("fixtures")];
    let shared = root.join("../shared/transcripts");
    if shared.is_dir() {
        dirs.push(shared);
    }
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if format_from_name(&path).is_some()
                && path.metadata().unwrap().len() <= max_bytes
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

/// Decoded content of a real file, and the same file in each compression.
fn variants(path: &Path) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let (compression, name) = compression_of(path);
    let stored = std::fs::read(path).unwrap();
    let plain = match compression {
        Compression::None => stored,
        Compression::Gzip => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&stored[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        }
        Compression::Zstd => zstd::stream::decode_all(&stored[..]).unwrap(),
    };
    let files = vec![
        (format!("{name}.gz"), gzip(&plain)),
        (format!("{name}.zst"), zstd(&plain)),
        (name, plain.clone()),
    ];
    (plain, files)
}

#[test]
fn intact_real_files_read_whole() {
    let secrets = planted();
    let files = real_files(u64::MAX);
    assert!(files.len() >= 4, "fixtures found: {files:?}");
    let tmp = tempfile::tempdir().unwrap();
    for path in &files {
        let (_, copies) = variants(path);
        for (name, bytes) in copies {
            let copy = tmp.path().join(&name);
            std::fs::write(&copy, &bytes).unwrap();
            let read = check_file(&name, &copy, &secrets);
            assert_eq!(read.error, None, "{name}");
            assert!(!read.units.is_empty(), "{name}");
            let config = InputConfig::default();
            let parser = Parser::new(&config);
            for (position, unit) in &read.units {
                let mut out = Vec::new();
                let format = read.format.unwrap();
                let resolved = parser.parse(format, *position, unit, &mut out);
                assert!(resolved.is_ok(), "{name} unit {position}: {resolved:?}");
            }
        }
    }
}

#[test]
fn truncated_real_files_keep_whole_lines_and_report_the_cut() {
    let secrets = planted();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x7275_6e63);
    for path in real_files(64 << 10) {
        let (plain, copies) = variants(&path);
        let lines = expected_units(Format::Jsonl, &plain);
        for (name, bytes) in copies {
            let compressed = compression_of(Path::new(&name)).0 != Compression::None;
            let mut cuts = vec![0, 1, bytes.len() / 2, bytes.len() - 1];
            cuts.extend((0..12).map(|_| rng.below(bytes.len())));
            for cut in cuts {
                let label = format!("{name} cut at {cut}");
                let copy = tmp.path().join(&name);
                std::fs::write(&copy, &bytes[..cut]).unwrap();
                let read = check_file(&label, &copy, &secrets);
                if !compressed || cut == 0 {
                    continue;
                }
                assert!(
                    read.error.is_some(),
                    "{label}: a cut archive passed as whole"
                );
                if read.format != Some(Format::Jsonl) {
                    continue;
                }
                for (position, unit) in &read.units {
                    assert!(
                        lines.iter().any(|(p, l)| p == position && l == unit),
                        "{label}: line {position} handed out cut or altered"
                    );
                }
            }
        }
    }
}

#[test]
fn bit_flipped_real_files_are_read_or_reported_never_altered_silently() {
    let secrets = planted();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x666c_6970);
    for path in real_files(64 << 10) {
        let (plain, copies) = variants(&path);
        for (name, bytes) in copies {
            for round in 0..16 {
                let mut bad = bytes.clone();
                let flips = 1 + rng.below(4);
                for _ in 0..flips {
                    let bit = rng.below(bad.len() * 8);
                    bad[bit / 8] ^= 1 << (bit % 8);
                }
                let label = format!("{name} flip round {round}");
                let copy = tmp.path().join(&name);
                std::fs::write(&copy, &bad).unwrap();
                let read = check_file(&label, &copy, &secrets);
                // gzip's CRC-32 catches a damaged stream; zstd frames carry no checksum
                // by default, so only gzip must never pass damage off as content.
                if name.ends_with(".gz") && read.error.is_none() {
                    if let Some(format) = read.format {
                        assert_eq!(
                            read.units,
                            expected_units(format, &plain),
                            "{label}: damage passed as content"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn random_bytes_in_every_format() {
    let secrets = planted();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x7261_6e64);
    // Bytes JSON parsers branch on, plus the marker and a byte-order mark.
    let tokens: &[&[u8]] = &[
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b":",
        b",",
        b"\n",
        b"\r\n",
        b" ",
        b"0",
        b"-1",
        b"1e400",
        b"\\u",
        b"\\ud800",
        b"\xff",
        b"\xc3",
        b"\xef\xbb\xbf",
        b"null",
        b"\"text\"",
        b"\"events\"",
        b"\"utterances\"",
        b"\"type\"",
        b"\"from\"",
        MARK.as_bytes(),
    ];
    let names = [
        "r.jsonl",
        "r.json",
        "r.transcript",
        "r.txt",
        "r.jsonl.gz",
        "r.json.zst",
    ];
    for round in 0..300 {
        let mut bytes = Vec::new();
        let len = rng.below(200);
        for _ in 0..len {
            if rng.below(3) == 0 {
                bytes.push(rng.next() as u8);
            } else {
                bytes.extend_from_slice(tokens[rng.below(tokens.len())]);
            }
        }
        let label = format!("random round {round}");
        check_unit(&label, 1, &bytes, &secrets);
        let name = names[round % names.len()];
        let stored = match compression_of(Path::new(name)).0 {
            Compression::None => bytes,
            Compression::Gzip => gzip(&bytes),
            Compression::Zstd => zstd(&bytes),
        };
        let path = tmp.path().join(name);
        std::fs::write(&path, &stored).unwrap();
        check_file(&label, &path, &secrets);
    }
}

/// One record of each format, `@@` marking where a hostile value goes.
const SKELETONS: &[&str] = &[
    r#"{"user_id":"u1","user_name":"Ann","conversation_id":"c1","timestamp":1517821726,"role":"user","text":"hi","from":{"id":"u","name":"n","role":"user"},"conversation":{"id":"c"},"sender_id":"s","user":"x","session_id":"s","speaker":"user","meta":{"note":"n"}}"#,
    r#"[{"type":"message","from":{"id":"u1","name":"Ann","role":"user"},"recipient":{"id":"b","name":"bot","role":"bot"},"conversation":{"id":"c1"},"timestamp":"2019-08-20T20:37:05.499Z","text":"hi","value":{"x":"y"},"attachments":[{"content":"z"}]}]"#,
    r#"{"sender_id":"s1","slots":{"name":"Ann"},"events":[{"event":"user","text":"hi","timestamp":1517821726.2,"parse_data":{"text":"hi"}},{"event":"bot","text":"ok","timestamp":1517821727}]}"#,
    r#"[{"conversation_id":"d1","utterances":[{"index":0,"speaker":"USER","text":"hi","segments":[{"text":"hi"}]}]},{"conversation_id":"d2","utterances":[{"speaker":"ASSISTANT","text":"ok"}]}]"#,
    // A second tracker that goes bad after the first gave records.
    r#"[{"sender_id":"s1","events":[{"event":"user","text":"hi"}]},{"sender_id":"s2","events":[{"event":"bot","text":"ok"}]}]"#,
];

/// Values of the wrong type or out of range, as JSON text (some are not valid JSON).
const HOSTILE: &[&str] = &[
    "1",
    "-1",
    "-1.5",
    "0",
    "-0",
    "1e300",
    "-1e300",
    "1e400",
    "-1e400",
    "1e-400",
    "1e11",
    "-1e11",
    "1e19",
    "-1e19",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "99999999999999999999999999999",
    "253402300800",
    "8.7e15",
    "-8.7e15",
    "NaN",
    "Infinity",
    "-Infinity",
    "true",
    "null",
    "[]",
    "{}",
    r#"["078-05-1120"]"#,
    r#"{"x":"078-05-1120"}"#,
    r#""078-05-1120""#,
    r#""""#,
    r#""NaN""#,
    r#""9999-12-31T23:59:60.999999999Z""#,
    r#""0000-01-01T00:00:00Z""#,
    r#""2019-02-30T00:00:00Z""#,
    r#""+275760-09-13T00:00:00Z""#,
    r#""2019-08-20T20:37:05.499+23:59""#,
    r#""2019-08-20T20:37:05.499-99:99""#,
    r#""\ud800""#,
    r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
];

/// Every JSON Pointer in a value, containers included.
fn pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                pointers(item, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[test]
fn wrong_types_and_hostile_values_in_every_field() {
    let secrets = planted();
    let mut cases = 0;
    for (s, skeleton) in SKELETONS.iter().enumerate() {
        // The intact skeleton parses in its own format: a positive control.
        assert!(check_unit(&format!("skeleton {s}"), 1, skeleton.as_bytes(), &secrets) > 0);
        let doc: serde_json::Value = serde_json::from_str(skeleton).unwrap();
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        for pointer in all {
            let mut doc = doc.clone();
            *doc.pointer_mut(&pointer).unwrap() = serde_json::Value::from("@@");
            let text = doc.to_string();
            for value in HOSTILE {
                let unit = text.replace("\"@@\"", value);
                check_unit(
                    &format!("skeleton {s} {pointer} = {value}"),
                    1,
                    unit.as_bytes(),
                    &secrets,
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 1000, "{cases}");
}

#[test]
fn deep_nesting_and_huge_documents_are_errors_not_crashes() {
    let secrets = planted();
    for depth in [127, 128, 129, 1_000, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!(
            "{}\"{MARK}\"{}",
            "{\"text\":".repeat(depth),
            "}".repeat(depth)
        );
        let unclosed = "[{\"a\":".repeat(depth);
        let in_field = format!(
            "{{\"sender_id\":\"s\",\"events\":[{{\"event\":\"user\",\"text\":{arrays}}}]}}"
        );
        for (kind, unit) in [
            ("arrays", &arrays),
            ("objects", &objects),
            ("unclosed", &unclosed),
            ("in a field", &in_field),
        ] {
            check_unit(
                &format!("depth {depth} {kind}"),
                1,
                unit.as_bytes(),
                &secrets,
            );
        }
    }
    let digits = format!("{{\"text\":\"t\",\"timestamp\":{}}}", "9".repeat(100_000));
    check_unit("100000 digits", 1, digits.as_bytes(), &secrets);
}

#[test]
fn awkward_files() {
    let secrets = planted();
    let tmp = tempfile::tempdir().unwrap();
    let line = format!("{{\"user_id\":\"u1\",\"text\":\"{MARK}\"}}");
    let rasa = r#"{"sender_id":"s1","events":[{"event":"user","text":"hi","timestamp":1}]}"#;
    // (name, content, units `Auto` must hand out; each must parse into records)
    let cases: Vec<(&str, Vec<u8>, usize)> = vec![
        ("empty.jsonl", Vec::new(), 0),
        ("empty.json", Vec::new(), 0),
        ("empty.transcript", Vec::new(), 0),
        ("blank.jsonl", b" \n\r\n\t\n\n".to_vec(), 0),
        ("blank.json", b"\n \r\n".to_vec(), 0),
        ("bom-only.jsonl", BOM.to_vec(), 0),
        ("bom.jsonl", [BOM, line.as_bytes(), b"\n"].concat(), 1),
        ("bom.json", [BOM, rasa.as_bytes()].concat(), 1),
        ("bom.txt", [BOM, line.as_bytes(), b"\n"].concat(), 1),
        (
            "crlf.jsonl",
            format!("{line}\r\n\r\n{line}\r\n").into_bytes(),
            2,
        ),
        (
            "no-final-newline.jsonl",
            format!("{line}\n{line}").into_bytes(),
            2,
        ),
        ("crlf.json", rasa.replace(',', ",\r\n").into_bytes(), 1),
        ("gz-of-nothing.jsonl.gz", gzip(b""), 0),
        ("zst-of-nothing.jsonl.zst", zstd(b""), 0),
        ("bom.jsonl.gz", gzip(&[BOM, line.as_bytes()].concat()), 1),
    ];
    for (name, content, want) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, &content).unwrap();
        let read = check_file(name, &path, &secrets);
        assert_eq!(read.error, None, "{name}");
        assert_eq!(read.units.len(), want, "{name}");
        let config = InputConfig::default();
        for (position, unit) in &read.units {
            let mut out = Vec::new();
            let parsed =
                Parser::new(&config).parse(read.format.unwrap(), *position, unit, &mut out);
            assert!(parsed.is_ok(), "{name}: {parsed:?}");
            assert!(!out.is_empty(), "{name}");
        }
    }

    // Not transcripts at all, or not files: an error naming the file, never a panic.
    let dir = tmp.path().join("folder.jsonl");
    std::fs::create_dir(&dir).unwrap();
    let zero_gz = tmp.path().join("zero.jsonl.gz");
    std::fs::write(&zero_gz, b"").unwrap();
    let zero_zst = tmp.path().join("zero.jsonl.zst");
    std::fs::write(&zero_zst, b"").unwrap();
    let garbage_gz = tmp.path().join("garbage.json.gz");
    std::fs::write(&garbage_gz, format!("not gzip {MARK}")).unwrap();
    let missing = tmp.path().join("missing.jsonl");
    for path in [&dir, &zero_gz, &zero_zst, &garbage_gz, &missing] {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let read = check_file(&name, path, &secrets);
        assert!(read.units.is_empty(), "{name}");
        let error = read.error.unwrap_or_else(|| panic!("{name}: no error"));
        assert!(error.contains(&name), "{name}: {error}");
    }
}

#[test]
fn documents_resolve_to_their_kind() {
    let config = InputConfig::default();
    let parser = Parser::new(&config);
    for (skeleton, kind) in SKELETONS[1..].iter().zip([
        DocumentKind::BotFramework,
        DocumentKind::Rasa,
        DocumentKind::Taskmaster,
        DocumentKind::Rasa,
    ]) {
        let got = parser.parse(
            Format::Document(None),
            0,
            skeleton.as_bytes(),
            &mut Vec::new(),
        );
        assert_eq!(got, Ok(Format::Document(Some(kind))));
    }
    let unknown = parser.parse(Format::Document(None), 0, b"{\"a\":1}", &mut Vec::new());
    assert!(matches!(unknown, Err(RecordError::Shape(_))));
}
