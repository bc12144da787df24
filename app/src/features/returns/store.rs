//! SQL of returns for rematch (server only, compile-checked). The server functions in `api.rs`
//! authorize and validate, then call these inside their transaction, holding the CE Event's
//! row lock.

use super::model::{ReasonRef, ReturnEntry, ReturnReason, ReturnReasonRow, ReturnedReferral};
use crate::domain::codes::ReferralResult;
use crate::domain::names::display_name;
use crate::domain::referral_return::{NoteText, ReturnDecision, ValidReturn, ValidReturnReason};
use crate::error::AppError;
use crate::features::ce_events::store::{self as events, NeedStatus, StoredEvent};
use crate::ssr::auth::Actor;
use chrono::NaiveDate;
use sqlx::{PgExecutor, Postgres, Transaction};

/// The CoC's active return reasons, in list order.
pub async fn reasons(db: impl PgExecutor<'_>, coc: &str) -> Result<Vec<ReturnReason>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, label, referral_result, not_housed_reason_id from return_reasons
          where coc_code = $1 and active and deleted_at is null order by sort_order, id",
        coc,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ReturnReason {
                id: r.id,
                label: r.label,
                referral_result: ReferralResult::from_code(r.referral_result)?,
                not_housed_reason_id: r.not_housed_reason_id,
            })
        })
        .collect())
}

/// The "Rematch Needed" status a return with this reason moves the referral to, if the CoC
/// mapped one.
async fn reason_status(
    db: impl PgExecutor<'_>,
    reason_id: i64,
) -> Result<Option<NeedStatus>, sqlx::Error> {
    sqlx::query_as!(
        NeedStatus,
        r#"select s.id as "id!", s.name as "name!", s.days_allowed,
                  s.business_days as "business_days!", s.holidays as "holidays!"
             from return_reasons r join need_status_standards s on s.id = r.need_status_id
            where r.id = $1 and s.deleted_at is null"#,
        reason_id,
    )
    .fetch_optional(db)
    .await
}

/// Every return of a referral, newest first.
pub async fn entries(
    db: impl PgExecutor<'_>,
    event_id: i64,
) -> Result<Vec<ReturnEntry>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select rr.label as reason, rr.referral_result, r.note, r.returned_on,
                  u.first_name || ' ' || u.last_name as "returned_by!", o.name as organization,
                  r.decision, r.decision_note, r.decided_at,
                  d.first_name || ' ' || d.last_name as "decided_by?"
             from ce_event_returns r
             join return_reasons rr on rr.id = r.reason_id
             join users u on u.id = r.returned_by
             join organizations o on o.id = r.organization_id
             left join users d on d.id = r.decided_by
            where r.ce_event_id = $1
            order by r.returned_at desc, r.id desc"#,
        event_id,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReturnEntry {
            reason: r.reason,
            referral_result: ReferralResult::from_code(r.referral_result)
                .map(|c| c.label().to_string())
                .unwrap_or_default(),
            note: r.note,
            returned_on: r.returned_on,
            returned_by: r.returned_by,
            organization: r.organization,
            decision: r.decision.map(|d| decision_label(&d).to_string()),
            decision_note: r.decision_note,
            decided_on: r.decided_at.map(|at| at.date_naive()),
            decided_by: r.decided_by,
        })
        .collect())
}

fn decision_label(stored: &str) -> &'static str {
    if stored == ReturnDecision::SendBack.stored() {
        "Sent back to the provider"
    } else {
        "Confirmed"
    }
}

/// Whether the referral has a return awaiting review.
pub async fn has_pending(db: impl PgExecutor<'_>, event_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from ce_event_returns where ce_event_id = $1 and decision is null) as "pending!""#,
        event_id,
    )
    .fetch_one(db)
    .await
}

/// Records the provider's return: Referral Result, Result Date (the day of the return), If Not
/// Housed, Reason and the reason's "Rematch Needed" status in one update of the locked event; an
/// unacknowledged referral counts as acknowledged the same day (the return is the provider's
/// answer). The return row keeps the status it left, for a send-back.
pub async fn record_return(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    valid: &ValidReturn,
    on: NaiveDate,
) -> Result<i32, AppError> {
    let organization_id = actor.context()?.organization_id;
    let version = sqlx::query_scalar!(
        "update ce_events
            set referral_result = $3, result_date = $4, not_housed_reason_id = $5,
                date_referral_acknowledged = coalesce(date_referral_acknowledged, $4),
                version = version + 1, updated_at = now(), updated_by = $6
          where id = $1 and version = $2 and closed_on is null and referral_result is null
          returning version",
        event.id,
        event.version,
        valid.referral_result.code(),
        on,
        valid.not_housed_reason_id,
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    sqlx::query!(
        "insert into ce_event_returns (ce_event_id, reason_id, note, previous_need_status_id, previous_need_status_due,
                                       previous_date_acknowledged, returned_on, returned_by, organization_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        event.id,
        valid.reason_id,
        valid.note.as_str(),
        event.need_status_id,
        event.need_status_due,
        event.date_acknowledged,
        on,
        actor.user_id,
        organization_id,
    )
    .execute(&mut **tx)
    .await?;
    if let Some(status) = reason_status(&mut **tx, valid.reason_id).await? {
        events::move_need_status(tx, actor, event.id, &status).await?;
    }
    events::record(tx, actor, "return", event).await?;
    Ok(version)
}

/// The Priority List Manager's decision on the pending return of the locked event. Sending back
/// clears the result the return recorded and puts the referral back as it stood (its status,
/// with a fresh timeliness clock, and its acknowledgement); confirming leaves the result as is.
pub async fn decide(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    event: &StoredEvent,
    decision: ReturnDecision,
    note: Option<&NoteText>,
) -> Result<i32, AppError> {
    let pending = sqlx::query!(
        "update ce_event_returns set decision = $2, decision_note = $3, decided_at = now(), decided_by = $4
          where ce_event_id = $1 and decision is null
          returning previous_need_status_id, previous_date_acknowledged",
        event.id,
        decision.stored(),
        note.map(NoteText::as_str),
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    let clears = decision == ReturnDecision::SendBack;
    let version = sqlx::query_scalar!(
        "update ce_events
            set referral_result = case when $3 then null else referral_result end,
                result_date = case when $3 then null else result_date end,
                not_housed_reason_id = case when $3 then null else not_housed_reason_id end,
                date_referral_acknowledged = case when $3 then $5 else date_referral_acknowledged end,
                version = version + 1, updated_at = now(), updated_by = $4
          where id = $1 and version = $2 and closed_on is null
          returning version",
        event.id,
        event.version,
        clears,
        actor.user_id,
        pending.previous_date_acknowledged,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    if clears {
        if let Some(previous) = pending.previous_need_status_id {
            if let Some(status) = events::need_status(&mut **tx, previous).await? {
                events::move_need_status(tx, actor, event.id, &status).await?;
            }
        }
    }
    let action = match decision {
        ReturnDecision::Confirm => "return_confirmed",
        ReturnDecision::SendBack => "return_sent_back",
    };
    events::record(tx, actor, action, event).await?;
    Ok(version)
}

/// The CoC's returns awaiting review, longest waiting first.
pub async fn queue(
    db: impl PgExecutor<'_>,
    coc: &str,
    project: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<ReturnedReferral>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select ev.client_id, ev.id as event_id, c.first_name, c.last_name, p.name as project,
                  o.name as organization, rr.label as reason, r.note, r.returned_on
             from ce_event_returns r
             join ce_events ev on ev.id = r.ce_event_id
             join clients c on c.id = ev.client_id
             join projects p on p.id = ev.referred_project_id
             join organizations o on o.id = p.organization_id
             join return_reasons rr on rr.id = r.reason_id
             join enrollments ce on ce.id = ev.enrollment_id
             join projects cep on cep.id = ce.project_id
            where r.decision is null and cep.coc_code = $1 and ev.deleted_at is null and c.deleted_at is null
              and ($2::bigint is null or ev.referred_project_id = $2)
            order by r.returned_at, r.id
            limit 500"#,
        coc,
        project,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReturnedReferral {
            client_id: r.client_id,
            event_id: r.event_id,
            client_name: display_name(r.first_name.as_deref(), None, r.last_name.as_deref(), None),
            project: r.project,
            organization: r.organization,
            reason: r.reason,
            note: r.note,
            returned_on: r.returned_on,
            days_waiting: (today - r.returned_on).num_days(),
        })
        .collect())
}

/// The CoC's return reasons, active or not, for the settings page.
pub async fn settings_rows(
    db: impl PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<ReturnReasonRow>, sqlx::Error> {
    sqlx::query_as!(
        ReturnReasonRow,
        "select id, version, label, referral_result, not_housed_reason_id, need_status_id, sort_order, active
           from return_reasons where coc_code = $1 and deleted_at is null order by sort_order, id",
        coc,
    )
    .fetch_all(db)
    .await
}

/// The CoC's need statuses: (id, name).
pub async fn coc_statuses(
    db: impl PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, name from referral_need_statuses where coc_code = $1 and deleted_at is null order by sort_order, id",
        coc,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

pub async fn cocs(db: impl PgExecutor<'_>) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!("select code, name from cocs order by code")
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.name)).collect())
}

fn reason_snapshot(row: &ReturnReasonRow) -> serde_json::Value {
    serde_json::json!({
        "Reason": row.label,
        "Referral Result": ReferralResult::from_code(row.referral_result).map(|r| r.label()),
        "If Not Housed, Reason": row.not_housed_reason_id,
        "Referral Need Status": row.need_status_id,
        "Order": row.sort_order,
        "Offered": row.active,
    })
}

async fn settings_row(
    db: impl PgExecutor<'_>,
    id: i64,
) -> Result<Option<ReturnReasonRow>, sqlx::Error> {
    sqlx::query_as!(
        ReturnReasonRow,
        "select id, version, label, referral_result, not_housed_reason_id, need_status_id, sort_order, active
           from return_reasons where id = $1 and deleted_at is null",
        id,
    )
    .fetch_optional(db)
    .await
}

/// Adds (`target.id` 0) or changes a return reason of `target.coc`, version-checked, audited.
pub async fn save_reason(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    target: &ReasonRef,
    valid: &ValidReturnReason,
) -> Result<i64, AppError> {
    let before = if target.id == 0 {
        None
    } else {
        Some(
            settings_row(&mut **tx, target.id)
                .await?
                .ok_or(AppError::NotFound)?,
        )
    };
    let id = if target.id == 0 {
        sqlx::query_scalar!(
            "insert into return_reasons (coc_code, label, referral_result, not_housed_reason_id, need_status_id, sort_order, active)
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
            target.coc,
            valid.label,
            valid.referral_result.code(),
            valid.not_housed_reason_id,
            valid.need_status_id,
            valid.sort_order,
            valid.active,
        )
        .fetch_one(&mut **tx)
        .await?
    } else {
        sqlx::query_scalar!(
            "update return_reasons set label = $4, referral_result = $5, not_housed_reason_id = $6, need_status_id = $7,
                    sort_order = $8, active = $9, version = version + 1, updated_at = now()
              where id = $1 and coc_code = $2 and version = $3 and deleted_at is null
              returning id",
            target.id,
            target.coc,
            target.version,
            valid.label,
            valid.referral_result.code(),
            valid.not_housed_reason_id,
            valid.need_status_id,
            valid.sort_order,
            valid.active,
        )
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::Conflict)?
    };
    let after = settings_row(&mut **tx, id).await?;
    crate::ssr::audit::record(
        tx,
        actor,
        crate::ssr::audit::Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "return_reason",
            entity_id: Some(id),
            before: before.as_ref().map(reason_snapshot),
            after: after.as_ref().map(reason_snapshot),
        },
    )
    .await?;
    Ok(id)
}
