//! Server functions of non-CE reassignment (article 003): the receiving organization asks the
//! referring organization to reassign a referral sent incorrectly; the referring organization
//! reassigns it to another project (a new referral linked to the old, the old one closed) or
//! withdraws it. Each side acts only on its own part.

pub use super::model::*;
use crate::error::AppError;
use crate::features::referrals::model::ReferralRef;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::access::Workgroup,
    crate::domain::reassignment::{
        can_ask_reassignment, closed_label, validate_answer, validate_request,
        ReassignmentDecision, REASSIGN_DECISION, REASSIGN_NOTE, REASSIGN_PROJECT,
    },
    crate::domain::referral::ValidNewReferral,
    crate::features::notifications::{
        model::NotificationKind,
        store::{self as notify, Notice},
    },
    crate::features::referrals::store as referrals,
    crate::routes,
    crate::ssr::{auth, pool, redirect_plain_form_post, respond, today},
};

/// What the Referral Outcome page shows and offers about reassignment.
#[server(endpoint = "referrals/reassignment")]
pub async fn get_reassignment(
    client_id: i64,
    referral_id: i64,
) -> Result<ReassignmentState, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let stored = referrals::load(&pool, context, client_id, referral_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let standing = store::standing(&pool, referral_id).await?;
            let acts = context.workgroup != Workgroup::SystemAdministrator;
            let referrer = stored.from_org == context.organization_id;
            let closed = standing.closed_reason.is_some();
            let can_ask = acts
                && stored.to_org == context.organization_id
                && can_ask_reassignment(
                    stored.facts.result.is_some(),
                    closed,
                    standing.pending.is_some(),
                )
                .is_ok();
            let can_answer = acts
                && stored.from_org == context.organization_id
                && standing.pending.is_some()
                && !closed;
            Ok(ReassignmentState {
                to_options: if can_answer {
                    referrals::to_projects(&pool)
                        .await?
                        .into_iter()
                        .filter(|(id, _)| *id != stored.to_project_id)
                        .collect()
                } else {
                    Vec::new()
                },
                // Where the client went is the referring organization's to know; the old
                // receiver learns only that the referral was reassigned, the new one nothing of
                // the old referral.
                closed: standing.closed_reason.as_deref().map(|reason| {
                    closed_label(
                        reason,
                        standing.replaced_by_project.as_deref().filter(|_| referrer),
                    )
                }),
                replaced_by: standing.replaced_by.filter(|_| referrer),
                replaces: standing.replaces.filter(|_| referrer),
                pending: standing.pending,
                can_ask,
                can_answer,
            })
        }
        .await,
    )
}

/// "Ask for reassignment": the receiving organization says the referral was sent incorrectly or
/// needs reassignment; the referring organization is told.
#[server(endpoint = "referrals/reassignment/ask")]
pub async fn ask_reassignment(
    record: ReferralRef,
    request: ReassignmentRequestDraft,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored = referrals::lock(&mut tx, context, record.client_id, record.referral_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if stored.to_org != context.organization_id
                || context.workgroup == Workgroup::SystemAdministrator
            {
                return Err(AppError::Forbidden);
            }
            if stored.version != record.version {
                return Err(AppError::Conflict);
            }
            let standing = store::standing(&mut *tx, record.referral_id).await?;
            can_ask_reassignment(
                stored.facts.result.is_some(),
                standing.closed_reason.is_some(),
                standing.pending.is_some(),
            )
            .map_err(|message| AppError::field(REASSIGN_NOTE, message))?;
            let note = validate_request(&request).map_err(AppError::Invalid)?;
            store::ask(
                &mut tx,
                &actor,
                record.referral_id,
                context.organization_id,
                &note,
            )
            .await?;
            let link = routes::referral(record.client_id, record.referral_id);
            let notice = Notice {
                kind: NotificationKind::ReassignmentRequested,
                message: NotificationKind::ReassignmentRequested
                    .message(&stored.to, &context.organization_name),
                link: &link,
            };
            notify::notify_organization(&mut tx, stored.from_org, actor.user_id, &notice).await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&routes::with_query(&link, "saved", "1"));
            Ok(())
        }
        .await,
    )
}

/// "Reassign" or "Withdraw referral": the referring organization's answer to a pending request.
/// Returns the referral the user goes on with (the new one, or the withdrawn one).
#[server(endpoint = "referrals/reassignment/answer")]
pub async fn answer_reassignment(
    record: ReferralRef,
    answer: ReassignmentAnswerDraft,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored = referrals::lock(&mut tx, context, record.client_id, record.referral_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if stored.from_org != context.organization_id
                || context.workgroup == Workgroup::SystemAdministrator
            {
                return Err(AppError::Forbidden);
            }
            if stored.version != record.version {
                return Err(AppError::Conflict);
            }
            let standing = store::standing(&mut *tx, record.referral_id).await?;
            if standing.pending.is_none() || standing.closed_reason.is_some() {
                return Err(AppError::field(
                    REASSIGN_DECISION,
                    "No reassignment request awaits your answer on this referral.",
                ));
            }
            let projects = referrals::to_projects(&mut *tx).await?;
            let decision =
                validate_answer(&answer, &projects, stored.to_project_id, stored.from_project_id)
                    .map_err(AppError::Invalid)?;
            // The replacement comes from the same project, which must still refer clients.
            if matches!(decision, ReassignmentDecision::Reassign(_))
                && !referrals::from_projects(&mut *tx, context.organization_id)
                    .await?
                    .iter()
                    .any(|(id, _)| *id == stored.from_project_id)
            {
                return Err(AppError::field(
                    REASSIGN_PROJECT,
                    "The project this referral came from no longer refers clients: withdraw it and make a new referral.",
                ));
            }
            let new_referral = match decision {
                ReassignmentDecision::Reassign(to_project) => {
                    let replacement = ValidNewReferral {
                        from_project: stored.from_project_id,
                        to_project,
                        referral_date: today(),
                        service: stored.service.clone(),
                        comments: stored.referral_comments.clone(),
                    };
                    let id =
                        referrals::insert(&mut tx, &actor, record.client_id, &replacement).await?;
                    store::link_replacement(&mut tx, id, record.referral_id).await?;
                    Some(id)
                }
                ReassignmentDecision::Withdraw => None,
            };
            store::close(
                &mut tx,
                &actor,
                record.referral_id,
                stored.version,
                decision,
                new_referral,
                today(),
            )
            .await?;
            let old_link = routes::referral(record.client_id, record.referral_id);
            let told = match decision {
                ReassignmentDecision::Reassign(_) => NotificationKind::ReferralReassigned,
                ReassignmentDecision::Withdraw => NotificationKind::ReferralWithdrawn,
            };
            let notice = Notice {
                kind: told,
                message: told.message(&stored.to, ""),
                link: &old_link,
            };
            notify::notify_organization(&mut tx, stored.to_org, actor.user_id, &notice).await?;
            if let Some(id) = new_referral {
                let made = referrals::load(&mut *tx, context, record.client_id, id)
                    .await?
                    .ok_or(AppError::Internal)?;
                let link = routes::referral(record.client_id, id);
                let notice = Notice {
                    kind: NotificationKind::ReferralReceived,
                    message: NotificationKind::ReferralReceived.message(&made.to, ""),
                    link: &link,
                };
                notify::notify_organization(&mut tx, made.to_org, actor.user_id, &notice).await?;
            }
            crate::ssr::commit(tx).await?;
            let goes_on = new_referral.unwrap_or(record.referral_id);
            redirect_plain_form_post(&routes::with_query(
                &routes::referral(record.client_id, goes_on),
                "saved",
                "1",
            ));
            Ok(goes_on)
        }
        .await,
    )
}
