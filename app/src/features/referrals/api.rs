//! Server functions of non-CE referrals (Client Referrals): list, refer, Referral Outcome
//! (acknowledge) and Outcome Information (result), and the receiving organization's incoming
//! list. Only the receiving organization resolves; the sending organization sees status and
//! result, and the outcome comments only when it is the same organization.

pub use super::model::*;
pub use crate::domain::referral::{NewReferralDraft, OutcomeDraft};
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::access::Workgroup,
    crate::domain::reassignment::closed_label,
    crate::domain::referral::{validate_new_referral, validate_outcome},
    crate::features::notes::{
        self,
        model::{reads_referral_notes, NoteThread},
    },
    crate::features::notifications::{
        model::NotificationKind,
        store::{self as notify, Notice},
    },
    crate::features::reassignments,
    crate::routes,
    crate::ssr::{auth, pool, respond, scope::client_name_in_scope, today},
    chrono::NaiveDate,
};

#[server(endpoint = "referrals/list")]
pub async fn list_referrals(client_id: i64) -> Result<ReferralList, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name = client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(ReferralList {
                client_name,
                rows: store::client_referrals(&pool, context, client_id).await?,
                from_options: store::from_projects(&pool, context.organization_id).await?,
                to_options: store::to_projects(&pool).await?,
            })
        }
        .await,
    )
}

/// Refers the client from a project of the active organization to another project.
#[server(endpoint = "referrals/create")]
pub async fn create_referral(client_id: i64, referral: NewReferralDraft) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            client_name_in_scope(&mut *tx, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let from_ids: Vec<i64> = store::from_projects(&mut *tx, context.organization_id)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let to_ids: Vec<i64> = store::to_projects(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let valid = validate_new_referral(&referral, &from_ids, &to_ids, today())
                .map_err(AppError::Invalid)?;
            let id = store::insert(&mut tx, &actor, client_id, &valid).await?;
            if let Some(made) = store::load(&mut *tx, context, client_id, id).await? {
                let link = routes::referral(client_id, id);
                let notice = Notice {
                    kind: NotificationKind::ReferralReceived,
                    message: NotificationKind::ReferralReceived.message(&made.to, ""),
                    link: &link,
                };
                notify::notify_organization(&mut tx, made.to_org, actor.user_id, &notice).await?;
            }
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&routes::with_query(
                &routes::client_referrals(client_id),
                "created",
                &id.to_string(),
            ));
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "referrals/get")]
pub async fn get_referral(client_id: i64, referral_id: i64) -> Result<ReferralForm, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name = client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let r = store::load(&pool, context, client_id, referral_id)
                .await?
                .ok_or(AppError::NotFound)?;
            // A closed referral (reassigned or withdrawn, article 003) takes no outcome, nor one
            // whose reassignment the referring organization is still deciding.
            let can_resolve = r.to_org == context.organization_id
                && context.workgroup != Workgroup::SystemAdministrator
                && r.closed_reason.is_none()
                && !r.reassignment_pending;
            let comments_visible = r.to_org == context.organization_id || r.from_org == r.to_org;
            let notes = if reads_referral_notes(context, r.from_org, r.to_org) {
                Some(NoteThread {
                    notes: notes::store::referral_notes(&pool, referral_id).await?,
                })
            } else {
                None
            };
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            // Where a reassigned referral went is the referring organization's to know; the
            // organization it was sent to by mistake learns only that it was reassigned.
            let closed_to = match r.closed_reason {
                Some(_) if r.from_org == context.organization_id => {
                    reassignments::store::standing(&pool, referral_id)
                        .await?
                        .replaced_by_project
                }
                _ => None,
            };
            Ok(ReferralForm {
                id: referral_id,
                version: r.version,
                client_id,
                client_name,
                service: r.service,
                from: r.from,
                to: r.to,
                to_project_id: r.to_project_id,
                referral_comments: r.referral_comments,
                status: match r.closed_reason.as_deref() {
                    Some(reason) => closed_label(reason, closed_to.as_deref()),
                    None => status_label(r.facts.date_acknowledged.is_some(), r.facts.result),
                },
                draft: OutcomeDraft {
                    date_referral_acknowledged: date(r.facts.date_acknowledged),
                    appointment_date: date(r.appointment_date),
                    result_date: date(r.result_date),
                    result: r.facts.result.map(|c| c.to_string()).unwrap_or_default(),
                    outcome_comments: if comments_visible {
                        r.outcome_comments.unwrap_or_default()
                    } else {
                        String::new()
                    },
                },
                facts: r.facts,
                can_resolve,
                comments_visible,
                notes,
            })
        }
        .await,
    )
}

/// Referral Outcome (Date Referral Acknowledged) and Outcome Information (Appointment Date,
/// Result Date, Result, Comments): **Finish**.
#[server(endpoint = "referrals/outcome")]
pub async fn save_referral_outcome(
    record: ReferralRef,
    outcome: OutcomeDraft,
) -> Result<i32, AppError> {
    respond(
        async {
            let ReferralRef {
                client_id,
                referral_id,
                version,
            } = record;
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored = store::lock(&mut tx, context, client_id, referral_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if stored.to_org != context.organization_id
                || context.workgroup == Workgroup::SystemAdministrator
            {
                return Err(AppError::Forbidden);
            }
            if stored.version != version {
                return Err(AppError::Conflict);
            }
            if stored.closed_reason.is_some() {
                return Err(AppError::field(
                    "result",
                    "This referral is closed: the referring organization reassigned or withdrew it.",
                ));
            }
            if stored.reassignment_pending {
                return Err(AppError::field(
                    "result",
                    "You asked for this referral to be reassigned: the referring organization answers first.",
                ));
            }
            let valid =
                validate_outcome(&outcome, &stored.facts, today()).map_err(AppError::Invalid)?;
            let version =
                store::save_outcome(&mut tx, &actor, referral_id, &stored, &valid).await?;
            // The referring organization learns the result once, when it is first recorded.
            if let (Some(result), None) = (valid.result, stored.facts.result) {
                let link = routes::referral(client_id, referral_id);
                let notice = Notice {
                    kind: NotificationKind::ReferralResolved,
                    message: NotificationKind::ReferralResolved.message(&stored.to, result.label()),
                    link: &link,
                };
                notify::notify_organization(&mut tx, stored.from_org, actor.user_id, &notice)
                    .await?;
            }
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&routes::with_query(
                &routes::referral(client_id, referral_id),
                "saved",
                "1",
            ));
            Ok(version)
        }
        .await,
    )
}

/// The receiving organization's unresolved non-CE referrals: awaiting acknowledgement or in
/// progress (acknowledged, no result).
#[server(endpoint = "referrals/incoming")]
pub async fn incoming_non_ce(filter: String) -> Result<Vec<ReferralRow>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let filter = IncomingFilter::from_param(&filter);
            Ok(store::incoming(&pool()?, context.organization_id, filter).await?)
        }
        .await,
    )
}
