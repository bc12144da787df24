//! Sign-in, sessions, context and client scope, through the real HTTP stack.

use crate::common::MIGRATIONS;
use crate::common::{client_from, sign_in_from, spawn_app};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_bad_password_is_refused_and_counted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let reply = app
        .call(
            "sign_in",
            &[("username", "caseworker"), ("password", "wrong-password")],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body, json!("InvalidCredentials"));
    assert!(reply.cookie.is_none(), "no session for a failed sign-in");
    let failures: i64 = sqlx::query_scalar(
        "select count(*) from sign_in_attempts where username = 'caseworker' and not succeeded",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(failures, 1);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn an_unknown_user_gets_the_same_answer_as_a_bad_password(pool: PgPool) {
    let app = spawn_app(pool).await;
    let reply = app
        .call(
            "sign_in",
            &[("username", "nobody"), ("password", "whatever-123")],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body, json!("InvalidCredentials"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn empty_fields_are_field_errors(pool: PgPool) {
    let app = spawn_app(pool).await;
    let reply = app
        .call("sign_in", &[("username", ""), ("password", "")], None)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.body,
        json!({"Invalid": {"password": "Enter your password.", "username": "Enter your username."}})
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn repeated_failures_pause_sign_in_even_with_the_right_password(pool: PgPool) {
    let app = spawn_app(pool).await;
    // From an address of its own: the process remembers a refusal for a few seconds, and the
    // other tests of this binary sign in as plm from 127.0.0.1.
    let guesser = client_from(std::net::Ipv4Addr::new(127, 0, 3, 1));
    for _ in 0..5 {
        let reply = sign_in_from(&guesser, &app.base, "plm", "not-it-at-all").await;
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    }
    let reply = sign_in_from(&guesser, &app.base, "plm", app::ssr::demo::DEMO_PASSWORD).await;
    assert_eq!(reply.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body, json!({"TooManyAttempts": {"minutes": 15}}));
    // Other users are not affected.
    app.sign_in("caseworker").await;
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn sign_in_rotates_the_session_id_and_the_old_one_dies(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first = app.sign_in("caseworker").await;
    let reply = app
        .call(
            "sign_in",
            &[
                ("username", "caseworker"),
                ("password", app::ssr::demo::DEMO_PASSWORD),
            ],
            Some(&first),
        )
        .await;
    let second = reply.cookie.expect("a new cookie");
    assert_ne!(first, second, "the session id changes at sign-in");
    let old = app.call("session", &[], Some(&first)).await;
    assert_eq!(
        old.body,
        json!(null),
        "the old session id no longer signs anyone in"
    );
    let new = app.call("session", &[], Some(&second)).await;
    assert_eq!(new.body["username"], json!("caseworker"));
    assert_eq!(app.audit_count("sign_in").await, 2);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn no_session_means_not_signed_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body, json!("NotSignedIn"));
    let forged = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some("threshold_session=forged"),
        )
        .await;
    assert_eq!(forged.body, json!("NotSignedIn"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_stale_session_is_refused_after_deactivation_or_password_change(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    sqlx::query("update users set auth_epoch = auth_epoch + 1 where username = 'caseworker'")
        .execute(&app.pool)
        .await
        .unwrap();
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.body, json!("NotSignedIn"));

    let cookie = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    sqlx::query("update users set active = false where username = 'shelter'")
        .execute(&app.pool)
        .await
        .unwrap();
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.body, json!("NotSignedIn"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_context_the_user_does_not_hold_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app.sign_in("caseworker").await;
    let lakeshore = app.organization_id("Lakeshore Family Housing").await;
    let reply = app
        .call(
            "apply_context",
            &[
                ("workgroup", "1"),
                ("organization_id", &lakeshore.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.body,
        json!({"Invalid": {"organization_id": "You do not hold this Workgroup in this Organization."}})
    );
    // Nor a Workgroup they do not hold in their own organization.
    let northside = app.organization_id("Northside Housing Partners").await;
    let reply = app
        .call(
            "apply_context",
            &[
                ("workgroup", "4"),
                ("organization_id", &northside.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The context stays the one the sign-in applied (the caseworker's only membership).
    let session = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(
        session.body["context"]["organization_name"],
        json!("Northside Housing Partners")
    );
    assert_eq!(session.body["context"]["workgroup"], json!("HmisUser"));
    assert_eq!(app.audit_count("apply_context").await, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_context_is_needed_before_client_data(pool: PgPool) {
    let app = spawn_app(pool).await;
    // Several memberships and none applied yet (one alone would be applied at sign-in).
    let cookie = app.sign_in("lakeshore").await;
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, json!("NoContext"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn applying_a_held_context_is_audited_and_remembered(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    let session = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(
        session.body["context"]["workgroup"],
        json!("PriorityListManager")
    );
    assert_eq!(session.body["context"]["ce_for_coc"], json!("RB-501"));
    assert_eq!(app.audit_count("apply_context").await, 1);
    // The next sign-in restores it.
    let again = app.sign_in("plm").await;
    let session = app.call("session", &[], Some(&again)).await;
    assert_eq!(
        session.body["context"]["organization_name"],
        json!("Riverbend CoC Coordinated Entry")
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_revoked_membership_drops_the_context_on_the_next_request(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    sqlx::query("update memberships set deleted_at = now() where user_id = (select id from users where username = 'caseworker')")
        .execute(&app.pool)
        .await
        .unwrap();
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.body, json!("NoContext"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn cross_origin_posts_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let evil = app
        .call_from(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&cookie),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    let none = app.call_from("sign_out", &[], Some(&cookie), None).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    // The session survived both attempts.
    let session = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(session.body["username"], json!("caseworker"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_client_outside_the_organization_is_not_found(pool: PgPool) {
    let app = spawn_app(pool).await;
    let lena = app.client_id("Lena", "Strand").await.to_string();
    let marisol = app.client_id("Marisol", "Quintero").await.to_string();

    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let reply = app
        .call("clients/get", &[("id", &lena)], Some(&northside))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body, json!("NotFound"));
    let reply = app
        .call("clients/get", &[("id", &marisol)], Some(&northside))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["name"], json!("Marisol Quintero"));
    assert!(
        reply.body["ssn_masked"]
            .as_str()
            .is_none_or(|s| s.starts_with("***-**-")),
        "SSN is masked"
    );

    // The Riverbend CE organization sees its CoC's CE clients, not Lakeshore's.
    let ce = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    assert_eq!(
        app.call("clients/get", &[("id", &marisol)], Some(&ce))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("clients/get", &[("id", &lena)], Some(&ce))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A nonexistent id looks the same as an out-of-scope one.
    assert_eq!(
        app.call("clients/get", &[("id", "99999999")], Some(&ce))
            .await
            .body,
        json!("NotFound")
    );

    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    assert_eq!(
        app.call("clients/get", &[("id", &lena)], Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn search_returns_only_clients_in_scope(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&northside),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let ids: Vec<i64> = reply.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = sqlx::query_scalar(
        "select distinct c.id from clients c
           left join enrollments e on e.client_id = c.id
           left join ce_events ev on ev.client_id = c.id
           join projects p on p.id = e.project_id or p.id = ev.referred_project_id
           join organizations o on o.id = p.organization_id
          where o.name = 'Northside Housing Partners'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!ids.is_empty());
    let mut expected = expected;
    expected.sort();
    assert!(expected.len() <= 25, "the demo fixture fits one page");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "every client in scope, and only those");
    for id in &ids {
        assert!(
            expected.contains(id),
            "client {id} is outside Northside's scope"
        );
    }

    let by_name = app
        .call(
            "clients/search",
            &[("query", "quintero mar"), ("dob", ""), ("page", "1")],
            Some(&northside),
        )
        .await;
    assert_eq!(by_name.body["rows"][0]["name"], json!("Marisol Quintero"));
    assert_eq!(by_name.body["rows"].as_array().unwrap().len(), 1);
    let lena = app
        .call(
            "clients/search",
            &[("query", "Strand"), ("dob", ""), ("page", "1")],
            Some(&northside),
        )
        .await;
    assert_eq!(lena.body["rows"], json!([]));
    let bad_date = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", "22/11/2026"), ("page", "1")],
            Some(&northside),
        )
        .await;
    assert_eq!(
        bad_date.body,
        json!({"Invalid": {"dob": "Enter a date as YYYY-MM-DD."}})
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn an_active_session_is_not_written_on_every_request_but_is_kept_alive(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    // Just signed in: the session was saved moments ago, so requests do not save it again.
    for _ in 0..3 {
        let reply = app.call("dashboard/counts", &[], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.cookie, None,
            "no session write (and no new cookie) per request"
        );
    }
    // The stored session expires an hour after it was last saved (the refresh every five
    // minutes of activity is unit-tested: app::ssr::auth::needs_refresh).
    let expiry: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "select expiry_date from tower_sessions.session order by expiry_date desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let left = expiry - chrono::Utc::now();
    assert!(
        left > chrono::Duration::minutes(55) && left <= chrono::Duration::minutes(60),
        "{left}"
    );
}

/// Seconds until the session of `cookie` ends, as the session table has it.
async fn seconds_left(pool: &PgPool, cookie: &str) -> f64 {
    let id = cookie.trim_start_matches("threshold_session=");
    sqlx::query_scalar(
        "select extract(epoch from expiry_date - now())::float8 from tower_sessions.session where id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .expect("the session row")
}

/// Moves the end of the session of `cookie` to `seconds` from now, as if it had been idle.
async fn set_seconds_left(pool: &PgPool, cookie: &str, seconds: f64) {
    let id = cookie.trim_start_matches("threshold_session=");
    sqlx::query(
        "update tower_sessions.session set expiry_date = now() + make_interval(secs => $2) where id = $1",
    )
    .bind(id)
    .bind(seconds)
    .execute(pool)
    .await
    .expect("move the session's end");
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_session_ends_an_hour_after_its_last_request_not_after_sign_in(pool: PgPool) {
    use app::ssr::sessions::{IDLE_TIMEOUT, RENEW_AFTER};
    let app = spawn_app(pool.clone()).await;
    let idle = IDLE_TIMEOUT.as_secs_f64();
    let renew = RENEW_AFTER.as_secs_f64();
    let cookie = app.sign_in("caseworker").await;
    let left = seconds_left(&pool, &cookie).await;
    assert!(
        left > idle - 5.0 && left <= idle,
        "a new session lasts the idle time-out: {left}"
    );

    // Used again just before RENEW_AFTER of idle time: still signed in, and nothing written
    // (a busy session does not cost a write per request).
    set_seconds_left(&pool, &cookie, idle - renew + 10.0).await;
    let before = seconds_left(&pool, &cookie).await;
    let reply = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(reply.body["username"], json!("caseworker"));
    let after = seconds_left(&pool, &cookie).await;
    assert!(
        after < before && before - after < 5.0,
        "not renewed within RENEW_AFTER: {before} then {after}"
    );

    // Fifty minutes idle: the request signs in and renews the whole hour.
    set_seconds_left(&pool, &cookie, idle - 50.0 * 60.0).await;
    let reply = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(reply.body["username"], json!("caseworker"));
    let renewed = seconds_left(&pool, &cookie).await;
    assert!(renewed > idle - 5.0, "renewed to the full hour: {renewed}");

    // A second past the time-out: signed out.
    set_seconds_left(&pool, &cookie, -1.0).await;
    let reply = app.call("session", &[], Some(&cookie)).await;
    assert_eq!(
        reply.body,
        json!(null),
        "an expired session signs no one in"
    );
    let reply = app
        .call(
            "clients/search",
            &[("query", ""), ("dob", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_session_cookie_ends_with_the_browser_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", format!("http://{}", app.host))
        .form(&[
            ("username", "caseworker"),
            ("password", app::ssr::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("threshold_session="))
        .expect("a session cookie")
        .to_ascii_lowercase();
    // The idle time-out is the database's (renewed as the session is used); a Max-Age fixed at
    // sign-in would end the cookie an hour after sign-in however busy the caseworker is.
    assert!(!cookie.contains("max-age"), "{cookie}");
    assert!(!cookie.contains("expires"), "{cookie}");
    assert!(cookie.contains("httponly"), "{cookie}");
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn an_address_without_a_page_answers_404_with_a_way_on(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = app.sign_in("caseworker").await;
    let response = reqwest::Client::new()
        .get(format!("{}/clients/1/no-such-page", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(
        html.contains(r#"<a href="/">Go to the dashboard</a>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/clients">Back to Clients</a>"#),
        "{html}"
    );
}
