//! Publishing a run's output: the new `messages/` replaces the old in one rename, so a
//! reader sees one run's dataset or the other's, never a mix or a half.

use super::PipelineError;
use crate::audit::{AuditReport, OutputAudit};
use crate::read::digest_file;
use crate::write::write_atomic;
use std::path::{Path, PathBuf};

pub struct Published {
    pub outputs: Vec<OutputAudit>,
    pub quarantine: Option<PathBuf>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> PipelineError + '_ {
    move |source| PipelineError::Output {
        path: path.to_path_buf(),
        source,
    }
}

pub fn publish(
    out_dir: &Path,
    staging: &Path,
    run_id: &str,
    parts: &[PathBuf],
    quarantine: Option<&Path>,
) -> Result<Published, PipelineError> {
    let staged_messages = staging.join("messages");
    let messages = out_dir.join("messages");
    let old = out_dir.join(format!(".replaced-{run_id}"));
    let mut outputs = Vec::new();
    for part in parts {
        let name = part
            .file_name()
            .expect("part files have names")
            .to_string_lossy();
        let digest = digest_file(part).map_err(io(part))?;
        outputs.push(OutputAudit {
            file: format!("messages/{name}"),
            sha256: digest.sha256,
            bytes: digest.bytes,
        });
    }
    let mut quarantine_out = None;
    if let Some(q) = quarantine {
        let dir = out_dir.join("quarantine");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let target = dir.join(format!("run-{run_id}.jsonl"));
        std::fs::rename(q, &target).map_err(io(&target))?;
        let digest = digest_file(&target).map_err(io(&target))?;
        outputs.push(OutputAudit {
            file: format!("quarantine/run-{run_id}.jsonl"),
            sha256: digest.sha256,
            bytes: digest.bytes,
        });
        quarantine_out = Some(target);
    }
    if messages.exists() {
        std::fs::rename(&messages, &old).map_err(io(&messages))?;
    }
    std::fs::rename(&staged_messages, &messages).map_err(io(&messages))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    std::fs::remove_dir_all(staging).map_err(io(staging))?;
    Ok(Published {
        outputs,
        quarantine: quarantine_out,
    })
}

pub fn write_audit(
    out_dir: &Path,
    run_id: &str,
    report: &AuditReport,
) -> Result<PathBuf, PipelineError> {
    let dir = out_dir.join("audit");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let path = dir.join(format!("run-{run_id}.json"));
    write_atomic(&path, &report.to_json()).map_err(io(&path))?;
    Ok(path)
}
