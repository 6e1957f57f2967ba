//! Helpers shared by the integration tests: running the binary and reading output back.

#![allow(dead_code)]

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chatveil"))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("fixtures")
}

/// `../shared/` beside the checkout, if this machine has it.
pub fn shared() -> Option<PathBuf> {
    let p = root().join("..").join("shared");
    p.is_dir().then_some(p)
}

/// `chatveil run <input> --out <out>`, for the caller to add options to.
pub fn run_cmd(input: impl AsRef<std::ffi::OsStr>, out: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = bin();
    cmd.arg("run").arg(input).arg("--out").arg(out);
    cmd
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("binary runs");
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    run_ok(bin().arg("keygen").arg("--out").arg(&path));
    path
}

/// Every batch of every Parquet file under `dir`, in file-name order.
pub fn read_batches(dir: &Path) -> Vec<RecordBatch> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("output folder exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    let mut batches = Vec::new();
    for f in files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&f).unwrap())
            .unwrap()
            .build()
            .unwrap();
        batches.extend(reader.map(|b| b.unwrap()));
    }
    batches
}

/// Rows in every Parquet file under `dir`.
pub fn row_count(dir: &Path) -> usize {
    read_batches(dir).iter().map(|b| b.num_rows()).sum()
}

/// Every string (and binary value, lossily) in an array, nested lists and structs included.
pub fn strings_in(array: &ArrayRef, out: &mut Vec<String>) {
    match array.data_type() {
        DataType::Utf8 => out.extend(
            array
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string),
        ),
        DataType::Binary => out.extend(
            array
                .as_binary::<i32>()
                .iter()
                .flatten()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
        ),
        DataType::List(_) => strings_in(array.as_list::<i32>().values(), out),
        DataType::Struct(_) => {
            for c in array.as_struct().columns() {
                strings_in(c, out);
            }
        }
        _ => {}
    }
}

pub fn all_strings(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        for c in b.columns() {
            strings_in(c, &mut out);
        }
    }
    out
}

/// The values of one string column across batches.
pub fn column(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let c = b.column_by_name(name).expect("column exists");
        let s = c.as_string::<i32>();
        out.extend((0..s.len()).map(|i| (!s.is_null(i)).then(|| s.value(i).to_string())));
    }
    out
}

/// Every file under a folder, as text (lossy), for leak checks on audit and quarantine.
pub fn text_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.clone(),
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
                ));
            }
        }
    }
    out
}

/// Asserts that none of `needles` appears in any output string, audit or other file.
pub fn assert_absent(out_dir: &Path, needles: &[String], extra: &[&str]) {
    let batches = read_batches(&out_dir.join("messages"));
    let strings = all_strings(&batches);
    for n in needles {
        for s in &strings {
            assert!(
                !s.contains(n.as_str()),
                "{n:?} leaked into output value {s:?}"
            );
        }
        for (path, text) in text_files(out_dir) {
            if path.extension().is_some_and(|e| e == "parquet") {
                continue;
            }
            assert!(
                !text.contains(n.as_str()),
                "{n:?} leaked into {}",
                path.display()
            );
        }
        for e in extra {
            assert!(!e.contains(n.as_str()), "{n:?} leaked into stderr/stdout");
        }
    }
}
