//! The command line: parses arguments and hands over to the library. No logic lives here.

use anyhow::{Context, Result};
use chatveil::config::{Config, FormatChoice};
use chatveil::crypto::{
    add_key, read_key_file, write_new_key_file, Keyring, MasterKey, Passphrase, ARGON2_ITERATIONS,
    ARGON2_LANES, ARGON2_MEMORY_KIB, PASSPHRASE_ENV,
};
use chatveil::detect::{self, Scratch};
use chatveil::evaluate;
use chatveil::pipeline::{self, Progress, RunOptions, StreamOptions};
use chatveil::reveal::{self, verify_log, LOG_FILE};
use chatveil::vault::Vault;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, documented in the README.
const EXIT_QUARANTINED: u8 = 3;
const EXIT_FAILURE: u8 = 1;

#[derive(Parser)]
#[command(
    name = "chatveil",
    version,
    about = "Make chatbot transcripts safe to hand over"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sanitize transcripts into dissociated Parquet under OUT/messages/.
    Run(RunArgs),
    /// Sanitize JSONL from stdin to JSONL on stdout (or rolling Parquet with --out), one
    /// line per message, in order, flushed as it goes.
    Stream(StreamArgs),
    /// Print the default configuration as commented TOML.
    Init,
    /// Write a new key file (mode 0600), or add a key to one (rotation).
    ///
    /// A key file is a keyring: new data is sealed and pseudonymized with its active key,
    /// and sealed values open with whichever key their envelope names. Rotate with
    /// `keygen --out F --add`: the new key becomes active, old keys stay for old data, and
    /// pseudonyms change with the key (their version tag shows which key made them).
    Keygen(KeygenArgs),
    /// Decrypt a message's sealed values, or the identity behind a pseudonym, for a stated
    /// reason. Every reveal is first appended to the hash-chained reveal-log.jsonl of the
    /// folder read; the log holds who, when, what, why and the key id, never the value.
    Reveal(RevealArgs),
    /// Score detection on labeled JSONL ({"text","spans":[{"start","end","label"}]}, code-point
    /// offsets): per-label precision, recall, F1 and redaction recall.
    Eval(EvalArgs),
    /// Inspect and check the pattern library.
    Patterns {
        #[command(subcommand)]
        command: PatternsCommand,
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Input format, overriding the configuration: auto, jsonl, botframework, rasa, taskmaster.
    #[arg(long, value_parser = parse_format)]
    format: Option<FormatChoice>,
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    config: Option<PathBuf>,
    /// Key file from `chatveil keygen`. Without one, a random key is used for this run
    /// only and pseudonyms will not match any other run.
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// Read the key file's passphrase from the first line of stdin (otherwise from
    /// $CHATVEIL_PASSPHRASE, when the key file needs one).
    #[arg(long, requires = "key_file")]
    passphrase_stdin: bool,
    /// Identity vault folder: pseudonym → sealed original identity (user id, display
    /// name, conversation id), kept apart from OUT. Required by pseudonym mode "token".
    /// Without it no re-identification data is written at all.
    #[arg(long)]
    vault: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct KeygenArgs {
    #[arg(long)]
    out: PathBuf,
    /// Add a new active key to the existing key file OUT instead of creating one.
    #[arg(long)]
    add: bool,
    /// Derive the key from a passphrase (Argon2id, 64 MiB, 3 passes, 4 lanes) read from
    /// $CHATVEIL_PASSPHRASE; the file then holds the salt and settings, not the key.
    #[arg(long)]
    passphrase: bool,
    /// Like --passphrase, reading the passphrase from the first line of stdin.
    #[arg(long)]
    passphrase_stdin: bool,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["message", "user", "verify_log"])))]
struct RevealArgs {
    /// Output folder of a run (with --message, or --verify-log).
    out_dir: Option<PathBuf>,
    /// Message id (the `message_id` column) whose sealed values to print.
    #[arg(long, requires = "out_dir", conflicts_with = "user")]
    message: Option<String>,
    /// Vault folder (with --user, or --verify-log).
    #[arg(long)]
    vault: Option<PathBuf>,
    /// Pseudonym (user or conversation) whose original identity to print.
    #[arg(long, requires = "vault")]
    user: Option<String>,
    /// Why this reveal is needed; recorded in the reveal log. Required.
    #[arg(long)]
    reason: Option<String>,
    /// Key file (keyring) holding the key the values were sealed with.
    #[arg(long, required_unless_present = "verify_log")]
    key_file: Option<PathBuf>,
    /// Read the key file's passphrase from the first line of stdin (otherwise from
    /// $CHATVEIL_PASSPHRASE, when the key file needs one).
    #[arg(long)]
    passphrase_stdin: bool,
    /// Check the hash chain of the reveal log of OUT_DIR and/or --vault, reveal nothing.
    #[arg(long, conflicts_with_all = ["message", "user"])]
    verify_log: bool,
}

#[derive(clap::Args)]
struct EvalArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long)]
    config: Option<PathBuf>,
    /// Count a predicted type as a gold label: PRED=GOLD (repeatable).
    #[arg(long = "alias", value_parser = parse_alias)]
    aliases: Vec<(String, String)>,
    /// Print the report as JSON instead of a Markdown table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct StreamArgs {
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// Write rolling Parquet parts under DIR/messages/ instead of JSONL on stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Close a Parquet part after this many seconds even if it is not full.
    #[arg(long, default_value_t = 300)]
    roll_seconds: u64,
    /// A stable name for this stream (e.g. the partition), used in message ids.
    #[arg(long, default_value = "stdin")]
    source_name: String,
    /// Where records that cannot be processed go, encrypted. Default: DIR/quarantine/ with
    /// --out, else ./chatveil-quarantine-<run id>.jsonl (created only if needed).
    #[arg(long)]
    quarantine: Option<PathBuf>,
}

#[derive(Subcommand)]
enum PatternsCommand {
    /// List every pattern: id, entity type, source file.
    List,
    /// Show what the detector finds in a text.
    Test { text: String },
    /// Run every pattern's examples; exits non-zero on any failure.
    Check,
}

fn parse_format(s: &str) -> Result<FormatChoice, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("unknown format {s:?}: auto, jsonl, botframework, rasa or taskmaster"))
}

fn parse_alias(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(p, g)| (p.to_string(), g.to_string()))
        .ok_or_else(|| format!("expected PRED=GOLD, got {s:?}"))
}

fn eval(args: EvalArgs) -> Result<u8> {
    let config = load_config(args.config.as_ref())?;
    let detector = detect::build_detector(&config.detect)?;
    let mut report = evaluate::EvalReport::default();
    for f in &args.files {
        evaluate::evaluate_file(f, &detector, &config.policy, &args.aliases, &mut report)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_markdown());
    }
    Ok(0)
}

fn load_config(path: Option<&PathBuf>) -> Result<Config> {
    Ok(match path {
        Some(p) => Config::load(p)?,
        None => Config::embedded(),
    })
}

struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// The passphrase from stdin when asked, else from the environment if set there.
fn passphrase(stdin: bool) -> Result<Option<Passphrase>> {
    Ok(if stdin {
        Some(Passphrase::from_reader(std::io::stdin().lock())?)
    } else {
        Passphrase::from_env()?
    })
}

fn load_keyring(path: &std::path::Path, passphrase_stdin: bool) -> Result<Keyring> {
    Ok(read_key_file(path, passphrase(passphrase_stdin)?.as_ref())?)
}

/// The keyring of a key file, or a random key for this run only (with a warning).
fn load_key(key_file: Option<&PathBuf>, passphrase_stdin: bool) -> Result<(Keyring, bool)> {
    Ok(match key_file {
        Some(path) => (load_keyring(path, passphrase_stdin)?, false),
        None => {
            eprintln!("warning: no --key-file given: using a random key for this run only; pseudonyms will not match other runs and sealed values cannot be revealed later");
            (Keyring::single(MasterKey::generate()?), true)
        }
    })
}

fn stream(args: StreamArgs) -> Result<u8> {
    let config = load_config(args.config.as_ref())?;
    // stdin carries the transcripts, so a passphrase can only come from the environment.
    let (ring, _) = load_key(args.key_file.as_ref(), false)?;
    let run_id = pipeline::new_run_id()?;
    let quarantine_path = match (&args.quarantine, &args.out) {
        (Some(q), _) => q.clone(),
        (None, Some(dir)) => dir.join("quarantine").join(format!("run-{run_id}.jsonl")),
        (None, None) => PathBuf::from(format!("chatveil-quarantine-{run_id}.jsonl")),
    };
    let mut output = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let summary = pipeline::stream(
        StreamOptions {
            config: &config,
            key: ring.active(),
            source_name: args.source_name,
            parquet_dir: args.out,
            roll_after: std::time::Duration::from_secs(args.roll_seconds.max(1)),
            quarantine_path,
            run_id,
        },
        std::io::stdin(),
        &mut output,
    )?;
    eprintln!(
        "{} lines, {} rows, {} quarantined",
        summary.lines, summary.rows, summary.quarantined
    );
    if let Some(q) = &summary.quarantine_path {
        eprintln!("quarantined records (encrypted): {}", q.display());
    }
    Ok(if summary.quarantined > 0 {
        EXIT_QUARANTINED
    } else {
        0
    })
}

fn run(args: RunArgs) -> Result<u8> {
    let RunArgs {
        format,
        inputs,
        out,
        config,
        key_file,
        passphrase_stdin,
        vault,
        quiet,
    } = args;
    let mut config = load_config(config.as_ref())?;
    if let Some(format) = format {
        config.input.format = format;
    }
    let (ring, ephemeral) = load_key(key_file.as_ref(), passphrase_stdin)?;
    let vault = vault
        .map(|dir| Vault::open(&dir, &ring, config.pseudonym.mode))
        .transpose()?;
    let bar = Bar(if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
            )
            .expect("valid template"),
        )
    });
    let summary = pipeline::run(RunOptions {
        inputs,
        out: out.clone(),
        config: &config,
        key: ring.active(),
        ephemeral_key: ephemeral,
        progress: Some(&bar),
        vault: vault.as_ref(),
    })?;
    for m in &summary.messages {
        eprintln!("error: {m}");
    }
    let t = &summary.report.totals;
    eprintln!(
        "{} files, {} records: {} rows written to {}, {} quarantined; audit {}",
        t.files,
        t.records,
        t.rows,
        out.join("messages").display(),
        t.quarantined,
        summary.audit_path.display()
    );
    if let Some(q) = &summary.quarantine_path {
        eprintln!("quarantined records (encrypted): {}", q.display());
    }
    // A file that could not even be read is counted as failed but holds no quarantined
    // record; the run still did not write every record, so it is no clean success.
    Ok(if t.quarantined > 0 || t.failed_files > 0 {
        EXIT_QUARANTINED
    } else {
        0
    })
}

fn patterns(command: PatternsCommand, config: Option<PathBuf>) -> Result<u8> {
    let config = load_config(config.as_ref())?;
    let all = detect::configured_patterns(&config.detect)?;
    let detector = detect::build_detector(&config.detect)?;
    match command {
        PatternsCommand::List => {
            for p in &all {
                println!("{}\t{}\t{}", p.spec.id, p.spec.entity, p.file);
            }
            Ok(0)
        }
        PatternsCommand::Test { text } => {
            let mut found = Vec::new();
            detector.detect(&text, &mut Scratch::default(), &mut found);
            for f in &found {
                println!(
                    "{}\t{}..{}\t{:.2}\t{}\t{}",
                    f.entity,
                    f.start,
                    f.end,
                    f.score,
                    f.source,
                    &text[f.start..f.end]
                );
            }
            Ok(0)
        }
        PatternsCommand::Check => {
            let failures = detect::check_examples(&all, &detector);
            for f in &failures {
                let want = if f.expected_match {
                    "should match"
                } else {
                    "should not match"
                };
                println!("FAIL {} ({}): {want}: {:?}", f.pattern, f.file, f.example);
            }
            let examples: usize = all
                .iter()
                .map(|p| p.spec.examples.matches.len() + p.spec.examples.reject.len())
                .sum();
            println!(
                "{} patterns, {examples} examples, {} failed",
                all.len(),
                failures.len()
            );
            Ok(if failures.is_empty() { 0 } else { EXIT_FAILURE })
        }
    }
}

fn keygen(args: KeygenArgs) -> Result<u8> {
    let KeygenArgs {
        out,
        add,
        passphrase: use_passphrase,
        passphrase_stdin,
    } = args;
    let passphrase = match (use_passphrase, passphrase_stdin) {
        (false, false) => None,
        (_, true) => passphrase(true)?,
        (true, false) => Some(Passphrase::from_env()?.with_context(|| {
            format!("--passphrase reads the passphrase from ${PASSPHRASE_ENV}, which is not set (or use --passphrase-stdin)")
        })?),
    };
    let id = if add {
        add_key(&out, passphrase.as_ref())
            .with_context(|| format!("cannot add a key to {}", out.display()))?
    } else {
        write_new_key_file(&out, passphrase.as_ref())
            .with_context(|| format!("cannot create key file {}", out.display()))?
    };
    let how = match passphrase {
        Some(_) => format!(
            " (derived from the passphrase with Argon2id, {} MiB, {ARGON2_ITERATIONS} passes, {ARGON2_LANES} lanes)",
            ARGON2_MEMORY_KIB / 1024
        ),
        None => String::new(),
    };
    let verb = if add { "added active key" } else { "wrote key" };
    eprintln!("{verb} {id}{how} to {}", out.display());
    Ok(0)
}

fn reveal(args: RevealArgs) -> Result<u8> {
    let RevealArgs {
        out_dir,
        message,
        vault,
        user,
        reason,
        key_file,
        passphrase_stdin,
        verify_log: check_log,
    } = args;
    if check_log {
        let dirs: Vec<PathBuf> = out_dir.into_iter().chain(vault).collect();
        anyhow::ensure!(!dirs.is_empty(), "--verify-log needs OUT_DIR or --vault");
        for dir in dirs {
            let path = dir.join(LOG_FILE);
            let head = verify_log(&path)?;
            println!(
                "{}: chain intact, {} records, last line sha256 {}",
                path.display(),
                head.records,
                head.head
            );
        }
        return Ok(0);
    }
    let key_file = key_file.context("--key-file is required")?;
    // The reason is checked before the key is unlocked, so a refused reveal costs nothing.
    let reason = reason.filter(|r| !r.trim().is_empty());
    let ring = match reason {
        Some(_) => load_keyring(&key_file, passphrase_stdin)?,
        None => return Err(reveal::RevealError::NoReason.into()),
    };
    let logged = match (message, out_dir, user, vault) {
        (Some(id), Some(dir), _, _) => {
            let r = reveal::reveal_message(&dir, &ring, &id, reason.as_deref())?;
            for v in &r.items {
                println!("[{}:{}]\t{}", v.entity, v.reference, v.value.as_str());
            }
            (r.log, r.logged)
        }
        (_, _, Some(pseudonym), Some(dir)) => {
            let r = reveal::reveal_identity(&dir, &ring, &pseudonym, reason.as_deref())?;
            for (kind, identity) in &r.items {
                match &identity.name {
                    Some(name) => println!("{}\t{}\t{name}", kind.as_str(), identity.id),
                    None => println!("{}\t{}", kind.as_str(), identity.id),
                }
            }
            (r.log, r.logged)
        }
        _ => anyhow::bail!("give OUT_DIR --message ID, or --vault DIR --user PSEUDONYM"),
    };
    eprintln!(
        "logged as record {} of {} (sha256 {})",
        logged.1.records,
        logged.0.display(),
        logged.1.head
    );
    Ok(0)
}

/// An error and its causes, leaving out a cause whose text the message already quotes
/// (library errors often name their source inline).
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Stream(args) => stream(args),
        Command::Init => {
            print!("{}", chatveil::config::DEFAULT_TOML);
            Ok(0)
        }
        Command::Keygen(args) => keygen(args),
        Command::Reveal(args) => reveal(args),
        Command::Patterns { command, config } => patterns(command, config),
        Command::Eval(args) => eval(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
