//! SQL of notifications (server only, compile-checked). Notifications are written inside the
//! transaction of the change they report, so a refused change notifies nobody.

use super::model::{NotificationItem, NotificationKind};
use crate::domain::notify::{notification_email, Delivery};
use crate::ssr::mail;
use sqlx::{PgExecutor, Postgres, Transaction};

/// What a change tells the other side: kind, text and link.
pub struct Notice<'a> {
    pub kind: NotificationKind,
    pub message: String,
    pub link: &'a str,
}

/// Notifies every active member of the organization but the actor. Members who want each
/// notification by e-mail get it queued in the outbox in the same statement (the e-mail says what
/// the notification says, and links to it).
pub async fn notify_organization(
    tx: &mut Transaction<'_, Postgres>,
    organization_id: i64,
    actor_id: i64,
    notice: &Notice<'_>,
) -> Result<(), sqlx::Error> {
    let email = notification_email(&notice.message, &mail::absolute(notice.link));
    sqlx::query!(
        "with sent as (
             insert into notifications (user_id, kind, message, link, organization_id)
             select distinct m.user_id, $3, $4, $5, m.organization_id
               from memberships m join users u on u.id = m.user_id
              where m.organization_id = $1 and m.deleted_at is null and u.active and u.deleted_at is null
                and u.id <> $2
             returning user_id)
         insert into outbox (user_id, recipient, subject, body)
         select u.id, u.email, $6, $7
           from sent join users u on u.id = sent.user_id
          where u.notification_delivery = $8 and length(trim(u.email)) >= 3",
        organization_id,
        actor_id,
        notice.kind.stored(),
        notice.message,
        notice.link,
        email.subject,
        email.body,
        Delivery::EmailNow.stored(),
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

/// The user's delivery preference and whether they have an e-mail address, with the version
/// the preference form is guarded by.
pub struct DeliveryRow {
    pub delivery: String,
    pub has_email: bool,
    pub version: i32,
}

pub async fn delivery(
    db: impl PgExecutor<'_>,
    user_id: i64,
) -> Result<Option<DeliveryRow>, sqlx::Error> {
    sqlx::query_as!(
        DeliveryRow,
        r#"select notification_delivery as delivery,
                  coalesce(length(trim(email)) >= 3, false) as "has_email!", version
             from users where id = $1 and deleted_at is null"#,
        user_id,
    )
    .fetch_optional(db)
    .await
}

/// Stores the preference if the user's row is still at `version`; the new version, or `None`
/// when someone changed the user in between.
pub async fn set_delivery(
    tx: &mut Transaction<'_, Postgres>,
    user_id: i64,
    version: i32,
    delivery: Delivery,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "update users set notification_delivery = $3, version = version + 1, updated_at = now(), updated_by = $1
          where id = $1 and version = $2 and deleted_at is null
          returning version",
        user_id,
        version,
        delivery.stored(),
    )
    .fetch_optional(&mut **tx)
    .await
}
