//! A record's change history, read from the audit log: who changed what, when, in which
//! Workgroup and Organization, as "Field: before → after" lines.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    crate::domain::access::Workgroup,
    crate::ssr::{auth, pool, respond},
    serde_json::Value,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub who: String,
    pub organization: Option<String>,
    pub action: String,
    pub changes: Vec<String>,
}

/// The records whose history the administration pages show (System Administrators only).
pub const ADMINISTERED: &[&str] = &["user", "organization", "project", "referral_need_status"];

/// The history of an administered record, newest first.
#[server(endpoint = "audit/history")]
pub async fn get_record_history(
    entity: String,
    entity_id: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    respond(
        async {
            let actor = auth::require_actor().await?;
            actor.context_in(&[Workgroup::SystemAdministrator])?;
            if !ADMINISTERED.contains(&entity.as_str()) {
                return Err(AppError::NotFound);
            }
            Ok(history(&pool()?, &entity, entity_id, action_label).await?)
        }
        .await,
    )
}

/// How the administration pages name an audited action.
#[cfg(feature = "ssr")]
fn action_label(action: &str) -> &str {
    match action {
        "create" | "user.create" => "Created",
        "update" => "Changed",
        "delete" => "Deleted",
        "ce_participation.create" => "CE participation added",
        "ce_participation.update" => "CE participation changed",
        "membership.grant" => "Workgroup granted",
        "membership.revoke" => "Workgroup revoked",
        "user.deactivate" => "Deactivated",
        "user.reactivate" => "Reactivated",
        "user.reset_password" => "Password reset",
        "change_password" => "Password changed by the user",
        other => other,
    }
}

/// Reads one record's audit rows, newest first; `label` names each action.
#[cfg(feature = "ssr")]
pub async fn history(
    db: impl sqlx::PgExecutor<'_>,
    entity: &str,
    entity_id: i64,
    label: fn(&str) -> &str,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    type Row = (
        chrono::DateTime<chrono::Utc>,
        Option<String>,
        Option<String>,
        String,
        Option<Value>,
        Option<Value>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select a.at, u.first_name || ' ' || u.last_name, o.name, a.action, a.before, a.after
           from audit_log a left join users u on u.id = a.user_id left join organizations o on o.id = a.organization_id
          where a.entity = $1 and a.entity_id = $2 and a.action not in ('sign_in', 'sign_out')
          order by a.at desc, a.id desc
          limit 200",
    )
    .bind(entity)
    .bind(entity_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(at, who, organization, action, before, after)| HistoryEntry {
                at: at
                    .with_timezone(&chrono::Local)
                    .format("%m/%d/%Y %-I:%M %p")
                    .to_string(),
                who: who.unwrap_or_else(|| "System".into()),
                organization,
                action: label(&action).to_string(),
                changes: diff(before.as_ref(), after.as_ref()),
            },
        )
        .collect())
}

/// "Field: old → new" for each field that changed; every field of a created record; every
/// field of a removed one.
#[cfg(feature = "ssr")]
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "(blank)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_string(),
        Some(other) => other.to_string(),
    };
    match (before, after) {
        (_, Some(Value::Object(after))) => after
            .iter()
            .filter_map(|(key, new)| {
                let old = before.and_then(|b| b.get(key));
                match old {
                    Some(old) if old == new => None,
                    None if before.is_none() && new.is_null() => None,
                    None if before.is_none() => Some(format!("{key}: {}", show(Some(new)))),
                    _ => Some(format!("{key}: {} → {}", show(old), show(Some(new)))),
                }
            })
            .collect(),
        (Some(Value::Object(before)), None) => before
            .iter()
            .filter(|(_, old)| !old.is_null())
            .map(|(key, old)| format!("{key}: {} → (removed)", show(Some(old))))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before =
            json!({"Result Date": null, "Event": "Referral to PSH project resource opening"});
        let after = json!({"Result Date": "11/20/2026", "Event": "Referral to PSH project resource opening"});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            vec!["Result Date: (blank) → 11/20/2026"]
        );
        assert_eq!(
            diff(
                None,
                Some(&json!({"Event Date": "11/20/2026", "Result Date": null}))
            ),
            vec!["Event Date: 11/20/2026"]
        );
    }

    #[test]
    fn diff_shows_yes_no_and_removals() {
        assert_eq!(
            diff(
                Some(&json!({"Access point": false})),
                Some(&json!({"Access point": true}))
            ),
            vec!["Access point: No → Yes"]
        );
        assert_eq!(
            diff(Some(&json!({"Workgroup": "HMIS User", "Note": null})), None),
            vec!["Workgroup: HMIS User → (removed)"]
        );
    }
}
