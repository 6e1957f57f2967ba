//! The detection engine: every pattern compiled once, one pass over each text.
//!
//! A `RegexSet` tells in one scan which patterns can match a text at all; only those run
//! their own regex to find where. Chat messages mostly hold no PII, so most texts cost a
//! single automaton pass however many patterns are loaded.

use super::dictionary::{DictScratch, Dictionaries};
use super::pattern::{PatternError, SourcedPattern};
use super::validate::{self, Validator};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexSet};
use std::collections::HashSet;
use std::sync::Arc;

/// One piece of PII found in a text: byte offsets into that text.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub entity: Arc<str>,
    pub score: f32,
    /// The id of the pattern (or list) that found it.
    pub source: Arc<str>,
}

struct CompiledPattern {
    id: Arc<str>,
    entity: Arc<str>,
    regex: Regex,
    value_group: Option<usize>,
    validator: Option<Validator>,
    score: f32,
    context: Option<CompiledContext>,
}

struct CompiledContext {
    /// Indexes into the detector's context-word automaton.
    words: Vec<usize>,
    window: usize,
    boost: f32,
}

/// Options the detector is built with (from the `[detect]` configuration).
#[derive(Debug, Clone, Default)]
pub struct DetectorOptions {
    pub min_score: f32,
    pub disable: Vec<String>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

pub struct Detector {
    set: RegexSet,
    patterns: Vec<CompiledPattern>,
    context_words: Option<AhoCorasick>,
    allow: HashSet<String>,
    deny: Option<AhoCorasick>,
    deny_entity: Arc<str>,
    min_score: f32,
    dictionaries: Option<Arc<Dictionaries>>,
}

/// Scratch space reused across texts so detection allocates little per message.
#[derive(Default)]
pub struct Scratch {
    candidates: Vec<Finding>,
    context_hits: Vec<(usize, usize)>,
    dictionary: DictScratch,
}

impl Detector {
    pub fn new(
        patterns: &[SourcedPattern],
        options: &DetectorOptions,
    ) -> Result<Detector, PatternError> {
        let mut context_vocab: Vec<String> = Vec::new();
        let mut compiled = Vec::new();
        for p in patterns {
            let spec = &p.spec;
            if options.disable.iter().any(|d| d == &spec.id) {
                continue;
            }
            let invalid = |message: String| PatternError::Invalid {
                file: p.file.clone(),
                id: spec.id.clone(),
                message,
            };
            let regex = Regex::new(&spec.regex).map_err(|e| invalid(e.to_string()))?;
            let validator = match &spec.validator {
                Some(name) => Some(
                    validate::by_name(name)
                        .ok_or_else(|| invalid(format!("unknown validator {name:?}")))?,
                ),
                None => None,
            };
            let context = spec.context.as_ref().map(|c| CompiledContext {
                words: c
                    .words
                    .iter()
                    .map(|w| {
                        let w = w.to_lowercase();
                        match context_vocab.iter().position(|x| *x == w) {
                            Some(i) => i,
                            None => {
                                context_vocab.push(w);
                                context_vocab.len() - 1
                            }
                        }
                    })
                    .collect(),
                window: c.window,
                boost: c.boost,
            });
            compiled.push(CompiledPattern {
                id: spec.id.as_str().into(),
                entity: spec.entity.as_str().into(),
                value_group: regex.capture_names().position(|n| n == Some("v")),
                regex,
                validator,
                score: spec.score,
                context,
            });
        }
        let set = RegexSet::new(compiled.iter().map(|p| p.regex.as_str())).map_err(|e| {
            PatternError::Invalid {
                file: "(all)".into(),
                id: "(set)".into(),
                message: e.to_string(),
            }
        })?;
        let context_words = (!context_vocab.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&context_vocab)
                .expect("context words build")
        });
        let deny = (!options.deny.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&options.deny)
                .expect("deny list builds")
        });
        Ok(Detector {
            set,
            patterns: compiled,
            context_words,
            allow: options.allow.iter().map(|s| s.to_lowercase()).collect(),
            deny,
            deny_entity: "DENY_LIST".into(),
            min_score: options.min_score,
            dictionaries: None,
        })
    }

    /// Adds the dictionary detector (names, places, conditions, medications, addresses),
    /// whose findings go through the same allow list, score floor and overlap resolution.
    pub fn with_dictionaries(mut self, dictionaries: Arc<Dictionaries>) -> Detector {
        self.dictionaries = Some(dictionaries);
        self
    }

    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Finds PII in `text`, appending non-overlapping findings sorted by start to `out`.
    pub fn detect(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<Finding>) {
        scratch.candidates.clear();
        scratch.context_hits.clear();
        let matched = self.set.matches(text);
        if matched.matched_any() {
            let mut context_scanned = false;
            for index in matched.iter() {
                self.run_pattern(index, text, scratch, &mut context_scanned);
            }
        }
        if let Some(dictionaries) = &self.dictionaries {
            let first = scratch.candidates.len();
            dictionaries.detect(text, &mut scratch.dictionary, &mut scratch.candidates);
            let mut k = first;
            while k < scratch.candidates.len() {
                let c = &scratch.candidates[k];
                let allowed = !self.allow.is_empty()
                    && self.allow.contains(&text[c.start..c.end].to_lowercase());
                if allowed || c.score < self.min_score {
                    scratch.candidates.swap_remove(k);
                } else {
                    k += 1;
                }
            }
        }
        if let Some(deny) = &self.deny {
            for m in deny.find_iter(text) {
                if is_word_at(text, m.start(), m.end()) {
                    scratch.candidates.push(Finding {
                        start: m.start(),
                        end: m.end(),
                        entity: self.deny_entity.clone(),
                        score: 1.0,
                        source: self.deny_entity.clone(),
                    });
                }
            }
        }
        resolve_overlaps(&mut scratch.candidates, out);
    }

    fn run_pattern(
        &self,
        index: usize,
        text: &str,
        scratch: &mut Scratch,
        context_scanned: &mut bool,
    ) {
        let p = &self.patterns[index];
        for caps in p.regex.captures_iter(text) {
            let m = match p.value_group.and_then(|g| caps.get(g)) {
                Some(m) => m,
                None => caps.get(0).expect("group 0 always matches"),
            };
            if m.is_empty() {
                continue;
            }
            if let Some(valid) = p.validator {
                if !valid(m.as_str()) {
                    continue;
                }
            }
            let mut score = p.score;
            if let Some(ctx) = &p.context {
                if !*context_scanned {
                    self.scan_context(text, &mut scratch.context_hits);
                    *context_scanned = true;
                }
                let lo = m.start().saturating_sub(ctx.window);
                let hi = m.end().saturating_add(ctx.window);
                let near = scratch
                    .context_hits
                    .iter()
                    .any(|&(word, at)| at >= lo && at < hi && ctx.words.contains(&word));
                if near {
                    score += ctx.boost;
                }
            }
            if score < self.min_score {
                continue;
            }
            if !self.allow.is_empty() && self.allow.contains(&m.as_str().to_lowercase()) {
                continue;
            }
            scratch.candidates.push(Finding {
                start: m.start(),
                end: m.end(),
                entity: p.entity.clone(),
                score,
                source: p.id.clone(),
            });
        }
    }

    /// Records every whole-word context word in the text once, for all patterns to share.
    fn scan_context(&self, text: &str, hits: &mut Vec<(usize, usize)>) {
        if let Some(ac) = &self.context_words {
            for m in ac.find_overlapping_iter(text) {
                if is_word_at(text, m.start(), m.end()) {
                    hits.push((m.pattern().as_usize(), m.start()));
                }
            }
        }
    }
}

/// True when `text[start..end]` is not glued to letters or digits on either side.
pub fn is_word_at(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Keeps the best of overlapping candidates: higher score, then the longer span, then the
/// earlier start, then the pattern id, so the result never depends on pattern order in
/// memory. An email inside a URL is thus one finding, the URL.
fn resolve_overlaps(candidates: &mut [Finding], out: &mut Vec<Finding>) {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.source.cmp(&b.source))
    });
    let first = out.len();
    for c in candidates.iter() {
        if out[first..]
            .iter()
            .all(|k| c.end <= k.start || c.start >= k.end)
        {
            out.push(c.clone());
        }
    }
    out[first..].sort_by_key(|f| f.start);
}

#[cfg(test)]
mod tests {
    use super::super::pattern::parse_file;
    use super::*;

    fn detector(toml: &str, options: DetectorOptions) -> Detector {
        Detector::new(&parse_file("test.toml", toml).unwrap(), &options).unwrap()
    }

    fn find(d: &Detector, text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        d.detect(text, &mut Scratch::default(), &mut out);
        out.iter()
            .map(|f| (f.entity.to_string(), text[f.start..f.end].to_string()))
            .collect()
    }

    const GATED: &str = r#"
[[pattern]]
id = "ssn_bare"
entity = "US_SSN"
regex = '(?-u:\b)\d{9}(?-u:\b)'
score = 0.3
context = { words = ["ssn", "social security"], window = 30, boost = 0.4 }

[[pattern]]
id = "card"
entity = "CREDIT_CARD"
regex = '(?-u:\b)\d(?:[ -]?\d){12,18}(?-u:\b)'
validator = "luhn"
score = 0.9
"#;

    fn opts() -> DetectorOptions {
        DetectorOptions {
            min_score: 0.5,
            ..Default::default()
        }
    }

    #[test]
    fn context_gates_weak_patterns() {
        let d = detector(GATED, opts());
        assert_eq!(find(&d, "order 123456789 shipped"), vec![]);
        assert_eq!(
            find(&d, "my SSN is 123456789"),
            vec![("US_SSN".into(), "123456789".into())]
        );
        assert_eq!(
            find(&d, "my SSNs 123456789"),
            vec![],
            "context words match whole words only"
        );
    }

    #[test]
    fn validators_reject_look_alikes() {
        let d = detector(GATED, opts());
        assert_eq!(
            find(&d, "card 4111 1111 1111 1111 ok"),
            vec![("CREDIT_CARD".into(), "4111 1111 1111 1111".into())]
        );
        assert_eq!(find(&d, "card 4111 1111 1111 1112 ok"), vec![]);
    }

    #[test]
    fn overlaps_keep_higher_score_then_longer() {
        let toml = r#"
[[pattern]]
id = "url"
entity = "URL"
regex = 'https?://\S+'
score = 0.8
[[pattern]]
id = "email"
entity = "EMAIL"
regex = '[a-z]+@[a-z]+\.com'
score = 0.8
"#;
        let d = detector(toml, opts());
        assert_eq!(
            find(&d, "see http://x.com/?to=ann@ex.com"),
            vec![("URL".into(), "http://x.com/?to=ann@ex.com".into())]
        );
        assert_eq!(
            find(&d, "mail ann@ex.com"),
            vec![("EMAIL".into(), "ann@ex.com".into())]
        );
    }

    #[test]
    fn value_group_limits_the_span_and_allow_deny_lists_apply() {
        let toml = r#"
[[pattern]]
id = "mrn"
entity = "MRN"
regex = 'MRN:? (?P<v>\d{6})'
"#;
        let d = detector(
            toml,
            DetectorOptions {
                min_score: 0.5,
                allow: vec!["000000".into()],
                deny: vec!["Project Falcon".into()],
                ..Default::default()
            },
        );
        assert_eq!(
            find(&d, "MRN: 123456"),
            vec![("MRN".into(), "123456".into())]
        );
        assert_eq!(find(&d, "MRN: 000000"), vec![]);
        assert_eq!(
            find(&d, "about project falcon today"),
            vec![("DENY_LIST".into(), "project falcon".into())]
        );
    }

    #[test]
    fn disabled_patterns_and_bad_patterns() {
        let d = detector(
            GATED,
            DetectorOptions {
                disable: vec!["card".into()],
                ..opts()
            },
        );
        assert_eq!(d.pattern_count(), 1);
        let bad = parse_file("b.toml", "[[pattern]]\nid='x'\nentity='X'\nregex='('\n").unwrap();
        assert!(Detector::new(&bad, &opts()).is_err());
        let bad = parse_file(
            "b.toml",
            "[[pattern]]\nid='x'\nentity='X'\nregex='a'\nvalidator='zzz'\n",
        )
        .unwrap();
        let err = Detector::new(&bad, &opts()).err().unwrap().to_string();
        assert!(err.contains("zzz"), "{err}");
    }
}
