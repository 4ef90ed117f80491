//! Offline ranking, the same contract as `kefu bot rank`:
//! `cargo run -p kefu-bot --release --example rank -- FAQ.jsonl QUERIES.jsonl PRED.jsonl [MODEL.bin]`
//! (with a model file, the semantic score is mixed in).
//! Prints per-query latency (mean, p50 and p99) to stderr.

use std::io::Write;
use std::time::Instant;

use kefu_bot::{Bot, FaqEntry, SemanticModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (kb, input, output, model) = match args.as_slice() {
        [_, kb, input, output] => (kb, input, output, None),
        [_, kb, input, output, model] => (kb, input, output, Some(model)),
        _ => return Err("usage: rank FAQ.jsonl QUERIES.jsonl PRED.jsonl [MODEL.bin]".into()),
    };
    let model = match model {
        Some(path) => Some(std::sync::Arc::new(SemanticModel::from_bytes(
            &std::fs::read(path)?,
        )?)),
        None => None,
    };
    let mut entries = Vec::new();
    for (n, line) in std::fs::read_to_string(kb)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: FaqEntry =
            serde_json::from_str(line).map_err(|e| format!("{kb}:{}: {e}", n + 1))?;
        entries.push(entry);
    }
    let started = Instant::now();
    let bot = Bot::with_model(entries, model)?;
    eprintln!("index built in {:?}", started.elapsed());
    let _ = bot.rank("预热", 1);
    let mut out = std::io::BufWriter::new(std::fs::File::create(output)?);
    let mut times = Vec::new();
    let mut reasons = std::collections::BTreeMap::new();
    for (n, line) in std::fs::read_to_string(input)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut value: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| format!("{input}:{}: {e}", n + 1))?;
        let query = value
            .get("query")
            .and_then(|q| q.as_str())
            .ok_or_else(|| format!("{input}:{}: missing string field \"query\"", n + 1))?
            .to_owned();
        let t = Instant::now();
        let turn = bot.respond(&query, &kefu_bot::ConversationState::default());
        let ranked = bot.rank(&query, 10);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        value.insert("ranked".into(), serde_json::to_value(&ranked)?);
        value.insert("decision".into(), turn.decision.kind().into());
        if let kefu_bot::Decision::Handoff { reason } | kefu_bot::Decision::Collect { reason, .. } =
            &turn.decision
        {
            *reasons.entry(format!("{reason:?}")).or_insert(0usize) += 1;
        }
        writeln!(out, "{}", serde_json::Value::Object(value))?;
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let p50 = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let p99 = times.get(times.len() * 99 / 100).copied().unwrap_or(0.0);
    eprintln!("handoff reasons: {reasons:?}");
    eprintln!(
        "{} queries: mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms (respond + rank)",
        times.len()
    );
    Ok(())
}
