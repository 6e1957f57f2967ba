//! Finding input files: arguments may be files or folders, walked recursively in sorted
//! order so that every run sees the same files in the same order.

use super::format_from_name;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct DiscoveredInputs {
    /// Files to read, in a stable order.
    pub files: Vec<PathBuf>,
    /// Files inside folders whose names promise no transcript format (READMEs, licenses);
    /// named files are always read, and rejected if unrecognizable.
    pub skipped: Vec<PathBuf>,
}

/// Expands the arguments into files. `exclude` (the output folder) is never descended into.
pub fn discover_inputs(args: &[PathBuf], exclude: &[PathBuf]) -> std::io::Result<DiscoveredInputs> {
    let mut found = DiscoveredInputs::default();
    for arg in args {
        let meta = std::fs::metadata(arg)
            .map_err(|e| std::io::Error::new(e.kind(), format!("input {}: {e}", arg.display())))?;
        if meta.is_dir() {
            walk(arg, exclude, &mut found)?;
        } else {
            found.files.push(arg.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, exclude: &[PathBuf], found: &mut DiscoveredInputs) -> std::io::Result<()> {
    if exclude.iter().any(|x| same_file(x, dir)) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, exclude, found)?;
        } else if format_from_name(&path).is_some() {
            found.files.push(path);
        } else {
            found.skipped.push(path);
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
