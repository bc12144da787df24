//! Server functions of notifications: the signed-in user's own only (never another user's),
//! whatever the applied context.

pub use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::routes,
    crate::ssr::{auth, pool, redirect_plain_form_post, respond},
};

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
