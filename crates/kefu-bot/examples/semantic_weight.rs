//! Chooses the semantic mixing weight on held-out phrasings (never benchmark queries):
//! `cargo run -p kefu-bot --release --example semantic_weight -- KB.jsonl HELDOUT.jsonl MODEL.bin`.
//! `build_model.py` writes `kb-train.jsonl` (the default knowledge base without one similar
//! phrasing per entry, which the model never saw) and `heldout.jsonl` (those phrasings, as
//! `{"query","gold_id"}`). Prints Recall@1/@3 for each weight.

use kefu_bot::bot::SEMANTIC;
use kefu_bot::{Bot, FaqEntry, SemanticModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, kb, heldout, model] = args.as_slice() else {
        return Err("usage: semantic_weight KB.jsonl HELDOUT.jsonl MODEL.bin".into());
    };
    let entries: Vec<FaqEntry> = std::fs::read_to_string(kb)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let queries: Vec<serde_json::Value> = std::fs::read_to_string(heldout)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let model = std::sync::Arc::new(SemanticModel::from_bytes(&std::fs::read(model)?)?);
    println!("weight  recall@1  recall@3  ({} queries)", queries.len());
    for w in 0..=10 {
        let w = f64::from(w) / 10.0;
        let bot = Bot::with_model_weight(entries.clone(), Some(model.clone()), w, SEMANTIC)?;
        let (mut r1, mut r3) = (0, 0);
        for q in &queries {
            let text = q["query"].as_str().unwrap_or_default();
            let gold = q["gold_id"].as_str().unwrap_or_default();
            let ranked = bot.similarities(text, 3);
            r1 += usize::from(ranked.first().is_some_and(|r| r.id == gold));
            r3 += usize::from(ranked.iter().any(|r| r.id == gold));
        }
        let n = queries.len().max(1) as f64;
        println!(
            "{w:6.1}  {:8.1}  {:8.1}",
            100.0 * r1 as f64 / n,
            100.0 * r3 as f64 / n
        );
    }
    Ok(())
}
