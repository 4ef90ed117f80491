//! `kefu admin …`: staff accounts and API keys, straight on the database (no server needed).

use crate::config::Config;
use anyhow::{Context, bail};
use clap::Subcommand;
use kefu_domain::{AgentId, ApiKeyId};
use kefu_service::admin::{self as svc, AgentChanges, AgentInput};
use kefu_service::seed;
use kefu_service::{Caller, Core};
use kefu_store::CredentialKind;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account; prints a generated password unless --password-stdin is given.
    CreateAgent {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agent, specialist, supervisor or admin.
        #[arg(long, default_value = "agent")]
        role: String,
        /// Team code (e.g. frontline, account_security).
        #[arg(long)]
        team: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts.
    ListAgents,
    /// Give an account a new generated password (printed once).
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Deactivate an account (its sessions stop working).
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Create an API key for a channel (in_app, web_form, social, email, api) or acting as a
    /// staff member; prints the token once.
    CreateApiKey {
        #[arg(long)]
        name: String,
        #[arg(long, conflicts_with = "agent_email")]
        channel: Option<String>,
        #[arg(long)]
        agent_email: Option<String>,
    },
    /// List API keys.
    ListApiKeys,
    /// Revoke an API key by id.
    RevokeApiKey { id: i64 },
}

async fn agent_by_email(state: &Core, email: &str) -> anyhow::Result<kefu_domain::Agent> {
    match state.store.agent_login(email).await? {
        Some((agent, _)) => Ok(agent),
        None => bail!("--email: no account {email}"),
    }
}

/// Turns an API problem into a CLI error naming the field.
fn cli_error(e: kefu_service::ServiceError) -> anyhow::Error {
    match e.errors.first() {
        Some(f) => anyhow::anyhow!("--{}: {}", f.field.replace('_', "-"), f.message),
        None => anyhow::anyhow!("{}", e.detail),
    }
}

pub async fn run(config: Config, command: AdminCommand) -> anyhow::Result<()> {
    let store = kefu_store::open(&config.database.url)
        .await
        .context("cannot open the database")?;
    if let Some(report) = seed::seed_defaults(store.as_ref(), jiff::Timestamp::now()).await? {
        super::serve::print_first_start(&report);
    }
    let state = Core::new(store, config.settings()?).await?;
    match command {
        AdminCommand::CreateAgent {
            email,
            name,
            role,
            team,
            password_stdin,
        } => {
            let team_id = match team {
                Some(code) => Some(
                    state
                        .store
                        .list_teams()
                        .await?
                        .into_iter()
                        .find(|t| t.code == code)
                        .map(|t| t.id.0)
                        .ok_or_else(|| anyhow::anyhow!("--team: no team with code {code}"))?,
                ),
                None => None,
            };
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let input = AgentInput {
                email: &email,
                display_name: &name,
                role: &role,
                team_id,
                password: password.as_deref(),
                skills: vec![],
                chat_capacity: None,
            };
            let (agent, generated) = svc::create_agent(&state, &Caller::System, input)
                .await
                .map_err(cli_error)?;
            println!("created {} #{} ({})", agent.role, agent.id, agent.email);
            if let Some(p) = generated {
                println!("password (shown once): {p}");
            }
        }
        AdminCommand::ListAgents => {
            for a in state.store.list_agents().await? {
                let active = if a.active { "" } else { "  (deactivated)" };
                println!(
                    "#{:<4} {:<11} {:<28} {}{active}",
                    a.id, a.role, a.email, a.display_name
                );
            }
        }
        AdminCommand::ResetPassword { email } => {
            let agent = agent_by_email(&state, &email).await?;
            let password = kefu_service::credentials::random_password();
            let changes = AgentChanges {
                display_name: None,
                role: None,
                team_id: None,
                password: Some(&password),
                skills: None,
                chat_capacity: None,
                active: None,
            };
            svc::update_agent(&state, &Caller::System, agent.id, changes)
                .await
                .map_err(cli_error)?;
            println!("new password for {email} (shown once): {password}");
        }
        AdminCommand::Deactivate { email } => {
            let agent = agent_by_email(&state, &email).await?;
            let changes = AgentChanges {
                active: Some(false),
                ..AgentChanges::default()
            };
            svc::update_agent(&state, &Caller::System, AgentId(agent.id.0), changes)
                .await
                .map_err(cli_error)?;
            println!("deactivated {email}");
        }
        AdminCommand::CreateApiKey {
            name,
            channel,
            agent_email,
        } => {
            let agent_id = match agent_email {
                Some(e) => Some(agent_by_email(&state, &e).await?.id.0),
                None => None,
            };
            if channel.is_none() && agent_id.is_none() {
                bail!("--channel or --agent-email: say whom the key speaks for");
            }
            let (key, token) =
                svc::create_api_key(&state, &Caller::System, &name, channel.as_deref(), agent_id)
                    .await
                    .map_err(cli_error)?;
            println!("created API key #{} ({})", key.id, key.name);
            println!("token (shown once): {token}");
        }
        AdminCommand::ListApiKeys => {
            for k in state.store.list_credentials(CredentialKind::ApiKey).await? {
                let whom = k
                    .channel
                    .map(|c| format!("channel {c}"))
                    .or(k.agent_id.map(|a| format!("agent #{a}")))
                    .unwrap_or_default();
                let revoked = if k.revoked_at.is_some() {
                    "  (revoked)"
                } else {
                    ""
                };
                println!("#{:<4} {:<30} {whom}{revoked}", k.id, k.name);
            }
        }
        AdminCommand::RevokeApiKey { id } => {
            svc::revoke(&state, &Caller::System, ApiKeyId(id))
                .await
                .map_err(cli_error)?;
            println!("revoked API key #{id}");
        }
    }
    Ok(())
}
