//! Operations endpoints a load balancer and an orchestrator use (issue 17): `/healthz` for the
//! process, `/readyz` for the database and its migrations; neither creates a session.

use crate::common::{spawn_app, MIGRATIONS};
use reqwest::StatusCode;
use sqlx::PgPool;

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
    let health = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(health.headers().get("set-cookie").is_none());
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.unwrap(), "ready");
    assert_eq!(sessions().await, before);

    // A migration this build knows but the database lacks: not ready (an older database).
    sqlx::query(
        "delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let behind = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        behind.text().await.unwrap(),
        "not ready: database migrations pending"
    );
    // The process itself is still up.
    let health = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    // The database gone: not ready, with no internal text.
    app.pool.close().await;
    let gone = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        gone.text().await.unwrap(),
        "not ready: database unreachable"
    );
}
