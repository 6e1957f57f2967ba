//! The record path in process, one core, no I/O: how much each stage costs per MB of chat
//! JSONL, against plain serde_json parsing of the same lines.
//!
//!     cargo bench --bench record_path
//!
//! Stages, each including the ones before: parse (the reader's JSONL path), + sanitize
//! (detection, policy, pseudonyms, message ids), + Arrow batch (column building for Parquet).

use chatveil::config::Config;
use chatveil::crypto::MasterKey;
use chatveil::detect::build_detector;
use chatveil::read::{Format, Parser};
use chatveil::transform::{Transformer, Workspace};
use chatveil::write::to_batch;
use std::time::Instant;

const TEXTS: &[&str] = &[
    "Hi, I would like to check the status of my last order please. Thanks!",
    "Can you tell me when the pharmacy opens on Saturday? My flight lands at 10:45",
    "I tried version 2.4.1 of the app and the login page keeps spinning",
    "The total was $42.50 and I was charged twice for order 778812",
    "you can reach me at jordan.miles@example.com after 5pm",
    "What documents do I need to bring to the appointment next week?",
    "my card number is 4111 1111 1111 1111, expiry 09/28",
    "Is the premium plan cheaper if I pay yearly instead of monthly?",
    "call me back on (415) 555-0132 whenever you can",
    "Sure, please go ahead and book the earlier slot for me",
];

fn corpus(lines: usize) -> Vec<String> {
    (0..lines)
        .map(|i| {
            serde_json::json!({
                "user_id": format!("user-{}", i / 8),
                "conversation_id": format!("conv-{}", i / 8),
                "timestamp": 1_767_225_600 + i,
                "role": if i % 2 == 0 { "user" } else { "bot" },
                "text": TEXTS[i % TEXTS.len()],
            })
            .to_string()
        })
        .collect()
}

fn report(what: &str, mb: f64, records: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!(
        "| {what} | {:.0} | {:.0} |",
        mb / secs,
        records as f64 / secs
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let lines = corpus(200_000);
    let mb = lines.iter().map(|l| l.len() + 1).sum::<usize>() as f64 / (1 << 20) as f64;
    let config = Config::default();
    let detector = build_detector(&config.detect).unwrap();
    let key = MasterKey::from_bytes([9; 32]);
    let transformer = Transformer::new(&config, &detector, &key);
    let parser = Parser::new(&config.input);
    println!("{} records, {mb:.1} MiB, one core", lines.len());
    println!("| stage | MB/s | records/s |\n| --- | ---: | ---: |");

    let start = Instant::now();
    let n = lines
        .iter()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count();
    report("baseline: serde_json::Value parse", mb, n, start);

    let mut records = Vec::new();
    let start = Instant::now();
    for (i, l) in lines.iter().enumerate() {
        parser
            .parse(Format::Jsonl, i as u64, l.as_bytes(), &mut records)
            .unwrap();
    }
    report("parse", mb, records.len(), start);

    let start = Instant::now();
    let mut workspace = Workspace::default();
    let source: std::sync::Arc<str> = "bench".into();
    let mut rows = Vec::with_capacity(records.len());
    records.clear();
    for (i, l) in lines.iter().enumerate() {
        records.clear();
        parser
            .parse(Format::Jsonl, i as u64, l.as_bytes(), &mut records)
            .unwrap();
        rows.push(
            transformer
                .sanitize(&records[0], &source, &mut workspace)
                .unwrap(),
        );
    }
    report("parse + sanitize", mb, rows.len(), start);

    let start = Instant::now();
    let mut kept = 0;
    for chunk in rows.chunks(8192) {
        kept += to_batch(chunk).num_rows();
    }
    let secs_batch = start.elapsed().as_secs_f64();
    println!(
        "| Arrow batches alone | {:.0} | {:.0} |",
        mb / secs_batch,
        kept as f64 / secs_batch
    );
}
