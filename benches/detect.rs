//! Detection throughput on chat-sized messages, one core: the full built-in library against
//! the email pattern alone, on the same input. Inputs, from `tests/detect_corpus/` (see its
//! `generate.py`):
//! - "chat mix": ordinary assistant turns (7 in 10), PII-free messages full of order ids,
//!   prices, versions and times (2 in 10), and messages carrying PII (1 in 10);
//! - "number-heavy": the PII-free number-heavy messages with one PII message in ten, the
//!   worst case for an engine whose identifiers are mostly numbers;
//! - "SGD turns": the real dialogue turns of `../shared/eval/sgd_dev_turns.jsonl`, when that
//!   file is there.
//!
//! Throughput is reported against the thread's CPU time (from /proc/thread-self/schedstat)
//! as well as wall time, since build machines are shared.
//!
//! Run: cargo bench --bench detect
//! `DETECT_BENCH_PER_PATTERN=1` also times each pattern alone, to find a slow one.

use chatveil::detect::{pattern, Detector, DetectorOptions, Finding, Scratch};
use std::time::{Duration, Instant};

fn texts(path: &str) -> Option<Vec<String>> {
    let body = std::fs::read_to_string(path).ok()?;
    Some(
        body.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
                v["text"].as_str().expect("text field").to_string()
            })
            .collect(),
    )
}

fn fixture(name: &str) -> Vec<String> {
    let path = format!("{}/tests/detect_corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    texts(&path).unwrap_or_else(|| panic!("{path} is missing: run tests/detect_corpus/generate.py"))
}

/// Takes `weights[i]` messages from `sources[i]` in turn until the first source runs out.
fn interleave(sources: &[&[String]], weights: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = vec![0; sources.len()];
    loop {
        for (i, source) in sources.iter().enumerate() {
            for _ in 0..weights[i] {
                match source.get(next[i]) {
                    Some(t) => out.push(t.clone()),
                    None => return out,
                }
                next[i] += 1;
            }
        }
    }
}

/// CPU time of this thread so far, where Linux reports it.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

struct Speed {
    wall_mbps: f64,
    cpu_mbps: Option<f64>,
    findings: usize,
}

/// Best of several timed passes over the messages (the first pass warms the caches), and
/// the bytes of all passes over the thread's CPU time for them.
fn measure(detector: &Detector, messages: &[String], budget: Duration) -> Speed {
    let bytes = messages.iter().map(String::len).sum::<usize>() as f64;
    let mut scratch = Scratch::default();
    let mut found: Vec<Finding> = Vec::new();
    let mut pass = |count: &mut usize| {
        for m in messages {
            found.clear();
            detector.detect(m, &mut scratch, &mut found);
            *count += found.len();
        }
    };
    let mut findings = 0;
    pass(&mut findings);
    let mut best_wall = Duration::MAX;
    let mut passes = 0;
    let cpu_start = thread_cpu();
    let deadline = Instant::now() + budget;
    while Instant::now() < deadline {
        let wall = Instant::now();
        let mut n = 0;
        pass(&mut n);
        std::hint::black_box(n);
        best_wall = best_wall.min(wall.elapsed());
        passes += 1;
    }
    let cpu = cpu_start
        .zip(thread_cpu())
        .map(|(before, after)| after.saturating_sub(before))
        .filter(|d| !d.is_zero());
    Speed {
        wall_mbps: bytes / best_wall.as_secs_f64() / 1e6,
        cpu_mbps: cpu.map(|d| bytes * f64::from(passes) / d.as_secs_f64() / 1e6),
        findings,
    }
}

fn main() {
    let plain = fixture("chat_plain.jsonl");
    let numbers = fixture("pii_free.jsonl");
    let pii = fixture("pii_labeled.jsonl");
    let mut inputs = vec![
        (
            "chat mix",
            interleave(&[&plain, &numbers, &pii], &[7, 2, 1]),
        ),
        ("number-heavy", interleave(&[&numbers, &pii], &[9, 1])),
    ];
    let sgd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/eval/sgd_dev_turns.jsonl"
    );
    if let Some(turns) = texts(sgd) {
        inputs.push(("SGD turns", turns));
    }

    let all = pattern::builtin().expect("built-in patterns parse");
    let options = DetectorOptions {
        min_score: 0.5,
        ..Default::default()
    };
    let full = Detector::new(&all, &options).expect("full set compiles");
    let email: Vec<_> = all
        .iter()
        .filter(|p| p.spec.id == "email")
        .cloned()
        .collect();
    let email = Detector::new(&email, &options).expect("email compiles");

    for (name, messages) in &inputs {
        let bytes: usize = messages.iter().map(String::len).sum();
        println!(
            "{name}: {} messages, {:.0} bytes/message",
            messages.len(),
            bytes as f64 / messages.len() as f64
        );
        for (label, detector) in [("email only", &email), ("full set", &full)] {
            let s = measure(detector, messages, Duration::from_secs(3));
            let cpu = s.cpu_mbps.map_or("n/a".into(), |v| format!("{v:.1}"));
            println!(
                "  {label:<10} {:>3} patterns  {:>7.1} MB/s wall  {cpu:>7} MB/s cpu  ({} findings)",
                detector.pattern_count(),
                s.wall_mbps,
                s.findings
            );
        }
    }

    if std::env::var_os("DETECT_BENCH_PER_PATTERN").is_some() {
        let messages = &inputs[0].1;
        for p in &all {
            let one = Detector::new(std::slice::from_ref(p), &options).expect("compiles");
            let s = measure(&one, messages, Duration::from_millis(300));
            println!("{:<24} {:>8.1} MB/s wall", p.spec.id, s.wall_mbps);
        }
    }
}
