//! The per-unit path shared by batch runs and streaming: parse a unit, sanitize its
//! records, or seal it into the quarantine if it cannot be processed.

use crate::crypto::{CryptoError, Keyring, Purpose, Sealer};
use crate::read::{Chunk, Format, Parser};
use crate::record::{Record, SanitizedRecord};
use crate::transform::{Transformer, Workspace};
use crate::write::QuarantineKind;
use rayon::prelude::*;
use std::sync::{Arc, Mutex, PoisonError};

/// A unit that could not be processed, sealed for the quarantine.
pub struct Quarantined {
    pub position: u64,
    pub reason: String,
    pub sealed: String,
}

/// What the units of a chunk became, in input order: rows of all units in one vector.
pub struct Sanitized {
    pub rows: Vec<SanitizedRecord>,
    pub quarantined: Vec<Quarantined>,
    /// The format the units were read as: the audit names a `.json` file's kind (Rasa,
    /// Taskmaster...), known only once it is parsed.
    pub format: Format,
}

/// What one unit became. A JSONL line is one row, held in place: a vector per line was an
/// allocation per message.
enum Unit {
    Row(SanitizedRecord),
    Rows(Vec<SanitizedRecord>),
    Quarantined(Quarantined),
}

pub struct UnitContext<'a> {
    parser: Parser<'a>,
    transformer: &'a Transformer<'a>,
    quarantine: &'a Sealer,
    /// Workspaces kept from one run of units to the next. Rayon starts a run for each piece
    /// it splits a chunk into, and a stream read from a pipe comes in chunks of a few dozen
    /// lines (7,816 runs for 298,914 lines on one thread): a fresh workspace each time
    /// started with cold caches (words looked up last, the last pseudonyms).
    workspaces: Mutex<Vec<Workspace>>,
}

/// A workspace lent from the context's pool for one run of units, given back when dropped.
struct Lent<'p> {
    pool: &'p Mutex<Vec<Workspace>>,
    workspace: Workspace,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let workspace = std::mem::take(&mut self.workspace);
        self.pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(workspace);
    }
}

impl<'a> UnitContext<'a> {
    pub fn new(
        parser: Parser<'a>,
        transformer: &'a Transformer<'a>,
        quarantine: &'a Sealer,
    ) -> UnitContext<'a> {
        UnitContext {
            parser,
            transformer,
            quarantine,
            workspaces: Mutex::new(Vec::new()),
        }
    }

    fn lend(&self) -> Lent<'_> {
        let pooled = self
            .workspaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        Lent {
            pool: &self.workspaces,
            workspace: pooled.unwrap_or_default(),
        }
    }

    /// Sanitizes every unit of a chunk in parallel; rows and quarantined units keep the
    /// chunk's order.
    pub fn sanitize_chunk(&self, format: Format, source: &Arc<str>, chunk: &Chunk) -> Sanitized {
        let mut units = Vec::with_capacity(chunk.units.len());
        (0..chunk.units.len())
            .into_par_iter()
            .map_init(
                || (self.lend(), Vec::<Record>::new()),
                |(lent, records), i| {
                    let workspace = &mut lent.workspace;
                    let (position, bytes) = chunk.unit(i);
                    records.clear();
                    let parsed = self.parser.parse(format, position, bytes, records);
                    let resolved = parsed.as_ref().ok().copied();
                    let unit = match parsed {
                        Ok(_) => self.sanitize_records(records, source, workspace),
                        Err(e) => Err(e.to_string()),
                    };
                    let unit = unit.unwrap_or_else(|reason| {
                        Unit::Quarantined(self.quarantine_unit(source, position, bytes, reason))
                    });
                    (unit, resolved)
                },
            )
            .collect_into_vec(&mut units);
        let mut out = Sanitized {
            rows: Vec::with_capacity(units.len()),
            quarantined: Vec::new(),
            format: units.iter().find_map(|(_, f)| *f).unwrap_or(format),
        };
        for (unit, _) in units {
            match unit {
                Unit::Row(row) => out.rows.push(row),
                Unit::Rows(rows) => out.rows.extend(rows),
                Unit::Quarantined(q) => out.quarantined.push(q),
            }
        }
        out
    }

    /// The rows of one unit's records; the unit is whole or not at all.
    fn sanitize_records(
        &self,
        records: &[Record],
        source: &Arc<str>,
        workspace: &mut Workspace,
    ) -> Result<Unit, String> {
        let mut sanitize = |r| self.transformer.sanitize(r, source, workspace);
        let unit = match records {
            [one] => sanitize(one).map(Unit::Row),
            many => many
                .iter()
                .map(sanitize)
                .collect::<Result<_, _>>()
                .map(Unit::Rows),
        };
        unit.map_err(|e| e.to_string())
    }

    /// Seals a unit that could not be processed. If even sealing fails, the reason says so
    /// and nothing of the content is kept in clear.
    fn quarantine_unit(
        &self,
        source: &str,
        position: u64,
        bytes: &[u8],
        reason: String,
    ) -> Quarantined {
        let context = quarantine_context(QuarantineKind::Record, source, position);
        let (sealed, reason) = match self.quarantine.seal(bytes, &context) {
            Ok(env) => (data_encoding::BASE64.encode(&env), reason),
            Err(e) => (String::new(), format!("{reason}; not kept: {e}")),
        };
        Quarantined {
            position,
            reason,
            sealed,
        }
    }
}

/// Associated data of a quarantine entry: its kind, source and position.
pub fn quarantine_context(kind: QuarantineKind, source: &str, position: u64) -> Vec<u8> {
    format!("quarantine|{}|{source}|{position}", kind.label()).into_bytes()
}

/// The raw bytes of a quarantine entry (its `sealed` field, base64-decoded), for the operator
/// who must repair what could not be processed. Opens only under the entry's own source and
/// position and kind, with any key of the ring.
pub fn open_quarantine_entry(
    ring: &Keyring,
    kind: QuarantineKind,
    source: &str,
    position: u64,
    sealed: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
    Sealer::for_keyring(ring, Purpose::Quarantine)
        .open(sealed, &quarantine_context(kind, source, position))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::crypto::MasterKey;
    use crate::detect::build_detector;

    /// Rows and quarantined lines keep the chunk's order whatever the threads do.
    #[test]
    fn rows_and_quarantine_keep_input_order_across_threads() {
        let mut config = Config::default();
        config.detect.disable = vec!["dictionary".into()];
        let key = MasterKey::from_bytes([3; 32]);
        let detector = build_detector(&config.detect).unwrap();
        let transformer = Transformer::new(&config, &detector, &key);
        let sealer = Sealer::new(&key, Purpose::Quarantine);
        let ctx = UnitContext::new(Parser::new(&config.input), &transformer, &sealer);
        let mut chunk = Chunk::default();
        let mut bad = Vec::new();
        for n in 1..=3000u64 {
            let start = chunk.buf.len();
            if n % 7 == 0 {
                chunk.buf.extend_from_slice(b"{\"text\": broken\n");
                bad.push(n);
            } else {
                let line = format!(
                    "{{\"user_id\":\"u{n}\",\"text\":\"line {n} mail a{n}@example.com\"}}\n"
                );
                chunk.buf.extend_from_slice(line.as_bytes());
            }
            chunk.units.push((n, start..chunk.buf.len()));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let out = pool.install(|| ctx.sanitize_chunk(Format::Jsonl, &"s".into(), &chunk));
        // The workspaces went back to the pool, and warm ones give the same rows.
        assert!(!ctx.workspaces.lock().unwrap().is_empty());
        let again = pool.install(|| ctx.sanitize_chunk(Format::Jsonl, &"s".into(), &chunk));
        assert_eq!(again.rows, out.rows);
        let texts: Vec<String> = out.rows.iter().map(|r| r.text.clone().unwrap()).collect();
        let want: Vec<String> = (1..=3000u64)
            .filter(|n| n % 7 != 0)
            .map(|n| format!("line {n} mail [EMAIL]"))
            .collect();
        assert_eq!(texts, want);
        let positions: Vec<u64> = out.quarantined.iter().map(|q| q.position).collect();
        assert_eq!(positions, bad);
        assert!(out.quarantined.iter().all(|q| !q.sealed.is_empty()));
        assert_eq!(out.format, Format::Jsonl);
    }
}
