//! HMIS CSV FY2026 export: a small fixture compared byte for byte with hand-checked files; the
//! demo CoC exported through the real endpoints passes the validator and downloads as a ZIP;
//! seeded broken records are caught and named; only administrators and the CoC's Coordinated
//! Entry organization export.

use crate::common::MIGRATIONS;
use crate::common::{spawn_app, TestApp};
use app::domain::export::{ExportPeriodType, ExportRequest};
use app::features::hmis_export::spec::FILES;
use app::features::hmis_export::validate::validate_dir;
use app::features::hmis_export::writer::{write_files, Clock, ExportHeader, Step};
use chrono::{NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/hmis_export")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A small CoC whose every value is chosen to exercise a rule: quotes, commas, HUD's stripped
/// brackets and UTF-8 in strings; an SSN with a leading zero and a placeholder SSN; a ZIP with a
/// leading zero; a household with a child; an enrollment outside the period; dependent fields
/// (435 with its subsidy, Destination 17 with its text, an access point's assessments); a row
/// written by the system (no user).
async fn load_fixture(pool: &PgPool) {
    let statements = [
        "insert into cocs (code, name) values ('MN-500', 'Fixture CoC')",
        "update users set created_at = '2024-01-01 00:00:00+00', updated_at = '2024-01-01 00:00:00+00' where is_system",
        "insert into users (username, first_name, last_name, email, phone, password_hash, created_at, updated_at)
         values ('fixture.admin', 'Avery', 'O''Brien', 'avery@example.org', '6125550100', '!', '2025-01-02 03:04:05+00', '2025-01-02 03:04:05+00'),
                ('fixture.worker', 'Casey', 'Nguyễn', null, null, '!', '2025-02-03 04:05:06+00', '2025-03-04 05:06:07+00')",
        "insert into organizations (name, victim_service_provider, created_at, updated_at, created_by, updated_by)
         values ('Hope <Street> Housing', 0, '2025-01-05 10:00:00+00', '2025-01-05 10:00:00+00',
                 (select id from users where username = 'fixture.admin'), (select id from users where username = 'fixture.admin'))",
        "insert into projects (organization_id, name, operating_start_date, project_type, housing_type, coc_code, geocode,
                               address1, city, state, zip, geography_type, created_at, updated_at, created_by, updated_by)
         select o.id, 'Hope PSH', date '2020-01-01', 3, 1, 'MN-500', '270001', '12 Elm St, Unit 4', 'Minneapolis', 'MN', '02139', 1,
                '2025-01-06 10:00:00+00', '2025-01-06 10:00:00+00', u.id, u.id
           from organizations o, users u where u.username = 'fixture.admin'",
        // Written by the system: no user, so the export names the system user.
        "insert into projects (organization_id, name, operating_start_date, project_type, coc_code, geocode, created_at, updated_at)
         select id, 'Hope Coordinated Entry', date '2020-01-01', 14, 'MN-500', '270001', '2025-01-07 10:00:00+00', '2025-01-07 10:00:00+00'
           from organizations",
        "insert into ce_participations (project_id, access_point, receives_referrals, start_date, created_at, updated_at, created_by, updated_by)
         select p.id, 0, 1, date '2020-01-01', '2025-01-06 11:00:00+00', '2025-01-06 11:00:00+00', u.id, u.id
           from projects p, users u where p.name = 'Hope PSH' and u.username = 'fixture.admin'",
        "insert into ce_participations (project_id, access_point, prevention_assessment, crisis_assessment, housing_assessment,
                                        direct_services, receives_referrals, start_date, created_at, updated_at, created_by, updated_by)
         select p.id, 1, 1, 1, 0, 0, 0, date '2020-01-01', '2025-01-07 11:00:00+00', '2025-01-07 11:00:00+00', u.id, u.id
           from projects p, users u where p.name = 'Hope Coordinated Entry' and u.username = 'fixture.admin'",
        "insert into clients (first_name, last_name, name_suffix, name_data_quality, ssn, ssn_data_quality, dob, dob_data_quality, sex,
                              black_af_american, veteran_status, created_at, updated_at, created_by, updated_by)
         select 'Ana \"Nana\"', 'Ruiz', 'Jr.', 1, '012345678', 1, date '1990-05-06', 1, 0, 1, 0,
                '2025-09-01 15:00:00+00', '2025-09-01 15:00:00+00', u.id, u.id from users u where u.username = 'fixture.worker'",
        "insert into clients (first_name, last_name, name_data_quality, ssn, ssn_data_quality, dob, dob_data_quality, sex,
                              race_none, veteran_status, created_at, updated_at, created_by, updated_by)
         select 'Mateo', 'Ruiz', 1, '000000000', 99, date '2015-02-03', 1, 1, 9, 99,
                '2025-10-15 16:00:00+00', '2025-10-15 16:00:00+00', u.id, u.id from users u where u.username = 'fixture.worker'",
        "insert into clients (first_name, last_name, name_data_quality, ssn_data_quality, dob, dob_data_quality, hispanic_latinao,
                              additional_race_ethnicity, veteran_status, created_at, updated_at, created_by, updated_by)
         select 'Zoë', 'Ñúñez', 1, 99, date '1985-12-31', 2, 1, 'Mixteco [Oaxaca]', 1,
                '2024-01-10 09:00:00+00', '2025-12-01 09:30:00+00', u.id, u.id from users u where u.username = 'fixture.worker'",
    ];
    for sql in statements {
        sqlx::query(sql)
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
    let enrollments = [
        // client, project, household, relationship, entry, coc, living, subsidy, disabling, move-in, created
        (
            "Ana \"Nana\"",
            "Hope PSH",
            "11111111-2222-3333-4444-555555555555",
            1,
            "2025-10-15",
            Some("MN-500"),
            Some(116),
            None,
            0,
            Some("2025-11-01"),
            "2025-10-15 17:00:00+00",
        ),
        (
            "Mateo",
            "Hope PSH",
            "11111111-2222-3333-4444-555555555555",
            2,
            "2025-10-15",
            None,
            None,
            None,
            99,
            None,
            "2025-10-15 17:01:00+00",
        ),
        (
            "Ana \"Nana\"",
            "Hope Coordinated Entry",
            "22222222-2222-3333-4444-555555555555",
            1,
            "2025-09-01",
            Some("MN-500"),
            Some(101),
            None,
            1,
            None,
            "2025-09-01 15:10:00+00",
        ),
        (
            "Zoë",
            "Hope Coordinated Entry",
            "33333333-2222-3333-4444-555555555555",
            1,
            "2024-01-10",
            Some("MN-500"),
            Some(116),
            None,
            99,
            None,
            "2024-01-10 09:10:00+00",
        ),
        (
            "Zoë",
            "Hope PSH",
            "44444444-2222-3333-4444-555555555555",
            1,
            "2025-12-01",
            Some("MN-500"),
            Some(435),
            Some(431),
            0,
            None,
            "2025-12-01 09:40:00+00",
        ),
    ];
    for (
        client,
        project,
        household,
        relationship,
        entry,
        coc,
        living,
        subsidy,
        disabling,
        move_in,
        created,
    ) in enrollments
    {
        sqlx::query(
            "insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date, enrollment_coc,
                                      living_situation, rental_subsidy_type, disabling_condition, move_in_date,
                                      created_at, updated_at, created_by, updated_by)
             select c.id, p.id, $3::uuid, $4, $5::date, $6, $7, $8, $9, $10::date, $11::timestamptz, $11::timestamptz, u.id, u.id
               from clients c, projects p, users u
              where c.first_name = $1 and p.name = $2 and u.username = 'fixture.worker'",
        )
        .bind(client)
        .bind(project)
        .bind(household)
        .bind(relationship as i16)
        .bind(entry)
        .bind(coc)
        .bind(living.map(|l: i32| l as i16))
        .bind(subsidy.map(|s: i32| s as i16))
        .bind(disabling as i16)
        .bind(move_in)
        .bind(created)
        .execute(pool)
        .await
        .unwrap();
    }
    let more = [
        // Zoë left CE before the period: that household is not exported.
        "insert into exits (enrollment_id, exit_date, destination, destination_subsidy_type, created_at, updated_at, created_by, updated_by)
         select e.id, date '2025-09-30', 435, 419, '2025-09-30 12:00:00+00', '2025-09-30 12:00:00+00', e.created_by, e.created_by
           from enrollments e join projects p on p.id = e.project_id where p.project_type = 14 and e.entry_date = '2024-01-10'",
        "insert into exits (enrollment_id, exit_date, destination, other_destination, created_at, updated_at, created_by, updated_by)
         select e.id, date '2026-03-31', 17, 'Cousin''s place, \"for now\"', '2026-03-31 18:00:00+00', '2026-04-01 08:00:00+00', e.created_by, e.created_by
           from enrollments e join projects p on p.id = e.project_id where p.name = 'Hope PSH' and e.entry_date = '2025-12-01'",
        "insert into ce_events (enrollment_id, client_id, event_date, event, location_crisis_or_ph_housing, referral_result, result_date,
                                referred_project_id, resulting_enrollment_id, created_at, updated_at, created_by, updated_by)
         select ce.id, ce.client_id, date '2025-09-20', 14, 'Hope PSH [1]', 1, date '2025-10-15', p.id, psh.id,
                '2025-09-20 13:00:00+00', '2025-10-15 17:05:00+00', ce.created_by, ce.created_by
           from enrollments ce
           join projects cep on cep.id = ce.project_id and cep.project_type = 14
           join enrollments psh on psh.client_id = ce.client_id
           join projects p on p.id = psh.project_id and p.name = 'Hope PSH'
          where ce.entry_date = '2025-09-01'",
        "insert into ce_events (enrollment_id, client_id, event_date, event, prob_sol_div_rr_result, created_at, updated_at, created_by, updated_by)
         select e.id, e.client_id, date '2025-09-05', 2, 0, '2025-09-05 13:00:00+00', '2025-09-05 13:00:00+00', e.created_by, e.created_by
           from enrollments e where e.entry_date = '2025-09-01'",
    ];
    for sql in more {
        sqlx::query(sql)
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
}

fn fixture_header(system_user: i64) -> ExportHeader {
    ExportHeader {
        export_id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
        request: ExportRequest {
            coc_code: "MN-500".into(),
            period_type: ExportPeriodType::ReportingPeriod,
            start_date: d("2025-10-01"),
            end_date: d("2026-09-30"),
        },
        exported_at: Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
        coc_name: "Fixture CoC".into(),
        contact_first: Some("Avery".into()),
        contact_last: Some("O'Brien".into()),
        contact_phone: Some("6125550100".into()),
        contact_email: Some("avery@example.org".into()),
        implementation_id: "fixture-implementation".into(),
        system_user,
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "threshold-test-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_fixture_export_matches_the_hand_checked_files_byte_for_byte(pool: PgPool) {
    load_fixture(&pool).await;
    let system: i64 = sqlx::query_scalar("select id from users where is_system")
        .fetch_one(&pool)
        .await
        .unwrap();
    let dir = scratch_dir("golden");
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("begin isolation level repeatable read")
        .execute(&mut *conn)
        .await
        .unwrap();
    // Progress: the totals announced add up to the rows written, and are announced before them.
    let (mut announced, mut written, mut overshoot) = (0u64, 0u64, false);
    let counts = write_files(
        &mut conn,
        &fixture_header(system),
        Clock::utc(),
        &dir,
        &mut |step| {
            match step {
                Step::Total(n) => announced += n,
                Step::Rows(n) => written += n,
                Step::File(_) => {}
            }
            overshoot |= written > announced;
        },
    )
    .await
    .unwrap();
    sqlx::query("rollback").execute(&mut *conn).await.unwrap();
    assert_eq!(
        counts,
        vec![
            ("Export.csv", 1),
            ("Organization.csv", 1),
            ("Project.csv", 2),
            ("ProjectCoC.csv", 2),
            ("CEParticipation.csv", 2),
            ("Client.csv", 3),
            ("Enrollment.csv", 4),
            ("Exit.csv", 1),
            ("Event.csv", 2),
            ("User.csv", 3),
        ]
    );
    let rows: u64 = counts.iter().map(|(_, n)| n).sum();
    assert_eq!((announced, written), (rows, rows));
    assert!(!overshoot, "more rows written than announced at some step");

    let report = validate_dir(&dir, &mut |_| {}).unwrap();
    assert!(report.is_clean(), "{:#?}", report.violations);

    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
    }
    for spec in FILES {
        let written = std::fs::read(dir.join(spec.name)).unwrap();
        let golden_path = golden_dir().join(spec.name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden_path, &written).unwrap();
        }
        let golden = std::fs::read(&golden_path)
            .unwrap_or_else(|_| panic!("missing {}", golden_path.display()));
        assert!(
            written == golden,
            "{} differs from the hand-checked file:\n--- written ---\n{}\n--- golden ---\n{}",
            spec.name,
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&golden)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Starts an export through the endpoint and waits for its outcome.
pub(crate) async fn export(
    app: &TestApp,
    cookie: &str,
    coc: &str,
    period: &str,
    start: &str,
    end: &str,
) -> Value {
    let started = app
        .call(
            "export/start",
            &[
                ("coc_code", coc),
                ("period_type", period),
                ("start_date", start),
                ("end_date", end),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    let id = started.body.as_i64().unwrap();
    for _ in 0..600 {
        let list = app.call("export/list", &[], Some(cookie)).await;
        assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
        let row = list.body["exports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"].as_i64() == Some(id))
            .cloned()
            .unwrap();
        // Progress never passes its total.
        if let Some(total) = row["rows_total"].as_i64() {
            assert!(row["rows_done"].as_i64().unwrap() <= total, "{row:#?}");
        }
        if row["status"] != "running" {
            return row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the export did not finish in a minute");
}

pub(crate) async fn get(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_demo_coc_exports_cleanly_and_downloads_as_a_zip(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let today = chrono::Local::now().date_naive();
    let start = (today - chrono::Duration::days(400)).to_string();
    let result = export(&app, &admin, "RB-501", "3", &start, &today.to_string()).await;
    assert_eq!(result["status"], "ready", "{result:#?}");
    assert_eq!(result["violation_count"], 0);
    let counts: Vec<(String, u64)> = serde_json::from_value(result["row_counts"].clone()).unwrap();
    // Ready means every row written and checked: the progress is whole, not more.
    let rows: u64 = counts.iter().map(|(_, n)| n).sum();
    assert_eq!(result["rows_total"].as_u64(), Some(rows * 2), "{result:#?}");
    assert_eq!(result["rows_done"], result["rows_total"], "{result:#?}");
    let count = |file: &str| {
        counts
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, n)| *n)
            .unwrap()
    };
    assert!(
        count("Client.csv") > 40 && count("Enrollment.csv") > count("Client.csv"),
        "{counts:?}"
    );
    assert!(count("Event.csv") >= 48);
    // The Lakeshore CoC's clients are not in Riverbend's export.
    let lakeshore: i64 = sqlx::query_scalar(
        "select count(*) from clients where first_name = 'Lena' and last_name = 'Strand'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(lakeshore, 1);

    let response = get(&app, result["download_url"].as_str().unwrap(), &admin).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("HMIS_CSV_FY2026_RB-501_"));
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    let mut expected: Vec<String> = FILES.iter().map(|f| f.name.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    let mut enrollment = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("Enrollment.csv").unwrap(), &mut enrollment)
        .unwrap();
    assert!(enrollment.starts_with(
        "EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,RelationshipToHoH,EnrollmentCoC,"
    ));
    assert!(!enrollment.contains("Strand"));
    let mut clients = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("Client.csv").unwrap(), &mut clients).unwrap();
    assert!(!clients.contains("\"Lena\""), "another CoC's client");
    assert_eq!(app.audit_count("export.create").await, 1);
    assert_eq!(app.audit_count("export.download").await, 1);

    // An Updated export of the last week: everything was written today, and a record deleted
    // today is in it with its DateDeleted.
    let deleted: i64 = sqlx::query_scalar(
        "update enrollments e set deleted_at = now(), updated_at = now(), version = e.version + 1
           from projects p where p.id = e.project_id and p.coc_code = 'LK-502' and e.relationship_to_hoh = 2
         returning e.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let week = (today - chrono::Duration::days(7)).to_string();
    let updated = export(&app, &admin, "LK-502", "1", &week, &today.to_string()).await;
    assert_eq!(updated["status"], "ready", "{updated:#?}");
    let bytes = get(&app, updated["download_url"].as_str().unwrap(), &admin)
        .await
        .bytes()
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut enrollment = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("Enrollment.csv").unwrap(), &mut enrollment)
        .unwrap();
    let row = enrollment
        .lines()
        .find(|line| line.starts_with(&format!("\"{deleted}\",")))
        .expect("the deleted enrollment is exported");
    let fields: Vec<&str> = row.split(',').collect();
    assert!(
        fields[fields.len() - 2].starts_with(&today.to_string()),
        "DateDeleted: {row}"
    );
    let mut export_file = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("Export.csv").unwrap(), &mut export_file)
        .unwrap();
    assert!(
        export_file.lines().nth(1).unwrap().contains(",1,1,1,"),
        "ExportPeriodType 1, ExportDirective 1 (delta), HashStatus 1"
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn seeded_broken_records_are_caught_and_named(pool: PgPool) {
    let app = spawn_app(pool).await;
    // Records as another system might have left them: the database's own guard against a
    // second head of household is lifted for this test.
    let seeds = [
        "drop index enrollments_one_hoh",
        "insert into enrollments (client_id, project_id, household_id, relationship_to_hoh, entry_date, enrollment_coc, disabling_condition)
         select c.id, e.project_id, e.household_id, 1, e.entry_date, e.enrollment_coc, 99
           from enrollments e join clients hoh on hoh.id = e.client_id and hoh.first_name = 'Marisol' and hoh.last_name = 'Quintero'
           join clients c on c.first_name = 'Opal' and c.last_name = 'Hendricks'
          where e.relationship_to_hoh = 1",
        "insert into exits (enrollment_id, exit_date, destination)
         select e.id, e.entry_date - 3, 99 from enrollments e join clients c on c.id = e.client_id
          where c.first_name = 'Wendell' and c.last_name = 'Ashby'",
    ];
    for sql in seeds {
        sqlx::query(sql)
            .execute(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let today = chrono::Local::now().date_naive();
    let start = (today - chrono::Duration::days(400)).to_string();
    let result = export(&app, &admin, "RB-501", "3", &start, &today.to_string()).await;
    assert_eq!(result["status"], "refused", "{result:#?}");
    assert!(result["download_url"].is_null());
    let violations = result["violations"].as_array().unwrap();
    let found = |file: &str, column: &str, text: &str| {
        violations.iter().any(|v| {
            v["file"] == file
                && v["column"] == column
                && v["message"].as_str().unwrap().contains(text)
                && v["row"].as_u64().unwrap() > 1
        })
    };
    assert!(
        found(
            "Enrollment.csv",
            "RelationshipToHoH",
            "has 2 heads of household"
        ),
        "{violations:#?}"
    );
    assert!(
        found("Exit.csv", "ExitDate", "is before the EntryDate"),
        "{violations:#?}"
    );
    assert_eq!(result["violation_count"], 2, "{violations:#?}");
    // Nothing is handed out.
    let id = result["id"].as_i64().unwrap();
    assert_eq!(
        get(&app, &format!("/exports/{id}/download"), &admin)
            .await
            .status(),
        StatusCode::GONE
    );
    // Neither the files nor a ZIP stay on the server.
    let export_id: String = sqlx::query_scalar("select export_id from hmis_exports where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let root = app::features::hmis_export::job::export_root();
    assert!(!root.join(&export_id).exists());
    assert!(!root.join(format!("{export_id}.zip")).exists());
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_administrators_and_the_cocs_coordinated_entry_organization_export(pool: PgPool) {
    let app = spawn_app(pool).await;
    let today = chrono::Local::now().date_naive().to_string();
    let form = |coc: &'static str| {
        vec![
            ("coc_code", coc),
            ("period_type", "3"),
            ("start_date", "2025-10-01"),
        ]
    };
    let caseworker = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let mut request = form("RB-501");
    request.push(("end_date", &today));
    let refused = app.call("export/start", &request, Some(&caseworker)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call("export/list", &[], Some(&caseworker)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.audit_count("export.create").await, 0);

    // The CE organization exports its own CoC only.
    let plm = app
        .sign_in_as("plm", 3, "Riverbend CoC Coordinated Entry")
        .await;
    let mut other = form("LK-502");
    other.push(("end_date", &today));
    let wrong_coc = app.call("export/start", &other, Some(&plm)).await;
    assert_eq!(wrong_coc.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_coc.body["Invalid"]["coc_code"].is_string());
    let mut future = form("RB-501");
    future.push(("end_date", "2999-01-01"));
    let in_future = app.call("export/start", &future, Some(&plm)).await;
    assert_eq!(
        in_future.body["Invalid"]["end_date"],
        "The period cannot end in the future."
    );
    let own = export(&app, &plm, "RB-501", "3", "2025-10-01", &today).await;
    assert_eq!(own["status"], "ready", "{own:#?}");

    // Someone else's export is not theirs to download, nor anyone's without a session.
    let id = own["id"].as_i64().unwrap();
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    assert_eq!(
        get(&app, &format!("/exports/{id}/download"), &admin)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &format!("/exports/{id}/download"), &caseworker)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = reqwest::get(format!("{}/exports/{id}/download", app.base))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_count("export.download").await, 0);
}

/// A ready export of the demo CoC by the administrator: (session cookie, download path, row id).
async fn ready_export(app: &TestApp) -> (String, String, i64) {
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let today = chrono::Local::now().date_naive().to_string();
    let result = export(app, &admin, "RB-501", "3", "2025-10-01", &today).await;
    assert_eq!(result["status"], "ready", "{result:#?}");
    let url = result["download_url"].as_str().unwrap().to_string();
    (admin, url, result["id"].as_i64().unwrap())
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_zip_past_its_24_hours_is_refused_and_removed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (admin, url, id) = ready_export(&app).await;
    let path: String = sqlx::query_scalar("select file_path from hmis_exports where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(Path::new(&path).is_file());
    // Finished 25 hours ago, and no export started since.
    sqlx::query("update hmis_exports set finished_at = now() - interval '25 hours' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let response = get(&app, &url, &admin).await;
    assert_eq!(response.status(), StatusCode::GONE);
    let text = response.text().await.unwrap();
    assert!(text.contains("removed from the server 24 hours"), "{text}");
    assert!(
        !Path::new(&path).exists(),
        "the expired ZIP is still on disk"
    );
    let (status, file_path): (String, Option<String>) =
        sqlx::query_as("select status, file_path from hmis_exports where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), file_path), ("expired", None));
    // Asked again, it says the same; nothing was handed out.
    assert_eq!(get(&app, &url, &admin).await.status(), StatusCode::GONE);
    assert_eq!(app.audit_count("export.download").await, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_head_request_sends_the_headers_only_and_is_not_audited(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (admin, url, _) = ready_export(&app).await;
    let head = reqwest::Client::new()
        .head(format!("{}{url}", app.base))
        .header(reqwest::header::COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-type"], "application/zip");
    assert!(head.bytes().await.unwrap().is_empty());
    assert_eq!(app.audit_count("export.download").await, 0);
    // The download itself is audited.
    let got = get(&app, &url, &admin).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert!(!got.bytes().await.unwrap().is_empty());
    assert_eq!(app.audit_count("export.download").await, 1);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_download_started_by_another_site_is_refused_and_not_audited(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (admin, url, _) = ready_export(&app).await;
    let http = reqwest::Client::new();
    let with = |name: &'static str, value: &str| {
        http.get(format!("{}{url}", app.base))
            .header(reqwest::header::COOKIE, &admin)
            .header(name, value)
    };
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.example"),
        // An older browser (no Sec-Fetch-Site) following a link on another site.
        ("referer", "http://evil.example/page"),
    ] {
        let response = with(name, value).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let text = response.text().await.unwrap();
        assert!(!text.starts_with("PK"), "{name}: {value} got the file");
        assert!(text.contains("this site"), "{text}");
    }
    assert_eq!(app.audit_count("export.download").await, 0);
    // From the export page, or typed into the address bar, it downloads.
    let own_origin = format!("http://{}", app.host);
    for (name, value) in [
        ("sec-fetch-site", "same-origin"),
        ("sec-fetch-site", "none"),
        ("origin", own_origin.as_str()),
    ] {
        let response = with(name, value).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name}: {value}");
    }
    assert_eq!(app.audit_count("export.download").await, 3);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_restart_removes_the_files_an_interrupted_export_left(pool: PgPool) {
    let app = spawn_app(pool).await;
    let export_id = uuid::Uuid::new_v4().simple().to_string();
    let id: i64 = sqlx::query_scalar(
        "insert into hmis_exports (export_id, coc_code, period_type, start_date, end_date, phase, created_by)
         select $1, 'RB-501', 3, date '2025-10-01', date '2025-12-31', 'Writing Client.csv', id
           from users where username = 'admin' returning id",
    )
    .bind(&export_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // What the crashed job left: its CSV files, a ZIP cut short; and something else in the root.
    let root = scratch_dir("recover");
    let dir = root.join(&export_id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Client.csv"),
        "PersonalID,FirstName\r\n\"1\",\"Ana\"\r\n",
    )
    .unwrap();
    std::fs::write(root.join(format!("{export_id}.zip")), b"PK partial").unwrap();
    std::fs::create_dir_all(root.join("not-an-export")).unwrap();

    app::features::hmis_export::job::recover_interrupted(&app.pool, &root)
        .await
        .unwrap();

    assert!(
        !dir.exists(),
        "the interrupted export's CSV files are still on disk"
    );
    assert!(!root.join(format!("{export_id}.zip")).exists());
    assert!(root.join("not-an-export").exists());
    let status: String = sqlx::query_scalar("select status from hmis_exports where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "failed");
    std::fs::remove_dir_all(&root).unwrap();
}
