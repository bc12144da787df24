//! Transfer requests (article 001): the provider running an enrolled client's project asks
//! Coordinated Entry; only the CoC's Priority List Manager answers, with a referral linked to
//! the request or a decline with a note; the other side is told each time; nobody else sees a
//! thing.

use crate::common::{as_user, ASSESSOR, HARBOR, LAKESHORE_PLM, NORTHSIDE, PLM};
use crate::common::{spawn_app, today, Reply, TestApp, MIGRATIONS};
use app::features::ce_events::api::{ReferToHousing, ReferralChoice};
use app::features::transfers::api::{
    DeclineDraft, DeclineTransfer, EnrollmentRef, GetTransferState, RequestTransfer, TransferDraft,
    TransferRef, TransferRequests,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

/// The client's enrollment in the project.
async fn enrollment(app: &TestApp, first: &str, last: &str, project: &str) -> EnrollmentRef {
    let (client_id, enrollment_id) = app.enrollment_in(first, last, project).await;
    EnrollmentRef {
        client_id,
        enrollment_id,
    }
}

async fn state(app: &TestApp, cookie: &str, record: EnrollmentRef) -> Value {
    let reply = app
        .call_fn(&GetTransferState { record }, Some(cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn request(
    app: &TestApp,
    cookie: &str,
    record: EnrollmentRef,
    transfer: TransferDraft,
) -> Reply {
    app.call_fn(&RequestTransfer { record, transfer }, Some(cookie))
        .await
}

fn to_eastgate(app_eastgate: i64) -> TransferDraft {
    TransferDraft {
        reason: "safety".into(),
        project_type: "9".into(),
        organization: app_eastgate.to_string(),
        note: "A neighbour threatened him.".into(),
    }
}

async fn notices(app: &TestApp, username: &str, kind: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "select n.message, n.link from notifications n join users u on u.id = n.user_id
          where u.username = $1 and n.kind = $2 order by n.id",
    )
    .bind(username)
    .bind(kind)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn pending_request(app: &TestApp, record: EnrollmentRef) -> TransferRef {
    let (id, version): (i64, i32) = sqlx::query_as(
        "select id, version from transfer_requests where enrollment_id = $1 and status = 'requested'",
    )
    .bind(record.enrollment_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    TransferRef { id, version }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_provider_asks_for_a_transfer_and_the_plm_answers_with_a_linked_referral(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let harbor = as_user(&app, HARBOR).await;
    let omar = enrollment(
        &app,
        "Omar",
        "Ahmed",
        "Northside Permanent Supportive Housing",
    )
    .await;
    let eastgate = app.organization_id("Eastgate Community Services").await;
    let northside_id = app.organization_id("Northside Housing Partners").await;

    // The provider running the project is offered the form and the CoC's other providers.
    let offered = state(&app, &northside, omar).await;
    assert_eq!(offered["runs_project"], json!(true));
    assert_eq!(offered["unavailable"], Value::Null);
    let providers: Vec<i64> = offered["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[0].as_i64().unwrap())
        .collect();
    assert!(providers.contains(&eastgate));
    assert!(!providers.contains(&northside_id));
    // Another organization learns nothing, and may not ask.
    assert_eq!(
        state(&app, &harbor, omar).await,
        json!({"unavailable": null, "organizations": [], "requests": [], "runs_project": false})
    );
    assert_eq!(
        request(&app, &harbor, omar, to_eastgate(eastgate))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The rules at the field; nothing saved.
    let empty = request(&app, &northside, omar, TransferDraft::default()).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.body,
        json!({"Invalid": {
            "transfer_reason": "Choose why the client needs a transfer.",
            "transfer_project_type": "Choose the project type or the provider the client should move to (or both).",
            "transfer_note": "Write a note."
        }})
    );
    let own = request(
        &app,
        &northside,
        omar,
        TransferDraft {
            organization: northside_id.to_string(),
            ..to_eastgate(eastgate)
        },
    )
    .await;
    assert_eq!(
        own.body,
        json!({"Invalid": {"transfer_organization": "Choose one of the listed providers."}})
    );

    let made = request(&app, &northside, omar, to_eastgate(eastgate)).await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    let requests: i64 = sqlx::query_scalar("select count(*) from transfer_requests")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(requests, 1);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'transfer_request' and action = 'create'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // Coordinated Entry is told, without the client's name; the requester is not.
    assert_eq!(
        notices(&app, "plm", "transfer_requested").await,
        vec![(
            "Northside Housing Partners asked for a transfer of a client enrolled in Northside Permanent Supportive Housing.".to_string(),
            "/transfer-requests".to_string()
        )]
    );
    assert!(notices(&app, "caseworker", "transfer_requested")
        .await
        .is_empty());
    // One request at a time.
    let again = request(&app, &northside, omar, to_eastgate(eastgate)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.body["Invalid"]["transfer_reason"],
        json!("A transfer request of this enrollment awaits Coordinated Entry's answer.")
    );
    let waiting = state(&app, &northside, omar).await;
    assert_eq!(
        waiting["requests"][0]["status"],
        json!("Awaiting Coordinated Entry")
    );
    assert_eq!(
        waiting["requests"][0]["asked_for"],
        json!("PH – Housing Only at Eastgate Community Services")
    );

    // The PLM's queue lists it; providers may not read the queue.
    let queue = app.call("transfers/queue", &[], Some(&plm)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(queue.body["can_answer"], json!(true));
    assert_eq!(queue.body["rows"][0]["client_name"], json!("Omar Ahmed"));
    assert_eq!(
        queue.body["rows"][0]["reason"],
        json!("Safety concern at the current project")
    );
    assert_eq!(queue.body["rows"][0]["days_waiting"], json!(0));
    // The CE organization's assessor reads the queue but does not answer it.
    let assessor = as_user(&app, ASSESSOR).await;
    let read_only = app.call("transfers/queue", &[], Some(&assessor)).await;
    assert_eq!(read_only.body["can_answer"], json!(false));
    assert_eq!(read_only.body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.call("transfers/queue", &[], Some(&northside))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let lakeshore = as_user(&app, LAKESHORE_PLM).await;
    let elsewhere = app.call("transfers/queue", &[], Some(&lakeshore)).await;
    assert_eq!(elsewhere.body["rows"], json!([]));

    // The PLM refers the client to a new opening from the request: the two are linked.
    let transfer = pending_request(&app, omar).await;
    let summary_of = |cookie: &str| {
        let args = [
            ("client_id", omar.client_id.to_string()),
            ("transfer_id", transfer.id.to_string()),
        ];
        let cookie = cookie.to_string();
        let app = &app;
        async move {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call("transfers/summary", &args, Some(&cookie)).await
        }
    };
    let summary = summary_of(&plm).await;
    assert_eq!(summary.status, StatusCode::OK);
    assert_eq!(
        summary.body["project"],
        json!("Northside Permanent Supportive Housing")
    );
    assert_eq!(
        summary.body["asked_for"],
        json!("PH – Housing Only at Eastgate Community Services")
    );
    assert_eq!(summary_of(&assessor).await.status, StatusCode::FORBIDDEN);
    assert_eq!(summary_of(&northside).await.status, StatusCode::FORBIDDEN);
    assert_eq!(summary_of(&lakeshore).await.status, StatusCode::OK);
    assert_eq!(
        summary_of(&lakeshore).await.body,
        Value::Null,
        "another CoC's PLM"
    );
    let refer = |transfer_id: String| ReferToHousing {
        client_id: omar.client_id,
        referral: ReferralChoice {
            project_id: String::new(),
            event_date: today(),
            event: "15".into(),
            refer_anyway: String::new(),
            transfer: transfer_id,
        },
    };
    let mut choice = refer(transfer.id.to_string());
    choice.referral.project_id = app.project_id("Eastgate Housing Only").await.to_string();
    let referred = app.call_fn(&choice, Some(&plm)).await;
    assert_eq!(referred.status, StatusCode::OK, "{:?}", referred.body);
    let event_id = referred.body.as_i64().unwrap();
    let linked: (String, Option<i64>) =
        sqlx::query_as("select status, ce_event_id from transfer_requests where id = $1")
            .bind(transfer.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(linked, ("referred".to_string(), Some(event_id)));
    assert_eq!(
        notices(&app, "caseworker", "transfer_referred").await,
        vec![(
            "Coordinated Entry answered a transfer request from Northside Permanent Supportive Housing with a referral to Eastgate Housing Only.".to_string(),
            format!("/clients/{}/enrollments/{}", omar.client_id, omar.enrollment_id)
        )]
    );
    assert_eq!(
        state(&app, &northside, omar).await["requests"][0]["status"],
        json!("Referred to Eastgate Housing Only")
    );
    assert_eq!(
        app.call("transfers/queue", &[], Some(&plm)).await.body["rows"],
        json!([])
    );
    // An answered request cannot be answered again, by a referral or a decline.
    let mut twice = refer(transfer.id.to_string());
    twice.referral.project_id = app
        .project_id("Harbor Light Transitional Housing")
        .await
        .to_string();
    twice.referral.event = "11".into();
    twice.referral.refer_anyway = "yes".into();
    let refused = app.call_fn(&twice, Some(&plm)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body["Invalid"]["transfer"].is_string(),
        "{:?}",
        refused.body
    );
    let declined = app
        .call_fn(
            &DeclineTransfer {
                request: TransferRef {
                    id: transfer.id,
                    version: transfer.version + 1,
                },
                answer: DeclineDraft {
                    note: "Too late.".into(),
                },
            },
            Some(&plm),
        )
        .await;
    assert_eq!(
        declined.body,
        json!({"Invalid": {"decline_note": "This transfer request no longer awaits an answer (answered, or the client left the project)."}})
    );
    // Another client's referral may not name this request either.
    let grace = enrollment(
        &app,
        "Grace",
        "Garcia",
        "Northside Permanent Supportive Housing",
    )
    .await;
    assert_eq!(
        request(&app, &northside, grace, to_eastgate(eastgate))
            .await
            .status,
        StatusCode::OK
    );
    let graces = pending_request(&app, grace).await;
    let mut wrong = refer(graces.id.to_string());
    wrong.referral.project_id = app.project_id("Eastgate Housing Only").await.to_string();
    wrong.referral.refer_anyway = "yes".into();
    let wrong_client = app.call_fn(&wrong, Some(&plm)).await;
    assert_eq!(wrong_client.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_client.body["Invalid"]["transfer"].is_string());
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_the_cocs_plm_declines_a_transfer_and_only_with_a_note(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let assessor = as_user(&app, ASSESSOR).await;
    let lakeshore = as_user(&app, LAKESHORE_PLM).await;
    let grace = enrollment(
        &app,
        "Grace",
        "Garcia",
        "Northside Permanent Supportive Housing",
    )
    .await;
    let made = request(
        &app,
        &northside,
        grace,
        TransferDraft {
            reason: "household_change".into(),
            project_type: "13".into(),
            organization: String::new(),
            note: "Her two children joined her.".into(),
        },
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    let transfer = pending_request(&app, grace).await;
    let decline = |version: i32, note: &str| DeclineTransfer {
        request: TransferRef {
            id: transfer.id,
            version,
        },
        answer: DeclineDraft { note: note.into() },
    };
    let no_note = app
        .call_fn(&decline(transfer.version, " "), Some(&plm))
        .await;
    assert_eq!(
        no_note.body,
        json!({"Invalid": {"decline_note": "Write a note."}})
    );
    for (cookie, status) in [
        (&assessor, StatusCode::FORBIDDEN),
        (&northside, StatusCode::NOT_FOUND),
        (&lakeshore, StatusCode::NOT_FOUND),
    ] {
        let refused = app
            .call_fn(&decline(transfer.version, "No."), Some(cookie))
            .await;
        assert_eq!(refused.status, status);
    }
    assert_eq!(
        app.call_fn(&decline(transfer.version - 1, "No."), Some(&plm))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let done = app
        .call_fn(
            &decline(
                transfer.version,
                "No RRH openings this month; ask again in January.",
            ),
            Some(&plm),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(
        notices(&app, "caseworker", "transfer_declined").await,
        vec![(
            "Coordinated Entry declined a transfer request from Northside Permanent Supportive Housing.".to_string(),
            format!("/clients/{}/enrollments/{}", grace.client_id, grace.enrollment_id)
        )]
    );
    let after = state(&app, &northside, grace).await;
    assert_eq!(after["requests"][0]["status"], json!("Declined"));
    assert_eq!(
        after["requests"][0]["decision_note"],
        json!("No RRH openings this month; ask again in January.")
    );
    assert_eq!(
        after["requests"][0]["asked_for"],
        json!("PH – Rapid Re-Housing")
    );
    // Answered, a new request may be made.
    assert_eq!(after["unavailable"], Value::Null);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'transfer_request' and action = 'transfer_declined'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // A CE enrollment asks for nothing.
    let ce = enrollment(&app, "Grace", "Garcia", "Riverbend Coordinated Entry").await;
    let plm_ce = state(&app, &plm, ce).await;
    assert_eq!(
        plm_ce["unavailable"],
        json!("Transfers are between housing projects that receive CE referrals.")
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_pending_request_closes_when_the_client_leaves_the_project(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let omar = enrollment(
        &app,
        "Omar",
        "Ahmed",
        "Northside Permanent Supportive Housing",
    )
    .await;
    let eastgate = app.organization_id("Eastgate Community Services").await;
    let asked = request(&app, &northside, omar, to_eastgate(eastgate)).await;
    assert_eq!(asked.status, StatusCode::OK, "{:?}", asked.body);
    let waiting = app
        .call_fn(&TransferRequests { project: None }, Some(&plm))
        .await;
    assert!(waiting.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["client_name"] == json!("Omar Ahmed")));

    // The client leaves the project: the request closes in the exit's transaction.
    let version: i32 = sqlx::query_scalar("select version from enrollments where id = $1")
        .bind(omar.enrollment_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let exited = app
        .call(
            "enrollments/exit",
            &[
                ("client_id", &omar.client_id.to_string()),
                ("enrollment_id", &omar.enrollment_id.to_string()),
                ("version", &version.to_string()),
                ("exit_date", &today()),
                ("destination", "435"),
                ("destination_subsidy_type", "439"),
                ("other_destination", ""),
            ],
            Some(&northside),
        )
        .await;
    assert_eq!(exited.status, StatusCode::OK, "{:?}", exited.body);
    let (status, decided_by): (String, Option<i64>) =
        sqlx::query_as("select status, decided_by from transfer_requests where enrollment_id = $1")
            .bind(omar.enrollment_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "closed");
    assert!(decided_by.is_some());
    assert_eq!(app.audit_count("transfer_closed").await, 1);
    let after = state(&app, &northside, omar).await;
    assert_eq!(
        after["requests"][0]["status"],
        json!("Closed: the client left the project")
    );
    let queue = app
        .call_fn(&TransferRequests { project: None }, Some(&plm))
        .await;
    assert!(queue.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["client_name"] != json!("Omar Ahmed")));
}
