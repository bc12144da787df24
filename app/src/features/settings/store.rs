//! SQL of the settings (server only, compile-checked): a CoC's need statuses and their allowed
//! transitions, its holidays, and the due dates of open referrals when a standard or a holiday
//! changes (the SQL twin of the timeliness rule, `threshold_due_date`, over the CoC's holidays).

use super::model::{HolidayView, NeedStatusView};
use crate::domain::holidays::Holiday;
use crate::domain::need_status::NeedStatusSettings;
use crate::ssr::{audit, auth::Actor};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgExecutor};

/// The CoCs this HMIS holds: (code, name), by code.
pub async fn cocs(db: impl PgExecutor<'_>) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!("select code, name from cocs order by code")
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.name)).collect())
}

/// Whether this HMIS holds the CoC.
pub async fn known_coc(db: impl PgExecutor<'_>, coc: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from cocs where code = $1) as "known!""#,
        coc
    )
    .fetch_one(db)
    .await
}

/// The CoC's need statuses in list order, each with its allowed next statuses (in their order).
pub async fn statuses(
    db: impl PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<NeedStatusView>, sqlx::Error> {
    sqlx::query_as!(
        NeedStatusView,
        r#"select s.id, s.version, s.name, s.sort_order, s.is_initial, s.is_final, s.days_allowed,
                  s.business_days, s.applies_on,
                  array(select t.to_status_id from referral_need_status_transitions t
                          join referral_need_statuses n on n.id = t.to_status_id
                         where t.from_status_id = s.id order by n.sort_order) as "next!"
             from referral_need_statuses s
            where s.coc_code = $1 and s.deleted_at is null
            order by s.sort_order, s.id"#,
        coc,
    )
    .fetch_all(db)
    .await
}

/// Adds a status to the CoC's list; its id.
pub async fn insert_status(
    tx: &mut PgConnection,
    actor: &Actor,
    coc: &str,
    status: &NeedStatusSettings,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into referral_need_statuses (coc_code, name, sort_order, is_final, days_allowed, business_days, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
        coc,
        status.name,
        status.sort_order,
        status.is_final,
        status.days_allowed,
        status.business_days,
        actor.user_id,
    )
    .fetch_one(tx)
    .await
}

/// Changes a status still at `version`; `None` when it changed since (or is gone).
pub async fn update_status(
    tx: &mut PgConnection,
    actor: &Actor,
    id: i64,
    version: i32,
    status: &NeedStatusSettings,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "update referral_need_statuses set name = $3, sort_order = $4, is_final = $5, days_allowed = $6,
                business_days = $7, version = version + 1, updated_at = now(), updated_by = $8
          where id = $1 and version = $2 returning id",
        id,
        version,
        status.name,
        status.sort_order,
        status.is_final,
        status.days_allowed,
        status.business_days,
        actor.user_id,
    )
    .fetch_optional(tx)
    .await
}

/// The statuses a referral may move to from `id`: exactly `next`.
pub async fn set_transitions(
    tx: &mut PgConnection,
    id: i64,
    next: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from referral_need_status_transitions where from_status_id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into referral_need_status_transitions (from_status_id, to_status_id)
         select $1, to_id from unnest($2::bigint[]) to_id",
        id,
        next,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Open referrals in the status follow its (new) standard.
pub async fn refresh_status_due_dates(
    tx: &mut PgConnection,
    coc: &str,
    id: i64,
    days_allowed: Option<i32>,
    business_days: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update ce_events set need_status_due =
                case when $2::int is null then null
                     else threshold_due_date(need_status_since::date, $2, $3,
                          array(select holiday from coc_holidays where coc_code = $4 and deleted_at is null)) end
          where need_status_id = $1 and referral_result is null and closed_on is null and deleted_at is null",
        id,
        days_allowed,
        business_days,
        coc,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// The CoC's holidays from the start of last year on, by date.
pub async fn holidays(db: impl PgExecutor<'_>, coc: &str) -> Result<Vec<HolidayView>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select h.id, h.version, h.holiday, h.name,
                  coalesce(u.first_name || ' ' || u.last_name, 'HMIS setup') as "added_by!", h.created_at
             from coc_holidays h left join users u on u.id = h.created_by
            where h.coc_code = $1 and h.deleted_at is null
              and h.holiday >= make_date(extract(year from current_date)::int - 1, 1, 1)
            order by h.holiday"#,
        coc,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HolidayView {
            id: r.id,
            version: r.version,
            date: r.holiday,
            name: r.name,
            added_by: r.added_by,
            added_on: r.created_at.with_timezone(&chrono::Local).date_naive(),
        })
        .collect())
}

/// Every day the CoC's holidays hold (past ones too: an old referral may still be open).
pub async fn holiday_dates(
    db: impl PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar!(
        "select holiday from coc_holidays where coc_code = $1 and deleted_at is null order by holiday",
        coc,
    )
    .fetch_all(db)
    .await
}

/// After holidays `changed` were added or removed: the CoC's open referrals in a business-day
/// status whose count runs across one of those days get their due date again.
pub async fn refresh_due_dates(
    tx: &mut PgConnection,
    coc: &str,
    changed: &[NaiveDate],
) -> Result<(), sqlx::Error> {
    let (Some(first), Some(last)) = (changed.iter().min(), changed.iter().max()) else {
        return Ok(());
    };
    // Only a referral that entered its status before a changed day and is due on or after it
    // counts across it; the others keep their due date.
    sqlx::query!(
        "update ce_events ev set need_status_due = threshold_due_date(ev.need_status_since::date, s.days_allowed, true,
                    array(select holiday from coc_holidays where coc_code = $1 and deleted_at is null))
           from referral_need_statuses s
          where s.id = ev.need_status_id and s.coc_code = $1 and s.business_days and s.days_allowed is not null
            and ev.referral_result is null and ev.closed_on is null and ev.deleted_at is null
            and ev.need_status_since::date < $3 and ev.need_status_due >= $2",
        coc,
        first,
        last,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Records a checked holiday of `coc`, with its audit row.
pub async fn insert_holiday(
    tx: &mut PgConnection,
    actor: &Actor,
    coc: &str,
    holiday: &Holiday,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "insert into coc_holidays (coc_code, holiday, name, created_by, updated_by)
         values ($1, $2, $3, $4, $4) returning id",
        coc,
        holiday.date,
        holiday.name,
        actor.user_id,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        tx,
        actor,
        audit::Change {
            action: "create",
            entity: "coc_holiday",
            entity_id: Some(id),
            before: None,
            after: Some(holiday_snapshot(holiday.date, &holiday.name, coc)),
        },
    )
    .await?;
    Ok(id)
}

/// What the audit log keeps of a holiday.
pub fn holiday_snapshot(date: NaiveDate, name: &str, coc: &str) -> serde_json::Value {
    serde_json::json!({"CoC": coc, "Date": date, "Name": name})
}

/// Removes the CoC's holiday still at `version`: its date and name, or `None` when it is gone,
/// another CoC's, or changed since.
pub async fn remove_holiday(
    tx: &mut PgConnection,
    actor: &Actor,
    coc: &str,
    id: i64,
    version: i32,
) -> Result<Option<(NaiveDate, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "update coc_holidays set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = $4
          where id = $1 and coc_code = $2 and version = $3 and deleted_at is null
          returning holiday, name",
        id,
        coc,
        version,
        actor.user_id,
    )
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|r| (r.holiday, r.name)))
}

/// Whether the CoC still holds the holiday (at any version).
pub async fn holiday_exists(
    db: impl PgExecutor<'_>,
    coc: &str,
    id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from coc_holidays where id = $1 and coc_code = $2 and deleted_at is null) as "exists!""#,
        id,
        coc,
    )
    .fetch_one(db)
    .await
}
