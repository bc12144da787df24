//! Returns for rematch through the real HTTP stack: the provider returns a CE referral with a
//! reason (HUD mapping), the PLM's queue, confirm and send back, who may do what, versions,
//! concurrent decisions, and one open CE referral per client.

use crate::common::MIGRATIONS;
use crate::common::{as_user, ASSESSOR, HARBOR, LAKESHORE_PLM, NORTHSIDE, PLM};
use crate::common::{spawn_app, today, Reply, TestApp};
use app::features::ce_events::api::{EventRef, ReferToHousing, ReferralChoice};
use app::features::returns::api::{ReturnDraft, ReturnForRematch, ReviewDraft, ReviewReturn};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn reason_id(app: &TestApp, coc: &str, label: &str) -> i64 {
    sqlx::query_scalar("select id from return_reasons where coc_code = $1 and label = $2")
        .bind(coc)
        .bind(label)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn record(app: &TestApp, first: &str, last: &str) -> EventRef {
    let (client_id, event_id) = app.event_of(first, last).await;
    EventRef {
        client_id,
        event_id,
        version: app.event_version(event_id).await,
    }
}

async fn return_it(
    app: &TestApp,
    cookie: &str,
    record: EventRef,
    reason: &str,
    note: &str,
) -> Reply {
    let call = ReturnForRematch {
        record,
        returned: ReturnDraft {
            reason: reason.into(),
            note: note.into(),
        },
    };
    app.call_fn(&call, Some(cookie)).await
}

async fn review(
    app: &TestApp,
    cookie: &str,
    record: EventRef,
    decision: &str,
    note: &str,
) -> Reply {
    let call = ReviewReturn {
        record,
        review: ReviewDraft {
            decision: decision.into(),
            note: note.into(),
        },
    };
    app.call_fn(&call, Some(cookie)).await
}

async fn refer(app: &TestApp, cookie: &str, client_id: i64, project: &str, anyway: bool) -> Reply {
    let call = ReferToHousing {
        client_id,
        referral: ReferralChoice {
            project_id: app.project_id(project).await.to_string(),
            event_date: today(),
            // HUD 4.20.2: PSH takes event 14, RRH 13.
            event: if project.contains("Rapid") {
                "13"
            } else {
                "14"
            }
            .into(),
            refer_anyway: if anyway { "yes".into() } else { String::new() },
            transfer: String::new(),
        },
    };
    app.call_fn(&call, Some(cookie)).await
}

async fn form(app: &TestApp, cookie: &str, record: EventRef) -> Value {
    let reply = app
        .call(
            "ce/get",
            &[
                ("client_id", &record.client_id.to_string()),
                ("event_id", &record.event_id.to_string()),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

/// (Referral Result, Result Date, If Not Housed reason label, need status, date acknowledged)
async fn stored(
    app: &TestApp,
    event: i64,
) -> (
    Option<i16>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
) {
    sqlx::query_as(
        "select ev.referral_result, ev.result_date::text, r.label, s.name, ev.date_referral_acknowledged::text
           from ce_events ev join referral_need_statuses s on s.id = ev.need_status_id
           left join not_housed_reasons r on r.id = ev.not_housed_reason_id
          where ev.id = $1",
    )
    .bind(event)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_provider_returns_a_referral_and_the_plm_confirms_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let marisol = record(&app, "Marisol", "Quintero").await;

    // The form offers the CoC's reasons with their HUD mapping.
    let before = form(&app, &northside, marisol).await;
    assert_eq!(before["returns"]["can_return"], json!(true));
    let offered: Vec<&str> = before["returns"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(offered.len(), 5, "{offered:?}");
    let declined = reason_id(&app, "RB-501", "Client declined the housing offered").await;

    let returned = return_it(
        &app,
        &northside,
        marisol,
        &declined.to_string(),
        "  She chose to stay with her sister.  ",
    )
    .await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);
    assert_eq!(returned.body, json!(marisol.version + 1));
    // HUD 4.20.D: client rejected, Result Date the day of the return, the reason's defaults;
    // the unacknowledged referral counts as acknowledged that day.
    assert_eq!(
        stored(&app, marisol.event_id).await,
        (
            Some(2),
            Some(today()),
            Some("Client declined the housing offered".into()),
            "CES: Rematch Needed: Client Declined".into(),
            Some(today()),
        )
    );
    assert_eq!(app.audit_count("return").await, 1);

    // The PLM's queue lists it with reason, note, provider and days waiting.
    let queue = app.call("ce/returned_referrals", &[], Some(&plm)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(queue.body.as_array().unwrap().len(), 1, "{:?}", queue.body);
    let row = &queue.body[0];
    assert_eq!(row["client_name"], json!("Marisol Quintero"));
    assert_eq!(row["reason"], json!("Client declined the housing offered"));
    assert_eq!(row["note"], json!("She chose to stay with her sister."));
    assert_eq!(row["organization"], json!("Northside Housing Partners"));
    assert_eq!(row["days_waiting"], json!(0));

    // While it awaits review the provider's answer stands, and the client holds it as her open
    // referral.
    let waiting = form(&app, &northside, record(&app, "Marisol", "Quintero").await).await;
    assert_eq!(waiting["can_resolve"], json!(false));
    assert_eq!(waiting["returns"]["can_return"], json!(false));
    assert_eq!(waiting["returns"]["returns"][0]["decision"], Value::Null);
    let refused = refer(
        &app,
        &plm,
        marisol.client_id,
        "Northside Rapid Re-Housing",
        false,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body["Invalid"]["refer_anyway"]
        .as_str()
        .unwrap()
        .contains("Northside Permanent Supportive Housing"));
    let list = app
        .call(
            "ce/priority_list",
            &[
                ("query", "quintero"),
                ("pending", ""),
                ("sort", ""),
                ("page", "1"),
            ],
            Some(&plm),
        )
        .await;
    assert_eq!(list.body["rows"][0]["returns"], json!(1));
    assert_eq!(list.body["rows"][0]["return_pending"], json!(true));

    // The PLM confirms: the queue empties, the result stays, the client may be referred again.
    let current = record(&app, "Marisol", "Quintero").await;
    let plm_form = form(&app, &plm, current).await;
    assert_eq!(plm_form["returns"]["can_review"], json!(true));
    let confirmed = review(&app, &plm, current, "confirm", "").await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    assert_eq!(stored(&app, marisol.event_id).await.0, Some(2));
    let queue = app.call("ce/returned_referrals", &[], Some(&plm)).await;
    assert_eq!(queue.body, json!([]));
    assert_eq!(app.audit_count("return_confirmed").await, 1);
    let again = refer(
        &app,
        &plm,
        marisol.client_id,
        "Northside Rapid Re-Housing",
        false,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let history = form(&app, &plm, record(&app, "Marisol", "Quintero").await).await;
    assert_eq!(
        history["returns"]["returns"][0]["decision"],
        json!("Confirmed")
    );
    assert_eq!(history["returns"]["can_review"], json!(false));
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_plm_sends_a_return_back_and_the_provider_answers_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let opal = record(&app, "Opal", "Hendricks").await;
    let (_, _, _, status_before, _) = stored(&app, opal.event_id).await;
    let unable = reason_id(&app, "RB-501", "Unable to contact the client").await;
    let returned = return_it(
        &app,
        &northside,
        opal,
        &unable.to_string(),
        "Three calls, no answer",
    )
    .await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);
    let (result, _, reason, status, _) = stored(&app, opal.event_id).await;
    assert_eq!(result, Some(3), "provider rejected");
    assert_eq!(reason.as_deref(), Some("Client could not be contacted"));
    assert_eq!(status, "CES: Rematch Needed: Unable to Contact Client");

    // Sending back needs a note.
    let current = record(&app, "Opal", "Hendricks").await;
    let silent = review(&app, &plm, current, "send_back", "  ").await;
    assert_eq!(silent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        silent.body,
        json!({"Invalid": {"review_note": "Write the provider a note: why the referral goes back to them."}})
    );
    let sent = review(
        &app,
        &plm,
        current,
        "send_back",
        "Her new number is in the profile.",
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    // The result is cleared and the referral is back where it stood.
    let (result, result_date, reason, status, acknowledged) = stored(&app, opal.event_id).await;
    assert_eq!((result, result_date, reason), (None, None, None));
    assert_eq!(status, status_before);
    assert_eq!(
        acknowledged, None,
        "the return's implied acknowledgement is undone"
    );
    assert_eq!(app.audit_count("return_sent_back").await, 1);

    // The provider sees it reopened, with the PLM's note, and may answer or return it again.
    let reopened = form(&app, &northside, record(&app, "Opal", "Hendricks").await).await;
    assert_eq!(reopened["can_resolve"], json!(true));
    assert_eq!(reopened["returns"]["can_return"], json!(true));
    let entry = &reopened["returns"]["returns"][0];
    assert_eq!(entry["decision"], json!("Sent back to the provider"));
    assert_eq!(
        entry["decision_note"],
        json!("Her new number is in the profile.")
    );
    assert_eq!(entry["decided_by"], json!("Priya Lindqvist"));
    let twice = return_it(
        &app,
        &northside,
        record(&app, "Opal", "Hendricks").await,
        &unable.to_string(),
        "Still no answer after the new number",
    )
    .await;
    assert_eq!(twice.status, StatusCode::OK, "{:?}", twice.body);
    let history = form(&app, &plm, record(&app, "Opal", "Hendricks").await).await;
    assert_eq!(history["returns"]["returns"].as_array().unwrap().len(), 2);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_return_is_not_sent_back_after_the_client_left_coordinated_entry(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let opal = record(&app, "Opal", "Hendricks").await;
    let unable = reason_id(&app, "RB-501", "Unable to contact the client").await;
    let returned = return_it(&app, &northside, opal, &unable.to_string(), "No answer").await;
    assert_eq!(returned.status, StatusCode::OK, "{:?}", returned.body);
    let exited = crate::ce_exit::exit_ce(&app, &plm, opal.client_id, &today()).await;
    assert_eq!(exited.status, StatusCode::OK, "{:?}", exited.body);

    let current = record(&app, "Opal", "Hendricks").await;
    let shown = form(&app, &plm, current).await;
    assert_eq!(shown["returns"]["can_review"], json!(true));
    assert_eq!(shown["returns"]["can_send_back"], json!(false));
    let refused = review(&app, &plm, current, "send_back", "Try once more").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.body["Invalid"]["review_decision"].as_str().unwrap();
    assert!(
        message.starts_with("The client was exited from Coordinated Entry on "),
        "{message}"
    );
    let (result, _, _, _, _) = stored(&app, opal.event_id).await;
    assert_eq!(result, Some(3), "the refused send-back changed nothing");
    assert_eq!(app.audit_count("return_sent_back").await, 0);

    let confirmed = review(&app, &plm, current, "confirm", "").await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn who_may_return_and_review_and_what_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let marisol = record(&app, "Marisol", "Quintero").await;
    let declined = reason_id(&app, "RB-501", "Client declined the housing offered")
        .await
        .to_string();
    let other_coc = reason_id(&app, "LK-502", "Client declined the housing offered")
        .await
        .to_string();

    // Only the receiving provider returns: the CE organization is refused, another provider
    // and another CoC's PLM do not see the referral at all.
    assert_eq!(
        return_it(&app, &plm, marisol, &declined, "n").await.status,
        StatusCode::FORBIDDEN
    );
    let harbor = as_user(&app, HARBOR).await;
    assert_eq!(
        return_it(&app, &harbor, marisol, &declined, "n")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let lakeshore = as_user(&app, LAKESHORE_PLM).await;
    assert_eq!(
        return_it(&app, &lakeshore, marisol, &declined, "n")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The rules at the field: a reason of another CoC, no note, a note one character too long.
    let foreign = return_it(&app, &northside, marisol, &other_coc, "n").await;
    assert_eq!(
        foreign.body,
        json!({"Invalid": {"return_reason": "Choose one of the listed reasons."}})
    );
    let empty = return_it(&app, &northside, marisol, "", "").await;
    assert_eq!(
        empty.body,
        json!({"Invalid": {"return_reason": "Choose why the referral is returned.", "return_note": "Write a note."}})
    );
    let long = return_it(&app, &northside, marisol, &declined, &"a".repeat(2001)).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        return_it(&app, &northside, marisol, &declined, &"a".repeat(2000))
            .await
            .status,
        StatusCode::OK
    );
    // Nothing was half-saved by the refused calls: one return, one audit row.
    let returns: i64 = sqlx::query_scalar("select count(*) from ce_event_returns")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(returns, 1);

    // A stale version is a conflict; a second return while one is pending is refused.
    assert_eq!(
        return_it(&app, &northside, marisol, &declined, "again")
            .await
            .status,
        StatusCode::CONFLICT
    );
    let current = record(&app, "Marisol", "Quintero").await;
    let pending = return_it(&app, &northside, current, &declined, "again").await;
    assert_eq!(
        pending.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        pending.body
    );

    // Only the CoC's PLM reviews: the provider and the CE assessor are refused, another CoC's
    // PLM does not see it, and an unknown decision is a field error.
    assert_eq!(
        review(&app, &northside, current, "confirm", "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let assessor = as_user(&app, ASSESSOR).await;
    assert_eq!(
        review(&app, &assessor, current, "confirm", "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        review(&app, &lakeshore, current, "confirm", "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let unknown = review(&app, &plm, current, "delete", "").await;
    assert!(unknown.body["Invalid"]["review_decision"].is_string());
    // The queue is the CE organization's only.
    assert_eq!(
        app.call("ce/returned_referrals", &[], Some(&northside))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let lakeshore_queue = app
        .call("ce/returned_referrals", &[], Some(&lakeshore))
        .await;
    assert_eq!(lakeshore_queue.body, json!([]));

    // A referral without a pending return has nothing to review.
    let opal = record(&app, "Opal", "Hendricks").await;
    let nothing = review(&app, &plm, opal, "confirm", "").await;
    assert_eq!(
        nothing.body,
        json!({"Invalid": {"review_decision": "This referral has no return awaiting review."}})
    );
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn two_decisions_at_once_make_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let declined = reason_id(&app, "RB-501", "Client declined the housing offered")
        .await
        .to_string();
    let marisol = record(&app, "Marisol", "Quintero").await;
    let returned = return_it(&app, &northside, marisol, &declined, "n").await;
    assert_eq!(returned.status, StatusCode::OK);
    let current = record(&app, "Marisol", "Quintero").await;
    let (a, b) = tokio::join!(
        review(&app, &plm, current, "confirm", ""),
        review(&app, &plm, current, "send_back", "Try again")
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{:?} {:?}",
        a.body,
        b.body
    );
    let decided: i64 =
        sqlx::query_scalar("select count(*) from ce_event_returns where decision is not null")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(decided, 1);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_client_holds_one_open_ce_referral_unless_the_plm_refers_anyway(pool: PgPool) {
    let app = spawn_app(pool).await;
    let plm = as_user(&app, PLM).await;
    let wendell = app.client_id("Wendell", "Ashby").await;
    // Two PLM tabs refer Wendell to two projects at the same moment: one referral is made.
    let (a, b) = tokio::join!(
        refer(
            &app,
            &plm,
            wendell,
            "Northside Permanent Supportive Housing",
            false
        ),
        refer(&app, &plm, wendell, "Northside Rapid Re-Housing", false)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY],
        "{:?} {:?}",
        a.body,
        b.body
    );
    let refused = if a.status == StatusCode::OK { &b } else { &a };
    assert!(
        refused.body["Invalid"]["refer_anyway"].is_string(),
        "{:?}",
        refused.body
    );
    let form = app
        .call(
            "ce/referral_form",
            &[("client_id", &wendell.to_string())],
            Some(&plm),
        )
        .await;
    assert!(form.body["open_referral"].is_string(), "{:?}", form.body);
    // "Refer although another referral is open" makes the second.
    let second = if a.status == StatusCode::OK {
        "Northside Rapid Re-Housing"
    } else {
        "Northside Permanent Supportive Housing"
    };
    let anyway = refer(&app, &plm, wendell, second, true).await;
    assert_eq!(anyway.status, StatusCode::OK, "{:?}", anyway.body);
    let open: i64 = sqlx::query_scalar(
        "select count(*) from ce_events where client_id = $1 and referral_result is null",
    )
    .bind(wendell)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(open, 2);
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_return_reasons_map_to_hud_codes(pool: PgPool) {
    let app = spawn_app(pool).await;
    // Every seeded reason maps to HUD 4.20.D 2 or 3, a not-housed reason and a Rematch Needed
    // status of its own CoC.
    // (CoC, label, Referral Result, If Not Housed reason, status, the status's CoC)
    type Mapping = (
        String,
        String,
        i16,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Mapping> = sqlx::query_as(
        "select r.coc_code, r.label, r.referral_result, n.label, s.name, s.coc_code
           from return_reasons r left join not_housed_reasons n on n.id = r.not_housed_reason_id
           left join referral_need_statuses s on s.id = r.need_status_id order by r.coc_code, r.sort_order",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 10, "5 reasons for each of the two demo CoCs");
    for (coc, label, result, not_housed, status, status_coc) in &rows {
        assert!([2, 3].contains(result), "{label}");
        assert!(not_housed.is_some(), "{label}");
        assert!(
            status
                .as_deref()
                .unwrap_or_default()
                .starts_with("CES: Rematch Needed"),
            "{label}"
        );
        assert_eq!(status_coc.as_deref(), Some(coc.as_str()), "{label}");
    }
    let declined = rows
        .iter()
        .find(|r| r.0 == "RB-501" && r.1 == "Client declined the housing offered")
        .unwrap();
    assert_eq!(declined.2, 2, "client rejected");
    let ineligible = rows
        .iter()
        .find(|r| r.0 == "RB-501" && r.1 == "Client ineligible for the project")
        .unwrap();
    assert_eq!(ineligible.2, 3, "provider rejected");
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn the_hmis_export_still_validates_with_returned_referrals(pool: PgPool) {
    let app = spawn_app(pool).await;
    let northside = as_user(&app, NORTHSIDE).await;
    let plm = as_user(&app, PLM).await;
    let declined = reason_id(&app, "RB-501", "Client declined the housing offered")
        .await
        .to_string();
    // One return confirmed, one pending, one sent back.
    for (first, last) in [
        ("Marisol", "Quintero"),
        ("Opal", "Hendricks"),
        ("Cordelia", "Nakamura"),
    ] {
        let reply = return_it(
            &app,
            &northside,
            record(&app, first, last).await,
            &declined,
            "n",
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{first}: {:?}", reply.body);
    }
    let confirm = review(
        &app,
        &plm,
        record(&app, "Marisol", "Quintero").await,
        "confirm",
        "",
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK);
    let back = review(
        &app,
        &plm,
        record(&app, "Cordelia", "Nakamura").await,
        "send_back",
        "again",
    )
    .await;
    assert_eq!(back.status, StatusCode::OK);

    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let today = chrono::Local::now().date_naive();
    let start = (today - chrono::Duration::days(400)).to_string();
    let result =
        crate::hmis_export::export(&app, &admin, "RB-501", "3", &start, &today.to_string()).await;
    assert_eq!(result["status"], "ready", "{result:#?}");
    assert_eq!(result["violation_count"], 0, "{result:#?}");

    // Event.csv carries the returns' HUD 4.20.D result and Result Date; the sent-back one none.
    let bytes = crate::hmis_export::get(&app, result["download_url"].as_str().unwrap(), &admin)
        .await
        .bytes()
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut events = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("Event.csv").unwrap(), &mut events).unwrap();
    let header: Vec<&str> = events.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row_of = |event: i64| -> Vec<String> {
        let fields = |line: &str| -> Vec<String> {
            line.split(',')
                .map(|f| f.trim_matches('"').to_string())
                .collect()
        };
        events
            .lines()
            .map(fields)
            .find(|row| row[0] == event.to_string())
            .unwrap_or_else(|| panic!("event {event} exported"))
    };
    for (first, last, result, date) in [
        ("Marisol", "Quintero", "2", today.to_string()),
        ("Opal", "Hendricks", "2", today.to_string()),
        ("Cordelia", "Nakamura", "", String::new()),
    ] {
        let row = row_of(app.event_of(first, last).await.1);
        assert_eq!(row[column("ReferralResult")], result, "{first}: {row:?}");
        assert_eq!(row[column("ResultDate")], date, "{first}: {row:?}");
    }
}

#[sqlx::test(migrator = "MIGRATIONS")]
async fn a_system_administrator_configures_the_return_reasons(pool: PgPool) {
    use app::features::returns::api::{ReasonRef, ReturnReasonDraft, SaveReturnReason};
    let app = spawn_app(pool).await;
    let admin = app
        .sign_in_as("admin", 4, "Riverbend HMIS Lead Agency")
        .await;
    let plm = as_user(&app, PLM).await;
    let settings = app
        .call(
            "settings/return_reasons",
            &[("coc", "RB-501")],
            Some(&admin),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{:?}", settings.body);
    assert_eq!(settings.body["reasons"].as_array().unwrap().len(), 5);
    let status_of = |coc: &'static str, name: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select id from referral_need_statuses where coc_code = $1 and name = $2",
            )
            .bind(coc)
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap()
            .to_string()
        }
    };
    let draft = |label: &str, status: &str| ReturnReasonDraft {
        label: label.into(),
        referral_result: "3".into(),
        not_housed_reason: String::new(),
        need_status: status.into(),
        sort_order: "6".into(),
        active: "yes".into(),
    };
    let new = |draft: ReturnReasonDraft| SaveReturnReason {
        target: ReasonRef {
            coc: "RB-501".into(),
            id: 0,
            version: 0,
        },
        reason: draft,
    };
    let ineligible = status_of("RB-501", "CES: Rematch Needed: Client Ineligible").await;
    let foreign = status_of("LK-502", "CES: Rematch Needed: Client Ineligible").await;

    // Only System Administrators.
    let refused = app
        .call_fn(
            &new(draft("Household size does not fit", &ineligible)),
            Some(&plm),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Another CoC's status is refused at the field; a duplicate name too.
    let wrong = app
        .call_fn(
            &new(draft("Household size does not fit", &foreign)),
            Some(&admin),
        )
        .await;
    assert_eq!(
        wrong.body,
        json!({"Invalid": {"reason_need_status": "Choose one of this CoC's need statuses."}})
    );
    let twice = app
        .call_fn(&new(draft("No unit available", &ineligible)), Some(&admin))
        .await;
    assert_eq!(
        twice.body,
        json!({"Invalid": {"reason_label": "This CoC already has a return reason with this name."}})
    );
    let added = app
        .call_fn(
            &new(draft("Household size does not fit", &ineligible)),
            Some(&admin),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let id = added.body.as_i64().unwrap();

    // Providers are offered it; switched off, it is offered no more. A stale edit conflicts.
    let northside = as_user(&app, NORTHSIDE).await;
    let offered = |cookie: String| {
        let app = &app;
        async move {
            let marisol = record(app, "Marisol", "Quintero").await;
            form(app, &cookie, marisol).await["returns"]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == json!(id))
        }
    };
    assert!(offered(northside.clone()).await);
    let mut off = draft("Household size does not fit", &ineligible);
    off.active = String::new();
    let edit = |version: i32, reason: ReturnReasonDraft| SaveReturnReason {
        target: ReasonRef {
            coc: "RB-501".into(),
            id,
            version,
        },
        reason,
    };
    let switched = app.call_fn(&edit(1, off.clone()), Some(&admin)).await;
    assert_eq!(switched.status, StatusCode::OK, "{:?}", switched.body);
    assert!(!offered(northside).await);
    let stale = app.call_fn(&edit(1, off), Some(&admin)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let audits: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'return_reason' and entity_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audits, 2);
}
