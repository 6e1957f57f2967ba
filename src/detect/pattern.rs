//! Pattern files as data: the TOML schema of `patterns/*.toml` and user pattern files.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Pattern files compiled into the binary from `patterns/`, as (file name, text).
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));

#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    #[error("cannot read pattern file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid pattern file {file}: {message}")]
    Parse { file: String, message: String },
    #[error("pattern {id} in {file}: {message}")]
    Invalid {
        file: String,
        id: String,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternFile {
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<PatternSpec>,
}

/// One pattern as written in a pattern file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternSpec {
    pub id: String,
    /// The entity type reported, e.g. `EMAIL`; the policy maps types to actions.
    pub entity: String,
    /// A regex (Rust `regex` syntax). A group named `v`, when present, is the part
    /// reported, so a pattern may require a label ("SSN: ") without redacting it.
    pub regex: String,
    /// Name of a checksum or structure validator the matched value must pass.
    pub validator: Option<String>,
    /// Confidence with no context; below the run's `min_score` the pattern only fires
    /// when a context word is near.
    #[serde(default = "default_score")]
    pub score: f32,
    pub context: Option<ContextSpec>,
    #[serde(default)]
    pub examples: Examples,
}

fn default_score() -> f32 {
    0.8
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    /// Words or phrases (case-insensitive, whole words) that support the finding.
    #[serde(default)]
    pub words: Vec<String>,
    /// How many bytes before and after the match are searched for the words.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Added to the score when a context word is in the window.
    #[serde(default = "default_boost")]
    pub boost: f32,
    /// Labels that name a number as something else ("order", "tracking", "version"): one
    /// of them just before the match drops it, whatever else is near. Only the text before
    /// counts, because chat labels precede their values.
    #[serde(default)]
    pub negative: Vec<String>,
    /// How many bytes before the match are searched for a negative word.
    #[serde(default = "default_negative_window")]
    pub negative_window: usize,
    /// Types of the dictionary detector's findings that support the match as a context
    /// word does, when one is in the window: a date next to a condition is the date of a
    /// person's illness ("had a blood clot on july 14").
    #[serde(default)]
    pub entities: Vec<String>,
}

fn default_negative_window() -> usize {
    16
}

fn default_window() -> usize {
    48
}

fn default_boost() -> f32 {
    0.4
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Texts in which this pattern must report its entity.
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    /// Texts in which it must not.
    #[serde(default)]
    pub reject: Vec<String>,
}

/// A pattern with the file it came from, for listings and error messages.
#[derive(Debug, Clone)]
pub struct SourcedPattern {
    pub file: String,
    pub spec: PatternSpec,
}

pub fn parse_file(name: &str, text: &str) -> Result<Vec<SourcedPattern>, PatternError> {
    let parsed: PatternFile = toml::from_str(text).map_err(|e| PatternError::Parse {
        file: name.to_string(),
        message: e.message().to_string(),
    })?;
    Ok(parsed
        .patterns
        .into_iter()
        .map(|spec| SourcedPattern {
            file: name.to_string(),
            spec,
        })
        .collect())
}

/// The built-in library.
pub fn builtin() -> Result<Vec<SourcedPattern>, PatternError> {
    let mut all = Vec::new();
    for (name, text) in BUILTIN {
        all.extend(parse_file(name, text)?);
    }
    Ok(all)
}

/// Pattern files from a path: a file, or every `*.toml` in a folder (sorted).
pub fn load_path(path: &Path) -> Result<Vec<SourcedPattern>, PatternError> {
    let read_err = |source| PatternError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(read_err)? {
            let p = entry.map_err(read_err)?.path();
            if p.extension().is_some_and(|e| e == "toml") {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| PatternError::Read {
            path: file.clone(),
            source,
        })?;
        all.extend(parse_file(&file.display().to_string(), &text)?);
    }
    Ok(all)
}
