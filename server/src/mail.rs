//! E-mail: this instance's outbox worker sends what the app queued in the `outbox` table over
//! SMTP (`THRESHOLD_SMTP_URL`, e.g. `smtp://user:password@mail.example:587?tls=required` or
//! `smtps://…`), from `THRESHOLD_MAIL_FROM`. Several instances each run one: a message is
//! claimed by one worker at a time (`FOR UPDATE SKIP LOCKED` and a claim that runs out), so
//! none is sent twice while its worker lives. Without a mail server nothing is sent and the
//! System Administrator reads the outbox page.

use app::features::notifications::outbox::{self, Claimed};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long a worker's claim on a message holds; renewed just before each send, so it need only
/// outlast one send (lettre's timeout is per network operation, a send makes several).
const CLAIM_SECONDS: f64 = 120.0;
const BATCH: i64 = 5;
const SEND_TIMEOUT: Duration = Duration::from_secs(15);
/// How long an idle worker waits before it looks again.
const IDLE: Duration = Duration::from_secs(2);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why one message could not be sent; `permanent` refusals are not tried again.
#[derive(Debug)]
pub struct SendError {
    pub text: String,
    pub permanent: bool,
}

impl Mailer {
    /// The mailer `THRESHOLD_SMTP_URL` names, or `None` when it is unset or empty.
    pub fn from_env() -> Result<Option<Self>, String> {
        let url = match std::env::var("THRESHOLD_SMTP_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => return Ok(None),
        };
        let from = std::env::var("THRESHOLD_MAIL_FROM")
            .unwrap_or_else(|_| "Threshold <threshold@localhost>".to_string());
        Self::new(url.trim(), &from).map(Some)
    }

    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            // The URL may hold a password: never echo it.
            .map_err(|_| "THRESHOLD_SMTP_URL is not an smtp:// or smtps:// address".to_string())?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = from
            .parse()
            .map_err(|_| format!("THRESHOLD_MAIL_FROM {from:?} is not an e-mail address"))?;
        Ok(Self { transport, from })
    }

    /// Sends one message as plain text.
    pub async fn send(&self, message: &Claimed) -> Result<(), SendError> {
        let to: Mailbox = message.recipient.parse().map_err(|_| SendError {
            text: "the recipient is not an e-mail address".into(),
            permanent: true,
        })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|error| SendError {
                text: error.to_string(),
                permanent: true,
            })?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|error| SendError {
                permanent: error.is_permanent(),
                text: error.to_string(),
            })
    }
}

/// Claims and sends one batch; how many messages it claimed.
pub async fn send_due(pool: &PgPool, mailer: &Mailer, worker: &str) -> Result<usize, sqlx::Error> {
    send_due_until(pool, mailer, worker, &AtomicBool::new(false)).await
}

/// [`send_due`], stopping before the next message once `stop` is set (shutdown): what it claimed
/// and did not start is handed back by [`OutboxWorker::stop`].
async fn send_due_until(
    pool: &PgPool,
    mailer: &Mailer,
    worker: &str,
    stop: &AtomicBool,
) -> Result<usize, sqlx::Error> {
    let claimed = outbox::claim(pool, worker, BATCH, CLAIM_SECONDS).await?;
    for message in &claimed {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // A whole claim for this send, whatever the ones before it took; a lost claim means
        // another worker has it.
        if !outbox::renew(pool, message.id, worker, CLAIM_SECONDS).await? {
            continue;
        }
        match mailer.send(message).await {
            Ok(()) => {
                if !outbox::mark_sent(pool, message.id, worker).await? {
                    tracing::warn!(
                        id = message.id,
                        "an e-mail's claim ran out while it was sent"
                    );
                }
            }
            Err(error) => {
                tracing::warn!(id = message.id, attempts = message.attempts, permanent = error.permanent, error = %error.text, "sending an e-mail failed");
                outbox::mark_failed(pool, message, worker, &error.text, error.permanent).await?;
            }
        }
    }
    Ok(claimed.len())
}

/// This instance's outbox worker: sends while there is mail, then looks again every [`IDLE`].
pub struct OutboxWorker {
    pub name: String,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl OutboxWorker {
    pub fn start(pool: PgPool, mailer: Mailer, name: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::task::spawn({
            let (stop, name) = (stop.clone(), name.clone());
            async move {
                while !stop.load(Ordering::Relaxed) {
                    match send_due_until(&pool, &mailer, &name, &stop).await {
                        Ok(n) if n > 0 => continue,
                        Ok(_) => {}
                        Err(error) => tracing::warn!(%error, "the outbox could not be read"),
                    }
                    tokio::time::sleep(IDLE).await;
                }
            }
        });
        Self { name, stop, task }
    }

    /// SIGTERM: lets the message being sent finish (at most the send timeout), then hands the
    /// claims on messages not started back, so another instance sends them at once and none
    /// twice.
    pub async fn stop(self, pool: &PgPool) {
        self.stop.store(true, Ordering::Relaxed);
        let task = self.task;
        if tokio::time::timeout(SEND_TIMEOUT + Duration::from_secs(1), task)
            .await
            .is_err()
        {
            tracing::warn!(
                "an e-mail was still being sent at shutdown: its claim runs out instead"
            );
            return;
        }
        match outbox::release(pool, &self.name).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(emails = n, "e-mails not yet sent put back in the outbox"),
            Err(error) => tracing::warn!(%error, "could not put e-mails back in the outbox"),
        }
    }
}

/// The notification job on this instance: every minute, the timeliness sweep and (from
/// [`DIGEST_HOUR`](app::features::notifications::sweep::DIGEST_HOUR) local time) the daily
/// digests; whichever instance takes the job's lock does the work.
pub fn start_notification_job(pool: PgPool) -> tokio::task::JoinHandle<()> {
    use app::features::notifications::sweep;
    use chrono::Timelike;
    tokio::task::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            let now = chrono::Local::now();
            let digests_due = now.hour() >= sweep::DIGEST_HOUR;
            match sweep::run_once(&pool, now.date_naive(), digests_due).await {
                Ok(Some(done)) if done != sweep::SweepOutcome::default() => {
                    tracing::info!(
                        referrals = done.transitions,
                        digests = done.digests,
                        "notification sweep"
                    )
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "the notification sweep failed"),
            }
        }
    })
}
