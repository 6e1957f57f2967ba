//! Detection throughput on chat-sized messages: the full built-in library against the email
//! pattern alone, on the same input, one core. The input is the generated corpora of
//! `fixtures/detect/`: PII-free messages with one labeled message in ten.
//!
//! Run: cargo bench --bench detect

use chatveil::detect::{pattern, Detector, DetectorOptions, Finding, Scratch};
use std::time::{Duration, Instant};

fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/detect");
    let texts = |name: &str| -> Vec<String> {
        std::fs::read_to_string(format!("{dir}/{name}"))
            .expect("corpus file")
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
                v["text"].as_str().expect("text field").to_string()
            })
            .collect()
    };
    let free = texts("pii_free.jsonl");
    let pii = texts("pii_labeled.jsonl");
    let mut out = Vec::new();
    for (i, text) in free.iter().enumerate() {
        out.push(text.clone());
        if i % 9 == 8 {
            out.push(pii[(i / 9) % pii.len()].clone());
        }
    }
    out
}

/// Best of several timed passes over the corpus, in MB/s, and the findings of one pass.
fn measure(detector: &Detector, messages: &[String]) -> (f64, usize) {
    let bytes: usize = messages.iter().map(String::len).sum();
    let mut scratch = Scratch::default();
    let mut found: Vec<Finding> = Vec::new();
    let mut best = Duration::MAX;
    let mut findings = 0;
    let deadline = Instant::now() + budget();
    while Instant::now() < deadline {
        let start = Instant::now();
        for _ in 0..10 {
            for m in messages {
                found.clear();
                detector.detect(m, &mut scratch, &mut found);
                findings += found.len();
            }
        }
        best = best.min(start.elapsed() / 10);
    }
    let mut one_pass = 0;
    for m in messages {
        found.clear();
        detector.detect(m, &mut scratch, &mut found);
        one_pass += found.len();
    }
    std::hint::black_box(findings);
    (bytes as f64 / best.as_secs_f64() / 1e6, one_pass)
}

/// Seconds of timing per detector; short when profiling every pattern.
fn budget() -> Duration {
    if per_pattern() {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(3)
    }
}

/// `DETECT_BENCH_PER_PATTERN=1` also times each pattern alone, to find a slow one.
fn per_pattern() -> bool {
    std::env::var_os("DETECT_BENCH_PER_PATTERN").is_some()
}

fn main() {
    let messages = corpus();
    let bytes: usize = messages.iter().map(String::len).sum();
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
    println!(
        "{} messages, {} bytes, {:.0} bytes/message",
        messages.len(),
        bytes,
        bytes as f64 / messages.len() as f64
    );
    for (name, detector) in [("email only", &email), ("full set", &full)] {
        let (mbps, findings) = measure(detector, &messages);
        println!(
            "{name:<12} {:>3} patterns  {mbps:>8.1} MB/s per core  ({findings} findings)",
            detector.pattern_count()
        );
    }
    if per_pattern() {
        for p in &all {
            let one = Detector::new(std::slice::from_ref(p), &options).expect("compiles");
            let (mbps, findings) = measure(&one, &messages);
            println!("{:<24} {mbps:>8.1} MB/s  ({findings} findings)", p.spec.id);
        }
    }
}
