//! SQL of transfer requests (server only, compile-checked). The server functions authorize and
//! validate, then call these inside their transaction; a request is written under its
//! enrollment's row lock, an answer under the request's.

use super::model::{TransferEntry, TransferQueueRow, TransferSummary};
use crate::domain::codes::ProjectType;
use crate::domain::names::display_name;
use crate::domain::referral_return::NoteText;
use crate::domain::transfer::{asked_for, TransferReason, ValidTransfer};
use crate::error::AppError;
use crate::ssr::audit::{self, Change};
use crate::ssr::auth::Actor;
use chrono::NaiveDate;
use sqlx::{PgExecutor, Postgres, Transaction};

/// An enrollment as a transfer request reads it.
pub struct TransferEnrollment {
    pub id: i64,
    pub client_id: i64,
    pub project: String,
    pub project_type: Option<i16>,
    pub organization_id: i64,
    pub coc: String,
    pub exited: bool,
}

impl TransferEnrollment {
    pub fn project_type(&self) -> Option<ProjectType> {
        self.project_type.and_then(ProjectType::from_code)
    }
}

pub async fn enrollment(
    db: impl PgExecutor<'_>,
    client_id: i64,
    enrollment_id: i64,
) -> Result<Option<TransferEnrollment>, sqlx::Error> {
    sqlx::query_as!(
        TransferEnrollment,
        r#"select e.id, e.client_id, p.name as project, p.project_type, p.organization_id, p.coc_code as coc,
                  exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null) as "exited!"
             from enrollments e
             join projects p on p.id = e.project_id
             join clients c on c.id = e.client_id
            where e.id = $1 and e.client_id = $2 and e.deleted_at is null and c.deleted_at is null"#,
        enrollment_id,
        client_id,
    )
    .fetch_optional(db)
    .await
}

/// The CoC's providers with a project that receives CE referrals today, but `except`: (id, name).
pub async fn organizations(
    db: impl PgExecutor<'_>,
    coc: &str,
    except: i64,
    on: NaiveDate,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select distinct o.id, o.name
           from projects p join organizations o on o.id = p.organization_id
          where p.coc_code = $1 and o.id <> $2 and p.deleted_at is null and o.deleted_at is null
            and (p.operating_end_date is null or p.operating_end_date >= $3)
            and exists (select 1 from ce_participations cp where cp.project_id = p.id and cp.deleted_at is null
                          and cp.receives_referrals = 1 and cp.start_date <= $3
                          and (cp.end_date is null or cp.end_date >= $3))
          order by o.name, o.id",
        coc,
        except,
        on,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

fn reason_label(stored: &str) -> String {
    TransferReason::from_stored(stored)
        .map(|r| r.label().to_string())
        .unwrap_or_default()
}

fn wanted(project_type: Option<i16>, organization: Option<&str>) -> String {
    asked_for(project_type.and_then(ProjectType::from_code), organization)
}

/// Every request of the enrollment, newest first.
pub async fn entries(
    db: impl PgExecutor<'_>,
    enrollment_id: i64,
) -> Result<Vec<TransferEntry>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select t.reason, t.wanted_project_type, wo.name as "wanted_organization?", t.note, t.requested_on,
                  u.first_name || ' ' || u.last_name as "requested_by!", t.status, t.decision_note,
                  rp.name as "referred_to?"
             from transfer_requests t
             join users u on u.id = t.requested_by
             left join organizations wo on wo.id = t.wanted_organization_id
             left join ce_events ev on ev.id = t.ce_event_id
             left join projects rp on rp.id = ev.referred_project_id
            where t.enrollment_id = $1
            order by t.requested_at desc, t.id desc"#,
        enrollment_id,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TransferEntry {
            reason: reason_label(&r.reason),
            asked_for: wanted(r.wanted_project_type, r.wanted_organization.as_deref()),
            note: r.note,
            requested_on: r.requested_on,
            requested_by: r.requested_by,
            status: match (r.status.as_str(), r.referred_to) {
                ("referred", Some(project)) => format!("Referred to {project}"),
                ("declined", _) => "Declined".to_string(),
                ("closed", _) => "Closed: the client left the project".to_string(),
                _ => "Awaiting Coordinated Entry".to_string(),
            },
            decision_note: r.decision_note,
        })
        .collect())
}

pub async fn has_pending(db: impl PgExecutor<'_>, enrollment_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from transfer_requests where enrollment_id = $1 and status = 'requested') as "pending!""#,
        enrollment_id,
    )
    .fetch_one(db)
    .await
}

/// Records the request of the locked enrollment, audited (without the note's text).
pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    enrollment: &TransferEnrollment,
    valid: &ValidTransfer,
    on: NaiveDate,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar!(
        "insert into transfer_requests (enrollment_id, client_id, organization_id, coc_code, reason,
                                        wanted_project_type, wanted_organization_id, note, requested_on, requested_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        enrollment.id,
        enrollment.client_id,
        enrollment.organization_id,
        enrollment.coc,
        valid.reason.stored(),
        valid.project_type.map(ProjectType::code),
        valid.organization_id,
        valid.note.as_str(),
        on,
        actor.user_id,
    )
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "transfer_request",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({
                "Enrollment": enrollment.id,
                "Reason": valid.reason.label(),
                "Project type": valid.project_type.map(ProjectType::code),
                "Provider": valid.organization_id,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// The CoC's requests awaiting an answer, longest waiting first.
pub async fn queue(
    db: impl PgExecutor<'_>,
    coc: &str,
    project: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<TransferQueueRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select t.id, t.version, t.client_id, c.first_name, c.last_name, p.name as project, o.name as organization,
                  t.reason, t.wanted_project_type, wo.name as "wanted_organization?", t.note, t.requested_on
             from transfer_requests t
             join clients c on c.id = t.client_id
             join enrollments e on e.id = t.enrollment_id
             join projects p on p.id = e.project_id
             join organizations o on o.id = t.organization_id
             left join organizations wo on wo.id = t.wanted_organization_id
            where t.coc_code = $1 and t.status = 'requested' and c.deleted_at is null and e.deleted_at is null
              and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)
              and ($2::bigint is null or e.project_id = $2)
            order by t.requested_at, t.id
            limit 500"#,
        coc,
        project,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TransferQueueRow {
            id: r.id,
            version: r.version,
            client_id: r.client_id,
            client_name: display_name(r.first_name.as_deref(), None, r.last_name.as_deref(), None),
            project: r.project,
            organization: r.organization,
            reason: reason_label(&r.reason),
            asked_for: wanted(r.wanted_project_type, r.wanted_organization.as_deref()),
            note: r.note,
            requested_on: r.requested_on,
            days_waiting: (today - r.requested_on).num_days(),
        })
        .collect())
}

/// A request as an answer locks it.
pub struct LockedTransfer {
    pub id: i64,
    pub version: i32,
    pub client_id: i64,
    pub enrollment_id: i64,
    pub organization_id: i64,
    pub coc: String,
    pub project: String,
    pub status: String,
    /// The client is still enrolled (a request of an exited or deleted enrollment is moot).
    pub enrollment_open: bool,
}

impl LockedTransfer {
    /// Awaiting an answer, for a client still in the project.
    pub fn is_pending(&self) -> bool {
        self.status == "requested" && self.enrollment_open
    }
}

pub async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
) -> Result<Option<LockedTransfer>, sqlx::Error> {
    sqlx::query_as!(
        LockedTransfer,
        r#"select t.id, t.version, t.client_id, t.enrollment_id, t.organization_id, t.coc_code as coc,
                  p.name as project, t.status,
                  (e.deleted_at is null and c.deleted_at is null
                   and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)) as "enrollment_open!"
             from transfer_requests t
             join enrollments e on e.id = t.enrollment_id
             join projects p on p.id = e.project_id
             join clients c on c.id = t.client_id
            where t.id = $1
            for update of t"#,
        id,
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The pending request of `client_id` in `coc`, as the Refer page names it.
pub async fn summary(
    db: impl PgExecutor<'_>,
    id: i64,
    client_id: i64,
    coc: &str,
) -> Result<Option<TransferSummary>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select t.id, p.name as project, o.name as organization, t.reason, t.wanted_project_type,
                  wo.name as "wanted_organization?"
             from transfer_requests t
             join enrollments e on e.id = t.enrollment_id
             join projects p on p.id = e.project_id
             join organizations o on o.id = t.organization_id
             left join organizations wo on wo.id = t.wanted_organization_id
            where t.id = $1 and t.client_id = $2 and t.coc_code = $3 and t.status = 'requested'
              and e.deleted_at is null
              and not exists (select 1 from exits x where x.enrollment_id = e.id and x.deleted_at is null)"#,
        id,
        client_id,
        coc,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| TransferSummary {
        id: r.id,
        project: r.project,
        organization: r.organization,
        reason: reason_label(&r.reason),
        asked_for: wanted(r.wanted_project_type, r.wanted_organization.as_deref()),
    }))
}

/// Answers the locked request: declined with a note, or referred (the new CE Event).
pub async fn answer(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    locked: &LockedTransfer,
    answer: Answer<'_>,
) -> Result<(), AppError> {
    let (status, note, event) = match answer {
        Answer::Declined(note) => ("declined", Some(note.as_str()), None),
        Answer::Referred(event_id) => ("referred", None, Some(event_id)),
    };
    sqlx::query_scalar!(
        "update transfer_requests
            set status = $3, decision_note = $4, ce_event_id = $5, decided_at = now(), decided_by = $6,
                version = version + 1
          where id = $1 and version = $2 and status = 'requested'
          returning id",
        locked.id,
        locked.version,
        status,
        note,
        event,
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    audit::record(
        tx,
        actor,
        Change {
            action: if event.is_some() {
                "transfer_referred"
            } else {
                "transfer_declined"
            },
            entity: "transfer_request",
            entity_id: Some(locked.id),
            before: Some(serde_json::json!({ "Status": "requested" })),
            after: Some(serde_json::json!({ "Status": status, "CE Event": event })),
        },
    )
    .await?;
    Ok(())
}

/// Coordinated Entry's answer to a request.
pub enum Answer<'a> {
    Declined(&'a NoteText),
    Referred(i64),
}
