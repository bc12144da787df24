//! Server functions of the guided intake: start (or resume) a draft, load it, save it as the
//! user goes, find household members, and submit it as the household's enrollments.

use crate::domain::intake::{IntakeDraft, IntakeProject};
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::intake::validate_intake,
    crate::ssr::{audit, auth, pool, respond, today},
};

/// The largest draft accepted (a household of 20 with every answer fits well inside).
pub const DRAFT_MAX_BYTES: usize = 64 * 1024;

/// Everything the intake pages need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeForm {
    pub draft_id: i64,
    pub version: i32,
    pub client_id: i64,
    pub client_name: String,
    /// Started from this CE Event: submitting returns to its form.
    pub ce_event_id: Option<i64>,
    /// That event's Event Date: an enrollment starting before it cannot be its result.
    pub ce_event_date: Option<NaiveDate>,
    pub draft: IntakeDraft,
    pub projects: Vec<IntakeProject>,
}

/// A client who may join the household (found by a search in the organization's scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdCandidate {
    pub client_id: i64,
    pub name: String,
    pub dob: Option<NaiveDate>,
    /// The organization's own projects the client has an open enrollment in.
    pub open_project_ids: Vec<i64>,
    /// The client also has an open enrollment in another organization (never which one).
    pub enrolled_elsewhere: bool,
}

/// Where a submitted intake leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeSubmitted {
    pub head_enrollment_id: i64,
    pub next_url: String,
}

/// Starts the intake for a client (or resumes the user's unfinished one) and opens it.
/// `ce_event_id` (may be empty): started from that CE Event, whose project is preselected;
/// `project_id` (may be empty): a project to preselect (one of the organization's).
#[server(endpoint = "intake/start")]
pub async fn start_intake(
    client_id: i64,
    ce_event_id: String,
    #[server(default)] project_id: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let ce_event_id = match ce_event_id.trim() {
                "" => None,
                raw => Some(raw.parse::<i64>().map_err(|_| AppError::BadRequest)?),
            };
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let draft_id = match store::open_draft(
                &mut *tx,
                actor.user_id,
                context.organization_id,
                client_id,
                ce_event_id,
            )
            .await?
            {
                Some(id) => id,
                None => {
                    let client = store::client_in_scope(&mut tx, context, client_id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let projects =
                        store::intake_projects(&mut *tx, context.organization_id).await?;
                    let preselected = match ce_event_id {
                        Some(event_id) => Some(
                            store::referred_project(
                                &mut *tx,
                                event_id,
                                client_id,
                                context.organization_id,
                            )
                            .await?
                            .ok_or(AppError::NotFound)?,
                        ),
                        // From a non-CE referral's "Services Provided": its receiving project.
                        None => project_id.trim().parse::<i64>().ok(),
                    };
                    let draft = store::new_draft(client, &projects, preselected);
                    store::insert_draft(&mut tx, &actor, client_id, ce_event_id, &draft).await?
                }
            };
            crate::ssr::commit(tx).await?;
            leptos_axum::redirect(&format!("/clients/{client_id}/intake/{draft_id}"));
            Ok(draft_id)
        }
        .await,
    )
}

#[server(endpoint = "intake/get")]
pub async fn get_intake(client_id: i64, draft_id: i64) -> Result<IntakeForm, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut conn = pool.acquire().await?;
            let stored =
                store::load_draft(&mut conn, &actor, context, client_id, draft_id, false).await?;
            let projects = store::intake_projects(&mut *conn, context.organization_id).await?;
            let mut draft = stored.draft;
            store::refresh_members(&mut conn, context, &mut draft).await?;
            Ok(IntakeForm {
                draft_id,
                version: stored.version,
                client_id,
                client_name: stored.client_name,
                ce_event_id: stored.ce_event_id,
                ce_event_date: stored.ce_event_date,
                draft,
                projects,
            })
        }
        .await,
    )
}

/// Saves the draft as the user goes; answers the new version. A save from a stale copy (another
/// tab saved since) is refused, so the newer answers are never overwritten.
#[server(endpoint = "intake/save")]
pub async fn save_intake(
    client_id: i64,
    draft_id: i64,
    version: i32,
    data: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            if data.len() > DRAFT_MAX_BYTES {
                return Err(AppError::BadRequest);
            }
            let draft: IntakeDraft =
                serde_json::from_str(&data).map_err(|_| AppError::BadRequest)?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored =
                store::load_draft(&mut tx, &actor, context, client_id, draft_id, true).await?;
            if stored.version != version {
                return Err(AppError::Conflict);
            }
            let version = store::update_draft(&mut tx, &actor, draft_id, &draft).await?;
            crate::ssr::commit(tx).await?;
            Ok(version)
        }
        .await,
    )
}

/// Clients the organization may see who may join the household, by name or Personal ID.
#[server(endpoint = "intake/candidates")]
pub async fn household_candidates(
    client_id: i64,
    draft_id: i64,
    query: String,
) -> Result<Vec<HouseholdCandidate>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            if query.trim().is_empty() || query.chars().count() > 100 {
                return Err(AppError::field(
                    "member_query",
                    "Search by name or Personal ID (at most 100 characters).",
                ));
            }
            let pool = pool()?;
            let mut conn = pool.acquire().await?;
            // Only the draft's owner searches through it.
            store::load_draft(&mut conn, &actor, context, client_id, draft_id, false).await?;
            Ok(store::candidates(&mut conn, context, &query).await?)
        }
        .await,
    )
}

/// Discards the draft (nothing is enrolled).
#[server(endpoint = "intake/discard")]
pub async fn discard_intake(client_id: i64, draft_id: i64, version: i32) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored =
                store::load_draft(&mut tx, &actor, context, client_id, draft_id, true).await?;
            if stored.version != version {
                return Err(AppError::Conflict);
            }
            store::delete_draft(&mut tx, &actor, draft_id, "intake.discard").await?;
            crate::ssr::commit(tx).await?;
            leptos_axum::redirect(&format!("/clients/{client_id}"));
            Ok(())
        }
        .await,
    )
}

/// Creates every member's enrollment with one HouseholdID, in one transaction, or nothing.
#[server(endpoint = "intake/submit")]
pub async fn submit_intake(
    client_id: i64,
    draft_id: i64,
    version: i32,
) -> Result<IntakeSubmitted, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored =
                store::load_draft(&mut tx, &actor, context, client_id, draft_id, true).await?;
            if stored.version != version {
                return Err(AppError::Conflict);
            }
            let mut draft = stored.draft;
            // The rules run on what the database says about existing members, not the browser.
            store::refresh_members(&mut tx, context, &mut draft).await?;
            let projects = store::intake_projects(&mut *tx, context.organization_id).await?;
            let valid = validate_intake(&draft, &projects, today()).map_err(AppError::Invalid)?;
            let (head_enrollment_id, head_client) =
                store::create_household(&mut tx, &actor, context, &valid).await?;
            store::delete_draft(&mut tx, &actor, draft_id, "intake.submit").await?;
            if let Some(event_id) = stored.ce_event_id {
                audit::record(
                    &mut tx,
                    &actor,
                    audit::Change {
                        action: "intake.from_ce_event",
                        entity: "ce_event",
                        entity_id: Some(event_id),
                        before: None,
                        after: Some(serde_json::json!({ "enrollment_id": head_enrollment_id })),
                    },
                )
                .await?;
            }
            crate::ssr::commit(tx).await?;
            let next_url = match stored.ce_event_id {
                Some(event_id) => crate::routes::with_query(
                    &crate::routes::ce_event(client_id, event_id),
                    "enrollment",
                    &head_enrollment_id.to_string(),
                ),
                None => crate::routes::enrollment(head_client, head_enrollment_id),
            };
            Ok(IntakeSubmitted {
                head_enrollment_id,
                next_url,
            })
        }
        .await,
    )
}
