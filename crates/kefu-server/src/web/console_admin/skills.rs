//! `GET /console/admin/skills`: skills and certifications — every active agent's level
//! (1–5) and certification per domain, and their languages, as a matrix (domains that need
//! certification marked), with a form per agent to change them
//! (`POST /console/admin/skills/{id}`: kefu-service `admin::update_agent` with skills only,
//! which supervisors may do). The skills fieldset here is also the agents' forms'.
//!
//! The fieldset posts `level.<code>` (empty, or 1–5) and `cert.<code>` per domain and
//! `languages` as `tag[:level]` words (`zh-CN:5 en:3`; level 3 when left out). They become
//! the service's skills `category:<code>` and `lang:<tag>`, which it checks.

use super::super::console::{Console, enter};
use super::people::{FieldErrors, field_errors, people_page, refused_status};
use super::posted;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::{Agent, AgentId, Category, Skill};
use kefu_service::admin::{self, AgentChanges};
use kefu_service::{Lang, ServiceError};
use serde::Serialize;

/// One domain of the skills fieldset.
#[derive(Debug, Clone, Serialize)]
pub struct SkillCell {
    pub code: String,
    pub name: String,
    /// `""` (no skill) or the level as written.
    pub level: String,
    pub certified: bool,
    pub needs_cert: bool,
}

/// The skills fieldset's values: a cell per domain and the languages as text.
#[derive(Debug, Clone, Serialize)]
pub struct SkillFields {
    pub cells: Vec<SkillCell>,
    pub languages: String,
}

const DEFAULT_LANGUAGE_LEVEL: u8 = 3;

fn cell(c: &Category, lang: Lang, level: String, certified: bool) -> SkillCell {
    SkillCell {
        code: c.code.as_str().to_owned(),
        name: match lang {
            Lang::Zh => c.name_zh.clone(),
            Lang::En => c.name_en.clone(),
        },
        level,
        certified,
        needs_cert: c.requires_certification,
    }
}

/// A skill as the pages list it: the domain's name (or the language tag), the level, and
/// `✓` when certified.
pub fn skill_label(categories: &[Category], lang: Lang, s: &Skill) -> String {
    let name = match s.name.split_once(':') {
        Some(("category", code)) => {
            categories
                .iter()
                .find(|c| c.code.as_str() == code)
                .map_or(code, |c| match lang {
                    Lang::Zh => c.name_zh.as_str(),
                    Lang::En => c.name_en.as_str(),
                })
        }
        Some((_, tag)) => tag,
        None => s.name.as_str(),
    };
    let mark = if s.certified { " ✓" } else { "" };
    format!("{name} {}{mark}", s.level)
}

/// The fieldset showing `skills`.
pub fn fields_of(categories: &[Category], lang: Lang, skills: &[Skill]) -> SkillFields {
    let cells = categories
        .iter()
        .map(|c| {
            let name = format!("category:{}", c.code.as_str());
            match skills.iter().find(|s| s.name == name) {
                Some(s) => cell(c, lang, s.level.to_string(), s.certified),
                None => cell(c, lang, String::new(), false),
            }
        })
        .collect();
    let languages = skills
        .iter()
        .filter_map(|s| {
            let tag = s.name.strip_prefix("lang:")?;
            Some(format!("{tag}:{}", s.level))
        })
        .collect::<Vec<_>>()
        .join(" ");
    SkillFields { cells, languages }
}

/// The fieldset as it was posted (`pairs` are the form's fields), to show it again.
pub fn fields_posted(
    categories: &[Category],
    lang: Lang,
    pairs: &[(String, String)],
) -> SkillFields {
    let value = |key: String| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_owned())
    };
    let cells = categories
        .iter()
        .map(|c| {
            let code = c.code.as_str();
            let level = value(format!("level.{code}")).unwrap_or_default();
            let certified = value(format!("cert.{code}")).is_some();
            cell(c, lang, level, certified)
        })
        .collect();
    SkillFields {
        cells,
        languages: value("languages".into()).unwrap_or_default(),
    }
}

/// The fieldset as a form `body` posted it (in the reader's language, to show it again).
pub fn posted_fields(state: &AppState, console: &Console, body: &[u8]) -> SkillFields {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    fields_posted(&state.catalogue().categories, console.lang.lang, &pairs)
}

/// The skills the fieldset asks for; a level or language word that is no number, or a
/// certification without a level, is refused by field (the service checks the rest).
pub fn skills_of(fields: &SkillFields) -> Result<Vec<Skill>, ServiceError> {
    let mut skills = Vec::new();
    for c in &fields.cells {
        if c.level.is_empty() {
            if c.certified {
                return Err(ServiceError::field(
                    "skills",
                    format!("{}: a certified domain needs a level", c.code),
                ));
            }
            continue;
        }
        let level = c.level.parse().map_err(|_| {
            ServiceError::field("skills", format!("{}: the level must be 1 to 5", c.code))
        })?;
        skills.push(Skill {
            name: format!("category:{}", c.code),
            level,
            certified: c.certified,
        });
    }
    for word in fields
        .languages
        .split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '，')
        .filter(|w| !w.is_empty())
    {
        let (tag, level) = match word.split_once(':') {
            Some((tag, level)) => (
                tag,
                level.parse().map_err(|_| {
                    ServiceError::field("languages", format!("{word}: the level must be 1 to 5"))
                })?,
            ),
            None => (word, DEFAULT_LANGUAGE_LEVEL),
        };
        if tag.is_empty() || !(1..=5).contains(&level) {
            return Err(ServiceError::field(
                "languages",
                format!("{word}: write a language tag and a level from 1 to 5"),
            ));
        }
        skills.push(Skill {
            name: format!("lang:{tag}"),
            level,
            certified: false,
        });
    }
    Ok(skills)
}

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    role: &'static str,
    /// The skills stored (the matrix).
    stored: SkillFields,
    /// The form's values: the stored skills, or what was posted when refused.
    fields: SkillFields,
    /// The refused fields of this agent's form (it is shown open then).
    errors: FieldErrors,
}

#[derive(Serialize)]
struct SkillsPage {
    categories: Vec<SkillCell>,
    agents: Vec<Row>,
    csrf: String,
}

/// The skills page; `refused` is an agent's form that comes back with its fields marked.
async fn skills_page(
    state: &AppState,
    console: &Console,
    refused: Option<(AgentId, SkillFields, &ServiceError)>,
) -> Response {
    let agents = match admin::list_agents(state, &console.caller).await {
        Ok(a) => a,
        Err(e) => return console.service_error(&e),
    };
    let lang = console.lang.lang;
    let categories = state.catalogue().categories;
    let mut status = StatusCode::OK;
    let rows = agents
        .into_iter()
        .filter(|a| a.active)
        .map(|a: Agent| {
            let stored = fields_of(&categories, lang, &a.skills);
            let (fields, errors) = match &refused {
                Some((id, f, e)) if *id == a.id => {
                    status = refused_status(e);
                    (f.clone(), field_errors(e, lang).unwrap_or_default())
                }
                _ => (stored.clone(), FieldErrors::new()),
            };
            Row {
                id: a.id.0,
                name: a.display_name,
                role: a.role.as_str(),
                stored,
                fields,
                errors,
            }
        })
        .collect();
    people_page(
        console,
        "skills",
        status,
        "console/skills.html",
        SkillsPage {
            categories: fields_of(&categories, lang, &[]).cells,
            agents: rows,
            csrf: console.csrf.clone(),
        },
    )
}

/// `GET /console/admin/skills`.
pub async fn show_skills(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    match enter(&state, &uri, &headers).await {
        Ok(console) => skills_page(&state, &console, None).await,
        Err(r) => r,
    }
}

/// `POST /console/admin/skills/{id}`: replaces an agent's skills and certifications.
pub async fn put_skills(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, ()) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = AgentId(id);
    let fields = posted_fields(&state, &console, &body);
    let done = match skills_of(&fields) {
        Ok(skills) => {
            let changes = AgentChanges {
                skills: Some(skills),
                ..AgentChanges::default()
            };
            admin::update_agent(&state, &console.caller, id, changes).await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Redirect::to(&format!("/console/admin/skills#agent-{}", id.0)).into_response(),
        Err(e) if !e.errors.is_empty() => {
            skills_page(&state, &console, Some((id, fields, &e))).await
        }
        Err(e) => console.service_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::CategoryCode;

    fn categories() -> Vec<Category> {
        ["account", "live"]
            .iter()
            .map(|c| Category {
                code: CategoryCode::parse(c).expect("code"),
                name_zh: format!("{c}-zh"),
                name_en: format!("{c}-en"),
                specialist_team: None,
                always_human: false,
                requires_certification: *c == "live",
            })
            .collect()
    }

    fn posted(body: &str) -> SkillFields {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        fields_posted(&categories(), Lang::En, &pairs)
    }

    #[test]
    fn posted_levels_certifications_and_languages_become_skills() {
        let skills = skills_of(&posted(
            "level.account=4&level.live=2&cert.live=on&languages=zh-CN%3A5+en",
        ))
        .expect("valid");
        let got: Vec<(&str, u8, bool)> = skills
            .iter()
            .map(|s| (s.name.as_str(), s.level, s.certified))
            .collect();
        assert_eq!(
            got,
            [
                ("category:account", 4, false),
                ("category:live", 2, true),
                ("lang:zh-CN", 5, false),
                ("lang:en", 3, false),
            ]
        );
    }

    #[test]
    fn skills_shown_and_posted_back_are_the_same_skills() {
        let skills = vec![
            Skill {
                name: "category:live".into(),
                level: 5,
                certified: true,
            },
            Skill {
                name: "lang:en".into(),
                level: 2,
                certified: false,
            },
        ];
        let shown = fields_of(&categories(), Lang::Zh, &skills);
        assert_eq!(shown.cells[1].name, "live-zh");
        assert!(shown.cells[1].needs_cert);
        assert_eq!(skills_of(&shown).expect("valid"), skills);
    }

    #[test]
    fn a_certification_without_a_level_and_bad_levels_are_refused_by_field() {
        for (body, field) in [
            ("cert.live=on", "skills"),
            ("level.account=x", "skills"),
            ("languages=en%3A9", "languages"),
            ("languages=en%3Afive", "languages"),
            ("languages=%3A3", "languages"),
        ] {
            let e = skills_of(&posted(body)).expect_err(body);
            assert_eq!(e.errors[0].field, field, "{body}");
        }
    }

    #[test]
    fn skills_are_listed_by_the_domain_name_of_the_reader_language() {
        let s = |name: &str, certified| Skill {
            name: name.into(),
            level: 4,
            certified,
        };
        let cats = categories();
        assert_eq!(
            skill_label(&cats, Lang::Zh, &s("category:live", true)),
            "live-zh 4 ✓"
        );
        assert_eq!(
            skill_label(&cats, Lang::En, &s("category:live", false)),
            "live-en 4"
        );
        assert_eq!(
            skill_label(&cats, Lang::En, &s("category:gone", false)),
            "gone 4"
        );
        assert_eq!(skill_label(&cats, Lang::En, &s("lang:en", false)), "en 4");
    }

    #[test]
    fn no_levels_and_no_languages_are_no_skills() {
        assert_eq!(skills_of(&posted("languages=+")).expect("valid"), []);
    }
}
