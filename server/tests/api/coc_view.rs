//! The Priority List Manager's CoC view through the real HTTP stack: the numbers by provider and
//! project agree with the lists behind them, a return and a transfer request show up in their
//! project's row and in the filtered queues, acknowledgement is late only after the standard's
//! due day (the day itself on time, the day after late, a CoC holiday skipped), and only a CoC's
//! Coordinated Entry organization reads its own CoC.

use crate::common::{as_user, spawn_app, TestApp, MIGRATIONS};
use crate::common::{LAKESHORE_PLM, NORTHSIDE, PLM};
use app::domain::timeliness::due_date;
use app::features::coc_view::api::{CocListQuery, CocReferralList, CocReferrals};
use app::features::returns::api::{ReturnDraft, ReturnForRematch, ReturnedReferrals};
use app::features::transfers::api::{
    EnrollmentRef, RequestTransfer, TransferDraft, TransferRequests,
};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

const NORTHSIDE_PSH: &str = "Northside Permanent Supportive Housing";

async fn overview(app: &TestApp, cookie: &str) -> Value {
    let reply = app.call_fn(&CocReferrals {}, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

/// The overview's row of a project.
fn row<'a>(overview: &'a Value, project: &str) -> &'a Value {
    overview["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["project"] == json!(project))
        .unwrap_or_else(|| panic!("{project} is not in {overview}"))
}

async fn list(app: &TestApp, cookie: &str, project: i64, filter: &str) -> Value {
    let call = CocReferralList {
        list: CocListQuery {
            project,
            filter: filter.into(),
            page: 1,
        },
    };
    let reply = app.call_fn(&call, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

fn names(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["client_name"].as_str().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn every_number_of_the_coc_view_opens_the_list_it_counts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let psh = app.project_id(NORTHSIDE_PSH).await;

    let before = overview(&app, &plm).await;
    assert_eq!(before["coc"], json!("RB-501"));
    assert_eq!(
        before["standard"],
        json!({ "status": "CES: Matched: Awaiting response by Housing Provider", "days": 2, "business_days": true })
    );
    // Only the Riverbend CoC's providers.
    for project in before["projects"].as_array().unwrap() {
        assert_ne!(project["organization"], json!("Lakeshore Family Housing"));
    }
    let northside = row(&before, NORTHSIDE_PSH);
    assert_eq!(
        northside["organization"],
        json!("Northside Housing Partners")
    );

    // Each number and its list agree.
    let awaiting = list(&app, &plm, psh, "awaiting").await;
    assert_eq!(
        northside["awaiting"],
        json!(awaiting["rows"].as_array().unwrap().len())
    );
    assert_eq!(awaiting["project"], json!(NORTHSIDE_PSH));
    assert!(names(&awaiting).contains(&"Marisol Quintero".to_string()));
    let overdue = list(&app, &plm, psh, "overdue").await;
    assert_eq!(
        northside["overdue"],
        json!(overdue["rows"].as_array().unwrap().len())
    );
    for name in ["Cordelia Nakamura", "Silas Brennan"] {
        assert!(names(&overdue).contains(&name.to_string()), "{overdue}");
    }
    assert!(overdue["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["overdue"] == json!(true)));
    let recent = list(&app, &plm, psh, "recent").await;
    assert_eq!(
        northside["recent"],
        json!(recent["rows"].as_array().unwrap().len())
    );

    // A return moves the referral from "awaiting" to "returned", and the Returned referrals
    // queue of that project lists it (another project's does not).
    let (client_id, event_id) = app.event_of("Marisol", "Quintero").await;
    let northside_cookie = as_user(&app, NORTHSIDE).await;
    let reason: i64 = sqlx::query_scalar(
        "select id from return_reasons where coc_code = 'RB-501' and label = 'Client declined the housing offered'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let returned = ReturnForRematch {
        record: app::features::ce_events::api::EventRef {
            client_id,
            event_id,
            version: app.event_version(event_id).await,
        },
        returned: ReturnDraft {
            reason: reason.to_string(),
            note: "She moved in with family.".into(),
        },
    };
    let reply = app.call_fn(&returned, Some(&northside_cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let after = overview(&app, &plm).await;
    let northside_after = row(&after, NORTHSIDE_PSH);
    assert_eq!(northside_after["returned"], json!(1));
    assert_eq!(
        northside_after["awaiting"].as_i64().unwrap(),
        northside["awaiting"].as_i64().unwrap() - 1
    );
    let queue = app
        .call_fn(&ReturnedReferrals { project: Some(psh) }, Some(&plm))
        .await;
    assert_eq!(queue.body.as_array().unwrap().len(), 1, "{:?}", queue.body);
    assert_eq!(queue.body[0]["client_name"], json!("Marisol Quintero"));
    let other = app.project_id("Northside Rapid Re-Housing").await;
    let queue = app
        .call_fn(
            &ReturnedReferrals {
                project: Some(other),
            },
            Some(&plm),
        )
        .await;
    assert_eq!(queue.body, json!([]));
}

/// The Monday at least three weeks back whose next two business days are not the CoC's
/// holidays, and those holidays.
async fn a_plain_monday(app: &TestApp) -> (NaiveDate, Vec<NaiveDate>) {
    let holidays: Vec<NaiveDate> = sqlx::query_scalar(
        "select holiday from coc_holidays where coc_code = 'RB-501' and deleted_at is null",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut day = chrono::Local::now().date_naive() - Duration::days(21);
    while day.weekday() != Weekday::Mon
        || holidays
            .iter()
            .any(|h| *h > day && *h <= day + Duration::days(3))
    {
        day -= Duration::days(1);
    }
    (day, holidays)
}

/// Referrals of `event_date` to Northside PSH, copied from Marisol's, acknowledged on each of
/// `acknowledged` (`None`: not yet); their ids.
async fn referrals_of(
    app: &TestApp,
    event_date: NaiveDate,
    acknowledged: &[Option<NaiveDate>],
) -> Vec<i64> {
    let (_, template) = app.event_of("Marisol", "Quintero").await;
    let mut ids = Vec::new();
    for on in acknowledged {
        let id: i64 = sqlx::query_scalar(
            "insert into ce_events (enrollment_id, client_id, event_date, event, referred_project_id,
                                    date_referral_acknowledged, need_status_id, need_status_since)
             select enrollment_id, client_id, $2, event, referred_project_id, $3, need_status_id, now()
               from ce_events where id = $1
             returning id",
        )
        .bind(template)
        .bind(event_date)
        .bind(on)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn acknowledgement_on_the_due_day_is_on_time_and_the_day_after_is_late(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let psh = app.project_id(NORTHSIDE_PSH).await;
    let (monday, holidays) = a_plain_monday(&app).await;
    // The standard: 2 business days, from the Event Date.
    let due = due_date(monday, 2, true, &holidays);
    assert_eq!(due, monday + Duration::days(2));
    // A week earlier the CoC observes the Tuesday: the standard skips it.
    let earlier = monday - Duration::days(7);
    sqlx::query(
        "insert into coc_holidays (coc_code, holiday, name) values ('RB-501', $1, 'Founders Day')
         on conflict do nothing",
    )
    .bind(earlier + Duration::days(1))
    .execute(&app.pool)
    .await
    .unwrap();
    let holidays: Vec<NaiveDate> = sqlx::query_scalar(
        "select holiday from coc_holidays where coc_code = 'RB-501' and deleted_at is null",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let due_after_holiday = due_date(earlier, 2, true, &holidays);
    assert!(due_after_holiday >= earlier + Duration::days(3));

    let before = overview(&app, &plm).await;
    let psh_before = row(&before, NORTHSIDE_PSH).clone();
    let late_before = list(&app, &plm, psh, "late").await;
    let day = Duration::days(1);
    // The day itself and the due day are on time; the day after, or never, is late.
    let mut ours = referrals_of(
        &app,
        monday,
        &[Some(monday), Some(due), Some(due + day), None],
    )
    .await;
    ours.extend(
        referrals_of(
            &app,
            earlier,
            &[Some(due_after_holiday), Some(due_after_holiday + day)],
        )
        .await,
    );

    let after = overview(&app, &plm).await;
    let psh_after = row(&after, NORTHSIDE_PSH);
    let grew =
        |field: &str| psh_after[field].as_i64().unwrap() - psh_before[field].as_i64().unwrap();
    assert_eq!(grew("recent"), 6);
    assert_eq!(grew("acknowledged_late"), 3);
    assert_eq!(grew("awaiting"), 1);
    // The late list holds exactly the three more.
    let late = list(&app, &plm, psh, "late").await;
    assert_eq!(
        late["rows"].as_array().unwrap().len(),
        late_before["rows"].as_array().unwrap().len() + 3
    );
    assert_eq!(
        psh_after["acknowledged_late"],
        json!(late["rows"].as_array().unwrap().len())
    );
    let acknowledged: Vec<&Value> = late["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| ours.contains(&r["event_id"].as_i64().unwrap()))
        .map(|r| &r["acknowledged_on"])
        .collect();
    assert_eq!(
        acknowledged,
        [
            &json!(due_after_holiday + day),
            &json!(due + day),
            &Value::Null
        ]
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_transfer_request_counts_at_its_project_and_opens_its_filtered_queue(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let psh = app.project_id(NORTHSIDE_PSH).await;
    let before = overview(&app, &plm).await;
    let (client_id, enrollment_id) = app.enrollment_in("Omar", "Ahmed", NORTHSIDE_PSH).await;
    let asked = RequestTransfer {
        record: EnrollmentRef {
            client_id,
            enrollment_id,
        },
        transfer: TransferDraft {
            reason: "safety".into(),
            project_type: "13".into(),
            organization: String::new(),
            note: "A neighbour threatened him.".into(),
        },
    };
    let reply = app.call_fn(&asked, Some(&northside)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);

    let after = overview(&app, &plm).await;
    let was = before["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["project"] == json!(NORTHSIDE_PSH))
        .map_or(0, |r| r["transfer_requests"].as_i64().unwrap());
    assert_eq!(
        row(&after, NORTHSIDE_PSH)["transfer_requests"],
        json!(was + 1)
    );
    let queue = app
        .call_fn(&TransferRequests { project: Some(psh) }, Some(&plm))
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{:?}", queue.body);
    let rows = queue.body["rows"].as_array().unwrap();
    assert_eq!(rows.len() as i64, was + 1);
    assert!(rows.iter().any(|r| r["client_name"] == json!("Omar Ahmed")));
    let other = app.project_id("Northside Rapid Re-Housing").await;
    let queue = app
        .call_fn(
            &TransferRequests {
                project: Some(other),
            },
            Some(&plm),
        )
        .await;
    assert!(queue.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["client_name"] != json!("Omar Ahmed")));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn only_a_cocs_coordinated_entry_organization_reads_its_own_coc(pool: PgPool) {
    let app = spawn_app(pool).await;
    let psh = app.project_id(NORTHSIDE_PSH).await;

    // A provider is refused both the view and a list.
    let provider = as_user(&app, NORTHSIDE).await;
    let refused = app.call_fn(&CocReferrals {}, Some(&provider)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let call = CocReferralList {
        list: CocListQuery {
            project: psh,
            filter: "awaiting".into(),
            page: 1,
        },
    };
    assert_eq!(
        app.call_fn(&call, Some(&provider)).await.status,
        StatusCode::FORBIDDEN
    );
    // Signed out: refused.
    assert_eq!(
        app.call_fn(&CocReferrals {}, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Another CoC's Priority List Manager sees none of Riverbend's projects and no client of
    // them, even when naming the project.
    let lakeshore = as_user(&app, LAKESHORE_PLM).await;
    let theirs = overview(&app, &lakeshore).await;
    assert_eq!(theirs["coc"], json!("LK-502"));
    assert!(theirs["projects"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["organization"] != json!("Northside Housing Partners")));
    // Naming the project, they learn nothing, not even its name.
    for filter in ["awaiting", "overdue", "recent", "late"] {
        let call = CocReferralList {
            list: CocListQuery {
                project: psh,
                filter: filter.into(),
                page: 1,
            },
        };
        let reply = app.call_fn(&call, Some(&lakeshore)).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{filter}: {:?}",
            reply.body
        );
    }

    // An unknown project is not found; a page beyond any list is a field error, not a 500.
    let plm = as_user(&app, PLM).await;
    let unknown = CocReferralList {
        list: CocListQuery {
            project: i64::MAX,
            filter: "awaiting".into(),
            page: 1,
        },
    };
    assert_eq!(
        app.call_fn(&unknown, Some(&plm)).await.status,
        StatusCode::NOT_FOUND
    );
    let far = CocReferralList {
        list: CocListQuery {
            project: psh,
            filter: "recent".into(),
            page: i64::MAX,
        },
    };
    let reply = app.call_fn(&far, Some(&plm)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert!(
        reply.body["Invalid"]["page"].is_string(),
        "{:?}",
        reply.body
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_burst_of_the_plm_and_a_flood_without_a_session_are_each_answered_in_kind(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let psh = app.project_id(NORTHSIDE_PSH).await;
    // 100 parallel reads of the view and of a list by one signed-in PLM: every one answered.
    let views =
        futures_util::future::join_all((0..100).map(|_| app.call_fn(&CocReferrals {}, Some(&plm))))
            .await;
    assert!(views.iter().all(|r| r.status == StatusCode::OK));
    let (app_ref, plm_ref) = (&app, plm.as_str());
    let lists = futures_util::future::join_all((0..100).map(|i| {
        let call = CocReferralList {
            list: CocListQuery {
                project: psh,
                filter: ["awaiting", "overdue", "recent", "late"][i % 4].into(),
                page: 1,
            },
        };
        async move { app_ref.call_fn(&call, Some(plm_ref)).await }
    }))
    .await;
    assert!(lists.iter().all(|r| r.status == StatusCode::OK));
    // 100 parallel calls without a session: refused, none reaches the data.
    let anonymous =
        futures_util::future::join_all((0..100).map(|_| app.call_fn(&CocReferrals {}, None))).await;
    assert!(anonymous
        .iter()
        .all(|r| r.status == StatusCode::UNAUTHORIZED && r.body.get("projects").is_none()));
}
