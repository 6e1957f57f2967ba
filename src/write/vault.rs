//! The identity vault's file format: one Parquet file per run that added identities. The
//! pseudonym and kind are in clear (they re-identify nobody); the identity is sealed.

use super::parquet::{parquet_files, read_columns};
use super::WriteError;
use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, BinaryArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// One vault entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct VaultRow {
    pub pseudonym: String,
    /// `user` or `conversation`.
    pub kind: String,
    /// The pseudonym mode that produced it: token-mode rows are reused by later runs.
    pub mode: String,
    /// The sealed identity.
    pub sealed: Vec<u8>,
}

static VAULT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("pseudonym", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("mode", DataType::Utf8, false),
        Field::new("sealed", DataType::Binary, false),
    ]))
});

/// Writes `dir/name` (mode 0600) through a hidden temporary file, so the vault holds the
/// whole file or nothing of it.
pub fn write_vault_file(dir: &Path, name: &str, rows: &[VaultRow]) -> Result<PathBuf, WriteError> {
    let target = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = write_rows(&tmp, rows).and_then(|()| {
        std::fs::rename(&tmp, &target).map_err(|source| WriteError::Io {
            path: target.clone(),
            source,
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| target)
}

fn write_rows(path: &Path, rows: &[VaultRow]) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let pq = |e: parquet::errors::ParquetError| WriteError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(io)?;
    let strings = |f: fn(&VaultRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    let batch = RecordBatch::try_new(
        VAULT_SCHEMA.clone(),
        vec![
            strings(|r| &r.pseudonym),
            strings(|r| &r.kind),
            strings(|r| &r.mode),
            Arc::new(BinaryArray::from_iter_values(
                rows.iter().map(|r| r.sealed.as_slice()),
            )),
        ],
    )
    .expect("columns match the vault schema");
    let mut writer = ArrowWriter::try_new(file, VAULT_SCHEMA.clone(), None).map_err(pq)?;
    writer.write(&batch).map_err(pq)?;
    writer.into_inner().map_err(pq)?.sync_all().map_err(io)
}

/// Every row of every vault file in `dir`, in file order.
pub fn read_vault_files(dir: &Path) -> Result<Vec<VaultRow>, WriteError> {
    let mut rows = Vec::new();
    for path in parquet_files(dir)? {
        let bad = || WriteError::ReadBack {
            path: path.clone(),
            message: "not a vault file".into(),
        };
        read_columns(&path, &["pseudonym", "kind", "mode", "sealed"], |batch| {
            let text = |i: usize| batch.column(i).as_string_opt::<i32>().ok_or_else(bad);
            let (pseudonyms, kinds, modes) = (text(0)?, text(1)?, text(2)?);
            let sealed = batch.column(3).as_binary_opt::<i32>().ok_or_else(bad)?;
            rows.extend((0..batch.num_rows()).map(|i| VaultRow {
                pseudonym: pseudonyms.value(i).to_string(),
                kind: kinds.value(i).to_string(),
                mode: modes.value(i).to_string(),
                sealed: sealed.value(i).to_vec(),
            }));
            Ok(())
        })?;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_files_round_trip_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            VaultRow {
                pseudonym: "u_tok_a".into(),
                kind: "user".into(),
                mode: "token".into(),
                sealed: vec![1, 2, 3],
            },
            VaultRow {
                pseudonym: "c_1234_b".into(),
                kind: "conversation".into(),
                mode: "hmac".into(),
                sealed: vec![4],
            },
        ];
        let path = write_vault_file(dir.path(), "identities-1.parquet", &rows).unwrap();
        write_vault_file(dir.path(), "identities-2.parquet", &rows[..1]).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let back = read_vault_files(dir.path()).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[..2], rows[..]);
        assert!(write_vault_file(dir.path(), "identities-1.parquet", &rows).is_ok());
        assert!(!dir.path().join(".identities-1.parquet.tmp").exists());
    }
}
