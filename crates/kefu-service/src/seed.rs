//! First start: the default catalogue, teams, SLA policies, a demo admin and demo agents.
//! Generated passwords and the demo channel key are returned once, for printing; only
//! their hashes are kept.

use crate::credentials::{hash_password, new_token, random_password, token_hash};
use jiff::Timestamp;
use kefu_domain::{AgentRole, Channel, Skill, TeamId, category, sla};
use kefu_store::{
    CredentialKind, NewAgent, NewCredential, NewTeam, SaveArticles, Store, StoreResult,
};
use rand::Rng;

const SEEDED: &str = "seeded_at";
const LOOKUP_SECRET: &str = "lookup_secret";

/// A demo account to create: e-mail, name, role, team and skills.
type DemoAccount = (String, String, AgentRole, Option<TeamId>, Vec<Skill>);

/// What was created on first start, with the secrets shown this one time.
#[derive(Debug, Clone)]
pub struct SeedReport {
    /// `(email, role, password)` of each generated account.
    pub accounts: Vec<(String, AgentRole, String)>,
    /// A demo in-app channel API key.
    pub channel_key: String,
}

/// The deployment's lookup-code secret, created once and shared by every node.
pub async fn lookup_secret(store: &dyn Store) -> StoreResult<Vec<u8>> {
    if let Some(hex) = store.meta(LOOKUP_SECRET).await? {
        return Ok(hex.into_bytes());
    }
    let bytes: [u8; 32] = rand::rng().random();
    let hex = crate::credentials::hex(&bytes);
    store.set_meta(LOOKUP_SECRET, &hex).await?;
    // Another node may have written its own at the same moment: the stored one wins.
    Ok(store.meta(LOOKUP_SECRET).await?.unwrap_or(hex).into_bytes())
}

/// Seeds an empty database; does nothing (returns `None`) when it was seeded before.
pub async fn seed_defaults(store: &dyn Store, now: Timestamp) -> StoreResult<Option<SeedReport>> {
    if store.meta(SEEDED).await?.is_some() {
        return Ok(None);
    }
    for c in category::default_categories() {
        store.upsert_category(c).await?;
    }
    for p in sla::default_policies() {
        store.upsert_sla_policy(p).await?;
    }
    let mut frontline = None;
    let mut specialist_teams = Vec::new();
    for (code, name_zh, _, team) in category::DEFAULT_CATALOGUE {
        let specialist = *team != "frontline";
        let name = if specialist {
            format!("{name_zh}专家组")
        } else {
            "一线客服".to_owned()
        };
        let created = store
            .create_team(NewTeam {
                code: (*team).to_owned(),
                name,
                specialist,
            })
            .await?;
        if specialist {
            specialist_teams.push((created.id, *code, *name_zh, *team));
        } else {
            frontline = Some(created.id);
        }
    }
    let skill = |name: String, level| Skill {
        name,
        level,
        certified: true,
    };
    let all_domains: Vec<Skill> = category::DEFAULT_CATALOGUE
        .iter()
        .map(|(code, ..)| skill(format!("category:{code}"), 3))
        .chain([skill("lang:zh-CN".into(), 5)])
        .collect();
    let mut bilingual = all_domains.clone();
    bilingual.push(skill("lang:en".into(), 4));
    let mut demo: Vec<DemoAccount> = vec![
        (
            "admin@kefu.local".into(),
            "管理员".into(),
            AgentRole::Admin,
            frontline,
            all_domains.clone(),
        ),
        (
            "supervisor@kefu.local".into(),
            "值班主管".into(),
            AgentRole::Supervisor,
            frontline,
            all_domains.clone(),
        ),
        (
            "agent1@kefu.local".into(),
            "客服小李".into(),
            AgentRole::Agent,
            frontline,
            all_domains.clone(),
        ),
        (
            "agent2@kefu.local".into(),
            "客服小王".into(),
            AgentRole::Agent,
            frontline,
            all_domains.clone(),
        ),
        // Speaks English too: English conversations have someone to go to.
        (
            "agent3@kefu.local".into(),
            "客服小陈 (Chen)".into(),
            AgentRole::Agent,
            frontline,
            bilingual,
        ),
    ];
    // One specialist per specialist team, skilled in the team's domain, so an escalation
    // can be walked end to end on a fresh install.
    for (team_id, domain, name_zh, team_code) in specialist_teams {
        demo.push((
            format!("{}@kefu.local", team_code.replace('_', ".")),
            format!("{name_zh}专家"),
            AgentRole::Specialist,
            Some(team_id),
            vec![
                skill(format!("category:{domain}"), 5),
                skill("lang:zh-CN".into(), 5),
            ],
        ));
    }
    // Hashing is deliberately slow: do the accounts side by side on the blocking pool.
    let hashes = demo
        .iter()
        .map(|_| {
            let password = random_password();
            tokio::task::spawn_blocking(move || hash_password(&password).map(|phc| (password, phc)))
        })
        .collect::<Vec<_>>();
    let mut accounts = Vec::new();
    for ((email, name, role, team_id, skills), hashed) in demo.into_iter().zip(hashes) {
        let (password, phc) = hashed
            .await
            .map_err(|e| kefu_store::StoreError::Backend(e.to_string()))?
            .map_err(kefu_store::StoreError::Backend)?;
        store
            .create_agent(NewAgent {
                email: email.clone(),
                display_name: name,
                role,
                team_id,
                password_hash: Some(phc),
                skills,
                chat_capacity: 5,
                at: now,
            })
            .await?;
        accounts.push((email, role, password));
    }
    let channel_key = new_token("kefu_k_");
    store
        .create_credential(NewCredential {
            kind: CredentialKind::ApiKey,
            token_hash: token_hash(&channel_key),
            agent_id: None,
            channel: Some(Channel::InApp),
            name: "demo in-app channel".into(),
            at: now,
            expires_at: None,
        })
        .await?;
    let codes: Vec<String> = category::DEFAULT_CATALOGUE
        .iter()
        .map(|(c, ..)| (*c).to_owned())
        .collect();
    let drafts = super::kb::parse(super::kb::DEFAULT_KB, super::kb::KbFormat::Jsonl, &codes)
        .map_err(|errors| {
            kefu_store::StoreError::Backend(format!(
                "the built-in knowledge base is invalid: {}",
                errors[0]
            ))
        })?;
    store
        .save_articles(SaveArticles {
            drafts,
            publish: true,
            author: None,
            at: now,
        })
        .await?;
    store.set_meta(SEEDED, &now.to_string()).await?;
    Ok(Some(SeedReport {
        accounts,
        channel_key,
    }))
}
