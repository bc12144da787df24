//! Every request is logged in a span of its own that names the path, the user and the
//! organization, and never client data: not a search's terms (query string), not a form body.

#[path = "api/common.rs"]
mod common;

use common::spawn_app;
use reqwest::{header, StatusCode};
use sqlx::PgPool;
use std::io::Write;
use std::sync::{Arc, Mutex};

const MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The log lines of this test binary.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_request_span_names_who_acted_where_and_no_client_data(pool: PgPool) {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter("info,tower_http=debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let app = spawn_app(pool).await;
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    let coordinated_entry = app.organization_id("Riverbend CoC Coordinated Entry").await;

    let list = app
        .call(
            "ce/priority_list",
            &[
                ("query", "ashby"),
                ("pending", ""),
                ("sort", ""),
                ("page", "1"),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let page = app
        .http
        .get(format!("{}/priority-list?q=Wendell+Ashby", app.base))
        .header(header::COOKIE, &plm)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Wendell Ashby"));

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let api_line = text
        .lines()
        .find(|l| l.contains("path=\"/api/ce/priority_list\"") && l.contains("finished processing"))
        .unwrap_or_else(|| panic!("no span for the server function in:\n{text}"));
    assert!(api_line.contains("user_id="), "{api_line}");
    assert!(
        api_line.contains(&format!("organization_id={coordinated_entry}")),
        "{api_line}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("path=\"/priority-list\"") && l.contains("user_id=")),
        "no span for the page in:\n{text}"
    );
    assert!(
        !text.to_lowercase().contains("ashby"),
        "a client's name reached the log:\n{text}"
    );
}
