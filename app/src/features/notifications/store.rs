//! SQL of notifications (server only, compile-checked). Notifications are written inside the
//! transaction of the change they report, so a refused change notifies nobody.

use super::model::{NotificationItem, NotificationKind};
use sqlx::{PgExecutor, Postgres, Transaction};

/// What a change tells the other side: kind, text and link.
pub struct Notice<'a> {
    pub kind: NotificationKind,
    pub message: String,
    pub link: &'a str,
}

/// Notifies every active member of the organization but the actor.
pub async fn notify_organization(
    tx: &mut Transaction<'_, Postgres>,
    organization_id: i64,
    actor_id: i64,
    notice: &Notice<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into notifications (user_id, kind, message, link, organization_id)
         select distinct m.user_id, $3, $4, $5, m.organization_id
           from memberships m join users u on u.id = m.user_id
          where m.organization_id = $1 and m.deleted_at is null and u.active and u.deleted_at is null
            and u.id <> $2",
        organization_id,
        actor_id,
        notice.kind.stored(),
        notice.message,
        notice.link,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Notifies the CoC's Coordinated Entry organization (its members but the actor).
pub async fn notify_coordinated_entry(
    tx: &mut Transaction<'_, Postgres>,
    coc: &str,
    actor_id: i64,
    notice: &Notice<'_>,
) -> Result<(), sqlx::Error> {
    let organization = sqlx::query_scalar!(
        "select id from organizations where ce_for_coc = $1 and deleted_at is null",
        coc,
    )
    .fetch_optional(&mut **tx)
    .await?;
    match organization {
        Some(id) => notify_organization(tx, id, actor_id, notice).await,
        None => Ok(()),
    }
}

/// The user's latest notifications, of organizations they still belong to.
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: i64,
    limit: i64,
) -> Result<Vec<NotificationItem>, sqlx::Error> {
    sqlx::query_as!(
        NotificationItem,
        r#"select n.id, n.message, n.link, to_char(n.created_at, 'MM/DD/YYYY HH24:MI') as "created!",
                  n.read_at is not null as "read!"
             from notifications n
            where n.user_id = $1
              and exists (select 1 from memberships m where m.user_id = n.user_id
                            and m.organization_id = n.organization_id and m.deleted_at is null)
            order by n.created_at desc, n.id desc
            limit $2"#,
        user_id,
        limit,
    )
    .fetch_all(db)
    .await
}

pub async fn unread_count(db: impl PgExecutor<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from notifications n
            where n.user_id = $1 and n.read_at is null
              and exists (select 1 from memberships m where m.user_id = n.user_id
                            and m.organization_id = n.organization_id and m.deleted_at is null)"#,
        user_id,
    )
    .fetch_one(db)
    .await
}

/// Marks one of the user's notifications read; `false` when it is not theirs.
pub async fn mark_read(
    db: impl PgExecutor<'_>,
    user_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "update notifications set read_at = coalesce(read_at, now()) where id = $1 and user_id = $2 returning id",
        id,
        user_id,
    )
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

pub async fn mark_all_read(db: impl PgExecutor<'_>, user_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "update notifications set read_at = now() where user_id = $1 and read_at is null",
        user_id,
    )
    .execute(db)
    .await?
    .rows_affected())
}
