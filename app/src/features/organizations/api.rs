//! Server functions of organization and project administration (System Administrators only):
//! organizations (HUD 2.01), Continua of Care, projects (2.02 with 2.03) and their CE
//! participation records (2.09). Every change runs the shared rules, checks the row version,
//! and writes a before/after audit row in the same transaction.

use crate::domain::project::{
    CeParticipationDraft, OrganizationDraft, OrganizationFacts, ProjectDraft, ProjectFacts,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::project::{
        deletion_refused, parse_coc_code, validate_ce_participation, validate_organization,
        validate_project,
    },
    crate::error::FieldErrors,
    crate::ssr::{audit, auth, pool, redirect_plain_form_post, respond, today},
    serde_json::json,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    pub victim_service_provider: bool,
    pub ce_for_coc: Option<String>,
    pub projects: i64,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationList {
    pub organizations: Vec<OrganizationRow>,
    /// (code, name) of every Continuum of Care.
    pub cocs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: i64,
    pub name: String,
    pub project_type: String,
    pub coc: String,
    pub operating: String,
    pub receives_referrals: bool,
    pub access_point: bool,
}

/// The organization page: its form (id 0: a new organization) and its projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationForm {
    pub id: i64,
    pub version: i32,
    pub draft: OrganizationDraft,
    pub facts: OrganizationFacts,
    pub cocs: Vec<(String, String)>,
    pub projects: Vec<ProjectSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationRow {
    pub id: i64,
    pub version: i32,
    pub draft: CeParticipationDraft,
    pub summary: String,
}

/// The project page: its form (id 0: a new project of `draft.organization_id`), its CE
/// participation records, and whether it may be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectForm {
    pub id: i64,
    pub version: i32,
    pub draft: ProjectDraft,
    pub facts: ProjectFacts,
    pub organization_name: String,
    pub participation: Vec<ParticipationRow>,
    /// Why the project cannot be deleted (it has enrollments or referrals), if so.
    pub deletion_refused: Option<String>,
}

#[server(endpoint = "admin/organizations")]
pub async fn list_organizations() -> Result<OrganizationList, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            Ok(OrganizationList {
                organizations: store::organizations(&pool).await?,
                cocs: store::cocs(&pool).await?,
            })
        }
        .await,
    )
}

/// An organization's form; `organization_id` 0 gives the empty form of a new one.
#[server(endpoint = "admin/organizations/get")]
pub async fn get_organization(organization_id: i64) -> Result<OrganizationForm, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            let mut conn = pool.acquire().await?;
            let (version, draft) = if organization_id == 0 {
                (
                    0,
                    OrganizationDraft {
                        victim_service_provider: "0".into(),
                        ..Default::default()
                    },
                )
            } else {
                store::organization(&mut conn, organization_id, false)
                    .await?
                    .ok_or(AppError::NotFound)?
            };
            Ok(OrganizationForm {
                id: organization_id,
                version,
                draft,
                facts: store::organization_facts(&mut conn, organization_id).await?,
                cocs: store::cocs(&mut *conn).await?,
                projects: store::projects_of(&mut conn, organization_id).await?,
            })
        }
        .await,
    )
}

/// Creates (`organization_id` 0) or updates an organization.
#[server(endpoint = "admin/organizations/save")]
pub async fn save_organization(
    organization_id: i64,
    version: i32,
    name: String,
    #[server(default)] common_name: String,
    #[server(default)] victim_service_provider: String,
    #[server(default)] ce_for_coc: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let draft = OrganizationDraft {
                name,
                common_name,
                victim_service_provider,
                ce_for_coc,
            };
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            // Serialises changes to names and CE organizations, which are unique across rows.
            sqlx::query("select pg_advisory_xact_lock(7420002)")
                .execute(&mut *tx)
                .await?;
            let before = if organization_id == 0 {
                None
            } else {
                let (saved_version, saved) = store::organization(&mut tx, organization_id, true)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if saved_version != version {
                    return Err(AppError::Conflict);
                }
                Some(saved)
            };
            let facts = store::organization_facts(&mut tx, organization_id).await?;
            let settings = validate_organization(&draft, &facts).map_err(AppError::Invalid)?;
            let id = store::write_organization(&mut tx, actor.user_id, organization_id, &settings)
                .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: if before.is_some() { "update" } else { "create" },
                    entity: "organization",
                    entity_id: Some(id),
                    before: before.as_ref().map(store::organization_snapshot),
                    after: Some(store::organization_snapshot(&settings.to_draft())),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            if organization_id == 0 {
                leptos_axum::redirect(&format!("/admin/organizations/{id}?saved=1"));
            } else {
                redirect_plain_form_post(&format!("/admin/organizations/{id}?saved=1"));
            }
            Ok(id)
        }
        .await,
    )
}

/// Adds a Continuum of Care, seeded with the default Referral Need Statuses.
#[server(endpoint = "admin/cocs/add")]
pub async fn add_coc(code: String, name: String) -> Result<String, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let mut errors = FieldErrors::new();
            let code = errors.check("coc_code", parse_coc_code(&code));
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 200 {
                errors.add("coc_name", "Enter the CoC's name (at most 200 characters).");
            }
            errors.into_result()?;
            let code = code.ok_or(AppError::BadRequest)?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let added =
                sqlx::query("insert into cocs (code, name) values ($1, $2) on conflict do nothing")
                    .bind(&code)
                    .bind(&name)
                    .execute(&mut *tx)
                    .await?;
            if added.rows_affected() == 0 {
                return Err(AppError::field(
                    "coc_code",
                    "This CoC is already in the list.",
                ));
            }
            crate::ssr::demo::seed_need_statuses(&mut tx, &code).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "create",
                    entity: "coc",
                    entity_id: None,
                    before: None,
                    after: Some(json!({ "CoC code": code, "Name": name })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post("/admin/organizations?saved=1");
            Ok(code)
        }
        .await,
    )
}

/// A project's form; `project_id` 0 gives the form of a new project of `organization_id`.
#[server(endpoint = "admin/projects/get")]
pub async fn get_project(project_id: i64, organization_id: i64) -> Result<ProjectForm, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            let mut conn = pool.acquire().await?;
            let (version, draft) = if project_id == 0 {
                (0, store::new_project_draft(organization_id))
            } else {
                store::project(&mut conn, project_id, false)
                    .await?
                    .ok_or(AppError::NotFound)?
            };
            let owner = draft.organization_id.parse::<i64>().unwrap_or_default();
            let facts = store::project_facts(&mut conn, project_id).await?;
            let organization_name = facts
                .organizations
                .iter()
                .find(|(id, _)| *id == owner)
                .map(|(_, name)| name.clone())
                .ok_or(AppError::NotFound)?;
            let (enrollments, referrals) = store::project_usage(&mut conn, project_id).await?;
            Ok(ProjectForm {
                id: project_id,
                version,
                draft,
                facts,
                organization_name,
                participation: store::participation(&mut conn, project_id).await?,
                deletion_refused: (project_id != 0)
                    .then(|| deletion_refused(enrollments, referrals).map(str::to_string))
                    .flatten(),
            })
        }
        .await,
    )
}

/// Creates (`project_id` 0) or updates a project.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "admin/projects/save")]
pub async fn save_project(
    project_id: i64,
    version: i32,
    organization_id: String,
    name: String,
    #[server(default)] common_name: String,
    #[server(default)] operating_start_date: String,
    #[server(default)] operating_end_date: String,
    #[server(default)] continuum_project: String,
    #[server(default)] project_type: String,
    #[server(default)] rrh_sub_type: String,
    #[server(default)] housing_type: String,
    #[server(default)] residential_affiliation: String,
    #[server(default)] target_population: String,
    #[server(default)] coc_code: String,
    #[server(default)] geocode: String,
    #[server(default)] address1: String,
    #[server(default)] address2: String,
    #[server(default)] city: String,
    #[server(default)] state: String,
    #[server(default)] zip: String,
    #[server(default)] geography_type: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let draft = ProjectDraft {
                organization_id,
                name,
                common_name,
                operating_start_date,
                operating_end_date,
                continuum_project,
                project_type,
                rrh_sub_type,
                housing_type,
                residential_affiliation,
                target_population,
                coc_code,
                geocode,
                address1,
                address2,
                city,
                state,
                zip,
                geography_type,
            };
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let before = if project_id == 0 {
                None
            } else {
                // Locks the project: its enrollments are checked against what is written.
                let (saved_version, saved) = store::project(&mut tx, project_id, true)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if saved_version != version {
                    return Err(AppError::Conflict);
                }
                Some(saved)
            };
            let facts = store::project_facts(&mut tx, project_id).await?;
            let settings = validate_project(&draft, &facts, today()).map_err(AppError::Invalid)?;
            let id = store::write_project(&mut tx, actor.user_id, project_id, &settings).await?;
            let name_of = |d: &ProjectDraft| {
                facts
                    .organizations
                    .iter()
                    .find(|(id, _)| id.to_string() == d.organization_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default()
            };
            let after = settings.to_draft();
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: if before.is_some() { "update" } else { "create" },
                    entity: "project",
                    entity_id: Some(id),
                    before: before
                        .as_ref()
                        .map(|b| store::project_snapshot(b, &name_of(b))),
                    after: Some(store::project_snapshot(&after, &name_of(&after))),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            if project_id == 0 {
                leptos_axum::redirect(&format!("/admin/projects/{id}?saved=1"));
            } else {
                redirect_plain_form_post(&format!("/admin/projects/{id}?saved=1"));
            }
            Ok(id)
        }
        .await,
    )
}

/// Deletes a project that never had enrollments or referrals; others are ended instead.
#[server(endpoint = "admin/projects/delete")]
pub async fn delete_project(project_id: i64, version: i32) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let (saved_version, saved) = store::project(&mut tx, project_id, true)
                .await?
                .ok_or(AppError::NotFound)?;
            if saved_version != version {
                return Err(AppError::Conflict);
            }
            let (enrollments, referrals) = store::project_usage(&mut tx, project_id).await?;
            if let Some(reason) = deletion_refused(enrollments, referrals) {
                return Err(AppError::field("project", reason));
            }
            sqlx::query(
                "update projects set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = $2 where id = $1",
            )
            .bind(project_id)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "update ce_participations set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = $2
                  where project_id = $1 and deleted_at is null",
            )
            .bind(project_id)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "delete",
                    entity: "project",
                    entity_id: Some(project_id),
                    before: Some(store::project_snapshot(&saved, "")),
                    after: None,
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            let organization = saved.organization_id.parse::<i64>().unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/organizations/{organization}?saved=1"));
            Ok(organization)
        }
        .await,
    )
}

/// Adds (`participation_id` 0) or changes one of a project's CE participation records.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "admin/projects/participation")]
pub async fn save_ce_participation(
    project_id: i64,
    participation_id: i64,
    version: i32,
    #[server(default)] access_point: String,
    #[server(default)] prevention_assessment: String,
    #[server(default)] crisis_assessment: String,
    #[server(default)] housing_assessment: String,
    #[server(default)] direct_services: String,
    #[server(default)] receives_referrals: String,
    #[server(default)] start_date: String,
    #[server(default)] end_date: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let draft = CeParticipationDraft {
                access_point,
                prevention_assessment,
                crisis_assessment,
                housing_assessment,
                direct_services,
                receives_referrals,
                start_date,
                end_date,
            };
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            // The project row lock serialises the overlap check of its records.
            let (_, project) = store::project(&mut tx, project_id, true)
                .await?
                .ok_or(AppError::NotFound)?;
            let records = store::participation(&mut tx, project_id).await?;
            let before = match participation_id {
                0 => None,
                id => {
                    let record = records
                        .iter()
                        .find(|r| r.id == id)
                        .ok_or(AppError::NotFound)?;
                    if record.version != version {
                        return Err(AppError::Conflict);
                    }
                    Some(record.draft.clone())
                }
            };
            let others = store::participation_spans(&records, participation_id);
            let operating = store::operating_dates(&project);
            let settings =
                validate_ce_participation(&draft, operating, &others).map_err(AppError::Invalid)?;
            let id = store::write_participation(
                &mut tx,
                actor.user_id,
                project_id,
                participation_id,
                &settings,
            )
            .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: if before.is_some() {
                        "ce_participation.update"
                    } else {
                        "ce_participation.create"
                    },
                    entity: "project",
                    entity_id: Some(project_id),
                    before: before.as_ref().map(store::participation_snapshot),
                    after: Some(store::participation_snapshot(&store::participation_draft(
                        &settings,
                    ))),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&format!("/admin/projects/{project_id}?saved=1"));
            Ok(id)
        }
        .await,
    )
}
