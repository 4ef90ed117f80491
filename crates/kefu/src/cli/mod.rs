//! The command line: one subcommand per file.

pub mod admin;
pub mod bot;
pub mod kb;
pub mod serve;
pub mod simulate;
pub mod staffing;

use crate::config::{Config, EXAMPLE};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

use kefu_service::kb::DEFAULT_KB;

/// kefu (客服): a 24/7 customer-service platform in one binary.
#[derive(Debug, Parser)]
#[command(name = "kefu", version, about)]
pub struct Cli {
    /// Configuration file (TOML); also KEFU_CONFIG.
    #[arg(long, global = true, env = "KEFU_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by commands that open the database.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// SQLite directory or file, or a postgres:// URL (overrides KEFU_DATABASE_URL).
    #[arg(long, global = true)]
    pub database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and apply migrations, and seed a new database).
    Serve {
        /// Address to listen on (overrides KEFU_LISTEN).
        #[arg(long)]
        listen: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Manage staff accounts and API keys.
    Admin {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// The FAQ bot offline: ask one question, or rank a file of queries.
    Bot {
        #[command(subcommand)]
        command: bot::BotCommand,
    },
    /// Import or export the knowledge base (JSONL or CSV).
    Kb {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(subcommand)]
        command: kb::KbCommand,
    },
    /// Agents needed for a service level (Erlang C).
    Staffing(staffing::StaffingArgs),
    /// Simulate a day of traffic against a roster and routing policy.
    Simulate(simulate::SimulateArgs),
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file with every default.
    Example,
    /// Load and validate the configuration, then print it as TOML (secrets hidden).
    Check,
}

fn load(
    cli_config: Option<&PathBuf>,
    listen: Option<&str>,
    database: Option<&str>,
) -> anyhow::Result<Config> {
    Config::load(
        cli_config.map(PathBuf::as_path),
        |k| std::env::var(k).ok(),
        listen,
        database,
    )
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { listen, db } => {
            let config = load(
                cli.config.as_ref(),
                listen.as_deref(),
                db.database.as_deref(),
            )?;
            runtime()?.block_on(serve::run(config))
        }
        Command::Migrate { db } => {
            let config = load(cli.config.as_ref(), None, db.database.as_deref())?;
            runtime()?.block_on(async {
                kefu_store::open(&config.database.url).await?;
                println!(
                    "migrations applied to {}",
                    crate::config::redact_url(&config.database.url)
                );
                Ok(())
            })
        }
        Command::Admin { db, command } => {
            let config = load(cli.config.as_ref(), None, db.database.as_deref())?;
            runtime()?.block_on(admin::run(config, command))
        }
        Command::Kb { db, command } => {
            let config = load(cli.config.as_ref(), None, db.database.as_deref())?;
            runtime()?.block_on(kb::run(config, command))
        }
        Command::Bot { command } => bot::run(command, DEFAULT_KB),
        Command::Staffing(args) => staffing::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Config {
            command: ConfigCommand::Example,
        } => {
            print!("{EXAMPLE}");
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let config = load(cli.config.as_ref(), None, None)?;
            println!("{}", config.to_toml()?.trim_end());
            Ok(())
        }
    }
}
