//! SQL of the e-mail outbox (server only, compile-checked). Any instance's worker claims waiting
//! messages with `FOR UPDATE SKIP LOCKED` under a time-limited claim, sends them, and marks each
//! sent or failed under that claim: two workers never hold one message, and a message whose
//! worker died is taken up again when its claim runs out.

use super::model::OutboxEntry;
use crate::domain::notify::{gives_up_after, retry_after};
use sqlx::PgExecutor;

/// A message a worker claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Tries so far, this one included.
    pub attempts: i32,
}

/// Claims up to `batch` messages due for a try, for `lease_seconds`.
pub async fn claim(
    db: impl PgExecutor<'_>,
    worker: &str,
    batch: i64,
    lease_seconds: f64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        "update outbox o
            set claimed_by = $1, claimed_until = now() + make_interval(secs => $3), attempts = o.attempts + 1
          where o.id in (select id from outbox
                          where sent_at is null and failed_at is null and next_attempt_at <= now()
                            and (claimed_until is null or claimed_until < now())
                          order by next_attempt_at, id
                          limit $2
                          for update skip locked)
          returning o.id, o.recipient, o.subject, o.body, o.attempts",
        worker,
        batch,
        lease_seconds,
    )
    .fetch_all(db)
    .await
}

/// Renews the worker's claim on a message just before it is sent, so that each send has a whole
/// claim however long the ones before it took; `false` when the claim was lost meanwhile (it
/// ran out and another worker took the message): then it is not sent.
pub async fn renew(
    db: impl PgExecutor<'_>,
    id: i64,
    worker: &str,
    lease_seconds: f64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "update outbox set claimed_until = now() + make_interval(secs => $3)
          where id = $1 and claimed_by = $2 and claimed_until > now() and sent_at is null and failed_at is null",
        id,
        worker,
        lease_seconds,
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Marks a claimed message sent; `false` when the claim was lost (it ran out and another worker
/// took the message).
pub async fn mark_sent(
    db: impl PgExecutor<'_>,
    id: i64,
    worker: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "update outbox set sent_at = now(), claimed_by = null, claimed_until = null, last_error = null
          where id = $1 and claimed_by = $2 and sent_at is null",
        id,
        worker,
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Records a failed try: the message waits [`retry_after`] its attempts, or is marked failed
/// after the last one or at once when the refusal is `permanent` (a mail server's 5xx, an
/// address that is no address). `error` is the answer, kept for the System Administrator.
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    message: &Claimed,
    worker: &str,
    error: &str,
    permanent: bool,
) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    let wait = retry_after(message.attempts).num_seconds() as f64;
    sqlx::query!(
        "update outbox
            set claimed_by = null, claimed_until = null, last_error = $3,
                next_attempt_at = now() + make_interval(secs => $4),
                failed_at = case when $5 then now() end
          where id = $1 and claimed_by = $2 and sent_at is null",
        message.id,
        worker,
        error,
        wait,
        permanent || gives_up_after(message.attempts),
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Hands back the worker's claims (shutdown): another instance sends them at once.
pub async fn release(db: impl PgExecutor<'_>, worker: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "update outbox set claimed_by = null, claimed_until = null, attempts = greatest(attempts - 1, 0)
          where claimed_by = $1 and sent_at is null and failed_at is null",
        worker,
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// The latest messages, for the System Administrator's outbox page.
pub async fn latest(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    sqlx::query_as!(
        OutboxEntry,
        r#"select id, recipient, subject, body, attempts,
                  to_char(created_at, 'MM/DD/YYYY HH24:MI') as "created!",
                  to_char(sent_at, 'MM/DD/YYYY HH24:MI') as sent,
                  to_char(failed_at, 'MM/DD/YYYY HH24:MI') as failed,
                  last_error
             from outbox order by created_at desc, id desc limit $1"#,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Messages waiting to be sent (the metrics' queue depth and the outbox page's summary).
pub async fn waiting(db: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from outbox where sent_at is null and failed_at is null"#
    )
    .fetch_one(db)
    .await
}
