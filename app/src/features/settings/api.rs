//! Server functions of the System Administrator settings: each CoC's Referral Need Status list
//! and its timeliness standards, and the holidays its business-day standards skip.

pub use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::store,
    crate::domain::holidays::{us_federal_holidays, validate_holiday, HolidayDraft, YEARS},
    crate::domain::need_status::validate_need_status,
    crate::routes,
    crate::ssr::{audit, auth, pool, respond},
};

#[server(endpoint = "settings/need_statuses")]
pub async fn list_need_statuses(coc: String) -> Result<NeedStatusList, AppError> {
    respond(
        async {
            auth::require_administrator().await?;
            let pool = pool()?;
            let cocs = store::cocs(&pool).await?;
            let coc = if cocs.iter().any(|(code, _)| *code == coc) {
                coc
            } else {
                cocs.first()
                    .map(|(code, _)| code.clone())
                    .ok_or(AppError::NotFound)?
            };
            Ok(NeedStatusList {
                statuses: store::statuses(&pool, &coc).await?,
                holidays: store::holidays(&pool, &coc).await?,
                cocs,
                coc,
            })
        }
        .await,
    )
}

/// `NotFound` for a CoC this HMIS does not hold.
#[cfg(feature = "ssr")]
async fn known_coc(db: impl sqlx::PgExecutor<'_>, coc: &str) -> Result<(), AppError> {
    if store::known_coc(db, coc).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Where a form posted without JavaScript goes back to: the CoC's settings, with a notice.
#[cfg(feature = "ssr")]
fn back_to_settings(coc: &str, notice: &str) {
    crate::ssr::redirect_plain_form_post(&routes::with_query(
        &routes::with_query(routes::NEED_STATUSES, "coc", coc),
        notice,
        "1",
    ));
}

/// Creates (id 0) or updates a need status, its allowed next statuses, and the due dates of the
/// open referrals in it when its standard changed.
#[server(endpoint = "settings/save_need_status")]
pub async fn save_need_status(record: StatusRef, status: NeedStatusForm) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_administrator().await?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            known_coc(&mut *tx, &record.coc).await?;
            let existing = store::statuses(&mut *tx, &record.coc).await?;
            let own = (record.id != 0).then_some(record.id);
            if own.is_some() && !existing.iter().any(|s| s.id == record.id) {
                return Err(AppError::NotFound);
            }
            let siblings: Vec<i64> = existing
                .iter()
                .map(|s| s.id)
                .filter(|s| Some(*s) != own)
                .collect();
            let settings = validate_need_status(&status.draft(), own, &siblings)
                .map_err(AppError::Invalid)?;
            let before = existing.iter().find(|s| Some(s.id) == own).cloned();
            let id = match own {
                None => store::insert_status(&mut tx, &actor, &record.coc, &settings).await?,
                Some(id) => store::update_status(&mut tx, &actor, id, record.version, &settings)
                    .await?
                    .ok_or(AppError::Conflict)?,
            };
            store::set_transitions(&mut tx, id, &settings.next).await?;
            store::refresh_status_due_dates(
                &mut tx,
                &record.coc,
                id,
                settings.days_allowed,
                settings.business_days,
            )
            .await?;
            let snapshot = |name: &str,
                            order: i32,
                            is_final: bool,
                            days: Option<i32>,
                            business: bool,
                            next: &[i64]| {
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
                    before: before.map(|b| {
                        snapshot(&b.name, b.sort_order, b.is_final, b.days_allowed, b.business_days, &b.next)
                    }),
                    after: Some(snapshot(
                        &settings.name,
                        settings.sort_order,
                        settings.is_final,
                        settings.days_allowed,
                        settings.business_days,
                        &settings.next,
                    )),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            back_to_settings(&record.coc, "saved");
            Ok(id)
        }
        .await,
    )
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
            let existing = store::holiday_dates(&mut *tx, &coc).await?;
            let draft = HolidayDraft {
                date: holiday_date,
                name: holiday_name,
            };
            let holiday = validate_holiday(&draft, &existing).map_err(AppError::Invalid)?;
            let id = store::insert_holiday(&mut tx, &actor, &coc, &holiday).await?;
            store::refresh_due_dates(&mut tx, &coc, &[holiday.date]).await?;
            crate::ssr::commit(tx).await?;
            back_to_settings(&coc, "holiday_saved");
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
            let existing = store::holiday_dates(&mut *tx, &coc).await?;
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
                store::insert_holiday(&mut tx, &actor, &coc, &holiday).await?;
                added.push(holiday.date);
            }
            store::refresh_due_dates(&mut tx, &coc, &added).await?;
            crate::ssr::commit(tx).await?;
            back_to_settings(&coc, "holiday_saved");
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
            let Some((date, name)) =
                store::remove_holiday(&mut tx, &actor, &coc, id, version).await?
            else {
                // Gone, another CoC's, or changed since the page was read.
                return Err(if store::holiday_exists(&mut *tx, &coc, id).await? {
                    AppError::Conflict
                } else {
                    AppError::NotFound
                });
            };
            store::refresh_due_dates(&mut tx, &coc, &[date]).await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "delete",
                    entity: "coc_holiday",
                    entity_id: Some(id),
                    before: Some(store::holiday_snapshot(date, &name, &coc)),
                    after: None,
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            back_to_settings(&coc, "holiday_saved");
            Ok(())
        }
        .await,
    )
}
