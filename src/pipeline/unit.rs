//! The per-unit path shared by batch runs and streaming: parse a unit, sanitize its
//! records, or seal it into the quarantine if it cannot be processed.

use crate::crypto::Sealer;
use crate::detect::Scratch;
use crate::read::{Chunk, Format, Parser};
use crate::record::{Record, SanitizedRecord};
use crate::transform::Transformer;
use rayon::prelude::*;

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
    pub fn sanitize_chunk(&self, format: Format, source: &str, chunk: &Chunk) -> Vec<Outcome> {
        (0..chunk.units.len())
            .into_par_iter()
            .map_init(
                || (Scratch::default(), Vec::<Record>::new()),
                |(scratch, records), i| {
                    let (position, bytes) = chunk.unit(i);
                    records.clear();
                    let sanitized = self
                        .parser
                        .parse(format, position, bytes, records)
                        .map_err(|e| e.to_string())
                        .and_then(|()| {
                            records
                                .iter()
                                .map(|r| self.transformer.sanitize(r, source, scratch))
                                .collect::<Result<Vec<_>, _>>()
                                .map_err(|e| e.to_string())
                        });
                    match sanitized {
                        Ok(rows) => Outcome::Rows(rows),
                        Err(reason) => self.quarantine_unit(source, position, bytes, reason),
                    }
                },
            )
            .collect()
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
        let context = quarantine_context(source, position);
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

/// Associated data of a quarantined unit: its source and position.
pub fn quarantine_context(source: &str, position: u64) -> Vec<u8> {
    format!("quarantine|{source}|{position}").into_bytes()
}
