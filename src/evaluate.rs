//! Scoring the detector against labeled text: per-type precision, recall and F1, and
//! redaction recall (the share of gold PII characters that would not survive the policy).
//!
//! Labeled files are JSONL, `{"text", "spans": [{"start", "end", "label"}]}`, with offsets in
//! Unicode code points (as Python slices them), end exclusive.

use crate::config::{Action, PolicyConfig};
use crate::detect::{Detector, Scratch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::BufRead;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: not a labeled record ({category})")]
    Record {
        path: String,
        line: usize,
        category: &'static str,
    },
    #[error("{path}, line {line}: span {start}..{end} is outside the text")]
    Span {
        path: String,
        line: usize,
        start: usize,
        end: usize,
    },
}

#[derive(Debug, Deserialize)]
struct Labeled {
    text: String,
    #[serde(default)]
    spans: Vec<GoldSpan>,
}

#[derive(Debug, Deserialize)]
struct GoldSpan {
    start: usize,
    end: usize,
    label: String,
}

/// Figures for one gold label.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TypeScore {
    pub gold: u64,
    pub gold_found: u64,
    pub predicted: u64,
    pub predicted_correct: u64,
    pub gold_chars: u64,
    pub gold_chars_removed: u64,
}

impl TypeScore {
    pub fn recall(&self) -> f64 {
        ratio(self.gold_found, self.gold)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.predicted_correct, self.predicted)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn redaction_recall(&self) -> f64 {
        ratio(self.gold_chars_removed, self.gold_chars)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub records: u64,
    pub by_label: BTreeMap<String, TypeScore>,
    /// Characters outside every gold span, and how many of them the policy removed.
    pub other_chars: u64,
    pub other_chars_removed: u64,
    /// Records with no gold span, and how many of them had any finding.
    pub clean_records: u64,
    pub clean_records_flagged: u64,
}

impl EvalReport {
    pub fn over_redaction(&self) -> f64 {
        ratio(self.other_chars_removed, self.other_chars)
    }

    /// A Markdown table, as pasted into the README.
    pub fn to_markdown(&self) -> String {
        let mut s = String::from(
            "| label | gold | recall | precision | F1 | redaction recall |\n| --- | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for (label, t) in &self.by_label {
            s.push_str(&format!(
                "| {label} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                t.gold,
                t.recall(),
                t.precision(),
                t.f1(),
                t.redaction_recall()
            ));
        }
        s.push_str(&format!(
            "\n{} records; over-redaction {:.4} ({} of {} non-PII characters); {} of {} records without gold spans had a finding\n",
            self.records,
            self.over_redaction(),
            self.other_chars_removed,
            self.other_chars,
            self.clean_records_flagged,
            self.clean_records
        ));
        s
    }
}

/// Whether a predicted entity type counts as a gold label: the same name, or a refinement
/// of it (`DATE_OF_BIRTH` for `DATE`), or an alias the caller gives.
fn type_matches(predicted: &str, gold: &str, aliases: &[(String, String)]) -> bool {
    predicted == gold
        || predicted
            .strip_prefix(gold)
            .is_some_and(|rest| rest.starts_with('_'))
        || aliases.iter().any(|(p, g)| p == predicted && g == gold)
}

/// Scores one labeled JSONL file.
pub fn evaluate_file(
    path: &std::path::Path,
    detector: &Detector,
    policy: &PolicyConfig,
    aliases: &[(String, String)],
    report: &mut EvalReport,
) -> Result<(), EvalError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| EvalError::Io {
        path: name.clone(),
        source,
    })?;
    let mut scratch = Scratch::default();
    let mut findings = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| EvalError::Io {
            path: name.clone(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: Labeled = serde_json::from_str(&line).map_err(|_| EvalError::Record {
            path: name.clone(),
            line: i + 1,
            category: "expected {\"text\", \"spans\"}",
        })?;
        // Byte offset of every code point, plus the end, to turn findings into code points.
        let mut bounds: Vec<usize> = rec.text.char_indices().map(|(b, _)| b).collect();
        bounds.push(rec.text.len());
        let n = bounds.len() - 1;
        for g in &rec.spans {
            if g.start > g.end || g.end > n {
                return Err(EvalError::Span {
                    path: name.clone(),
                    line: i + 1,
                    start: g.start,
                    end: g.end,
                });
            }
        }
        findings.clear();
        detector.detect(&rec.text, &mut scratch, &mut findings);
        let to_cp = |byte: usize| bounds.partition_point(|&b| b < byte);
        let predicted: Vec<(usize, usize, &str, bool)> = findings
            .iter()
            .map(|f| {
                let removed = policy.action_for(&f.entity) != Action::Keep;
                (to_cp(f.start), to_cp(f.end), &*f.entity, removed)
            })
            .collect();
        let mut removed = vec![false; n];
        for &(s, e, _, r) in &predicted {
            if r {
                removed[s..e].iter_mut().for_each(|x| *x = true);
            }
        }
        let mut in_gold = vec![false; n];
        for g in &rec.spans {
            in_gold[g.start..g.end].iter_mut().for_each(|x| *x = true);
            let t = report.by_label.entry(g.label.clone()).or_default();
            t.gold += 1;
            let found = predicted.iter().any(|&(s, e, ty, _)| {
                s < g.end && e > g.start && type_matches(ty, &g.label, aliases)
            });
            t.gold_found += u64::from(found);
            t.gold_chars += (g.end - g.start) as u64;
            t.gold_chars_removed += removed[g.start..g.end].iter().filter(|&&x| x).count() as u64;
        }
        let labels: Vec<String> = report.by_label.keys().cloned().collect();
        for &(s, e, ty, _) in &predicted {
            for label in labels.iter().filter(|l| type_matches(ty, l, aliases)) {
                let correct = rec
                    .spans
                    .iter()
                    .any(|g| &g.label == label && s < g.end && e > g.start);
                let t = report.by_label.get_mut(label).expect("label listed");
                t.predicted += 1;
                t.predicted_correct += u64::from(correct);
            }
        }
        for (gold, gone) in in_gold.iter().zip(&removed) {
            if !gold {
                report.other_chars += 1;
                report.other_chars_removed += u64::from(*gone);
            }
        }
        if rec.spans.is_empty() {
            report.clean_records += 1;
            report.clean_records_flagged += u64::from(!predicted.is_empty());
        }
        report.records += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::build_detector;

    #[test]
    fn scores_spans_in_code_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.jsonl");
        // "é" is two bytes: offsets must be code points for the email to line up.
        let lines = [
            r#"{"text":"café: mail ann@example.com now","spans":[{"start":11,"end":26,"label":"EMAIL"}]}"#,
            r#"{"text":"call 415-555-0132 or ring the desk","spans":[{"start":5,"end":17,"label":"PHONE"},{"start":26,"end":34,"label":"PERSON_X"}]}"#,
            r#"{"text":"order 12 shipped","spans":[]}"#,
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let config = crate::config::Config::default();
        let detector = build_detector(&config.detect).unwrap();
        let mut report = EvalReport::default();
        evaluate_file(&path, &detector, &config.policy, &[], &mut report).unwrap();
        let email = &report.by_label["EMAIL"];
        assert_eq!(
            (
                email.gold,
                email.gold_found,
                email.predicted,
                email.predicted_correct
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(email.redaction_recall(), 1.0);
        assert_eq!(report.by_label["PHONE"].recall(), 1.0);
        let person = &report.by_label["PERSON_X"];
        assert_eq!((person.gold_found, person.gold_chars_removed), (0, 0));
        assert_eq!(report.clean_records, 1);
        assert_eq!(report.clean_records_flagged, 0);
        assert_eq!(report.other_chars_removed, 0);
        assert!(report.to_markdown().contains("| EMAIL | 1 | 1.000"));
    }

    #[test]
    fn refinements_and_aliases_match() {
        assert!(type_matches("DATE_OF_BIRTH", "DATE", &[]));
        assert!(!type_matches("DATEX", "DATE", &[]));
        assert!(type_matches(
            "HOSPITAL",
            "LOCATION",
            &[("HOSPITAL".into(), "LOCATION".into())]
        ));
    }

    #[test]
    fn bad_spans_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(
            &path,
            r#"{"text":"ab","spans":[{"start":1,"end":9,"label":"X"}]}"#,
        )
        .unwrap();
        let config = crate::config::Config::default();
        let detector = build_detector(&config.detect).unwrap();
        let err = evaluate_file(
            &path,
            &detector,
            &config.policy,
            &[],
            &mut EvalReport::default(),
        )
        .unwrap_err();
        assert!(matches!(err, EvalError::Span { .. }));
    }
}
