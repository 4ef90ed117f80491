//! The clustering ([`kefu_bot::cluster`]) on a knowledge base's own phrasings: every
//! phrasing (question and similar, Chinese only) of the first `N` entries is a question and
//! its entry is its true group. Prints purity, coverage and the time taken.
//!
//! `cargo run -p kefu-bot --release --example cluster_kb -- KB.jsonl N [MODEL.bin|-] [THRESHOLD]`
//!
//! With a model trained on those same phrasings the figures are optimistic; the lexical run
//! (no model) is the fair one.

use std::sync::Arc;
use std::time::Instant;

use kefu_bot::cluster::{DEFAULT_THRESHOLD, cluster, purity_and_coverage};
use kefu_bot::{FaqEntry, SemanticModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (kb, n, model, threshold) = match args.as_slice() {
        [_, kb, n] => (kb, n, None, DEFAULT_THRESHOLD),
        [_, kb, n, model] => (kb, n, Some(model), DEFAULT_THRESHOLD),
        [_, kb, n, model, t] => (kb, n, Some(model), t.parse()?),
        _ => return Err("usage: cluster_kb KB.jsonl N [MODEL.bin|-] [THRESHOLD]".into()),
    };
    let n: usize = n.parse()?;
    let entries: Vec<FaqEntry> = std::fs::read_to_string(kb)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let model = match model.filter(|m| m.as_str() != "-") {
        Some(path) => Some(Arc::new(SemanticModel::from_bytes(&std::fs::read(path)?)?)),
        None => None,
    };
    let mut questions = Vec::new();
    let mut truth = Vec::new();
    for (g, e) in entries.iter().take(n).enumerate() {
        for p in std::iter::once(&e.question).chain(&e.similar) {
            questions.push(p.as_str());
            truth.push(g);
        }
    }
    let start = Instant::now();
    let clusters = cluster(&questions, model, threshold);
    let took = start.elapsed();
    let (purity, coverage) = purity_and_coverage(&clusters, &truth);
    println!(
        "threshold {threshold}: {} questions from {} entries → {} clusters; purity {purity:.3}, coverage {coverage:.3}; {:.2} s",
        questions.len(),
        entries.len().min(n),
        clusters.len(),
        took.as_secs_f64()
    );
    Ok(())
}
