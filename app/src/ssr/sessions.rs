//! Sessions in PostgreSQL (`tower_sessions.session`), with compile-checked SQL. It replaces
//! tower-sessions-sqlx-store, whose `time` feature of sqlx made every `query!` date a
//! `time::Date` instead of chrono's; the table and the record encoding (MessagePack) are the
//! same, so sessions survive the change.

use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Clone, Debug)]
pub struct PostgresSessionStore {
    pool: sqlx::PgPool,
}

impl PostgresSessionStore {
    pub fn new(pool: sqlx::PgPool) -> Self {
        Self { pool }
    }
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn expiry(record: &Record) -> session_store::Result<DateTime<Utc>> {
    let at = record.expiry_date;
    DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond())
        .ok_or_else(|| session_store::Error::Encode("expiry date out of range".into()))
}

async fn save_with(db: impl sqlx::PgExecutor<'_>, record: &Record) -> session_store::Result<()> {
    let data =
        rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    sqlx::query!(
        "insert into tower_sessions.session (id, data, expiry_date) values ($1, $2, $3)
         on conflict (id) do update set data = excluded.data, expiry_date = excluded.expiry_date",
        record.id.to_string(),
        data,
        expiry(record)?,
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
        save_with(&mut *tx, record).await?;
        tx.commit().await.map_err(backend)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        save_with(&self.pool, record).await
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let data = sqlx::query_scalar!(
            "select data from tower_sessions.session where id = $1 and expiry_date > now()",
            session_id.to_string(),
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
