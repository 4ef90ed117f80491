//! The bot's turns as the service runs them, for checking that a change keeps every decision
//! and for profiling one turn:
//! `cargo run -p kefu-bot --release --example first_turn -- KB.jsonl MODEL.bin|none QUERIES OUT.jsonl`
//!
//! `QUERIES` is a text file (one query a line) or JSONL with a `query` field. For each query
//! it writes one line: the first turn of a new conversation (`respond` with an empty state:
//! decision, reply, state, summary, suggestions), the ranking (`rank`, top 10), and a second
//! turn that answers it with the next query of the file (so follow-ups, menu replies and
//! collected details are exercised too). Scores are written in full; compare two outputs
//! with a tolerance on floats. With `OUT` `-` it only runs each first turn and writes
//! nothing: the workload to profile (`valgrind --tool=callgrind
//! --toggle-collect='*Bot*respond*'` counts the instructions of the turns alone).

use std::io::Write;

use kefu_bot::{Bot, ConversationState, FaqEntry, SemanticModel};
use serde_json::{Value, json};

fn queries(path: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if path.ends_with(".jsonl") {
            let value: Value = serde_json::from_str(line)?;
            let query = value["query"].as_str().ok_or("a line without \"query\"")?;
            out.push(query.to_owned());
        } else {
            out.push(line.to_owned());
        }
    }
    Ok(out)
}

fn turn_json(turn: &kefu_bot::BotTurn) -> Result<Value, serde_json::Error> {
    Ok(json!({
        "decision": serde_json::to_value(&turn.decision)?,
        "reply": turn.reply,
        "state": serde_json::to_value(&turn.state)?,
        "summary": turn.summary.as_ref().map(|s| format!("{s:?}")),
        "missing": format!("{:?}", turn.missing),
        "unanswered": turn.unanswered,
        "suggestions": serde_json::to_value(&turn.suggestions)?,
        "language": format!("{:?}", turn.language),
    }))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, kb, model, input, output] = args.as_slice() else {
        return Err("usage: first_turn KB.jsonl MODEL.bin|none QUERIES OUT.jsonl|-".into());
    };
    let model = match model.as_str() {
        "none" => None,
        path => Some(std::sync::Arc::new(SemanticModel::from_bytes(
            &std::fs::read(path)?,
        )?)),
    };
    let mut entries = Vec::new();
    for line in std::fs::read_to_string(kb)?.lines() {
        if !line.trim().is_empty() {
            entries.push(serde_json::from_str::<FaqEntry>(line)?);
        }
    }
    let bot = Bot::with_model(entries, model)?;
    let queries = queries(input)?;
    if output == "-" {
        for query in &queries {
            std::hint::black_box(bot.respond(query, &ConversationState::default()));
        }
        return Ok(());
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(output)?);
    for (n, query) in queries.iter().enumerate() {
        let first = bot.respond(query, &ConversationState::default());
        let ranked = bot.rank(query, 10);
        let next = &queries[(n + 1) % queries.len()];
        let second = bot.respond(next, &first.state);
        let line = json!({
            "query": query,
            "first": turn_json(&first)?,
            "ranked": serde_json::to_value(&ranked)?,
            "next": next,
            "second": turn_json(&second)?,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
