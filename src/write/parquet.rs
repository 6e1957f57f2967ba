//! Parquet output: sanitized records as zstd-compressed part files that DuckDB, Spark,
//! pandas and Trino read as one dataset. Types are the portable ones (signed integers,
//! lists of structs rather than maps) so every engine reads them alike.

use crate::config::OutputConfig;
use crate::record::{SanitizedRecord, SealedValue};
use arrow_array::builder::{StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, Int32Array, ListArray, RecordBatch, StringArray, StructArray,
};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parquet error writing {path}: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("cannot read {path} back: {message}")]
    ReadBack { path: PathBuf, message: String },
}

fn entity_fields() -> Fields {
    Fields::from(vec![
        Field::new("field", DataType::Utf8, false),
        Field::new("type", DataType::Utf8, false),
        Field::new("start", DataType::Int32, false),
        Field::new("end", DataType::Int32, false),
        Field::new("action", DataType::Utf8, false),
    ])
}

fn sealed_fields() -> Fields {
    Fields::from(vec![
        Field::new("ref", DataType::Int32, false),
        Field::new("type", DataType::Utf8, false),
        Field::new("ciphertext", DataType::Binary, false),
    ])
}

fn attribute_fields() -> Fields {
    Fields::from(vec![
        Field::new("path", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ])
}

fn list_of(fields: Fields) -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(fields),
        false,
    )))
}

/// The schema of `messages/` files.
pub static MESSAGE_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("message_id", DataType::Utf8, false),
        Field::new("conversation", DataType::Utf8, true),
        Field::new("user", DataType::Utf8, true),
        Field::new("role", DataType::Utf8, true),
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("text", DataType::Utf8, true),
        Field::new("entities", list_of(entity_fields()), false),
        Field::new("sealed", list_of(sealed_fields()), false),
        Field::new("attributes", list_of(attribute_fields()), false),
        Field::new("source", DataType::Utf8, false),
    ]))
});

/// A list column built from each row's items: offsets plus one child array per field.
fn list_column<T>(
    rows: &[SanitizedRecord],
    items: impl Fn(&SanitizedRecord) -> &[T],
    fields: Fields,
    children: impl Fn(Vec<&T>) -> Vec<ArrayRef>,
) -> ArrayRef {
    let lengths = rows.iter().map(|r| items(r).len());
    let offsets = OffsetBuffer::from_lengths(lengths);
    let flat: Vec<&T> = rows.iter().flat_map(|r| items(r).iter()).collect();
    let structs = StructArray::new(fields.clone(), children(flat), None);
    let item = Arc::new(Field::new("item", DataType::Struct(fields), false));
    Arc::new(ListArray::new(item, offsets, Arc::new(structs), None))
}

/// Converts sanitized records to one Arrow batch, column by column.
pub fn to_batch(rows: &[SanitizedRecord]) -> RecordBatch {
    let strings = |f: &dyn Fn(&SanitizedRecord) -> Option<&str>| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 16);
        for r in rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    };
    let mut ts = TimestampMicrosecondBuilder::with_capacity(rows.len()).with_timezone("UTC");
    for r in rows {
        ts.append_option(r.timestamp_us);
    }
    let entities = list_column(
        rows,
        |r| &r.entities,
        entity_fields(),
        |items| {
            vec![
                Arc::new(StringArray::from_iter_values(
                    items.iter().map(|e| &*e.field),
                )) as ArrayRef,
                Arc::new(StringArray::from_iter_values(
                    items.iter().map(|e| &*e.entity),
                )),
                Arc::new(Int32Array::from_iter_values(
                    items.iter().map(|e| e.start as i32),
                )),
                Arc::new(Int32Array::from_iter_values(
                    items.iter().map(|e| e.end as i32),
                )),
                Arc::new(StringArray::from_iter_values(
                    items.iter().map(|e| e.action.as_str()),
                )),
            ]
        },
    );
    let sealed = list_column(
        rows,
        |r| &r.sealed,
        sealed_fields(),
        |items| {
            vec![
                Arc::new(Int32Array::from_iter_values(
                    items.iter().map(|s| s.reference as i32),
                )) as ArrayRef,
                Arc::new(StringArray::from_iter_values(
                    items.iter().map(|s| &*s.entity),
                )),
                Arc::new(BinaryArray::from_iter_values(
                    items.iter().map(|s| s.ciphertext.as_slice()),
                )),
            ]
        },
    );
    let attributes = list_column(
        rows,
        |r| &r.attributes,
        attribute_fields(),
        |items| {
            vec![
                Arc::new(StringArray::from_iter_values(
                    items.iter().map(|(p, _)| p.as_str()),
                )) as ArrayRef,
                Arc::new(StringArray::from_iter_values(
                    items.iter().map(|(_, v)| v.as_str()),
                )),
            ]
        },
    );
    let columns: Vec<ArrayRef> = vec![
        strings(&|r| Some(r.message_id.as_str())),
        strings(&|r| r.conversation.as_deref()),
        strings(&|r| r.user.as_deref()),
        strings(&|r| r.role),
        Arc::new(ts.finish()),
        strings(&|r| r.text.as_deref()),
        entities,
        sealed,
        attributes,
        strings(&|r| Some(&*r.source)),
    ];
    RecordBatch::try_new(MESSAGE_SCHEMA.clone(), columns).expect("columns match the message schema")
}

/// Writes part files `<prefix>-00000.parquet`, `<prefix>-00001.parquet`, ... into one
/// folder, starting a new file every `file_rows` rows. A part is written under a hidden
/// temporary name and renamed when complete, so a dataset reader never sees half a file.
pub struct PartWriter {
    dir: PathBuf,
    prefix: String,
    props: WriterProperties,
    file_rows: usize,
    current: Option<OpenPart>,
    next_part: usize,
    written: Vec<PathBuf>,
    pending: Vec<SanitizedRecord>,
    pending_since: Option<std::time::Instant>,
}

/// Rows converted to Arrow at once: large enough for efficient column building, small
/// enough to keep memory flat.
const BATCH_ROWS: usize = 8192;

struct OpenPart {
    writer: ArrowWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    rows: usize,
    opened: std::time::Instant,
}

impl PartWriter {
    pub fn new(dir: &Path, prefix: &str, config: &OutputConfig) -> Result<PartWriter, WriteError> {
        std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let level = ZstdLevel::try_new(config.zstd_level).unwrap_or_default();
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(level))
            .set_max_row_group_row_count(Some(config.row_group_rows.max(1)))
            .set_created_by(concat!("chatveil ", env!("CARGO_PKG_VERSION")).to_string())
            // Message ids are unique: a dictionary of them never pays, and building one
            // hashed every id until the page gave it up (writer time -10%, files -3%).
            // Timestamps nearly so, and plain ones compress better (files -16% on the
            // throughput corpus).
            .set_column_dictionary_enabled(ColumnPath::from("message_id"), false)
            .set_column_dictionary_enabled(ColumnPath::from("ts"), false)
            .build();
        Ok(PartWriter {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            props,
            file_rows: config.file_rows.max(1),
            current: None,
            next_part: 0,
            written: Vec::new(),
            pending: Vec::with_capacity(BATCH_ROWS),
            pending_since: None,
        })
    }

    /// Queues rows; they are converted to Arrow and written in batches of `BATCH_ROWS`, so
    /// callers may hand over one record at a time.
    pub fn write(
        &mut self,
        rows: impl IntoIterator<Item = SanitizedRecord>,
    ) -> Result<(), WriteError> {
        for row in rows {
            if self.pending.is_empty() {
                self.pending_since = Some(std::time::Instant::now());
            }
            self.pending.push(row);
            if self.pending.len() >= BATCH_ROWS {
                self.flush_pending()?;
            }
        }
        Ok(())
    }

    fn flush_pending(&mut self) -> Result<(), WriteError> {
        let rows = std::mem::take(&mut self.pending);
        self.write_now(&rows)?;
        self.pending = rows;
        self.pending.clear();
        Ok(())
    }

    fn write_now(&mut self, rows: &[SanitizedRecord]) -> Result<(), WriteError> {
        let mut rest = rows;
        while !rest.is_empty() {
            if self.current.is_none() {
                self.open_next()?;
            }
            let part = self.current.as_mut().expect("a part is open");
            let take = (self.file_rows - part.rows).min(rest.len());
            let batch = to_batch(&rest[..take]);
            part.writer
                .write(&batch)
                .map_err(|e| parquet_error(&part.path, e))?;
            part.rows += take;
            rest = &rest[take..];
            if part.rows >= self.file_rows {
                self.close_current()?;
            }
        }
        Ok(())
    }

    fn open_next(&mut self) -> Result<(), WriteError> {
        let name = format!("{}-{:05}.parquet", self.prefix, self.next_part);
        self.next_part += 1;
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let file = File::create(&tmp).map_err(|source| WriteError::Io {
            path: tmp.clone(),
            source,
        })?;
        let writer = ArrowWriter::try_new(file, MESSAGE_SCHEMA.clone(), Some(self.props.clone()))
            .map_err(|e| parquet_error(&path, e))?;
        self.current = Some(OpenPart {
            writer,
            tmp,
            path,
            rows: 0,
            opened: std::time::Instant::now(),
        });
        Ok(())
    }

    /// Closes the open part if it has been open longer than `max_age`, so a long stream
    /// makes its rows visible in bounded time.
    pub fn roll_if_older(&mut self, max_age: std::time::Duration) -> Result<(), WriteError> {
        let oldest = match &self.current {
            Some(part) => Some(part.opened),
            None => self.pending_since,
        };
        if oldest.is_some_and(|t| t.elapsed() >= max_age) {
            self.flush_pending()?;
            self.close_current()?;
        }
        Ok(())
    }

    fn close_current(&mut self) -> Result<(), WriteError> {
        if !self.pending.is_empty() && self.current.is_some() {
            self.flush_pending()?;
        }
        if let Some(part) = self.current.take() {
            let io = |source| WriteError::Io {
                path: part.path.clone(),
                source,
            };
            let file = part
                .writer
                .into_inner()
                .map_err(|e| parquet_error(&part.path, e))?;
            file.sync_all().map_err(io)?;
            std::fs::rename(&part.tmp, &part.path).map_err(io)?;
            self.written.push(part.path);
        }
        Ok(())
    }

    /// Closes the last part and returns every file written.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, WriteError> {
        self.flush_pending()?;
        self.close_current()?;
        Ok(self.written)
    }
}

fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> WriteError {
    WriteError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The `*.parquet` files of a folder in name order; dot files (unfinished writes) excluded.
pub(super) fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let io = |source| WriteError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| n.ends_with(".parquet") && !n.starts_with('.')) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads the named top-level columns of a Parquet file, batch by batch. Columns missing from
/// the file are an error naming the file.
pub(super) fn read_columns(
    path: &Path,
    columns: &[&str],
    mut each: impl FnMut(&RecordBatch) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let read_err = |message: String| WriteError::ReadBack {
        path: path.to_path_buf(),
        message,
    };
    let file = File::open(path).map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| read_err(e.to_string()))?;
    let mut roots = Vec::with_capacity(columns.len());
    for name in columns {
        let (index, _) = builder
            .schema()
            .column_with_name(name)
            .ok_or_else(|| read_err(format!("no column `{name}`")))?;
        roots.push(index);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| read_err(e.to_string()))?;
    for batch in reader {
        each(&batch.map_err(|e| read_err(e.to_string()))?)?;
    }
    Ok(())
}

/// The sealed values of one message, read back from a `messages/` folder for a reveal;
/// `None` when no row has that message id.
pub fn read_sealed(dir: &Path, message_id: &str) -> Result<Option<Vec<SealedValue>>, WriteError> {
    let mut found = None;
    for path in parquet_files(dir)? {
        let bad = |what: &str| WriteError::ReadBack {
            path: path.clone(),
            message: format!("column `{what}` has an unexpected type"),
        };
        read_columns(&path, &["message_id", "sealed"], |batch| {
            if found.is_some() {
                return Ok(());
            }
            let ids = batch
                .column(0)
                .as_string_opt::<i32>()
                .ok_or_else(|| bad("message_id"))?;
            let Some(row) = (0..ids.len()).find(|&i| ids.is_valid(i) && ids.value(i) == message_id)
            else {
                return Ok(());
            };
            let lists = batch
                .column(1)
                .as_list_opt::<i32>()
                .ok_or_else(|| bad("sealed"))?;
            let items = lists.value(row);
            let items = items.as_struct_opt().ok_or_else(|| bad("sealed"))?;
            let child = |name: &str| items.column_by_name(name).ok_or_else(|| bad("sealed"));
            let refs = child("ref")?
                .as_primitive_opt::<Int32Type>()
                .ok_or_else(|| bad("sealed.ref"))?;
            let types = child("type")?
                .as_string_opt::<i32>()
                .ok_or_else(|| bad("sealed.type"))?;
            let ciphertexts = child("ciphertext")?
                .as_binary_opt::<i32>()
                .ok_or_else(|| bad("sealed.ciphertext"))?;
            found = Some(
                (0..items.len())
                    .map(|i| SealedValue {
                        reference: refs.value(i) as u32,
                        entity: types.value(i).into(),
                        ciphertext: ciphertexts.value(i).to_vec(),
                    })
                    .collect(),
            );
            Ok(())
        })?;
        if found.is_some() {
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::MessageId;

    #[test]
    fn sealed_values_read_back_by_message_id() {
        let dir = tempfile::tempdir().unwrap();
        let config = OutputConfig {
            file_rows: 2,
            ..OutputConfig::default()
        };
        let rows: Vec<SanitizedRecord> = (0..5)
            .map(|i| SanitizedRecord {
                message_id: MessageId::from_digest(&[i as u8; 16]),
                sealed: (0..i)
                    .map(|r| SealedValue {
                        reference: r + 1,
                        entity: "SSN".into(),
                        ciphertext: vec![i as u8, r as u8],
                    })
                    .collect(),
                ..SanitizedRecord::default()
            })
            .collect();
        let mut w = PartWriter::new(dir.path(), "part", &config).unwrap();
        w.write(rows.clone()).unwrap();
        assert_eq!(w.finish().unwrap().len(), 3);
        let got = read_sealed(dir.path(), &rows[3].message_id)
            .unwrap()
            .unwrap();
        assert_eq!(got, rows[3].sealed);
        assert_eq!(
            read_sealed(dir.path(), &rows[0].message_id).unwrap(),
            Some(vec![])
        );
        let absent = MessageId::from_digest(&[9; 16]);
        assert_eq!(read_sealed(dir.path(), &absent).unwrap(), None);
    }

    /// Unique ids and timestamps go without a dictionary; repeated pseudonyms keep theirs.
    #[test]
    fn dictionaries_only_where_values_repeat() {
        use parquet::basic::Encoding;
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<SanitizedRecord> = (0..1000)
            .map(|i| SanitizedRecord {
                message_id: MessageId::from_digest(&(i as u128).to_le_bytes()),
                timestamp_us: Some(1_700_000_000_000_000 + i),
                user: Some("u_same".into()),
                ..SanitizedRecord::default()
            })
            .collect();
        let mut w = PartWriter::new(dir.path(), "part", &OutputConfig::default()).unwrap();
        w.write(rows).unwrap();
        let part = w.finish().unwrap().remove(0);
        let reader = SerializedFileReader::new(File::open(part).unwrap()).unwrap();
        let group = reader.metadata().row_group(0);
        let encodings = |name: &str| {
            let column = group
                .columns()
                .iter()
                .find(|c| c.column_path().string() == name)
                .unwrap();
            column.encodings().collect::<Vec<_>>()
        };
        assert!(!encodings("message_id").contains(&Encoding::RLE_DICTIONARY));
        assert!(!encodings("ts").contains(&Encoding::RLE_DICTIONARY));
        assert!(encodings("user").contains(&Encoding::RLE_DICTIONARY));
    }
}
