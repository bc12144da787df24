//! Every transaction ends exactly once: a walk through the CE Event form (acknowledge, resolve,
//! the form without JavaScript, refusals to other organizations) must not make PostgreSQL say
//! "there is no transaction in progress" (a COMMIT or ROLLBACK sent outside a transaction).
//! sqlx logs the server's notices as tracing events under `sqlx::postgres::notice`; a layer
//! collects them for the thread the test (and, on its single-threaded runtime, the app) runs on.

use crate::common::MIGRATIONS;
use crate::common::{spawn_app, today, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// The messages of PostgreSQL notices sqlx reported.
#[derive(Clone, Default)]
struct Notices(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_string();
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" && self.0.is_empty() {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Notices {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::postgres::notice" {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0.lock().unwrap().push(message.0);
        }
    }
}

impl Notices {
    fn about_transactions(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.contains("transaction"))
            .cloned()
            .collect()
    }
}

fn save_form(
    client: i64,
    event: i64,
    version: i32,
    ack: &str,
    result: &str,
    reason: &str,
) -> Vec<(&'static str, String)> {
    let result_date = if result.is_empty() {
        String::new()
    } else {
        today()
    };
    vec![
        ("client_id", client.to_string()),
        ("event_id", event.to_string()),
        ("version", version.to_string()),
        ("date_referral_acknowledged", ack.to_string()),
        ("provider_contact_name", "Casey Moreno".into()),
        ("provider_contact_phone", "(612) 555-0142".into()),
        ("provider_contact_email", "casey@northside.example".into()),
        ("referral_result", result.to_string()),
        ("result_date", result_date),
        ("resulting_enrollment", String::new()),
        ("not_housed_reason", reason.to_string()),
    ]
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn save(app: &TestApp, cookie: &str, form: &[(&'static str, String)]) -> (StatusCode, Value) {
    let reply = app.call("ce/save", &pairs(form), Some(cookie)).await;
    (reply.status, reply.body)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_ce_event_walk_ends_each_transaction_once(pool: PgPool) {
    let notices = Notices::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(notices.clone()));
    let app = spawn_app(pool).await;
    // The detector works: a ROLLBACK outside a transaction is reported.
    sqlx::query("rollback").execute(&app.pool).await.unwrap();
    assert_eq!(
        notices.about_transactions(),
        vec!["there is no transaction in progress".to_string()]
    );
    notices.0.lock().unwrap().clear();
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;

    // Acknowledge (with JavaScript).
    let (client, event) = app.event_of("Marisol", "Quintero").await;
    let version = app.event_version(event).await;
    let (status, body) = save(
        &app,
        &northside,
        &save_form(client, event, version, &today(), "", ""),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");

    // Resolve another referral: first refused (no reason), then saved.
    let (client2, event2) = app.event_of("Opal", "Hendricks").await;
    let v2 = app.event_version(event2).await;
    let (status, _) = save(
        &app,
        &northside,
        &save_form(client2, event2, v2, &today(), "2", ""),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = save(
        &app,
        &northside,
        &save_form(client2, event2, v2, &today(), "2", "1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");

    // Without JavaScript: a refused date, then a saved acknowledgement of a third referral.
    let (client3, event3) = app.event_of("Dashiell", "Okonkwo").await;
    let v3 = app.event_version(event3).await;
    let page = format!("/clients/{client3}/ce-events/{event3}");
    let bad = app
        .post_plain_form(
            "ce/save",
            &pairs(&save_form(client3, event3, v3, "2001-01-01", "", "")),
            &northside,
            &page,
        )
        .await;
    assert!(bad.status.is_redirection(), "{:?}", bad.body);
    assert_eq!(app.event_version(event3).await, v3);
    let good = app
        .post_plain_form(
            "ce/save",
            &pairs(&save_form(client3, event3, v3, &today(), "", "")),
            &northside,
            &page,
        )
        .await;
    assert!(good.status.is_redirection(), "{:?}", good.body);
    assert_eq!(app.event_version(event3).await, v3 + 1);

    // Other organizations are refused, and nothing changes.
    let v1 = app.event_version(event).await;
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let form = save_form(client, event, v1, &today(), "", "");
    assert_eq!(save(&app, &shelter, &form).await.0, StatusCode::NOT_FOUND);
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    assert_eq!(save(&app, &plm, &form).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.event_version(event).await, v1);

    // Connections go back to the pool (and flush a queued ROLLBACK) in the background.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(notices.about_transactions(), Vec::<String>::new());
}

/// A request dropped while its COMMIT is on the wire: with sqlx's own `commit` the dropped
/// transaction queues a ROLLBACK that follows the COMMIT on the pooled connection (the warning
/// seen once in a CE Event walk); `app::ssr::commit` finishes the COMMIT in a task of its own.
#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_commit_cut_short_by_a_dropped_request_ends_the_transaction_once(pool: PgPool) {
    let notices = Notices::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(notices.clone()));
    // One connection, so the next query runs on the connection the dropped commit left.
    let options = pool.connect_options().as_ref().clone();
    let single = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    // A COMMIT that takes 200 ms (a deferred trigger), so a request can be dropped during it.
    for statement in [
        "create table commits (n int)",
        "create function slow_commit() returns trigger language plpgsql as
           $$ begin perform pg_sleep(0.2); return null; end $$",
        "create constraint trigger slow_commit after insert on commits
           deferrable initially deferred for each row execute function slow_commit()",
    ] {
        sqlx::query(statement).execute(&single).await.unwrap();
    }

    let cut_short = |commit: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>| async move {
        // Dropped while the COMMIT runs, as a request future is when its client goes away.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(50), commit).await;
    };

    // sqlx's own commit: the detector sees the stray ROLLBACK.
    let mut tx = single.begin().await.unwrap();
    sqlx::query("insert into commits values (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    cut_short(Box::pin(async move {
        let _ = tx.commit().await;
    }))
    .await;
    sqlx::query("select 1").execute(&single).await.unwrap();
    assert!(
        !notices.about_transactions().is_empty(),
        "the detector sees a ROLLBACK after a dropped COMMIT"
    );
    notices.0.lock().unwrap().clear();

    // The app's commit: the COMMIT completes and nothing follows it.
    let mut tx = single.begin().await.unwrap();
    sqlx::query("insert into commits values (2)")
        .execute(&mut *tx)
        .await
        .unwrap();
    cut_short(Box::pin(async move {
        let _ = app::ssr::commit(tx).await;
    }))
    .await;
    sqlx::query("select 1").execute(&single).await.unwrap();
    assert_eq!(notices.about_transactions(), Vec::<String>::new());
    let committed: i64 = sqlx::query_scalar("select count(*) from commits where n = 2")
        .fetch_one(&single)
        .await
        .unwrap();
    assert_eq!(committed, 1, "the COMMIT landed");
}
