//! SQL of non-CE reassignment (server only, compile-checked). Everything runs under the
//! referral's row lock ([`crate::features::referrals::store::lock`]).

use super::model::PendingReassignment;
use crate::domain::reassignment::ReassignmentDecision;
use crate::domain::referral_return::NoteText;
use crate::error::AppError;
use crate::ssr::audit::{self, Change};
use crate::ssr::auth::Actor;
use chrono::NaiveDate;
use sqlx::{PgExecutor, Postgres, Transaction};

/// How a referral stands as to reassignment.
pub struct Standing {
    pub closed_reason: Option<String>,
    pub replaced_by: Option<i64>,
    pub replaced_by_project: Option<String>,
    pub replaces: Option<i64>,
    pub pending: Option<PendingReassignment>,
}

pub async fn standing(db: impl PgExecutor<'_>, referral_id: i64) -> Result<Standing, sqlx::Error> {
    let row = sqlx::query!(
        r#"select r.closed_reason, r.reassigned_from,
                  n.id as "replaced_by?", np.name as "replaced_by_project?",
                  q.note as "pending_note?", u.first_name || ' ' || u.last_name as "pending_by?",
                  o.name as "pending_organization?", q.requested_at as "pending_at?"
             from referrals r
             left join referrals n on n.reassigned_from = r.id and n.deleted_at is null
             left join projects np on np.id = n.to_project_id
             left join referral_reassignments q on q.referral_id = r.id and q.decision is null
             left join users u on u.id = q.requested_by
             left join organizations o on o.id = q.organization_id
            where r.id = $1"#,
        referral_id,
    )
    .fetch_one(db)
    .await?;
    let pending = match (
        row.pending_note,
        row.pending_by,
        row.pending_organization,
        row.pending_at,
    ) {
        (Some(note), Some(requested_by), Some(organization), Some(at)) => {
            Some(PendingReassignment {
                note,
                requested_by,
                organization,
                requested_on: at.date_naive(),
            })
        }
        _ => None,
    };
    Ok(Standing {
        closed_reason: row.closed_reason,
        replaced_by: row.replaced_by,
        replaced_by_project: row.replaced_by_project,
        replaces: row.reassigned_from,
        pending,
    })
}

/// The receiving organization's request, audited (without the note's text).
pub async fn ask(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    referral_id: i64,
    organization_id: i64,
    note: &NoteText,
) -> Result<(), AppError> {
    let id = sqlx::query_scalar!(
        "insert into referral_reassignments (referral_id, note, requested_by, organization_id)
         values ($1, $2, $3, $4) returning id",
        referral_id,
        note.as_str(),
        actor.user_id,
        organization_id,
    )
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "reassignment.request",
            entity: "referral",
            entity_id: Some(referral_id),
            before: None,
            after: Some(serde_json::json!({ "Reassignment request": id })),
        },
    )
    .await?;
    Ok(())
}

/// Closes the locked referral at `version` as reassigned or withdrawn and records the decision
/// on its pending request; `Conflict` when either changed meanwhile.
pub async fn close(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    referral_id: i64,
    version: i32,
    decision: ReassignmentDecision,
    new_referral: Option<i64>,
    on: NaiveDate,
) -> Result<(), AppError> {
    sqlx::query_scalar!(
        "update referrals set closed_on = $3, closed_reason = $4, version = version + 1, updated_at = now(), updated_by = $5
          where id = $1 and version = $2 and closed_on is null and result is null
          returning id",
        referral_id,
        version,
        on,
        decision.stored(),
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    sqlx::query_scalar!(
        "update referral_reassignments set decision = $2, new_referral_id = $3, decided_by = $4, decided_at = now()
          where referral_id = $1 and decision is null
          returning id",
        referral_id,
        decision.stored(),
        new_referral,
        actor.user_id,
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::Conflict)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "reassignment.answer",
            entity: "referral",
            entity_id: Some(referral_id),
            before: Some(serde_json::json!({ "Status": "open" })),
            after: Some(
                serde_json::json!({ "Status": decision.stored(), "New referral": new_referral }),
            ),
        },
    )
    .await?;
    Ok(())
}

/// Links the new referral to the one it replaces.
pub async fn link_replacement(
    tx: &mut Transaction<'_, Postgres>,
    new_referral: i64,
    old_referral: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update referrals set reassigned_from = $2 where id = $1",
        new_referral,
        old_referral,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
