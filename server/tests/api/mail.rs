//! E-mail and the notification job: each user's delivery preference, the outbox sent over a real
//! SMTP server (aiosmtpd, installed by `scripts/lib.sh ensure_aiosmtpd`) once per message
//! however many workers, retries, the timeliness sweep's once-only notices under concurrent
//! runners, and the daily digest. No e-mail names a client.

use crate::common::{scratch_dir, spawn_app, TestApp, MIGRATIONS};
use app::features::ce_events::api::EventRef;
use app::features::notes::api::AddCeEventNote;
use app::features::notifications::api::{DeliveryDraft, SaveDelivery};
use app::features::notifications::{outbox, sweep};
use app::features::returns::api::{ReturnDraft, ReturnForRematch};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::mail::{send_due, Mailer};
use sqlx::PgPool;
use std::path::PathBuf;
use std::time::Duration;

/// A real SMTP server on a free port that stores what it receives in a Maildir.
struct Smtpd {
    child: std::process::Child,
    port: u16,
    maildir: PathBuf,
}

impl Smtpd {
    fn python() -> PathBuf {
        if let Some(python) = std::env::var_os("THRESHOLD_TEST_SMTPD") {
            return python.into();
        }
        let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/aiosmtpd/bin/python");
        assert!(
            local.exists(),
            "aiosmtpd is not installed: run `bash -c 'source scripts/lib.sh; ensure_aiosmtpd'` (scripts/test does)"
        );
        local
    }

    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // A Maildir the handler makes itself (it makes none inside a folder that exists).
        let maildir = scratch_dir("smtpd").join("maildir");
        let child = std::process::Command::new(Self::python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                "-l",
            ])
            .arg(format!("127.0.0.1:{port}"))
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        // Made before it listens, so that a failed start still stops it (Drop).
        let smtpd = Self {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return smtpd;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on port {port}");
    }

    fn mailer(&self) -> Mailer {
        Mailer::new(
            &format!("smtp://127.0.0.1:{}", self.port),
            "Threshold <threshold@riverbend-hmis.example>",
        )
        .unwrap()
    }

    /// Every message received, as stored (headers and body), folded header lines and soft line
    /// breaks of quoted-printable undone.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut messages: Vec<String> = entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .map(|m| {
                m.replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("\r\n ", " ")
                    .replace("\n ", " ")
            })
            .collect();
        messages.sort();
        messages
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(folder) = self.maildir.parent() {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

/// Sends until the outbox has nothing due.
async fn drain(pool: &PgPool, mailer: &Mailer, worker: &str) -> usize {
    let mut sent = 0;
    loop {
        match send_due(pool, mailer, worker).await.unwrap() {
            0 => return sent,
            n => sent += n,
        }
    }
}

async fn delivery(app: &TestApp, cookie: &str) -> Value {
    let reply = app.call("notifications/delivery", &[], Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn choose(app: &TestApp, cookie: &str, choice: &str, version: i64) -> crate::common::Reply {
    app.call_fn(
        &SaveDelivery {
            delivery: DeliveryDraft {
                choice: choice.into(),
                version: version.to_string(),
            },
        },
        Some(cookie),
    )
    .await
}

/// Chooses `choice` for the signed-in user at their current version.
async fn choose_now(app: &TestApp, cookie: &str, choice: &str) {
    let version = delivery(app, cookie).await["version"].as_i64().unwrap();
    let reply = choose(app, cookie, choice, version).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

async fn open_referral(app: &TestApp, first: &str, last: &str) -> EventRef {
    let (client_id, event_id) = app.event_of(first, last).await;
    EventRef {
        client_id,
        event_id,
        version: app.event_version(event_id).await,
    }
}

async fn return_for_rematch(app: &TestApp, cookie: &str, record: EventRef) {
    let reason: i64 = sqlx::query_scalar(
        "select id from return_reasons where coc_code = 'RB-501' and label = 'No unit available'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let reply = app
        .call_fn(
            &ReturnForRematch {
                record,
                returned: ReturnDraft {
                    reason: reason.to_string(),
                    note: "The unit failed inspection.".into(),
                },
            },
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

async fn outbox_rows(pool: &PgPool, recipient: &str) -> Vec<(String, String)> {
    sqlx::query_as("select subject, body from outbox where recipient = $1 order by id")
        .bind(recipient)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn delivery_is_each_users_own_choice_and_email_needs_an_address(pool: PgPool) {
    let app = spawn_app(pool).await;
    let casey = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    let before = delivery(&app, &casey).await;
    assert_eq!(before["delivery"], json!("InApp"));
    assert_eq!(before["has_email"], json!(true));
    let version = before["version"].as_i64().unwrap();

    // Refusals at the field, and nothing saved: an unknown choice, a stale version.
    let unknown = choose(&app, &casey, "sms", version).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.body,
        json!({"Invalid": {"choice": "Choose how to be notified."}})
    );
    assert_eq!(
        choose(&app, &casey, "email_now", version - 1).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        choose(&app, &casey, "email_now", version).await.status,
        StatusCode::OK
    );
    let after = delivery(&app, &casey).await;
    assert_eq!(after["delivery"], json!("EmailNow"));
    assert_eq!(after["version"], json!(version + 1));
    // The same version again is stale now.
    assert_eq!(
        choose(&app, &casey, "in_app", version).await.status,
        StatusCode::CONFLICT
    );
    let audited: Vec<(Value, Value)> = sqlx::query_as(
        "select before, after from audit_log where entity = 'notification_delivery' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec![(
            json!({"delivery": "in_app"}),
            json!({"delivery": "email_now"})
        )]
    );
    // Another user's choice is untouched.
    assert_eq!(delivery(&app, &plm).await["delivery"], json!("InApp"));

    // Without an address on file only "In Threshold only" is accepted.
    sqlx::query("update users set email = null where username = 'shelter'")
        .execute(&app.pool)
        .await
        .unwrap();
    let jordan = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let shelter = delivery(&app, &jordan).await;
    assert_eq!(shelter["has_email"], json!(false));
    let jordan_version = shelter["version"].as_i64().unwrap();
    for choice in ["email_now", "daily_digest"] {
        let refused = choose(&app, &jordan, choice, jordan_version).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body["Invalid"]["choice"]
            .as_str()
            .unwrap()
            .contains("no e-mail address on file"));
    }
    assert_eq!(
        choose(&app, &jordan, "in_app", jordan_version).await.status,
        StatusCode::OK
    );
    // Signed out: refused.
    let anonymous = app
        .call_fn(
            &SaveDelivery {
                delivery: DeliveryDraft {
                    choice: "in_app".into(),
                    version: "1".into(),
                },
            },
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_return_is_emailed_at_once_to_who_chose_it_and_names_no_client(pool: PgPool) {
    let app = spawn_app(pool).await;
    let smtpd = Smtpd::start().await;
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    choose_now(&app, &plm, "email_now").await;
    let marisol = open_referral(&app, "Marisol", "Quintero").await;
    return_for_rematch(&app, &northside, marisol).await;

    // Queued in the return's transaction for the PLM only (the assessor kept "in Threshold").
    let queued = outbox_rows(&app.pool, "plm@riverbend-hmis.example").await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    let everyone: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(everyone, 1);

    assert_eq!(drain(&app.pool, &smtpd.mailer(), "worker-a").await, 1);
    let arrived = smtpd.messages();
    assert_eq!(arrived.len(), 1);
    let mail = &arrived[0];
    assert!(mail.contains("To: plm@riverbend-hmis.example"), "{mail}");
    assert!(mail.contains("Subject: Threshold: A referral to Northside Permanent Supportive Housing was returned for rematch"), "{mail}");
    let link = format!(
        "http://localhost:3000/clients/{}/ce-events/{}",
        marisol.client_id, marisol.event_id
    );
    assert!(mail.contains(&link), "{mail}");
    // HMIS privacy: nothing of the client, not even in the note the provider wrote.
    for personal in ["Marisol", "Quintero", "failed inspection"] {
        assert!(!mail.contains(personal), "{personal} in {mail}");
    }
    let sent: bool = sqlx::query_scalar("select sent_at is not null from outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(sent);
    // Sent once: nothing is due any more.
    assert_eq!(drain(&app.pool, &smtpd.mailer(), "worker-b").await, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn two_workers_send_each_message_exactly_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let smtpd = Smtpd::start().await;
    const MESSAGES: usize = 40;
    for i in 0..MESSAGES {
        sqlx::query(
            "insert into outbox (recipient, subject, body) values ($1, $2, 'A test message.')",
        )
        .bind(format!("user{i}@riverbend-hmis.example"))
        .bind(format!("Message {i:02}"))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let (one, two) = (smtpd.mailer(), smtpd.mailer());
    let (a, b) = tokio::join!(
        drain(&app.pool, &one, "worker-a"),
        drain(&app.pool, &two, "worker-b")
    );
    assert_eq!(a + b, MESSAGES, "claimed {a} + {b}");
    assert!(a > 0 && b > 0, "both workers took part: {a} and {b}");
    let arrived = smtpd.messages();
    assert_eq!(arrived.len(), MESSAGES);
    for i in 0..MESSAGES {
        let subject = format!("Subject: Message {i:02}");
        assert_eq!(
            arrived.iter().filter(|m| m.contains(&subject)).count(),
            1,
            "{subject}"
        );
    }
    let unsent: i64 = sqlx::query_scalar("select count(*) from outbox where sent_at is null")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(unsent, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_refused_try_waits_a_dead_workers_claim_runs_out_and_a_bad_address_gives_up(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    sqlx::query(
        "insert into outbox (recipient, subject, body) values
             ('plm@riverbend-hmis.example', 'Good address', 'x'), ('not an address', 'Bad address', 'x')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // No mail server on this port: a refusal the outbox tries again later.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere =
        Mailer::new(&format!("smtp://127.0.0.1:{closed}"), "threshold@localhost").unwrap();
    assert_eq!(send_due(&app.pool, &nowhere, "worker-a").await.unwrap(), 2);
    let rows: Vec<(String, i32, bool, bool, bool, bool)> = sqlx::query_as(
        "select subject, attempts, failed_at is not null, last_error is not null,
                next_attempt_at > now() + interval '20 seconds', claimed_by is null
           from outbox order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("Good address".into(), 1, false, true, true, true),
            ("Bad address".into(), 1, true, true, true, true),
        ]
    );
    // Waiting out its backoff, it is not due: nothing to claim.
    assert_eq!(send_due(&app.pool, &nowhere, "worker-a").await.unwrap(), 0);

    // A worker that claimed it and died: nobody else takes it while the claim holds, anyone
    // once it ran out.
    sqlx::query("update outbox set next_attempt_at = now() where subject = 'Good address'")
        .execute(&app.pool)
        .await
        .unwrap();
    let dead = outbox::claim(&app.pool, "worker-dead", 10, 60.0)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert!(outbox::claim(&app.pool, "worker-b", 10, 60.0)
        .await
        .unwrap()
        .is_empty());
    sqlx::query("update outbox set claimed_until = now() - interval '1 second' where claimed_by = 'worker-dead'")
        .execute(&app.pool)
        .await
        .unwrap();
    let taken = outbox::claim(&app.pool, "worker-b", 10, 60.0)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].attempts, 3);
    // The dead worker's late answer is refused: the message is worker-b's now.
    assert!(!outbox::mark_sent(&app.pool, dead[0].id, "worker-dead")
        .await
        .unwrap());
    assert!(outbox::mark_sent(&app.pool, taken[0].id, "worker-b")
        .await
        .unwrap());
    // A shutdown hands claims back without counting the try.
    sqlx::query(
        "insert into outbox (recipient, subject, body) values ('a@b.example', 'Later', 'x')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        outbox::claim(&app.pool, "worker-c", 10, 60.0)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(outbox::release(&app.pool, "worker-c").await.unwrap(), 1);
    let later: (i32, bool) =
        sqlx::query_as("select attempts, claimed_by is null from outbox where subject = 'Later'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(later, (0, true));
}

/// Members of an organization (the people a notice to it reaches).
async fn members(pool: &PgPool, organization: &str) -> i64 {
    sqlx::query_scalar(
        "select count(distinct m.user_id) from memberships m join organizations o on o.id = m.organization_id
          join users u on u.id = m.user_id
          where o.name = $1 and m.deleted_at is null and u.active and u.deleted_at is null",
    )
    .bind(organization)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn notices_about(pool: &PgPool, link: &str, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from notifications where link = $1 and kind = $2")
        .bind(link)
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_sweep_tells_each_transition_once_however_many_runners(pool: PgPool) {
    let app = spawn_app(pool).await;
    let today = chrono::Local::now().date_naive();
    let marisol = open_referral(&app, "Marisol", "Quintero").await;
    // One referral due tomorrow, one overdue for a month (before the lookback: not told); every
    // other open one not due at all (a clean slate).
    sqlx::query("update ce_events set need_status_due = case when id = $1 then $2 else null end")
        .bind(marisol.event_id)
        .bind(today + chrono::Duration::days(1))
        .execute(&app.pool)
        .await
        .unwrap();
    let long_overdue = open_referral(&app, "Opal", "Hendricks").await;
    sqlx::query("update ce_events set need_status_due = $2 where id = $1")
        .bind(long_overdue.event_id)
        .bind(today - chrono::Duration::days(30))
        .execute(&app.pool)
        .await
        .unwrap();
    let link = format!(
        "/clients/{}/ce-events/{}",
        marisol.client_id, marisol.event_id
    );
    let both_sides = members(&app.pool, "Northside Housing Partners").await
        + members(&app.pool, "Riverbend CoC Coordinated Entry").await;
    assert!(both_sides >= 3);

    // Four runners at once: one holds the job, the others find it held or nothing left.
    let runs =
        futures_util::future::join_all((0..4).map(|_| sweep::run_once(&app.pool, today, false)))
            .await;
    let told: usize = runs
        .iter()
        .map(|r| r.as_ref().unwrap().map_or(0, |o| o.transitions))
        .sum();
    assert_eq!(told, 1, "{runs:?}");
    assert_eq!(
        notices_about(&app.pool, &link, "referral_due_tomorrow").await,
        both_sides
    );
    let message: String =
        sqlx::query_scalar("select message from notifications where link = $1 limit 1")
            .bind(&link)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        message,
        "A referral to Northside Permanent Supportive Housing is due tomorrow under the CoC's timeliness standards."
    );
    // Again the same day, and on the due date itself: nothing new.
    for day in [today, today + chrono::Duration::days(1)] {
        let again = sweep::run_once(&app.pool, day, false).await.unwrap();
        assert_eq!(again.map(|o| o.transitions), Some(0), "{day}");
    }
    // The day after the due date it is overdue: told once, however often the job runs.
    let later = today + chrono::Duration::days(2);
    let runs =
        futures_util::future::join_all((0..3).map(|_| sweep::run_once(&app.pool, later, false)))
            .await;
    let told: usize = runs
        .iter()
        .map(|r| r.as_ref().unwrap().map_or(0, |o| o.transitions))
        .sum();
    assert_eq!(told, 1);
    let opal = format!(
        "/clients/{}/ce-events/{}",
        long_overdue.client_id, long_overdue.event_id
    );
    assert_eq!(notices_about(&app.pool, &opal, "referral_overdue").await, 0);
    assert_eq!(
        notices_about(&app.pool, &link, "referral_overdue").await,
        both_sides
    );
    assert_eq!(
        notices_about(&app.pool, &link, "referral_due_tomorrow").await,
        both_sides
    );
    // A resolved referral is not told about.
    sqlx::query("update ce_events set need_status_due = $2 where id = $1")
        .bind(marisol.event_id)
        .bind(later + chrono::Duration::days(1))
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("update ce_events set referral_result = 3, result_date = event_date where id = $1")
        .bind(marisol.event_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let resolved = sweep::run_once(&app.pool, later, false).await.unwrap();
    assert_eq!(resolved.map(|o| o.transitions), Some(0));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_daily_digest_lists_the_unread_once_a_day_and_names_no_client(pool: PgPool) {
    let app = spawn_app(pool).await;
    let smtpd = Smtpd::start().await;
    let today = chrono::Local::now().date_naive();
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    choose_now(&app, &plm, "daily_digest").await;
    // No referral due or overdue: the sweep adds no notices of its own here.
    sqlx::query("update ce_events set need_status_due = null")
        .execute(&app.pool)
        .await
        .unwrap();
    let marisol = open_referral(&app, "Marisol", "Quintero").await;
    return_for_rematch(&app, &northside, marisol).await;
    // Nothing goes out at once for a digest user, nor before the digest hour.
    assert!(outbox_rows(&app.pool, "plm@riverbend-hmis.example")
        .await
        .is_empty());
    sweep::run_once(&app.pool, today, false).await.unwrap();
    assert!(outbox_rows(&app.pool, "plm@riverbend-hmis.example")
        .await
        .is_empty());

    let first = sweep::run_once(&app.pool, today, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.digests, 1);
    let again = sweep::run_once(&app.pool, today, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.digests, 0, "one digest a day");
    let digests = outbox_rows(&app.pool, "plm@riverbend-hmis.example").await;
    assert_eq!(digests.len(), 1);
    assert_eq!(
        digests[0].0,
        format!(
            "Threshold: 1 unread notification ({})",
            today.format("%m/%d/%Y")
        )
    );
    // Tomorrow: nothing new unread at the digest hour, so no digest; a note arriving later that
    // day waits for the day after's digest instead of going out alone a minute later.
    let tomorrow = today + chrono::Duration::days(1);
    let first_tomorrow = sweep::run_once(&app.pool, tomorrow, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first_tomorrow.digests, 0);
    let noted = app
        .call_fn(
            &AddCeEventNote {
                client_id: marisol.client_id,
                event_id: marisol.event_id,
                body: "Marisol will call back.".into(),
            },
            Some(&northside),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK, "{:?}", noted.body);
    let later_tomorrow = sweep::run_once(&app.pool, tomorrow, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        later_tomorrow.digests, 0,
        "the day's digest was made at the digest hour"
    );
    let day_after = sweep::run_once(&app.pool, tomorrow + chrono::Duration::days(1), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(day_after.digests, 1);
    let digests = outbox_rows(&app.pool, "plm@riverbend-hmis.example").await;
    assert_eq!(digests.len(), 2);
    assert!(digests[1]
        .1
        .contains("added a note on a referral to Northside Permanent Supportive Housing."));
    assert!(
        !digests[1].1.contains("returned for rematch"),
        "listed once only"
    );
    assert!(!digests[1].1.contains("call back"), "no note text");

    assert_eq!(drain(&app.pool, &smtpd.mailer(), "worker-a").await, 2);
    let arrived: Vec<String> = smtpd
        .messages()
        .into_iter()
        .filter(|m| m.contains("returned for rematch"))
        .collect();
    assert_eq!(arrived.len(), 1);
    assert!(arrived[0].contains("returned for rematch: No unit available."));
    assert!(arrived[0].contains("http://localhost:3000/notifications"));
    for personal in ["Marisol", "Quintero", "failed inspection"] {
        assert!(!arrived[0].contains(personal), "{personal}");
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_sweep_deletes_e_mails_sent_or_given_up_thirty_days_ago_and_keeps_waiting_ones(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    // (subject, sent, failed): a minute either side of the 30 days.
    for (subject, sent, failed) in [
        (
            "sent 30 days and a minute ago",
            Some("30 days 1 minute"),
            None,
        ),
        (
            "sent a minute short of 30 days ago",
            Some("29 days 23 hours 59 minutes"),
            None,
        ),
        ("given up 40 days ago", None, Some("40 days")),
        ("waiting for 60 days", None, None),
    ] {
        sqlx::query(
            "insert into outbox (recipient, subject, body, created_at, sent_at, failed_at)
             values ('someone@example.org', $1, 'A referral changed.', now() - interval '60 days',
                     now() - $2::interval, now() - $3::interval)",
        )
        .bind(subject)
        .bind(sent)
        .bind(failed)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let today = chrono::Local::now().date_naive();
    let outcome = sweep::run_once(&app.pool, today, false)
        .await
        .unwrap()
        .expect("the job was free");
    assert_eq!(outcome.pruned, 2);
    let left: Vec<String> = sqlx::query_scalar(
        "select subject from outbox where recipient = 'someone@example.org' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        left,
        ["sent a minute short of 30 days ago", "waiting for 60 days"]
    );
    let again = sweep::run_once(&app.pool, today, false).await.unwrap();
    assert_eq!(again.map(|o| o.pruned), Some(0));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_outbox_page_is_for_system_administrators_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    sqlx::query("insert into outbox (recipient, subject, body) values ('plm@riverbend-hmis.example', 'Threshold: New referral to P.', 'x')")
        .execute(&app.pool)
        .await
        .unwrap();
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let page = app.call("admin/outbox", &[], Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert_eq!(page.body["waiting"], json!(1));
    assert_eq!(page.body["sending"], json!(false));
    assert_eq!(
        page.body["entries"][0]["subject"],
        json!("Threshold: New referral to P.")
    );
    for (user, workgroup, organization) in [
        ("plm", 3, "Riverbend CoC Coordinated Entry"),
        ("caseworker", 1, "Northside Housing Partners"),
    ] {
        let cookie = app.sign_in_as(user, workgroup, organization).await;
        let refused = app.call("admin/outbox", &[], Some(&cookie)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{user}");
    }
    assert_eq!(
        app.call("admin/outbox", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
