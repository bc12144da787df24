//! Guided intake and enrollment server functions through the real HTTP stack: drafts, the
//! atomic household submit, duplicate enrollments, Housing Move-in Date and project exit rules,
//! organization scope, versions and audit rows.

use crate::common;
use crate::common::MIGRATIONS;
use crate::common::{as_user, HARBOR, NORTHSIDE};
use crate::common::{days_ago, spawn_app, today, TestApp};
use app::domain::access::{ActiveContext, Workgroup};
use app::domain::codes::{NoYesMissing, RaceCategory, RelationshipToHoH, Sex};
use app::domain::intake::{NewClient, ValidIntake, ValidMember};
use app::ssr::auth::Actor;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// Starts the intake (from the client's CE Event when given) and answers (draft id, version).
async fn start(app: &TestApp, cookie: &str, client: i64, event: Option<i64>) -> (i64, i32) {
    let reply = app
        .call(
            "intake/start",
            &[
                ("client_id", &client.to_string()),
                (
                    "ce_event_id",
                    &event.map(|e| e.to_string()).unwrap_or_default(),
                ),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "start: {:?}", reply.body);
    let draft = reply.body.as_i64().expect("draft id");
    let form = get(app, cookie, client, draft).await;
    (draft, form["version"].as_i64().unwrap() as i32)
}

async fn get(app: &TestApp, cookie: &str, client: i64, draft: i64) -> Value {
    let reply = app
        .call(
            "intake/get",
            &[
                ("client_id", &client.to_string()),
                ("draft_id", &draft.to_string()),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "get: {:?}", reply.body);
    reply.body
}

async fn save(
    app: &TestApp,
    cookie: &str,
    client: i64,
    draft: i64,
    version: i32,
    data: &Value,
) -> common::Reply {
    app.call(
        "intake/save",
        &[
            ("client_id", &client.to_string()),
            ("draft_id", &draft.to_string()),
            ("version", &version.to_string()),
            ("data", &data.to_string()),
        ],
        Some(cookie),
    )
    .await
}

async fn submit(
    app: &TestApp,
    cookie: &str,
    client: i64,
    draft: i64,
    version: i32,
) -> common::Reply {
    app.call(
        "intake/submit",
        &[
            ("client_id", &client.to_string()),
            ("draft_id", &draft.to_string()),
            ("version", &version.to_string()),
        ],
        Some(cookie),
    )
    .await
}

/// Universal data elements every member answers (an adult coming from emergency shelter).
fn answers(mut member: Value) -> Value {
    let extra = json!({
        "disabling_condition": "0", "veteran_status": "0", "sex": "0", "race": ["3"],
        "living_situation": "101", "length_of_stay": "3", "times_homeless": "1", "months_homeless": "103",
    });
    for (k, v) in extra.as_object().unwrap() {
        member[k] = v.clone();
    }
    member
}

fn new_client(key: u32, first: &str, last: &str, dob: &str, relationship: &str) -> Value {
    answers(json!({
        "key": key, "first_name": first, "last_name": last, "name_data_quality": "1",
        "dob": dob, "dob_data_quality": "1", "ssn_data_quality": "99", "relationship": relationship,
    }))
}

fn existing(key: u32, client: i64, relationship: &str) -> Value {
    answers(json!({ "key": key, "client_id": client, "relationship": relationship }))
}

fn draft(project: i64, entry: &str, members: Vec<Value>) -> Value {
    json!({
        "step": "Review", "project_id": project.to_string(), "entry_date": entry,
        "enrollment_coc": "RB-501", "members": members, "next_key": 10,
    })
}

/// Enrolls a household through the server functions; answers the submit reply.
async fn enroll(
    app: &TestApp,
    cookie: &str,
    client: i64,
    event: Option<i64>,
    data: Value,
) -> common::Reply {
    let (id, version) = start(app, cookie, client, event).await;
    let saved = save(app, cookie, client, id, version, &data).await;
    assert_eq!(saved.status, StatusCode::OK, "save: {:?}", saved.body);
    submit(app, cookie, client, id, saved.body.as_i64().unwrap() as i32).await
}

async fn event_of(app: &TestApp, client: i64) -> i64 {
    sqlx::query_scalar("select id from ce_events where client_id = $1 order by id limit 1")
        .bind(client)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn intake_from_a_ce_event_enrolls_the_household_and_returns_to_the_event(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let event = event_of(&app, marisol).await;
    let psh = app
        .project_id("Northside Permanent Supportive Housing")
        .await;

    let (draft_id, version) = start(&app, &cookie, marisol, Some(event)).await;
    let form = get(&app, &cookie, marisol, draft_id).await;
    assert_eq!(
        form["draft"]["project_id"],
        json!(psh.to_string()),
        "the referred project is preselected"
    );
    assert_eq!(
        form["draft"]["members"][0]["relationship"],
        json!("1"),
        "the client heads the household"
    );
    assert_eq!(form["ce_event_id"], json!(event));
    // Starting again resumes the same draft.
    assert_eq!(start(&app, &cookie, marisol, Some(event)).await.0, draft_id);

    // Started on the Event Date (today): an enrollment before it could not be the result.
    let data = draft(
        psh,
        &today(),
        vec![
            existing(0, marisol, "1"),
            new_client(1, "Teo", "Quintero", "1984-03-02", "3"),
            new_client(2, "Luz", "Quintero", "2016-07-09", "2"),
        ],
    );
    let saved = save(&app, &cookie, marisol, draft_id, version, &data).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    // The draft keeps the answers (a reloaded tab resumes them).
    let form = get(&app, &cookie, marisol, draft_id).await;
    assert_eq!(form["draft"]["members"][1]["first_name"], json!("Teo"));
    assert_eq!(form["draft"]["step"], json!("Review"));

    let reply = submit(
        &app,
        &cookie,
        marisol,
        draft_id,
        saved.body.as_i64().unwrap() as i32,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let head = reply.body["head_enrollment_id"].as_i64().unwrap();
    assert_eq!(
        reply.body["next_url"],
        json!(format!(
            "/clients/{marisol}/ce-events/{event}?enrollment={head}"
        ))
    );
    let households = count(&app, &format!(
        "select count(distinct household_id) from enrollments where household_id = (select household_id from enrollments where id = {head})"
    )).await;
    assert_eq!(households, 1);
    let members = count(&app, &format!(
        "select count(*) from enrollments where household_id = (select household_id from enrollments where id = {head})"
    )).await;
    assert_eq!(members, 3);
    let heads = count(&app, &format!(
        "select count(*) from enrollments where relationship_to_hoh = 1 and household_id = (select household_id from enrollments where id = {head})"
    )).await;
    assert_eq!(heads, 1);
    let coc: Option<String> =
        sqlx::query_scalar("select enrollment_coc from enrollments where id = $1")
            .bind(head)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(coc.as_deref(), Some("RB-501"));
    assert_eq!(app.audit_count("enrollment.create").await, 3);
    assert_eq!(app.audit_count("client.create").await, 2);
    assert_eq!(app.audit_count("intake.submit").await, 1);
    // The draft is gone and the CE Event now offers the enrollment as its result.
    assert_eq!(
        count(
            &app,
            &format!(
                "select count(*) from intake_drafts where id = {draft_id} and deleted_at is null"
            )
        )
        .await,
        0
    );
    let form = app
        .call(
            "ce/get",
            &[
                ("client_id", &marisol.to_string()),
                ("event_id", &event.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(form.body["enrollment_options"][0]["id"], json!(head));
    // The child was not asked veteran status or prior living situation.
    let (veteran, living): (i16, Option<i16>) = sqlx::query_as(
        "select c.veteran_status, e.living_situation from enrollments e join clients c on c.id = e.client_id
          where c.first_name = 'Luz' and c.last_name = 'Quintero'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((veteran, living), (99, None));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn submit_runs_the_rules_again_and_reports_fields(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let psh = app
        .project_id("Northside Permanent Supportive Housing")
        .await;
    let before = count(&app, "select count(*) from enrollments").await;
    let mut data = draft(
        psh,
        "",
        vec![
            existing(0, marisol, "1"),
            new_client(1, "Ana", "", "2030-01-01", "1"),
        ],
    );
    data["members"][0]["sex"] = json!("");
    let reply = enroll(&app, &cookie, marisol, None, data).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &reply.body["Invalid"];
    assert_eq!(fields["entry_date"], json!("Enter the Project Start Date."));
    assert_eq!(
        fields["household"],
        json!("Only one member can be Self (Head of Household).")
    );
    assert_eq!(fields["m0.sex"], json!("Answer Sex."));
    assert!(fields["m1.last_name"].is_string());
    assert!(fields["m1.dob"].is_string(), "a birth date in the future");
    assert_eq!(
        count(&app, "select count(*) from enrollments").await,
        before
    );

    // A start date before the project operated.
    let data = draft(psh, "1999-01-01", vec![existing(0, marisol, "1")]);
    let reply = enroll(&app, &cookie, marisol, None, data).await;
    assert_eq!(
        reply.body["Invalid"]["entry_date"],
        json!("The project was not operating yet on that date.")
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_client_already_in_an_open_enrollment_of_the_project_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    // Tobias Wren is enrolled at Northside Rapid Re-Housing.
    let tobias = app.client_id("Tobias", "Wren").await;
    let rrh = app.project_id("Northside Rapid Re-Housing").await;
    let before = count(&app, "select count(*) from enrollments").await;
    let reply = enroll(
        &app,
        &cookie,
        tobias,
        None,
        draft(rrh, &today(), vec![existing(0, tobias, "1")]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body["Invalid"]["m0.enrolled"]
        .as_str()
        .unwrap()
        .contains("already in an open enrollment"));
    assert_eq!(
        count(&app, "select count(*) from enrollments").await,
        before
    );
}

/// A failure on the last member, found while writing (after the first members' rows), rolls
/// the whole household back.
#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_failure_on_the_last_member_leaves_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let tobias = app.client_id("Tobias", "Wren").await;
    let rrh = app.project_id("Northside Rapid Re-Housing").await;
    let northside = app.organization_id("Northside Housing Partners").await;
    let user: i64 = sqlx::query_scalar("select id from users where username = 'caseworker'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let context = ActiveContext {
        workgroup: Workgroup::HmisUser,
        organization_id: northside,
        organization_name: "Northside Housing Partners".into(),
        ce_for_coc: None,
    };
    let actor = Actor {
        user_id: user,
        username: "caseworker".into(),
        display_name: "Case Worker".into(),
        must_change_password: false,
        membership_id: None,
        context: Some(context.clone()),
    };
    let member = |relationship, new_client: Option<NewClient>, client_id| ValidMember {
        client_id,
        new_client,
        relationship,
        disabling_condition: NoYesMissing::No,
        veteran_status: Some(NoYesMissing::No),
        sex: Sex::Female,
        race: vec![RaceCategory::Asian],
        race_none: None,
        prior_living: None,
    };
    let newcomer = |first: &str| NewClient {
        first_name: Some(first.into()),
        last_name: Some("Atomic".into()),
        name_data_quality: app::domain::codes::NameDataQuality::Full,
        dob: None,
        dob_data_quality: app::domain::codes::DobDataQuality::DataNotCollected,
        ssn: None,
        ssn_data_quality: app::domain::codes::SsnDataQuality::DataNotCollected,
    };
    let intake = ValidIntake {
        project_id: rrh,
        entry_date: chrono::Local::now().date_naive(),
        enrollment_coc: "RB-501".into(),
        members: vec![
            member(RelationshipToHoH::SelfHead, Some(newcomer("First")), None),
            member(
                RelationshipToHoH::SpouseOrPartner,
                Some(newcomer("Second")),
                None,
            ),
            // Already enrolled in the project: refused when its turn comes.
            member(RelationshipToHoH::Child, None, Some(tobias)),
        ],
    };
    let enrollments_before = count(&app, "select count(*) from enrollments").await;
    let mut tx = app.pool.begin().await.unwrap();
    let result =
        app::features::intake::store::create_household(&mut tx, &actor, &context, &intake).await;
    let error = result.expect_err("the last member is refused");
    assert_eq!(
        error.field_errors().and_then(|f| f.get("m2.enrolled")),
        Some("This client is already in an open enrollment of this project.")
    );
    // The server functions drop the transaction on error: nothing stays.
    drop(tx);
    assert_eq!(
        count(
            &app,
            "select count(*) from clients where last_name = 'Atomic'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "select count(*) from enrollments").await,
        enrollments_before
    );
    assert_eq!(app.audit_count("enrollment.create").await, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn drafts_belong_to_their_user_and_organization(pool: PgPool) {
    let app = spawn_app(pool).await;
    let caseworker = as_user(&app, NORTHSIDE).await;
    let shelter = as_user(&app, HARBOR).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let lena = app.client_id("Lena", "Strand").await;
    let (draft_id, version) = start(&app, &caseworker, marisol, None).await;
    for endpoint in ["intake/get", "intake/submit"] {
        let reply = app
            .call(
                endpoint,
                &[
                    ("client_id", &marisol.to_string()),
                    ("draft_id", &draft_id.to_string()),
                    ("version", &version.to_string()),
                ],
                Some(&shelter),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    // A client outside the organization's scope cannot be taken in.
    let reply = app
        .call(
            "intake/start",
            &[("client_id", &lena.to_string()), ("ce_event_id", "")],
            Some(&caseworker),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // Not signed in.
    let reply = app
        .call(
            "intake/get",
            &[
                ("client_id", &marisol.to_string()),
                ("draft_id", &draft_id.to_string()),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // A household member the organization may not see is refused at submit.
    let psh = app
        .project_id("Northside Permanent Supportive Housing")
        .await;
    let data = draft(
        psh,
        &today(),
        vec![existing(0, marisol, "1"), existing(1, lena, "3")],
    );
    let saved = save(&app, &caseworker, marisol, draft_id, version, &data).await;
    let reply = submit(
        &app,
        &caseworker,
        marisol,
        draft_id,
        saved.body.as_i64().unwrap() as i32,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_stale_draft_save_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let (draft_id, version) = start(&app, &cookie, marisol, None).await;
    let data = draft(1, "", vec![existing(0, marisol, "1")]);
    assert_eq!(
        save(&app, &cookie, marisol, draft_id, version, &data)
            .await
            .status,
        StatusCode::OK
    );
    let stale = save(&app, &cookie, marisol, draft_id, version, &data).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let garbage = app
        .call(
            "intake/save",
            &[
                ("client_id", &marisol.to_string()),
                ("draft_id", &draft_id.to_string()),
                ("version", &(version + 1).to_string()),
                ("data", "{not json"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.audit_count("intake.save").await, 1);
}

// ---- Enrollment page: Housing Move-in Date and exit ----

/// Enrolls Marisol's household of three at Northside PSH; answers the client ids and
/// enrollment ids (head, partner, child).
async fn household(app: &TestApp, cookie: &str, entry: &str) -> Vec<(i64, i64)> {
    let marisol = app.client_id("Marisol", "Quintero").await;
    let psh = app
        .project_id("Northside Permanent Supportive Housing")
        .await;
    let data = draft(
        psh,
        entry,
        vec![
            existing(0, marisol, "1"),
            new_client(1, "Teo", "Quintero", "1984-03-02", "3"),
            new_client(2, "Luz", "Quintero", "2016-07-09", "2"),
        ],
    );
    let reply = enroll(app, cookie, marisol, None, data).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    sqlx::query_as(
        "select client_id, id from enrollments where household_id =
            (select household_id from enrollments where id = $1) order by relationship_to_hoh <> 1, id",
    )
    .bind(reply.body["head_enrollment_id"].as_i64().unwrap())
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn enrollment_version(app: &TestApp, id: i64) -> i32 {
    sqlx::query_scalar("select version from enrollments where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn move_in(
    app: &TestApp,
    cookie: &str,
    (client, enrollment): (i64, i64),
    date: &str,
) -> common::Reply {
    let version = enrollment_version(app, enrollment).await;
    app.call(
        "enrollments/move_in",
        &[
            ("client_id", &client.to_string()),
            ("enrollment_id", &enrollment.to_string()),
            ("version", &version.to_string()),
            ("move_in_date", date),
        ],
        Some(cookie),
    )
    .await
}

async fn exit(
    app: &TestApp,
    cookie: &str,
    (client, enrollment): (i64, i64),
    date: &str,
    destination: &str,
    subsidy: &str,
    household: bool,
) -> common::Reply {
    let version = enrollment_version(app, enrollment).await.to_string();
    let client = client.to_string();
    let enrollment = enrollment.to_string();
    let mut form = vec![
        ("client_id", client.as_str()),
        ("enrollment_id", enrollment.as_str()),
        ("version", version.as_str()),
        ("exit_date", date),
        ("destination", destination),
        ("destination_subsidy_type", subsidy),
        ("other_destination", ""),
    ];
    if household {
        form.push(("exit_household", "true"));
    }
    app.call("enrollments/exit", &form, Some(cookie)).await
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn housing_move_in_date_rules(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let members = household(&app, &cookie, &days_ago(10)).await;
    let (head, partner) = (members[0], members[1]);

    let early = move_in(&app, &cookie, head, &days_ago(11)).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body["Invalid"]["move_in_date"]
        .as_str()
        .unwrap()
        .contains("before the Project Start Date"));
    let future = move_in(
        &app,
        &cookie,
        head,
        &(chrono::Local::now().date_naive() + chrono::Duration::days(1)).to_string(),
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_head = move_in(&app, &cookie, partner, &days_ago(2)).await;
    assert!(not_head.body["Invalid"]["move_in_date"]
        .as_str()
        .unwrap()
        .contains("head of household"));
    // Another organization cannot even see the enrollment.
    let shelter = as_user(&app, HARBOR).await;
    assert_eq!(
        move_in(&app, &shelter, head, &days_ago(2)).await.status,
        StatusCode::NOT_FOUND
    );

    let ok = move_in(&app, &cookie, head, &days_ago(2)).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(app.audit_count("enrollment.move_in").await, 1);
    let again = move_in(&app, &cookie, head, &days_ago(1)).await;
    assert!(again.body["Invalid"]["move_in_date"]
        .as_str()
        .unwrap()
        .contains("recorded once"));

    // A stale version is refused.
    let stale = app
        .call(
            "enrollments/move_in",
            &[
                ("client_id", &head.0.to_string()),
                ("enrollment_id", &head.1.to_string()),
                ("version", "1"),
                ("move_in_date", &days_ago(1)),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn move_in_is_refused_outside_permanent_housing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let shelter = as_user(&app, HARBOR).await;
    // Imani Fairbanks was referred to Harbor Light; enroll her at its emergency shelter.
    let imani = app.client_id("Imani", "Fairbanks").await;
    let es = app.project_id("Harbor Light Emergency Shelter").await;
    let reply = enroll(
        &app,
        &shelter,
        imani,
        None,
        draft(es, &days_ago(3), vec![existing(0, imani, "1")]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let head = reply.body["head_enrollment_id"].as_i64().unwrap();
    let refused = move_in(&app, &shelter, (imani, head), &days_ago(1)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body["Invalid"]["move_in_date"]
        .as_str()
        .unwrap()
        .contains("permanent housing"));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn exit_rules_and_the_head_of_household(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let members = household(&app, &cookie, &days_ago(10)).await;
    let (head, partner, child) = (members[0], members[1], members[2]);

    // The head cannot leave the others enrolled.
    let alone = exit(&app, &cookie, head, &today(), "410", "", false).await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(alone.body["Invalid"]["exit_household"].is_string());
    // Dates and dependent fields.
    let early = exit(&app, &cookie, child, &days_ago(11), "410", "", false).await;
    assert!(early.body["Invalid"]["exit_date"]
        .as_str()
        .unwrap()
        .contains("before the Project Start Date"));
    let no_subsidy = exit(&app, &cookie, child, &today(), "435", "", false).await;
    assert!(no_subsidy.body["Invalid"]["destination_subsidy_type"].is_string());
    // Another organization: not found.
    let shelter = as_user(&app, HARBOR).await;
    assert_eq!(
        exit(&app, &shelter, child, &today(), "410", "", false)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A member exits alone.
    let ok = exit(&app, &cookie, child, &today(), "435", "419", false).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let subsidy: Option<i16> =
        sqlx::query_scalar("select destination_subsidy_type from exits where enrollment_id = $1")
            .bind(child.1)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(subsidy, Some(419));
    // At most one exit per enrollment.
    let twice = exit(&app, &cookie, child, &today(), "410", "", false).await;
    assert!(twice.body["Invalid"]["exit_date"]
        .as_str()
        .unwrap()
        .contains("already been exited"));
    // The head exits with the household.
    let together = exit(&app, &cookie, head, &today(), "410", "", true).await;
    assert_eq!(together.status, StatusCode::OK, "{:?}", together.body);
    let open = count(&app, &format!(
        "select count(*) from enrollments e where e.id in ({}, {}) and not exists (select 1 from exits x where x.enrollment_id = e.id)",
        head.1, partner.1
    )).await;
    assert_eq!(open, 0);
    assert_eq!(app.audit_count("enrollment.exit").await, 3);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn answers_at_project_start_are_edited_with_the_same_rules(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let members = household(&app, &cookie, &days_ago(10)).await;
    let (head, child) = (members[0], members[2]);
    let edit = |(client, enrollment): (i64, i64),
                version: i32,
                fields: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let client = client.to_string();
            let enrollment = enrollment.to_string();
            let version = version.to_string();
            let mut form = vec![
                ("client_id", client.as_str()),
                ("enrollment_id", enrollment.as_str()),
                ("version", version.as_str()),
            ];
            form.extend(fields);
            app.call("enrollments/answers", &form, Some(&cookie)).await
        }
    };
    let v = enrollment_version(&app, head.1).await;
    // Jail for under 90 days: the night-before question now applies.
    let missing = edit(
        head,
        v,
        vec![
            ("disabling_condition", "1"),
            ("living_situation", "207"),
            ("length_of_stay", "2"),
        ],
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body["Invalid"]["previous_street_essh"].is_string());
    let ok = edit(
        head,
        v,
        vec![
            ("disabling_condition", "1"),
            ("living_situation", "207"),
            ("length_of_stay", "2"),
            ("previous_street_essh", "0"),
            ("times_homeless", "2"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let stored: (i16, Option<i16>, Option<i16>, Option<i16>) = sqlx::query_as(
        "select disabling_condition, living_situation, los_under_threshold, times_homeless_past_three_years from enrollments where id = $1",
    )
    .bind(head.1)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        stored,
        (1, Some(207), Some(1), None),
        "history dropped: not asked after a No"
    );
    assert_eq!(app.audit_count("enrollment.answers").await, 1);
    // The same version again is stale.
    let stale = edit(head, v, vec![("disabling_condition", "0")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // A child answers Disabling Condition only.
    let v = enrollment_version(&app, child.1).await;
    let child_ok = edit(
        child,
        v,
        vec![("disabling_condition", "8"), ("living_situation", "101")],
    )
    .await;
    assert_eq!(child_ok.status, StatusCode::OK, "{:?}", child_ok.body);
    let living: Option<i16> =
        sqlx::query_scalar("select living_situation from enrollments where id = $1")
            .bind(child.1)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(living, None);
}

/// The stored draft's data and whether the row still counts as an open draft.
async fn stored_draft(app: &TestApp, draft: i64) -> (Value, bool) {
    sqlx::query_as::<_, (sqlx::types::Json<Value>, bool)>(
        "select data, deleted_at is null from intake_drafts where id = $1",
    )
    .bind(draft)
    .fetch_one(&app.pool)
    .await
    .map(|(data, open)| (data.0, open))
    .unwrap()
}

/// Whether a full SSN is anywhere in the draft table or the audit log.
async fn ssn_kept(app: &TestApp, ssn: &str) -> Vec<String> {
    let pattern = format!("%{ssn}%");
    sqlx::query_scalar(
        "select 'intake_drafts ' || id from intake_drafts where data::text like $1
         union all
         select 'audit_log ' || id from audit_log
          where coalesce(before::text, '') like $1 or coalesce(after::text, '') like $1",
    )
    .bind(pattern)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn with_ssn(mut member: Value, ssn: &str) -> Value {
    member["ssn"] = json!(ssn);
    member["ssn_data_quality"] = json!("1");
    member
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn full_ssns_leave_the_draft_on_submit_and_on_discard(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = as_user(&app, NORTHSIDE).await;
    let marisol = app.client_id("Marisol", "Quintero").await;
    let event = event_of(&app, marisol).await;
    let psh = app
        .project_id("Northside Permanent Supportive Housing")
        .await;

    // Submitted: the household is enrolled, the SSN is on the new client only.
    let data = draft(
        psh,
        &today(),
        vec![
            existing(0, marisol, "1"),
            with_ssn(
                new_client(1, "Teo", "Quintero", "1984-03-02", "3"),
                "123456789",
            ),
        ],
    );
    let (id, version) = start(&app, &cookie, marisol, Some(event)).await;
    let saved = save(&app, &cookie, marisol, id, version, &data).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(
        ssn_kept(&app, "123456789").await,
        vec![format!("intake_drafts {id}")],
        "the open draft keeps what the user typed"
    );
    let submitted = submit(
        &app,
        &cookie,
        marisol,
        id,
        saved.body.as_i64().unwrap() as i32,
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{:?}", submitted.body);
    let (stored, open) = stored_draft(&app, id).await;
    assert!(!open);
    assert!(!stored.to_string().contains("123456789"), "{stored}");
    assert_eq!(ssn_kept(&app, "123456789").await, Vec::<String>::new());
    assert_eq!(
        count(&app, "select count(*) from clients where ssn = '123456789'").await,
        1,
        "the SSN is on the client record"
    );

    // Discarded: nothing is enrolled and the SSN is gone too.
    let tobias = app.client_id("Tobias", "Wren").await;
    let rrh = app.project_id("Northside Rapid Re-Housing").await;
    let (id, version) = start(&app, &cookie, tobias, None).await;
    let data = draft(
        rrh,
        &today(),
        vec![
            existing(0, tobias, "1"),
            with_ssn(
                new_client(1, "Ines", "Wren", "1990-01-02", "3"),
                "987654321",
            ),
        ],
    );
    let saved = save(&app, &cookie, tobias, id, version, &data).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(ssn_kept(&app, "987654321").await.len(), 1);
    let discarded = app
        .call(
            "intake/discard",
            &[
                ("client_id", &tobias.to_string()),
                ("draft_id", &id.to_string()),
                ("version", &saved.body.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(discarded.status, StatusCode::OK, "{:?}", discarded.body);
    let (stored, open) = stored_draft(&app, id).await;
    assert!(!open);
    assert!(!stored.to_string().contains("987654321"), "{stored}");
    assert_eq!(ssn_kept(&app, "987654321").await, Vec::<String>::new());
}
