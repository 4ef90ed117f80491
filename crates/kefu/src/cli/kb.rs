//! `kefu kb import|export`: the knowledge base as JSONL or CSV files. Import is all or
//! nothing: every bad row is reported with its line number and nothing is saved; importing
//! the same file twice creates no new versions.

use crate::config::Config;
use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use kefu_service::Core;
use kefu_service::kb::{self, KbFormat};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

impl From<Format> for KbFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Jsonl => KbFormat::Jsonl,
            Format::Csv => KbFormat::Csv,
        }
    }
}

fn guess(path: &std::path::Path, format: Option<Format>) -> Format {
    format.unwrap_or_else(|| match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => Format::Csv,
        _ => Format::Jsonl,
    })
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Import articles (JSONL or CSV by extension, or --format); published unless --draft.
    Import {
        file: PathBuf,
        #[arg(long)]
        format: Option<Format>,
        /// Save as new draft versions without publishing them.
        #[arg(long)]
        draft: bool,
    },
    /// Export the latest version of every article.
    Export {
        #[arg(long, default_value = "jsonl")]
        format: Format,
        /// Write to a file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub async fn run(config: Config, command: KbCommand) -> anyhow::Result<()> {
    let store = kefu_store::open(&config.database.url)
        .await
        .context("cannot open the database")?;
    if let Some(report) =
        kefu_service::seed::seed_defaults(store.as_ref(), jiff::Timestamp::now()).await?
    {
        super::serve::print_first_start(&report);
    }
    let state = Core::new(store, config.settings()?).await?;
    match command {
        KbCommand::Import {
            file,
            format,
            draft,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let codes: Vec<String> = state
                .catalogue()
                .categories
                .iter()
                .map(|c| c.code.to_string())
                .collect();
            let drafts = match kb::parse(&text, guess(&file, format).into(), &codes) {
                Ok(d) => d,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}:{}: {}", file.display(), e.line, e.message);
                    }
                    bail!(
                        "{} bad row(s) in {}; nothing was imported",
                        errors.len(),
                        file.display()
                    );
                }
            };
            let n = drafts.len();
            let report = kb::save(&state, drafts, !draft, None).await?;
            println!(
                "{n} rows: {} created, {} new versions, {} unchanged, {} published",
                report.created, report.new_versions, report.unchanged, report.published
            );
        }
        KbCommand::Export { format, output } => {
            let articles = state.store.articles(false).await?;
            let text = kb::export(&articles, format.into()).map_err(anyhow::Error::msg)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("exported {} articles to {}", articles.len(), path.display());
                }
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}
