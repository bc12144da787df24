//! Server functions for signing in and out, choosing the Workgroup/Organization context, and
//! changing the password.

#[cfg(feature = "ssr")]
use super::store;
use crate::domain::access::SessionInfo;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    domain::access::{check_new_password, normalize_username, Workgroup},
    error::FieldErrors,
    ssr::{audit, auth, passwords, pool, respond, throttle},
};
use leptos::prelude::*;

/// The signed-in user and their context, or `None` when nobody is signed in.
#[server(endpoint = "session")]
pub async fn get_session() -> Result<Option<SessionInfo>, AppError> {
    respond(
        async {
            let Some(actor) = auth::current_actor().await? else {
                return Ok(None);
            };
            Ok(Some(auth::session_info(&pool()?, &actor).await?))
        }
        .await,
    )
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<(), AppError> {
    respond(
        async {
            let mut errors = FieldErrors::new();
            let username = errors.check("username", normalize_username(&username));
            if password.is_empty() {
                errors.add("password", "Enter your password.");
            }
            errors.into_result()?;
            let Some(username) = username else {
                return Err(AppError::BadRequest);
            };

            let pool = pool()?;
            let address = throttle::client_address_key();
            let session_auth = auth::authenticate(&pool, &username, &password, &address).await?;
            let session = auth::session().await?;
            // A new session id at sign-in (no fixation of a pre-sign-in id).
            session.cycle_id().await.map_err(|error| {
                tracing::error!(%error, "session id rotation failed");
                AppError::Internal
            })?;
            auth::write_session_auth(&session, &session_auth).await?;
            let mut conn = pool.acquire().await?;
            audit::record_as(
                &mut conn,
                Some(session_auth.user_id),
                None,
                audit::Change {
                    action: "sign_in",
                    entity: "user",
                    entity_id: Some(session_auth.user_id),
                    before: None,
                    after: None,
                },
            )
            .await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    respond(
        async {
            let session = auth::session().await?;
            if let Some(actor) = auth::current_actor().await? {
                let mut conn = pool()?.acquire().await?;
                audit::record(
                    &mut conn,
                    &actor,
                    audit::Change {
                        action: "sign_out",
                        entity: "user",
                        entity_id: Some(actor.user_id),
                        before: None,
                        after: None,
                    },
                )
                .await?;
            }
            session.flush().await.map_err(|error| {
                tracing::error!(%error, "session flush failed");
                AppError::Internal
            })?;
            leptos_axum::redirect("/sign-in");
            Ok(())
        }
        .await,
    )
}

/// Applies a Workgroup × Organization pair the user holds. The context lives in the server-side
/// session only: server functions never take it from a request body.
#[server(endpoint = "apply_context")]
pub async fn apply_context(workgroup: i16, organization_id: i64) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let Some(workgroup) = Workgroup::from_code(workgroup) else {
                return Err(AppError::field("workgroup", "Choose a Workgroup."));
            };
            let pool = pool()?;
            let held = auth::memberships(&pool, actor.user_id)
                .await?
                .into_iter()
                .find(|(_, m)| m.workgroup == workgroup && m.organization_id == organization_id);
            let Some((membership_id, _)) = held else {
                return Err(AppError::field("organization_id", "You do not hold this Workgroup in this Organization."));
            };

            let session = auth::session().await?;
            let Some(mut session_auth) = auth::read_session_auth(&session).await? else {
                return Err(AppError::NotSignedIn);
            };
            session_auth.membership_id = Some(membership_id);
            session_auth.organization_hint = Some(organization_id);
            auth::write_session_auth(&session, &session_auth).await?;

            let mut tx = pool.begin().await?;
            store::remember_membership(&mut tx, actor.user_id, membership_id).await?;
            let applied = auth::load_actor(&pool, &session_auth).await?.ok_or(AppError::NotSignedIn)?;
            audit::record(
                &mut tx,
                &applied,
                audit::Change {
                    action: "apply_context",
                    entity: "membership",
                    entity_id: Some(membership_id),
                    before: actor.context.as_ref().map(|c| serde_json::json!({"workgroup": c.workgroup.label(), "organization_id": c.organization_id})),
                    after: Some(serde_json::json!({"workgroup": workgroup.label(), "organization_id": organization_id})),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::current_actor().await?.ok_or(AppError::NotSignedIn)?;
            let pool = pool()?;
            let mut errors = FieldErrors::new();
            if let Err(message) = check_new_password(&new_password, &actor.username) {
                errors.add("new_password", message);
            }
            if new_password != confirm_password {
                errors.add("confirm_password", "The two new passwords do not match.");
            }
            if new_password == current_password {
                errors.add(
                    "new_password",
                    "Choose a password different from the current one.",
                );
            }
            // The current password is a password guess like a sign-in: the same limits.
            let address = throttle::client_address_key();
            let attempt = throttle::begin(&pool, &actor.username, &address).await?;
            let hash = store::password_hash(&pool, actor.user_id).await?;
            let valid = attempt
                .verify(
                    &pool,
                    current_password,
                    Some(hash),
                    Some(actor.user_id),
                    &actor.username,
                    &address,
                )
                .await?;
            if !valid {
                errors.add("current_password", "The current password is incorrect.");
            }
            errors.into_result()?;

            let new_hash = passwords::hash(new_password.clone()).await?;
            let mut tx = pool.begin().await?;
            // A new auth epoch ends every other session of this user.
            let epoch = store::set_password(&mut tx, actor.user_id, &new_hash).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "change_password",
                    entity: "user",
                    entity_id: Some(actor.user_id),
                    before: None,
                    after: None,
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;

            let session = auth::session().await?;
            if let Some(mut session_auth) = auth::read_session_auth(&session).await? {
                session_auth.auth_epoch = epoch;
                session.cycle_id().await.map_err(|_| AppError::Internal)?;
                auth::write_session_auth(&session, &session_auth).await?;
            }
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}
