//! Sessions in PostgreSQL (`tower_sessions.session`), with compile-checked SQL. It replaces
//! tower-sessions-sqlx-store, whose `time` feature of sqlx made every `query!` date a
//! `time::Date` instead of chrono's; the table and the record encoding (MessagePack) are the
//! same, so sessions survive the change.
//!
//! The database, not the cookie, keeps the idle time-out: a session ends [`IDLE_TIMEOUT`] after
//! its last request. tower-sessions would renew the time-out only by writing the whole session
//! back on every request (one more round trip and a commit for each); here the read renews it
//! in the same statement, and only once the session has been idle for [`RENEW_AFTER`] or more,
//! so a busy session costs one write every few minutes. The cookie itself lasts as long as the
//! browser session (`Expiry::OnSessionEnd`).

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// A session not used for this long is signed out.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The most idle time after which a request renews the time-out (at most half of it).
pub const RENEW_AFTER: std::time::Duration = std::time::Duration::from_secs(5 * 60);

#[derive(Clone, Debug)]
pub struct PostgresSessionStore {
    pool: sqlx::PgPool,
    idle_seconds: f64,
    renew_after_seconds: f64,
}

impl PostgresSessionStore {
    pub fn new(pool: sqlx::PgPool) -> Self {
        Self::with_idle_timeout(pool, IDLE_TIMEOUT)
    }

    /// A store whose sessions end `idle` after their last request.
    pub fn with_idle_timeout(pool: sqlx::PgPool, idle: std::time::Duration) -> Self {
        Self {
            pool,
            idle_seconds: idle.as_secs_f64(),
            renew_after_seconds: RENEW_AFTER.min(idle / 2).as_secs_f64(),
        }
    }
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// Writes the record; the session then ends `idle_seconds` from now unless used again.
async fn save_with(
    db: impl sqlx::PgExecutor<'_>,
    record: &Record,
    idle_seconds: f64,
) -> session_store::Result<()> {
    let data =
        rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    sqlx::query!(
        "insert into tower_sessions.session (id, data, expiry_date)
         values ($1, $2, now() + make_interval(secs => $3))
         on conflict (id) do update set data = excluded.data, expiry_date = excluded.expiry_date",
        record.id.to_string(),
        data,
        idle_seconds,
    )
    .execute(db)
    .await
    .map_err(backend)?;
    Ok(())
}

#[async_trait::async_trait]
impl SessionStore for PostgresSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // A new id never takes over an existing session (ids are random; this makes it sure).
        loop {
            let taken = sqlx::query_scalar!(
                r#"select exists (select 1 from tower_sessions.session where id = $1) as "taken!""#,
                record.id.to_string(),
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            if !taken {
                break;
            }
            record.id = Id::default();
        }
        save_with(&mut *tx, record, self.idle_seconds).await?;
        tx.commit().await.map_err(backend)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        save_with(&self.pool, record, self.idle_seconds).await
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        // The read, and the renewal of the idle time-out once RENEW_AFTER of it has passed.
        let data = sqlx::query_scalar!(
            r#"with live as (
                   select id, data, expiry_date from tower_sessions.session
                    where id = $1 and expiry_date > now()),
               renewed as (
                   update tower_sessions.session s set expiry_date = now() + make_interval(secs => $2::float8)
                     from live
                    where s.id = live.id
                      and live.expiry_date <= now() + make_interval(secs => $2::float8 - $3::float8))
             select data as "data!" from live"#,
            session_id.to_string(),
            self.idle_seconds,
            self.renew_after_seconds,
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        data.map(|data| {
            rmp_serde::from_slice(&data).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        sqlx::query!(
            "delete from tower_sessions.session where id = $1",
            session_id.to_string(),
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for PostgresSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query!("delete from tower_sessions.session where expiry_date < now()")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
