//! Operations endpoints a load balancer and an orchestrator use (issue 17): `/healthz` for the
//! process, `/readyz` for the database and its migrations; neither creates a session.

use crate::common::{spawn_app, TestApp, MIGRATIONS};
use reqwest::StatusCode;
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
