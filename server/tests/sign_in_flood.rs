//! A flood of sign-ins: the hash slots are shared by the whole process, so this test has a test
//! binary of its own (in `hardening.rs` it would starve the other tests' sign-ins).

#[path = "api/common.rs"]
mod common;

use common::{client_from, sign_in_from, spawn_app};
use reqwest::{header, StatusCode};
use sqlx::PgPool;
use std::net::Ipv4Addr;

const MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_flood_of_sign_ins_is_refused_at_once_when_no_hash_slot_is_free(pool: PgPool) {
    // Two slots whatever the machine (this binary's own process: nothing else shares them).
    app::ssr::passwords::configure(2);
    let app = spawn_app(pool).await;
    // 300 at once from 20 addresses (15 each: under every per-address limit), random usernames.
    let calls = (0..300u32).map(|i| {
        let http = client_from(Ipv4Addr::new(127, 0, 1, (i % 20) as u8 + 1));
        let base = app.base.clone();
        async move {
            let response = sign_in_from(&http, &base, &format!("flood-{i}"), "guess-guess").await;
            (
                response.status(),
                response.headers().get(header::RETRY_AFTER).cloned(),
            )
        }
    });
    let replies = futures_util::future::join_all(calls).await;
    let busy: Vec<_> = replies
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "some of 300 concurrent sign-ins find no free slot"
    );
    assert!(
        busy.iter().all(|(_, retry)| retry.is_some()),
        "Retry-After on every 503"
    );
    assert!(replies.iter().all(|(s, _)| [
        StatusCode::UNAUTHORIZED,
        StatusCode::SERVICE_UNAVAILABLE
    ]
    .contains(s)));
    // A refused request cost no hash and left no attempt.
    let recorded: i64 =
        sqlx::query_scalar("select count(*) from sign_in_attempts where username like 'flood-%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let unauthorized = replies
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(recorded as usize, unauthorized);
}
