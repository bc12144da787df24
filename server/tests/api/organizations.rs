//! Organization and project administration: only System Administrators administer; HUD's
//! project rules are enforced by the server; a project with enrollments is ended, never
//! deleted; CE participation records never overlap; stale edits are refused; every change is
//! audited and shown as the record's history.

use crate::common;
use crate::common::MIGRATIONS;
use crate::common::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

const LEAD: &str = "Riverbend HMIS Lead Agency";

async fn admin(app: &TestApp) -> String {
    app.sign_in_as("admin", 4, LEAD).await
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn call(
    app: &TestApp,
    endpoint: &str,
    form: &[(String, String)],
    cookie: &str,
) -> common::Reply {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(endpoint, &form, Some(cookie)).await
}

/// A valid new PSH project of `organization`; `changes` override fields.
fn project_form(organization: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let organization = organization.to_string();
    let mut form = owned(&[
        ("project_id", "0"),
        ("version", "0"),
        ("organization_id", &organization),
        ("name", "Hope Street PSH"),
        ("operating_start_date", "2024-01-01"),
        ("continuum_project", "1"),
        ("project_type", "3"),
        ("housing_type", "2"),
        ("coc_code", "RB-501"),
        ("geocode", "279001"),
    ]);
    for (key, value) in changes {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => form.push((key.to_string(), value.to_string())),
        }
    }
    form
}

async fn version_of(app: &TestApp, table: &str, id: i64) -> String {
    sqlx::query_scalar::<_, i32>(&format!("select version from {table} where id = $1"))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
}

async fn project_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("select id from projects where name = $1 and deleted_at is null")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn field<'a>(reply: &'a common::Reply, name: &str) -> &'a str {
    reply.body["Invalid"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no error for {name}: {:?}", reply.body))
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_system_administrators_administer_organizations_and_projects(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = app.organization_id("Northside Housing Partners").await;
    let psh = project_id(&app, "Northside Permanent Supportive Housing").await;
    for (user, workgroup, org) in [
        ("caseworker", 1, "Northside Housing Partners"),
        ("plm", 3, "Riverbend CoC Coordinated Entry"),
    ] {
        let cookie = app.sign_in_as(user, workgroup, org).await;
        let attempts: Vec<(&str, Vec<(String, String)>)> = vec![
            ("admin/organizations", vec![]),
            (
                "admin/organizations/get",
                owned(&[("organization_id", &northside.to_string())]),
            ),
            (
                "admin/organizations/save",
                owned(&[
                    ("organization_id", "0"),
                    ("version", "0"),
                    ("name", "Intruder Org"),
                    ("victim_service_provider", "0"),
                ]),
            ),
            (
                "admin/cocs/add",
                owned(&[("code", "ZZ-999"), ("name", "Nowhere CoC")]),
            ),
            (
                "admin/projects/get",
                owned(&[("project_id", &psh.to_string()), ("organization_id", "0")]),
            ),
            ("admin/projects/save", project_form(northside, &[])),
            (
                "admin/projects/delete",
                owned(&[("project_id", &psh.to_string()), ("version", "1")]),
            ),
            (
                "admin/projects/participation",
                owned(&[
                    ("project_id", &psh.to_string()),
                    ("participation_id", "0"),
                    ("version", "0"),
                    ("start_date", "2025-01-01"),
                ]),
            ),
            (
                "audit/history",
                owned(&[("entity", "project"), ("entity_id", &psh.to_string())]),
            ),
        ];
        for (endpoint, form) in attempts {
            let reply = call(&app, endpoint, &form, &cookie).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{user} → {endpoint}: {:?}",
                reply.body
            );
        }
    }
    let unchanged: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity in ('organization', 'project', 'coc')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unchanged, 0);
    assert_eq!(
        app.call("admin/organizations", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn an_administrator_sets_up_an_organization_and_a_project_and_sees_their_history(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let cookie = admin(&app).await;

    // A new organization; a second one with the same name, or as a second CE organization of
    // the CoC, is refused at the field.
    let created = call(
        &app,
        "admin/organizations/save",
        &owned(&[
            ("organization_id", "0"),
            ("version", "0"),
            ("name", "Hope Street Housing"),
            ("victim_service_provider", "0"),
        ]),
        &cookie,
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    let hope = created.body.as_i64().unwrap();
    let same_name = call(
        &app,
        "admin/organizations/save",
        &owned(&[
            ("organization_id", "0"),
            ("version", "0"),
            ("name", "hope street housing"),
            ("victim_service_provider", "0"),
        ]),
        &cookie,
    )
    .await;
    assert_eq!(same_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field(&same_name, "name"),
        "Another organization already has this name."
    );
    let second_ce = call(
        &app,
        "admin/organizations/save",
        &owned(&[
            ("organization_id", &hope.to_string()),
            ("version", "1"),
            ("name", "Hope Street Housing"),
            ("victim_service_provider", "0"),
            ("ce_for_coc", "RB-501"),
        ]),
        &cookie,
    )
    .await;
    assert_eq!(
        field(&second_ce, "ce_for_coc"),
        "RB-501 already has a Coordinated Entry organization: Riverbend CoC Coordinated Entry."
    );

    // A project; then an edit with the version read, and a stale second edit refused.
    let saved = call(
        &app,
        "admin/projects/save",
        &project_form(hope, &[]),
        &cookie,
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let project = saved.body.as_i64().unwrap();
    let id = project.to_string();
    let edit = project_form(
        hope,
        &[
            ("project_id", &id),
            ("version", "1"),
            ("name", "Hope Street Supportive Housing"),
        ],
    );
    let edited = call(&app, "admin/projects/save", &edit, &cookie).await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    let stale = call(
        &app,
        "admin/projects/save",
        &project_form(hope, &[("project_id", &id), ("version", "1")]),
        &cookie,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(version_of(&app, "projects", project).await, "2");

    // It receives CE referrals from 2024: the programs list says so.
    let participation = call(
        &app,
        "admin/projects/participation",
        &owned(&[
            ("project_id", &id),
            ("participation_id", "0"),
            ("version", "0"),
            ("receives_referrals", "1"),
            ("start_date", "2024-01-01"),
        ]),
        &cookie,
    )
    .await;
    assert_eq!(
        participation.status,
        StatusCode::OK,
        "{:?}",
        participation.body
    );
    let programs = app
        .call("programs", &[("query", "hope street")], Some(&cookie))
        .await;
    assert_eq!(
        programs.body[0]["organization"],
        json!("Hope Street Housing")
    );
    assert_eq!(programs.body[0]["receives_ce_referrals"], json!(true));

    // The history names who changed what, before and after.
    let history = call(
        &app,
        "audit/history",
        &owned(&[("entity", "project"), ("entity_id", &id)]),
        &cookie,
    )
    .await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    let entries = history.body.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[0]["action"], json!("CE participation added"));
    assert_eq!(entries[1]["action"], json!("Changed"));
    assert_eq!(entries[1]["who"], json!("Avery Admin"));
    assert_eq!(
        entries[1]["changes"],
        json!(["Project Name: Hope Street PSH → Hope Street Supportive Housing"])
    );
    assert_eq!(entries[2]["action"], json!("Created"));
    let created_changes: Vec<&str> = entries[2]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        created_changes.contains(&"Project Type: PH – Permanent Supportive Housing"),
        "{created_changes:?}"
    );
    assert!(created_changes.contains(&"Housing Type: Site-based – clustered / multiple sites"));
    let organization_history = call(
        &app,
        "audit/history",
        &owned(&[("entity", "organization"), ("entity_id", &hope.to_string())]),
        &cookie,
    )
    .await;
    assert_eq!(organization_history.body[0]["action"], json!("Created"));

    // A new CoC starts with the default need statuses.
    let coc = call(
        &app,
        "admin/cocs/add",
        &owned(&[("code", "mn-509"), ("name", "Duluth/St. Louis County CoC")]),
        &cookie,
    )
    .await;
    assert_eq!(coc.status, StatusCode::OK, "{:?}", coc.body);
    let statuses: i64 =
        sqlx::query_scalar("select count(*) from referral_need_statuses where coc_code = 'MN-509'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(statuses >= 5);
    let again = call(
        &app,
        "admin/cocs/add",
        &owned(&[("code", "MN-509"), ("name", "Again")]),
        &cookie,
    )
    .await;
    assert_eq!(
        field(&again, "coc_code"),
        "This CoC is already in the list."
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn hud_project_rules_are_enforced_by_the_server(pool: PgPool) {
    let app = spawn_app(pool).await;
    let cookie = admin(&app).await;
    let northside = app.organization_id("Northside Housing Partners").await;

    // 2.02.A: RRH needs its subtype; 2.02.D then applies to RRH with housing.
    let rrh = call(
        &app,
        "admin/projects/save",
        &project_form(northside, &[("project_type", "13"), ("housing_type", "")]),
        &cookie,
    )
    .await;
    assert_eq!(rrh.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&rrh, "rrh_sub_type"), "Choose the RRH subtype.");
    let rrh = call(
        &app,
        "admin/projects/save",
        &project_form(
            northside,
            &[
                ("project_type", "13"),
                ("rrh_sub_type", "2"),
                ("housing_type", ""),
            ],
        ),
        &cookie,
    )
    .await;
    assert_eq!(field(&rrh, "housing_type"), "Choose the housing type.");
    // A continuum project needs a type; Services Only asks 2.02.B; the geocode is required.
    let untyped = call(
        &app,
        "admin/projects/save",
        &project_form(northside, &[("project_type", ""), ("geocode", "")]),
        &cookie,
    )
    .await;
    assert!(field(&untyped, "project_type").contains("continuum project"));
    assert!(field(&untyped, "geocode").contains("six-digit"));
    let sso = call(
        &app,
        "admin/projects/save",
        &project_form(northside, &[("project_type", "6")]),
        &cookie,
    )
    .await;
    assert!(field(&sso, "residential_affiliation").contains("residential"));
    // Values that do not apply are not stored: a PSH posted with an RRH subtype keeps none.
    let psh = call(
        &app,
        "admin/projects/save",
        &project_form(northside, &[("rrh_sub_type", "1")]),
        &cookie,
    )
    .await;
    assert_eq!(psh.status, StatusCode::OK, "{:?}", psh.body);
    let (sub, affiliation): (Option<i16>, Option<i16>) =
        sqlx::query_as("select rrh_sub_type, residential_affiliation from projects where id = $1")
            .bind(psh.body.as_i64().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((sub, affiliation), (None, None));

    // A project with enrollments: its type and CoC stay, it cannot end while clients are
    // enrolled, and it cannot be deleted.
    let enrolled = project_id(&app, "Northside Permanent Supportive Housing").await;
    let id = enrolled.to_string();
    let version = version_of(&app, "projects", enrolled).await;
    let retyped = call(
        &app,
        "admin/projects/save",
        &project_form(
            northside,
            &[
                ("project_id", &id),
                ("version", &version),
                ("name", "Northside Permanent Supportive Housing"),
                ("operating_start_date", "2018-01-01"),
                ("project_type", "2"),
                ("coc_code", "LK-502"),
            ],
        ),
        &cookie,
    )
    .await;
    assert!(field(&retyped, "project_type").contains("cannot change"));
    assert!(field(&retyped, "coc_code").contains("cannot change"));
    let ended = call(
        &app,
        "admin/projects/save",
        &project_form(
            northside,
            &[
                ("project_id", &id),
                ("version", &version),
                ("name", "Northside Permanent Supportive Housing"),
                ("operating_start_date", "2018-01-01"),
                ("housing_type", "1"),
                ("operating_end_date", "2019-01-01"),
            ],
        ),
        &cookie,
    )
    .await;
    assert_eq!(ended.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field(&ended, "operating_end_date").contains("cannot be earlier"),
        "{:?}",
        ended.body
    );
    let deleted = call(
        &app,
        "admin/projects/delete",
        &owned(&[("project_id", &id), ("version", &version)]),
        &cookie,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&deleted, "project").contains("Operating End Date"));
    assert_eq!(
        version_of(&app, "projects", enrolled).await,
        version,
        "nothing was written"
    );

    // A project without clients is deleted, with its CE participation.
    let fresh = psh.body.as_i64().unwrap();
    let fresh_id = fresh.to_string();
    let added = call(
        &app,
        "admin/projects/participation",
        &owned(&[
            ("project_id", &fresh_id),
            ("participation_id", "0"),
            ("version", "0"),
            ("access_point", "1"),
            ("housing_assessment", "1"),
            ("start_date", "2024-02-01"),
            ("end_date", "2024-12-31"),
        ]),
        &cookie,
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let assessments: (Option<i16>, Option<i16>) = sqlx::query_as(
        "select housing_assessment, crisis_assessment from ce_participations where id = $1",
    )
    .bind(added.body.as_i64().unwrap())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        assessments,
        (Some(1), Some(0)),
        "2.09.A answered for an access point"
    );
    // Overlapping records are refused (Eva check 128); the next day is fine.
    let overlapping = call(
        &app,
        "admin/projects/participation",
        &owned(&[
            ("project_id", &fresh_id),
            ("participation_id", "0"),
            ("version", "0"),
            ("receives_referrals", "1"),
            ("start_date", "2024-12-31"),
        ]),
        &cookie,
    )
    .await;
    assert!(field(&overlapping, "start_date").contains("overlaps"));
    let next = call(
        &app,
        "admin/projects/participation",
        &owned(&[
            ("project_id", &fresh_id),
            ("participation_id", "0"),
            ("version", "0"),
            ("receives_referrals", "1"),
            ("start_date", "2025-01-01"),
        ]),
        &cookie,
    )
    .await;
    assert_eq!(next.status, StatusCode::OK, "{:?}", next.body);
    let gone = call(
        &app,
        "admin/projects/delete",
        &owned(&[("project_id", &fresh_id), ("version", "1")]),
        &cookie,
    )
    .await;
    assert_eq!(gone.status, StatusCode::OK, "{:?}", gone.body);
    let left: (Option<chrono::DateTime<chrono::Utc>>, i64) = sqlx::query_as(
        "select deleted_at, (select count(*) from ce_participations where project_id = $1 and deleted_at is null) from projects where id = $1",
    )
    .bind(fresh)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(left.0.is_some());
    assert_eq!(left.1, 0);
    let audit: Value = sqlx::query_scalar("select before from audit_log where entity = 'project' and entity_id = $1 and action = 'delete'")
        .bind(fresh)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audit["Project Name"], json!("Hope Street PSH"));
}
