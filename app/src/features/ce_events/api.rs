//! Server functions of CE Events (HUD 4.20): the Priority List and referral creation (Priority
//! List Manager side), the client's CE Event list, and the CE Event form (receiving provider
//! side: acknowledge and resolve; PLM side: correct Event Date and Event while unresolved).

use crate::domain::ce_event::{CeEventDraft, CeEventFacts, EnrollmentOption};
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::{
        access::Workgroup,
        ce_event::{allowed_referral_events, validate_ce_event, validate_referral_event},
        codes::{ProjectType, ReferralResult},
        dates,
    },
    crate::error::FieldErrors,
    crate::ssr::{audit, auth, pool, respond, scope, today},
};

/// One row of the client's Coordinated Entry Event page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventRow {
    pub id: i64,
    pub event_date: NaiveDate,
    pub event: String,
    pub referred_to: Option<String>,
    pub need_status: Option<String>,
    pub date_acknowledged: Option<NaiveDate>,
    pub referral_result: Option<String>,
    pub result_date: Option<NaiveDate>,
    pub editable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventList {
    pub client_name: String,
    pub rows: Vec<CeEventRow>,
    /// The active context may refer this client to a housing opening.
    pub can_refer: bool,
}

/// Everything the CE Event form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CeEventForm {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub version: i32,
    pub facts: CeEventFacts,
    pub event_label: String,
    pub referred_project: String,
    pub need_status: Option<String>,
    /// Current values, or for an unacknowledged referral the contact last used for the project.
    pub draft: CeEventDraft,
    pub enrollment_options: Vec<EnrollmentOption>,
    pub reasons: Vec<(i64, String)>,
    /// The active organization receives the referral: it may acknowledge and resolve.
    pub can_resolve: bool,
    /// The active context is the CoC's Priority List Manager and the event is unresolved.
    pub can_correct: bool,
    /// Event choices for a correction: (code, label).
    pub allowed_events: Vec<(i16, String)>,
    /// Projects the PLM may re-target the referral to (only while it is unacknowledged).
    pub retarget_options: Vec<ReferralTarget>,
    /// The statuses the provider may move the referral to next.
    pub need_status_options: Vec<(i64, String)>,
    /// The last day the referral may stay in its current status (CoC timeliness standard).
    pub need_status_due: Option<NaiveDate>,
    pub history: Vec<crate::features::audit::api::HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityListRow {
    pub client_id: i64,
    pub name: String,
    pub dob: Option<NaiveDate>,
    pub ce_entry_date: NaiveDate,
    pub days_on_list: i64,
    pub pending_referrals: i64,
    pub last_referral: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityListPage {
    pub coc: String,
    pub rows: Vec<PriorityListRow>,
    pub page: i64,
    pub has_next: bool,
    pub can_refer: bool,
}

/// A project a Priority List Manager may refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralTarget {
    pub id: i64,
    pub name: String,
    pub organization: String,
    pub project_type: i16,
    /// (code, label); the first is the HUD mapping's default.
    pub events: Vec<(i16, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralOptions {
    pub client_id: i64,
    pub client_name: String,
    pub ce_entry_date: NaiveDate,
    pub targets: Vec<ReferralTarget>,
}

pub const PRIORITY_PAGE_SIZE: i64 = 25;

#[cfg(feature = "ssr")]
impl ReferralTarget {
    /// A project row (id, name, organization, type) with the events a referral to it may record;
    /// `None` for a project type that takes no housing referral.
    pub(crate) fn from_row(
        (id, name, organization, project_type): (i64, String, String, i16),
    ) -> Option<Self> {
        let events: Vec<(i16, String)> =
            allowed_referral_events(ProjectType::from_code(project_type)?)
                .into_iter()
                .map(|e| (e.code(), e.label().to_string()))
                .collect();
        (!events.is_empty()).then_some(ReferralTarget {
            id,
            name,
            organization,
            project_type,
            events,
        })
    }
}

/// The CoC whose Priority List the context manages; `Forbidden` outside a CE organization.
#[cfg(feature = "ssr")]
fn ce_coc(context: &crate::domain::access::ActiveContext) -> Result<String, AppError> {
    context.ce_for_coc.clone().ok_or(AppError::Forbidden)
}

/// The CoC's clients with an open CE enrollment who await placement (no successful referral).
#[server(endpoint = "ce/priority_list")]
pub async fn priority_list(
    query: String,
    pending: String,
    sort: String,
    page: i64,
) -> Result<PriorityListPage, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let coc = ce_coc(context)?;
            let terms = crate::features::clients::api::search_terms(&query);
            let page = crate::domain::paging::page_number(page)
                .map_err(|message| AppError::field("page", message))?;
            let (rows, has_next) =
                store::priority_list(&pool()?, &coc, &terms, &pending, &sort, page, today())
                    .await?;
            Ok(PriorityListPage {
                coc,
                rows,
                page,
                has_next,
                can_refer: context.workgroup == Workgroup::PriorityListManager,
            })
        }
        .await,
    )
}

/// The projects of the PLM's CoC that receive CE referrals, for "Refer to housing opening".
#[server(endpoint = "ce/referral_form")]
pub async fn referral_form(client_id: i64) -> Result<ReferralOptions, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context_in(&[Workgroup::PriorityListManager])?;
            let coc = ce_coc(context)?;
            let pool = pool()?;
            let (ce_entry_date, client_name) = store::open_ce_enrollment(&pool, client_id, &coc)
                .await?
                .map(|e| (e.entry_date, e.client_name))
                .ok_or(AppError::NotFound)?;
            let targets = store::referral_targets(&pool, &coc, today())
                .await?
                .into_iter()
                .filter_map(ReferralTarget::from_row)
                .collect();
            Ok(ReferralOptions {
                client_id,
                client_name,
                ce_entry_date,
                targets,
            })
        }
        .await,
    )
}

/// "Refer to housing opening": records a CE Event on the client's CE enrollment.
#[server(endpoint = "ce/refer")]
pub async fn refer_to_housing(
    client_id: i64,
    project_id: String,
    event_date: String,
    event: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context_in(&[Workgroup::PriorityListManager])?;
            let coc = ce_coc(context)?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let enrollment = store::open_ce_enrollment(&mut *tx, client_id, &coc)
                .await?
                .ok_or(AppError::NotFound)?;
            let target = match project_id.trim().parse::<i64>() {
                Ok(id) => store::referral_targets(&mut *tx, &coc, today())
                    .await?
                    .into_iter()
                    .find(|t| t.0 == id),
                Err(_) => None,
            };
            let Some((project_id, project_name, _, project_type)) = target else {
                let mut errors = FieldErrors::new();
                errors.add(
                    "project_id",
                    "Choose a project of this CoC that receives CE referrals.",
                );
                errors.check("event_date", dates::parse_date(&event_date));
                return Err(AppError::Invalid(errors));
            };
            let project_type = ProjectType::from_code(project_type).ok_or(AppError::Internal)?;
            let valid = validate_referral_event(
                &event_date,
                &event,
                project_type,
                enrollment.entry_date,
                None,
                &[],
                today(),
            )
            .map_err(AppError::Invalid)?;
            if store::has_open_referral(&mut *tx, enrollment.id, project_id).await? {
                return Err(AppError::field(
                    "project_id",
                    "This client already has an unresolved referral to this project.",
                ));
            }
            let id = store::insert_referral(
                &mut tx,
                &actor,
                &enrollment,
                project_id,
                &project_name,
                &valid,
            )
            .await?;
            crate::ssr::commit(tx).await?;
            leptos_axum::redirect(&format!("/clients/{client_id}/ce-events?referred={id}"));
            Ok(id)
        }
        .await,
    )
}

/// The client's CE Events the active organization may see.
#[server(endpoint = "ce/list")]
pub async fn list_ce_events(client_id: i64) -> Result<CeEventList, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name = store::client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let rows = store::list_events(&pool, context, client_id).await?;
            let can_refer = match (&context.ce_for_coc, context.workgroup) {
                (Some(coc), Workgroup::PriorityListManager) => {
                    store::open_ce_enrollment(&pool, client_id, coc)
                        .await?
                        .is_some()
                }
                _ => false,
            };
            Ok(CeEventList {
                client_name,
                rows,
                can_refer,
            })
        }
        .await,
    )
}

#[server(endpoint = "ce/get")]
pub async fn get_ce_event(client_id: i64, event_id: i64) -> Result<CeEventForm, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name = store::client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let event = store::load_event(&pool, event_id, client_id, false)
                .await?
                .filter(|e| e.visible_to(context))
                .ok_or(AppError::NotFound)?;
            store::form(&pool, context, event, client_name).await
        }
        .await,
    )
}

/// Saves the CE Event form of the receiving provider: acknowledgement, contact, result.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "ce/save")]
pub async fn save_ce_event(
    client_id: i64,
    event_id: i64,
    version: i32,
    date_referral_acknowledged: String,
    provider_contact_name: String,
    provider_contact_phone: String,
    provider_contact_email: String,
    referral_result: String,
    result_date: String,
    resulting_enrollment: String,
    not_housed_reason: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let event =
                receiving_provider_event(&mut tx, context, client_id, event_id, version).await?;
            let draft = CeEventDraft {
                date_referral_acknowledged,
                provider_contact_name,
                provider_contact_phone,
                provider_contact_email,
                referral_result,
                result_date,
                resulting_enrollment,
                not_housed_reason,
            };
            let options = store::enrollment_options(&mut *tx, &event).await?;
            let reasons: Vec<i64> = store::reasons(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let update = validate_ce_event(&event.facts(), &draft, &options, &reasons, today())
                .map_err(AppError::Invalid)?;
            // Acknowledging moves the referral out of "awaiting response"; resolving moves it to
            // the CoC's final status for the result.
            let newly_resolved =
                update.referral_result.is_some() && event.referral_result.is_none();
            let newly_acknowledged =
                update.date_acknowledged.is_some() && event.date_acknowledged.is_none();
            let applies_on = match update.referral_result {
                Some(ReferralResult::SuccessfulClientAccepted) if newly_resolved => {
                    Some("successful")
                }
                Some(_) if newly_resolved => Some("unsuccessful"),
                _ if newly_acknowledged && event.need_status_initial => Some("acknowledged"),
                _ => None,
            };
            let new_status = match applies_on {
                Some(on) => store::status_applying_on(&mut *tx, &event.ce_coc, on).await?,
                None => None,
            };
            let version =
                store::save_event(&mut tx, &actor, &event, &update, new_status.as_ref()).await?;
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(client_id, event_id);
            Ok(version)
        }
        .await,
    )
}

/// The Priority List Manager corrects Event Date and Event (and may re-target the referral to
/// another project before it is acknowledged) while the event is unresolved.
#[server(endpoint = "ce/correct")]
pub async fn correct_ce_event(
    client_id: i64,
    event_id: i64,
    version: i32,
    project_id: String,
    event_date: String,
    event: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored = store::load_event(&mut *tx, event_id, client_id, true)
                .await?
                .filter(|e| e.visible_to(context))
                .ok_or(AppError::NotFound)?;
            if context.workgroup != Workgroup::PriorityListManager
                || context.ce_for_coc.as_deref() != Some(stored.ce_coc.as_str())
            {
                return Err(AppError::Forbidden);
            }
            // The row is locked (`for update`) for the rest of this transaction, so the client's
            // exit from Coordinated Entry cannot close it between this check and the write.
            if stored.is_closed() {
                return Err(AppError::field(
                    "event_date",
                    "This referral was closed when the client was exited from Coordinated Entry: it can no longer be corrected or re-targeted.",
                ));
            }
            if stored.version != version {
                return Err(AppError::Conflict);
            }
            if stored.referral_result.is_some() {
                return Err(AppError::field(
                    "event_date",
                    "A resolved referral can no longer be corrected.",
                ));
            }
            // Re-targeting: another project of the CoC that receives referrals, before the
            // receiving provider acknowledged it.
            let target = match project_id.trim().parse::<i64>().ok() {
                None => None,
                Some(id) if Some(id) == stored.referred_project_id => None,
                Some(id) => {
                    if stored.date_acknowledged.is_some() {
                        return Err(AppError::field(
                            "project_id",
                            "An acknowledged referral keeps its project: resolve it, then refer again.",
                        ));
                    }
                    let found = store::referral_targets(&mut *tx, &stored.ce_coc, today())
                        .await?
                        .into_iter()
                        .find(|t| t.0 == id);
                    match found {
                        Some(t) => Some(t),
                        None => {
                            return Err(AppError::field(
                                "project_id",
                                "Choose a project of this CoC that receives CE referrals.",
                            ))
                        }
                    }
                }
            };
            let project_type = ProjectType::from_code(target.as_ref().map_or(stored.project_type, |t| t.3))
                .ok_or(AppError::Internal)?;
            let recorded: Vec<NaiveDate> = stored.date_acknowledged.into_iter().collect();
            let valid = validate_referral_event(
                &event_date,
                &event,
                project_type,
                stored.ce_entry_date,
                stored.ce_exit_date,
                &recorded,
                today(),
            )
            .map_err(AppError::Invalid)?;
            let target = target.map(|(id, name, _, _)| (id, name));
            let version = store::correct_event(&mut tx, &actor, &stored, target, &valid).await?;
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(client_id, event_id);
            Ok(version)
        }
        .await,
    )
}

/// After a save posted without JavaScript, the browser returns to the CE Event form, which then
/// says "Saved.". (With JavaScript the form stays and reloads itself.)
#[cfg(feature = "ssr")]
fn back_to_form_without_javascript(client_id: i64, event_id: i64) {
    crate::ssr::redirect_plain_form_post(&format!(
        "/clients/{client_id}/ce-events/{event_id}?saved=1"
    ));
}

/// The event, locked for update, for its receiving organization only: "Not found" to those who
/// may not see it, "Forbidden" to the CE organization, "Conflict" when `version` is stale.
#[cfg(feature = "ssr")]
async fn receiving_provider_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    context: &crate::domain::access::ActiveContext,
    client_id: i64,
    event_id: i64,
    version: i32,
) -> Result<store::StoredEvent, AppError> {
    let event = store::load_event(&mut **tx, event_id, client_id, true)
        .await?
        .filter(|e| e.visible_to(context))
        .ok_or(AppError::NotFound)?;
    if event.receiving_org != context.organization_id {
        return Err(AppError::Forbidden);
    }
    if event.is_closed() {
        return Err(AppError::field(
            "referral_result",
            "This referral was closed when the client was exited from Coordinated Entry.",
        ));
    }
    if event.version != version {
        return Err(AppError::Conflict);
    }
    Ok(event)
}

#[cfg(feature = "ssr")]
pub(crate) fn audit_change<'a>(
    action: &'a str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> audit::Change<'a> {
    audit::Change {
        action,
        entity: "ce_event",
        entity_id: Some(id),
        before,
        after,
    }
}

#[cfg(feature = "ssr")]
pub(crate) use scope::CLIENT_IN_SCOPE;

/// The receiving provider moves the referral to another Referral Need Status; only the CoC's
/// allowed transitions are accepted.
#[server(endpoint = "ce/need_status")]
pub async fn update_need_status(
    client_id: i64,
    event_id: i64,
    version: i32,
    need_status: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let event =
                receiving_provider_event(&mut tx, context, client_id, event_id, version).await?;
            let wanted: Option<i64> = need_status.trim().parse().ok();
            let next = store::next_statuses(&mut *tx, event.need_status_id).await?;
            let Some(status) = next.into_iter().find(|s| Some(s.id) == wanted) else {
                return Err(AppError::field(
                    "need_status",
                    "That status cannot follow the current one.",
                ));
            };
            let version = store::change_need_status(&mut tx, &actor, &event, &status).await?;
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(client_id, event_id);
            Ok(version)
        }
        .await,
    )
}
