//! System Administrator settings: each CoC's Referral Need Status list and its timeliness
//! standards.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    domain::need_status::{validate_need_status, NeedStatusDraft},
    ssr::{audit, auth, pool, respond},
};
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedStatusList {
    pub cocs: Vec<(String, String)>,
    pub coc: String,
    pub statuses: Vec<NeedStatusView>,
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
            Ok(NeedStatusList {
                cocs,
                coc,
                statuses,
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
            sqlx::query(
                "update ce_events set need_status_due =
                        case when $2::int is null then null else threshold_due_date(need_status_since::date, $2, $3) end
                  where need_status_id = $1 and referral_result is null and closed_on is null and deleted_at is null",
            )
            .bind(id)
            .bind(settings.days_allowed)
            .bind(settings.business_days)
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
            tx.commit().await?;
            crate::ssr::redirect_plain_form_post(&format!("/settings/need-statuses?coc={coc}&saved=1"));
            Ok(id)
        }
        .await,
    )
}
