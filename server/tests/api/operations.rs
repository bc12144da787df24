//! Operations endpoints a load balancer and an orchestrator use (issue 17): `/healthz` for the
//! process, `/readyz` for the database and its migrations (neither creates a session), and the
//! Prometheus metrics on their own listener; sessions shared by two instances.

use crate::common::{serve, spawn_app, TestApp, MIGRATIONS};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

/// A probe's answer: status, text, and whether it set a cookie.
async fn probe(app: &TestApp, path: &str) -> (StatusCode, String, bool) {
    let response = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let sets_cookie = response.headers().get("set-cookie").is_some();
    (status, response.text().await.unwrap(), sets_cookie)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn health_and_readiness_answer_without_a_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from tower_sessions.session")
            .fetch_one(&app.pool)
            .await
            .unwrap_or(0)
    };
    let before = sessions().await;
    assert_eq!(
        probe(&app, "/healthz").await,
        (StatusCode::OK, "ok".into(), false)
    );
    assert_eq!(
        probe(&app, "/readyz").await,
        (StatusCode::OK, "ready".into(), false)
    );
    assert_eq!(sessions().await, before);

    // A migration this build knows but the database lacks: not ready (an older database).
    sqlx::query(
        "delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, text, _) = probe(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(text, "not ready: database migrations pending");
    // The process itself is still up.
    assert_eq!(probe(&app, "/healthz").await.0, StatusCode::OK);

    // The database gone: not ready, with no internal text.
    app.pool.close().await;
    let (status, text, _) = probe(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(text, "not ready: database unreachable");
}

/// The metrics router on a port of its own, as `THRESHOLD_METRICS_ADDR` serves it.
async fn metrics_text(pool: &PgPool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::metrics::router(pool.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// The value of the sample `name{labels}` (labels as the exporter writes them, in order).
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn metrics_count_requests_per_route_and_show_the_pool_and_the_export_queue(pool: PgPool) {
    let app = spawn_app(pool).await;
    // The recorder is the process's: other tests' requests count too, so compare before/after.
    let saves = r#"threshold_http_requests_total{route="/api/session",method="POST",status="200"}"#;
    let before = sample(&metrics_text(&app.pool).await, saves).unwrap_or(0.0);
    let cookie = app.sign_in("caseworker").await;
    for _ in 0..3 {
        assert_eq!(
            app.call("session", &[], Some(&cookie)).await.status,
            StatusCode::OK
        );
    }
    // A path with a name in it and an invented method: neither becomes a label.
    let scan = app
        .http
        .request(
            reqwest::Method::from_bytes(b"PROBE").unwrap(),
            format!("{}/clients/4711/Jane-Doe-secret", app.base),
        )
        .send()
        .await
        .unwrap();
    assert!(scan.status().is_client_error());
    let text = metrics_text(&app.pool).await;
    assert!(sample(&text, saves).unwrap() >= before + 3.0, "{text}");
    assert!(
        text.contains(r#"threshold_http_request_duration_seconds_bucket{route="/api/session",method="POST",le="0.005"}"#),
        "{text}"
    );
    assert!(!text.contains("Jane-Doe-secret") && !text.contains("PROBE"));
    assert!(text.contains(r#"route="other",method="other""#), "{text}");
    // The pool as it is now, and the export queue (empty: nobody asked for an export).
    assert!(sample(&text, r#"threshold_db_pool_connections{state="idle"}"#).is_some());
    assert!(sample(&text, "threshold_db_pool_max_connections").unwrap() >= 1.0);
    assert_eq!(
        sample(&text, r#"threshold_export_jobs{status="queued"}"#),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, r#"threshold_export_jobs{status="running"}"#),
        Some(0.0)
    );
    assert_eq!(sample(&text, "threshold_outbox_waiting"), Some(0.0));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_session_changed_on_one_instance_is_seen_by_the_other_at_once(pool: PgPool) {
    // Two instances over one database, as behind a load balancer without stickiness.
    let first = spawn_app(pool).await;
    let second = serve(first.pool.clone(), server::Settings::local).await;
    let cookie = first
        .sign_in_as("lakeshore", 1, "Lakeshore Family Housing")
        .await;
    let organization =
        |reply: crate::common::Reply| reply.body["context"]["organization_name"].clone();
    assert_eq!(
        organization(second.call("session", &[], Some(&cookie)).await),
        json!("Lakeshore Family Housing")
    );
    // The other context, applied on the first instance: the second works in it from the next
    // request (an instance that cached sessions would still use the old organization).
    let ce = first
        .organization_id("Lakeshore CoC Coordinated Entry")
        .await;
    let applied = first
        .call(
            "apply_context",
            &[("workgroup", "3"), ("organization_id", &ce.to_string())],
            Some(&cookie),
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK);
    let cookie = applied.cookie.unwrap_or(cookie);
    assert_eq!(
        organization(second.call("session", &[], Some(&cookie)).await),
        json!("Lakeshore CoC Coordinated Entry")
    );
    // Signed out on the second: the first refuses the cookie.
    assert_eq!(
        second.call("sign_out", &[], Some(&cookie)).await.status,
        StatusCode::OK
    );
    let reply = first.call("dashboard/counts", &[], Some(&cookie)).await;
    assert_eq!(reply.body, json!("NotSignedIn"), "{:?}", reply.body);
    assert_eq!(
        first.call("session", &[], Some(&cookie)).await.body,
        json!(null)
    );
}

/// A server on `serve_until` with a route that takes `takes`; returns its address, the trigger of
/// its shutdown and its outcome.
async fn serving_slowly(
    takes: std::time::Duration,
    deadline: std::time::Duration,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<bool>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::get(move || async move {
            tokio::time::sleep(takes).await;
            "done"
        }),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::serve_until(
        listener,
        app,
        async {
            let _ = stopped.await;
        },
        deadline,
    ));
    (addr, stop, served)
}

#[tokio::test]
async fn at_shutdown_requests_in_flight_finish_and_new_connections_are_refused() {
    let (addr, stop, served) = serving_slowly(
        std::time::Duration::from_millis(800),
        std::time::Duration::from_secs(10),
    )
    .await;
    let in_flight = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    let answer = in_flight.await.unwrap().unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.unwrap(), "done");
    assert!(served.await.unwrap().unwrap(), "every request finished");
    assert!(reqwest::get(format!("http://{addr}/slow")).await.is_err());
}

#[tokio::test]
async fn at_shutdown_a_request_past_the_deadline_is_cut_off() {
    let (addr, stop, served) = serving_slowly(
        std::time::Duration::from_secs(60),
        std::time::Duration::from_millis(300),
    )
    .await;
    let in_flight = tokio::spawn(reqwest::get(format!("http://{addr}/slow")));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let stopping = std::time::Instant::now();
    stop.send(()).unwrap();
    assert!(!served.await.unwrap().unwrap(), "the deadline passed");
    let waited = stopping.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(300)
            && waited < std::time::Duration::from_secs(5),
        "{waited:?}"
    );
    in_flight.abort();
}
