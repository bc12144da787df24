//! One audit row per change: who, when, in which Workgroup/Organization, and before/after.

use super::auth::Actor;
use crate::domain::access::ActiveContext;
use serde_json::Value;
use sqlx::PgConnection;

pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Audits a change made by a signed-in actor in their applied context.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    record_as(conn, Some(actor.user_id), actor.context.as_ref(), change).await
}

/// Audits a change made outside a full actor (sign-in attempts, demo data, system jobs).
pub async fn record_as(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    context: Option<&ActiveContext>,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into audit_log (user_id, organization_id, workgroup, action, entity, entity_id, before, after)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(user_id)
    .bind(context.map(|c| c.organization_id))
    .bind(context.map(|c| c.workgroup.code()))
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .execute(conn)
    .await?;
    Ok(())
}
