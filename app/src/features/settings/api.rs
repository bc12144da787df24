//! System Administrator settings: each CoC's Referral Need Status list and its timeliness
//! standards, and the holidays its business-day standards skip.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    domain::holidays::{us_federal_holidays, validate_holiday, HolidayDraft, YEARS},
    domain::need_status::{validate_need_status, NeedStatusDraft},
    ssr::{audit, auth, pool, respond},
};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusView {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub sort_order: i32,
    pub is_initial: bool,
    pub is_final: bool,
    pub days_allowed: Option<i32>,
    pub business_days: bool,
    pub applies_on: Option<String>,
    pub next: Vec<i64>,
}

/// A day the CoC's business-day standards skip, and who added it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayView {
    pub id: i64,
    pub version: i32,
    pub date: NaiveDate,
    pub name: String,
    pub added_by: String,
    pub added_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusList {
    pub cocs: Vec<(String, String)>,
    pub coc: String,
    pub statuses: Vec<NeedStatusView>,
    /// The CoC's holidays from the start of last year on, by date.
    pub holidays: Vec<HolidayView>,
}

#[server(endpoint = "settings/need_statuses")]
pub async fn list_need_statuses(coc: String) -> Result<NeedStatusList, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            let cocs: Vec<(String, String)> =
                sqlx::query_as("select code, name from cocs order by code")
                    .fetch_all(&pool)
                    .await?;
            let coc = if cocs.iter().any(|(code, _)| *code == coc) {
                coc
            } else {
                cocs.first()
                    .map(|(code, _)| code.clone())
                    .ok_or(AppError::NotFound)?
            };
            let statuses = statuses(&pool, &coc).await?;
            let holidays = holidays(&pool, &coc).await?;
            Ok(NeedStatusList {
                cocs,
                coc,
                statuses,
                holidays,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn statuses(
    db: impl sqlx::PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<NeedStatusView>, sqlx::Error> {
    type Row = (
        i64,
        i32,
        String,
        i32,
        bool,
        bool,
        Option<i32>,
        bool,
        Option<String>,
        Vec<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select s.id, s.version, s.name, s.sort_order, s.is_initial, s.is_final, s.days_allowed, s.business_days, s.applies_on,
                coalesce(array(select t.to_status_id from referral_need_status_transitions t
                                join referral_need_statuses n on n.id = t.to_status_id
                               where t.from_status_id = s.id order by n.sort_order), '{}')
           from referral_need_statuses s
          where s.coc_code = $1 and s.deleted_at is null
          order by s.sort_order, s.id",
    )
    .bind(coc)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                version,
                name,
                sort_order,
                is_initial,
                is_final,
                days_allowed,
                business_days,
                applies_on,
                next,
            )| NeedStatusView {
                id,
                version,
                name,
                sort_order,
                is_initial,
                is_final,
                days_allowed,
                business_days,
                applies_on,
                next,
            },
        )
        .collect())
}

/// Creates (id 0) or updates a need status, its allowed next statuses, and the due dates of the
/// open referrals in it when its standard changed.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "settings/save_need_status")]
pub async fn save_need_status(
    coc: String,
    id: i64,
    version: i32,
    name: String,
    sort_order: String,
    is_final: String,
    days_allowed: String,
    counting: String,
    next: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            known_coc(&mut *tx, &coc).await?;
            let existing = statuses(&mut *tx, &coc).await?;
            let own = (id != 0).then_some(id);
            if own.is_some() && !existing.iter().any(|s| s.id == id) {
                return Err(AppError::NotFound);
            }
            let siblings: Vec<i64> = existing.iter().map(|s| s.id).filter(|s| Some(*s) != own).collect();
            let draft = NeedStatusDraft {
                name,
                sort_order,
                is_final: is_final == "yes",
                days_allowed,
                business_days: counting == "business",
                next,
            };
            let settings = validate_need_status(&draft, own, &siblings).map_err(AppError::Invalid)?;
            let before = existing.iter().find(|s| Some(s.id) == own).cloned();
            let id = match own {
                None => {
                    sqlx::query_scalar(
                        "insert into referral_need_statuses (coc_code, name, sort_order, is_final, days_allowed, business_days, created_by, updated_by)
                         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
                    )
                    .bind(&coc)
                    .bind(&settings.name)
                    .bind(settings.sort_order)
                    .bind(settings.is_final)
                    .bind(settings.days_allowed)
                    .bind(settings.business_days)
                    .bind(actor.user_id)
                    .fetch_one(&mut *tx)
                    .await?
                }
                Some(id) => {
                    let updated: Option<i64> = sqlx::query_scalar(
                        "update referral_need_statuses set name = $3, sort_order = $4, is_final = $5, days_allowed = $6,
                                business_days = $7, version = version + 1, updated_at = now(), updated_by = $8
                          where id = $1 and version = $2 returning id",
                    )
                    .bind(id)
                    .bind(version)
                    .bind(&settings.name)
                    .bind(settings.sort_order)
                    .bind(settings.is_final)
                    .bind(settings.days_allowed)
                    .bind(settings.business_days)
                    .bind(actor.user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    updated.ok_or(AppError::Conflict)?
                }
            };
            sqlx::query("delete from referral_need_status_transitions where from_status_id = $1").bind(id).execute(&mut *tx).await?;
            for to in &settings.next {
                sqlx::query("insert into referral_need_status_transitions (from_status_id, to_status_id) values ($1, $2)")
                    .bind(id)
                    .bind(to)
                    .execute(&mut *tx)
                    .await?;
            }
            // Open referrals in this status follow its new standard (the SQL twin of the rule).
            sqlx::query(&format!(
                "update ce_events set need_status_due =
                        case when $2::int is null then null else threshold_due_date(need_status_since::date, $2, $3, {}) end
                  where need_status_id = $1 and referral_result is null and closed_on is null and deleted_at is null",
                coc_holidays_sql("$4")
            ))
            .bind(id)
            .bind(settings.days_allowed)
            .bind(settings.business_days)
            .bind(&coc)
            .execute(&mut *tx)
            .await?;
            let snapshot = |name: &str, order: i32, is_final: bool, days: Option<i32>, business: bool, next: &[i64]| {
                serde_json::json!({"Name": name, "Order": order, "Final": is_final, "Days allowed": days,
                                   "Counting": if business { "Business days" } else { "Calendar days" }, "Next statuses": next})
            };
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: if own.is_some() { "update" } else { "create" },
                    entity: "referral_need_status",
                    entity_id: Some(id),
                    before: before.map(|b| snapshot(&b.name, b.sort_order, b.is_final, b.days_allowed, b.business_days, &b.next)),
                    after: Some(snapshot(&settings.name, settings.sort_order, settings.is_final, settings.days_allowed, settings.business_days, &settings.next)),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&format!("/settings/need-statuses?coc={coc}&saved=1"));
            Ok(id)
        }
        .await,
    )
}

/// The holidays of the CoC bound as `coc_param`, as the SQL twin of the due-date rule takes them.
#[cfg(feature = "ssr")]
fn coc_holidays_sql(coc_param: &str) -> String {
    format!("array(select holiday from coc_holidays where coc_code = {coc_param} and deleted_at is null)")
}

/// `NotFound` for a CoC this HMIS does not hold.
#[cfg(feature = "ssr")]
async fn known_coc(db: impl sqlx::PgExecutor<'_>, coc: &str) -> Result<(), AppError> {
    let known: Option<i32> = sqlx::query_scalar("select 1 from cocs where code = $1")
        .bind(coc)
        .fetch_optional(db)
        .await?;
    known.map(|_| ()).ok_or(AppError::NotFound)
}

#[cfg(feature = "ssr")]
async fn holidays(
    db: impl sqlx::PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<HolidayView>, sqlx::Error> {
    type Row = (
        i64,
        i32,
        NaiveDate,
        String,
        String,
        chrono::DateTime<chrono::Utc>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select h.id, h.version, h.holiday, h.name,
                coalesce(u.first_name || ' ' || u.last_name, 'HMIS setup'), h.created_at
           from coc_holidays h left join users u on u.id = h.created_by
          where h.coc_code = $1 and h.deleted_at is null
            and h.holiday >= make_date(extract(year from current_date)::int - 1, 1, 1)
          order by h.holiday",
    )
    .bind(coc)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, version, date, name, added_by, at)| HolidayView {
            id,
            version,
            date,
            name,
            added_by,
            added_on: at.with_timezone(&chrono::Local).date_naive(),
        })
        .collect())
}

/// Every day the CoC's holidays hold (past ones too: an old referral may still be open).
#[cfg(feature = "ssr")]
async fn holiday_dates(
    db: impl sqlx::PgExecutor<'_>,
    coc: &str,
) -> Result<Vec<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar(
        "select holiday from coc_holidays where coc_code = $1 and deleted_at is null order by holiday",
    )
    .bind(coc)
    .fetch_all(db)
    .await
}

/// After holidays `changed` were added or removed: the CoC's open referrals in a business-day
/// status whose count runs across one of those days get their due date again.
#[cfg(feature = "ssr")]
async fn refresh_due_dates(
    tx: &mut sqlx::PgConnection,
    coc: &str,
    changed: &[NaiveDate],
) -> Result<(), sqlx::Error> {
    let (Some(first), Some(last)) = (changed.iter().min(), changed.iter().max()) else {
        return Ok(());
    };
    // Only a referral that entered its status before a changed day and is due on or after it
    // counts across it; the others keep their due date.
    sqlx::query(&format!(
        "update ce_events ev set need_status_due = threshold_due_date(ev.need_status_since::date, s.days_allowed, true, {})
           from referral_need_statuses s
          where s.id = ev.need_status_id and s.coc_code = $1 and s.business_days and s.days_allowed is not null
            and ev.referral_result is null and ev.closed_on is null and ev.deleted_at is null
            and ev.need_status_since::date < $3 and ev.need_status_due >= $2",
        coc_holidays_sql("$1")
    ))
    .bind(coc)
    .bind(first)
    .bind(last)
    .execute(tx)
    .await?;
    Ok(())
}

/// Records a checked holiday of `coc`, with its audit row.
#[cfg(feature = "ssr")]
async fn insert_holiday(
    tx: &mut sqlx::PgConnection,
    actor: &auth::Actor,
    coc: &str,
    holiday: &crate::domain::holidays::Holiday,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "insert into coc_holidays (coc_code, holiday, name, created_by, updated_by)
         values ($1, $2, $3, $4, $4) returning id",
    )
    .bind(coc)
    .bind(holiday.date)
    .bind(&holiday.name)
    .bind(actor.user_id)
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

#[cfg(feature = "ssr")]
fn holiday_snapshot(date: NaiveDate, name: &str, coc: &str) -> serde_json::Value {
    serde_json::json!({"CoC": coc, "Date": date, "Name": name})
}

/// Adds a day the CoC's business-day timeliness standards skip.
#[server(endpoint = "settings/add_holiday")]
pub async fn add_holiday(
    coc: String,
    holiday_date: String,
    holiday_name: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            known_coc(&mut *tx, &coc).await?;
            let existing = holiday_dates(&mut *tx, &coc).await?;
            let draft = HolidayDraft {
                date: holiday_date,
                name: holiday_name,
            };
            let holiday = validate_holiday(&draft, &existing).map_err(AppError::Invalid)?;
            let id = insert_holiday(&mut tx, &actor, &coc, &holiday).await?;
            refresh_due_dates(&mut tx, &coc, &[holiday.date]).await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&format!(
                "/settings/need-statuses?coc={coc}&holiday_saved=1"
            ));
            Ok(id)
        }
        .await,
    )
}

/// Adds the US federal holidays of `year` that the CoC's list does not hold yet; how many.
#[server(endpoint = "settings/add_federal_holidays")]
pub async fn add_federal_holidays(coc: String, year: String) -> Result<usize, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let year = match year.trim().parse::<i32>() {
                Ok(year) if YEARS.contains(&year) => year,
                _ => return Err(AppError::field("year", "Enter a year from 2000 to 2099.")),
            };
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            known_coc(&mut *tx, &coc).await?;
            let existing = holiday_dates(&mut *tx, &coc).await?;
            let mut added = Vec::new();
            for holiday in us_federal_holidays(year) {
                // The shared rule; a day already listed (perhaps under another name) stays as is.
                let Ok(holiday) = validate_holiday(
                    &HolidayDraft {
                        date: holiday.date.to_string(),
                        name: holiday.name,
                    },
                    &existing,
                ) else {
                    continue;
                };
                insert_holiday(&mut tx, &actor, &coc, &holiday).await?;
                added.push(holiday.date);
            }
            refresh_due_dates(&mut tx, &coc, &added).await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&format!(
                "/settings/need-statuses?coc={coc}&holiday_saved=1"
            ));
            Ok(added.len())
        }
        .await,
    )
}

/// Removes a holiday: business days count it again.
#[server(endpoint = "settings/remove_holiday")]
pub async fn remove_holiday(coc: String, id: i64, version: i32) -> Result<(), AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let removed: Option<(NaiveDate, String)> = sqlx::query_as(
                "update coc_holidays set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = $4
                  where id = $1 and coc_code = $2 and version = $3 and deleted_at is null
                  returning holiday, name",
            )
            .bind(id)
            .bind(&coc)
            .bind(version)
            .bind(actor.user_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((date, name)) = removed else {
                // Gone, another CoC's, or changed since the page was read.
                let exists: Option<i32> = sqlx::query_scalar(
                    "select 1 from coc_holidays where id = $1 and coc_code = $2 and deleted_at is null",
                )
                .bind(id)
                .bind(&coc)
                .fetch_optional(&mut *tx)
                .await?;
                return Err(if exists.is_some() { AppError::Conflict } else { AppError::NotFound });
            };
            refresh_due_dates(&mut tx, &coc, &[date]).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "delete",
                    entity: "coc_holiday",
                    entity_id: Some(id),
                    before: Some(holiday_snapshot(date, &name, &coc)),
                    after: None,
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&format!("/settings/need-statuses?coc={coc}&holiday_saved=1"));
            Ok(())
        }
        .await,
    )
}
