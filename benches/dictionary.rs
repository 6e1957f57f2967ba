//! Detection speed of the default library, structured patterns alone and with the
//! dictionaries (names, places, conditions, medications, addresses), on one core. Detection
//! only: no parsing, no output. Prints the dictionaries' build time and table memory.
//!
//!     cargo bench --bench dictionary
//!     CHATVEIL_BENCH_MB=64 CHATVEIL_BENCH_FILES=a.jsonl,b.jsonl cargo bench --bench dictionary
//!
//! CHATVEIL_BENCH_FILES adds JSONL files whose `text` fields are timed as their own corpus.

mod common;

use chatveil::config::DetectConfig;
use chatveil::detect::{build_detector, dictionary, Detector, Scratch};
use common::Lcg;
use std::time::Instant;

const CHAT: &[&str] = &[
    "Hi, I would like to check the status of my last order please",
    "Can you tell me when the pharmacy opens on Saturday?",
    "Thanks, that answers my question. Have a nice day!",
    "I have been feeling a bit better since I started the new routine",
    "Sure, please go ahead and book the earlier slot for me",
    "What documents do I need to bring to the appointment next week?",
    "I'm Priya Raghavan, diabetic since 2015, on metformin 500mg twice daily",
    "my daughter Ananya books my appointments at Apollo Hospital Chennai",
    "Please share the location with Svetlana, she lives at 835 Turk Street",
    "PT IS A 92 YO F WITH HX OF COPD AND CHF, SON JOHN AT BEDSIDE",
    "i live in corte madera and my doctor prescribed lexapro for my anxiety",
    "Could you get me a reservation at P.f. Chang's in Corte Madera at 12?",
    "call me back on (415) 555-0132 whenever you can, my name is Will",
    "The Zoloft made my panic attacks worse so I switched to Cymbalta 60 mg",
];

fn chat_corpus(bytes: usize) -> Vec<String> {
    let mut rng = Lcg(7);
    let (mut out, mut total) = (Vec::new(), 0);
    while total < bytes {
        let a = CHAT[rng.next() as usize % CHAT.len()];
        let b = CHAT[rng.next() as usize % CHAT.len()];
        let text = format!("{a}. {b}");
        total += text.len();
        out.push(text);
    }
    out
}

fn jsonl_texts(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("readable bench file");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text")?.as_str().map(str::to_string))
        .collect()
}

/// Seconds this thread has run on a CPU (Linux), so that MB/s are per core even on a
/// machine shared with other work; wall time where the kernel does not say.
fn cpu_seconds(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(|ns| ns as f64 / 1e9)
        .unwrap_or_else(|| wall.elapsed().as_secs_f64())
}

/// MB/s of `detect` over the corpus per CPU second, best of three passes.
fn time(detector: &Detector, texts: &[String]) -> (f64, usize) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut scratch = Scratch::default();
    let mut found = Vec::new();
    let (mut best, mut findings) = (f64::MAX, 0);
    for _ in 0..3 {
        findings = 0;
        let wall = Instant::now();
        let t = cpu_seconds(wall);
        for text in texts {
            found.clear();
            detector.detect(text, &mut scratch, &mut found);
            findings += found.len();
        }
        best = best.min(cpu_seconds(wall) - t);
    }
    (bytes as f64 / 1e6 / best, findings)
}

fn main() {
    let mb: usize = std::env::var("CHATVEIL_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let t = Instant::now();
    let dictionaries = dictionary::builtin();
    println!(
        "dictionaries: built in {:.2} s, tables {:.1} MB",
        t.elapsed().as_secs_f64(),
        dictionaries.memory_usage() as f64 / 1e6
    );
    let full = build_detector(&DetectConfig::default()).expect("default detector");
    let structured = build_detector(&DetectConfig {
        disable: vec![chatveil::detect::DICTIONARY_ID.to_string()],
        ..DetectConfig::default()
    })
    .expect("structured detector");
    let mut corpora = vec![(format!("synthetic chat ({mb} MB)"), chat_corpus(mb << 20))];
    if let Ok(files) = std::env::var("CHATVEIL_BENCH_FILES") {
        for f in files.split(',').filter(|f| !f.is_empty()) {
            // Repeated up to the corpus size: the CPU clock ticks too coarsely for a pass
            // over a small file.
            let texts = jsonl_texts(f);
            let once: usize = texts.iter().map(String::len).sum();
            let copies = ((mb << 20) / once.max(1)).max(1);
            corpora.push((
                format!("{f} x{copies}"),
                texts
                    .iter()
                    .cycle()
                    .take(texts.len() * copies)
                    .cloned()
                    .collect(),
            ));
        }
    }
    for (name, texts) in &corpora {
        let bytes: usize = texts.iter().map(String::len).sum();
        let mut scratch = dictionary::DictScratch::default();
        let mut found = Vec::new();
        let wall = Instant::now();
        let t = cpu_seconds(wall);
        for text in texts {
            found.clear();
            dictionaries.detect(text, &mut scratch, &mut found);
        }
        let alone = bytes as f64 / 1e6 / (cpu_seconds(wall) - t);
        println!("{name}: dictionaries alone {alone:.0} MB/s");
        let (s, _) = time(&structured, texts);
        let (d, n) = time(&full, texts);
        println!(
            "{name}: structured {s:.0} MB/s; structured + dictionaries {d:.0} MB/s ({n} findings)"
        );
    }
}
