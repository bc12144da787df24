//! SQL of referral notes (server only, compile-checked). Notes are only ever inserted.

use super::model::Note;
use crate::domain::referral_return::NoteText;
use crate::error::AppError;
use crate::ssr::{audit, auth::Actor};
use serde_json::json;
use sqlx::{PgExecutor, Postgres, Transaction};

/// The notes of a CE referral, oldest first.
pub async fn ce_event_notes(
    db: impl PgExecutor<'_>,
    event_id: i64,
) -> Result<Vec<Note>, sqlx::Error> {
    sqlx::query_as!(
        Note,
        r#"select u.first_name || ' ' || u.last_name as "author!", o.name as organization,
                  to_char(n.created_at, 'MM/DD/YYYY HH24:MI') as "written!", n.body
             from referral_notes n join users u on u.id = n.author_id join organizations o on o.id = n.organization_id
            where n.ce_event_id = $1 order by n.created_at, n.id"#,
        event_id,
    )
    .fetch_all(db)
    .await
}

/// The notes of a non-CE referral, oldest first.
pub async fn referral_notes(
    db: impl PgExecutor<'_>,
    referral_id: i64,
) -> Result<Vec<Note>, sqlx::Error> {
    sqlx::query_as!(
        Note,
        r#"select u.first_name || ' ' || u.last_name as "author!", o.name as organization,
                  to_char(n.created_at, 'MM/DD/YYYY HH24:MI') as "written!", n.body
             from referral_notes n join users u on u.id = n.author_id join organizations o on o.id = n.organization_id
            where n.referral_id = $1 order by n.created_at, n.id"#,
        referral_id,
    )
    .fetch_all(db)
    .await
}

/// Appends a note to a CE referral (`ce_event_id`) or a non-CE referral (`referral_id`), with an
/// audit row that names the referral but not the text (the audit log has other readers).
pub async fn insert(
    tx: &mut Transaction<'_, Postgres>,
    actor: &Actor,
    ce_event_id: Option<i64>,
    referral_id: Option<i64>,
    body: &NoteText,
) -> Result<i64, AppError> {
    let organization_id = actor.context()?.organization_id;
    let id = sqlx::query_scalar!(
        "insert into referral_notes (ce_event_id, referral_id, body, author_id, organization_id)
         values ($1, $2, $3, $4, $5) returning id",
        ce_event_id,
        referral_id,
        body.as_str(),
        actor.user_id,
        organization_id,
    )
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        audit::Change {
            action: "create",
            entity: "referral_note",
            entity_id: Some(id),
            before: None,
            after: Some(json!({ "CE Event": ce_event_id, "Referral": referral_id })),
        },
    )
    .await?;
    Ok(id)
}
