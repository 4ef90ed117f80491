//! `kefu simulate --scenario FILE`: runs a day or week of synthetic traffic through the
//! routing engine and prints service level, ASA, abandonment, SLA attainment and occupancy.

use crate::cli::staffing::OutputFormat;
use anyhow::Context as _;
use kefu_routing::simulate::{Scenario, render_table, run as run_scenario};
use std::path::PathBuf;

/// Simulate a scenario (TOML or JSON, chosen by the file extension).
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Scenario file: `.toml` or `.json`.
    #[arg(long)]
    pub scenario: PathBuf,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Reads, validates and runs the scenario, then prints the report.
pub fn run(args: SimulateArgs) -> anyhow::Result<()> {
    let path = &args.scenario;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading scenario {}", path.display()))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let scenario: Scenario = match ext.as_deref() {
        Some("toml") => toml::from_str(&text)
            .with_context(|| format!("parsing TOML scenario {}", path.display()))?,
        Some("json") => serde_json::from_str(&text)
            .with_context(|| format!("parsing JSON scenario {}", path.display()))?,
        _ => anyhow::bail!("scenario {} must end in .toml or .json", path.display()),
    };
    let report =
        run_scenario(&scenario).with_context(|| format!("invalid scenario {}", path.display()))?;
    match args.format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).context("encoding the report")?
        ),
        OutputFormat::Text => print!("{}", render_table(&report)),
    }
    Ok(())
}
