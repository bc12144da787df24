//! Server functions of returns for rematch: the receiving provider returns a CE referral to
//! Coordinated Entry, the CoC's Priority List Manager confirms the return or sends it back, and
//! reads the Returned referrals queue.

pub use super::model::*;
use crate::error::AppError;
use crate::features::ce_events::model::EventRef;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::referral_return::{
        check_decision_after_exit, validate_return, validate_return_reason, validate_review,
        ReturnDecision,
    },
    crate::features::ce_events::{
        api::{back_to_form_without_javascript, lock_receiving_provider_event},
        store as events,
    },
    crate::features::notifications::{
        model::NotificationKind,
        store::{self as notify, Notice},
    },
    crate::routes,
    crate::ssr::{auth, pool, respond, today},
};

/// "Return to Coordinated Entry": the receiving provider hands the referral back for a rematch
/// with a reason and a note (one save: result, Result Date, reason, need status, queue).
#[server(endpoint = "ce/return")]
pub async fn return_for_rematch(record: EventRef, returned: ReturnDraft) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let event = lock_receiving_provider_event(&mut tx, context, record).await?;
            let reasons = store::reasons(&mut *tx, &event.ce_coc).await?;
            let valid =
                validate_return(&event.facts(), &returned, &reasons).map_err(AppError::Invalid)?;
            let version = store::record_return(&mut tx, &actor, &event, &valid, today()).await?;
            let reason = reasons
                .iter()
                .find(|r| r.id == valid.reason_id)
                .map(|r| r.label.as_str())
                .unwrap_or_default();
            let link = routes::ce_event(record.client_id, record.event_id);
            let notice = Notice {
                kind: NotificationKind::ReferralReturned,
                message: NotificationKind::ReferralReturned.message(&event.project_name, reason),
                link: &link,
            };
            notify::notify_coordinated_entry(&mut tx, &event.ce_coc, actor.user_id, &notice)
                .await?;
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(record);
            Ok(version)
        }
        .await,
    )
}

/// The CoC's Priority List Manager confirms the pending return (the client may be referred
/// again) or sends it back to the provider with a note (the result is cleared).
#[server(endpoint = "ce/review_return")]
pub async fn review_return(record: EventRef, review: ReviewDraft) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let event = events::lock_event(&mut tx, record.event_id, record.client_id)
                .await?
                .filter(|e| e.visible_to(context))
                .ok_or(AppError::NotFound)?;
            if !reviews_returns(context, &event.ce_coc) {
                return Err(AppError::Forbidden);
            }
            let (decision, note) = validate_review(&review).map_err(AppError::Invalid)?;
            if event.version != record.version {
                return Err(AppError::Conflict);
            }
            if event.is_closed() || !store::has_pending(&mut *tx, event.id).await? {
                return Err(AppError::field(
                    "review_decision",
                    "This referral has no return awaiting review.",
                ));
            }
            check_decision_after_exit(decision, event.ce_exit_date)
                .map_err(|message| AppError::field("review_decision", message))?;
            let version = store::decide(&mut tx, &actor, &event, decision, note.as_ref()).await?;
            let kind = match decision {
                ReturnDecision::Confirm => NotificationKind::ReturnConfirmed,
                ReturnDecision::SendBack => NotificationKind::ReturnSentBack,
            };
            let link = routes::ce_event(record.client_id, record.event_id);
            let notice = Notice {
                kind,
                message: kind.message(&event.project_name, ""),
                link: &link,
            };
            notify::notify_organization(&mut tx, event.receiving_org, actor.user_id, &notice)
                .await?;
            crate::ssr::commit(tx).await?;
            back_to_form_without_javascript(record);
            Ok(version)
        }
        .await,
    )
}

/// The CoC's returns awaiting review (its Coordinated Entry organization only), of one
/// receiving project when `project` names one (the CoC view's links).
#[server(endpoint = "ce/returned_referrals")]
pub async fn returned_referrals(project: Option<i64>) -> Result<Vec<ReturnedReferral>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let coc = context.ce_for_coc.as_deref().ok_or(AppError::Forbidden)?;
            Ok(store::queue(&pool()?, coc, project, today()).await?)
        }
        .await,
    )
}

/// The Return reasons settings of a CoC (System Administrators only); an unknown CoC shows the
/// first.
#[server(endpoint = "settings/return_reasons")]
pub async fn get_return_reasons(coc: String) -> Result<ReturnReasonSettings, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            let cocs = store::cocs(&pool).await?;
            let coc = match cocs.iter().find(|(code, _)| *code == coc) {
                Some((code, _)) => code.clone(),
                None => cocs
                    .first()
                    .map(|(code, _)| code.clone())
                    .ok_or(AppError::NotFound)?,
            };
            Ok(ReturnReasonSettings {
                reasons: store::settings_rows(&pool, &coc).await?,
                not_housed: events::reasons(&pool).await?,
                statuses: store::coc_statuses(&pool, &coc).await?,
                cocs,
                coc,
            })
        }
        .await,
    )
}

/// Adds or changes a CoC's return reason: its HUD mapping, default If Not Housed, Reason and
/// Referral Need Status (checked against the CoC's own lists), order, and whether it is offered.
#[server(endpoint = "settings/save_return_reason")]
pub async fn save_return_reason(
    target: ReasonRef,
    reason: ReturnReasonDraft,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            if !store::cocs(&mut *tx)
                .await?
                .iter()
                .any(|(code, _)| *code == target.coc)
            {
                return Err(AppError::NotFound);
            }
            let not_housed: Vec<i64> = events::reasons(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let statuses: Vec<i64> = store::coc_statuses(&mut *tx, &target.coc)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let valid = validate_return_reason(&reason, &not_housed, &statuses)
                .map_err(AppError::Invalid)?;
            let id = store::save_reason(&mut tx, &actor, &target, &valid).await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&routes::with_query(
                &routes::with_query(routes::RETURN_REASONS, "coc", &target.coc),
                "saved",
                "1",
            ));
            Ok(id)
        }
        .await,
    )
}
