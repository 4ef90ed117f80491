//! `kefu bot …`: ask the FAQ bot one question, or rank a file of queries offline. The `rank`
//! line format is a stable contract (DESIGN.md): other tools and the botbench scorer read it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use kefu_bot::{Bot, ConversationState, Decision, FaqEntry, SemanticModel};

/// How many entries `rank` writes per query.
const RANKED_PER_QUERY: usize = 10;
/// How many entries `ask` shows.
const SHOWN_BY_ASK: usize = 5;

/// The `kefu bot` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum BotCommand {
    /// Ask the bot one question and print the decision, the top matches and their scores.
    Ask {
        /// The customer's message.
        question: String,
        /// FAQ JSONL file to use instead of the built-in knowledge base.
        #[arg(long, conflicts_with = "database")]
        kb: Option<PathBuf>,
        /// Answer from this database's published knowledge base (a SQLite directory or a
        /// postgres:// URL), as the server would.
        #[arg(long, env = "KEFU_DATABASE_URL")]
        database: Option<String>,
        /// Semantic model: the built-in one by default, `none` for the lexical bot alone, or
        /// a file built by scripts/semantic/build_model.py.
        #[arg(long, env = "KEFU_BOT_MODEL")]
        model: Option<PathBuf>,
    },
    /// Rank every query of a JSONL file offline against a FAQ JSONL file.
    Rank {
        /// FAQ JSONL: one {"id","question","answer","category"?,"similar"?:[…]} per line.
        #[arg(long)]
        kb: PathBuf,
        /// Queries JSONL: one {"query", …} per line.
        #[arg(long)]
        input: PathBuf,
        /// Output JSONL: each query line plus "ranked" and "decision".
        #[arg(long)]
        output: PathBuf,
        /// Semantic model: the built-in one by default, `none` for the lexical bot alone, or
        /// a file built by scripts/semantic/build_model.py.
        #[arg(long, env = "KEFU_BOT_MODEL")]
        model: Option<PathBuf>,
    },
}

/// Runs a `kefu bot` subcommand; `default_kb` is the JSONL text of the built-in knowledge base.
pub fn run(cmd: BotCommand, default_kb: &str) -> Result<()> {
    match cmd {
        BotCommand::Ask {
            question,
            kb,
            database,
            model,
        } => {
            let model = load_model(model.as_deref())?;
            let bot = match (kb, database) {
                (Some(path), _) => load_bot(&read(&path)?, &path.display().to_string(), model)?,
                (None, Some(url)) => database_bot(&url, model)?,
                (None, None) => load_bot(default_kb, "built-in knowledge base", model)?,
            };
            print!("{}", ask(&bot, &question));
            Ok(())
        }
        BotCommand::Rank {
            kb,
            input,
            output,
            model,
        } => {
            let model = load_model(model.as_deref())?;
            let bot = load_bot(&read(&kb)?, &kb.display().to_string(), model)?;
            let queries = read(&input)?;
            let lines = rank_lines(&bot, &queries, &input.display().to_string())?;
            std::fs::write(&output, lines)
                .with_context(|| format!("cannot write {}", output.display()))?;
            Ok(())
        }
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Parses FAQ JSONL (blank lines skipped); an error names the source, line and field.
pub fn parse_kb(text: &str, source: &str) -> Result<Vec<FaqEntry>> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: FaqEntry = serde_json::from_str(line)
            .with_context(|| format!("{source}:{}: not a valid FAQ entry", n + 1))?;
        entries.push(entry);
    }
    Ok(entries)
}

/// The semantic model `--model` or `KEFU_BOT_MODEL` names: the built-in one when neither is
/// given, none for `none`, else that file (read and validated).
pub fn load_model(path: Option<&Path>) -> Result<Option<Arc<SemanticModel>>> {
    crate::bot_model::load(path)
}

/// The bot over a database's published knowledge base, built as the server builds it.
fn database_bot(url: &str, model: Option<Arc<SemanticModel>>) -> Result<Bot> {
    let shown = crate::config::redact_url(url);
    let is_postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if !is_postgres && !std::path::Path::new(url).exists() {
        bail!("--database: {shown} does not exist");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = kefu_store::open(url)
            .await
            .with_context(|| format!("--database: cannot open {shown}"))?;
        let (bot, _) = kefu_service::bot::build(store.as_ref(), model.as_ref())
            .await
            .with_context(|| format!("--database: cannot read the knowledge base of {shown}"))?;
        if bot.entries().is_empty() {
            bail!(
                "--database: {shown} has no published knowledge base (start `kefu serve` on it once, or `kefu kb import`)"
            );
        }
        Ok(bot)
    })
}

fn load_bot(text: &str, source: &str, model: Option<Arc<SemanticModel>>) -> Result<Bot> {
    Bot::with_model(parse_kb(text, source)?, model)
        .with_context(|| format!("{source}: invalid knowledge base"))
}

/// Ranks every query line of `input` (JSONL) and returns the output JSONL: each line keeps
/// the query's fields and adds `ranked` (best first, up to 10) and `decision`. The whole
/// input is checked before anything is returned, so a bad line never leaves half a file.
pub fn rank_lines(bot: &Bot, input: &str, source: &str) -> Result<String> {
    let fresh = ConversationState::default();
    let mut out = String::with_capacity(input.len() * 4);
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
            .with_context(|| format!("{source}:{}: not a JSON object", n + 1))?;
        let Some(query) = fields.get("query").and_then(serde_json::Value::as_str) else {
            bail!(
                "{source}:{}: field \"query\" is missing or not a string",
                n + 1
            );
        };
        let query = query.to_owned();
        let ranked = bot.rank(&query, RANKED_PER_QUERY);
        let decision = bot.respond(&query, &fresh).decision;
        fields.insert("ranked".to_owned(), serde_json::to_value(&ranked)?);
        fields.insert("decision".to_owned(), decision.kind().into());
        out.push_str(&serde_json::Value::Object(fields).to_string());
        out.push('\n');
    }
    Ok(out)
}

/// The human-readable answer of `kefu bot ask`.
pub fn ask(bot: &Bot, question: &str) -> String {
    let turn = bot.respond(question, &ConversationState::default());
    let mut out = String::new();
    let what = match &turn.decision {
        Decision::Answer { id, score } => format!("answer {id} (score {score:.3})"),
        Decision::Suggest { .. } => "suggest".to_owned(),
        Decision::Handoff { reason } => format!("handoff: {}", reason.label()),
        Decision::Collect { reason, fields } => {
            format!("collect {fields:?} before the handoff: {}", reason.label())
        }
        Decision::SmallTalk { kind } => format!("small talk ({kind:?})"),
    };
    let _ = writeln!(out, "decision: {what}");
    let _ = writeln!(out, "reply: {}", turn.reply);
    let _ = writeln!(out, "top matches:");
    for r in bot.rank(question, SHOWN_BY_ASK) {
        let q = bot.entry(&r.id).map_or("", |e| e.question.as_str());
        let _ = writeln!(out, "  {:.3}  {}  {}", r.score, r.id, q);
    }
    if let Some(summary) = &turn.summary {
        let _ = writeln!(out, "handoff summary:\n{}", summary.to_text());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KB: &str = r#"{"id":"pw","question":"忘记密码怎么办","answer":"点击找回密码"}

{"id":"live","question":"怎么开通直播","answer":"在创作者中心申请","category":"直播","similar":["如何开直播"]}
"#;

    fn bot() -> Bot {
        load_bot(KB, "kb.jsonl", None).unwrap()
    }

    #[test]
    fn rank_keeps_query_fields_and_adds_ranked_and_decision() {
        let out = rank_lines(&bot(), r#"{"qid":"q1","query":"密码忘了怎么办"}"#, "in").unwrap();
        let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(line["qid"], "q1");
        assert_eq!(line["ranked"][0]["id"], "pw");
        assert!(line["ranked"][0]["score"].as_f64().unwrap() > 0.0);
        assert!(["answer", "suggest", "handoff"].contains(&line["decision"].as_str().unwrap()));
    }

    #[test]
    fn a_bad_query_line_is_reported_with_its_line_number() {
        let err = rank_lines(&bot(), "{\"query\":\"a\"}\n{\"qid\":1}\n", "in.jsonl").unwrap_err();
        assert!(
            format!("{err:#}").contains("in.jsonl:2: field \"query\""),
            "{err:#}"
        );
        let err = rank_lines(&bot(), "not json", "in.jsonl").unwrap_err();
        assert!(format!("{err:#}").contains("in.jsonl:1"), "{err:#}");
    }

    #[test]
    fn a_bad_faq_line_is_reported_with_its_line_and_field() {
        let err = parse_kb("{\"id\":\"a\",\"answer\":\"b\"}", "kb.jsonl").unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("kb.jsonl:1") && text.contains("question"),
            "{text}"
        );
        let dup = "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"b\"}\n".repeat(2);
        assert!(load_bot(&dup, "kb.jsonl", None).is_err());
    }

    #[test]
    fn a_missing_or_bad_model_file_is_a_clear_error() {
        assert!(load_model(None).unwrap().is_some());
        assert!(load_model(Some(Path::new("none"))).unwrap().is_none());
        let dir = std::env::temp_dir().join(format!("kefu-bot-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.bin");
        let err = load_model(Some(&missing)).unwrap_err();
        assert!(format!("{err:#}").contains("missing.bin"), "{err:#}");
        let bad = dir.join("bad.bin");
        std::fs::write(&bad, b"not a model").unwrap();
        let err = load_model(Some(&bad)).unwrap_err();
        assert!(format!("{err:#}").contains("magic"), "{err:#}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ask_prints_the_decision_and_top_matches() {
        let text = ask(&bot(), "如何开直播");
        assert!(text.starts_with("decision: "), "{text}");
        assert!(text.contains("live"), "{text}");
    }
}
