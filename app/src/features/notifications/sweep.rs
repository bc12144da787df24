//! The scheduled notification job (server only): the timeliness sweep tells the provider and the
//! CoC's Coordinated Entry organization when an open referral becomes due tomorrow or overdue,
//! and the daily digests go to users who chose them. Every instance runs it; one runs it at a
//! time (a transaction-level advisory lock), and what was told is remembered in the database
//! (`timeliness_notices`, `notification_digests`), so a restart or a second runner never tells
//! anything twice.

use super::model::NotificationKind;
use super::store::{notify_coordinated_entry, notify_organization, Notice};
use crate::domain::notify::{digest_email, Delivery, Transition};
use crate::routes;
use crate::ssr::mail;
use chrono::NaiveDate;
use sqlx::PgPool;

/// The advisory lock key of the job (any constant both runners agree on: "THRSWEEP").
const SWEEP_LOCK: i64 = 0x5448_5253_5745_4550;

/// The most referrals one run tells about, and the most digests it makes: the rest wait for the
/// next run (bounded work per run, however long the job was not running).
pub const SWEEP_BATCH: i64 = 500;
pub const DIGEST_BATCH: i64 = 200;

/// The local hour from which a day's digests go out.
pub const DIGEST_HOUR: u32 = 7;

/// How far back an overdue referral is still told about: the first runs after a deploy (or a
/// long outage) tell of what became overdue lately, not of every referral ever late.
pub const OVERDUE_LOOKBACK_DAYS: i32 = 7;

/// How long a sent (or given-up) e-mail stays in the outbox for the System Administrator to read;
/// the sweep deletes older ones, at most [`PRUNE_BATCH`] a run.
pub const OUTBOX_RETENTION_DAYS: i32 = 30;
pub const PRUNE_BATCH: i64 = 1000;

/// Nobody: the job acts for no user, so no member of an organization is left out as the actor.
const NO_ACTOR: i64 = 0;

/// What one run did; `None` when another runner held the job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepOutcome {
    /// Referrals told about (each to both sides).
    pub transitions: usize,
    /// Digests queued in the outbox.
    pub digests: usize,
    /// Sent or given-up e-mails deleted after [`OUTBOX_RETENTION_DAYS`].
    pub pruned: u64,
}

/// One run of the job for `today`; digests only when `digests_due` (from [`DIGEST_HOUR`]).
pub async fn run_once(
    pool: &PgPool,
    today: NaiveDate,
    digests_due: bool,
) -> Result<Option<SweepOutcome>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let held: bool = sqlx::query_scalar!(
        r#"select pg_try_advisory_xact_lock($1) as "held!""#,
        SWEEP_LOCK
    )
    .fetch_one(&mut *tx)
    .await?;
    if !held {
        crate::ssr::rollback(tx).await?;
        return Ok(None);
    }
    let transitions = sqlx::query!(
        r#"with candidates as (
               select ev.id, ev.client_id, ev.need_status_due as due_on,
                      case when ev.need_status_due < $1 then 'overdue' else 'due_tomorrow' end as transition
                 from ce_events ev
                 join clients c on c.id = ev.client_id
                where ev.deleted_at is null and c.deleted_at is null and ev.referral_result is null and ev.closed_on is null
                  and ((ev.need_status_due < $1 and ev.need_status_due >= $1 - $3::int) or ev.need_status_due = $1 + 1)
                  and not exists (select 1 from timeliness_notices t
                                   where t.ce_event_id = ev.id and t.due_on = ev.need_status_due
                                     and t.transition = case when ev.need_status_due < $1 then 'overdue' else 'due_tomorrow' end)
                order by ev.need_status_due, ev.id
                limit $2
           ), told as (
               insert into timeliness_notices (ce_event_id, transition, due_on)
               select id, transition, due_on from candidates
               on conflict do nothing
               returning ce_event_id, transition
           )
           select told.ce_event_id as "event_id!", told.transition as "transition!", c.client_id as "client_id!",
                  p.name as project, p.organization_id as receiving_org, cep.coc_code as coc
             from told
             join candidates c on c.id = told.ce_event_id
             join ce_events ev on ev.id = told.ce_event_id
             join projects p on p.id = ev.referred_project_id
             join enrollments ce on ce.id = ev.enrollment_id
             join projects cep on cep.id = ce.project_id"#,
        today,
        SWEEP_BATCH,
        OVERDUE_LOOKBACK_DAYS,
    )
    .fetch_all(&mut *tx)
    .await?;
    for told in &transitions {
        let Some(transition) = Transition::from_stored(&told.transition) else {
            continue;
        };
        let kind = NotificationKind::of_transition(transition);
        let link = routes::ce_event(told.client_id, told.event_id);
        let notice = Notice {
            kind,
            message: kind.message(&told.project, ""),
            link: &link,
        };
        notify_organization(&mut tx, told.receiving_org, NO_ACTOR, &notice).await?;
        notify_coordinated_entry(&mut tx, &told.coc, NO_ACTOR, &notice).await?;
    }
    let digests = if digests_due {
        queue_digests(&mut tx, today).await?
    } else {
        0
    };
    let pruned = prune_outbox(&mut tx).await?;
    crate::ssr::commit(tx).await?;
    Ok(Some(SweepOutcome {
        transitions: transitions.len(),
        digests,
        pruned,
    }))
}

/// Deletes e-mails sent or given up more than [`OUTBOX_RETENTION_DAYS`] ago (the outbox is not an
/// archive: what was sent is told by the notifications, which stay). Waiting ones are never
/// deleted, however old.
async fn prune_outbox(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        // The ids first (array(...)): the oldest finished rows in `outbox_done` order, then
        // each by its primary key.
        "delete from outbox where id = any(array(
             select id from outbox
              where (sent_at is not null or failed_at is not null)
                and coalesce(sent_at, failed_at) < now() - make_interval(days => $1)
              order by coalesce(sent_at, failed_at), id
              limit $2))",
        OUTBOX_RETENTION_DAYS,
        PRUNE_BATCH,
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Queues today's digest for each user who chose one: the first run of the day (from
/// [`DIGEST_HOUR`]) records the day for every such user, and those with unread notifications no
/// digest listed yet get one e-mail; each listed notification is marked, so tomorrow's lists only
/// newer ones. What arrives later in the day waits for tomorrow's digest.
async fn queue_digests(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    today: NaiveDate,
) -> Result<usize, sqlx::Error> {
    let users = sqlx::query!(
        r#"with due as (
               select u.id from users u
                where u.notification_delivery = $2 and u.active and u.deleted_at is null
                  and length(trim(u.email)) >= 3
                  and not exists (select 1 from notification_digests d where d.user_id = u.id and d.day = $1)
                order by u.id
                limit $3
           ), made as (
               insert into notification_digests (user_id, day) select id, $1 from due
               on conflict do nothing returning user_id
           )
           select u.id, u.email as "email!" from made join users u on u.id = made.user_id order by u.id"#,
        today,
        Delivery::DailyDigest.stored(),
        DIGEST_BATCH,
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut queued = 0;
    for user in &users {
        // Bounded: a digest lists the latest 50 and counts up to 500.
        let unread = sqlx::query!(
            "select n.id, n.message, n.link from notifications n
              where n.user_id = $1 and n.read_at is null and n.digested_at is null
                and exists (select 1 from memberships m where m.user_id = n.user_id
                              and m.organization_id = n.organization_id and m.deleted_at is null)
              order by n.created_at desc, n.id desc limit 500",
            user.id,
        )
        .fetch_all(&mut **tx)
        .await?;
        let items: Vec<(String, String)> = unread
            .iter()
            .map(|n| (n.message.clone(), mail::absolute(&n.link)))
            .collect();
        let Some(email) = digest_email(today, &items, &mail::absolute(routes::NOTIFICATIONS))
        else {
            continue;
        };
        let ids: Vec<i64> = unread.iter().map(|n| n.id).collect();
        sqlx::query!(
            "insert into outbox (user_id, recipient, subject, body) values ($1, $2, $3, $4)",
            user.id,
            user.email,
            email.subject,
            email.body,
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "update notifications set digested_at = now() where id = any($1)",
            &ids,
        )
        .execute(&mut **tx)
        .await?;
        queued += 1;
    }
    Ok(queued)
}
