//! Server functions of referral notes: add a note to a CE referral or to a non-CE referral.
//! The notes themselves travel with the CE Event form and the Referral Outcome form.

pub use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::referral_return::NoteText,
    crate::features::notifications::{
        model::NotificationKind,
        store::{self as notify, Notice},
    },
    crate::features::{ce_events::store as events, referrals::store as referrals},
    crate::routes,
    crate::ssr::{auth, pool, redirect_plain_form_post, respond},
};

/// Adds a note to a CE referral: its receiving organization and the CoC's Coordinated Entry
/// organization write and read them; anyone else gets "Not found".
#[server(endpoint = "notes/ce_event")]
pub async fn add_ce_event_note(
    client_id: i64,
    event_id: i64,
    body: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let body = NoteText::parse(&body).map_err(|m| AppError::field("note_body", m))?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let event = events::load_event(&mut *tx, event_id, client_id)
                .await?
                .filter(|e| reads_ce_notes(context, e.receiving_org, &e.ce_coc))
                .ok_or(AppError::NotFound)?;
            let id = store::insert(&mut tx, &actor, Some(event.id), None, &body).await?;
            // The other side of the referral learns of it.
            let link = routes::ce_event(client_id, event_id);
            let notice = Notice {
                kind: NotificationKind::NoteAdded,
                message: NotificationKind::NoteAdded
                    .message(&event.project_name, &context.organization_name),
                link: &link,
            };
            if context.organization_id == event.receiving_org {
                notify::notify_coordinated_entry(&mut tx, &event.ce_coc, actor.user_id, &notice)
                    .await?;
            } else {
                notify::notify_organization(&mut tx, event.receiving_org, actor.user_id, &notice)
                    .await?;
            }
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&routes::with_query(
                &routes::ce_event(client_id, event_id),
                "noted",
                "1",
            ));
            Ok(id)
        }
        .await,
    )
}

/// Adds a note to a non-CE referral: the referring and the receiving organization only.
#[server(endpoint = "notes/referral")]
pub async fn add_referral_note(
    client_id: i64,
    referral_id: i64,
    body: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let body = NoteText::parse(&body).map_err(|m| AppError::field("note_body", m))?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let referral = referrals::load(&mut *tx, context, client_id, referral_id)
                .await?
                .filter(|r| reads_referral_notes(context, r.from_org, r.to_org))
                .ok_or(AppError::NotFound)?;
            let id = store::insert(&mut tx, &actor, None, Some(referral_id), &body).await?;
            let link = routes::referral(client_id, referral_id);
            let notice = Notice {
                kind: NotificationKind::NoteAdded,
                message: NotificationKind::NoteAdded
                    .message(&referral.to, &context.organization_name),
                link: &link,
            };
            // The other end; within one organization, its other members.
            let other = if context.organization_id == referral.to_org {
                referral.from_org
            } else {
                referral.to_org
            };
            notify::notify_organization(&mut tx, other, actor.user_id, &notice).await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&routes::with_query(
                &routes::referral(client_id, referral_id),
                "noted",
                "1",
            ));
            Ok(id)
        }
        .await,
    )
}
