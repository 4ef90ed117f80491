//! `GET /console/admin/categories`: the catalogue's domains — code, Chinese and English
//! names, the specialist team escalations go to, whether they always need a person and
//! whether only certified agents take them — and one form to add a domain or change one
//! (`?edit=<code>` fills it; `POST /console/admin/categories`, kefu-service
//! `admin::upsert_category`: admins only, applied at once). A refused form comes back with
//! each message next to its field.

use super::super::console::{Console, enter};
use super::people::{FieldErrors, field_errors, people_page, refused_status};
use super::posted;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::{AgentRole, Category};
use kefu_service::ServiceError;
use kefu_service::admin::{self, CategoryInput};
use serde::{Deserialize, Serialize};

/// The form's values (a category's, or what was posted).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct CategoryForm {
    code: String,
    name_zh: String,
    name_en: String,
    specialist_team: String,
    always_human: Option<String>,
    requires_certification: Option<String>,
}

impl CategoryForm {
    fn of(c: &Category) -> Self {
        let on = |b: bool| b.then(|| "on".to_owned());
        CategoryForm {
            code: c.code.as_str().to_owned(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            specialist_team: c.specialist_team.clone().unwrap_or_default(),
            always_human: on(c.always_human),
            requires_certification: on(c.requires_certification),
        }
    }
}

#[derive(Serialize)]
struct TeamOption {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct CategoriesPage {
    categories: Vec<Category>,
    teams: Vec<TeamOption>,
    form: CategoryForm,
    /// Whether the form changes an existing domain.
    editing: bool,
    errors: FieldErrors,
    may_edit: bool,
    csrf: String,
}

async fn categories_page(
    state: &AppState,
    console: &Console,
    form: CategoryForm,
    refused: Option<&ServiceError>,
) -> Response {
    let read = async {
        let categories = admin::list_categories(state, &console.caller).await?;
        let teams = admin::list_teams(state, &console.caller).await?;
        Ok::<_, ServiceError>((categories, teams))
    };
    let (categories, teams) = match read.await {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let editing = categories.iter().any(|c| c.code.as_str() == form.code);
    people_page(
        console,
        "categories",
        refused.map_or(StatusCode::OK, refused_status),
        "console/categories.html",
        CategoriesPage {
            categories,
            teams: teams
                .into_iter()
                .map(|t| TeamOption {
                    code: t.code,
                    name: t.name,
                })
                .collect(),
            form,
            editing,
            errors: refused
                .and_then(|e| field_errors(e, console.lang.lang))
                .unwrap_or_default(),
            may_edit: console.staff.role.covers(AgentRole::Admin),
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditQuery {
    edit: Option<String>,
}

/// `GET /console/admin/categories` (`?edit=<code>` fills the form with that domain).
pub async fn show_categories(
    State(state): State<AppState>,
    Query(q): Query<EditQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = q
        .edit
        .and_then(|code| {
            state
                .catalogue()
                .categories
                .iter()
                .find(|c| c.code.as_str() == code)
                .map(CategoryForm::of)
        })
        .unwrap_or_default();
    categories_page(&state, &console, form, None).await
}

/// `POST /console/admin/categories`: adds a domain or changes the one with this code.
pub async fn put_category(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, CategoryForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let team = f.specialist_team.trim();
    let input = CategoryInput {
        code: f.code.trim(),
        name_zh: &f.name_zh,
        name_en: &f.name_en,
        specialist_team: Some(team).filter(|t| !t.is_empty()),
        always_human: f.always_human.is_some(),
        requires_certification: f.requires_certification.is_some(),
    };
    match admin::upsert_category(&state, &console.caller, input).await {
        Ok(c) => Redirect::to(&format!(
            "/console/admin/categories#category-{}",
            c.code.as_str()
        ))
        .into_response(),
        Err(e) if !e.errors.is_empty() => categories_page(&state, &console, f, Some(&e)).await,
        Err(e) => console.service_error(&e),
    }
}
