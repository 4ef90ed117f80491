//! `kefu staffing`: agents needed for a service-level target (Erlang C with shrinkage).
//!
//! Stable contract: `kefu staffing --arrivals-per-hour N --aht-seconds S
//! --target-service-level 0.8 --target-answer-seconds 20 [--shrinkage 0.3] [--format json]`.

use anyhow::Context as _;
use kefu_routing::staffing::{StaffingPlan, required_agents};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Agents needed for a service-level target.
#[derive(Debug, clap::Args)]
pub struct StaffingArgs {
    /// Contacts arriving per hour.
    #[arg(long)]
    pub arrivals_per_hour: f64,
    /// Average handle time in seconds.
    #[arg(long)]
    pub aht_seconds: f64,
    /// Fraction to answer within the target time, e.g. 0.8.
    #[arg(long)]
    pub target_service_level: f64,
    /// The target answer time in seconds, e.g. 20.
    #[arg(long)]
    pub target_answer_seconds: f64,
    /// Fraction of paid time not available for contacts (breaks, training), in [0, 1).
    #[arg(long, default_value_t = 0.0)]
    pub shrinkage: f64,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Computes and prints the plan.
pub fn run(args: StaffingArgs) -> anyhow::Result<()> {
    let plan = required_agents(
        args.arrivals_per_hour,
        args.aht_seconds,
        args.target_service_level,
        args.target_answer_seconds,
        args.shrinkage,
    )
    .map_err(|e| anyhow::anyhow!("invalid staffing input: {e}"))?;
    let out = match args.format {
        OutputFormat::Json => serde_json::to_string_pretty(&plan).context("encoding the plan")?,
        OutputFormat::Text => render(&args, &plan),
    };
    println!("{out}");
    Ok(())
}

fn render(args: &StaffingArgs, p: &StaffingPlan) -> String {
    format!(
        "offered load        {:.2} Erlangs ({} contacts/h × {} s)\n\
         agents needed       {}  ({:.1}% answered within {} s, target {:.1}%)\n\
         scheduled agents    {}  (shrinkage {:.0}%)\n\
         average answer      {:.1} s\n\
         occupancy           {:.1}%\n\
         probability to wait {:.1}%",
        p.traffic_erlangs,
        args.arrivals_per_hour,
        args.aht_seconds,
        p.agents,
        p.service_level * 100.0,
        args.target_answer_seconds,
        args.target_service_level * 100.0,
        p.scheduled_agents,
        args.shrinkage * 100.0,
        p.asa_seconds,
        p.occupancy * 100.0,
        p.probability_of_waiting * 100.0,
    )
}
