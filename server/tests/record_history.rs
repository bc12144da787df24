//! The History of an administered record (user, organization, project) is rendered on the
//! server without the server logging an error: its server function runs in an owner that can
//! still reach the `PgPool` context (defect #18.1: a copy of it, created in a Suspense child's
//! dry run, ran after its owner was disposed and logged `no PgPool in context`).

#[path = "api/common.rs"]
mod common;

use common::spawn_app;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

const MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// What the server logs at ERROR level in this test process.
fn error_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = {
            let log = log.clone();
            move || Capture(log.clone())
        };
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::ERROR)
            .with_ansi(false)
            .with_writer(writer)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        log
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn administered_records_render_their_history_without_a_server_error(pool: PgPool) {
    let log = error_log();
    let app = spawn_app(pool).await;
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let user: i64 = sqlx::query_scalar("select id from users where username = 'caseworker'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let organization = app.organization_id("Northside Housing Partners").await;
    let project: i64 =
        sqlx::query_scalar("select min(id) from projects where organization_id = $1")
            .bind(organization)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // Something in each history, so the test sees it rendered.
    for (entity, id) in [
        ("user", user),
        ("organization", organization),
        ("project", project),
    ] {
        sqlx::query(
            "insert into audit_log (user_id, action, entity, entity_id, after)
             select id, 'update', $1, $2, '{\"Note\": \"checked by the test\"}' from users where username = 'admin'",
        )
        .bind(entity)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    log.lock().unwrap().clear();

    let http = reqwest::Client::new();
    let pages = [
        format!("/admin/users/{user}"),
        format!("/admin/organizations/{organization}"),
        format!("/admin/projects/{project}"),
    ];
    for round in 0..12 {
        for page in &pages {
            let response = http
                .get(format!("{}{page}", app.base))
                .header(reqwest::header::COOKIE, &admin)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{page} (round {round})");
            let html = response.text().await.unwrap();
            assert!(html.contains("History"), "{page}: no History");
            assert!(
                html.contains("Note: checked by the test"),
                "{page}: the History is not rendered (round {round})"
            );
        }
    }
    // A server function still running after the page was sent logs when it ends.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let logged = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    assert!(
        !logged.contains("ERROR"),
        "the server logged errors while rendering:\n{logged}"
    );
}
