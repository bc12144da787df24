//! SQL of non-CE referrals (server only), compile-checked against the migrations. The server
//! functions in `api.rs` authorize and validate, then call these inside their transaction.

use super::model::{status_label, IncomingFilter, ReferralRow};
use crate::domain::access::{ActiveContext, Workgroup};
use crate::domain::codes::NonCeReferralResult;
use crate::domain::names::display_name;
use crate::domain::reassignment::closed_label;
use crate::domain::referral::{ReferralFacts, ValidNewReferral, ValidOutcome};
use crate::error::AppError;
use crate::ssr::{audit, auth::Actor};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};

/// HUD project type 14: Coordinated Entry projects take CE referrals, not these.
const COORDINATED_ENTRY: i16 = 14;

/// A referral as the lists show it.
struct ListedReferral {
    id: i64,
    client_id: i64,
    first_name: Option<String>,
    last_name: Option<String>,
    referral_date: NaiveDate,
    service: String,
    from_project: String,
    from_organization: String,
    to_project: String,
    acknowledged: bool,
    result: Option<i16>,
    /// Reassigned or withdrawn (article 003).
    closed_reason: Option<String>,
}

impl From<ListedReferral> for ReferralRow {
    fn from(r: ListedReferral) -> Self {
        ReferralRow {
            id: r.id,
            client_id: r.client_id,
            client_name: display_name(r.first_name.as_deref(), None, r.last_name.as_deref(), None),
            referral_date: r.referral_date,
            service: r.service,
            from_project: r.from_project,
            from_organization: r.from_organization,
            to_project: r.to_project,
            // A closed referral says so, not where the client went (the old receiver reads this).
            status: match r.closed_reason.as_deref() {
                Some(reason) => closed_label(reason, None),
                None => status_label(r.acknowledged, r.result),
            },
            result: r
                .result
                .and_then(NonCeReferralResult::from_code)
                .map(|r| r.label().to_string()),
        }
    }
}

/// The client's referrals from or to the context's organization (administrators see all).
pub async fn client_referrals(
    db: impl PgExecutor<'_>,
    context: &ActiveContext,
    client_id: i64,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ListedReferral,
        r#"select r.id, r.client_id, c.first_name, c.last_name, r.referral_date, r.service,
                  fp.name as from_project, fo.name as from_organization, tp.name as to_project,
                  r.date_referral_acknowledged is not null as "acknowledged!", r.result, r.closed_reason
             from referrals r
             join clients c on c.id = r.client_id
             join projects fp on fp.id = r.from_project_id
             join organizations fo on fo.id = fp.organization_id
             join projects tp on tp.id = r.to_project_id
            where r.deleted_at is null and r.client_id = $1
              and ($3 or fp.organization_id = $2 or tp.organization_id = $2)
            order by r.referral_date desc, r.id desc"#,
        client_id,
        context.organization_id,
        context.workgroup == Workgroup::SystemAdministrator,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(ReferralRow::from).collect())
}

/// The organization's unresolved incoming referrals, oldest first (at most 200).
pub async fn incoming(
    db: impl PgExecutor<'_>,
    organization_id: i64,
    filter: IncomingFilter,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    if filter == IncomingFilter::ToReassign {
        return to_reassign(db, organization_id).await;
    }
    let rows = sqlx::query_as!(
        ListedReferral,
        r#"select r.id, r.client_id, c.first_name, c.last_name, r.referral_date, r.service,
                  fp.name as from_project, fo.name as from_organization, tp.name as to_project,
                  r.date_referral_acknowledged is not null as "acknowledged!", r.result, r.closed_reason
             from referrals r
             join clients c on c.id = r.client_id
             join projects fp on fp.id = r.from_project_id
             join organizations fo on fo.id = fp.organization_id
             join projects tp on tp.id = r.to_project_id
            where r.deleted_at is null and tp.organization_id = $1 and r.result is null and r.closed_on is null
              and (r.date_referral_acknowledged is not null) = $2
            order by r.referral_date, r.id
            limit 200"#,
        organization_id,
        filter == IncomingFilter::InProgress,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(ReferralRow::from).collect())
}

/// The organization's outgoing referrals whose receiving organization asked for a reassignment
/// (article 003), oldest request first.
async fn to_reassign(
    db: impl PgExecutor<'_>,
    organization_id: i64,
) -> Result<Vec<ReferralRow>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ListedReferral,
        r#"select r.id, r.client_id, c.first_name, c.last_name, r.referral_date, r.service,
                  fp.name as from_project, fo.name as from_organization, tp.name as to_project,
                  r.date_referral_acknowledged is not null as "acknowledged!", r.result, r.closed_reason
             from referral_reassignments q
             join referrals r on r.id = q.referral_id
             join clients c on c.id = r.client_id
             join projects fp on fp.id = r.from_project_id
             join organizations fo on fo.id = fp.organization_id
             join projects tp on tp.id = r.to_project_id
            where q.decision is null and r.deleted_at is null and r.closed_on is null and fp.organization_id = $1
            order by q.requested_at, r.id
            limit 200"#,
        organization_id,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReferralRow {
            status: "Reassignment requested".to_string(),
            ..ReferralRow::from(r)
        })
        .collect())
}

/// Projects an organization refers from (its own, except Coordinated Entry): (id, name).
pub async fn from_projects(
    db: impl PgExecutor<'_>,
    organization_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, name from projects where organization_id = $1 and deleted_at is null
            and project_type is distinct from $2 order by name",
        organization_id,
        COORDINATED_ENTRY,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Projects a referral may go to (every operating non-CE project of the HMIS):
/// (id, "Project — Organization").
pub async fn to_projects(db: impl PgExecutor<'_>) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select p.id, p.name || ' — ' || o.name as "label!"
             from projects p join organizations o on o.id = p.organization_id
            where p.deleted_at is null and p.project_type is distinct from $1
              and (p.operating_end_date is null or p.operating_end_date >= current_date)
            order by p.name"#,
        COORDINATED_ENTRY,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.label)).collect())
}

pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    client_id: i64,
    valid: &ValidNewReferral,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar!(
        "insert into referrals (client_id, from_project_id, to_project_id, referral_date, service,
            referral_comments, created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
        client_id,
        valid.from_project,
        valid.to_project,
        valid.referral_date,
        valid.service,
        valid.comments.as_deref(),
        actor.user_id,
    )
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
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
    Ok(id)
}

/// A referral with what authorization and the form need.
pub struct StoredReferral {
    pub version: i32,
    pub facts: ReferralFacts,
    pub appointment_date: Option<NaiveDate>,
    pub result_date: Option<NaiveDate>,
    pub outcome_comments: Option<String>,
    pub referral_comments: Option<String>,
    pub service: String,
    pub from: String,
    pub to: String,
    pub to_project_id: i64,
    pub from_org: i64,
    pub to_org: i64,
    pub from_project_id: i64,
    /// Set when the referring organization reassigned or withdrew it (article 003).
    pub closed_reason: Option<String>,
    /// A reassignment request awaits the referring organization.
    pub reassignment_pending: bool,
}

/// The referral, for the organizations on either end (administrators see all).
pub async fn load(
    db: impl PgExecutor<'_>,
    context: &ActiveContext,
    client_id: i64,
    referral_id: i64,
) -> Result<Option<StoredReferral>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select r.version, r.referral_date, r.date_referral_acknowledged, r.result, r.appointment_date,
                  r.result_date, r.outcome_comments, r.referral_comments, r.service,
                  fp.name || ' (' || fo.name || ')' as "from!", tp.name || ' (' || tor.name || ')' as "to!",
                  tp.id as to_project_id, fp.organization_id as from_org, tp.organization_id as to_org,
                  fp.id as from_project_id, r.closed_reason,
                  exists (select 1 from referral_reassignments q where q.referral_id = r.id and q.decision is null) as "reassignment_pending!"
             from referrals r
             join projects fp on fp.id = r.from_project_id join organizations fo on fo.id = fp.organization_id
             join projects tp on tp.id = r.to_project_id join organizations tor on tor.id = tp.organization_id
            where r.id = $1 and r.client_id = $2 and r.deleted_at is null
              and ($4 or fp.organization_id = $3 or tp.organization_id = $3)"#,
        referral_id,
        client_id,
        context.organization_id,
        context.workgroup == Workgroup::SystemAdministrator,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| StoredReferral {
        version: r.version,
        facts: ReferralFacts {
            referral_date: r.referral_date,
            date_acknowledged: r.date_referral_acknowledged,
            result: r.result,
        },
        appointment_date: r.appointment_date,
        result_date: r.result_date,
        outcome_comments: r.outcome_comments,
        referral_comments: r.referral_comments,
        service: r.service,
        from: r.from,
        to: r.to,
        to_project_id: r.to_project_id,
        from_org: r.from_org,
        to_org: r.to_org,
        from_project_id: r.from_project_id,
        closed_reason: r.closed_reason,
        reassignment_pending: r.reassignment_pending,
    }))
}

/// [`load`], the row locked until the transaction ends.
pub async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    context: &ActiveContext,
    client_id: i64,
    referral_id: i64,
) -> Result<Option<StoredReferral>, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "select id from referrals where id = $1 and client_id = $2 and deleted_at is null for update",
        referral_id,
        client_id,
    )
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some(_) => load(&mut **tx, context, client_id, referral_id).await,
        None => Ok(None),
    }
}

/// Writes Referral Outcome and Outcome Information, bumping the version, with an audit row;
/// `Conflict` when the stored version is no longer `stored.version`.
pub async fn save_outcome(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    referral_id: i64,
    stored: &StoredReferral,
    valid: &ValidOutcome,
) -> Result<i32, AppError> {
    let version = sqlx::query_scalar!(
        "update referrals set date_referral_acknowledged = $3, appointment_date = $4, result_date = $5,
            result = $6, outcome_comments = $7, version = version + 1, updated_at = now(), updated_by = $8
          where id = $1 and version = $2 returning version",
        referral_id,
        stored.version,
        valid.date_acknowledged,
        valid.appointment_date,
        valid.result_date,
        valid.result.map(|r| r.code()),
        valid.outcome_comments.as_deref(),
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    audit::record(
        tx,
        actor,
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
    Ok(version)
}
