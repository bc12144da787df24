//! Server functions of transfer requests: the provider running an enrolled client's project asks
//! Coordinated Entry for a transfer; the CoC's Priority List Manager reads the Transfer requests
//! queue and declines with a note, or answers with a new referral ("Refer to housing opening"
//! from the queue, which links the CE Event to the request).

pub use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store::{self, Answer},
    crate::domain::transfer::{
        can_request_transfer, validate_decline, validate_transfer, DECLINE_NOTE, TRANSFER_REASON,
    },
    crate::features::notifications::{
        model::NotificationKind,
        store::{self as notify, Notice},
    },
    crate::features::returns::model::reviews_returns,
    crate::routes,
    crate::ssr::{auth, pool, redirect_plain_form_post, respond, today},
};

/// What the enrollment page offers about transfers. Only the organization running the project
/// sees anything (others get an empty state, whatever the enrollment).
#[server(endpoint = "transfers/state")]
pub async fn get_transfer_state(record: EnrollmentRef) -> Result<TransferState, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let Some(enrollment) =
                store::enrollment(&pool, record.client_id, record.enrollment_id).await?
            else {
                return Ok(TransferState::default());
            };
            if enrollment.organization_id != context.organization_id {
                return Ok(TransferState::default());
            }
            let pending = store::has_pending(&pool, enrollment.id).await?;
            let unavailable =
                can_request_transfer(true, enrollment.exited, enrollment.project_type(), pending)
                    .err()
                    .map(str::to_string);
            Ok(TransferState {
                organizations: store::organizations(
                    &pool,
                    &enrollment.coc,
                    context.organization_id,
                    today(),
                )
                .await?,
                requests: store::entries(&pool, enrollment.id).await?,
                unavailable,
                runs_project: true,
            })
        }
        .await,
    )
}

/// "Request transfer": the provider running the project asks the CoC's Coordinated Entry.
#[server(endpoint = "transfers/request")]
pub async fn request_transfer(
    record: EnrollmentRef,
    transfer: TransferDraft,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            // Under the enrollment's row lock two requests at once cannot both find none pending,
            // and an exit saved meanwhile is seen (the enrollment is read after the lock).
            crate::features::ce_events::store::lock_enrollment(&mut tx, record.enrollment_id)
                .await?;
            let enrollment = store::enrollment(&mut *tx, record.client_id, record.enrollment_id)
                .await?
                .filter(|e| e.organization_id == context.organization_id)
                .ok_or(AppError::NotFound)?;
            let pending = store::has_pending(&mut *tx, enrollment.id).await?;
            can_request_transfer(true, enrollment.exited, enrollment.project_type(), pending)
                .map_err(|message| AppError::field(TRANSFER_REASON, message))?;
            let organizations =
                store::organizations(&mut *tx, &enrollment.coc, context.organization_id, today())
                    .await?;
            let valid = validate_transfer(&transfer, &organizations).map_err(AppError::Invalid)?;
            let id = store::insert(&mut tx, &actor, &enrollment, &valid, today()).await?;
            let notice = Notice {
                kind: NotificationKind::TransferRequested,
                message: NotificationKind::TransferRequested
                    .message(&enrollment.project, &context.organization_name),
                link: routes::TRANSFER_REQUESTS,
            };
            notify::notify_coordinated_entry(&mut tx, &enrollment.coc, actor.user_id, &notice)
                .await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&routes::with_query(
                &routes::enrollment(record.client_id, record.enrollment_id),
                "saved",
                "transfer",
            ));
            Ok(id)
        }
        .await,
    )
}

/// The CoC's transfer requests awaiting an answer (its Coordinated Entry organization only), of
/// clients enrolled in one project when `project` names one (the CoC view's links).
#[server(endpoint = "transfers/queue")]
pub async fn transfer_requests(project: Option<i64>) -> Result<TransferQueue, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let coc = context.ce_for_coc.as_deref().ok_or(AppError::Forbidden)?;
            Ok(TransferQueue {
                rows: store::queue(&pool()?, coc, project, today()).await?,
                can_answer: reviews_returns(context, coc),
            })
        }
        .await,
    )
}

/// The pending request the Refer page answers; `None` when there is none of this client in the
/// Priority List Manager's CoC (answered meanwhile, or not theirs).
#[server(endpoint = "transfers/summary")]
pub async fn get_transfer_summary(
    client_id: i64,
    transfer_id: i64,
) -> Result<Option<TransferSummary>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let coc = context.ce_for_coc.as_deref().ok_or(AppError::Forbidden)?;
            if !reviews_returns(context, coc) {
                return Err(AppError::Forbidden);
            }
            Ok(store::summary(&pool()?, transfer_id, client_id, coc).await?)
        }
        .await,
    )
}

/// "Decline transfer": the CoC's Priority List Manager declines with a note; the provider is
/// told.
#[server(endpoint = "transfers/decline")]
pub async fn decline_transfer(request: TransferRef, answer: DeclineDraft) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let locked = store::lock(&mut tx, request.id)
                .await?
                .filter(|t| context.ce_for_coc.as_deref() == Some(t.coc.as_str()))
                .ok_or(AppError::NotFound)?;
            if !reviews_returns(context, &locked.coc) {
                return Err(AppError::Forbidden);
            }
            if !locked.is_pending() {
                return Err(AppError::field(
                    DECLINE_NOTE,
                    "This transfer request no longer awaits an answer (answered, or the client left the project).",
                ));
            }
            if locked.version != request.version {
                return Err(AppError::Conflict);
            }
            let note = validate_decline(&answer).map_err(AppError::Invalid)?;
            store::answer(&mut tx, &actor, &locked, Answer::Declined(&note)).await?;
            let link = routes::enrollment(locked.client_id, locked.enrollment_id);
            let notice = Notice {
                kind: NotificationKind::TransferDeclined,
                message: NotificationKind::TransferDeclined.message(&locked.project, ""),
                link: &link,
            };
            notify::notify_organization(&mut tx, locked.organization_id, actor.user_id, &notice)
                .await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&routes::with_query(
                routes::TRANSFER_REQUESTS,
                "declined",
                &request.id.to_string(),
            ));
            Ok(())
        }
        .await,
    )
}

/// Links a new referral to the transfer request it answers (inside "Refer to housing opening",
/// under the request's lock): the request is marked referred and its provider told.
#[cfg(feature = "ssr")]
pub async fn answer_with_referral(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    actor: &crate::ssr::auth::Actor,
    locked: &store::LockedTransfer,
    event_id: i64,
    referred_to: &str,
) -> Result<(), AppError> {
    store::answer(tx, actor, locked, Answer::Referred(event_id)).await?;
    let link = routes::enrollment(locked.client_id, locked.enrollment_id);
    let notice = Notice {
        kind: NotificationKind::TransferReferred,
        message: NotificationKind::TransferReferred.message(&locked.project, referred_to),
        link: &link,
    };
    notify::notify_organization(tx, locked.organization_id, actor.user_id, &notice).await?;
    Ok(())
}

/// The pending transfer request `raw` names for a referral of `client_id` in `coc`, locked; a
/// field error when it is not one (answered meanwhile, another client's, another CoC's).
#[cfg(feature = "ssr")]
pub async fn lock_for_referral(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    raw: &str,
    client_id: i64,
    coc: &str,
) -> Result<Option<store::LockedTransfer>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let refused = || {
        AppError::field(
            "transfer",
            "This transfer request is no longer awaiting an answer: refer without it, or go back to Transfer requests.",
        )
    };
    let id: i64 = raw.parse().map_err(|_| refused())?;
    let locked = store::lock(tx, id)
        .await?
        .filter(|t| t.client_id == client_id && t.coc == coc && t.is_pending())
        .ok_or_else(refused)?;
    Ok(Some(locked))
}
