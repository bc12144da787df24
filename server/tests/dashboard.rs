//! Counts widget, Referral Need Status transitions and the timeliness rule's SQL twin.

mod common;

use chrono::{Duration, NaiveDate};
use common::spawn_app;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

const MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_sql_due_date_matches_the_rust_rule(pool: PgPool) {
    server::prepare_database(&pool).await.unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    for offset in 0..21 {
        let since = start + Duration::days(offset);
        for days in 0..12 {
            for business in [false, true] {
                let sql: NaiveDate = sqlx::query_scalar("select threshold_due_date($1, $2, $3)")
                    .bind(since)
                    .bind(days)
                    .bind(business)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                let rust = app::domain::timeliness::due_date(since, days, business);
                assert_eq!(sql, rust, "since {since} days {days} business {business}");
            }
        }
    }
}

/// A new provider organization with one PSH project receiving referrals, and a user in it.
async fn fixture_org(pool: &PgPool) -> (i64, i64) {
    let org: i64 = sqlx::query_scalar(
        "insert into organizations (name) values ('Fixture Housing') returning id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let project: i64 = sqlx::query_scalar(
        "insert into projects (organization_id, name, operating_start_date, project_type, coc_code, housing_type, geocode)
         values ($1, 'Fixture PSH', date '2020-01-01', 3, 'RB-501', 1, '279001') returning id",
    )
    .bind(org)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("insert into ce_participations (project_id, access_point, receives_referrals, start_date) values ($1, 0, 1, date '2020-01-01')")
        .bind(project)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "insert into users (username, first_name, last_name, password_hash)
         select 'fixture', 'Fran', 'Fixture', password_hash from users where username = 'caseworker'",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("insert into memberships (user_id, organization_id, workgroup) select id, $1, 1 from users where username = 'fixture'")
        .bind(org)
        .execute(pool)
        .await
        .unwrap();
    (org, project)
}

async fn status_id(pool: &PgPool, name: &str) -> i64 {
    sqlx::query_scalar(
        "select id from referral_need_statuses where coc_code = 'RB-501' and name = $1",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[allow(clippy::too_many_arguments)]
async fn fixture_event(
    pool: &PgPool,
    project: i64,
    status: i64,
    acknowledged: bool,
    due: Option<NaiveDate>,
    result_days_ago: Option<i64>,
) {
    let event_date = today() - Duration::days(50);
    sqlx::query(
        "insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id, date_referral_acknowledged,
                                provider_contact_name, referral_result, result_date, not_housed_reason_id, need_status_id,
                                need_status_since, need_status_due)
         select e.id, e.client_id, $1, 14, $2, case when $3 then $1 + 1 end, case when $3 then 'F' end,
                case when $5::bigint is null then null else 2 end, $6, case when $5::bigint is null then null else 1 end,
                $4, now(), $7
           from enrollments e join clients c on c.id = e.client_id
          where c.first_name = 'Wendell' and c.last_name = 'Ashby'",
    )
    .bind(event_date)
    .bind(project)
    .bind(acknowledged || result_days_ago.is_some())
    .bind(status)
    .bind(result_days_ago)
    .bind(result_days_ago.map(|d| today() - Duration::days(d)))
    .bind(due)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn counts_match_a_hand_built_fixture_and_ignore_other_organizations(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (_, project) = fixture_org(&app.pool).await;
    let awaiting = status_id(
        &app.pool,
        "CES: Matched: Awaiting response by Housing Provider",
    )
    .await;
    let contact = status_id(&app.pool, "CES: Attempted/Attempting Contact").await;
    let engaged = status_id(&app.pool, "CES: Client Engaged, In Progress to Enrollment").await;
    let rematch = status_id(&app.pool, "CES: Rematch Needed: Client Declined").await;
    let p = &app.pool;
    fixture_event(
        p,
        project,
        awaiting,
        false,
        Some(today() + Duration::days(1)),
        None,
    )
    .await; // awaiting
    fixture_event(
        p,
        project,
        awaiting,
        false,
        Some(today() - Duration::days(1)),
        None,
    )
    .await; // awaiting, overdue
    fixture_event(p, project, contact, true, Some(today()), None).await; // in progress, due today: not overdue
    fixture_event(
        p,
        project,
        engaged,
        true,
        Some(today() - Duration::days(3)),
        None,
    )
    .await; // in progress, overdue
    fixture_event(p, project, rematch, true, None, Some(10)).await; // resolved 10 days ago
    fixture_event(p, project, rematch, true, None, Some(40)).await; // resolved 40 days ago: not counted

    let cookie = app.sign_in_as("fixture", 1, "Fixture Housing").await;
    let counts = app.call("dashboard/counts", &[], Some(&cookie)).await;
    assert_eq!(counts.status, StatusCode::OK, "{:?}", counts.body);
    assert_eq!(counts.body["awaiting"], json!(2));
    assert_eq!(counts.body["in_progress"], json!(2));
    assert_eq!(counts.body["overdue"], json!(2));
    assert_eq!(counts.body["resolved_30"], json!(1));
    let mut by_status: Vec<(String, i64)> = counts.body["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["count"].as_i64().unwrap(),
            )
        })
        .collect();
    by_status.sort();
    assert_eq!(
        by_status,
        vec![
            ("CES: Attempted/Attempting Contact".to_string(), 1),
            (
                "CES: Client Engaged, In Progress to Enrollment".to_string(),
                1
            )
        ]
    );

    // The list behind each number has exactly those rows.
    for (filter, expected) in [
        ("awaiting", 2),
        ("in_progress", 2),
        ("overdue", 2),
        ("resolved", 1),
    ] {
        let list = app
            .call(
                "dashboard/incoming",
                &[("filter", filter), ("status", ""), ("page", "1")],
                Some(&cookie),
            )
            .await;
        assert_eq!(
            list.body["rows"].as_array().unwrap().len(),
            expected,
            "{filter}"
        );
        assert_eq!(list.body["has_next"], json!(false));
    }
    let engaged_only = app
        .call(
            "dashboard/incoming",
            &[
                ("filter", "in_progress"),
                ("status", &engaged.to_string()),
                ("page", "1"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(engaged_only.body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(engaged_only.body["rows"][0]["overdue"], json!(true));

    // Northside's numbers do not include the fixture's referrals, nor the fixture Northside's.
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let theirs = app.call("dashboard/counts", &[], Some(&northside)).await;
    let expected_awaiting: i64 = sqlx::query_scalar(
        "select count(*) from ce_events ev join projects p on p.id = ev.referred_project_id join organizations o on o.id = p.organization_id
          where o.name = 'Northside Housing Partners' and ev.referral_result is null and ev.date_referral_acknowledged is null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(theirs.body["awaiting"], json!(expected_awaiting));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn statuses_move_with_acknowledgement_and_resolution_and_only_along_allowed_transitions(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let client = app.client_id("Opal", "Hendricks").await;
    let event: i64 = sqlx::query_scalar("select id from ce_events where client_id = $1")
        .bind(client)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let status = |pool: PgPool| async move {
        sqlx::query_as::<_, (String, i32, Option<NaiveDate>)>(
            "select s.name, ev.version, ev.need_status_due from ce_events ev join referral_need_statuses s on s.id = ev.need_status_id where ev.id = $1",
        )
        .bind(event)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let (name, version, _) = status(app.pool.clone()).await;
    assert_eq!(name, "CES: Matched: Awaiting response by Housing Provider");

    let (c, e) = (client.to_string(), event.to_string());
    let t = today().to_string();
    let ack = app
        .call(
            "ce/save",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &version.to_string()),
                ("date_referral_acknowledged", &t),
                ("provider_contact_name", "Casey Moreno"),
                ("provider_contact_phone", ""),
                ("provider_contact_email", ""),
                ("referral_result", ""),
                ("result_date", ""),
                ("resulting_enrollment", ""),
                ("not_housed_reason", ""),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(ack.status, StatusCode::OK, "{:?}", ack.body);
    let (name, version, due) = status(app.pool.clone()).await;
    assert_eq!(
        name, "CES: Attempted/Attempting Contact",
        "acknowledging moves it out of awaiting"
    );
    assert_eq!(due, Some(today() + Duration::days(10)));

    // Backwards is not an allowed transition.
    let initial = status_id(
        &app.pool,
        "CES: Matched: Awaiting response by Housing Provider",
    )
    .await;
    let back = app
        .call(
            "ce/need_status",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &version.to_string()),
                ("need_status", &initial.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        back.body,
        json!({"Invalid": {"need_status": "That status cannot follow the current one."}})
    );
    let engaged = status_id(&app.pool, "CES: Client Engaged, In Progress to Enrollment").await;
    let forward = app
        .call(
            "ce/need_status",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &version.to_string()),
                ("need_status", &engaged.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(forward.status, StatusCode::OK, "{:?}", forward.body);
    // Stale version.
    let stale = app
        .call(
            "ce/need_status",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &version.to_string()),
                ("need_status", &engaged.to_string()),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Another organization cannot.
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let other = app
        .call(
            "ce/need_status",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &(version + 1).to_string()),
                ("need_status", &engaged.to_string()),
            ],
            Some(&shelter),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Resolving moves it to the CoC's final status for an unsuccessful result.
    let (_, version, _) = status(app.pool.clone()).await;
    let resolve = app
        .call(
            "ce/save",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &version.to_string()),
                ("date_referral_acknowledged", &t),
                ("provider_contact_name", "Casey Moreno"),
                ("provider_contact_phone", ""),
                ("provider_contact_email", ""),
                ("referral_result", "3"),
                ("result_date", &t),
                ("resulting_enrollment", ""),
                ("not_housed_reason", "4"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(resolve.status, StatusCode::OK, "{:?}", resolve.body);
    let (name, _, _) = status(app.pool.clone()).await;
    assert_eq!(name, "CES: Rematch Needed: Client Ineligible");
    let history: Vec<String> = sqlx::query_scalar(
        "select s.name from ce_event_need_status_history h join referral_need_statuses s on s.id = h.status_id
          where h.ce_event_id = $1 order by h.since, h.id",
    )
    .bind(event)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        history,
        vec![
            "CES: Matched: Awaiting response by Housing Provider",
            "CES: Attempted/Attempting Contact",
            "CES: Client Engaged, In Progress to Enrollment",
            "CES: Rematch Needed: Client Ineligible"
        ]
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_an_administrator_configures_need_statuses_and_open_referrals_follow(pool: PgPool) {
    let app = spawn_app(pool).await;
    let contact = status_id(&app.pool, "CES: Attempted/Attempting Contact").await;
    let engaged = status_id(&app.pool, "CES: Client Engaged, In Progress to Enrollment").await;
    let enrolled = status_id(&app.pool, "CES: Enrolled").await;
    let (id, version) = (contact.to_string(), "1".to_string());
    let next = format!("{engaged},{enrolled}");
    let form = |days: &'static str, version: String, next: String| {
        vec![
            ("coc".to_string(), "RB-501".to_string()),
            ("id".to_string(), id.clone()),
            ("version".to_string(), version),
            (
                "name".to_string(),
                "CES: Attempted/Attempting Contact".to_string(),
            ),
            ("sort_order".to_string(), "2".to_string()),
            ("is_final".to_string(), "no".to_string()),
            ("days_allowed".to_string(), days.to_string()),
            ("counting".to_string(), "business".to_string()),
            ("next".to_string(), next),
        ]
    };
    let call = |cookie: String, form: Vec<(String, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call("settings/save_need_status", &pairs, Some(&cookie))
                .await
        }
    };

    let caseworker = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    assert_eq!(
        call(caseworker, form("3", version.clone(), next.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    assert_eq!(
        call(plm, form("3", version.clone(), next.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let bad = call(
        admin.clone(),
        form("400", version.clone(), contact.to_string()),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["Invalid"]["days_allowed"].is_string());
    assert_eq!(
        bad.body["Invalid"]["next"],
        json!("A status cannot follow itself.")
    );

    let ok = call(admin.clone(), form("3", version.clone(), next.clone())).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    // Open referrals in the status now follow 3 business days from when they entered it.
    let mismatched: i64 = sqlx::query_scalar(
        "select count(*) from ce_events where need_status_id = $1 and referral_result is null
            and need_status_due is distinct from threshold_due_date(need_status_since::date, 3, true)",
    )
    .bind(contact)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(mismatched, 0);
    let transitions: Vec<i64> = sqlx::query_scalar("select to_status_id from referral_need_status_transitions where from_status_id = $1 order by 1")
        .bind(contact)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let mut expected = vec![engaged, enrolled];
    expected.sort();
    assert_eq!(transitions, expected);
    assert_eq!(app.audit_count("update").await, 1);
    // The same version again is stale.
    assert_eq!(
        call(admin, form("4", version, next)).await.status,
        StatusCode::CONFLICT
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_incoming_list_pages_by_100_without_overlap_and_leaves_out_deleted_clients(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let (_, project) = fixture_org(&app.pool).await;
    let awaiting = status_id(
        &app.pool,
        "CES: Matched: Awaiting response by Housing Provider",
    )
    .await;
    // 102 referrals of 102 clients, one a day, oldest first; the client of the 5th is deleted.
    sqlx::query(
        "with made as (
             insert into clients (first_name, last_name, name_data_quality)
             select 'Page', 'Client ' || lpad(g::text, 3, '0'), 1 from generate_series(1, 102) g returning id, last_name),
         enrolled as (
             insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date, disabling_condition)
             select m.id, (select id from projects where project_type = 14 and coc_code = 'RB-501'), gen_random_uuid(), 1,
                    current_date - 200, 99 from made m returning id, client_id)
         insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id, need_status_id, need_status_since)
         select e.id, e.client_id, current_date - 150 + substr(m.last_name, 8)::int, 14, $1, $2, now()
           from enrolled e join made m on m.id = e.client_id",
    )
    .bind(project)
    .bind(awaiting)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("update clients set deleted_at = now() where last_name = 'Client 005'")
        .execute(&app.pool)
        .await
        .unwrap();
    let cookie = app.sign_in_as("fixture", 1, "Fixture Housing").await;
    let page = |n: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            app.call(
                "dashboard/incoming",
                &[("filter", "awaiting"), ("status", ""), ("page", n)],
                Some(&cookie),
            )
            .await
        }
    };
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["client_name"].as_str().unwrap().to_string())
            .collect()
    };
    let first = page("1").await;
    assert_eq!(first.body["has_next"], json!(true));
    let first_names = names(&first.body);
    assert_eq!(
        first_names.len(),
        99,
        "100 referrals, one of a deleted client"
    );
    assert_eq!(first_names[0], "Page Client 001");
    assert!(!first_names.iter().any(|n| n == "Page Client 005"));
    assert_eq!(first_names.last().unwrap(), "Page Client 100");
    let second = page("2").await;
    assert_eq!(second.body["has_next"], json!(false));
    assert_eq!(
        names(&second.body),
        vec!["Page Client 101", "Page Client 102"]
    );
}
