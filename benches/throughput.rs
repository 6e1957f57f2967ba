//! End-to-end throughput: generates a synthetic chat corpus, then times in one run
//! - the baseline: reading the same JSONL and parsing every line with serde_json, writing
//!   nothing (one core, then all cores);
//! - `chatveil run` (JSONL → Parquet, all cores);
//! - `chatveil stream` (JSONL → JSONL, one core and all cores), with stdin a file and then
//!   a pipe fed by this process (as from `cat` or `tail -f`: reads return less at a time),
//!
//! and prints MB/s, records/s and peak RSS. Size with CHATVEIL_BENCH_MB (default 256).
//!
//!     cargo bench --bench throughput
//!     CHATVEIL_BENCH_MB=2048 cargo bench --bench throughput

mod common;

use common::Lcg;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const CLEAN: &[&str] = &[
    "Hi, I would like to check the status of my last order please",
    "Can you tell me when the pharmacy opens on Saturday?",
    "Thanks, that answers my question. Have a nice day!",
    "I tried version 2.4.1 of the app and the login page keeps spinning",
    "The total was $42.50 and I was charged twice for order 778812",
    "What documents do I need to bring to the appointment next week?",
    "My flight lands at 10:45 so I can be there by noon",
    "Is the premium plan cheaper if I pay yearly instead of monthly?",
    "I have been feeling a bit better since I started the new routine",
    "Sure, please go ahead and book the earlier slot for me",
];

const DIRTY: &[&str] = &[
    "you can reach me at jordan.miles{n}@example.com after 5pm",
    "my card number is 4111 1111 1111 1111, expiry 09/28",
    "call me back on (415) 555-01{n2} whenever you can",
    "my SSN is 078-05-1120, is that needed for the claim?",
    "please wire it to DE89 3704 0044 0532 0130 00 today",
    "the portal at https://portal.example.com/u/{n} shows an error from 10.1.{n2}.7",
];

/// Conversations of 4 to 12 turns, user and bot alternating, as chat logs are: about one
/// message in ten carries PII.
fn generate(path: &Path, bytes: u64) -> u64 {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut rng = Lcg(42);
    let (mut written, mut records, mut conversation) = (0u64, 0u64, 0u64);
    while written < bytes {
        conversation += 1;
        let user = rng.next() % 50_000;
        let turns = 4 + rng.next() % 9;
        for turn in 0..turns {
            let n = rng.next();
            let text = if n.is_multiple_of(10) {
                DIRTY[(n / 10) as usize % DIRTY.len()]
                    .replace("{n}", &(n % 1000).to_string())
                    .replace("{n2}", &format!("{:02}", n % 100))
            } else {
                let a = CLEAN[n as usize % CLEAN.len()];
                let b = CLEAN[(n / 7) as usize % CLEAN.len()];
                format!("{a}. {b}")
            };
            let line = serde_json::json!({
                "user_id": format!("user-{user}"),
                "conversation_id": format!("conv-{conversation}"),
                "timestamp": 1_767_225_600 + (records as i64),
                "role": if turn.is_multiple_of(2) { "user" } else { "bot" },
                "text": text,
            })
            .to_string();
            writeln!(out, "{line}").unwrap();
            written += line.len() as u64 + 1;
            records += 1;
        }
    }
    out.flush().unwrap();
    records
}

/// Runs a command to completion and returns (seconds, peak RSS in MiB) from wait4. With
/// `pipe_from`, the file is fed to its stdin through a pipe, as `cat file | chatveil` would.
fn measure(mut cmd: Command, pipe_from: Option<&Path>) -> (f64, f64) {
    if pipe_from.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let start = Instant::now();
    // Reaped by wait4 below, which std's wait cannot replace: it also gives the peak RSS.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().expect("chatveil starts");
    let feeder = pipe_from.map(|path| {
        let mut file = std::fs::File::open(path).unwrap();
        let mut stdin = child.stdin.take().expect("stdin is piped");
        std::thread::spawn(move || std::io::copy(&mut file, &mut stdin))
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, with valid pointers to locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "command failed: {status}"
    );
    // Joined after the status check: when the command fails, the feeder's broken pipe is
    // not the error to report.
    if let Some(feeder) = feeder {
        feeder
            .join()
            .expect("feeder thread")
            .expect("corpus fed to stdin");
    }
    (secs, usage.ru_maxrss as f64 / 1024.0)
}

fn parse_baseline(path: &Path, threads: usize) -> f64 {
    let data = std::fs::read(path).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let start = Instant::now();
    let parsed: usize = pool.install(|| {
        data.par_split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                serde_json::from_slice::<serde_json::Value>(l)
                    .map(|v| v.is_object() as usize)
                    .unwrap_or(0)
            })
            .sum()
    });
    let secs = start.elapsed().as_secs_f64();
    assert!(parsed > 0);
    secs
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks benches to list their tests.
    }
    let mb: u64 = std::env::var("CHATVEIL_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    let bin = env!("CARGO_BIN_EXE_chatveil");
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    let corpus = corpus_dir.join("chat.jsonl");
    let records = generate(&corpus, mb << 20);
    let size = std::fs::metadata(&corpus).unwrap().len() as f64 / (1 << 20) as f64;
    let key = dir.path().join("bench.key");
    let status = Command::new(bin)
        .arg("keygen")
        .arg("--out")
        .arg(&key)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    println!("corpus: {size:.0} MiB, {records} records, {cores} cores");
    println!("| what | threads | seconds | MB/s | records/s | peak RSS MiB |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let row = |what: &str, threads: usize, secs: f64, rss: Option<f64>| {
        let rss = rss.map(|r| format!("{r:.0}")).unwrap_or_else(|| "-".into());
        println!(
            "| {what} | {threads} | {secs:.2} | {:.0} | {:.0} | {rss} |",
            size / secs,
            records as f64 / secs
        );
        size / secs
    };
    // The commands run first: a child's peak RSS as the kernel reports it starts from the
    // parent's at spawn time, and the in-memory baseline below holds the whole corpus.
    let mut run = Command::new(bin);
    run.arg("run")
        .arg(&corpus_dir)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--key-file")
        .arg(&key)
        .arg("--quiet");
    run.stderr(Stdio::null());
    let (secs, rss) = measure(run, None);
    let run_rate = row("chatveil run → Parquet", cores, secs, Some(rss));

    for (what, piped) in [
        ("chatveil stream → JSONL, stdin a file", false),
        ("chatveil stream → JSONL, stdin a pipe", true),
    ] {
        for threads in [1, cores] {
            let mut stream = Command::new(bin);
            stream
                .arg("stream")
                .arg("--key-file")
                .arg(&key)
                .env("RAYON_NUM_THREADS", threads.to_string());
            stream.stdout(Stdio::null()).stderr(Stdio::null());
            if !piped {
                stream.stdin(std::fs::File::open(&corpus).unwrap());
            }
            let (secs, rss) = measure(stream, piped.then_some(corpus.as_path()));
            row(what, threads, secs, Some(rss));
        }
    }
    let base1 = parse_baseline(&corpus, 1);
    row(
        "baseline: serde_json parse only (in memory)",
        1,
        base1,
        None,
    );
    let base_all = parse_baseline(&corpus, cores);
    let base_all_rate = row(
        "baseline: serde_json parse only (in memory)",
        cores,
        base_all,
        None,
    );

    println!(
        "\nrun / parse-only baseline on {cores} cores: {:.0}%",
        100.0 * run_rate / base_all_rate
    );
}
