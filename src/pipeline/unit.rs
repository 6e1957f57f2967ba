//! The per-unit path shared by batch runs and streaming: parse a unit, sanitize its
//! records, or seal it into the quarantine if it cannot be processed.

use crate::crypto::{CryptoError, Keyring, Purpose, Sealer};
use crate::read::{Chunk, Format, Parser};
use crate::record::{Record, SanitizedRecord};
use crate::transform::{Transformer, Workspace};
use crate::write::QuarantineKind;
use rayon::prelude::*;
use std::sync::Arc;

/// What one unit became, in input order.
pub enum Outcome {
    Rows(Vec<SanitizedRecord>),
    Quarantine {
        position: u64,
        reason: String,
        sealed: String,
    },
}

pub struct UnitContext<'a> {
    pub parser: Parser<'a>,
    pub transformer: &'a Transformer<'a>,
    pub quarantine: &'a Sealer,
}

impl UnitContext<'_> {
    /// Sanitizes every unit of a chunk in parallel; results keep the chunk's order.
    pub fn sanitize_chunk(&self, format: Format, source: &Arc<str>, chunk: &Chunk) -> Vec<Outcome> {
        self.sanitize_and_resolve(format, source, chunk).0
    }

    /// Like [`Self::sanitize_chunk`], also returning the format the units were read as: the
    /// audit names a `.json` file's kind (Rasa, Taskmaster...), known only once it is parsed.
    pub fn sanitize_and_resolve(
        &self,
        format: Format,
        source: &Arc<str>,
        chunk: &Chunk,
    ) -> (Vec<Outcome>, Format) {
        let (outcomes, formats): (Vec<Outcome>, Vec<Option<Format>>) = (0..chunk.units.len())
            .into_par_iter()
            .map_init(
                || (Workspace::default(), Vec::<Record>::new()),
                |(workspace, records), i| {
                    let (position, bytes) = chunk.unit(i);
                    records.clear();
                    let parsed = self.parser.parse(format, position, bytes, records);
                    let resolved = parsed.as_ref().ok().copied();
                    let sanitized = parsed.map_err(|e| e.to_string()).and_then(|_| {
                        records
                            .iter()
                            .map(|r| self.transformer.sanitize(r, source, workspace))
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|e| e.to_string())
                    });
                    let outcome = match sanitized {
                        Ok(rows) => Outcome::Rows(rows),
                        Err(reason) => self.quarantine_unit(source, position, bytes, reason),
                    };
                    (outcome, resolved)
                },
            )
            .unzip();
        let resolved = formats.into_iter().flatten().next().unwrap_or(format);
        (outcomes, resolved)
    }

    /// Seals a unit that could not be processed. If even sealing fails, the reason says so
    /// and nothing of the content is kept in clear.
    fn quarantine_unit(
        &self,
        source: &str,
        position: u64,
        bytes: &[u8],
        reason: String,
    ) -> Outcome {
        let context = quarantine_context(QuarantineKind::Record, source, position);
        let (sealed, reason) = match self.quarantine.seal(bytes, &context) {
            Ok(env) => (data_encoding::BASE64.encode(&env), reason),
            Err(e) => (String::new(), format!("{reason}; not kept: {e}")),
        };
        Outcome::Quarantine {
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
