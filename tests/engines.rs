//! The output read by the engines data teams use: pyarrow's dataset API and DuckDB, when the
//! machine has them (`pip install pyarrow duckdb`); skipped otherwise.

mod common;

use common::*;
use std::process::Command;

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn pyarrow_and_duckdb_read_one_dataset() {
    let engines: Vec<&str> = ["pyarrow", "duckdb"]
        .into_iter()
        .filter(|m| python_has(m))
        .collect();
    if engines.is_empty() {
        eprintln!("skipped: neither pyarrow nor duckdb is installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Small parts, so the dataset has several files to read as one.
    let config = tmp.path().join("c.toml");
    std::fs::write(&config, "[output]\nfile_rows = 4\n").unwrap();
    run_ok(
        run_cmd(fixtures(), &out)
            .arg("--config")
            .arg(&config)
            .arg("--quiet"),
    );
    let messages = out.join("messages");
    let rows: usize = row_count(&messages);
    assert!(std::fs::read_dir(&messages).unwrap().count() > 1);
    let dir = messages.display().to_string();
    for engine in engines {
        let script = match engine {
            "pyarrow" => format!(
                "import pyarrow.dataset as ds\nt = ds.dataset({dir:?}, format='parquet').to_table()\n\
                 assert str(t.schema.field('ts').type) == 'timestamp[us, tz=UTC]'\n\
                 n = sum(len(e) for e in t.column('entities').to_pylist())\nprint(t.num_rows, n)"
            ),
            _ => format!(
                "import duckdb\nr = duckdb.sql(\"select count(*), sum(len(entities)) from '{dir}/*.parquet'\").fetchall()[0]\n\
                 print(r[0], r[1])"
            ),
        };
        let out = Command::new("python3")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8(out.stdout).unwrap();
        let mut numbers = printed
            .split_whitespace()
            .map(|n| n.parse::<usize>().unwrap());
        assert_eq!(numbers.next(), Some(rows), "{engine}");
        assert!(numbers.next().unwrap() >= 15, "{engine} sees the entities");
    }
}
