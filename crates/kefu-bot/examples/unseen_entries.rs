//! How the semantic model copes with entries it never saw (a newly published article whose
//! words may be missing from its vocabulary): Recall@1/@3 on a leave-entries-out split of a
//! knowledge base, never on benchmark queries.
//!
//! `build_model.py --exclude-every K --exclude-fold F --out FOLD.bin` trains a model without
//! any phrasing of every K-th entry and lists those entries in `excluded.txt`; then
//! `cargo run -p kefu-bot --release --example unseen_entries -- KB.jsonl excluded.txt FOLD.bin [FULL.bin]`
//! queries each similar phrasing (Chinese and English) of the excluded entries against the
//! whole knowledge base with that one phrasing removed (leave one phrasing out), and prints
//! the lexical bot, the bot with the fold's model (the entry unseen) and, if given, the bot
//! with the full model (the entry seen, for comparison).

use std::sync::Arc;

use kefu_bot::{Bot, FaqEntry, SemanticModel};

fn load_model(path: &str) -> Result<Arc<SemanticModel>, Box<dyn std::error::Error>> {
    Ok(Arc::new(SemanticModel::from_bytes(&std::fs::read(path)?)?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (kb, excluded, fold, full) = match args.as_slice() {
        [_, kb, excluded, fold] => (kb, excluded, fold, None),
        [_, kb, excluded, fold, full] => (kb, excluded, fold, Some(full)),
        _ => {
            return Err(
                "usage: unseen_entries KB.jsonl EXCLUDED.txt FOLD_MODEL.bin [FULL_MODEL.bin]"
                    .into(),
            );
        }
    };
    let entries: Vec<FaqEntry> = std::fs::read_to_string(kb)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let excluded: Vec<String> = std::fs::read_to_string(excluded)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let mut configs: Vec<(&str, Option<Arc<SemanticModel>>)> = vec![
        ("lexical", None),
        ("model, entry unseen", Some(load_model(fold)?)),
    ];
    if let Some(full) = full {
        configs.push(("model, entry seen", Some(load_model(full)?)));
    }
    let mut hits = vec![(0usize, 0usize); configs.len()];
    let mut queries = 0usize;
    for (at, entry) in entries.iter().enumerate() {
        if !excluded.contains(&entry.id) {
            continue;
        }
        let phrasings = entry.similar.len() + entry.similar_en.len();
        for k in 0..phrasings {
            let mut kb = entries.clone();
            let query = if k < entry.similar.len() {
                kb[at].similar.remove(k)
            } else {
                kb[at].similar_en.remove(k - entry.similar.len())
            };
            queries += 1;
            for ((_, model), hit) in configs.iter().zip(hits.iter_mut()) {
                let bot = Bot::with_model(kb.clone(), model.clone())?;
                let ranked = bot.similarities(&query, 3);
                hit.0 += usize::from(ranked.first().is_some_and(|r| r.id == entry.id));
                hit.1 += usize::from(ranked.iter().any(|r| r.id == entry.id));
            }
        }
    }
    println!(
        "{} entries left out of the model, {queries} queries (their phrasings, one left out at a time)",
        excluded.len()
    );
    let n = queries.max(1) as f64;
    for ((name, _), (r1, r3)) in configs.iter().zip(&hits) {
        println!(
            "{name:22} recall@1 {:5.1}  recall@3 {:5.1}",
            100.0 * *r1 as f64 / n,
            100.0 * *r3 as f64 / n
        );
    }
    Ok(())
}
