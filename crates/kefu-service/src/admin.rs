//! Staff accounts, sessions, teams, categories and API keys.

use super::validate::Checks;
use crate::audit::{self, AuditActor};
use crate::caller::Caller;
use crate::core::Core;
use crate::credentials::{hash_password, new_token, token_hash, verify_password};
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::login_guard::LoginGuard;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{
    Agent, AgentId, AgentRole, ApiKeyId, Category, CategoryCode, Channel, Skill, TeamId,
};
use kefu_store::{
    AgentPatch, Credential, CredentialKind, NewAgent, NewCredential, NewTeam, Store, StoreError,
};
use std::net::IpAddr;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A new session token for a staff member who proved their password.
pub struct Session {
    pub token: String,
    pub agent: Agent,
    pub expires_at: Timestamp,
}

/// Logs in with e-mail and password. Unknown e-mail and wrong password look the same.
/// Failures are counted per account and per `client` address (when known) by `guard`,
/// which delays, locks (`account_locked`) and bounds the hashing done at once.
pub async fn login(
    state: &Core,
    guard: &LoginGuard,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
) -> ServiceResult<Session> {
    // Checked before any database read, whichever entry point called.
    let mut c = Checks::default();
    c.text("email", email, 1, 254);
    c.finish()?;
    let delay = guard.admit(email, client)?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let found = state.store.agent_login(email.trim()).await?;
    let known = found.as_ref().map(|(agent, _)| agent.id);
    // Hash even when the account is missing, so timing does not reveal which e-mails exist.
    let (agent, phc) = match found {
        Some((agent, Some(phc))) if agent.active => (Some(agent), phc),
        _ => (None, DUMMY_HASH.to_owned()),
    };
    let password = password.to_owned();
    let slot = guard.hashing_slot().await?;
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(ServiceError::internal)?;
    drop(slot);
    let Some(agent) = agent.filter(|_| verified) else {
        if let Some(lock) = guard.failed(email, client, known)? {
            let subject = known.map(|id| format!("agent:{}", id.0));
            let detail = serde_json::json!({ "account_known": known.is_some() });
            audit::record(
                state,
                audit::entry_by(AuditActor::System, "auth.locked", subject, detail),
            )
            .await;
            return Err(lock);
        }
        return Err(ServiceError::new(
            ErrorCode::InvalidCredentials,
            "E-mail or password is wrong.",
        ));
    };
    guard.succeeded(email);
    let now = Timestamp::now();
    let ttl =
        SignedDuration::try_from(state.settings.session_ttl).map_err(ServiceError::internal)?;
    let expires_at = now.checked_add(ttl).map_err(ServiceError::internal)?;
    let token = new_token("kefu_s_");
    state
        .store
        .create_credential(NewCredential {
            kind: CredentialKind::Session,
            token_hash: token_hash(&token),
            agent_id: Some(agent.id),
            channel: None,
            name: "login".into(),
            at: now,
            expires_at: Some(expires_at),
        })
        .await?;
    Ok(Session {
        token,
        agent,
        expires_at,
    })
}

/// A valid argon2 hash of a random string, checked against when the account does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zr3aDkQ3K0bWZzW0kV4mZ0pNw2m3v5Wc7h2cJ1Q5m9E";

/// Revokes a credential and forgets cached principals (admins).
pub async fn revoke(state: &Core, caller: &Caller, id: ApiKeyId) -> ServiceResult<()> {
    caller.require(AgentRole::Admin)?;
    // Only API keys: a login session's credential id is not a key to revoke here.
    let keys = state.store.list_credentials(CredentialKind::ApiKey).await?;
    if !keys.iter().any(|k| k.id == id) {
        return Err(ServiceError::new(
            ErrorCode::ApiKeyNotFound,
            format!("No API key {id}."),
        ));
    }
    let row = audit::entry(
        caller,
        "api_key.revoked",
        Some(format!("api_key:{}", id.0)),
        serde_json::json!({}),
    );
    state
        .store
        .revoke_credential_audited(id, Timestamp::now().as_millisecond(), audit::one(row))
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ServiceError::new(ErrorCode::ApiKeyNotFound, format!("No API key {id}."))
            }
            other => other.into(),
        })?;
    state.principals.clear();
    Ok(())
}

/// Input for a new staff account.
pub struct AgentInput<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub team_id: Option<i64>,
    pub password: Option<&'a str>,
    pub skills: Vec<Skill>,
    pub chat_capacity: Option<u16>,
}

/// Validated skills: `category:<known code>` or `lang:<tag>`, level 1–5.
pub fn check_skills(c: &mut Checks, skills: &[Skill], catalogue: &crate::core::Catalogue) {
    for (i, s) in skills.iter().enumerate() {
        let field = format!("skills[{i}]");
        let ok = match s.name.split_once(':') {
            Some(("category", code)) => catalogue.has_category(code),
            Some(("lang", tag)) => !tag.is_empty() && tag.len() <= 35,
            _ => false,
        };
        if !ok {
            c.fail(
                &format!("{field}.name"),
                "must be category:<known code> or lang:<tag>",
            );
        }
        if !(1..=5).contains(&s.level) {
            c.fail(&format!("{field}.level"), "must be from 1 to 5");
        }
    }
}

fn check_password(c: &mut Checks, field: &str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        c.fail(
            field,
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        );
    } else if password.chars().count() > 200 {
        c.fail(field, "must have at most 200 characters");
    }
}

async fn check_team(store: &dyn Store, team: Option<i64>) -> ServiceResult<Option<TeamId>> {
    let Some(id) = team else { return Ok(None) };
    if store.list_teams().await?.iter().any(|t| t.id.0 == id) {
        Ok(Some(TeamId(id)))
    } else {
        Err(ServiceError::field("team_id", "no such team"))
    }
}

/// Creates a staff account; returns it and the generated password when none was given.
pub async fn create_agent(
    state: &Core,
    caller: &Caller,
    input: AgentInput<'_>,
) -> ServiceResult<(Agent, Option<String>)> {
    caller.require(AgentRole::Admin)?;
    let mut c = Checks::default();
    let email = c.email("email", input.email);
    let display_name = c.text("display_name", input.display_name, 1, 100);
    let role = input
        .role
        .parse::<AgentRole>()
        .map_err(|e| ServiceError::field("role", e.to_string()));
    if let Some(p) = input.password {
        check_password(&mut c, "password", p);
    }
    if input.chat_capacity.is_some_and(|n| n == 0 || n > 50) {
        c.fail("chat_capacity", "must be from 1 to 50");
    }
    check_skills(&mut c, &input.skills, &state.catalogue());
    c.finish()?;
    let role = role?;
    let team_id = check_team(state.store.as_ref(), input.team_id).await?;
    let generated = input
        .password
        .is_none()
        .then(crate::credentials::random_password);
    let password = input
        .password
        .map(str::to_owned)
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let phc = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ServiceError::internal)?
        .map_err(ServiceError::internal)?;
    let created = audit::agent_created(caller);
    let agent = state
        .store
        .create_agent_audited(
            NewAgent {
                email,
                display_name,
                role,
                team_id,
                password_hash: Some(phc),
                skills: input.skills,
                chat_capacity: input.chat_capacity.unwrap_or(5),
                at: Timestamp::now(),
            },
            created,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ServiceError::new(ErrorCode::Duplicate, "An account with this e-mail exists.")
                    .with_field("email")
            }
            other => other.into(),
        })?;
    state.forget_staff_snapshot();
    Ok((agent, generated))
}

/// Changes to a staff account from an admin (`None`: unchanged; the default changes nothing).
#[derive(Default)]
pub struct AgentChanges<'a> {
    pub display_name: Option<&'a str>,
    pub role: Option<&'a str>,
    pub team_id: Option<Option<i64>>,
    pub password: Option<&'a str>,
    pub skills: Option<Vec<Skill>>,
    pub chat_capacity: Option<u16>,
    pub active: Option<bool>,
}

/// Updates a staff account (admins; supervisors may change only skills, e.g. certify an
/// agent in a domain). A new password or a deactivation ends every session of the account.
pub async fn update_agent(
    state: &Core,
    caller: &Caller,
    id: AgentId,
    ch: AgentChanges<'_>,
) -> ServiceResult<Agent> {
    let only_skills = ch.display_name.is_none()
        && ch.role.is_none()
        && ch.team_id.is_none()
        && ch.password.is_none()
        && ch.chat_capacity.is_none()
        && ch.active.is_none();
    caller.require(if only_skills {
        AgentRole::Supervisor
    } else {
        AgentRole::Admin
    })?;
    let mut c = Checks::default();
    let display_name = ch.display_name.map(|n| c.text("display_name", n, 1, 100));
    let role = match ch.role.map(str::parse::<AgentRole>) {
        Some(Err(e)) => {
            c.fail("role", e.to_string());
            None
        }
        Some(Ok(r)) => Some(r),
        None => None,
    };
    if let Some(p) = ch.password {
        check_password(&mut c, "password", p);
    }
    if ch.chat_capacity.is_some_and(|n| n == 0 || n > 50) {
        c.fail("chat_capacity", "must be from 1 to 50");
    }
    if let Some(skills) = &ch.skills {
        check_skills(&mut c, skills, &state.catalogue());
    }
    c.finish()?;
    let team_id = match ch.team_id {
        Some(t) => Some(check_team(state.store.as_ref(), t).await?),
        None => None,
    };
    let password_hash = match ch.password {
        Some(p) => {
            let p = p.to_owned();
            Some(
                tokio::task::spawn_blocking(move || hash_password(&p))
                    .await
                    .map_err(ServiceError::internal)?
                    .map_err(ServiceError::internal)?,
            )
        }
        None => None,
    };
    let ends_sessions = password_hash.is_some() || ch.active == Some(false);
    let patch = AgentPatch {
        id,
        display_name,
        role,
        team_id,
        password_hash,
        skills: ch.skills,
        chat_capacity: ch.chat_capacity,
        active: ch.active,
    };
    let row = audit::entry(
        caller,
        "agent.updated",
        Some(format!("agent:{}", id.0)),
        audit::agent_changes(&patch),
    );
    let agent = state
        .store
        .update_agent_audited(patch, audit::one(row))
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ServiceError::new(ErrorCode::AgentNotFound, format!("No agent {id}."))
            }
            other => other.into(),
        })?;
    if ends_sessions {
        // For good: a later reactivation must not bring old tokens back.
        let revoked = state
            .store
            .revoke_sessions(id, Timestamp::now().as_millisecond())
            .await?;
        tracing::info!(
            agent.id = id.0,
            sessions = revoked,
            "sessions of an agent revoked"
        );
        let detail = serde_json::json!({ "sessions": revoked });
        let subject = Some(format!("agent:{}", id.0));
        audit::record(
            state,
            audit::entry(caller, "agent.sessions_revoked", subject, detail),
        )
        .await;
    }
    // Role or activity may have changed: cached principals must be looked up again, and
    // the skills the team has (the starving-skill check) read afresh.
    state.principals.clear();
    state.forget_staff_snapshot();
    Ok(agent)
}

pub async fn create_team(
    state: &Core,
    caller: &Caller,
    code: &str,
    name: &str,
    specialist: bool,
) -> ServiceResult<kefu_domain::Team> {
    caller.require(AgentRole::Admin)?;
    let mut c = Checks::default();
    if CategoryCode::parse(code).is_err() {
        c.fail(
            "code",
            "must be 2–40 characters of a–z, 0–9 and _, starting with a letter",
        );
    }
    let name = c.text("name", name, 1, 100);
    c.finish()?;
    let team = state
        .store
        .create_team(NewTeam {
            code: code.to_owned(),
            name,
            specialist,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ServiceError::new(ErrorCode::Duplicate, "A team with this code exists.")
                    .with_field("code")
            }
            other => other.into(),
        })?;
    let detail = serde_json::json!({ "code": team.code, "specialist": team.specialist });
    audit::record(
        state,
        audit::entry(
            caller,
            "team.created",
            Some(format!("team:{}", team.id.0)),
            detail,
        ),
    )
    .await;
    Ok(team)
}

/// A category as an admin writes it.
pub struct CategoryInput<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub specialist_team: Option<&'a str>,
    pub always_human: bool,
    pub requires_certification: bool,
}

/// Creates or changes a category of the catalogue (admins).
pub async fn upsert_category(
    state: &Core,
    caller: &Caller,
    input: CategoryInput<'_>,
) -> ServiceResult<Category> {
    caller.require(AgentRole::Admin)?;
    let CategoryInput {
        code,
        name_zh,
        name_en,
        specialist_team,
        always_human,
        requires_certification,
    } = input;
    let mut c = Checks::default();
    let code = CategoryCode::parse(code).map_err(|e| ServiceError::field("code", e.to_string()))?;
    let name_zh = c.text("name_zh", name_zh, 1, 50);
    let name_en = c.text("name_en", name_en, 1, 100);
    if let Some(team) = specialist_team {
        let teams = state.store.list_teams().await?;
        if !teams.iter().any(|t| t.code == team) {
            c.fail("specialist_team", "no team with this code");
        }
    }
    c.finish()?;
    let cat = state
        .store
        .upsert_category(Category {
            code,
            name_zh,
            name_en,
            specialist_team: specialist_team.map(str::to_owned),
            always_human,
            requires_certification,
        })
        .await?;
    let detail = serde_json::json!({
        "specialist_team": cat.specialist_team, "always_human": cat.always_human,
        "requires_certification": cat.requires_certification,
    });
    audit::record(
        state,
        audit::entry(
            caller,
            "category.changed",
            Some(format!("category:{}", cat.code.as_str())),
            detail,
        ),
    )
    .await;
    state.reload_catalogue().await?;
    Ok(cat)
}

/// Creates an API key, for a channel integration or acting as a staff member. The token is
/// returned this once.
pub async fn create_api_key(
    state: &Core,
    caller: &Caller,
    name: &str,
    channel: Option<&str>,
    agent_id: Option<i64>,
) -> ServiceResult<(Credential, String)> {
    caller.require(AgentRole::Admin)?;
    let mut c = Checks::default();
    let name = c.text("name", name, 1, 100);
    let channel = match channel.map(str::parse::<Channel>) {
        Some(Err(e)) => {
            c.fail("channel", e.to_string());
            None
        }
        Some(Ok(ch)) => Some(ch),
        None => None,
    };
    if channel.is_some() && agent_id.is_some() {
        c.fail(
            "agent_id",
            "a key speaks either for a channel or for a staff member, not both",
        );
    }
    c.finish()?;
    if let Some(id) = agent_id {
        state
            .store
            .agent(AgentId(id))
            .await
            .map_err(|_| ServiceError::field("agent_id", "no such agent"))?;
    }
    let token = new_token("kefu_k_");
    let created = audit::api_key_created(caller);
    let cred = state
        .store
        .create_credential_audited(
            NewCredential {
                kind: CredentialKind::ApiKey,
                token_hash: token_hash(&token),
                agent_id: agent_id.map(AgentId),
                channel,
                name,
                at: Timestamp::now(),
                expires_at: None,
            },
            created,
        )
        .await?;
    Ok((cred, token))
}

/// Every staff account (supervisors and admins).
pub async fn list_agents(core: &Core, caller: &Caller) -> ServiceResult<Vec<Agent>> {
    caller.require(AgentRole::Supervisor)?;
    Ok(core.store.list_agents().await?)
}

/// The active staff accounts, for reads that name or count people (no authorization: the
/// caller's use-case decided that).
pub(crate) async fn active_agents(core: &Core) -> ServiceResult<Vec<Agent>> {
    let mut all = core.store.list_agents().await?;
    all.retain(|a| a.active);
    Ok(all)
}

/// The caller's own account.
pub async fn current_agent(core: &Core, caller: &Caller) -> ServiceResult<Agent> {
    let staff = caller.staff()?;
    Ok(core.store.agent(staff.agent_id).await?)
}

/// Every team (any staff).
pub async fn list_teams(core: &Core, caller: &Caller) -> ServiceResult<Vec<kefu_domain::Team>> {
    caller.require(AgentRole::Agent)?;
    Ok(core.store.list_teams().await?)
}

/// The catalogue's categories (any staff).
pub async fn list_categories(core: &Core, caller: &Caller) -> ServiceResult<Vec<Category>> {
    caller.require(AgentRole::Agent)?;
    Ok(core.catalogue().categories)
}

/// Every API key, revoked ones included (admins).
pub async fn list_api_keys(core: &Core, caller: &Caller) -> ServiceResult<Vec<Credential>> {
    caller.require(AgentRole::Admin)?;
    Ok(core.store.list_credentials(CredentialKind::ApiKey).await?)
}

/// Ends a session (the caller's own).
pub async fn logout(core: &Core, caller: &Caller) -> ServiceResult<()> {
    let staff = caller.staff()?;
    core.store
        .revoke_credential(staff.credential, Timestamp::now().as_millisecond())
        .await?;
    core.principals.clear();
    Ok(())
}
