//! The command line: parses arguments and hands over to the library. No logic lives here.

use anyhow::{Context, Result};
use chatveil::config::Config;
use chatveil::crypto::{read_key_file, write_new_key_file, MasterKey};
use chatveil::detect::{self, Scratch};
use chatveil::evaluate;
use chatveil::pipeline::{self, Progress, RunOptions, StreamOptions};
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
    Run {
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
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Sanitize JSONL from stdin to JSONL on stdout (or rolling Parquet with --out), one
    /// line per message, in order, flushed as it goes.
    Stream(StreamArgs),
    /// Print the default configuration as commented TOML.
    Init,
    /// Write a new random key file (mode 0600).
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Score detection on labeled JSONL ({"text","spans":[{"start","end","label"}]}, code-point
    /// offsets): per-label precision, recall, F1 and redaction recall.
    Eval {
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
    },
    /// Inspect and check the pattern library.
    Patterns {
        #[command(subcommand)]
        command: PatternsCommand,
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
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

fn parse_alias(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(p, g)| (p.to_string(), g.to_string()))
        .ok_or_else(|| format!("expected PRED=GOLD, got {s:?}"))
}

fn eval(
    files: Vec<PathBuf>,
    config: Option<PathBuf>,
    aliases: Vec<(String, String)>,
    json: bool,
) -> Result<u8> {
    let config = load_config(config.as_ref())?;
    let detector = detect::build_detector(&config.detect)?;
    let mut report = evaluate::EvalReport::default();
    for f in &files {
        evaluate::evaluate_file(f, &detector, &config.policy, &aliases, &mut report)?;
    }
    if json {
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

/// The key from a key file, or a random one for this run only (with a warning).
fn load_key(key_file: Option<&PathBuf>) -> Result<(MasterKey, bool)> {
    Ok(match key_file {
        Some(path) => (read_key_file(path)?, false),
        None => {
            eprintln!("warning: no --key-file given: using a random key for this run only; pseudonyms will not match other runs and sealed values cannot be revealed later");
            (MasterKey::generate()?, true)
        }
    })
}

fn stream(args: StreamArgs) -> Result<u8> {
    let config = load_config(args.config.as_ref())?;
    let (key, _) = load_key(args.key_file.as_ref())?;
    let run_id = pipeline::new_run_id()?;
    let quarantine_path = match (&args.quarantine, &args.out) {
        (Some(q), _) => q.clone(),
        (None, Some(dir)) => dir.join("quarantine").join(format!("run-{run_id}.jsonl")),
        (None, None) => PathBuf::from(format!("chatveil-quarantine-{run_id}.jsonl")),
    };
    let mut input = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
    let mut output = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let summary = pipeline::stream(
        StreamOptions {
            config: &config,
            key: &key,
            source_name: args.source_name,
            parquet_dir: args.out,
            roll_after: std::time::Duration::from_secs(args.roll_seconds.max(1)),
            quarantine_path,
            run_id,
        },
        &mut input,
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

fn run(
    inputs: Vec<PathBuf>,
    out: PathBuf,
    config: Option<PathBuf>,
    key_file: Option<PathBuf>,
    quiet: bool,
) -> Result<u8> {
    let config = load_config(config.as_ref())?;
    let (key, ephemeral) = load_key(key_file.as_ref())?;
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
        key: &key,
        ephemeral_key: ephemeral,
        progress: Some(&bar),
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
    Ok(if t.quarantined > 0 {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            inputs,
            out,
            config,
            key_file,
            quiet,
        } => run(inputs, out, config, key_file, quiet),
        Command::Stream(args) => stream(args),
        Command::Init => {
            print!("{}", chatveil::config::DEFAULT_TOML);
            Ok(0)
        }
        Command::Keygen { out } => write_new_key_file(&out)
            .with_context(|| format!("cannot create key file {}", out.display()))
            .map(|key| {
                eprintln!("wrote key {} to {}", key.id(), out.display());
                0
            }),
        Command::Patterns { command, config } => patterns(command, config),
        Command::Eval {
            files,
            config,
            aliases,
            json,
        } => eval(files, config, aliases, json),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
