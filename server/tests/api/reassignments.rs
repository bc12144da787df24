//! Non-CE reassignment (article 003): the receiving organization asks; only the referring
//! organization reassigns (a new referral linked to the old, the old one closed) or withdraws;
//! the other side is told; a closed referral takes no outcome.

use crate::common::{as_user, EASTGATE, HARBOR, NORTHSIDE};
use crate::common::{spawn_app, Reply, TestApp, MIGRATIONS};
use app::features::reassignments::api::{
    AnswerReassignment, AskReassignment, ReassignmentAnswerDraft, ReassignmentRequestDraft,
};
use app::features::referrals::model::ReferralRef;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

/// The client's non-CE referral, at its current version.
async fn referral_of(app: &TestApp, first: &str, last: &str) -> ReferralRef {
    let (client_id, referral_id, version): (i64, i64, i32) = sqlx::query_as(
        "select c.id, r.id, r.version from referrals r join clients c on c.id = r.client_id
          where c.first_name = $1 and c.last_name = $2 and r.reassigned_from is null",
    )
    .bind(first)
    .bind(last)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    ReferralRef {
        client_id,
        referral_id,
        version,
    }
}

async fn reassignment(app: &TestApp, cookie: &str, record: ReferralRef) -> Value {
    let reply = app
        .call(
            "referrals/reassignment",
            &[
                ("client_id", &record.client_id.to_string()),
                ("referral_id", &record.referral_id.to_string()),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn ask(app: &TestApp, cookie: &str, record: ReferralRef, note: &str) -> Reply {
    app.call_fn(
        &AskReassignment {
            record,
            request: ReassignmentRequestDraft { note: note.into() },
        },
        Some(cookie),
    )
    .await
}

async fn answer(
    app: &TestApp,
    cookie: &str,
    record: ReferralRef,
    decision: &str,
    to_project: &str,
) -> Reply {
    app.call_fn(
        &AnswerReassignment {
            record,
            answer: ReassignmentAnswerDraft {
                decision: decision.into(),
                to_project: to_project.into(),
            },
        },
        Some(cookie),
    )
    .await
}

async fn kinds_for(app: &TestApp, username: &str, kind: &str) -> Vec<(String, String)> {
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

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_receiver_asks_and_the_referrer_reassigns_to_a_new_linked_referral(pool: PgPool) {
    let app = spawn_app(pool).await;
    let eastgate = as_user(&app, EASTGATE).await;
    let harbor = as_user(&app, HARBOR).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let hollis = referral_of(&app, "Hollis", "Varga").await;

    // Only the receiver is offered the request; the referrer has nothing to answer yet.
    assert_eq!(
        reassignment(&app, &eastgate, hollis).await["can_ask"],
        json!(true)
    );
    let before = reassignment(&app, &harbor, hollis).await;
    assert_eq!(
        (before["can_ask"].clone(), before["can_answer"].clone()),
        (json!(false), json!(false))
    );
    // Neither the referrer nor a stranger may ask; a note is required; a stale version is refused.
    assert_eq!(
        ask(&app, &harbor, hollis, "n").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ask(&app, &northside, hollis, "n").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ask(&app, &eastgate, hollis, " ").await.body,
        json!({"Invalid": {"reassign_note": "Write a note."}})
    );
    let stale = ReferralRef {
        version: hollis.version - 1,
        ..hollis
    };
    assert_eq!(
        ask(&app, &eastgate, stale, "n").await.status,
        StatusCode::CONFLICT
    );
    let asked = ask(
        &app,
        &eastgate,
        hollis,
        "We do not run the dental clinic he needs.",
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{:?}", asked.body);
    assert_eq!(
        kinds_for(&app, "shelter", "reassignment_requested").await,
        vec![(
            "Eastgate Community Services says a referral to Eastgate Case Management (Eastgate Community Services) was sent incorrectly or needs reassignment.".to_string(),
            format!("/clients/{}/referrals/{}", hollis.client_id, hollis.referral_id)
        )]
    );
    // Asked once; while it waits the receiver records no outcome.
    let twice = ask(&app, &eastgate, hollis, "again").await;
    assert_eq!(
        twice.body,
        json!({"Invalid": {"reassign_note": "A reassignment request awaits the referring organization."}})
    );
    let outcome = app
        .call(
            "referrals/outcome",
            &[
                ("record[client_id]", &hollis.client_id.to_string()),
                ("record[referral_id]", &hollis.referral_id.to_string()),
                ("record[version]", &hollis.version.to_string()),
                (
                    "outcome[date_referral_acknowledged]",
                    &crate::common::today(),
                ),
            ],
            Some(&eastgate),
        )
        .await;
    assert_eq!(
        outcome.body,
        json!({"Invalid": {"result": "You asked for this referral to be reassigned: the referring organization answers first."}})
    );

    // The referrer sees the request and answers; the receiver may not answer.
    let pending = reassignment(&app, &harbor, hollis).await;
    assert_eq!(pending["can_answer"], json!(true));
    assert_eq!(
        pending["pending"]["note"],
        json!("We do not run the dental clinic he needs.")
    );
    assert_eq!(
        pending["pending"]["organization"],
        json!("Eastgate Community Services")
    );
    let northside_case_management = app.project_id("Northside Rapid Re-Housing").await;
    assert_eq!(
        answer(&app, &eastgate, hollis, "withdraw", "").await.status,
        StatusCode::FORBIDDEN
    );
    let current = app.project_id("Eastgate Case Management").await;
    assert_eq!(
        answer(&app, &harbor, hollis, "reassign", &current.to_string())
            .await
            .body,
        json!({"Invalid": {"reassign_project": "Choose another project than the one the referral went to."}})
    );
    assert_eq!(
        answer(&app, &harbor, hollis, "", "").await.body,
        json!({"Invalid": {"reassign_decision": "Choose Reassign or Withdraw."}})
    );
    let done = answer(
        &app,
        &harbor,
        hollis,
        "reassign",
        &northside_case_management.to_string(),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let new_id = done.body.as_i64().unwrap();
    assert_ne!(new_id, hollis.referral_id);
    let (old_closed, old_reason): (Option<chrono::NaiveDate>, Option<String>) =
        sqlx::query_as("select closed_on, closed_reason from referrals where id = $1")
            .bind(hollis.referral_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(old_closed.is_some());
    assert_eq!(old_reason.as_deref(), Some("reassigned"));
    let (from_project, service, replaces): (i64, String, Option<i64>) = sqlx::query_as(
        "select from_project_id, service, reassigned_from from referrals where id = $1",
    )
    .bind(new_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        from_project,
        app.project_id("Harbor Light Emergency Shelter").await
    );
    assert!(!service.is_empty());
    assert_eq!(replaces, Some(hollis.referral_id));

    // Both receivers are told; the new one sees the new referral among its incoming.
    assert_eq!(
        kinds_for(&app, "eastgate", "referral_reassigned")
            .await
            .len(),
        1
    );
    let told = kinds_for(&app, "caseworker", "referral_received").await;
    assert_eq!(
        told.last().unwrap().1,
        format!("/clients/{}/referrals/{}", hollis.client_id, new_id)
    );
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
        .any(|r| r["id"] == json!(new_id)));
    // The old receiver's list drops the closed one; the form shows it closed, takes no outcome.
    let old_incoming = app
        .call(
            "referrals/incoming",
            &[("filter", "awaiting")],
            Some(&eastgate),
        )
        .await;
    assert!(!old_incoming
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == json!(hollis.referral_id)));
    // Where the client went is the referring organization's to know, not the old receiver's.
    let closed = reassignment(&app, &eastgate, hollis).await;
    assert_eq!(closed["closed"], json!("Closed: reassigned"));
    assert_eq!(
        closed["replaced_by"],
        Value::Null,
        "the old receiver does not follow it"
    );
    let referrer = reassignment(&app, &harbor, hollis).await;
    assert_eq!(referrer["replaced_by"], json!(new_id));
    assert_eq!(
        referrer["closed"],
        json!("Closed: reassigned to Northside Rapid Re-Housing")
    );
    // The new receiver is not pointed at the old referral.
    let new_ref = ReferralRef {
        referral_id: new_id,
        version: 1,
        ..hollis
    };
    assert_eq!(
        reassignment(&app, &northside, new_ref).await["replaces"],
        Value::Null
    );
    assert_eq!(
        reassignment(&app, &harbor, new_ref).await["replaces"],
        json!(hollis.referral_id)
    );
    // The client's Referrals list reads it as closed, on both sides.
    for cookie in [&eastgate, &harbor] {
        let list = app
            .call(
                "referrals/list",
                &[("client_id", &hollis.client_id.to_string())],
                Some(cookie),
            )
            .await;
        let row = list.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(hollis.referral_id))
            .cloned()
            .unwrap();
        assert_eq!(row["status"], json!("Closed: reassigned"));
    }
    let form = app
        .call(
            "referrals/get",
            &[
                ("client_id", &hollis.client_id.to_string()),
                ("referral_id", &hollis.referral_id.to_string()),
            ],
            Some(&eastgate),
        )
        .await;
    assert_eq!(form.body["can_resolve"], json!(false));
    assert_eq!(form.body["status"], json!("Closed: reassigned"));
    // Answered once.
    let version: i32 = sqlx::query_scalar("select version from referrals where id = $1")
        .bind(hollis.referral_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let again = answer(
        &app,
        &harbor,
        ReferralRef { version, ..hollis },
        "withdraw",
        "",
    )
    .await;
    assert_eq!(
        again.body,
        json!({"Invalid": {"reassign_decision": "No reassignment request awaits your answer on this referral."}})
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_referrer_withdraws_and_a_resolved_referral_is_not_reassigned(pool: PgPool) {
    let app = spawn_app(pool).await;
    let eastgate = as_user(&app, EASTGATE).await;
    let harbor = as_user(&app, HARBOR).await;
    let nia = referral_of(&app, "Nia", "Nguyen").await;
    assert_eq!(
        ask(&app, &eastgate, nia, "Wrong county.").await.status,
        StatusCode::OK
    );
    let withdrawn = answer(&app, &harbor, nia, "withdraw", "").await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{:?}", withdrawn.body);
    assert_eq!(withdrawn.body, json!(nia.referral_id));
    assert_eq!(
        kinds_for(&app, "eastgate", "referral_withdrawn").await,
        vec![(
            "The referring organization withdrew a referral to Eastgate Case Management (Eastgate Community Services).".to_string(),
            format!("/clients/{}/referrals/{}", nia.client_id, nia.referral_id)
        )]
    );
    assert_eq!(
        reassignment(&app, &eastgate, nia).await["closed"],
        json!("Closed: withdrawn by the referring organization")
    );
    let referrals: i64 =
        sqlx::query_scalar("select count(*) from referrals where reassigned_from is not null")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(referrals, 0);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action in ('reassignment.request', 'reassignment.answer')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);

    // A resolved referral (Imani Fairbanks: a Result recorded) is not asked about.
    let imani = referral_of(&app, "Imani", "Fairbanks").await;
    assert_eq!(
        reassignment(&app, &eastgate, imani).await["can_ask"],
        json!(false)
    );
    assert_eq!(
        ask(&app, &eastgate, imani, "n").await.body,
        json!({"Invalid": {"reassign_note": "This referral is resolved: it can no longer be reassigned."}})
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_hmis_export_passes_its_validator_with_returned_and_reassigned_referrals(pool: PgPool) {
    use app::features::ce_events::api::EventRef;
    use app::features::returns::api::{ReturnDraft, ReturnForRematch, ReviewDraft, ReviewReturn};
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let eastgate = as_user(&app, EASTGATE).await;
    let harbor = as_user(&app, HARBOR).await;
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;

    // A CE referral returned for rematch and confirmed: Referral Result and Result Date recorded.
    let (client_id, event_id) = app.event_of("Marisol", "Quintero").await;
    let record = |version| EventRef {
        client_id,
        event_id,
        version,
    };
    let reason: i64 = sqlx::query_scalar(
        "select id from return_reasons where coc_code = 'RB-501' and label = 'No unit available'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let returned = app
        .call_fn(
            &ReturnForRematch {
                record: record(app.event_version(event_id).await),
                returned: ReturnDraft {
                    reason: reason.to_string(),
                    note: "The unit failed inspection.".into(),
                },
            },
            Some(&northside),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);
    let confirmed = app
        .call_fn(
            &ReviewReturn {
                record: record(app.event_version(event_id).await),
                review: ReviewDraft {
                    decision: "confirm".into(),
                    note: String::new(),
                },
            },
            Some(&plm),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);

    // A non-CE referral reassigned: the closed one and its replacement.
    let hollis = referral_of(&app, "Hollis", "Varga").await;
    assert_eq!(
        ask(&app, &eastgate, hollis, "Wrong program.").await.status,
        StatusCode::OK
    );
    let project = app
        .project_id("Northside Rapid Re-Housing")
        .await
        .to_string();
    assert_eq!(
        answer(&app, &harbor, hollis, "reassign", &project)
            .await
            .status,
        StatusCode::OK
    );

    let today = chrono::Local::now().date_naive();
    let start = (today - chrono::Duration::days(400)).to_string();
    let result =
        crate::hmis_export::export(&app, &admin, "RB-501", "3", &start, &today.to_string()).await;
    assert_eq!(result["status"], "ready", "{result:#?}");
    assert_eq!(result["violation_count"], 0, "{result:#?}");
    let (result_code, result_date): (Option<i16>, Option<chrono::NaiveDate>) =
        sqlx::query_as("select referral_result, result_date from ce_events where id = $1")
            .bind(event_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        result_code,
        Some(3),
        "provider rejected, as the reason maps it"
    );
    assert_eq!(result_date, Some(today));
}
