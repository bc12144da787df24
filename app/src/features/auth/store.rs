//! SQL of signing in and the password (server only, compile-checked). Sessions, memberships and
//! the sign-in throttle live in `ssr` (every request reads them); what only this feature's
//! server functions write is here.

use sqlx::{PgExecutor, Postgres, Transaction};

/// Remembers the membership a user applied, so the next sign-in starts in it.
pub async fn remember_membership(
    tx: &mut Transaction<'_, Postgres>,
    user_id: i64,
    membership_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update users set last_membership_id = $1 where id = $2",
        membership_id,
        user_id,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The user's password hash (the current password is checked like a sign-in).
pub async fn password_hash(db: impl PgExecutor<'_>, user_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("select password_hash from users where id = $1", user_id)
        .fetch_one(db)
        .await
}

/// Stores a new password hash and starts a new auth epoch, which ends every other session of
/// the user; returns the new epoch.
pub async fn set_password(
    tx: &mut Transaction<'_, Postgres>,
    user_id: i64,
    new_hash: &str,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "update users set password_hash = $1, must_change_password = false, auth_epoch = auth_epoch + 1,
                version = version + 1, updated_at = now(), updated_by = $2
          where id = $2 returning auth_epoch",
        new_hash,
        user_id,
    )
    .fetch_one(&mut **tx)
    .await
}
