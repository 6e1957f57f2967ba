//! Detection: finding PII/PHI spans in text. Knows nothing of records, policies or output
//! formats; it takes text and returns typed spans with scores.

pub mod dictionary;
mod engine;
pub mod pattern;
pub mod validate;
mod widen;

pub use engine::{is_word_at, Detector, DetectorOptions, Finding, Scratch};
pub use pattern::{PatternError, SourcedPattern};

use crate::config::DetectConfig;

/// The patterns a configuration asks for: the built-in library (unless switched off) and
/// every extra pattern path.
pub fn configured_patterns(config: &DetectConfig) -> Result<Vec<SourcedPattern>, PatternError> {
    let mut all = if config.builtin {
        pattern::builtin()?
    } else {
        Vec::new()
    };
    for path in &config.paths {
        all.extend(pattern::load_path(path)?);
    }
    Ok(all)
}

/// Builds the detector a configuration describes.
pub fn build_detector(config: &DetectConfig) -> Result<Detector, PatternError> {
    let options = DetectorOptions {
        min_score: config.min_score,
        disable: config.disable.clone(),
        allow: config.allow.clone(),
        deny: config.deny.clone(),
    };
    let patterns = configured_patterns(config)?;
    let dictionaries = config.builtin && !config.disable.iter().any(|d| d == DICTIONARY_ID);
    // The dictionaries and the patterns each take tens of milliseconds to build, which a
    // process started per partition (a Spark `pipe()`) pays every time: they are built
    // side by side.
    let (detector, dictionaries) = std::thread::scope(|scope| {
        let built = dictionaries.then(|| scope.spawn(dictionary::builtin));
        let detector = Detector::new(&patterns, &options);
        let dictionaries = built.map(|thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (detector, dictionaries)
    });
    let detector = detector?;
    Ok(match dictionaries {
        Some(dictionaries) => detector.with_dictionaries(dictionaries),
        None => detector,
    })
}

/// The id that switches the dictionary detector off in `[detect] disable`.
pub const DICTIONARY_ID: &str = "dictionary";

/// One failed pattern example, for `chatveil patterns check`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    pub pattern: String,
    pub file: String,
    pub example: String,
    pub expected_match: bool,
}

/// Runs every pattern's examples through the full detector (so overlaps with other patterns
/// count, as they would in a run) and lists those that fail.
pub fn check_examples(patterns: &[SourcedPattern], detector: &Detector) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let mut scratch = Scratch::default();
    let mut found = Vec::new();
    for p in patterns {
        let cases = p.spec.examples.matches.iter().map(|e| (e, true));
        let cases = cases.chain(p.spec.examples.reject.iter().map(|e| (e, false)));
        for (example, expected_match) in cases {
            found.clear();
            detector.detect(example, &mut scratch, &mut found);
            let fired = found.iter().any(|f| *f.entity == *p.spec.entity);
            if fired != expected_match {
                failures.push(ExampleFailure {
                    pattern: p.spec.id.clone(),
                    file: p.file.clone(),
                    example: example.clone(),
                    expected_match,
                });
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The library's own examples are its regression suite.
    #[test]
    fn builtin_pattern_examples_pass() {
        let config = DetectConfig::default();
        let patterns = configured_patterns(&config).unwrap();
        assert!(!patterns.is_empty());
        let detector = build_detector(&config).unwrap();
        let failures = check_examples(&patterns, &detector);
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// The dictionary findings go through the engine: on by default, off with
    /// `disable = ["dictionary"]`, and subject to the allow list.
    #[test]
    fn dictionary_findings_join_the_detector() {
        let text = "my daughter Ananya lives at 835 Turk Street";
        let run = |config: &DetectConfig| {
            let mut found = Vec::new();
            build_detector(config)
                .unwrap()
                .detect(text, &mut Scratch::default(), &mut found);
            found
                .iter()
                .map(|f| f.entity.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(&DetectConfig::default()), ["PERSON", "ADDRESS"]);
        let off = DetectConfig {
            disable: vec![DICTIONARY_ID.into()],
            ..DetectConfig::default()
        };
        assert!(run(&off).is_empty());
        let allowed = DetectConfig {
            allow: vec!["ananya".into()],
            ..DetectConfig::default()
        };
        assert_eq!(run(&allowed), ["ADDRESS"]);
    }
}
