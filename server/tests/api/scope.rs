//! What a housing provider may learn about a client's records in other organizations: the
//! intake names no other organization's project, a CE enrollment's page names no household
//! member (nor move-in date) outside the caller's scope, and a referral closed by the client's
//! exit from Coordinated Entry is not corrected or re-targeted to another organization.

use crate::common::MIGRATIONS;
use crate::common::{as_user, NORTHSIDE, PLM};
use crate::common::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

/// An open enrollment of the client (own household, head), answering its id.
async fn enroll(app: &TestApp, client: i64, project: i64, move_in: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date,
                                  move_in_date, disabling_condition)
         values ($1, $2, gen_random_uuid(), 1, current_date - 30, $3::date, 99) returning id",
    )
    .bind(client)
    .bind(project)
    .bind(move_in)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

fn ids(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("an array: {value:?}"))
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_intake_says_enrolled_elsewhere_without_naming_the_project(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let shelter = app.project_id("Harbor Light Emergency Shelter").await;
    let rrh = app.project_id("Northside Rapid Re-Housing").await;
    enroll(&app, marisol, shelter, None).await;
    enroll(&app, marisol, rrh, None).await;

    let started = app
        .call(
            "intake/start",
            &[("client_id", &marisol.to_string()), ("ce_event_id", "")],
            Some(&northside),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    let draft = started.body.as_i64().unwrap();
    let args = [
        ("client_id", marisol.to_string()),
        ("draft_id", draft.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // The intake form: the head of household's open enrollments.
    let form = app.call("intake/get", &args, Some(&northside)).await;
    assert_eq!(form.status, StatusCode::OK, "{:?}", form.body);
    let head = &form.body["draft"]["members"][0];
    assert_eq!(head["client_id"], json!(marisol));
    assert_eq!(
        ids(&head["open_project_ids"]),
        vec![rrh],
        "only the organization's own project (the 'already enrolled' rule needs it)"
    );
    assert_eq!(head["enrolled_elsewhere"], json!(true));

    // A draft saved with another organization's project id is answered from the database.
    let mut data = form.body["draft"].clone();
    data["members"][0]["open_project_ids"] = json!([shelter, rrh]);
    let saved = app
        .call(
            "intake/save",
            &[
                args[0],
                args[1],
                ("version", &form.body["version"].to_string()),
                ("data", &data.to_string()),
            ],
            Some(&northside),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let form = app.call("intake/get", &args, Some(&northside)).await;
    assert_eq!(
        ids(&form.body["draft"]["members"][0]["open_project_ids"]),
        vec![rrh]
    );

    // The household-candidate search.
    let found = app
        .call(
            "intake/candidates",
            &[args[0], args[1], ("query", "Quintero")],
            Some(&northside),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    let candidate = found
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == json!(marisol))
        .expect("Marisol is found")
        .clone();
    assert_eq!(ids(&candidate["open_project_ids"]), vec![rrh]);
    assert_eq!(candidate["enrolled_elsewhere"], json!(true));
    for c in found.body.as_array().unwrap() {
        assert!(
            !ids(&c["open_project_ids"]).contains(&shelter),
            "another organization's project id: {c:?}"
        );
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_ce_enrollment_names_no_household_member_nor_move_in_outside_the_scope(pool: PgPool) {
    let app = spawn_app(pool).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let ce: i64 = sqlx::query_scalar(
        "select e.id from enrollments e join projects p on p.id = e.project_id
          where e.client_id = $1 and p.project_type = 14",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // A household member only Coordinated Entry knows, and a move-in at another organization.
    sqlx::query(
        "with c as (insert into clients (first_name, last_name, name_data_quality)
                    values ('Hidden', 'Member', 1) returning id)
         insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date, disabling_condition)
         select c.id, e.project_id, e.household_id, 3, e.entry_date, 99 from c, enrollments e where e.id = $1",
    )
    .bind(ce)
    .execute(&app.pool)
    .await
    .unwrap();
    let eastgate = app.project_id("Eastgate Housing Only").await;
    let move_in = (chrono::Local::now().date_naive() - chrono::Duration::days(3)).to_string();
    enroll(&app, marisol, eastgate, Some(&move_in)).await;
    let args = [
        ("client_id", marisol.to_string()),
        ("enrollment_id", ce.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let northside = as_user(&app, NORTHSIDE).await;
    let view = app.call("enrollments/get", &args, Some(&northside)).await;
    assert_eq!(view.status, StatusCode::OK, "{:?}", view.body);
    let names: Vec<&str> = view.body["household"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Marisol Quintero"]);
    assert_eq!(view.body["household_elsewhere"], json!(1));
    assert_eq!(view.body["suggested_exit_date"], Value::Null);
    let text = view.body.to_string();
    assert!(!text.contains("Hidden"), "{text}");
    assert!(!text.contains(&move_in), "{text}");
    let others = view.body["exit_facts"]["others_open"].as_array().unwrap();
    assert_eq!(others.len(), 1, "the exit rule still counts the member");

    // The CE organization runs the project: it sees the whole household.
    let plm = as_user(&app, PLM).await;
    let view = app.call("enrollments/get", &args, Some(&plm)).await;
    assert_eq!(view.status, StatusCode::OK, "{:?}", view.body);
    assert_eq!(view.body["household"].as_array().unwrap().len(), 2);
    assert!(view.body.to_string().contains("Hidden Member"));
    assert_eq!(view.body["household_elsewhere"], json!(0));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_referral_closed_by_a_ce_exit_is_not_corrected_nor_retargeted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let (ce, ce_version): (i64, i32) = sqlx::query_as(
        "select e.id, e.version from enrollments e join projects p on p.id = e.project_id
          where e.client_id = $1 and p.project_type = 14",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let today = chrono::Local::now().date_naive().to_string();
    let exit = app
        .call(
            "enrollments/exit",
            &[
                ("client_id", &marisol.to_string()),
                ("enrollment_id", &ce.to_string()),
                ("version", &ce_version.to_string()),
                ("exit_date", &today),
                ("destination", "435"),
                ("destination_subsidy_type", "439"),
                ("other_destination", ""),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(exit.status, StatusCode::OK, "{:?}", exit.body);
    type Event = (i64, i32, i64, chrono::NaiveDate, i16);
    let (event, version, project, date, code): Event = sqlx::query_as(
        "select id, version, referred_project_id, event_date, event from ce_events
          where client_id = $1 and closed_on is not null order by id limit 1",
    )
    .bind(marisol)
    .fetch_one(&app.pool)
    .await
    .expect("the exit closed an open referral");
    let snapshot = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            let row: (i32, i64, chrono::NaiveDate, i16, i64) = sqlx::query_as(
                "select version, referred_project_id, event_date, event,
                        (select count(*) from audit_log where entity = 'ce_event' and entity_id = $1)
                   from ce_events where id = $1",
            )
            .bind(event)
            .fetch_one(&pool)
            .await
            .unwrap();
            row
        }
    };
    let before = snapshot(&app).await;
    let rrh = app.project_id("Northside Rapid Re-Housing").await;
    let eastgate = app.project_id("Eastgate Housing Only").await;
    let other = if project == rrh { eastgate } else { rrh };

    for target in [other.to_string(), String::new()] {
        let reply = app
            .call(
                "ce/correct",
                &[
                    ("client_id", &marisol.to_string()),
                    ("event_id", &event.to_string()),
                    ("version", &version.to_string()),
                    ("project_id", &target),
                    ("event_date", &date.to_string()),
                    ("event", &code.to_string()),
                ],
                Some(&plm),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "target {target:?}: {:?}",
            reply.body
        );
        let message = reply.body["Invalid"]["event_date"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.contains("closed when the client was exited from Coordinated Entry"),
            "{:?}",
            reply.body
        );
        assert_eq!(snapshot(&app).await, before, "nothing changed");
    }

    // The form offers no correction either.
    let form = app
        .call(
            "ce/get",
            &[
                ("client_id", &marisol.to_string()),
                ("event_id", &event.to_string()),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{:?}", form.body);
    assert_eq!(form.body["can_correct"], json!(false));
    assert_eq!(form.body["retarget_options"], json!([]));
}
