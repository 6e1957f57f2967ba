//! Configuration as data: serde types only, apart from the engine that runs them.
//!
//! The default is compiled in, so `chatveil run` needs no file; a user file replaces the
//! values it names. Unknown keys are rejected because a misspelt option that silently falls
//! back to a default could leave PII in clear.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The commented default configuration, as `chatveil init` prints it.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config {origin}: {message}")]
    Parse { origin: String, message: String },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub input: InputConfig,
    pub detect: DetectConfig,
    pub policy: PolicyConfig,
    pub pseudonym: PseudonymConfig,
    pub output: OutputConfig,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FormatChoice {
    Auto,
    Jsonl,
    Botframework,
    Rasa,
    Taskmaster,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Unmapped {
    Drop,
    Scan,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    pub format: FormatChoice,
    pub unmapped: Unmapped,
    pub botframework_activity_types: Vec<String>,
    pub jsonl: JsonlMapping,
}

/// JSON Pointers tried in order for each field of a JSONL record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlMapping {
    pub user_id: Vec<String>,
    pub user_name: Vec<String>,
    pub conversation_id: Vec<String>,
    pub timestamp: Vec<String>,
    pub role: Vec<String>,
    pub text: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    pub builtin: bool,
    pub paths: Vec<PathBuf>,
    pub disable: Vec<String>,
    pub min_score: f32,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Redact,
    Encrypt,
    Pseudonym,
    Keep,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Redact => "redact",
            Action::Encrypt => "encrypt",
            Action::Pseudonym => "pseudonym",
            Action::Keep => "keep",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    pub default: Action,
    pub actions: BTreeMap<String, Action>,
}

impl PolicyConfig {
    pub fn action_for(&self, entity: &str) -> Action {
        self.actions.get(entity).copied().unwrap_or(self.default)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PseudonymMode {
    /// Keyed and deterministic: the same ID gets the same pseudonym in every run.
    Hmac,
    /// Random per identity, remembered only in the encrypted identity vault.
    Token,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PseudonymConfig {
    pub mode: PseudonymMode,
    pub user_prefix: String,
    pub conversation_prefix: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    pub row_group_rows: usize,
    pub file_rows: usize,
    pub zstd_level: i32,
}

impl Config {
    /// The compiled-in default.
    pub fn embedded() -> Config {
        Self::parse(DEFAULT_TOML, "embedded default").expect("embedded default config is valid")
    }

    /// Parses a user's TOML. Keys it leaves out keep their defaults.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.message().to_string(),
        })
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// A SHA-256 of the effective configuration, recorded in every audit report so two runs
    /// can be shown to have used the same rules.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::to_vec(self).expect("config serializes");
        data_encoding::HEXLOWER.encode(&Sha256::digest(&canonical))
    }
}

// The defaults stated in Rust must equal `default.toml`; a test holds them together.
impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            format: FormatChoice::Auto,
            unmapped: Unmapped::Drop,
            botframework_activity_types: vec!["message".into()],
            jsonl: JsonlMapping::default(),
        }
    }
}

fn pointers(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Default for JsonlMapping {
    fn default() -> Self {
        JsonlMapping {
            user_id: pointers(&["/user_id", "/from/id", "/sender_id", "/user"]),
            user_name: pointers(&["/user_name", "/from/name"]),
            conversation_id: pointers(&["/conversation_id", "/conversation/id", "/session_id"]),
            timestamp: pointers(&["/timestamp"]),
            role: pointers(&["/role", "/from/role", "/speaker"]),
            text: pointers(&["/text"]),
        }
    }
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            builtin: true,
            paths: Vec::new(),
            disable: Vec::new(),
            min_score: 0.5,
            allow: Vec::new(),
            deny: Vec::new(),
        }
    }
}

impl Default for PolicyConfig {
    fn default() -> Self {
        let phi = [
            "ADDRESS",
            "AGE",
            "CONDITION",
            "DATE",
            "LOCATION",
            "MEDICATION",
            "PERSON",
        ];
        PolicyConfig {
            default: Action::Redact,
            actions: phi
                .iter()
                .map(|t| (t.to_string(), Action::Redact))
                .collect(),
        }
    }
}

impl Default for PseudonymConfig {
    fn default() -> Self {
        PseudonymConfig {
            mode: PseudonymMode::Hmac,
            user_prefix: "u".into(),
            conversation_prefix: "c".into(),
        }
    }
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            row_group_rows: 50_000,
            file_rows: 2_000_000,
            zstd_level: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_parses_and_matches_default() {
        assert_eq!(Config::embedded(), Config::default());
        assert_eq!(Config::default().input.jsonl.user_id[0], "/user_id");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let err = Config::parse("[input]\nformta = \"jsonl\"\n", "test").unwrap_err();
        assert!(err.to_string().contains("formta"), "{err}");
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let c = Config::parse("[policy.actions]\nEMAIL = \"keep\"\n", "test").unwrap();
        assert_eq!(c.policy.action_for("EMAIL"), Action::Keep);
        assert_eq!(c.policy.action_for("PHONE"), Action::Redact);
        assert_eq!(c.input, InputConfig::default());
    }

    #[test]
    fn pseudonym_modes_parse() {
        let c = Config::parse("[pseudonym]\nmode = \"token\"\n", "test").unwrap();
        assert_eq!(c.pseudonym.mode, PseudonymMode::Token);
        assert_eq!(Config::default().pseudonym.mode, PseudonymMode::Hmac);
        assert!(Config::parse("[pseudonym]\nmode = \"sha\"\n", "test").is_err());
    }

    #[test]
    fn fingerprint_changes_with_config() {
        let a = Config::default();
        let mut b = Config::default();
        b.detect.min_score = 0.9;
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), Config::default().fingerprint());
    }
}
