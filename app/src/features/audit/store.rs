//! SQL of a record's change history (server only, compile-checked): the audit rows of one
//! record, newest first, as [`HistoryEntry`] lines.

use super::model::{diff, HistoryEntry};
use sqlx::PgExecutor;

/// Reads one record's audit rows, newest first (sign-ins and sign-outs left out, at most 200);
/// `label` names each action.
pub async fn history(
    db: impl PgExecutor<'_>,
    entity: &str,
    entity_id: i64,
    label: fn(&str) -> &str,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select a.at, u.first_name || ' ' || u.last_name as "who?", o.name as "organization?",
                  a.action, a.before, a.after
             from audit_log a
             left join users u on u.id = a.user_id
             left join organizations o on o.id = a.organization_id
            where a.entity = $1 and a.entity_id = $2 and a.action not in ('sign_in', 'sign_out')
            order by a.at desc, a.id desc
            limit 200"#,
        entity,
        entity_id,
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            at: r
                .at
                .with_timezone(&chrono::Local)
                .format("%m/%d/%Y %-I:%M %p")
                .to_string(),
            who: r.who.unwrap_or_else(|| "System".into()),
            organization: r.organization,
            action: label(&r.action).to_string(),
            changes: diff(r.before.as_ref(), r.after.as_ref()),
        })
        .collect())
}
