//! The bot's first turn of a new conversation, as bot-first intake runs it
//! (`kefu_service::bot::first_turn` calls `Bot::respond` with an empty state), over the
//! knowledge base kefu ships (`crates/kefu-service/data/default-kb.jsonl`) and the semantic
//! model it ships (`crates/kefu/data/kefu-bot-model.bin`, or `KEFU_BOT_MODEL=FILE`):
//! `cargo bench -p kefu-bot --bench first_turn`.
//!
//! One iteration answers each of the 210 queries of `benches/data/first_turns.txt` once
//! (written for this bench: colloquial, short, traditional, typos, English, small talk,
//! requests for a person, out of scope; none from botbench), so the time per turn is the
//! reported time divided by 210 (criterion prints it as elements/s).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kefu_bot::{Bot, ConversationState, FaqEntry, SemanticModel};

const KB: &str = include_str!("../../kefu-service/data/default-kb.jsonl");
const QUERIES: &str = include_str!("data/first_turns.txt");

fn entries() -> Vec<FaqEntry> {
    KB.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("default KB: {e}")))
        .collect()
}

fn model() -> Arc<SemanticModel> {
    let path = std::env::var("KEFU_BOT_MODEL").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../kefu/data/kefu-bot-model.bin"
        )
        .to_owned()
    });
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Arc::new(SemanticModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("bad model: {e}")))
}

fn bench(c: &mut Criterion) {
    let queries: Vec<&str> = QUERIES.lines().filter(|l| !l.trim().is_empty()).collect();
    let bots = [
        (
            "with_model",
            Bot::with_model(entries(), Some(model())).unwrap_or_else(|e| panic!("{e}")),
        ),
        (
            "lexical",
            Bot::new(entries()).unwrap_or_else(|e| panic!("{e}")),
        ),
    ];
    let mut group = c.benchmark_group("first_turn");
    group.throughput(Throughput::Elements(queries.len() as u64));
    let start = ConversationState::default();
    for (name, bot) in &bots {
        group.bench_function(*name, |b| {
            b.iter(|| {
                for q in &queries {
                    black_box(bot.respond(black_box(q), &start));
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
