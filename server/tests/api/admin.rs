//! User administration: only System Administrators administer; initial passwords must be
//! changed; memberships granted and revoked take effect on the next request; deactivation ends
//! sessions; nobody grants themselves anything; the last active administrator stays.

use crate::common;
use crate::common::MIGRATIONS;
use crate::common::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

const LEAD: &str = "Riverbend HMIS Lead Agency";
const INITIAL: &str = "first-Sign-in-2026";

async fn admin(app: &TestApp) -> String {
    app.sign_in_as("admin", 4, LEAD).await
}

async fn user_version(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar::<_, i32>("select version from users where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
}

async fn create(app: &TestApp, cookie: &str, username: &str, password: &str) -> common::Reply {
    app.call(
        "admin/users/create",
        &[
            ("username", username),
            ("first_name", "Nia"),
            ("last_name", "Okoro"),
            ("email", "nia@example.org"),
            ("phone", "(612) 555-0199"),
            ("initial_password", password),
        ],
        Some(cookie),
    )
    .await
}

async fn grant(app: &TestApp, cookie: &str, user: i64, workgroup: i16, org: &str) -> common::Reply {
    let org = app.organization_id(org).await.to_string();
    app.call(
        "admin/memberships/grant",
        &[
            ("user_id", &user.to_string()),
            ("workgroup", &workgroup.to_string()),
            ("organization_id", &org),
        ],
        Some(cookie),
    )
    .await
}

async fn membership(app: &TestApp, user: i64, workgroup: i16) -> i64 {
    sqlx::query_scalar(
        "select id from memberships where user_id = $1 and workgroup = $2 and deleted_at is null",
    )
    .bind(user)
    .bind(workgroup)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn revoke(app: &TestApp, cookie: &str, user: i64, membership: i64) -> common::Reply {
    app.call(
        "admin/memberships/revoke",
        &[
            ("user_id", &user.to_string()),
            ("membership_id", &membership.to_string()),
        ],
        Some(cookie),
    )
    .await
}

/// Signs in with the initial password, changes it, applies the membership; answers the cookie.
async fn first_sign_in(app: &TestApp, username: &str, workgroup: i16, org: &str) -> String {
    let reply = app
        .call(
            "sign_in",
            &[("username", username), ("password", INITIAL)],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let cookie = reply.cookie.unwrap();
    // Nothing works before the password is changed.
    let blocked = app.call("dashboard/counts", &[], Some(&cookie)).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    let changed = app
        .call(
            "change_password",
            &[
                ("current_password", INITIAL),
                ("new_password", "my-own-Passphrase-7"),
                ("confirm_password", "my-own-Passphrase-7"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let cookie = changed.cookie.unwrap_or(cookie);
    let org_id = app.organization_id(org).await.to_string();
    let applied = app
        .call(
            "apply_context",
            &[
                ("workgroup", &workgroup.to_string()),
                ("organization_id", &org_id),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{:?}", applied.body);
    applied.cookie.unwrap_or(cookie)
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_system_administrators_administer(pool: PgPool) {
    let app = spawn_app(pool).await;
    for (user, workgroup, org) in [
        ("caseworker", 1, "Northside Housing Partners"),
        ("plm", 3, "Riverbend CoC Coordinated Entry"),
        ("assessor", 2, "Riverbend CoC Coordinated Entry"),
    ] {
        let cookie = app.sign_in_as(user, workgroup, org).await;
        assert_eq!(
            app.call("admin/users", &[], Some(&cookie)).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
        assert_eq!(
            create(&app, &cookie, "intruder", INITIAL).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    assert_eq!(app.audit_count("user.create").await, 0);
    // Everyone signed in reads the programs list.
    let cookie = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let programs = app
        .call("programs", &[("query", "harbor")], Some(&cookie))
        .await;
    assert_eq!(programs.status, StatusCode::OK);
    let rows = programs.body.as_array().unwrap();
    assert!(rows
        .iter()
        .all(|r| r["organization"] == json!("Harbor Light Shelter")));
    assert!(!rows.is_empty());
    assert_eq!(
        app.call("programs", &[("query", "")], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_new_user_changes_the_initial_password_and_loses_a_revoked_membership(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = admin(&app).await;
    let weak = create(&app, &admin, "nia.okoro", "short1").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body["Invalid"]["initial_password"].is_string());
    let taken = create(&app, &admin, "caseworker", INITIAL).await;
    assert_eq!(
        taken.body["Invalid"]["username"],
        json!("That username is already taken.")
    );

    let created = create(&app, &admin, "nia.okoro", INITIAL).await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    let nia = created.body.as_i64().unwrap();
    let granted = grant(&app, &admin, nia, 1, "Northside Housing Partners").await;
    assert_eq!(granted.status, StatusCode::OK, "{:?}", granted.body);
    let again = grant(&app, &admin, nia, 1, "Northside Housing Partners").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let cookie = first_sign_in(&app, "nia.okoro", 1, "Northside Housing Partners").await;
    let counts = app.call("dashboard/counts", &[], Some(&cookie)).await;
    assert_eq!(counts.status, StatusCode::OK, "{:?}", counts.body);
    assert!(
        counts.body["awaiting"].as_i64().unwrap() > 0,
        "sees the organization's incoming referrals"
    );

    let revoked = revoke(&app, &admin, nia, membership(&app, nia, 1).await).await;
    assert_eq!(revoked.status, StatusCode::OK, "{:?}", revoked.body);
    let refused = app.call("dashboard/counts", &[], Some(&cookie)).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "the next request is refused"
    );
    for action in ["user.create", "membership.grant", "membership.revoke"] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn nobody_grants_themselves_anything(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin_cookie = admin(&app).await;
    let me: i64 = sqlx::query_scalar("select id from users where username = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let reply = grant(
        &app,
        &admin_cookie,
        me,
        3,
        "Riverbend CoC Coordinated Entry",
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body["Invalid"]["user"]
        .as_str()
        .unwrap()
        .contains("your own access"));
    let version = user_version(&app, me).await;
    let deactivate = app
        .call(
            "admin/users/active",
            &[
                ("user_id", &me.to_string()),
                ("version", &version),
                ("active", "false"),
            ],
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(deactivate.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn deactivation_and_password_reset_end_sessions(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin_cookie = admin(&app).await;
    let caseworker = app
        .sign_in_as("caseworker", 1, "Northside Housing Partners")
        .await;
    let id: i64 = sqlx::query_scalar("select id from users where username = 'caseworker'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let version = user_version(&app, id).await;
    let off = app
        .call(
            "admin/users/active",
            &[
                ("user_id", &id.to_string()),
                ("version", &version),
                ("active", "false"),
            ],
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(
        app.call("dashboard/counts", &[], Some(&caseworker))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // A stale version is refused.
    let stale = app
        .call(
            "admin/users/active",
            &[
                ("user_id", &id.to_string()),
                ("version", &version),
                ("active", "true"),
            ],
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let shelter = app.sign_in_as("shelter", 1, "Harbor Light Shelter").await;
    let sid: i64 = sqlx::query_scalar("select id from users where username = 'shelter'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let version = user_version(&app, sid).await;
    let weak = app
        .call(
            "admin/users/reset_password",
            &[
                ("user_id", &sid.to_string()),
                ("version", &version),
                ("new_password", "shelter-2026-shelter"),
            ],
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(
        weak.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "contains the username"
    );
    let reset = app
        .call(
            "admin/users/reset_password",
            &[
                ("user_id", &sid.to_string()),
                ("version", &version),
                ("new_password", INITIAL),
            ],
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    assert_eq!(
        app.call("dashboard/counts", &[], Some(&shelter))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_last_active_system_administrator_stays(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin_cookie = admin(&app).await;
    let created = create(&app, &admin_cookie, "root.two", INITIAL).await;
    let root = created.body.as_i64().unwrap();
    assert_eq!(
        grant(&app, &admin_cookie, root, 4, LEAD).await.status,
        StatusCode::OK
    );
    let root_cookie = first_sign_in(&app, "root.two", 4, LEAD).await;
    let admin_id: i64 = sqlx::query_scalar("select id from users where username = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Each removes the other at the same moment: one wins, one administrator remains.
    let (a, b) = tokio::join!(
        revoke(&app, &admin_cookie, root, membership(&app, root, 4).await),
        revoke(
            &app,
            &root_cookie,
            admin_id,
            membership(&app, admin_id, 4).await
        ),
    );
    let wins = [a.status, b.status]
        .iter()
        .filter(|s| **s == StatusCode::OK)
        .count();
    assert!(wins <= 1, "{:?} {:?}", a.body, b.body);
    let admins: i64 = sqlx::query_scalar(
        "select count(distinct u.id) from users u join memberships m on m.user_id = u.id
          where m.workgroup = 4 and m.deleted_at is null and u.active",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(admins, 1);
}
