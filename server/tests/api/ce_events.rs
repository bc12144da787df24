//! CE Event server functions through the real HTTP stack: referral creation (PLM),
//! acknowledgement and resolution (receiving provider), corrections, locks, versions, audit.

use crate::common::MIGRATIONS;
use crate::common::{as_user, NORTHSIDE, PLM};
use crate::common::{days_ago, spawn_app, today, Reply, TestApp};
use app::features::ce_events::api::{CeEventDraft, EventRef, SaveCeEvent};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn audit_rows(app: &TestApp, event: i64) -> i64 {
    sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'ce_event' and entity_id = $1",
    )
    .bind(event)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The CE Event form of `event` (`ce/get`) as the user of `cookie` opens it.
async fn open_form(app: &TestApp, cookie: &str, client: i64, event: i64) -> Reply {
    app.call(
        "ce/get",
        &[
            ("client_id", &client.to_string()),
            ("event_id", &event.to_string()),
        ],
        Some(cookie),
    )
    .await
}

struct Save<'a> {
    ack: &'a str,
    name: &'a str,
    phone: &'a str,
    email: &'a str,
    result: &'a str,
    result_date: &'a str,
    enrollment: &'a str,
    reason: &'a str,
}

const ACK: Save<'static> = Save {
    ack: "",
    name: "Casey Moreno",
    phone: "(612) 555-0142",
    email: "casey@northside.example",
    result: "",
    result_date: "",
    enrollment: "",
    reason: "",
};

async fn save(
    app: &TestApp,
    cookie: &str,
    client: i64,
    event: i64,
    version: i32,
    s: &Save<'_>,
) -> (StatusCode, Value) {
    let call = SaveCeEvent {
        record: EventRef {
            client_id: client,
            event_id: event,
            version,
        },
        draft: CeEventDraft {
            date_referral_acknowledged: s.ack.into(),
            provider_contact_name: s.name.into(),
            provider_contact_phone: s.phone.into(),
            provider_contact_email: s.email.into(),
            referral_result: s.result.into(),
            result_date: s.result_date.into(),
            resulting_enrollment: s.enrollment.into(),
            not_housed_reason: s.reason.into(),
        },
    };
    let reply = app.call_fn(&call, Some(cookie)).await;
    (reply.status, reply.body)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_plm_refers_a_client_from_the_priority_list(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let wendell = app.client_id("Wendell", "Ashby").await.to_string();

    let list = app
        .call(
            "ce/priority_list",
            &[
                ("query", "ashby"),
                ("pending", ""),
                ("sort", ""),
                ("page", "1"),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["rows"][0]["name"], json!("Wendell Ashby"));
    assert_eq!(list.body["rows"][0]["pending_referrals"], json!(0));

    let form = app
        .call("ce/referral_form", &[("client_id", &wendell)], Some(&plm))
        .await;
    let targets = form.body["targets"].as_array().unwrap();
    let psh = targets
        .iter()
        .find(|t| t["name"] == json!("Northside Permanent Supportive Housing"))
        .unwrap();
    assert_eq!(psh["events"][0][0], json!(14), "PSH maps to event 14");
    assert!(
        targets
            .iter()
            .all(|t| t["name"] != json!("Eastgate Case Management")),
        "services-only projects do not receive CE referrals"
    );

    let psh_id = psh["id"].to_string();
    let created = app
        .call(
            "ce/refer",
            &[
                ("client_id", &wendell),
                ("project_id", &psh_id),
                ("event_date", &today()),
                ("event", "14"),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    let event_id = created.body.as_i64().unwrap();
    let (location, status): (Option<String>, String) = sqlx::query_as(
        "select ev.location_crisis_or_ph_housing, s.name from ce_events ev join referral_need_statuses s on s.id = ev.need_status_id where ev.id = $1",
    )
    .bind(event_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        location,
        Some(format!("Northside Permanent Supportive Housing [{psh_id}]"))
    );
    assert_eq!(
        status,
        "CES: Matched: Awaiting response by Housing Provider"
    );
    assert_eq!(audit_rows(&app, event_id).await, 1);
    let history: i64 = sqlx::query_scalar(
        "select count(*) from ce_event_need_status_history where ce_event_id = $1",
    )
    .bind(event_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(history, 1);

    // A second unresolved referral to the same project is refused.
    let again = app
        .call(
            "ce/refer",
            &[
                ("client_id", &wendell),
                ("project_id", &psh_id),
                ("event_date", &today()),
                ("event", "14"),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(
        again.body,
        json!({"Invalid": {"project_id": "This client already has an unresolved referral to this project."}})
    );

    // The receiving provider now sees the client.
    let northside = as_user(&app, NORTHSIDE).await;
    let record = app
        .call("clients/get", &[("id", &wendell)], Some(&northside))
        .await;
    assert_eq!(record.status, StatusCode::OK);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn referral_creation_rules(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let wendell = app.client_id("Wendell", "Ashby").await.to_string();
    let project = |name: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select id from projects where name = $1")
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap()
                .to_string()
        }
    };
    let psh = project("Northside Permanent Supportive Housing").await;
    let sso = project("Eastgate Case Management").await;
    let lake = project("Lakeshore Family Rapid Re-Housing").await;

    let refer = |project: String, date: String, event: &'static str| {
        let (app, plm, wendell) = (&app, plm.clone(), wendell.clone());
        async move {
            app.call(
                "ce/refer",
                &[
                    ("client_id", &wendell),
                    ("project_id", &project),
                    ("event_date", &date),
                    ("event", event),
                ],
                Some(&plm),
            )
            .await
        }
    };
    let future = (chrono::Local::now().date_naive() + chrono::Duration::days(1)).to_string();
    assert_eq!(
        refer(psh.clone(), future, "14").await.body["Invalid"]["event_date"],
        json!("The date cannot be in the future.")
    );
    assert_eq!(
        refer(psh.clone(), today(), "13").await.body["Invalid"]["event"],
        json!("That Event does not fit the receiving project's type.")
    );
    assert_eq!(
        refer(psh.clone(), today(), "17").await.status,
        StatusCode::OK,
        "EHV may be chosen by hand"
    );
    assert_eq!(
        refer(sso, today(), "14").await.body["Invalid"]["project_id"],
        json!("Choose a project of this CoC that receives CE referrals.")
    );
    assert_eq!(
        refer(lake, today(), "13").await.body["Invalid"]["project_id"],
        json!("Choose a project of this CoC that receives CE referrals.")
    );
    assert_eq!(
        refer(psh.clone(), days_ago(2000), "14").await.body["Invalid"]["event_date"],
        json!("The Event Date cannot be before the CE enrollment's start.")
    );

    // Wrong workgroup, and the other CoC's PLM.
    let northside = as_user(&app, NORTHSIDE).await;
    let reply = app
        .call(
            "ce/refer",
            &[
                ("client_id", &wendell),
                ("project_id", &psh),
                ("event_date", &today()),
                ("event", "14"),
            ],
            Some(&northside),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let assessor = app
        .sign_in_as("assessor", 2, "Riverbend CoC Coordinated Entry")
        .await;
    let reply = app
        .call(
            "ce/refer",
            &[
                ("client_id", &wendell),
                ("project_id", &psh),
                ("event_date", &today()),
                ("event", "14"),
            ],
            Some(&assessor),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let lakeshore_plm = app
        .sign_in_as("lakeshore", 3, "Lakeshore CoC Coordinated Entry")
        .await;
    let reply = app
        .call(
            "ce/refer",
            &[
                ("client_id", &wendell),
                ("project_id", &psh),
                ("event_date", &today()),
                ("event", "14"),
            ],
            Some(&lakeshore_plm),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "a client outside the PLM's CoC is not found"
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_provider_acknowledges_a_referral(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let (client, event) = app.event_of("Marisol", "Quintero").await;
    let form = open_form(&app, &northside, client, event).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.body["can_resolve"], json!(true));
    assert_eq!(form.body["can_correct"], json!(false));
    assert_eq!(
        form.body["draft"]["provider_contact_name"],
        json!("Casey Moreno"),
        "prefilled from the project's last contact"
    );
    let version = form.body["version"].as_i64().unwrap() as i32;

    let (status, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            ack: &today(),
            phone: "612.555.0199",
            ..ACK
        },
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_eq!(body, json!(version + 1));
    let (ack, phone): (Option<chrono::NaiveDate>, Option<String>) = sqlx::query_as(
        "select date_referral_acknowledged, provider_contact_phone from ce_events where id = $1",
    )
    .bind(event)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(ack.map(|d| d.to_string()), Some(today()));
    assert_eq!(phone.as_deref(), Some("6125550199"), "stored normalised");
    assert_eq!(audit_rows(&app, event).await, 1);

    // History shows the change.
    let form = open_form(&app, &northside, client, event).await;
    let changes = form.body["history"][0]["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c
            .as_str()
            .unwrap()
            .starts_with("Date Referral Acknowledged: (blank) → ")),
        "{changes:?}"
    );
    assert_eq!(form.body["history"][0]["who"], json!("Casey Moreno"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn acknowledgement_rules_are_checked_on_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let (client, event) = app.event_of("Dashiell", "Okonkwo").await;
    let version = app.event_version(event).await;
    let (status, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            ack: &days_ago(400),
            phone: "555",
            email: "nope",
            ..ACK
        },
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["Invalid"]["date_referral_acknowledged"],
        json!("The date acknowledged cannot be before the Event Date.")
    );
    assert!(body["Invalid"]["provider_contact_phone"]
        .as_str()
        .unwrap()
        .contains("10-digit"));
    assert!(body["Invalid"]["provider_contact_email"]
        .as_str()
        .unwrap()
        .contains("valid email"));
    assert_eq!(app.event_version(event).await, version, "nothing saved");
    assert_eq!(audit_rows(&app, event).await, 0);

    let future = (chrono::Local::now().date_naive() + chrono::Duration::days(1)).to_string();
    let (_, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            ack: &future,
            ..ACK
        },
    )
    .await;
    assert_eq!(
        body["Invalid"]["date_referral_acknowledged"],
        json!("The date cannot be in the future.")
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_the_receiving_organization_may_acknowledge(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (client, event) = app.event_of("Marisol", "Quintero").await;
    let version = app.event_version(event).await;
    let ack = Save {
        ack: &today(),
        ..ACK
    };

    // Another provider does not even see it.
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    assert_eq!(
        save(&app, &shelter, client, event, version, &ack).await.0,
        StatusCode::NOT_FOUND
    );
    let get = open_form(&app, &shelter, client, event).await;
    assert_eq!(get.status, StatusCode::NOT_FOUND);
    // The CE organization sees it but may not acknowledge for the provider.
    let plm = as_user(&app, PLM).await;
    assert_eq!(
        save(&app, &plm, client, event, version, &ack).await.0,
        StatusCode::FORBIDDEN
    );
    // Another CoC's user: not found.
    let lakeshore = app
        .sign_in_as("lakeshore", 1, "Lakeshore Family Housing")
        .await;
    assert_eq!(
        save(&app, &lakeshore, client, event, version, &ack).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(audit_rows(&app, event).await, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_stale_save_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let (client, event) = app.event_of("Dashiell", "Okonkwo").await;
    let version = app.event_version(event).await;
    let (status, _) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            ack: &today(),
            ..ACK
        },
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            ack: &today(),
            name: "Someone Else",
            ..ACK
        },
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!("Conflict"));
    let name: String =
        sqlx::query_scalar("select provider_contact_name from ce_events where id = $1")
            .bind(event)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(name, "Casey Moreno", "the first save was not overwritten");
    assert_eq!(audit_rows(&app, event).await, 1);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn resolving_unsuccessful_needs_a_reason(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let (client, event) = app.event_of("Opal", "Hendricks").await;
    let version = app.event_version(event).await;
    let no_reason = Save {
        ack: &today(),
        result: "2",
        result_date: &today(),
        ..ACK
    };
    let (status, body) = save(&app, &northside, client, event, version, &no_reason).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["Invalid"]["not_housed_reason"],
        json!("Choose the reason the client was not housed.")
    );
    let (status, _) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            reason: "1",
            ..no_reason
        },
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (result, reason): (Option<i16>, Option<i64>) =
        sqlx::query_as("select referral_result, not_housed_reason_id from ce_events where id = $1")
            .bind(event)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((result, reason), (Some(2), Some(1)));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_successful_referral_locks_its_result(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let (client, event) = app.event_of("Tobias", "Wren").await;
    let form = open_form(&app, &northside, client, event).await;
    let options = form.body["enrollment_options"].as_array().unwrap();
    assert_eq!(options.len(), 1, "{options:?}");
    let enrollment = options[0]["id"].to_string();
    let start = options[0]["entry_date"].as_str().unwrap().to_string();
    let version = form.body["version"].as_i64().unwrap() as i32;

    // A wrong Result Date or an enrollment not on the list is refused.
    let success = Save {
        ack: &start,
        result: "1",
        result_date: &start,
        enrollment: &enrollment,
        ..ACK
    };
    let (status, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            enrollment: "999999",
            ..success
        },
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["Invalid"]["resulting_enrollment"],
        json!("Choose an enrollment from the list.")
    );

    let (status, body) = save(&app, &northside, client, event, version, &success).await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    let version = version + 1;

    // The result can no longer change...
    let (status, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            result: "2",
            enrollment: "",
            reason: "1",
            ..success
        },
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["Invalid"]["referral_result"]
        .as_str()
        .unwrap()
        .starts_with("Locked"));
    // ...but If Not Housed, Reason can be recorded (enrolled but not housed).
    let (status, body) = save(
        &app,
        &northside,
        client,
        event,
        version,
        &Save {
            reason: "2",
            ..success
        },
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    let (result, reason, resulting): (Option<i16>, Option<i64>, Option<i64>) =
        sqlx::query_as("select referral_result, not_housed_reason_id, resulting_enrollment_id from ce_events where id = $1")
            .bind(event)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (result, reason, resulting.map(|r| r.to_string())),
        (Some(1), Some(2), Some(enrollment.clone()))
    );
    assert_eq!(audit_rows(&app, event).await, 2, "one audit row per change");

    // The PLM can no longer correct it either.
    let plm = as_user(&app, PLM).await;
    let reply = app
        .call(
            "ce/correct",
            &[
                ("client_id", &client.to_string()),
                ("event_id", &event.to_string()),
                ("version", &(version + 1).to_string()),
                ("project_id", ""),
                ("event_date", &start),
                ("event", "13"),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(
        reply.body,
        json!({"Invalid": {"event_date": "A resolved referral can no longer be corrected."}})
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_plm_corrects_an_unresolved_event(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let (client, event) = app.event_of("Dashiell", "Okonkwo").await;
    let version = app.event_version(event).await;
    let date = days_ago(1);
    let args = |version: i32, date: &str, event_code: &str| {
        vec![
            ("client_id".to_string(), client.to_string()),
            ("event_id".to_string(), event.to_string()),
            ("version".to_string(), version.to_string()),
            ("project_id".to_string(), String::new()),
            ("event_date".to_string(), date.to_string()),
            ("event".to_string(), event_code.to_string()),
        ]
    };
    let call = |args: Vec<(String, String)>| {
        let (app, plm) = (&app, plm.clone());
        async move {
            let pairs: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call("ce/correct", &pairs, Some(&plm)).await
        }
    };
    let reply = call(args(version, &date, "12")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let (stored_date, code): (chrono::NaiveDate, i16) =
        sqlx::query_as("select event_date, event from ce_events where id = $1")
            .bind(event)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((stored_date.to_string(), code), (date.clone(), 12));
    assert_eq!(audit_rows(&app, event).await, 1);
    // Stale version.
    assert_eq!(
        call(args(version, &date, "13")).await.status,
        StatusCode::CONFLICT
    );
    // The provider may not correct.
    let northside = as_user(&app, NORTHSIDE).await;
    let pairs = args(version + 1, &date, "13");
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        app.call("ce/correct", &pairs, Some(&northside))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_event_list_shows_what_the_organization_may_see(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (client, _) = app.event_of("Marisol", "Quintero").await;
    let northside = as_user(&app, NORTHSIDE).await;
    let list = app
        .call(
            "ce/list",
            &[("client_id", &client.to_string())],
            Some(&northside),
        )
        .await;
    assert_eq!(list.body["client_name"], json!("Marisol Quintero"));
    assert_eq!(list.body["rows"][0]["editable"], json!(true));
    assert_eq!(
        list.body["rows"][0]["need_status"],
        json!("CES: Matched: Awaiting response by Housing Provider")
    );
    assert_eq!(list.body["can_refer"], json!(false));
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    assert_eq!(
        app.call(
            "ce/list",
            &[("client_id", &client.to_string())],
            Some(&shelter)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let plm = as_user(&app, PLM).await;
    let list = app
        .call("ce/list", &[("client_id", &client.to_string())], Some(&plm))
        .await;
    assert_eq!(
        list.body["rows"][0]["editable"],
        json!(true),
        "the PLM may correct an unresolved event"
    );
    assert_eq!(list.body["can_refer"], json!(true));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_plm_retargets_only_an_unacknowledged_referral(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let (client, event) = app.event_of("Marisol", "Quintero").await;
    let th: i64 = sqlx::query_scalar(
        "select id from projects where name = 'Harbor Light Transitional Housing'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let correct = |version: i32, project: String, event_code: &'static str| {
        let (app, plm) = (&app, plm.clone());
        async move {
            let (c, e, v) = (client.to_string(), event.to_string(), version.to_string());
            app.call(
                "ce/correct",
                &[
                    ("client_id", &c),
                    ("event_id", &e),
                    ("version", &v),
                    ("project_id", &project),
                    ("event_date", &today()),
                    ("event", event_code),
                ],
                Some(&plm),
            )
            .await
        }
    };
    let version = app.event_version(event).await;
    // PSH's event 14 does not fit a TH project.
    let reply = correct(version, th.to_string(), "14").await;
    assert_eq!(
        reply.body["Invalid"]["event"],
        json!("That Event does not fit the receiving project's type.")
    );
    let reply = correct(version, th.to_string(), "11").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let (project, location): (i64, Option<String>) = sqlx::query_as(
        "select referred_project_id, location_crisis_or_ph_housing from ce_events where id = $1",
    )
    .bind(event)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(project, th);
    assert_eq!(
        location,
        Some(format!("Harbor Light Transitional Housing [{th}]"))
    );
    // Now Harbor Light sees it and Northside no longer does.
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let get = open_form(&app, &shelter, client, event).await;
    assert_eq!(get.status, StatusCode::OK);

    // Once acknowledged, it keeps its project.
    sqlx::query("update ce_events set date_referral_acknowledged = event_date, provider_contact_name = 'J' where id = $1")
        .bind(event)
        .execute(&app.pool)
        .await
        .unwrap();
    let psh: i64 = sqlx::query_scalar(
        "select id from projects where name = 'Northside Permanent Supportive Housing'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let reply = correct(version + 1, psh.to_string(), "14").await;
    assert_eq!(
        reply.body["Invalid"]["project_id"],
        json!("An acknowledged referral keeps its project: resolve it, then refer again.")
    );
}

/// The save's audit row: its "after" must be the event as it reads back (the save builds it
/// without reading the row again).
async fn assert_audit_after_reads_back(app: &TestApp, client: i64, event: i64) {
    let after: Value = sqlx::query_scalar(
        "select after from audit_log where entity = 'ce_event' and entity_id = $1 and action = 'save'
          order by id desc limit 1",
    )
    .bind(event)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let stored = app::features::ce_events::store::load_event(&app.pool, event, client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, stored.snapshot());
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_audit_of_a_save_shows_the_event_as_saved(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;

    // Acknowledged: the need status moves on from the initial one.
    let (client, event) = app.event_of("Marisol", "Quintero").await;
    let version = app.event_version(event).await;
    let acknowledged = Save {
        ack: &today(),
        ..ACK
    };
    let (status, body) = save(&app, &northside, client, event, version, &acknowledged).await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_audit_after_reads_back(&app, client, event).await;

    // Resolved unsuccessful with a reason: result, reason label and final status.
    let (client, event) = app.event_of("Opal", "Hendricks").await;
    let version = app.event_version(event).await;
    let unsuccessful = Save {
        ack: &today(),
        result: "2",
        result_date: &today(),
        reason: "1",
        ..ACK
    };
    let (status, body) = save(&app, &northside, client, event, version, &unsuccessful).await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_audit_after_reads_back(&app, client, event).await;
    // Saved again unchanged: the labels kept from before.
    let (status, body) = save(&app, &northside, client, event, version + 1, &unsuccessful).await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_audit_after_reads_back(&app, client, event).await;

    // Successful into an enrollment: the Resulting Enrollment's label.
    let (client, event) = app.event_of("Tobias", "Wren").await;
    let form = open_form(&app, &northside, client, event).await;
    let option = &form.body["enrollment_options"][0];
    let (enrollment, start) = (
        option["id"].to_string(),
        option["entry_date"].as_str().unwrap().to_string(),
    );
    let version = form.body["version"].as_i64().unwrap() as i32;
    let successful = Save {
        ack: &start,
        result: "1",
        result_date: &start,
        enrollment: &enrollment,
        ..ACK
    };
    let (status, body) = save(&app, &northside, client, event, version, &successful).await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    assert_audit_after_reads_back(&app, client, event).await;
}
