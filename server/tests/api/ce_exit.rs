//! Exiting a client from Coordinated Entry: who may (each workgroup × own/other organization),
//! what it does (Priority List removal, open CE referrals closed, audit rows).

use crate::common;
use crate::common::MIGRATIONS;
use crate::common::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

const RB_CE: &str = "Riverbend CoC Coordinated Entry";

fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

/// The client's CE enrollment: (id, version).
async fn ce_enrollment(app: &TestApp, client: i64) -> (i64, i32) {
    sqlx::query_as(
        "select e.id, e.version from enrollments e join projects p on p.id = e.project_id
          where e.client_id = $1 and p.project_type = 14",
    )
    .bind(client)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

pub(crate) async fn exit_ce(app: &TestApp, cookie: &str, client: i64, date: &str) -> common::Reply {
    let (enrollment, version) = ce_enrollment(app, client).await;
    app.call(
        "enrollments/exit",
        &[
            ("client_id", &client.to_string()),
            ("enrollment_id", &enrollment.to_string()),
            ("version", &version.to_string()),
            ("exit_date", date),
            ("destination", "435"),
            ("destination_subsidy_type", "439"),
            ("other_destination", ""),
        ],
        Some(cookie),
    )
    .await
}

async fn on_priority_list(app: &TestApp, cookie: &str, last_name: &str) -> bool {
    let reply = app
        .call(
            "ce/priority_list",
            &[
                ("query", last_name),
                ("pending", ""),
                ("sort", ""),
                ("page", "1"),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    !reply.body["rows"].as_array().unwrap().is_empty()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_ce_exit_removes_the_client_from_the_priority_list_and_closes_open_referrals(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let plm = app.sign_in_as("plm", 3, RB_CE).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    assert!(on_priority_list(&app, &plm, "Quintero").await);
    let open: i64 = sqlx::query_scalar(
        "select count(*) from ce_events where client_id = $1 and referral_result is null",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(open > 0);

    // Not before the CE enrollment's start, not in the future.
    let early = exit_ce(&app, &plm, marisol, "2000-01-01").await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = exit_ce(&app, &plm, marisol, &today()).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);

    assert!(
        !on_priority_list(&app, &plm, "Quintero").await,
        "off the Priority List"
    );
    let closed: i64 = sqlx::query_scalar(
        "select count(*) from ce_events where client_id = $1 and closed_on is not null",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(closed, open);
    assert_eq!(app.audit_count("ce_event.close").await, open);
    assert_eq!(app.audit_count("enrollment.exit").await, 1);

    // The receiving provider can no longer act on the closed referral, and sees why.
    let provider = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let event: (i64, i32) = sqlx::query_as(
        "select id, version from ce_events where client_id = $1 order by id limit 1",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let form = app
        .call(
            "ce/get",
            &[
                ("client_id", &marisol.to_string()),
                ("event_id", &event.0.to_string()),
            ],
            Some(&provider),
        )
        .await;
    assert_eq!(form.body["can_resolve"], json!(false));
    assert_eq!(
        form.body["need_status"],
        json!("Closed: exited from Coordinated Entry")
    );
    let save = app
        .call(
            "ce/save",
            &[
                ("client_id", &marisol.to_string()),
                ("event_id", &event.0.to_string()),
                ("version", &event.1.to_string()),
                ("date_referral_acknowledged", &today()),
                ("provider_contact_name", "A"),
                ("provider_contact_phone", ""),
                ("provider_contact_email", ""),
                ("referral_result", ""),
                ("result_date", ""),
                ("resulting_enrollment", ""),
                ("not_housed_reason", ""),
            ],
            Some(&provider),
        )
        .await;
    assert_eq!(save.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The Counts widget no longer counts it.
    let counts: i64 = sqlx::query_scalar(
        "select count(*) from ce_events where client_id = $1 and referral_result is null and closed_on is null",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(counts, 0);
}

/// Each workgroup × own/other organization for "Exit the Enrollment" on a CE enrollment.
#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_the_cocs_coordinated_entry_organization_exits_from_ce(pool: PgPool) {
    let app = spawn_app(pool).await;
    let opal = app.client_id("Opal", "Hendricks").await;
    let refused = [
        // A housing provider sees the CE enrollment but may not exit it, and is told why.
        (
            ("caseworker", 1, "Northside Housing Partners"),
            StatusCode::FORBIDDEN,
        ),
        // Administrators administer; they do not exit clients.
        (
            ("admin", 4, "Riverbend HMIS Lead Agency"),
            StatusCode::FORBIDDEN,
        ),
        // Another CoC's CE organization does not see Riverbend's client at all.
        (
            ("lakeshore", 3, "Lakeshore CoC Coordinated Entry"),
            StatusCode::NOT_FOUND,
        ),
    ];
    for ((user, workgroup, org), status) in refused {
        let cookie = app.sign_in_as(user, workgroup, org).await;
        let reply = exit_ce(&app, &cookie, opal, &today()).await;
        assert_eq!(
            reply.status, status,
            "{user} as {workgroup} in {org}: {:?}",
            reply.body
        );
    }
    let provider = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let (enrollment, _) = ce_enrollment(&app, opal).await;
    let view = app
        .call(
            "enrollments/get",
            &[
                ("client_id", &opal.to_string()),
                ("enrollment_id", &enrollment.to_string()),
            ],
            Some(&provider),
        )
        .await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(view.body["exit_unavailable"]
        .as_str()
        .unwrap()
        .contains("Coordinated Entry organization"));
    assert_eq!(app.audit_count("enrollment.exit").await, 0);

    // Every workgroup of the CE organization may: HMIS User, CE Assessor, Priority List Manager.
    for (i, workgroup) in [1i16, 2, 3].into_iter().enumerate() {
        let client = match i {
            0 => app.client_id("Opal", "Hendricks").await,
            1 => app.client_id("Dashiell", "Okonkwo").await,
            _ => app.client_id("Imani", "Fairbanks").await,
        };
        let cookie = app.sign_in_as("plm", workgroup, RB_CE).await;
        let reply = exit_ce(&app, &cookie, client, &today()).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "workgroup {workgroup}: {:?}",
            reply.body
        );
    }
    assert_eq!(app.audit_count("enrollment.exit").await, 3);
}
