//! Notes on referrals: append-only, for the two sides of the referral and nobody else (System
//! Administrators included), audited without their text.

use crate::common::MIGRATIONS;
use crate::common::{as_user, ADMIN, EASTGATE, HARBOR, NORTHSIDE, PLM};
use crate::common::{spawn_app, TestApp};
use app::features::notes::api::{AddCeEventNote, AddReferralNote};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn ce_form(app: &TestApp, cookie: &str, client: i64, event: i64) -> (StatusCode, Value) {
    let reply = app
        .call(
            "ce/get",
            &[
                ("client_id", &client.to_string()),
                ("event_id", &event.to_string()),
            ],
            Some(cookie),
        )
        .await;
    (reply.status, reply.body)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn ce_notes_are_shared_by_the_provider_and_coordinated_entry_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let (client_id, event_id) = app.event_of("Marisol", "Quintero").await;
    let note = |body: &str| AddCeEventNote {
        client_id,
        event_id,
        body: body.into(),
    };

    let added = app
        .call_fn(
            &note("Left a voicemail; trying again Friday."),
            Some(&northside),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let answered = app
        .call_fn(&note("Try her cell: in the profile."), Some(&plm))
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{:?}", answered.body);

    // Both sides read the thread, oldest first, with author and organization.
    for cookie in [&northside, &plm] {
        let (status, form) = ce_form(&app, cookie, client_id, event_id).await;
        assert_eq!(status, StatusCode::OK);
        let notes = form["notes"]["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(
            notes[0]["body"],
            json!("Left a voicemail; trying again Friday.")
        );
        assert_eq!(notes[0]["author"], json!("Casey Moreno"));
        assert_eq!(
            notes[0]["organization"],
            json!("Northside Housing Partners")
        );
        assert_eq!(
            notes[1]["organization"],
            json!("Riverbend CoC Coordinated Entry")
        );
    }
    // A System Administrator sees the CE Event but not its notes, and cannot write one.
    let admin = as_user(&app, ADMIN).await;
    let (status, form) = ce_form(&app, &admin, client_id, event_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(form["notes"], Value::Null);
    assert_eq!(
        app.call_fn(&note("admin"), Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    // Another provider gets "Not found" for the note as for the event.
    let harbor = as_user(&app, HARBOR).await;
    assert_eq!(
        app.call_fn(&note("peek"), Some(&harbor)).await.status,
        StatusCode::NOT_FOUND
    );
    // The rules: no empty note, at most 2,000 characters.
    let empty = app.call_fn(&note(" \n "), Some(&northside)).await;
    assert_eq!(
        empty.body,
        json!({"Invalid": {"note_body": "Write a note."}})
    );
    let long = app
        .call_fn(&note(&"a".repeat(2001)), Some(&northside))
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Audited, without the text.
    let audits: Vec<Value> = sqlx::query_scalar(
        "select after from audit_log where entity = 'referral_note' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audits.len(), 2);
    assert!(
        !audits[0].to_string().contains("voicemail"),
        "{}",
        audits[0]
    );
    assert_eq!(audits[0]["CE Event"], json!(event_id));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn non_ce_notes_are_shared_by_the_referring_and_receiving_organization_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let eastgate = as_user(&app, EASTGATE).await;
    let harbor = as_user(&app, HARBOR).await;
    let client_id = app.client_id("Beatrix", "Oduya").await;
    let referral_id: i64 =
        sqlx::query_scalar("select id from referrals where client_id = $1 order by id limit 1")
            .bind(client_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let note = |body: &str| AddReferralNote {
        client_id,
        referral_id,
        body: body.into(),
    };
    assert_eq!(
        app.call_fn(&note("Appointment moved to Tuesday."), Some(&eastgate))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.call_fn(&note("Thanks, she knows."), Some(&harbor))
            .await
            .status,
        StatusCode::OK
    );
    let get = |cookie: String| {
        let app = &app;
        async move {
            app.call(
                "referrals/get",
                &[
                    ("client_id", &client_id.to_string()),
                    ("referral_id", &referral_id.to_string()),
                ],
                Some(&cookie),
            )
            .await
        }
    };
    let read = get(harbor.clone()).await;
    assert_eq!(read.body["notes"]["notes"].as_array().unwrap().len(), 2);
    assert_eq!(
        read.body["notes"]["notes"][1]["body"],
        json!("Thanks, she knows.")
    );
    // A third organization, and a System Administrator, read and write none.
    let northside = as_user(&app, NORTHSIDE).await;
    assert_eq!(
        app.call_fn(&note("peek"), Some(&northside)).await.status,
        StatusCode::NOT_FOUND
    );
    let admin = as_user(&app, ADMIN).await;
    let admin_view = get(admin.clone()).await;
    assert_eq!(admin_view.status, StatusCode::OK);
    assert_eq!(admin_view.body["notes"], Value::Null);
    assert_eq!(
        app.call_fn(&note("admin"), Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
}
