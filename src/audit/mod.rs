//! The audit report: what a run read, found and wrote, for the compliance officer. It holds
//! counts, hashes and key ids only: no paths (they often name users), no values.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditReport {
    pub run_id: String,
    pub tool: String,
    pub version: String,
    pub started: String,
    pub finished: String,
    /// SHA-256 of the effective configuration.
    pub config_sha256: String,
    /// Fingerprint of the key used; never the key.
    pub key_id: String,
    /// True when no key was given and this run's pseudonyms match no other run.
    pub ephemeral_key: bool,
    pub patterns: usize,
    pub inputs: Vec<InputAudit>,
    /// Inputs inside folders that were passed over because their names promise no format.
    pub skipped_files: usize,
    pub outputs: Vec<OutputAudit>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct InputAudit {
    /// Opaque id, the same as the `source` column of the rows it produced.
    pub source: String,
    pub format: String,
    pub sha256: String,
    pub bytes: u64,
    /// Records read (rows written plus records quarantined).
    pub records: u64,
    pub rows: u64,
    pub quarantined: u64,
    /// A file-level failure (truncated archive, unrecognized format), in words.
    pub error: Option<String>,
    pub findings: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OutputAudit {
    /// Path relative to the output folder.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub files: usize,
    pub records: u64,
    pub rows: u64,
    pub quarantined: u64,
    pub failed_files: usize,
    pub findings: BTreeMap<String, u64>,
}

impl AuditReport {
    /// Sums the per-input figures into the totals.
    pub fn compute_totals(&mut self) {
        let mut t = Totals {
            files: self.inputs.len(),
            ..Totals::default()
        };
        for i in &self.inputs {
            t.records += i.records;
            t.rows += i.rows;
            t.quarantined += i.quarantined;
            t.failed_files += usize::from(i.error.is_some());
            for (k, v) in &i.findings {
                *t.findings.entry(k.clone()).or_default() += v;
            }
        }
        self.totals = t;
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("audit serializes");
        v.push(b'\n');
        v
    }
}

/// Adds the findings of sanitized rows to counts by entity type. Called for every row of a
/// run, so a type already counted costs a lookup, not a new string.
pub fn count_findings(counts: &mut BTreeMap<String, u64>, rows: &[crate::record::SanitizedRecord]) {
    for e in rows.iter().flat_map(|r| &r.entities) {
        match counts.get_mut(&*e.entity) {
            Some(n) => *n += 1,
            None => {
                counts.insert(e.entity.to_string(), 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_counted_by_type() {
        use crate::config::Action;
        use crate::record::{EntitySpan, SanitizedRecord};
        let span = |t: &str| EntitySpan {
            field: "text".into(),
            entity: t.into(),
            start: 0,
            end: 1,
            action: Action::Redact,
        };
        let rows = vec![
            SanitizedRecord {
                entities: vec![span("EMAIL"), span("PHONE")],
                ..Default::default()
            },
            SanitizedRecord {
                entities: vec![span("EMAIL")],
                ..Default::default()
            },
        ];
        let mut counts = BTreeMap::new();
        count_findings(&mut counts, &rows);
        count_findings(&mut counts, &rows[1..]);
        assert_eq!(
            counts,
            BTreeMap::from([("EMAIL".to_string(), 3), ("PHONE".to_string(), 1)])
        );
    }

    #[test]
    fn totals_add_up() {
        let mut r = AuditReport::default();
        for (rows, q, err) in [(3, 1, None), (2, 0, Some("truncated".to_string()))] {
            r.inputs.push(InputAudit {
                records: rows + q,
                rows,
                quarantined: q,
                error: err,
                findings: [("EMAIL".to_string(), rows)].into(),
                ..InputAudit::default()
            });
        }
        r.compute_totals();
        assert_eq!(
            (r.totals.rows, r.totals.quarantined, r.totals.failed_files),
            (5, 1, 1)
        );
        assert_eq!(r.totals.findings["EMAIL"], 5);
    }
}
