//! Counts widget, Referral Need Status transitions and the timeliness rule's SQL twin.

use crate::common;
use crate::common::spawn_app;
use crate::common::MIGRATIONS;
use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_sql_due_date_matches_the_rust_rule(pool: PgPool) {
    server::prepare_database(&pool).await.unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let holiday_sets = [
        vec![],
        vec![d("2026-11-11")],
        // Thanksgiving, the day after, and a run of closures (and one on a Saturday).
        vec![
            d("2026-11-26"),
            d("2026-11-27"),
            d("2026-11-28"),
            d("2026-12-01"),
            d("2026-12-02"),
            d("2026-12-03"),
        ],
    ];
    for holidays in &holiday_sets {
        for offset in 0..21 {
            let since = start + Duration::days(offset);
            for days in 0..12 {
                for business in [false, true] {
                    let sql: NaiveDate =
                        sqlx::query_scalar("select threshold_due_date($1, $2, $3, $4)")
                            .bind(since)
                            .bind(days)
                            .bind(business)
                            .bind(holidays)
                            .fetch_one(&pool)
                            .await
                            .unwrap();
                    let rust = app::domain::timeliness::due_date(since, days, business, holidays);
                    assert_eq!(
                        sql, rust,
                        "since {since} days {days} business {business} holidays {holidays:?}"
                    );
                }
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

    let (c, e, t) = (client.to_string(), event.to_string(), today().to_string());
    let ack = acknowledge(&app, &cookie, event, client, version, today()).await;
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
    // The form chooses nothing at first ("Choose a status"): posting it so asks for a choice.
    let unchosen = app
        .call(
            "ce/need_status",
            &[
                ("client_id", &c),
                ("event_id", &e),
                ("version", &version.to_string()),
                ("need_status", ""),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unchosen.body,
        json!({"Invalid": {"need_status": "Choose the status to move to."}})
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
            and need_status_due is distinct from threshold_due_date(need_status_since::date, 3, true,
                    array(select holiday from coc_holidays where coc_code = 'RB-501' and deleted_at is null))",
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

/// An open referral of RB-501 that entered "Matched: Awaiting response" (2 business days) on
/// `since`, with the due date the app gave it then.
async fn awaiting_referral_since(pool: &PgPool, since: NaiveDate) -> i64 {
    let awaiting = status_id(pool, "CES: Matched: Awaiting response by Housing Provider").await;
    let id: i64 = sqlx::query_scalar(
        "select ev.id from ce_events ev join enrollments e on e.id = ev.enrollment_id
          where ev.need_status_id = $1 and ev.referral_result is null and ev.closed_on is null
            and e.enrollment_coc = 'RB-501'
          order by ev.id limit 1",
    )
    .bind(awaiting)
    .fetch_one(pool)
    .await
    .unwrap();
    let holidays: Vec<NaiveDate> = sqlx::query_scalar(
        "select holiday from coc_holidays where coc_code = 'RB-501' and deleted_at is null",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    sqlx::query(
        "update ce_events set need_status_since = $2::date + time '10:00', need_status_due = $3 where id = $1",
    )
    .bind(id)
    .bind(since)
    .bind(app::domain::timeliness::due_date(since, 2, true, &holidays))
    .execute(pool)
    .await
    .unwrap();
    id
}

async fn due_of(pool: &PgPool, event: i64) -> NaiveDate {
    sqlx::query_scalar("select need_status_due from ce_events where id = $1")
        .bind(event)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_cocs_holidays_move_the_due_dates_they_fall_in_and_only_an_administrator_keeps_them(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Monday 2025-12-01 + 2 business days = Wednesday 2025-12-03.
    let event = awaiting_referral_since(&app.pool, d("2025-12-01")).await;
    assert_eq!(due_of(&app.pool, event).await, d("2025-12-03"));

    let add = |cookie: String, date: &'static str, name: &'static str| {
        let app = &app;
        async move {
            app.call(
                "settings/add_holiday",
                &[
                    ("coc", "RB-501"),
                    ("holiday_date", date),
                    ("holiday_name", name),
                ],
                Some(&cookie),
            )
            .await
        }
    };
    let caseworker = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    assert_eq!(
        add(caseworker, "2025-12-02", "Snow closure").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(due_of(&app.pool, event).await, d("2025-12-03"));

    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    // The shared rule answers at the field: a Saturday, a day already listed, no name.
    let saturday = add(admin.clone(), "2025-12-06", "Snow closure").await;
    assert_eq!(saturday.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(saturday.body["Invalid"]["holiday_date"]
        .as_str()
        .unwrap()
        .contains("weekday"));
    let christmas = add(admin.clone(), "2025-12-25", "Christmas").await;
    assert_eq!(
        christmas.body["Invalid"]["holiday_date"],
        json!("This day is already in the CoC's holidays.")
    );
    let unnamed = add(admin.clone(), "2025-12-02", " ").await;
    assert_eq!(
        unnamed.body["Invalid"]["holiday_name"],
        json!("Enter the holiday's name.")
    );
    let unknown_coc = app
        .call(
            "settings/add_holiday",
            &[
                ("coc", "ZZ-999"),
                ("holiday_date", "2025-12-02"),
                ("holiday_name", "x"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(unknown_coc.status, StatusCode::NOT_FOUND);
    assert_eq!(
        due_of(&app.pool, event).await,
        d("2025-12-03"),
        "nothing half-saved"
    );

    // Tuesday becomes a holiday: the referral is due a day later; one not counting across it
    // (entered the status on Thursday) keeps its due date.
    let later = {
        let other: i64 = sqlx::query_scalar(
            "select id from ce_events where need_status_id = (select need_status_id from ce_events where id = $1)
                and id <> $1 and referral_result is null and closed_on is null order by id limit 1",
        )
        .bind(event)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        sqlx::query("update ce_events set need_status_since = '2025-12-04 10:00', need_status_due = '2025-12-08' where id = $1")
            .bind(other)
            .execute(&app.pool)
            .await
            .unwrap();
        other
    };
    let added = add(admin.clone(), "2025-12-02", "Snow closure").await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let holiday = added.body.as_i64().unwrap();
    assert_eq!(due_of(&app.pool, event).await, d("2025-12-04"));
    assert_eq!(due_of(&app.pool, later).await, d("2025-12-08"));
    assert!(app.audit_count("create").await >= 1);

    // Removing it with a stale version is refused; with the current one the day counts again.
    let remove = |version: &'static str| {
        let (app, admin) = (&app, admin.clone());
        let id = holiday.to_string();
        async move {
            app.call(
                "settings/remove_holiday",
                &[("coc", "RB-501"), ("id", &id), ("version", version)],
                Some(&admin),
            )
            .await
        }
    };
    assert_eq!(remove("7").await.status, StatusCode::CONFLICT);
    assert_eq!(due_of(&app.pool, event).await, d("2025-12-04"));
    let other_coc = app
        .call(
            "settings/remove_holiday",
            &[
                ("coc", "LK-502"),
                ("id", &holiday.to_string()),
                ("version", "1"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(other_coc.status, StatusCode::NOT_FOUND);
    assert_eq!(remove("1").await.status, StatusCode::OK);
    assert_eq!(due_of(&app.pool, event).await, d("2025-12-03"));
    let audited: Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> = sqlx::query_as(
        "select action, before, after from audit_log where entity = 'coc_holiday' and entity_id = $1 order by id",
    )
    .bind(holiday)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 2);
    assert_eq!(audited[0].0, "create");
    assert_eq!(
        audited[0].2.as_ref().unwrap()["Name"],
        json!("Snow closure")
    );
    assert_eq!(audited[1].0, "delete");
    assert_eq!(audited[1].1.as_ref().unwrap()["Date"], json!("2025-12-02"));

    // A year of federal holidays at once; the days already listed are left alone.
    let federal = |year: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.call(
                "settings/add_federal_holidays",
                &[("coc", "RB-501"), ("year", year)],
                Some(&admin),
            )
            .await
        }
    };
    let first = federal("2031").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body, json!(11));
    assert_eq!(federal("2031").await.body, json!(0));
    let bad_year = federal("31").await;
    assert_eq!(bad_year.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_year.body["Invalid"]["year"].is_string());
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_new_status_due_date_skips_the_cocs_holidays(pool: PgPool) {
    // The app's own path: acknowledging moves the referral to "Attempted/Attempting Contact";
    // made a 2-business-day standard, its due date skips a holiday on the next business day.
    let app = spawn_app(pool).await;
    let today = today();
    let mut next_business = today + Duration::days(1);
    while !app::domain::dates::is_business_day(next_business) {
        next_business += Duration::days(1);
    }
    sqlx::query(
        "delete from coc_holidays where coc_code = 'RB-501' and holiday between $1 and $1 + 10",
    )
    .bind(today)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into coc_holidays (coc_code, holiday, name) values ('RB-501', $1, 'Closure')",
    )
    .bind(next_business)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("update referral_need_statuses set days_allowed = 2, business_days = true where coc_code = 'RB-501' and name = 'CES: Attempted/Attempting Contact'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (event, client, version): (i64, i64, i32) = sqlx::query_as(
        "select ev.id, ev.client_id, ev.version from ce_events ev join projects p on p.id = ev.referred_project_id
           join organizations o on o.id = p.organization_id
          where o.name = 'Northside Housing Partners' and ev.date_referral_acknowledged is null
            and ev.referral_result is null and ev.closed_on is null order by ev.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let caseworker = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let reply = acknowledge(&app, &caseworker, event, client, version, today).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let holidays = [next_business];
    assert_eq!(
        due_of(&app.pool, event).await,
        app::domain::timeliness::due_date(today, 2, true, &holidays)
    );
    assert_ne!(
        due_of(&app.pool, event).await,
        app::domain::timeliness::due_date(today, 2, true, &[])
    );
}

/// Acknowledges a referral on the CE Event form, changing nothing else.
async fn acknowledge(
    app: &common::TestApp,
    cookie: &str,
    event: i64,
    client: i64,
    version: i32,
    on: NaiveDate,
) -> common::Reply {
    let (c, e, v, t) = (
        client.to_string(),
        event.to_string(),
        version.to_string(),
        on.to_string(),
    );
    app.call(
        "ce/save",
        &[
            ("client_id", &c),
            ("event_id", &e),
            ("version", &v),
            ("date_referral_acknowledged", &t),
            ("provider_contact_name", "Casey Moreno"),
            ("provider_contact_phone", ""),
            ("provider_contact_email", ""),
            ("referral_result", ""),
            ("result_date", ""),
            ("resulting_enrollment", ""),
            ("not_housed_reason", ""),
        ],
        Some(cookie),
    )
    .await
}

/// The Counts widget's answer without its clock reading.
async fn counts_of(app: &common::TestApp, cookie: &str) -> (StatusCode, serde_json::Value) {
    let mut reply = app.call("dashboard/counts", &[], Some(cookie)).await;
    if let Some(counts) = reply.body.as_object_mut() {
        counts.remove("as_of");
    }
    (reply.status, reply.body)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_dashboard_reads_ahead_only_for_a_context_the_user_still_holds(pool: PgPool) {
    // The Counts widget and the incoming list read the organization the session applied while
    // the user is re-read; what they answer must follow the user as re-read, not the session.
    let app = spawn_app(pool).await;
    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let (_, harbor_counts) = counts_of(&app, &shelter).await;
    let caseworker = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let (status, northside_counts) = counts_of(&app, &caseworker).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(
        northside_counts, harbor_counts,
        "the fixture tells them apart"
    );

    // The applied membership now names another organization (a change the session never saw):
    // the answer is that organization's, not the one the session remembered.
    let harbor = app.organization_id("Harbor Light Shelter").await;
    let northside = app.organization_id("Northside Housing Partners").await;
    sqlx::query(
        "update memberships set organization_id = $1
          where organization_id = $2 and user_id = (select id from users where username = 'caseworker')",
    )
    .bind(harbor)
    .bind(northside)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        counts_of(&app, &caseworker).await,
        (StatusCode::OK, harbor_counts)
    );

    // Revoked: nothing is answered, whatever was read ahead.
    sqlx::query("update memberships set deleted_at = now() where user_id = (select id from users where username = 'caseworker')")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        counts_of(&app, &caseworker).await,
        (StatusCode::FORBIDDEN, json!("NoContext"))
    );
    let list = app
        .call(
            "dashboard/incoming",
            &[("filter", "awaiting"), ("status", ""), ("page", "1")],
            Some(&caseworker),
        )
        .await;
    assert_eq!(list.body, json!("NoContext"));

    // Deactivated: not signed in any more.
    sqlx::query("update users set active = false where username = 'shelter'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        counts_of(&app, &shelter).await,
        (StatusCode::UNAUTHORIZED, json!("NotSignedIn"))
    );
}

/// A referral to `project` made `event_ago` days ago, acknowledged and resolved (client
/// rejected) the given numbers of days ago.
async fn timed_event(
    pool: &PgPool,
    project: i64,
    event_ago: i64,
    acknowledged_ago: Option<i64>,
    result_ago: Option<i64>,
) {
    let ago = |days: i64| today() - Duration::days(days);
    sqlx::query(
        "insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id, date_referral_acknowledged,
                                provider_contact_name, referral_result, result_date, not_housed_reason_id)
         select e.id, e.client_id, $1, 14, $2, $3, case when $3::date is not null then 'F' end,
                case when $4::date is null then null else 2 end, $4, case when $4::date is null then null else 1 end
           from enrollments e join clients c on c.id = e.client_id
          where c.first_name = 'Wendell' and c.last_name = 'Ashby'",
    )
    .bind(ago(event_ago))
    .bind(project)
    .bind(acknowledged_ago.map(ago))
    .bind(result_ago.map(ago))
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn timeliness_medians_by_project_and_data_quality_warnings_match_a_fixture(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (org, first) = fixture_org(&app.pool).await;
    let second: i64 = sqlx::query_scalar(
        "insert into projects (organization_id, name, operating_start_date, project_type, coc_code, housing_type, geocode)
         values ($1, 'Fixture PSH Scattered Site', date '2020-01-01', 3, 'RB-501', 2, '279001') returning id",
    )
    .bind(org)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let p = &app.pool;
    // First project: 2 and 4 days to acknowledgement, 10 days to a result.
    timed_event(p, first, 20, Some(18), Some(10)).await;
    timed_event(p, first, 30, Some(26), None).await;
    timed_event(p, first, 10, None, None).await; // warning: 10 days, nothing recorded
    timed_event(p, first, 7, None, None).await; // warning: exactly 7 days
    timed_event(p, first, 6, None, None).await; // not yet a warning
    timed_event(p, first, 100, Some(60), None).await; // older than 90 days: not in the medians
                                                      // Second project: 1 and 3 days to acknowledgement, 20 and 6 days to a result.
    timed_event(p, second, 40, Some(39), Some(20)).await;
    timed_event(p, second, 40, Some(37), Some(34)).await;

    let cookie = app.sign_in_as("fixture", 1, "Fixture Housing").await;
    let reply = app.call("dashboard/timeliness", &[], Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(
        reply.body["by_project"],
        json!([
            {"project": "Fixture PSH", "referrals": 5, "median_days_to_acknowledge": 3.0, "median_days_to_result": 10.0},
            {"project": "Fixture PSH Scattered Site", "referrals": 2, "median_days_to_acknowledge": 2.0, "median_days_to_result": 13.0},
        ])
    );
    let warnings: Vec<i64> = reply.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["days_since_referral"].as_i64().unwrap())
        .collect();
    assert_eq!(warnings, vec![10, 7], "oldest first, 7 days and more");
    assert_eq!(reply.body["warning_count"], json!(2));
    assert!(reply.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["project"] == json!("Fixture PSH")));

    // Past ten, the dashboard shows the oldest ten and the count; the list has them all.
    for days in 11..22 {
        timed_event(p, second, days, None, None).await;
    }
    let reply = app.call("dashboard/timeliness", &[], Some(&cookie)).await;
    assert_eq!(reply.body["warning_count"], json!(13));
    let shown: Vec<i64> = reply.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["days_since_referral"].as_i64().unwrap())
        .collect();
    assert_eq!(shown, (12..22).rev().collect::<Vec<i64>>());
    let list = app
        .call(
            "dashboard/incoming",
            &[("filter", "no_response"), ("status", ""), ("page", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["rows"].as_array().unwrap().len(), 13);

    // Another organization's timeliness holds none of these referrals.
    let northside = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let theirs = app
        .call("dashboard/timeliness", &[], Some(&northside))
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    let projects: Vec<&str> = theirs.body["by_project"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project"].as_str().unwrap())
        .collect();
    assert!(
        projects.iter().all(|p| !p.starts_with("Fixture")),
        "{projects:?}"
    );
    assert!(theirs.body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| !w["project"].as_str().unwrap().starts_with("Fixture")));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_new_need_status_is_added_once_by_name_and_its_standard_can_be_cleared(pool: PgPool) {
    use app::features::settings::api::{NeedStatusForm, SaveNeedStatus, StatusRef};
    let app = spawn_app(pool).await;
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let save = |id: i64, version: i32, days: &str| SaveNeedStatus {
        record: StatusRef {
            coc: "RB-501".into(),
            id,
            version,
        },
        status: NeedStatusForm {
            name: "CES: Waiting for a unit inspection".into(),
            sort_order: "40".into(),
            is_final: "no".into(),
            days_allowed: days.into(),
            counting: "calendar".into(),
            next: String::new(),
        },
    };
    let added = app.call_fn(&save(0, 0, "5"), Some(&admin)).await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let id = added.body.as_i64().unwrap();
    let stored: (Option<i32>, bool, i64) = sqlx::query_as(
        "select s.days_allowed, s.business_days,
                (select count(*) from referral_need_status_transitions t where t.from_status_id = s.id)
           from referral_need_statuses s where s.id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, (Some(5), false, 0));

    // The same name again in the CoC: a field message, not a 500, and nothing saved.
    let again = app.call_fn(&save(0, 0, "5"), Some(&admin)).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        again.body
    );
    assert_eq!(
        again.body["Invalid"]["name"],
        json!("This CoC already has a status with this name.")
    );
    let named: i64 = sqlx::query_scalar(
        "select count(*) from referral_need_statuses where coc_code = 'RB-501' and name = 'CES: Waiting for a unit inspection'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(named, 1);

    // Clearing Days allowed leaves the status without a standard.
    let cleared = app.call_fn(&save(id, 1, ""), Some(&admin)).await;
    assert_eq!(cleared.status, StatusCode::OK, "{:?}", cleared.body);
    let days: Option<i32> =
        sqlx::query_scalar("select days_allowed from referral_need_statuses where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(days, None);
}
