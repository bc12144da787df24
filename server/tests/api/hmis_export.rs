//! HMIS CSV FY2026 export: a small fixture compared byte for byte with hand-checked files; the
//! demo CoC exported through the real endpoints passes the validator and downloads as a ZIP;
//! seeded broken records are caught and named; only administrators and the CoC's Coordinated
//! Entry organization export.

use crate::common::MIGRATIONS;
use crate::common::{scratch_dir, spawn_app, TestApp};
use app::domain::export::{ExportPeriodType, ExportRequest};
use app::features::hmis_export::files::Folder;
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
        &Folder(&dir),
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
        // Nothing of it is ever seen on the server's disk, also while it runs.
        assert_eq!(
            std::fs::read_dir(&app.scratch).unwrap().count(),
            0,
            "a file with a name in the export worker's folder"
        );
        if !matches!(row["status"].as_str(), Some("queued" | "running")) {
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
    // No ZIP is kept, and nothing is left on the server's disk.
    let pieces: i64 =
        sqlx::query_scalar("select count(*) from hmis_export_chunks where export_row = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(pieces, 0);
    assert_eq!(std::fs::read_dir(&app.scratch).unwrap().count(), 0);
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
    let pieces = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from hmis_export_chunks where export_row = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert!(pieces(app.pool.clone()).await > 0);
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
    assert_eq!(
        pieces(app.pool.clone()).await,
        0,
        "the expired ZIP is still stored"
    );
    let status: String = sqlx::query_scalar("select status from hmis_exports where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "expired");
    // Asked again, it says the same; nothing was handed out.
    assert_eq!(get(&app, &url, &admin).await.status(), StatusCode::GONE);
    assert_eq!(app.audit_count("export.download").await, 0);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_zip_of_several_pieces_downloads_whole_and_in_order(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (admin, url, id) = ready_export(&app).await;
    // Three pieces as a larger export stores them (the last one short).
    let whole: Vec<u8> = (0..(2 * 1_048_576 + 1234))
        .map(|i: u32| (i % 251) as u8)
        .collect();
    sqlx::query("delete from hmis_export_chunks where export_row = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    for (seq, piece) in whole.chunks(1_048_576).enumerate() {
        sqlx::query("insert into hmis_export_chunks (export_row, seq, bytes) values ($1, $2, $3)")
            .bind(id)
            .bind(seq as i32)
            .bind(piece)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    sqlx::query("update hmis_exports set file_size = $2 where id = $1")
        .bind(id)
        .bind(whole.len() as i64)
        .execute(&app.pool)
        .await
        .unwrap();
    let response = get(&app, &url, &admin).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-length"],
        whole.len().to_string().as_str()
    );
    let got = response.bytes().await.unwrap();
    assert!(
        got.as_ref() == whole.as_slice(),
        "the pieces came back changed or out of order"
    );
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

/// A queued export row for the admin, as the start endpoint writes it.
async fn queued_export(pool: &PgPool, coc: &str) -> i64 {
    sqlx::query_scalar(
        "insert into hmis_exports (export_id, coc_code, period_type, start_date, end_date, phase, created_by)
         select replace(gen_random_uuid()::text, '-', ''), $1, 3, date '2025-10-01', current_date, 'Waiting to start', id
           from users where username = 'admin' returning id",
    )
    .bind(coc)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The migrated demo database, with no app and so no export worker: the test claims itself.
async fn demo_database_without_a_worker(pool: &PgPool) {
    server::prepare_database(pool).await.unwrap();
    app::ssr::demo::load(pool, app::ssr::demo::Size::Small)
        .await
        .unwrap();
}

/// Export `id`'s heartbeat stopped ten minutes ago (its instance was killed or stalled).
async fn stall(pool: &PgPool, id: i64) {
    sqlx::query(
        "update hmis_exports set heartbeat_at = now() - interval '10 minutes' where id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
}

async fn export_state(pool: &PgPool, id: i64) -> (String, Option<String>, i16) {
    sqlx::query_as("select status, claimed_by, attempts from hmis_exports where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn instances_claim_each_export_once_and_take_over_a_stale_one(pool: PgPool) {
    use app::features::hmis_export::job::{claim_next, release_claims, MAX_ATTEMPTS};
    demo_database_without_a_worker(&pool).await;
    let riverbend = queued_export(&pool, "RB-501").await;
    let lakeshore = queued_export(&pool, "LK-502").await;

    // Two instances looking at once take one export each (SKIP LOCKED), then find nothing.
    let (a, b) = tokio::join!(
        claim_next(&pool, "instance-a"),
        claim_next(&pool, "instance-b")
    );
    let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
    assert_ne!(a.id, b.id);
    let mut ids = [a.id, b.id];
    ids.sort();
    assert_eq!(ids, [riverbend, lakeshore]);
    assert!(claim_next(&pool, "instance-c").await.unwrap().is_none());
    assert_eq!(a.attempt, 1);

    // Instance a's heartbeat stops (killed): after the stale time, c takes its export over with
    // a new claim; a's claim no longer counts.
    stall(&pool, a.id).await;
    let taken = claim_next(&pool, "instance-c").await.unwrap().unwrap();
    assert_eq!((taken.id, taken.attempt), (a.id, 2));
    assert_ne!(taken.token, a.token);
    assert_eq!(
        export_state(&pool, a.id).await,
        ("running".into(), Some("instance-c".into()), 2)
    );

    // A graceful shutdown of b puts its export back in the queue, and its attempt does not count.
    assert_eq!(release_claims(&pool, "instance-b").await.unwrap(), 1);
    assert_eq!(export_state(&pool, b.id).await, ("queued".into(), None, 0));
    assert_eq!(release_claims(&pool, "instance-b").await.unwrap(), 0);

    // An export whose instance died on every attempt is marked failed, not tried forever.
    sqlx::query("update hmis_exports set heartbeat_at = now() - interval '10 minutes', attempts = $2 where id = $1")
        .bind(a.id)
        .bind(MAX_ATTEMPTS)
        .execute(&pool)
        .await
        .unwrap();
    let next = claim_next(&pool, "instance-d").await.unwrap().unwrap();
    assert_eq!(next.id, b.id, "the failed one is not claimed again");
    let (status, _, _) = export_state(&pool, a.id).await;
    assert_eq!(status, "failed");
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_job_that_lost_its_claim_records_nothing(pool: PgPool) {
    use app::features::hmis_export::files::UnnamedFiles;
    use app::features::hmis_export::job::{claim_next, run};
    use app::features::hmis_export::writer::ExportError;
    demo_database_without_a_worker(&pool).await;
    let id = queued_export(&pool, "RB-501").await;
    let old = claim_next(&pool, "instance-a").await.unwrap().unwrap();
    // Taken over meanwhile (the old instance had stalled past the stale time).
    stall(&pool, id).await;
    let new = claim_next(&pool, "instance-b").await.unwrap().unwrap();
    let scratch = scratch_dir("lost");
    let options = (*pool.connect_options()).clone();
    let stalled = run(
        &options,
        old,
        Clock::server(),
        UnnamedFiles::in_folder(scratch.clone()),
    )
    .await;
    assert!(
        matches!(stalled, Err(ExportError::ClaimLost)),
        "{stalled:?}"
    );
    let (status, claimed_by, _) = export_state(&pool, id).await;
    assert_eq!(
        (status.as_str(), claimed_by.as_deref()),
        ("running", Some("instance-b"))
    );
    // The rightful claim finishes it; the ZIP is in the database and the folder stays empty.
    let finished = run(
        &options,
        new,
        Clock::server(),
        UnnamedFiles::in_folder(scratch.clone()),
    )
    .await
    .unwrap();
    let app::features::hmis_export::job::Outcome::Ready { size } = finished.outcome else {
        panic!("refused: {:?}", finished.outcome);
    };
    let stored: i64 = sqlx::query_scalar(
        "select sum(octet_length(bytes))::bigint from hmis_export_chunks where export_row = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored as u64, size);
    assert_eq!(export_state(&pool, id).await.0, "ready");
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0);
    std::fs::remove_dir(&scratch).unwrap();
}
