//! Server functions of non-CE referrals (Client Referrals): list, refer, Referral Outcome
//! (acknowledge) and Outcome Information (result), and the receiving organization's incoming
//! list. Only the receiving organization resolves; the sending organization sees status and
//! result, and the outcome comments only when it is the same organization.

use crate::domain::referral::{OutcomeDraft, ReferralFacts};
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    crate::domain::access::{ActiveContext, Workgroup},
    crate::domain::codes::NonCeReferralResult,
    crate::domain::referral::{validate_new_referral, validate_outcome, NewReferralDraft},
    crate::features::clients::api::display_name,
    crate::ssr::{audit, auth, pool, respond, today},
    serde_json::json,
    sqlx::PgConnection,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRow {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub referral_date: NaiveDate,
    pub service: String,
    pub from_project: String,
    pub from_organization: String,
    pub to_project: String,
    pub status: String,
    pub result: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralList {
    pub client_name: String,
    pub rows: Vec<ReferralRow>,
    /// Projects of the active organization a referral may come from.
    pub from_options: Vec<(i64, String)>,
    /// Projects a referral may go to: (id, "Project — Organization").
    pub to_options: Vec<(i64, String)>,
}

/// The Referral Outcome / Outcome Information form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralForm {
    pub id: i64,
    pub version: i32,
    pub client_id: i64,
    pub client_name: String,
    pub service: String,
    pub from: String,
    pub to: String,
    pub to_project_id: i64,
    pub referral_comments: Option<String>,
    pub status: String,
    pub facts: ReferralFacts,
    pub draft: OutcomeDraft,
    /// The active organization receives the referral: it acknowledges and resolves it.
    pub can_resolve: bool,
    /// Outcome comments are shown (receiving organization, or the same organization).
    pub comments_visible: bool,
}

pub fn status_label(acknowledged: bool, result: Option<i16>) -> String {
    match (acknowledged, result) {
        (_, Some(code)) => format!(
            "Resolved: {}",
            crate::domain::codes::NonCeReferralResult::from_code(code)
                .map(|r| r.label())
                .unwrap_or("Unknown")
        ),
        (true, None) => "Acknowledged".to_string(),
        (false, None) => "Awaiting acknowledgement".to_string(),
    }
}

#[cfg(feature = "ssr")]
const REFERRAL_SELECT: &str =
    "select r.id, r.client_id, c.first_name, c.last_name, r.referral_date, r.service,
        fp.name, fo.name, tp.name, r.date_referral_acknowledged is not null, r.result
   from referrals r
   join clients c on c.id = r.client_id
   join projects fp on fp.id = r.from_project_id
   join organizations fo on fo.id = fp.organization_id
   join projects tp on tp.id = r.to_project_id
  where r.deleted_at is null";

#[cfg(feature = "ssr")]
type ReferralSqlRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    NaiveDate,
    String,
    String,
    String,
    String,
    bool,
    Option<i16>,
);

#[cfg(feature = "ssr")]
fn referral_row(r: ReferralSqlRow) -> ReferralRow {
    let (
        id,
        client_id,
        first,
        last,
        referral_date,
        service,
        from_project,
        from_organization,
        to_project,
        ack,
        result,
    ) = r;
    ReferralRow {
        id,
        client_id,
        client_name: display_name(first.as_deref(), None, last.as_deref(), None),
        referral_date,
        service,
        from_project,
        from_organization,
        to_project,
        status: status_label(ack, result),
        result: result
            .and_then(NonCeReferralResult::from_code)
            .map(|r| r.label().to_string()),
    }
}

/// Projects an organization refers from (its own, except Coordinated Entry) and to (every
/// operating non-CE project of the HMIS).
#[cfg(feature = "ssr")]
async fn project_options(
    conn: &mut PgConnection,
    organization_id: i64,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), sqlx::Error> {
    let from = sqlx::query_as(
        "select id, name from projects where organization_id = $1 and deleted_at is null
            and coalesce(project_type, -1) <> 14 order by name",
    )
    .bind(organization_id)
    .fetch_all(&mut *conn)
    .await?;
    let to = sqlx::query_as(
        "select p.id, p.name || ' — ' || o.name from projects p join organizations o on o.id = p.organization_id
          where p.deleted_at is null and coalesce(p.project_type, -1) <> 14
            and (p.operating_end_date is null or p.operating_end_date >= current_date)
          order by p.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((from, to))
}

#[server(endpoint = "referrals/list")]
pub async fn list_referrals(client_id: i64) -> Result<ReferralList, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name =
                crate::features::ce_events::store::client_name_in_scope(&pool, context, client_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
            let mut conn = pool.acquire().await?;
            let sql = format!(
                "{REFERRAL_SELECT} and r.client_id = $1
                    and ($3 or fp.organization_id = $2 or tp.organization_id = $2)
                  order by r.referral_date desc, r.id desc"
            );
            let rows: Vec<ReferralSqlRow> = sqlx::query_as(&sql)
                .bind(client_id)
                .bind(context.organization_id)
                .bind(context.workgroup == Workgroup::SystemAdministrator)
                .fetch_all(&mut *conn)
                .await?;
            let (from_options, to_options) =
                project_options(&mut conn, context.organization_id).await?;
            Ok(ReferralList {
                client_name,
                rows: rows.into_iter().map(referral_row).collect(),
                from_options,
                to_options,
            })
        }
        .await,
    )
}

/// Refers the client from a project of the active organization to another project.
#[server(endpoint = "referrals/create")]
pub async fn create_referral(
    client_id: i64,
    from_project: String,
    to_project: String,
    referral_date: String,
    service: String,
    #[server(default)] comments: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            crate::features::ce_events::store::client_name_in_scope(&pool, context, client_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut tx = pool.begin().await?;
            let (from, to) = project_options(&mut tx, context.organization_id).await?;
            let from_ids: Vec<i64> = from.iter().map(|(id, _)| *id).collect();
            let to_ids: Vec<i64> = to.iter().map(|(id, _)| *id).collect();
            let draft = NewReferralDraft {
                from_project,
                to_project,
                referral_date,
                service,
                comments,
            };
            let valid = validate_new_referral(&draft, &from_ids, &to_ids, today())
                .map_err(AppError::Invalid)?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into referrals (client_id, from_project_id, to_project_id, referral_date, service,
                    referral_comments, created_by, updated_by)
                 values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
            )
            .bind(client_id)
            .bind(valid.from_project)
            .bind(valid.to_project)
            .bind(valid.referral_date)
            .bind(&valid.service)
            .bind(&valid.comments)
            .bind(actor.user_id)
            .fetch_one(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "referral.create",
                    entity: "referral",
                    entity_id: Some(id),
                    before: None,
                    after: Some(json!({
                        "client_id": client_id, "from_project_id": valid.from_project,
                        "to_project_id": valid.to_project, "referral_date": valid.referral_date,
                        "service": valid.service,
                    })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&format!("/clients/{client_id}/referrals?created={id}"));
            Ok(id)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
struct StoredReferral {
    version: i32,
    facts: ReferralFacts,
    appointment_date: Option<NaiveDate>,
    result_date: Option<NaiveDate>,
    outcome_comments: Option<String>,
    referral_comments: Option<String>,
    service: String,
    from: String,
    to: String,
    to_project_id: i64,
    from_org: i64,
    to_org: i64,
}

/// The referral, for the organizations on either end (administrators see all).
#[cfg(feature = "ssr")]
async fn load(
    conn: &mut PgConnection,
    context: &ActiveContext,
    client_id: i64,
    referral_id: i64,
    for_update: bool,
) -> Result<StoredReferral, AppError> {
    type Row = (
        i32,
        NaiveDate,
        Option<NaiveDate>,
        Option<i16>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
        i64,
        i64,
        i64,
    );
    let sql = format!(
        "select r.version, r.referral_date, r.date_referral_acknowledged, r.result, r.appointment_date,
                r.result_date, r.outcome_comments, r.referral_comments, r.service,
                fp.name || ' (' || fo.name || ')', tp.name || ' (' || tor.name || ')', tp.id,
                fp.organization_id, tp.organization_id
           from referrals r
           join projects fp on fp.id = r.from_project_id join organizations fo on fo.id = fp.organization_id
           join projects tp on tp.id = r.to_project_id join organizations tor on tor.id = tp.organization_id
          where r.id = $1 and r.client_id = $2 and r.deleted_at is null
            and ($4 or fp.organization_id = $3 or tp.organization_id = $3){}",
        if for_update { " for update of r" } else { "" }
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(referral_id)
        .bind(client_id)
        .bind(context.organization_id)
        .bind(context.workgroup == Workgroup::SystemAdministrator)
        .fetch_optional(conn)
        .await?;
    let (
        version,
        referral_date,
        ack,
        result,
        appointment_date,
        result_date,
        outcome_comments,
        referral_comments,
        service,
        from,
        to,
        to_project_id,
        from_org,
        to_org,
    ) = row.ok_or(AppError::NotFound)?;
    Ok(StoredReferral {
        version,
        facts: ReferralFacts {
            referral_date,
            date_acknowledged: ack,
            result,
        },
        appointment_date,
        result_date,
        outcome_comments,
        referral_comments,
        service,
        from,
        to,
        to_project_id,
        from_org,
        to_org,
    })
}

#[server(endpoint = "referrals/get")]
pub async fn get_referral(client_id: i64, referral_id: i64) -> Result<ReferralForm, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let client_name =
                crate::features::ce_events::store::client_name_in_scope(&pool, context, client_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
            let mut conn = pool.acquire().await?;
            let r = load(&mut conn, context, client_id, referral_id, false).await?;
            let can_resolve = r.to_org == context.organization_id
                && context.workgroup != Workgroup::SystemAdministrator;
            let comments_visible = r.to_org == context.organization_id || r.from_org == r.to_org;
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            Ok(ReferralForm {
                id: referral_id,
                version: r.version,
                client_id,
                client_name,
                service: r.service,
                from: r.from,
                to: r.to,
                to_project_id: r.to_project_id,
                referral_comments: r.referral_comments,
                status: status_label(r.facts.date_acknowledged.is_some(), r.facts.result),
                draft: OutcomeDraft {
                    date_referral_acknowledged: date(r.facts.date_acknowledged),
                    appointment_date: date(r.appointment_date),
                    result_date: date(r.result_date),
                    result: r.facts.result.map(|c| c.to_string()).unwrap_or_default(),
                    outcome_comments: if comments_visible {
                        r.outcome_comments.unwrap_or_default()
                    } else {
                        String::new()
                    },
                },
                facts: r.facts,
                can_resolve,
                comments_visible,
            })
        }
        .await,
    )
}

/// Referral Outcome (Date Referral Acknowledged) and Outcome Information (Appointment Date,
/// Result Date, Result, Comments): **Finish**.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "referrals/outcome")]
pub async fn save_referral_outcome(
    client_id: i64,
    referral_id: i64,
    version: i32,
    date_referral_acknowledged: String,
    #[server(default)] appointment_date: String,
    #[server(default)] result_date: String,
    #[server(default)] result: String,
    #[server(default)] outcome_comments: String,
) -> Result<i32, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let pool = pool()?;
            let mut tx = pool.begin().await?;
            let stored = load(&mut tx, context, client_id, referral_id, true).await?;
            if stored.to_org != context.organization_id
                || context.workgroup == Workgroup::SystemAdministrator
            {
                return Err(AppError::Forbidden);
            }
            if stored.version != version {
                return Err(AppError::Conflict);
            }
            let draft = OutcomeDraft {
                date_referral_acknowledged,
                appointment_date,
                result_date,
                result,
                outcome_comments,
            };
            let valid = validate_outcome(&draft, &stored.facts, today()).map_err(AppError::Invalid)?;
            let (version,): (i32,) = sqlx::query_as(
                "update referrals set date_referral_acknowledged = $2, appointment_date = $3, result_date = $4,
                    result = $5, outcome_comments = $6, version = version + 1, updated_at = now(), updated_by = $7
                  where id = $1 returning version",
            )
            .bind(referral_id)
            .bind(valid.date_acknowledged)
            .bind(valid.appointment_date)
            .bind(valid.result_date)
            .bind(valid.result.map(|r| r.code()))
            .bind(&valid.outcome_comments)
            .bind(actor.user_id)
            .fetch_one(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                &actor,
                audit::Change {
                    action: "referral.outcome",
                    entity: "referral",
                    entity_id: Some(referral_id),
                    before: Some(json!({
                        "date_referral_acknowledged": stored.facts.date_acknowledged,
                        "appointment_date": stored.appointment_date,
                        "result_date": stored.result_date,
                        "result": stored.facts.result,
                    })),
                    after: Some(json!({
                        "date_referral_acknowledged": valid.date_acknowledged,
                        "appointment_date": valid.appointment_date,
                        "result_date": valid.result_date,
                        "result": valid.result.map(|r| r.code()),
                    })),
                },
            )
            .await?;
            crate::ssr::commit(tx).await?;
            crate::ssr::redirect_plain_form_post(&format!(
                    "/clients/{client_id}/referrals/{referral_id}?saved=1"
                ));
            Ok(version)
        }
        .await,
    )
}

/// The receiving organization's unresolved non-CE referrals: awaiting acknowledgement or in
/// progress (acknowledged, no result).
#[server(endpoint = "referrals/incoming")]
pub async fn incoming_non_ce(filter: String) -> Result<Vec<ReferralRow>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            let context = actor.context()?;
            let condition = match filter.as_str() {
                "in_progress" => "r.date_referral_acknowledged is not null",
                _ => "r.date_referral_acknowledged is null",
            };
            let sql = format!(
                "{REFERRAL_SELECT} and tp.organization_id = $1 and r.result is null and {condition}
                  order by r.referral_date, r.id limit 200"
            );
            let rows: Vec<ReferralSqlRow> = sqlx::query_as(&sql)
                .bind(context.organization_id)
                .fetch_all(&pool()?)
                .await?;
            Ok(rows.into_iter().map(referral_row).collect())
        }
        .await,
    )
}
