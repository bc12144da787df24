//! Sign-in, sessions and the signed-in actor. Sessions are tower-sessions rows in PostgreSQL;
//! the session holds only ids, and every request re-reads the user and membership, so a
//! deactivated user or a revoked membership is refused on the very next request.

use super::{passwords, throttle};
use crate::domain::access::{ActiveContext, MembershipChoice, SessionInfo, Workgroup};
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::Session;

const SESSION_KEY: &str = "auth";

/// What the session stores: ids only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: i64,
    pub auth_epoch: i32,
    pub membership_id: Option<i64>,
    /// The organization of that membership when it was applied: a hint only, never trusted on
    /// its own (see [`read_in_context`]).
    #[serde(default)]
    pub organization_hint: Option<i64>,
    /// When the session was last saved (Unix seconds): see [`needs_refresh`].
    #[serde(default)]
    pub refreshed_at: i64,
}

/// How often an active session is saved again. tower-sessions persists a session (and renews
/// its idle expiry and cookie) only when it changes, so without this an active caseworker would
/// be signed out an hour after signing in; saving on every request would cost a database write
/// per request. So the idle timeout is 55 to 60 minutes.
pub const REFRESH_SECONDS: i64 = 300;

/// Whether a session last saved at `refreshed_at` should be saved again at `now`.
pub fn needs_refresh(refreshed_at: i64, now: i64) -> bool {
    now - refreshed_at >= REFRESH_SECONDS || now < refreshed_at
}

/// The signed-in user of this request, with the context they applied (if still held).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub membership_id: Option<i64>,
    pub context: Option<ActiveContext>,
}

impl Actor {
    /// The applied context, or `NoContext`.
    pub fn context(&self) -> Result<&ActiveContext, AppError> {
        self.context.as_ref().ok_or(AppError::NoContext)
    }

    /// The applied context, if its Workgroup is one of `allowed`.
    pub fn context_in(&self, allowed: &[Workgroup]) -> Result<&ActiveContext, AppError> {
        let context = self.context()?;
        if allowed.contains(&context.workgroup) {
            Ok(context)
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Hashes a password at once, on this thread (demo data only; requests use
/// [`passwords::hash`], which is bounded and runs off the async threads).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    passwords::hash_now(password)
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    password_hash: String,
    auth_epoch: i32,
    last_membership_id: Option<i64>,
    last_organization_id: Option<i64>,
    only_membership_id: Option<i64>,
    only_organization_id: Option<i64>,
}

/// Checks a username and password from `address`, within the limits of [`throttle`]. Returns
/// the session data to store on success: the context applied last if still held, else the
/// user's only membership when they hold exactly one (a first sign-in starts in it).
pub async fn authenticate(
    pool: &PgPool,
    username: &str,
    password: &str,
    address: &str,
) -> Result<SessionAuth, AppError> {
    let attempt = throttle::begin(pool, username, address).await?;
    let user: Option<UserRow> = sqlx::query_as(
        "select u.id, u.password_hash, u.auth_epoch, m.id as last_membership_id,
                m.organization_id as last_organization_id,
                single.id as only_membership_id, single.organization_id as only_organization_id
           from users u
           left join memberships m on m.id = u.last_membership_id and m.user_id = u.id and m.deleted_at is null
           left join lateral (
                select min(h.id) as id, min(h.organization_id) as organization_id
                  from memberships h join organizations o on o.id = h.organization_id and o.deleted_at is null
                 where h.user_id = u.id and h.deleted_at is null
                having count(*) = 1) single on true
          where u.username = $1 and u.active and u.deleted_at is null",
    )
    .bind(username)
    .fetch_optional(pool)
    .await?;

    let valid = attempt
        .verify(
            pool,
            password.to_string(),
            user.as_ref().map(|u| u.password_hash.clone()),
            user.as_ref().map(|u| u.id),
            username,
            address,
        )
        .await?;
    let Some(user) = user.filter(|_| valid) else {
        return Err(AppError::InvalidCredentials);
    };
    let (membership_id, organization_hint) = match user.last_membership_id {
        Some(id) => (Some(id), user.last_organization_id),
        None => (user.only_membership_id, user.only_organization_id),
    };
    Ok(SessionAuth {
        user_id: user.id,
        auth_epoch: user.auth_epoch,
        membership_id,
        organization_hint,
        refreshed_at: chrono::Utc::now().timestamp(),
    })
}

#[derive(sqlx::FromRow)]
struct ActorContextRow {
    id: i64,
    username: String,
    first_name: String,
    last_name: String,
    must_change_password: bool,
    workgroup: Option<i16>,
    organization_id: Option<i64>,
    organization_name: Option<String>,
    ce_for_coc: Option<String>,
}

/// Loads the actor a session names; `None` when the session is for a user who is gone,
/// deactivated, or whose password changed since (stale session).
pub async fn load_actor(pool: &PgPool, auth: &SessionAuth) -> Result<Option<Actor>, AppError> {
    // One round trip: the user, and the applied membership if it is still held.
    let row: Option<ActorContextRow> = sqlx::query_as(
        "select u.id, u.username, u.first_name, u.last_name, u.must_change_password,
                m.workgroup, o.id as organization_id, o.name as organization_name, o.ce_for_coc
           from users u
           left join memberships m on m.id = $3 and m.user_id = u.id and m.deleted_at is null
           left join organizations o on o.id = m.organization_id and o.deleted_at is null
          where u.id = $1 and u.auth_epoch = $2 and u.active and u.deleted_at is null",
    )
    .bind(auth.user_id)
    .bind(auth.auth_epoch)
    .bind(auth.membership_id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let context = match (
        row.workgroup.and_then(Workgroup::from_code),
        row.organization_id,
        row.organization_name,
    ) {
        (Some(workgroup), Some(organization_id), Some(organization_name)) => Some(ActiveContext {
            workgroup,
            organization_id,
            organization_name,
            ce_for_coc: row.ce_for_coc,
        }),
        _ => None,
    };
    Ok(Some(Actor {
        user_id: row.id,
        username: row.username,
        display_name: format!("{} {}", row.first_name, row.last_name),
        must_change_password: row.must_change_password,
        membership_id: context.as_ref().and(auth.membership_id),
        context,
    }))
}

/// The Workgroup × Organization pairs a user holds, for the Settings sidebar.
pub async fn memberships(
    pool: &PgPool,
    user_id: i64,
) -> Result<Vec<(i64, MembershipChoice)>, AppError> {
    let rows: Vec<(i64, i16, i64, String)> = sqlx::query_as(
        "select m.id, m.workgroup, o.id, o.name
           from memberships m join organizations o on o.id = m.organization_id
          where m.user_id = $1 and m.deleted_at is null and o.deleted_at is null
          order by m.workgroup, o.name",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, workgroup, organization_id, organization_name)| {
            Some((
                id,
                MembershipChoice {
                    workgroup: Workgroup::from_code(workgroup)?,
                    organization_id,
                    organization_name,
                },
            ))
        })
        .collect())
}

pub async fn session_info(pool: &PgPool, actor: &Actor) -> Result<SessionInfo, AppError> {
    Ok(SessionInfo {
        user_id: actor.user_id,
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        must_change_password: actor.must_change_password,
        context: actor.context.clone(),
        memberships: memberships(pool, actor.user_id)
            .await?
            .into_iter()
            .map(|(_, m)| m)
            .collect(),
    })
}

// ---- request helpers (used inside server functions) -------------------------------------

/// The tower-sessions session of the current request.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer on this request");
        AppError::Internal
    })
}

pub async fn read_session_auth(session: &Session) -> Result<Option<SessionAuth>, AppError> {
    session
        .get::<SessionAuth>(SESSION_KEY)
        .await
        .map_err(|error| {
            tracing::error!(%error, "session store read failed");
            AppError::Internal
        })
}

pub async fn write_session_auth(session: &Session, auth: &SessionAuth) -> Result<(), AppError> {
    session.insert(SESSION_KEY, auth).await.map_err(|error| {
        tracing::error!(%error, "session store write failed");
        AppError::Internal
    })
}

/// The signed-in actor, if any (a stale session is cleared).
pub async fn current_actor() -> Result<Option<Actor>, AppError> {
    let pool = super::pool()?;
    let session = session().await?;
    let Some(auth) = read_session_auth(&session).await? else {
        return Ok(None);
    };
    let actor = load_actor(&pool, &auth).await?;
    match &actor {
        Some(actor) => record_in_span(actor),
        None => {
            let _ = session.flush().await;
        }
    }
    Ok(actor)
}

/// Names the user and the applied organization on the request's span (server/src/lib.rs
/// `request_span`), so every log line of the request says who acted where; ids only.
fn record_in_span(actor: &Actor) {
    let Some(span) = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<tracing::Span>().cloned())
    else {
        return;
    };
    span.record("user_id", actor.user_id);
    if let Some(context) = &actor.context {
        span.record("organization_id", context.organization_id);
    }
}

/// The signed-in actor, refusing anonymous requests and users who must change their password.
pub async fn require_actor() -> Result<Actor, AppError> {
    let actor = current_actor().await?.ok_or(AppError::NotSignedIn)?;
    if actor.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(actor)
}

/// A read of the applied organization's data, for the read-only server functions the dashboard
/// calls most (the Counts widget, polled by every open dashboard, and the incoming lists).
///
/// `read` runs for the organization the session applied last *while* the actor is re-read,
/// so the request costs one database round trip instead of two. Its result is handed out only
/// when the re-read actor may still work in that organization (signed in, password current,
/// context still held); when the context changed, `read` runs again for the current one, and
/// a refused actor gets its error, never the result. `read` must not write.
pub async fn read_in_context<T, E, F, Fut>(read: F) -> Result<(Actor, T), AppError>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    AppError: From<E>,
{
    let pool = super::pool()?;
    let session = session().await?;
    let Some(auth) = read_session_auth(&session).await? else {
        return Err(AppError::NotSignedIn);
    };
    let (actor, speculative) = match auth.organization_hint {
        Some(organization) => {
            let (actor, result) = tokio::join!(load_actor(&pool, &auth), read(organization));
            (actor?, Some((organization, result)))
        }
        None => (load_actor(&pool, &auth).await?, None),
    };
    let Some(actor) = actor else {
        let _ = session.flush().await;
        return Err(AppError::NotSignedIn);
    };
    record_in_span(&actor);
    if actor.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    let organization = actor.context()?.organization_id;
    let result = match speculative {
        Some((hinted, result)) if hinted == organization => result?,
        _ => read(organization).await?,
    };
    Ok((actor, result))
}

/// The signed-in actor working as a System Administrator; everyone else is refused.
pub async fn require_administrator() -> Result<Actor, AppError> {
    let actor = require_actor().await?;
    actor.context_in(&[Workgroup::SystemAdministrator])?;
    Ok(actor)
}

/// Saves an active session again when it is due (see [`REFRESH_SECONDS`]); runs after each
/// request, inside the session layer.
pub async fn refresh_session(session: &Session) {
    let now = chrono::Utc::now().timestamp();
    if let Ok(Some(mut auth)) = read_session_auth(session).await {
        if needs_refresh(auth.refreshed_at, now) {
            auth.refreshed_at = now;
            let _ = write_session_auth(session, &auth).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_active_session_is_saved_again_every_five_minutes() {
        let saved = 1_000_000;
        assert!(!needs_refresh(saved, saved));
        assert!(!needs_refresh(saved, saved + REFRESH_SECONDS - 1));
        assert!(needs_refresh(saved, saved + REFRESH_SECONDS));
        assert!(
            needs_refresh(0, saved),
            "sessions from before the field existed"
        );
        assert!(needs_refresh(saved, saved - 10), "a clock that went back");
    }
}
