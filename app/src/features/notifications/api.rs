//! Server functions of notifications: the signed-in user's own only (never another user's),
//! whatever the applied context.

pub use super::model::*;
pub use crate::domain::notify::DeliveryDraft;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::{outbox, store},
    crate::domain::notify::{validate_delivery, Delivery, DELIVERY_FIELD},
    crate::routes,
    crate::ssr::{audit, auth, mail, pool, redirect_plain_form_post, respond},
};

/// The most outbox messages the System Administrator's page shows.
pub const OUTBOX_LIMIT: i64 = 100;

/// The most notifications the list shows.
pub const LIST_LIMIT: i64 = 100;

#[server(endpoint = "notifications/list")]
pub async fn list_notifications() -> Result<NotificationList, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let pool = pool()?;
            Ok(NotificationList {
                items: store::list(&pool, actor.user_id, LIST_LIMIT).await?,
                unread: store::unread_count(&pool, actor.user_id).await?,
            })
        }
        .await,
    )
}

/// The bell's count; `None` for a visitor who is not signed in (the header shows no bell then).
#[server(endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<Option<i64>, AppError> {
    respond(
        async {
            match auth::require_actor().await {
                Ok(actor) => Ok(Some(store::unread_count(&pool()?, actor.user_id).await?)),
                Err(AppError::NotSignedIn | AppError::PasswordChangeRequired) => Ok(None),
                Err(other) => Err(other),
            }
        }
        .await,
    )
}

/// "Mark read" (marking is the user's own reading state, not a change of a record: no audit).
#[server(endpoint = "notifications/read")]
pub async fn mark_notification_read(id: i64) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            if !store::mark_read(&pool()?, actor.user_id, id).await? {
                return Err(AppError::NotFound);
            }
            redirect_plain_form_post(routes::NOTIFICATIONS);
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "notifications/read_all")]
pub async fn mark_all_notifications_read() -> Result<u64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let marked = store::mark_all_read(&pool()?, actor.user_id).await?;
            redirect_plain_form_post(routes::NOTIFICATIONS);
            Ok(marked)
        }
        .await,
    )
}

/// The signed-in user's own notification delivery.
#[server(endpoint = "notifications/delivery")]
pub async fn get_delivery() -> Result<DeliveryPreference, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let row = store::delivery(&pool()?, actor.user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(DeliveryPreference {
                delivery: Delivery::from_stored(&row.delivery).unwrap_or_default(),
                has_email: row.has_email,
                version: row.version,
            })
        }
        .await,
    )
}

/// "Save delivery": how the user hears of notifications (their own only; an e-mail choice needs
/// an address on file). Returns the user's new version.
#[server(endpoint = "notifications/delivery/save")]
pub async fn save_delivery(delivery: DeliveryDraft) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let version: i32 = delivery
                .version
                .trim()
                .parse()
                .map_err(|_| AppError::BadRequest)?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let row = store::delivery(&mut *tx, actor.user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let chosen = validate_delivery(&delivery.choice, row.has_email)
                .map_err(|message| AppError::field(DELIVERY_FIELD, message))?;
            let saved = store::set_delivery(&mut tx, actor.user_id, version, chosen)
                .await?
                .ok_or(AppError::Conflict)?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "update",
                    entity: "notification_delivery",
                    entity_id: Some(actor.user_id),
                    before: Some(serde_json::json!({ "delivery": row.delivery })),
                    after: Some(serde_json::json!({ "delivery": chosen.stored() })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            redirect_plain_form_post(&routes::with_query(
                routes::NOTIFICATIONS,
                "saved",
                "delivery",
            ));
            Ok(saved)
        }
        .await,
    )
}

/// The e-mail outbox, for System Administrators: what was sent, what waits and what failed
/// (without a mail server configured, this is where e-mails are read).
#[server(endpoint = "admin/outbox")]
pub async fn get_outbox() -> Result<OutboxPage, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            Ok(OutboxPage {
                entries: outbox::latest(&pool, OUTBOX_LIMIT).await?,
                waiting: outbox::waiting(&pool).await?,
                sending: mail::sending(),
            })
        }
        .await,
    )
}
