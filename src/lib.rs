//! chatveil: makes chatbot transcripts safe to hand over.
//!
//! The stages, each in its own module: [`read`] turns transcript files into [`record::Record`]s,
//! [`detect`] finds PII/PHI spans with compiled pattern sets, [`transform`] applies the policy
//! (placeholders, pseudonyms, encryption via [`crypto`]), [`write`] produces Parquet and the
//! quarantine, [`audit`] describes what was done, and [`pipeline`] wires them together.

pub mod audit;
pub mod config;
pub mod crypto;
pub mod detect;
pub mod evaluate;
pub mod pipeline;
pub mod read;
pub mod record;
pub mod reveal;
pub mod transform;
pub mod vault;
pub mod write;
