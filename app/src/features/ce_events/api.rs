//! Server functions of CE Events (HUD 4.20): the Priority List and referral creation (Priority
//! List Manager side), the client's CE Event list, and the CE Event form (receiving provider
//! side: acknowledge and resolve; PLM side: correct Event Date and Event while unresolved).

pub use super::model::*;
pub use crate::domain::ce_event::CeEventDraft;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store::{self, StatusTrigger, StoredEvent},
    crate::domain::{
        access::{ActiveContext, Workgroup},
        ce_event::{allowed_referral_events, validate_ce_event, validate_referral_event},
        codes::{ProjectType, ReferralResult},
        contact::format_phone,
        dates,
        names::search_terms,
        paging::page_number,
        referral_return::check_one_open_referral,
    },
    crate::error::FieldErrors,
    crate::features::notes::{
        self,
        model::{reads_ce_notes, NoteThread},
    },
    crate::features::notifications::{
        model::NotificationKind,
        store::{self as notify, Notice},
    },
    crate::features::returns::{
        self,
        model::{reviews_returns, ReturnState},
    },
    crate::features::transfers::api as transfers,
    crate::routes,
    crate::ssr::{auth, pool, respond, scope::client_name_in_scope, today},
    chrono::NaiveDate,
};

/// The CoC whose Priority List the context manages; `Forbidden` outside a CE organization.
#[cfg(feature = "ssr")]
fn ce_coc(context: &ActiveContext) -> Result<String, AppError> {
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
            let terms = search_terms(&query);
            let page = page_number(page).map_err(|message| AppError::field("page", message))?;
            let (rows, has_next) = store::priority_list(
                &pool()?,
                &coc,
                &terms,
                PendingFilter::from_param(&pending),
                PrioritySort::from_param(&sort),
                page,
                today(),
            )
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
            let enrollment = store::open_ce_enrollment(&pool, client_id, &coc)
                .await?
                .ok_or(AppError::NotFound)?;
            let open_referral = store::open_referral_elsewhere(&pool, enrollment.id).await?;
            let targets = store::referral_targets(&pool, &coc, today())
                .await?
                .into_iter()
                .filter_map(target_with_events)
                .collect();
            Ok(ReferralOptions {
                client_id,
                client_name: enrollment.client_name,
                ce_entry_date: enrollment.entry_date,
                targets,
                open_referral,
            })
        }
        .await,
    )
}

/// "Refer to housing opening": records a CE Event on the client's CE enrollment.
#[server(endpoint = "ce/refer")]
pub async fn refer_to_housing(client_id: i64, referral: ReferralChoice) -> Result<i64, AppError> {
    respond(
        async {
            let refer_anyway = referral.refers_anyway();
            let ReferralChoice {
                project_id,
                event_date,
                event,
                transfer,
                ..
            } = referral;
            let actor = auth::require_actor().await?;
            let context = actor.context_in(&[Workgroup::PriorityListManager])?;
            let coc = ce_coc(context)?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let enrollment = store::open_ce_enrollment(&mut *tx, client_id, &coc)
                .await?
                .ok_or(AppError::NotFound)?;
            let answers = transfers::lock_for_referral(&mut tx, &transfer, client_id, &coc).await?;
            let target = match project_id.trim().parse::<i64>() {
                Ok(id) => store::referral_targets(&mut *tx, &coc, today())
                    .await?
                    .into_iter()
                    .find(|t| t.id == id),
                Err(_) => None,
            };
            let Some(target) = target else {
                let mut errors = FieldErrors::new();
                errors.add(
                    "project_id",
                    "Choose a project of this CoC that receives CE referrals.",
                );
                errors.check("event_date", dates::parse_date(&event_date));
                return Err(AppError::Invalid(errors));
            };
            let project_type =
                ProjectType::from_code(target.project_type).ok_or(AppError::Internal)?;
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
            if store::has_open_referral(&mut *tx, enrollment.id, target.id).await? {
                return Err(AppError::field(
                    "project_id",
                    "This client already has an unresolved referral to this project.",
                ));
            }
            // Under the CE enrollment's row lock two PLMs referring the same client at once
            // cannot both see "no open referral".
            store::lock_enrollment(&mut tx, enrollment.id).await?;
            let open_to = store::open_referral_elsewhere(&mut *tx, enrollment.id).await?;
            check_one_open_referral(open_to.as_deref(), refer_anyway)
                .map_err(|message| AppError::field("refer_anyway", message))?;
            let id = store::insert_referral(&mut tx, &actor, &enrollment, &target, &valid).await?;
            if let Some(request) = &answers {
                transfers::answer_with_referral(&mut tx, &actor, request, id, &target.name).await?;
            }
            let link = routes::ce_event(client_id, id);
            let notice = Notice {
                kind: NotificationKind::ReferralReceived,
                message: NotificationKind::ReferralReceived.message(&target.name, ""),
                link: &link,
            };
            notify::notify_organization(&mut tx, target.organization_id, actor.user_id, &notice)
                .await?;
            crate::ssr::commit(tx).await?;
            leptos_axum::redirect(&routes::with_query(
                &routes::client_ce_events(client_id),
                "referred",
                &id.to_string(),
            ));
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
            let client_name = client_name_in_scope(&pool, context, client_id)
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
            let client_name = client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let event = store::load_event(&pool, event_id, client_id)
                .await?
                .filter(|e| e.visible_to(context))
                .ok_or(AppError::NotFound)?;
            form_of(&pool, context, event, client_name).await
        }
        .await,
    )
}

/// Saves the CE Event form of the receiving provider: acknowledgement, contact, result.
#[server(endpoint = "ce/save")]
pub async fn save_ce_event(record: EventRef, draft: CeEventDraft) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            // Optimistic: the event is read without a lock and the save is refused as a
            // conflict when its version moved since (every change of a CE Event, a return for
            // rematch included, bumps it), so what was validated is what gets saved. A save
            // that only writes the form is then one statement, the update and its audit row
            // (issue 17: as few round trips as the database needs); one that also moves the
            // need status or tells Coordinated Entry runs in a transaction whose first
            // statement, that same update, takes the row lock.
            let event = receiving_provider_event(&pool, context, record).await?;
            // The pick lists are read only when the draft names one of their entries.
            let choices = if draft.names_a_choice() {
                store::choices(&pool, &event).await?
            } else {
                store::Choices::default()
            };
            let update = validate_ce_event(
                &event.facts(),
                &draft,
                &choices.enrollments,
                &choices.reason_ids(),
                today(),
            )
            .map_err(AppError::Invalid)?;
            // Acknowledging moves the referral out of "awaiting response"; resolving moves it to
            // the CoC's final status for the result.
            let newly_resolved =
                update.referral_result.is_some() && event.referral_result.is_none();
            let newly_acknowledged =
                update.date_acknowledged.is_some() && event.date_acknowledged.is_none();
            let trigger = match update.referral_result {
                Some(ReferralResult::SuccessfulClientAccepted) if newly_resolved => {
                    Some(StatusTrigger::Successful)
                }
                Some(_) if newly_resolved => Some(StatusTrigger::Unsuccessful),
                _ if newly_acknowledged && event.need_status_initial => {
                    Some(StatusTrigger::Acknowledged)
                }
                _ => None,
            };
            let new_status = match trigger {
                Some(trigger) => store::status_applying_on(&pool, &event.ce_coc, trigger).await?,
                None => None,
            };
            // Coordinated Entry learns the result once, when it is first recorded.
            let resolved = update.referral_result.filter(|_| newly_resolved);
            if new_status.is_none() && resolved.is_none() {
                let version =
                    store::save_event(&pool, &actor, &event, &update, None, &choices).await?;
                back_to_form_without_javascript(record);
                return Ok(version);
            }
            let mut tx = pool.begin().await?;
            let version = store::save_event(
                &mut *tx,
                &actor,
                &event,
                &update,
                new_status.as_ref(),
                &choices,
            )
            .await?;
            if let Some(status) = &new_status {
                store::move_need_status(&mut tx, &actor, event.id, status).await?;
            }
            if let Some(result) = resolved {
                let link = routes::ce_event(record.client_id, record.event_id);
                let notice = Notice {
                    kind: NotificationKind::ReferralResolved,
                    message: NotificationKind::ReferralResolved
                        .message(&event.project_name, result.label()),
                    link: &link,
                };
                notify::notify_coordinated_entry(&mut tx, &event.ce_coc, actor.user_id, &notice)
                    .await?;
            }
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(record);
            Ok(version)
        }
        .await,
    )
}

/// The Priority List Manager corrects Event Date and Event (and may re-target the referral to
/// another project before it is acknowledged) while the event is unresolved.
#[server(endpoint = "ce/correct")]
pub async fn correct_ce_event(record: EventRef, referral: ReferralChoice) -> Result<i32, AppError> {
    respond(
        async {
            let EventRef {
                client_id,
                event_id,
                version,
            } = record;
            let ReferralChoice {
                project_id,
                event_date,
                event,
                ..
            } = referral;
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored = store::lock_event(&mut tx, event_id, client_id)
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
                        .find(|t| t.id == id);
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
            let project_type =
                ProjectType::from_code(target.as_ref().map_or(stored.project_type, |t| t.project_type))
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
            let version =
                store::correct_event(&mut tx, &actor, &stored, target.as_ref(), &valid).await?;
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(record);
            Ok(version)
        }
        .await,
    )
}

/// After a save posted without JavaScript, the browser returns to the CE Event form, which then
/// says "Saved.". (With JavaScript the form stays and reloads itself.)
#[cfg(feature = "ssr")]
pub(crate) fn back_to_form_without_javascript(record: EventRef) {
    crate::ssr::redirect_plain_form_post(&routes::with_query(
        &routes::ce_event(record.client_id, record.event_id),
        "saved",
        "1",
    ));
}

/// The event for its receiving organization only, read without a lock (the caller's update is
/// version-checked): "Not found" to those who may not see it, "Forbidden" to the CE
/// organization, "Conflict" when `version` is stale.
#[cfg(feature = "ssr")]
pub(crate) async fn receiving_provider_event(
    db: impl sqlx::PgExecutor<'_>,
    context: &ActiveContext,
    record: EventRef,
) -> Result<StoredEvent, AppError> {
    let event = store::load_event(db, record.event_id, record.client_id).await?;
    receivable(event, context, record)
}

/// [`receiving_provider_event`] with the event's row locked until the transaction ends.
#[cfg(feature = "ssr")]
pub(crate) async fn lock_receiving_provider_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    context: &ActiveContext,
    record: EventRef,
) -> Result<StoredEvent, AppError> {
    let event = store::lock_event(tx, record.event_id, record.client_id).await?;
    receivable(event, context, record)
}

/// The event the receiving provider may change: visible, theirs, open, at the version the form
/// showed, and not waiting for Coordinated Entry's review of a return.
#[cfg(feature = "ssr")]
fn receivable(
    event: Option<StoredEvent>,
    context: &ActiveContext,
    record: EventRef,
) -> Result<StoredEvent, AppError> {
    let event = event
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
    if event.version != record.version {
        return Err(AppError::Conflict);
    }
    // A return committed after this read also bumped the version, so a save that read the
    // event before it is refused as a conflict by its version-checked update.
    if event.return_pending {
        return Err(AppError::field(
            "referral_result",
            "This referral was returned to Coordinated Entry and awaits their review: it can change again if they send it back.",
        ));
    }
    Ok(event)
}

/// The receiving provider moves the referral to another Referral Need Status; only the CoC's
/// allowed transitions are accepted.
#[server(endpoint = "ce/need_status")]
pub async fn update_need_status(record: EventRef, need_status: String) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let event = lock_receiving_provider_event(&mut tx, context, record).await?;
            if need_status.trim().is_empty() {
                return Err(AppError::field(
                    "need_status",
                    "Choose the status to move to.",
                ));
            }
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
            back_to_form_without_javascript(record);
            Ok(version)
        }
        .await,
    )
}

/// A project row with the events a referral to it may record (`None`: it takes no referral).
#[cfg(feature = "ssr")]
fn target_with_events(project: store::TargetProject) -> Option<ReferralTarget> {
    ReferralTarget::new(
        project.id,
        project.name,
        project.organization,
        project.project_type,
    )
}

/// The CE Event form as the context may use it: what it may change, the current values (or,
/// before the acknowledgement, the contact last used for the project), the pick lists.
#[cfg(feature = "ssr")]
async fn form_of(
    pool: &sqlx::PgPool,
    context: &ActiveContext,
    event: StoredEvent,
    client_name: String,
) -> Result<CeEventForm, AppError> {
    let return_entries = returns::store::entries(pool, event.id).await?;
    let return_pending = return_entries.first().is_some_and(|r| r.is_pending());
    // While a return awaits review the provider's answer stands as given.
    let can_resolve =
        event.receiving_org == context.organization_id && !event.is_closed() && !return_pending;
    let can_correct = !event.is_closed()
        && context.workgroup == Workgroup::PriorityListManager
        && context.ce_for_coc.as_deref() == Some(event.ce_coc.as_str())
        && event.referral_result.is_none();
    let store::Choices {
        enrollments: enrollment_options,
        reasons,
    } = store::choices(pool, &event).await?;

    let text = |value: Option<String>| value.unwrap_or_default();
    let code = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let date = |value: Option<NaiveDate>| value.map(|d| d.to_string()).unwrap_or_default();
    let mut draft = CeEventDraft {
        date_referral_acknowledged: date(event.date_acknowledged),
        provider_contact_name: text(event.provider_contact_name.clone()),
        provider_contact_phone: text(event.provider_contact_phone.as_deref().map(format_phone)),
        provider_contact_email: text(event.provider_contact_email.clone()),
        referral_result: code(event.referral_result.map(i64::from)),
        result_date: date(event.result_date),
        resulting_enrollment: code(event.resulting_enrollment_id),
        not_housed_reason: code(event.not_housed_reason_id),
    };
    if can_resolve && event.date_acknowledged.is_none() && event.provider_contact_name.is_none() {
        if let Some(last) = store::last_contact_for_project(pool, event.referred_project_id).await?
        {
            draft.provider_contact_name = text(last.name);
            draft.provider_contact_phone = text(last.phone.as_deref().map(format_phone));
            draft.provider_contact_email = text(last.email);
        }
    }

    let allowed_events = ProjectType::from_code(event.project_type)
        .map(allowed_referral_events)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.code(), e.label().to_string()))
        .collect();
    let need_status_options = if can_resolve {
        store::next_statuses(pool, event.need_status_id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect()
    } else {
        Vec::new()
    };
    let retarget_options = if can_correct && event.date_acknowledged.is_none() {
        store::referral_targets(pool, &event.ce_coc, today())
            .await?
            .into_iter()
            .filter_map(target_with_events)
            .collect()
    } else {
        Vec::new()
    };

    let can_return =
        can_resolve && crate::domain::referral_return::can_return(&event.facts()).is_ok();
    let return_reasons = if can_return {
        returns::store::reasons(pool, &event.ce_coc).await?
    } else {
        Vec::new()
    };
    let returns = ReturnState {
        can_return: !return_reasons.is_empty(),
        reasons: return_reasons,
        can_review: return_pending && !event.is_closed() && reviews_returns(context, &event.ce_coc),
        can_send_back: event.ce_exit_date.is_none(),
        returns: return_entries,
    };

    let notes = if reads_ce_notes(context, event.receiving_org, &event.ce_coc) {
        Some(NoteThread {
            notes: notes::store::ce_event_notes(pool, event.id).await?,
        })
    } else {
        None
    };

    Ok(CeEventForm {
        id: event.id,
        client_id: event.client_id,
        client_name,
        version: event.version,
        facts: event.facts(),
        event_label: event.event_type().label().to_string(),
        referred_project: event.project_name.clone(),
        need_status: event.need_status.clone(),
        draft,
        enrollment_options,
        reasons,
        can_resolve,
        can_correct,
        allowed_events,
        retarget_options,
        need_status_options,
        need_status_due: event.need_status_due,
        returns,
        notes,
        history: store::history(pool, event.id).await?,
    })
}
