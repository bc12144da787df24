//! Non-CE referrals through the real HTTP stack: referring, Referral Outcome (acknowledge),
//! Outcome Information (result), who may see and do what, versions, audit rows, counts.

use crate::common;
use crate::common::MIGRATIONS;
use crate::common::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

/// The client's referral to Eastgate: (client id, referral id, version, referral date).
async fn referral_of(app: &TestApp, first: &str, last: &str) -> (i64, i64, i32, String) {
    let client = app.client_id(first, last).await;
    let (id, version, date): (i64, i32, chrono::NaiveDate) =
        sqlx::query_as("select id, version, referral_date from referrals where client_id = $1")
            .bind(client)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    (client, id, version, date.to_string())
}

async fn outcome(
    app: &TestApp,
    cookie: &str,
    (client, id, version): (i64, i64, i32),
    fields: &[(&str, &str)],
) -> common::Reply {
    let (client, id, version) = (client.to_string(), id.to_string(), version.to_string());
    let mut form = vec![
        ("client_id", client.as_str()),
        ("referral_id", id.as_str()),
        ("version", version.as_str()),
    ];
    form.extend_from_slice(fields);
    app.call("referrals/outcome", &form, Some(cookie)).await
}

async fn version(app: &TestApp, id: i64) -> i32 {
    sqlx::query_scalar("select version from referrals where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_receiving_organization_acknowledges_and_resolves(pool: PgPool) {
    let app = spawn_app(pool).await;
    let eastgate = app
        .sign_in_as("eastgate", 1, "Eastgate Community Services")
        .await;
    let (client, id, v, referral_date) = referral_of(&app, "Beatrix", "Oduya").await;

    // Referral Outcome: the acknowledgement's boundaries.
    let before = (chrono::NaiveDate::parse_from_str(&referral_date, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    let early = outcome(
        &app,
        &eastgate,
        (client, id, v),
        &[("date_referral_acknowledged", &before)],
    )
    .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        early.body["Invalid"]["date_referral_acknowledged"],
        json!("The date cannot be before the referral date.")
    );
    // A result needs an acknowledgement and a Result Date.
    let no_ack = outcome(
        &app,
        &eastgate,
        (client, id, v),
        &[("date_referral_acknowledged", ""), ("result", "4")],
    )
    .await;
    assert!(no_ack.body["Invalid"]["date_referral_acknowledged"].is_string());
    assert!(no_ack.body["Invalid"]["result_date"].is_string());

    let ack = outcome(
        &app,
        &eastgate,
        (client, id, v),
        &[("date_referral_acknowledged", &referral_date)],
    )
    .await;
    assert_eq!(ack.status, StatusCode::OK, "{:?}", ack.body);
    // The same version again is stale.
    let stale = outcome(
        &app,
        &eastgate,
        (client, id, v),
        &[("date_referral_acknowledged", &referral_date)],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let v = version(&app, id).await;
    let done = outcome(
        &app,
        &eastgate,
        (client, id, v),
        &[
            ("date_referral_acknowledged", &referral_date),
            ("appointment_date", &today()),
            ("result_date", &today()),
            ("result", "4"),
            (
                "outcome_comments",
                "Did not come to the eligibility meeting.",
            ),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(app.audit_count("referral.outcome").await, 2);
    let stored: (Option<i16>, Option<String>) =
        sqlx::query_as("select result, outcome_comments from referrals where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (
            Some(4),
            Some("Did not come to the eligibility meeting.".into())
        )
    );

    // The sending organization sees status and result, not the comments, and cannot resolve.
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let seen = app
        .call(
            "referrals/get",
            &[
                ("client_id", &client.to_string()),
                ("referral_id", &id.to_string()),
            ],
            Some(&shelter),
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["status"], json!("Resolved: No Show"));
    assert_eq!(seen.body["can_resolve"], json!(false));
    assert_eq!(seen.body["draft"]["outcome_comments"], json!(""));
    let v = version(&app, id).await;
    let refused = outcome(
        &app,
        &shelter,
        (client, id, v),
        &[("date_referral_acknowledged", &referral_date)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // An organization on neither end does not find it.
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let hidden = app
        .call(
            "referrals/get",
            &[
                ("client_id", &client.to_string()),
                ("referral_id", &id.to_string()),
            ],
            Some(&northside),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn referring_a_client_reaches_the_receiving_organizations_counts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let counts = |cookie: String| {
        let app = &app;
        async move {
            app.call("dashboard/counts", &[], Some(&cookie)).await.body["non_ce_awaiting"]
                .as_i64()
                .unwrap()
        }
    };
    let before = counts(northside.clone()).await;
    let client = app.client_id("Imani", "Fairbanks").await;
    let project = |name: &'static str| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, i64>("select id from projects where name = $1")
                .bind(name)
                .fetch_one(&app.pool)
                .await
                .unwrap()
                .to_string()
        }
    };
    let es = project("Harbor Light Emergency Shelter").await;
    let psh = project("Northside Permanent Supportive Housing").await;
    let refer = |from: String, to: String, service: &'static str| {
        let app = &app;
        let shelter = shelter.clone();
        async move {
            app.call(
                "referrals/create",
                &[
                    ("client_id", &client.to_string()),
                    ("from_project", &from),
                    ("to_project", &to),
                    ("referral_date", &today()),
                    ("service", service),
                    ("comments", ""),
                ],
                Some(&shelter),
            )
            .await
        }
    };
    // Only from the organization's own projects, to another project, for a named service.
    let foreign = refer(psh.clone(), es.clone(), "Housing").await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.body["Invalid"]["from_project"].is_string());
    let no_service = refer(es.clone(), psh.clone(), " ").await;
    assert!(no_service.body["Invalid"]["service"].is_string());
    let ok = refer(
        es.clone(),
        psh.clone(),
        "Permanent supportive housing application",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(app.audit_count("referral.create").await, 1);
    assert_eq!(counts(northside.clone()).await, before + 1);
    let incoming = app
        .call(
            "referrals/incoming",
            &[("filter", "awaiting")],
            Some(&northside),
        )
        .await;
    assert!(incoming
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["client_id"] == json!(client)));
}
