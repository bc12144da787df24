//! Notifications: written in the transaction of the change, to the other side's members (never
//! the actor), without client names; each user reads and marks only their own.

use crate::common::MIGRATIONS;
use crate::common::{as_user, ASSESSOR, HARBOR, NORTHSIDE, PLM};
use crate::common::{spawn_app, today, TestApp};
use app::features::ce_events::api::{EventRef, ReferToHousing, ReferralChoice};
use app::features::notes::api::AddCeEventNote;
use app::features::notifications::api::{MarkAllNotificationsRead, MarkNotificationRead};
use app::features::returns::api::{ReturnDraft, ReturnForRematch, ReviewDraft, ReviewReturn};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn list(app: &TestApp, cookie: &str) -> Value {
    let reply = app.call("notifications/list", &[], Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn current(app: &TestApp, first: &str, last: &str) -> EventRef {
    let (client_id, event_id) = app.event_of(first, last).await;
    EventRef {
        client_id,
        event_id,
        version: app.event_version(event_id).await,
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn each_step_of_a_return_tells_the_other_side(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let assessor = as_user(&app, ASSESSOR).await;
    let harbor = as_user(&app, HARBOR).await;
    let reason: i64 = sqlx::query_scalar(
        "select id from return_reasons where coc_code = 'RB-501' and label = 'No unit available'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    let marisol = current(&app, "Marisol", "Quintero").await;
    let returned = app
        .call_fn(
            &ReturnForRematch {
                record: marisol,
                returned: ReturnDraft {
                    reason: reason.to_string(),
                    note: "The unit failed inspection.".into(),
                },
            },
            Some(&northside),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);

    // Every member of the CE organization is told, with a link to the CE Event; the provider
    // who returned it and an unrelated provider are not.
    let link = format!(
        "/clients/{}/ce-events/{}",
        marisol.client_id, marisol.event_id
    );
    for cookie in [&plm, &assessor] {
        let body = list(&app, cookie).await;
        assert_eq!(body["unread"], json!(1), "{body:?}");
        assert_eq!(
            body["items"][0]["message"],
            json!("A referral to Northside Permanent Supportive Housing was returned for rematch: No unit available.")
        );
        assert_eq!(body["items"][0]["link"], json!(link));
    }
    assert_eq!(list(&app, &northside).await["unread"], json!(0));
    assert_eq!(list(&app, &harbor).await["unread"], json!(0));
    let bell = app.call("notifications/unread", &[], Some(&plm)).await;
    assert_eq!(bell.body, json!(1));
    // A visitor who is not signed in gets no bell (and no error to log on every page).
    let anonymous = app.call("notifications/unread", &[], None).await;
    assert_eq!(
        (anonymous.status, anonymous.body),
        (StatusCode::OK, Value::Null)
    );

    // The PLM sends it back: the provider is told.
    let sent = app
        .call_fn(
            &ReviewReturn {
                record: current(&app, "Marisol", "Quintero").await,
                review: ReviewDraft {
                    decision: "send_back".into(),
                    note: "Another unit opens Monday.".into(),
                },
            },
            Some(&plm),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let provider = list(&app, &northside).await;
    assert_eq!(
        provider["items"][0]["message"],
        json!("Coordinated Entry sent a returned referral to Northside Permanent Supportive Housing back to you.")
    );

    // A note tells the other side.
    let noted = app
        .call_fn(
            &AddCeEventNote {
                client_id: marisol.client_id,
                event_id: marisol.event_id,
                body: "Marisol will call back.".into(),
            },
            Some(&northside),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK);
    assert_eq!(
        list(&app, &plm).await["items"][0]["message"],
        json!("Northside Housing Partners added a note on a referral to Northside Permanent Supportive Housing.")
    );

    // A new referral tells the receiving organization.
    let wendell = app.client_id("Wendell", "Ashby").await;
    let referred = app
        .call_fn(
            &ReferToHousing {
                client_id: wendell,
                referral: ReferralChoice {
                    project_id: app
                        .project_id("Harbor Light Transitional Housing")
                        .await
                        .to_string(),
                    event_date: today(),
                    event: "11".into(),
                    refer_anyway: String::new(),
                    transfer: String::new(),
                },
            },
            Some(&plm),
        )
        .await;
    assert_eq!(referred.status, StatusCode::OK, "{:?}", referred.body);
    assert_eq!(
        list(&app, &harbor).await["items"][0]["message"],
        json!("New referral to Harbor Light Transitional Housing.")
    );

    // No notification names a client (HMIS privacy).
    let messages: Vec<String> = sqlx::query_scalar("select message from notifications")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(messages.len() >= 5, "{messages:?}");
    let names: Vec<String> =
        sqlx::query_scalar("select distinct last_name from clients where last_name is not null")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for message in &messages {
        for name in &names {
            assert!(!message.contains(name.as_str()), "{message} names {name}");
        }
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn users_mark_only_their_own_notifications(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let assessor = as_user(&app, ASSESSOR).await;
    let (client_id, event_id) = app.event_of("Marisol", "Quintero").await;
    for body in ["first", "second"] {
        let reply = app
            .call_fn(
                &AddCeEventNote {
                    client_id,
                    event_id,
                    body: body.into(),
                },
                Some(&northside),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let plm_items = list(&app, &plm).await;
    assert_eq!(plm_items["unread"], json!(2));
    let plm_first = plm_items["items"][0]["id"].as_i64().unwrap();

    // The assessor cannot mark the PLM's notification: it is not theirs.
    let foreign = app
        .call_fn(&MarkNotificationRead { id: plm_first }, Some(&assessor))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(list(&app, &plm).await["unread"], json!(2));

    let mine = app
        .call_fn(&MarkNotificationRead { id: plm_first }, Some(&plm))
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    let after = list(&app, &plm).await;
    assert_eq!(after["unread"], json!(1));
    assert_eq!(after["items"][0]["read"], json!(true));
    // Marking all leaves the assessor's untouched.
    let all = app.call_fn(&MarkAllNotificationsRead {}, Some(&plm)).await;
    assert_eq!(all.body, json!(1));
    assert_eq!(list(&app, &plm).await["unread"], json!(0));
    assert_eq!(list(&app, &assessor).await["unread"], json!(2));
    // Anonymous callers get nothing.
    assert_eq!(
        app.call("notifications/list", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
