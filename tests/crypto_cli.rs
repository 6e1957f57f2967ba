//! Keys, sealed values, the identity vault and reveal, through the binary on the fixtures.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const HEALTHBOT: &str = "jsonl/healthbot.jsonl";

fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!("[policy.actions]\nEMAIL = \"encrypt\"\nUS_SSN = \"encrypt\"\n{extra}");
    std::fs::write(&path, text).unwrap();
    path
}

fn run_cmd(key: &Path, config: &Path, out: &Path) -> Command {
    let mut cmd = bin();
    cmd.arg("run")
        .arg(fixtures().join(HEALTHBOT))
        .arg("--out")
        .arg(out)
        .arg("--config")
        .arg(config)
        .arg("--key-file")
        .arg(key)
        .arg("--quiet");
    cmd
}

fn reveal_message(key: &Path, out: &Path, message_id: &str, reason: Option<&str>) -> Output {
    let mut cmd = bin();
    cmd.arg("reveal").arg("--key-file").arg(key).arg(out);
    cmd.arg("--message").arg(message_id);
    if let Some(r) = reason {
        cmd.arg("--reason").arg(r);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Message ids of the rows with sealed values, with their texts.
fn sealed_rows(out: &Path) -> Vec<(String, String)> {
    let batches = read_batches(&out.join("messages"));
    let mut rows = Vec::new();
    for b in &batches {
        let ids = b.column_by_name("message_id").unwrap().as_string::<i32>();
        let texts = b.column_by_name("text").unwrap().as_string::<i32>();
        let sealed = b.column_by_name("sealed").unwrap().as_list::<i32>();
        for i in 0..b.num_rows() {
            if !sealed.value(i).is_empty() {
                rows.push((ids.value(i).to_string(), texts.value(i).to_string()));
            }
        }
    }
    rows
}

fn log_lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("reveal-log.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn users(out: &Path) -> Vec<Option<String>> {
    column(&read_batches(&out.join("messages")), "user")
}

#[test]
fn keygen_writes_a_private_file_never_overwrites_and_refuses_readable_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let before = std::fs::read(&key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let again = bin().arg("keygen").arg("--out").arg(&key).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read(&key).unwrap(), before, "not overwritten");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let config = write_config(tmp.path(), "");
        let out = run_cmd(&key, &config, &tmp.path().join("out"))
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("readable by others") && stderr.contains("chmod 600"),
            "{stderr}"
        );
        assert!(!tmp.path().join("out").join("messages").exists());
    }
}

#[test]
fn encrypted_values_reveal_with_a_reason_and_on_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let config = write_config(tmp.path(), "");
    let out = tmp.path().join("out");
    run_ok(&mut run_cmd(&key, &config, &out));
    let rows = sealed_rows(&out);
    let (id, ssn_text) = rows
        .iter()
        .find(|(_, t)| t.contains("[US_SSN:"))
        .expect("the SSN was sealed");
    assert!(!ssn_text.contains("078-05-1120"), "{ssn_text}");

    let refused = reveal_message(&key, &out, id, None);
    let (stdout, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr.contains("without a reason"), "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(log_lines(&out), 0);

    let shown = run_ok(
        bin()
            .args([
                "reveal",
                "--reason",
                "ticket 4411: patient request",
                "--key-file",
            ])
            .arg(&key)
            .arg(&out)
            .args(["--message", id]),
    );
    let (stdout, stderr) = text(&shown);
    assert!(stdout.contains("078-05-1120"), "{stdout}");
    assert!(stdout.lines().all(|l| l.starts_with('[')), "{stdout}");
    assert!(stderr.contains("logged as record 1"), "{stderr}");
    let log = std::fs::read_to_string(out.join("reveal-log.jsonl")).unwrap();
    assert!(
        log.contains(id.as_str()) && log.contains("ticket 4411"),
        "{log}"
    );
    assert!(
        !log.contains("078-05-1120"),
        "the log never holds the value"
    );

    let again = reveal_message(&key, &out, id, Some("second look"));
    assert!(again.status.success());
    let verified = run_ok(bin().args(["reveal", "--verify-log"]).arg(&out));
    assert!(
        text(&verified).0.contains("chain intact, 2 records"),
        "{:?}",
        text(&verified)
    );

    let log = std::fs::read_to_string(out.join("reveal-log.jsonl")).unwrap();
    std::fs::write(
        out.join("reveal-log.jsonl"),
        log.replacen("ticket 4411", "ticket 4412", 1),
    )
    .unwrap();
    let broken = bin()
        .args(["reveal", "--verify-log"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken).1.contains("broken at line 2"),
        "{:?}",
        text(&broken)
    );
    let blocked = reveal_message(&key, &out, id, Some("third look"));
    assert_eq!(blocked.status.code(), Some(1), "no reveal on a broken log");
    assert!(text(&blocked).0.is_empty());

    let missing = reveal_message(&key, &out, "0000", Some("x"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).1.contains("no message with id 0000"));
}

#[test]
fn wrong_key_tampered_and_truncated_values_fail_clearly_and_reveal_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let other = keygen(tmp.path(), "other.key");
    let config = write_config(tmp.path(), "");
    let out = tmp.path().join("out");
    run_ok(&mut run_cmd(&key, &config, &out));
    let (id, _) = sealed_rows(&out).remove(0);
    let key_id = |p: &Path| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v["active"].as_str().unwrap().to_string()
    };

    let wrong = reveal_message(&other, &out, &id, Some("x"));
    let (stdout, stderr) = text(&wrong);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(&key_id(&key)) && stderr.contains(&key_id(&other)),
        "names the expected and the given key id: {stderr}"
    );
    assert_eq!(log_lines(&out), 0, "a failed reveal is not a reveal");

    // Flip one ciphertext byte, then cut one short, by rewriting the Parquet file.
    for (damage, expect) in [(0, "authentication failed"), (1, "truncated")] {
        let part = out.join("messages").join("part-00000.parquet");
        let batches = read_batches(&out.join("messages"));
        let batch = &batches[0];
        let sealed = batch.column_by_name("sealed").unwrap().as_list::<i32>();
        let structs = sealed.values().as_struct();
        let ct = structs
            .column_by_name("ciphertext")
            .unwrap()
            .as_binary::<i32>();
        let values: Vec<Vec<u8>> = (0..ct.len())
            .map(|i| {
                let mut v = ct.value(i).to_vec();
                if damage == 0 {
                    let last = v.len() - 1;
                    v[last] ^= 0x01;
                } else {
                    v.truncate(20);
                }
                v
            })
            .collect();
        let new_ct =
            arrow_array::BinaryArray::from_iter_values(values.iter().map(|v| v.as_slice()));
        let new_structs = arrow_array::StructArray::new(
            structs.fields().clone(),
            vec![
                structs.column(0).clone(),
                structs.column(1).clone(),
                std::sync::Arc::new(new_ct),
            ],
            None,
        );
        let arrow_schema::DataType::List(item) = sealed.data_type() else {
            unreachable!()
        };
        let new_list = arrow_array::ListArray::new(
            item.clone(),
            sealed.offsets().clone(),
            std::sync::Arc::new(new_structs),
            None,
        );
        let mut columns = batch.columns().to_vec();
        columns[batch.schema().index_of("sealed").unwrap()] = std::sync::Arc::new(new_list);
        let damaged = arrow_array::RecordBatch::try_new(batch.schema(), columns).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&part).unwrap(),
            batch.schema(),
            None,
        )
        .unwrap();
        w.write(&damaged).unwrap();
        w.close().unwrap();
        let r = reveal_message(&key, &out, &id, Some("x"));
        let (stdout, stderr) = text(&r);
        assert_eq!(r.status.code(), Some(1), "{stderr}");
        assert!(stdout.is_empty(), "nothing half-printed: {stdout}");
        assert!(stderr.contains(expect), "{stderr}");
        assert_eq!(log_lines(&out), 0);
        // Restore a clean dataset for the next kind of damage.
        run_ok(&mut run_cmd(&key, &config, &out));
    }
}

#[test]
fn hmac_pseudonyms_are_deterministic_and_rotation_keeps_old_data_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let config = write_config(tmp.path(), "");
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    run_ok(&mut run_cmd(&key, &config, &a));
    run_ok(&mut run_cmd(&key, &config, &b));
    assert_eq!(users(&a), users(&b), "same key, same pseudonyms, every run");

    let rotated = run_ok(bin().args(["keygen", "--add", "--out"]).arg(&key));
    assert!(text(&rotated).1.contains("added active key"));
    run_ok(&mut run_cmd(&key, &config, &c));
    let tag = |u: &Option<String>| u.as_deref().unwrap().split('_').nth(1).unwrap().to_string();
    let (old, new) = (users(&a), users(&c));
    assert_ne!(
        tag(&old[0]),
        tag(&new[0]),
        "the key version shows in the pseudonym"
    );
    assert_eq!(
        new.iter()
            .map(tag)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        1
    );

    for out in [&a, &c] {
        let (id, _) = sealed_rows(out).remove(0);
        let r = reveal_message(&key, out, &id, Some("rotation check"));
        assert!(r.status.success(), "{:?}", text(&r));
        assert!(text(&r).0.contains('@'), "{:?}", text(&r));
    }
}

#[test]
fn token_mode_needs_a_vault_and_keeps_tokens_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let config = write_config(tmp.path(), "[pseudonym]\nmode = \"token\"\n");
    let vault = tmp.path().join("vault");
    let no_vault = run_cmd(&key, &config, &tmp.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(no_vault.status.code(), Some(1));
    assert!(
        text(&no_vault).1.contains("needs an identity vault"),
        "{:?}",
        text(&no_vault)
    );

    let mut streamed = bin()
        .args(["stream", "--config"])
        .arg(&config)
        .arg("--key-file")
        .arg(&key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The stream may refuse before reading, so a failed write is expected.
    let _ = std::io::Write::write_all(
        streamed.stdin.as_mut().unwrap(),
        b"{\"user_id\":\"patient-1\",\"text\":\"hi\"}\n",
    );
    let streamed = streamed.wait_with_output().unwrap();
    assert_eq!(streamed.status.code(), Some(1));
    assert!(text(&streamed).1.contains("needs an identity vault"));
    assert!(
        text(&streamed).0.is_empty(),
        "no row without its token stored"
    );

    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_ok(run_cmd(&key, &config, &a).arg("--vault").arg(&vault));
    run_ok(run_cmd(&key, &config, &b).arg("--vault").arg(&vault));
    let first = users(&a);
    assert_eq!(first, users(&b), "tokens are reused through the vault");
    let user = first[0].clone().unwrap();
    assert!(user.starts_with("u_tok_"), "{user}");
    let vault_files: Vec<_> = std::fs::read_dir(&vault)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    assert_eq!(
        vault_files.len(),
        1,
        "the second run added nothing: {vault_files:?}"
    );

    let shown = run_ok(
        bin()
            .args(["reveal", "--reason", "subject access request", "--key-file"])
            .arg(&key)
            .arg("--vault")
            .arg(&vault)
            .args(["--user", &user]),
    );
    let (stdout, _) = text(&shown);
    assert!(
        stdout.contains("user\tpatient-7731\tMeera Krishnan"),
        "{stdout}"
    );
    assert_eq!(log_lines(&vault), 1);
    let conversation = column(&read_batches(&a.join("messages")), "conversation")[0]
        .clone()
        .unwrap();
    let shown = run_ok(
        bin()
            .args(["reveal", "--reason", "r", "--key-file"])
            .arg(&key)
            .arg("--vault")
            .arg(&vault)
            .args(["--user", &conversation]),
    );
    assert_eq!(text(&shown).0.trim(), "conversation\tconv-a1b2c3");
    let keyless = bin()
        .arg("run")
        .arg(fixtures().join(HEALTHBOT))
        .arg("--out")
        .arg(tmp.path().join("k"))
        .arg("--vault")
        .arg(tmp.path().join("v2"))
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(keyless.status.code(), Some(1));
    assert!(
        text(&keyless).1.contains("--vault needs --key-file"),
        "{:?}",
        text(&keyless)
    );
    let inside = run_cmd(&key, &config, &a)
        .arg("--vault")
        .arg(a.join("v"))
        .output()
        .unwrap();
    assert_eq!(inside.status.code(), Some(1));
    assert!(text(&inside).1.contains("overlap"), "{:?}", text(&inside));
}

#[test]
fn without_a_vault_nothing_re_identifying_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let config = write_config(tmp.path(), "");
    let out = tmp.path().join("out");
    run_ok(&mut run_cmd(&key, &config, &out));
    for (path, _) in text_files(&out) {
        let rel = path
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            rel.starts_with("messages/part-")
                || rel.starts_with("audit/run-")
                || rel == ".chatveil.lock",
            "unexpected output file {rel}"
        );
    }
    let identities = ["patient-7731", "Meera Krishnan", "conv-a1b2c3"].map(String::from);
    assert_absent(&out, &identities, &[]);
}

#[test]
fn passphrase_keys_come_from_the_environment_or_stdin_never_argv() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("p.key");
    let secret = "a long shared passphrase 7";
    let made = run_ok(
        bin()
            .args(["keygen", "--passphrase", "--out"])
            .arg(&key)
            .env("CHATVEIL_PASSPHRASE", secret),
    );
    assert!(
        text(&made)
            .1
            .contains("Argon2id, 64 MiB, 3 passes, 4 lanes"),
        "{:?}",
        text(&made)
    );
    let file = std::fs::read_to_string(&key).unwrap();
    assert!(
        file.contains("\"salt\"") && !file.contains("\"key\""),
        "{file}"
    );
    let config = write_config(tmp.path(), "");
    let out = tmp.path().join("out");
    run_ok(run_cmd(&key, &config, &out).env("CHATVEIL_PASSPHRASE", secret));

    let missing = run_cmd(&key, &config, &tmp.path().join("o2"))
        .env_remove("CHATVEIL_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).1.contains("protected by a passphrase"));

    let (id, _) = sealed_rows(&out).remove(0);
    let reveal_stdin = |passphrase: &str| {
        let mut child = bin()
            .args([
                "reveal",
                "--passphrase-stdin",
                "--reason",
                "audit",
                "--key-file",
            ])
            .arg(&key)
            .arg(&out)
            .args(["--message", &id])
            .env_remove("CHATVEIL_PASSPHRASE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            child.stdin.as_mut().unwrap(),
            format!("{passphrase}\n").as_bytes(),
        )
        .unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = reveal_stdin(secret);
    assert!(ok.status.success(), "{:?}", text(&ok));
    assert!(text(&ok).0.contains('@'));
    let bad = reveal_stdin("not the passphrase");
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad).1.contains("does not unlock key id"),
        "{:?}",
        text(&bad)
    );
    for o in [&made, &ok, &bad] {
        let (stdout, stderr) = text(o);
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    assert_absent(&out, &[secret.to_string()], &[]);
}

/// The master key, as its base64 and hex text and as raw bytes, in no byte of any output.
#[test]
fn the_key_appears_in_no_output_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(tmp.path(), "k.key");
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&key).unwrap()).unwrap();
    let b64 = file["keys"][0]["key"].as_str().unwrap().to_string();
    let raw = data_encoding::BASE64.decode(b64.as_bytes()).unwrap();
    let hex = data_encoding::HEXLOWER.encode(&raw);
    let config = write_config(tmp.path(), "");
    let (out, vault) = (tmp.path().join("out"), tmp.path().join("vault"));
    let mut outputs = vec![run_ok(
        run_cmd(&key, &config, &out).arg("--vault").arg(&vault),
    )];
    let (id, _) = sealed_rows(&out).remove(0);
    outputs.push(reveal_message(&key, &out, &id, Some("leak check")));
    let user = users(&out)[0].clone().unwrap();
    outputs.push(
        bin()
            .args(["reveal", "--reason", "leak check", "--key-file"])
            .arg(&key)
            .arg("--vault")
            .arg(&vault)
            .args(["--user", &user])
            .output()
            .unwrap(),
    );
    outputs.push(reveal_message(
        &keygen(tmp.path(), "other.key"),
        &out,
        &id,
        Some("x"),
    ));
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in [&out, &vault] {
        for (path, _) in text_files(dir) {
            blobs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for (i, o) in outputs.iter().enumerate() {
        blobs.push((format!("stdout {i}"), o.stdout.clone()));
        blobs.push((format!("stderr {i}"), o.stderr.clone()));
    }
    assert!(blobs.len() > 8);
    let needles = [
        b64.as_bytes().to_vec(),
        hex.as_bytes().to_vec(),
        hex.to_uppercase().into_bytes(),
        raw.clone(),
    ];
    for (name, bytes) in &blobs {
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "key material in {name}"
            );
        }
    }
}
