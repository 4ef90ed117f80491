//! Containment on a labelled question set (issue 9): what the bot does with each question as
//! a customer's first message, per split and per writing style.
//!
//! `cargo run -p kefu-bot --release --example containment -- SET.jsonl KB.jsonl [MODEL.bin] [--misses SPLIT]`
//!
//! SET is JSONL of `{"query","gold_id","kind","style","split"}` (see
//! `data/realistic/README.md`); KB is the knowledge base (the shipped one is
//! `crates/kefu-service/data/default-kb.jsonl`); MODEL is a semantic model file (the one
//! kefu ships is `crates/kefu/data/kefu-bot-model.bin`), omitted or `none` for the lexical
//! bot. The model is read the way `kefu bot --model FILE` reads it. `--misses SPLIT` also
//! lists every question of that split the bot did not settle rightly, with its decision and
//! top three raw similarities (look at the calibrate half only, so the holdout stays unseen).
//! `--grid SPLIT LANG` (LANG `zh` or `en`: the questions written in that language, as
//! `Lang::detect` reads them) sweeps the answer threshold and the margin scale and prints, for
//! each margin scale, the threshold with the most right answers at ≥ 92% (and ≥ 95%) answer
//! precision.

use std::collections::BTreeMap;
use std::sync::Arc;

use kefu_bot::containment::{Case, CaseKind, Tally};
use kefu_bot::decide::Thresholds;
use kefu_bot::{Bot, ConversationState, Decision, FaqEntry, Lang, SemanticModel};

fn jsonl<T: serde::de::DeserializeOwned>(path: &str) -> Result<Vec<T>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for (n, line) in std::fs::read_to_string(path)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", n + 1))?);
    }
    Ok(out)
}

fn row(label: &str, t: &Tally) {
    println!(
        "{label:<24} {:>4} {:>6.1} {:>5.1} {:>6.1} {:>5.1} {:>6.1} {:>6.1} {:>5.1} {:>5.1}   {:>3}/{:<3} {:>3}/{:<3}",
        t.answerable,
        t.answer_rate(),
        t.wrong_rate(),
        t.precision(),
        t.menu_rate(),
        t.unsure_handoff_rate(),
        t.needed_handoff_rate(),
        t.recall1(),
        t.recall3(),
        t.oos_answered,
        t.oos,
        t.person_handed,
        t.person,
    );
}

/// One line for a question the bot did not settle rightly.
fn print_miss(bot: &Bot, case: &Case) {
    let turn = bot.respond(&case.query, &ConversationState::default());
    let settled = match (&turn.decision, case.kind) {
        (Decision::Answer { id, .. }, CaseKind::Answerable) => case.gold_id.as_ref() == Some(id),
        (Decision::Handoff { .. } | Decision::Collect { .. }, CaseKind::Person) => true,
        (Decision::Answer { .. }, _) => false,
        (_, CaseKind::Oos) => true,
        _ => false,
    };
    if settled {
        return;
    }
    let top: Vec<String> = bot
        .similarities(&case.query, 3)
        .iter()
        .map(|r| format!("{}={:.3}", r.id, r.score))
        .collect();
    let what = match &turn.decision {
        Decision::Handoff { reason } | Decision::Collect { reason, .. } => {
            format!("handoff({})", reason.label())
        }
        d => d.kind().to_owned(),
    };
    println!(
        "MISS [{}] {} gold={} -> {what} | {}",
        case.style,
        case.query,
        case.gold_id.as_deref().unwrap_or("-"),
        top.join(" ")
    );
}

/// The best answer threshold for each margin scale on `cases` (most right answers at ≥ 92%,
/// then ≥ 95%, precision), with the suggest threshold kept.
fn sweep(bot: &Bot, lang: Lang, cases: &[&Case]) {
    let base = *bot.thresholds_in(lang);
    println!(
        "grid over {} questions (suggest threshold {})",
        cases.len(),
        base.suggest
    );
    for (floor, scale) in [92.0, 95.0]
        .into_iter()
        .flat_map(|f| [0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3].map(|s| (f, s)))
    {
        let mut best: Option<(f64, Tally)> = None;
        for step in 0..=45 {
            let answer = 0.35 + 0.01 * f64::from(step);
            let t = Tally::of(
                &bot.clone().with_thresholds(
                    lang,
                    Thresholds {
                        answer,
                        margin_scale: scale,
                        ..base
                    },
                ),
                cases.iter().copied(),
            );
            if t.precision() >= floor && best.is_none_or(|(_, b)| t.right > b.right) {
                best = Some((answer, t));
            }
        }
        if let Some((answer, t)) = best {
            println!(
                "precision >= {floor}: scale {scale:.3}: answer {answer:.2} -> right {} wrong {} oos {} ({:.1}% of answerable, precision {:.1}%)",
                t.right,
                t.wrong,
                t.oos_answered + t.person_answered,
                t.answer_rate(),
                t.precision()
            );
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().collect();
    let misses = match args.iter().position(|a| a == "--misses") {
        Some(at) if at + 1 < args.len() => {
            let split = args.remove(at + 1);
            args.remove(at);
            Some(split)
        }
        Some(_) => return Err("--misses needs a split name".into()),
        None => None,
    };
    let grid = match args.iter().position(|a| a == "--grid") {
        Some(at) if at + 2 < args.len() => {
            let lang = args.remove(at + 2);
            let split = args.remove(at + 1);
            args.remove(at);
            Some((split, lang))
        }
        Some(_) => return Err("--grid needs a split and a language (zh or en)".into()),
        None => None,
    };
    let (set, kb, model) = match args.as_slice() {
        [_, set, kb] => (set, kb, None),
        [_, set, kb, model] if model == "none" => (set, kb, None),
        [_, set, kb, model] => (set, kb, Some(model)),
        _ => return Err("usage: containment SET.jsonl KB.jsonl [MODEL.bin|none]".into()),
    };
    let cases: Vec<Case> = jsonl(set)?;
    let entries: Vec<FaqEntry> = jsonl(kb)?;
    let model = match model {
        Some(path) => Some(Arc::new(SemanticModel::from_bytes(&std::fs::read(path)?)?)),
        None => None,
    };
    let bot = Bot::with_model(entries, model)?;
    println!(
        "bot: {}; thresholds {:?}",
        if bot.has_model() {
            "lexical + semantic model"
        } else {
            "lexical"
        },
        bot.thresholds()
    );
    println!(
        "thresholds for English questions {:?}",
        bot.thresholds_in(Lang::En)
    );
    println!(
        "{:<24} {:>4} {:>6} {:>5} {:>6} {:>5} {:>6} {:>6} {:>5} {:>5}   {:>7} {:>7}",
        "split / style",
        "n",
        "right%",
        "wrng%",
        "prec%",
        "menu%",
        "hoUns%",
        "hoNeed%",
        "R@1",
        "R@3",
        "oosAns",
        "person"
    );
    let mut splits: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for c in &cases {
        splits.entry(c.split.as_str()).or_default().push(c);
    }
    for (split, cases) in &splits {
        row(split, &Tally::of(&bot, cases.iter().copied()));
        let mut styles: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
        for c in cases.iter().filter(|c| c.gold_id.is_some()) {
            styles.entry(c.style.as_str()).or_default().push(c);
        }
        for (style, cases) in styles {
            row(&format!("  {style}"), &Tally::of(&bot, cases));
        }
    }
    row("all", &Tally::of(&bot, &cases));
    if let Some((split, lang)) = grid {
        let lang = if lang == "en" { Lang::En } else { Lang::Zh };
        let chosen: Vec<&Case> = cases
            .iter()
            .filter(|c| c.split == split && Lang::detect(&c.query).unwrap_or_default() == lang)
            .collect();
        sweep(&bot, lang, &chosen);
    }
    if let Some(split) = misses {
        for c in cases.iter().filter(|c| c.split == split) {
            print_miss(&bot, c);
        }
    }
    println!(
        "right%/wrng%: answerable questions answered outright rightly/wrongly; prec%: right answers over all outright answers (out-of-scope and person requests included); menu%: answerable offered a menu; hoUns%/hoNeed%: answerable handed over as unsure / because a person was asked for, is needed, or the customer is upset; oosAns: out-of-scope answered outright; person: requests for a person handed over"
    );
    Ok(())
}
